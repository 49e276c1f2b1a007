"""SQL count tables for the breakdowns and the comment counts of a survey's report.

Like ``aggregates``: one ``GROUP BY`` each, small tables out.  An ended period reads the rollup
(the main item is kept crossed with each single- and multiple-choice item and per channel, and
comments are counted there as value -1); an open one scans its answers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from analysis.satisfaction import LEVELS as LIKERT_LEVELS
from analysis.satisfaction import MAIN_ITEM, SATISFIED_FROM
from webapp.capture.submissions import Answer
from webapp.platform.extensions import db
from webapp.reporting import rollups
from webapp.reporting.counts import in_period, rolled_up


def satisfied_by(instrument_key: str, period: str, office_ids: Sequence[int], by: str,
                 options: Sequence[str] = (), item: str = MAIN_ITEM
                 ) -> dict[str, tuple[int, int]]:
    """Per group, ``(satisfied, answered)`` on ``item`` over the offices: ``by`` is
    ``"channel"`` or a single-choice item, whose answers are grouped by option key
    (``options``, in the instrument's order, turns a rollup's option position into its key)."""
    wanted = set(office_ids)
    groups: dict[str, list[int]] = {}
    add = _tally(groups)

    if rolled_up(instrument_key, period):
        crossed = "" if by == "channel" else by
        for office_id, channel, by_value, value, n in rollups.cells(
                instrument_key, period, item, crossed):
            if office_id not in wanted:
                continue
            if by == "channel":
                add(channel or None, value, n)
            elif 1 <= by_value <= len(options):
                add(options[by_value - 1], value, n)
        return {k: (v[0], v[1]) for k, v in groups.items()}
    main = aliased(Answer)
    conditions = [main.instrument_key == instrument_key, in_period(main, period),
                  main.item_key == item, main.value.isnot(None),
                  main.office_id.in_(list(office_ids))]
    if by == "channel":
        rows = db.session.execute(
            select(main.channel, main.value, func.count()).where(*conditions)
            .group_by(main.channel, main.value))
    else:
        other = aliased(Answer)
        rows = db.session.execute(
            select(other.text, main.value, func.count())
            .join(other, and_(other.submission_id == main.submission_id, other.item_key == by,
                              other.value.isnot(None)))
            .where(*conditions).group_by(other.text, main.value))
    for group, value, n in rows:
        add(group, value, int(n))
    return {k: (v[0], v[1]) for k, v in groups.items()}


def satisfied_by_combination(instrument_key: str, period: str, office_ids: Sequence[int],
                             by: str, item: str = MAIN_ITEM) -> dict[int, tuple[int, int]]:
    """Per bit pattern of the multiple-choice item ``by`` (the options chosen together),
    ``(satisfied, answered)`` on ``item`` over the offices: one ``GROUP BY`` of the stored
    integers, each option's count is then a sum (``analysis.report.options``)."""
    wanted = set(office_ids)
    groups: dict[int, list[int]] = {}
    add = _tally(groups)
    if rolled_up(instrument_key, period):
        for office_id, _channel, by_value, value, n in rollups.cells(instrument_key, period, item, by):
            if office_id in wanted and by_value:
                add(by_value, value, n)
        return {k: (v[0], v[1]) for k, v in groups.items()}
    main, other = aliased(Answer), aliased(Answer)
    rows = db.session.execute(
        select(other.value, main.value, func.count())
        .join(other, and_(other.submission_id == main.submission_id, other.item_key == by,
                          other.value.isnot(None)))
        .where(main.instrument_key == instrument_key, in_period(main, period),
               main.item_key == item, main.value.isnot(None),
               main.office_id.in_(list(office_ids)))
        .group_by(other.value, main.value))
    for bits, value, n in rows:
        add(int(bits), value, int(n))
    return {k: (v[0], v[1]) for k, v in groups.items()}


def _tally(groups: dict):
    """``add(group, value, n)``: ``n`` answers of Likert ``value`` into ``groups[group]`` as
    ``[satisfied, answered]``; no answer (or no group) counts nowhere."""
    def add(group, value: int | None, n: int) -> None:
        if group is None or value is None or not 1 <= value <= LIKERT_LEVELS:
            return
        cell = groups.setdefault(group, [0, 0])
        cell[1] += n
        if value >= SATISFIED_FROM:
            cell[0] += n
    return add


def comment_counts(instrument_key: str, period: str, items: Sequence[str],
                   office_ids: Sequence[int]) -> np.ndarray:
    """Per office: free-text answers to ``items`` that say something (empty ones do not count)."""
    position = {office_id: i for i, office_id in enumerate(office_ids)}
    counts = np.zeros(len(office_ids), dtype=np.int64)
    if not items:
        return counts
    if rolled_up(instrument_key, period):
        rows = rollups.text_counts(instrument_key, period, items)
    else:
        rows = db.session.execute(
            select(Answer.office_id, func.count())
            .where(Answer.instrument_key == instrument_key, in_period(Answer, period),
                   Answer.item_key.in_(list(items)), Answer.value.is_(None),
                   Answer.text.isnot(None), Answer.text != "")
            .group_by(Answer.office_id))
    for office_id, n in rows:
        if office_id in position:
            counts[position[office_id]] += int(n)
    return counts
