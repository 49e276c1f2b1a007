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
    """Mixed into a form's ``Meta``: WTForms' messages in ``locale`` (a subclass may instead
    override ``current_locale``, e.g. with the web request's)."""

    locale: str = "zh_TW"

    def current_locale(self) -> str:
        return self.locale

    def get_translations(self, form):
        return wtforms_translations(self.current_locale())
