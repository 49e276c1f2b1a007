"""The page's language: Traditional Chinese by default, English when the visitor picks it.

The choice is kept in the session, so it survives the next page; outside a request (the CLI,
report files) everything is in Traditional Chinese.  ``forms`` knows nothing of Flask: it gets
its translator from here, installed by the factory.
"""

from __future__ import annotations

from flask_babel import get_locale, gettext

import forms.i18n

LOCALES = ("zh_Hant_TW", "en")


def locale_code() -> str:
    return str(get_locale() or LOCALES[0])


def install() -> None:
    """Let ``forms``' messages (validators, hints) go through this app's catalogue."""
    forms.i18n.install(gettext)
