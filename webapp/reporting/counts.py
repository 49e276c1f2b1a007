"""SQL aggregates: the only place rows become numbers.

Each function runs one ``GROUP BY`` and returns small numpy count tables indexed by office, so
the analysis never sees a row.  A million answers become offices x items x levels numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import and_, case, func, select

from analysis.periods import Period
from analysis.satisfaction import LEVELS, SATISFIED_FROM
from forms.catalogue import CATALOGUE
from forms.instrument import Instrument
from webapp.capture.submissions import Answer, Submission, in_period
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.instruments import InstrumentVersion
from webapp.programme.offices import Office
from webapp.reporting import rollups

#: inspector records that count in analysis: only what a reviewer approved
COUNTED_STATUSES = ("approved",)
LIKERT_LEVELS = LEVELS


@dataclass(frozen=True)
class LikertCounts:
    """Per item: ``counts[item]`` is (offices x 5 levels), ``no_answer[item]`` is (offices,)."""

    office_ids: tuple[int, ...]
    counts: dict[str, np.ndarray]
    no_answer: dict[str, np.ndarray]


def counted_statuses(instrument_key: str) -> tuple[str, ...]:
    """The submissions that count: a survey's once submitted, an inspection's once approved.
    An instrument the catalogue does not list was made from an XLSForm, always a survey
    (``instruments.kind_refusal``)."""
    entry = CATALOGUE.get(instrument_key)
    return ("submitted",) if entry is None or entry.kind == "survey" else COUNTED_STATUSES


def answered_on(instrument_key: str, period: str) -> Instrument:
    """The newest version ``period`` was answered on: its items, labels and bands are what that
    period's answers mean (a later version may add items or drop unscored ones); the current
    version for a period nobody answered.  Versions never retype or drop what the reports read
    (``forms.compat``), so older answers of the period read the same under it."""
    newest = db.session.scalar(select(func.max(Submission.instrument_version_id)).where(
        Submission.instrument_key == instrument_key, in_period(Submission, period),
        Submission.status.in_(counted_statuses(instrument_key))))   # a draft changes nothing
    if newest is None:
        return instruments.current(instrument_key)[1]
    return instruments.instrument_of(db.session.get(InstrumentVersion, newest))


def offices(kind: str | None = None, codes: Sequence[str] | None = None) -> list[Office]:
    query = select(Office).where(Office.active).order_by(Office.kind, Office.code)
    if kind:
        query = query.where(Office.kind == kind)
    if codes:
        query = query.where(Office.code.in_([c.upper() for c in codes]))
    return list(db.session.scalars(query))


def rolled_up(instrument_key: str, period: str) -> bool:
    """Whether a survey's period is read from its count tables (an ended period whose rollup
    was built; see ``rollups``) rather than scanned.  Reading never builds one."""
    return rollups.available(instrument_key, period)


def likert_counts(instrument_key: str, period: str, items: Sequence[str],
                  office_ids: Sequence[int]) -> LikertCounts:
    """Count (office, item, value) for Likert items; NULL values are "no answer"."""
    position = {office_id: i for i, office_id in enumerate(office_ids)}
    counts = {item: np.zeros((len(office_ids), LIKERT_LEVELS), dtype=np.int64) for item in items}
    no_answer = {item: np.zeros(len(office_ids), dtype=np.int64) for item in items}
    if rolled_up(instrument_key, period):
        rows = rollups.counts(instrument_key, period, items)
    else:
        rows = db.session.execute(
            select(Answer.item_key, Answer.office_id, Answer.value, func.count())
            .where(Answer.instrument_key == instrument_key, in_period(Answer, period),
                   Answer.item_key.in_(list(items)))
            .group_by(Answer.item_key, Answer.office_id, Answer.value)
        )
    for item, office_id, value, n in rows:
        row = position.get(office_id)
        if row is None:
            continue
        if value is None or value == 0:
            no_answer[item][row] += n
        elif 1 <= value <= LIKERT_LEVELS:
            counts[item][row, value - 1] += n
    return LikertCounts(tuple(office_ids), counts, no_answer)


def likert_scale_sums(instrument_key: str, period: str, items: Sequence[str],
                      office_ids: Sequence[int] | None = None) -> tuple[int, np.ndarray, ...]:
    """``(n, sums, squares, item_total, total_sq)`` over respondents who answered every item.

    What Cronbach's alpha needs, in one pass: the inner query pivots each submission's answers
    into a row (using ``ix_answers_respondent``), the outer one sums x_i, x_i², x_i·T and T²
    where T is the respondent's total, so 3k + 2 numbers leave the database.
    ``office_ids=None`` means every office (no filter, the fast path).
    """
    k = len(items)
    if rolled_up(instrument_key, period):
        summed = rollups.scale_sums(instrument_key, period, items, office_ids)
        if summed is not None:
            n, sums, total_sq = summed
            values = np.array(sums, dtype=float)
            return (int(n), values[:k], values[k:2 * k], values[2 * k:3 * k], float(total_sq))
    conditions = [Answer.instrument_key == instrument_key, in_period(Answer, period),
                  Answer.item_key.in_(list(items))]
    if office_ids is not None:
        conditions.append(Answer.office_id.in_(list(office_ids)))
    pivot = (
        select(*[func.max(case((Answer.item_key == item, Answer.value))).label(f"i{j}")
                 for j, item in enumerate(items)])
        .where(*conditions).group_by(Answer.submission_id).subquery()
    )
    cols = [pivot.c[f"i{j}"] for j in range(k)]
    total = sum(cols[1:], cols[0])
    row = db.session.execute(
        select(func.count(), *[func.sum(c) for c in cols], *[func.sum(c * c) for c in cols],
               *[func.sum(c * total) for c in cols], func.sum(total * total))
        .where(and_(*[c.isnot(None) for c in cols]))
    ).one()
    values = np.array([float(v or 0) for v in row[1:]])
    return (int(row[0]), values[:k], values[k:2 * k], values[2 * k:3 * k], float(values[3 * k]))


@dataclass(frozen=True)
class ScoreTotals:
    """Per office: number of counted checks, sum and sum of squares of their 0-100 scores."""

    office_ids: tuple[int, ...]
    n: np.ndarray
    total: np.ndarray
    total_sq: np.ndarray


def inspection_scores(instrument_key: str, period: str, office_ids: Sequence[int],
                      statuses: Sequence[str] = COUNTED_STATUSES) -> ScoreTotals:
    position = {office_id: i for i, office_id in enumerate(office_ids)}
    n, total, total_sq = (np.zeros(len(office_ids)) for _ in range(3))
    rows = db.session.execute(
        select(Submission.office_id, func.count(), func.sum(Submission.score),
               func.sum(Submission.score * Submission.score))
        .where(Submission.instrument_key == instrument_key, in_period(Submission, period),
               Submission.status.in_(list(statuses)), Submission.score.isnot(None))
        .group_by(Submission.office_id)
    )
    for office_id, count, score_sum, score_sq in rows:
        if office_id in position:
            i = position[office_id]
            n[i], total[i], total_sq[i] = count, float(score_sum), float(score_sq)
    return ScoreTotals(tuple(office_ids), n, total, total_sq)


def inspectors_per_office(instrument_key: str, period: str, office_ids: Sequence[int],
                          statuses: Sequence[str] = COUNTED_STATUSES) -> dict[int, int]:
    """Office id -> how many different inspectors made its counted checks in ``period``."""
    wanted = set(office_ids)
    rows = db.session.execute(
        select(Submission.office_id, func.count(func.distinct(Submission.inspector_id)))
        .where(Submission.instrument_key == instrument_key, in_period(Submission, period),
               Submission.status.in_(list(statuses)), Submission.inspector_id.isnot(None))
        .group_by(Submission.office_id))
    return {office_id: count for office_id, count in rows if office_id in wanted}


def inspection_grades(instrument_key: str, period: str, office_ids: Sequence[int],
                      statuses: Sequence[str] = COUNTED_STATUSES) -> list[dict[str, int]]:
    """Per office position, how many counted checks got each grade (the grade each record
    was given under its own version's bands)."""
    position = {office_id: i for i, office_id in enumerate(office_ids)}
    grades: list[dict[str, int]] = [{} for _ in office_ids]
    rows = db.session.execute(
        select(Submission.office_id, Submission.grade, func.count())
        .where(Submission.instrument_key == instrument_key, in_period(Submission, period),
               Submission.status.in_(list(statuses)), Submission.score.isnot(None))
        .group_by(Submission.office_id, Submission.grade))
    for office_id, grade, n in rows:
        if office_id in position and grade:
            grades[position[office_id]][grade] = int(n)
    return grades


def inspection_item_values(instrument_key: str, period: str, office_ids: Sequence[int],
                           statuses: Sequence[str] = COUNTED_STATUSES
                           ) -> dict[str, dict[tuple[int | None, str | None], np.ndarray]]:
    """Per item, per stored ``(value, choice)``: answers per office.

    ``value`` is 1 yes / 0 no / None N/A, or a count; ``choice`` is a single-choice answer's
    option key (its ``value`` is only the option's position in the version that stored it, so
    scoring goes by the key).  Free text (no value) is grouped as None, not by its words.
    """
    position = {office_id: i for i, office_id in enumerate(office_ids)}
    result: dict[str, dict[tuple[int | None, str | None], np.ndarray]] = {}
    choice = case((Answer.value.isnot(None), Answer.text)).label("choice")
    rows = db.session.execute(
        select(Answer.item_key, Answer.office_id, Answer.value, choice, func.count())
        .join(Submission, Submission.id == Answer.submission_id)
        .where(Answer.instrument_key == instrument_key, in_period(Answer, period),
               Submission.status.in_(list(statuses)))
        .group_by(Answer.item_key, Answer.office_id, Answer.value, choice)
    )
    for item, office_id, value, key, count in rows:
        if office_id not in position:
            continue
        per_value = result.setdefault(item, {})
        per_value.setdefault((value, key), np.zeros(len(office_ids), dtype=np.int64))
        per_value[(value, key)][position[office_id]] += count
    return result


def periods_with_data(instrument_key: str | None = None, *, quarters: bool = False) -> list[str]:
    """Half-years (or quarters) that have records, newest first."""
    column = Submission.quarter if quarters else Submission.half
    query = select(column).distinct().where(Submission.status != "draft")
    if instrument_key:
        query = query.where(Submission.instrument_key == instrument_key)
    # a record stored with an odd period (a year typed as 0999) is left out, never a failure
    return sorted((h for (h,) in db.session.execute(query) if Period.is_valid(h)), reverse=True)


def answer_patterns(instrument_key: str, period: str, items: Sequence[str]
                    ) -> dict[int, dict[tuple[int | None, ...], int]]:
    """Per office, how many submissions gave each exact answer pattern over ``items``.

    The inner query pivots each submission (0 stands for "no answer"), the outer one counts
    identical rows per office, so only distinct patterns leave the database.
    """
    pivot = (
        select(Answer.office_id.label("office_id"),
               *[func.coalesce(func.max(case((Answer.item_key == item, Answer.value))), 0)
                 .label(f"i{j}") for j, item in enumerate(items)])
        .where(Answer.instrument_key == instrument_key, in_period(Answer, period),
               Answer.item_key.in_(list(items)))
        .group_by(Answer.submission_id, Answer.office_id)
        .subquery()
    )
    cols = [pivot.c[f"i{j}"] for j in range(len(items))]
    rows = db.session.execute(
        select(pivot.c.office_id, *cols, func.count()).group_by(pivot.c.office_id, *cols))
    result: dict[int, dict[tuple[int | None, ...], int]] = {}
    for office_id, *values, count in rows:
        pattern = tuple(None if v == 0 else int(v) for v in values)
        result.setdefault(office_id, {})[pattern] = int(count)
    return result


def lowest_answer_counts(instrument_key: str, period: str, items: Sequence[str],
                         office_ids: Sequence[int]) -> np.ndarray:
    """Offices x 5: how many submissions had each level as their lowest answer over ``items``.

    One citizen counts once (summing items would count a covered office's citizens eight
    times); a submission with no answer on every item is left out.
    """
    position = {office_id: i for i, office_id in enumerate(office_ids)}
    table = np.zeros((len(office_ids), LIKERT_LEVELS), dtype=np.int64)
    lowest = (
        select(Answer.office_id.label("office_id"), func.min(Answer.value).label("lowest"))
        .where(Answer.instrument_key == instrument_key, in_period(Answer, period),
               Answer.item_key.in_(list(items)), Answer.value.isnot(None))
        .group_by(Answer.submission_id, Answer.office_id)
        .subquery()
    )
    rows = db.session.execute(select(lowest.c.office_id, lowest.c.lowest, func.count())
                              .group_by(lowest.c.office_id, lowest.c.lowest))
    for office_id, value, count in rows:
        if office_id in position and 1 <= value <= LIKERT_LEVELS:
            table[position[office_id], value - 1] += count
    return table


def satisfied_by_period(instrument_key: str, periods: Sequence[str], item: str,
                        office_ids: Sequence[int], satisfied_from: int = SATISFIED_FROM
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Offices x periods: satisfied answers (value >= ``satisfied_from``) and valid answers to
    ``item``, in one ``GROUP BY`` over the periods' column (all half-years or all quarters)."""
    position = {office_id: i for i, office_id in enumerate(office_ids)}
    column_of = {p: t for t, p in enumerate(periods)}
    satisfied = np.zeros((len(office_ids), len(periods)), dtype=np.int64)
    n = np.zeros_like(satisfied)
    if not periods:
        return satisfied, n
    rolled = [p for p in periods if rolled_up(instrument_key, p)]
    scanned = [p for p in periods if p not in rolled]
    for period in rolled:
        for _item, office_id, value, count in rollups.counts(instrument_key, period, [item]):
            if office_id in position and value > 0:
                n[position[office_id], column_of[period]] += count
                if value >= satisfied_from:
                    satisfied[position[office_id], column_of[period]] += count
    if not scanned:
        return satisfied, n
    column = Answer.quarter if "Q" in scanned[0] else Answer.half
    rows = db.session.execute(
        select(column, Answer.office_id, func.count(),
               func.sum(case((Answer.value >= satisfied_from, 1), else_=0)))
        .where(Answer.instrument_key == instrument_key, column.in_(scanned),
               Answer.item_key == item, Answer.value.isnot(None))
        .group_by(column, Answer.office_id)
    )
    for period, office_id, count, good in rows:
        if office_id in position and period in column_of:
            n[position[office_id], column_of[period]] = count
            satisfied[position[office_id], column_of[period]] = int(good or 0)
    return satisfied, n


def inspection_check_scores(instrument_key: str, period: str, office_ids: Sequence[int],
                            statuses: Sequence[str] = COUNTED_STATUSES) -> dict[int, list[float]]:
    """Each counted check's score per office position, in time order: listed one by one for
    offices with too few checks for an office grade (a handful of rows, not a scan)."""
    position = {office_id: i for i, office_id in enumerate(office_ids)}
    result: dict[int, list[float]] = {}
    rows = db.session.execute(
        select(Submission.office_id, Submission.score)
        .where(Submission.instrument_key == instrument_key, in_period(Submission, period),
               Submission.status.in_(list(statuses)), Submission.score.isnot(None))
        .order_by(Submission.occurred_at))
    for office_id, score in rows:
        if office_id in position:
            result.setdefault(position[office_id], []).append(float(score))
    return result
