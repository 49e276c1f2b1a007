"""The count tables the theme statistics read: per office, the commenters whose comments were
read, and per office and theme those who mention it, complain of it and praise it (SQL
``GROUP BY``; a commenter is a submission with a comment that says something)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import case, func, select

from analysis.report.themes import ThemeCounts
from analysis.themes.coding import strongest
from webapp.capture.submissions import Answer, Submission
from webapp.platform.extensions import db
from webapp.reporting.counts import in_period
from webapp.reporting.themes.models import CommentCode, CommentTheme


def theme_counts(instrument_key: str, period: str, items: Sequence[str],
                 office_ids: Sequence[int], themes: Sequence[str]) -> ThemeCounts:
    position = {office_id: i for i, office_id in enumerate(office_ids)}
    column = {key: t for t, key in enumerate(themes)}
    shape = (len(office_ids), len(themes))
    commenters = np.zeros(len(office_ids), dtype=np.int64)
    tables = {kind: np.zeros(shape, dtype=np.int64) for kind in ("mention", "complaint", "praise")}
    read = (select(Answer.office_id, Answer.submission_id, CommentCode.answer_id)
            .join(CommentCode, CommentCode.answer_id == Answer.id)
            .where(Answer.instrument_key == instrument_key, in_period(Answer, period),
                   Answer.item_key.in_(list(items)), Answer.office_id.in_(list(office_ids)))
            .subquery())
    for office_id, n in db.session.execute(
            select(read.c.office_id, func.count(func.distinct(read.c.submission_id)))
            .group_by(read.c.office_id)):
        commenters[position[office_id]] = int(n)
    # one row per commenter and theme, however many comment questions mention it: a complaint
    # in any of them makes it a complaint, else praise in any makes it praise
    flag = {tone: func.max(case((CommentTheme.tone == tone, 1), else_=0)).label(tone)
            for tone in ("complaint", "praise")}
    per_commenter = (select(read.c.office_id, read.c.submission_id, CommentTheme.theme,
                            flag["complaint"], flag["praise"])
                     .join(CommentTheme, CommentTheme.answer_id == read.c.answer_id)
                     .group_by(read.c.office_id, read.c.submission_id, CommentTheme.theme)
                     .subquery())
    c = per_commenter.c
    for office_id, theme, n, complained, praised in db.session.execute(
            select(c.office_id, c.theme, func.count(), func.sum(c.complaint),
                   func.sum(case(((c.complaint == 0) & (c.praise == 1), 1), else_=0)))
            .group_by(c.office_id, c.theme)):
        if theme not in column:
            continue   # a theme a later catalogue dropped from its labels: not in this table
        cell = (position[office_id], column[theme])
        tables["mention"][cell] = int(n)
        tables["complaint"][cell] = int(complained or 0)
        tables["praise"][cell] = int(praised or 0)
    return ThemeCounts(commenters, tables["mention"], tables["complaint"], tables["praise"])


def codes_by_submission(where) -> dict[int, tuple[str, str]]:
    """Submission id → (its comments' theme keys, each once, joined by ";"; the strongest of
    their tones), for the submissions ``where`` selects (a condition on ``Submission``): the
    exports' two columns."""
    found: dict[int, tuple[set[str], set[str]]] = {}
    for sid, tone, theme in db.session.execute(
            select(Answer.submission_id, CommentCode.tone, CommentTheme.theme)
            .join(CommentCode, CommentCode.answer_id == Answer.id)
            .join(Submission, Submission.id == Answer.submission_id)
            .outerjoin(CommentTheme, CommentTheme.answer_id == CommentCode.answer_id)
            .where(where)):
        themes, tones = found.setdefault(sid, (set(), set()))
        tones.add(tone)
        if theme:
            themes.add(theme)
    return {sid: (";".join(sorted(themes)), strongest(tones))
            for sid, (themes, tones) in found.items()}
