"""Who and what the programme is about: offices and their kiosks, staff accounts, instrument
versions, API tokens; with the administrators' pages (``/admin/``) and signing in (``/login``).
"""

from __future__ import annotations

from flask import Flask

from webapp.platform import register_packages

PACKAGES = ('auth', 'admin')


def register(app: Flask) -> None:
    from webapp.programme.accounts import role_label

    register_packages(app, __name__, PACKAGES)
    app.context_processor(lambda: {"role_label": role_label})
