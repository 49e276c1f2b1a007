"""A second person's decision on every inspector's record: approve it, or return it with a
comment (``/review/``).  Only approved records count.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from webapp.review import views

    app.register_blueprint(views.bp)
