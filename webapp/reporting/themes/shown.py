"""How themes and tones are named on pages: the catalogue's labels in the reader's language,
the tones in words, and the words that decided a comment's reading ("因為提到「等了一個小時」")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from analysis.themes.catalogue import load_default
from forms.instrument import pick
from webapp.programme import themes as catalogues
from webapp.reporting.themes.models import CommentCode

#: who may correct a comment's reading: the people who compare offices, not the office itself
CORRECTORS = ("analyst", "admin")
_TONES = {"complaint": _l("抱怨"), "praise": _l("稱讚"), "neutral": _l("中性")}


def tone_labels() -> dict[str, str]:
    return {tone: str(label) for tone, label in _TONES.items()}


def theme_labels(locale: str) -> dict[str, str]:
    """Theme key → its label, from the current catalogue (the shipped one before any is
    published: reading never publishes)."""
    current = catalogues.current()
    catalogue = current[1] if current else load_default()
    return {t.key: pick(t.label, locale) for t in catalogue.themes}


def reasons(code: CommentCode) -> list[str]:
    """The words that decided the reading, each once, in the order they were written."""
    reading = code.reading or {}
    words = [w for m in reading.get("themes", {}).values() for w in m.get("words", [])]
    return list(dict.fromkeys(words + list(reading.get("words", []))))
