"""An office's top themes on its scorecard, each with a couple of its comments as examples:
different ones under the theme, masked, text only; the newest for analysts, in the order of their
words for the office's manager (as an office manager reads comments)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from forms.catalogue import CITIZEN_SURVEYS
from webapp.capture.submissions import Answer
from webapp.platform.extensions import db
from webapp.platform.masking import mask
from webapp.reporting.counts import in_period
from webapp.reporting.themes.models import CommentTheme

TOP = 3
PER_THEME = 2


def top_themes(section: dict, code: str, count: int = TOP) -> list[dict]:
    """The office's most mentioned themes in the report's ``comment_themes`` (none unmentioned)."""
    themes = section.get("comment_themes") or {}
    row = next((o for o in themes.get("offices", []) if o["code"] == code), None)
    if row is None:
        return []
    mentioned = [t for t in row["themes"] if t["count"]]
    return sorted(mentioned, key=lambda t: -t["count"])[:count]


def examples(office_id: int, period: str, themes: Sequence[str], per_theme: int = PER_THEME,
             *, by_text: bool = False) -> dict[str, list[str]]:
    """``by_text``: in the order of their words rather than the newest, for an office manager,
    who knows who came in lately (as on the comments page)."""
    found = {}
    for theme in themes:
        texts = db.session.scalars(   # different words, not the same comment twice
            select(Answer.text).join(CommentTheme, CommentTheme.answer_id == Answer.id)
            .where(Answer.office_id == office_id, Answer.instrument_key.in_(CITIZEN_SURVEYS),
                   in_period(Answer, period), CommentTheme.theme == theme)
            .group_by(Answer.text)
            .order_by(Answer.text if by_text else func.max(Answer.id).desc()).limit(per_theme))
        found[theme] = [mask(text) for text in texts]
    return found
