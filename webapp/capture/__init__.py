"""Evidence coming in: every submission stored exactly once, the citizen survey on a kiosk or a
phone (``/kiosk``, ``/survey``, ``/c``, ``/slips``), paper questionnaires keyed in (``/paper``),
the staff survey's rounds and anonymous answers (``/staff-rounds``, ``/staff-survey``), and
the inspector's checklists with their notes and photos, from draft to submission
(``/inspect``, ``/photos``).
"""

from __future__ import annotations

from flask import Flask

from webapp.platform import register_packages

PACKAGES = ('survey', 'inspect', 'paper', 'staff', 'photos')


def register(app: Flask) -> None:
    from webapp.capture.inspect.views_list import status_labels

    register_packages(app, __name__, PACKAGES)
    app.context_processor(lambda: {
        "status_label": lambda status: status_labels().get(status, status)})
