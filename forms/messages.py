"""WTForms' own messages ("Not a valid choice", "This field is required") in the page's language.

Flask-WTF asks Babel for WTForms' catalogue under the app's locale name, ``zh_Hant_TW``, which
falls back to WTForms' Simplified Chinese ``zh``; WTForms names its Traditional Chinese catalogue
``zh_TW``.  Loading it once per process also saves reading a ``.mo`` file on every request.
"""

from __future__ import annotations

from functools import cache

from babel import support
from wtforms.i18n import messages_path


@cache
def wtforms_translations(locale: str) -> support.Translations:
    name = "en" if str(locale).lower().startswith("en") else "zh_TW"
    return support.Translations.load(messages_path(), [name], domain="wtforms")


class TranslatedMeta:
    """Mixed into a form's ``Meta``: WTForms' messages in ``locale``, or the request's."""

    locale: str | None = None

    def get_translations(self, form):
        locale = self.locale
        if locale is None:
            from flask_babel import get_locale

            locale = str(get_locale() or "zh_TW")
        return wtforms_translations(locale)
