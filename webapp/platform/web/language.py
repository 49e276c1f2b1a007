"""The page's language, as the visitor picks it: ``?lang=en`` (the language button) is kept in
the session, so it survives the next page; outside a request everything is in Traditional
Chinese (``platform.i18n``)."""

from __future__ import annotations

from flask import has_request_context, request, session
from flask_babel import refresh

from webapp.platform.i18n import LOCALES


def select_locale() -> str:
    if not has_request_context():  # CLI: reports and messages in Traditional Chinese
        return LOCALES[0]
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        session["lang"] = chosen
    return session.get("lang") or LOCALES[0]


def switch_posted_language() -> bool:
    """A questionnaire's language button posts the form (``switch_lang``), so the answers
    already chosen come back in the new language -- with JavaScript or without."""
    chosen = request.form.get("switch_lang")
    if chosen not in LOCALES:
        return False
    session["lang"] = chosen
    refresh()  # Flask-Babel already chose this request's language: choose again
    return True
