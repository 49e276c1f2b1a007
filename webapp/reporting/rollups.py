"""Count tables for ended periods: built once from the answers, then kept current by every write.

A report on a period that has ended reads ``answer_counts`` (offices x items x values x
channels: thousands of rows) instead of scanning its answers (millions).  The tables are built
by an explicit step, never by a read: ``flask rollups build`` (daily, and after late data),
under the write lock so no answer slips in between the scan and the marker.  Every later write
to that period -- a late paper import, a correction -- changes them in the same transaction as
the answers (``follow``, on ``store.answers_written``).  Until a period's rollup is built, its
reports scan its answers: the same numbers, more slowly.  ``ROLLUPS = False`` in the
config turns them off (the benchmark compares both ways; the numbers are the same).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    case,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, aliased, mapped_column

from analysis.periods import Period
from analysis.satisfaction import MAIN_ITEM
from forms.catalogue import SURVEYS
from webapp.capture import store
from webapp.capture.submissions import Answer, Submission
from webapp.platform.db import TAIPEI, UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.platform.periods import PeriodType
from webapp.programme import instruments


class RollupPeriod(db.Model):
    __tablename__ = "rollup_periods"
    __table_args__ = (UniqueConstraint("instrument_key", "period",
                                       name="uq_rollup_periods_instrument_key_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(40))
    period: Mapped[Period] = mapped_column(PeriodType)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

class AnswerCount(db.Model):
    __tablename__ = "answer_counts"
    __table_args__ = (
        UniqueConstraint("instrument_key", "period", "item_key", "office_id", "channel",
                         "value", "by_item", "by_value", name="uq_answer_counts_cell"),
        Index("ix_answer_counts_read", "instrument_key", "period", "by_item", "item_key",
              "office_id", "value", "n"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(40))
    period: Mapped[Period] = mapped_column(PeriodType)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    channel: Mapped[str] = mapped_column(String(16))
    item_key: Mapped[str] = mapped_column(String(64))
    value: Mapped[int] = mapped_column(Integer)  # 0: no answer (or a text answer)
    by_item: Mapped[str] = mapped_column(String(64), default="", server_default="")
    by_value: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n: Mapped[int] = mapped_column(Integer)

class ScaleSum(db.Model):
    __tablename__ = "scale_sums"
    __table_args__ = (UniqueConstraint("instrument_key", "period", "scale", "office_id",
                                       name="uq_scale_sums_cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(40))
    period: Mapped[Period] = mapped_column(PeriodType)
    scale: Mapped[str] = mapped_column(String(400))  # the items, comma-joined, in order
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    n: Mapped[int] = mapped_column(Integer)
    sums: Mapped[list] = mapped_column(JSON)      # per item: sum of x, of x^2, of x*T
    total_sq: Mapped[float] = mapped_column(Float)


#: ``value`` of a free-text answer that says something (a comment), counted apart from 0, the
#: answer left empty, so comments can be counted per office without reading them
TEXT_GIVEN = -1
CELL = ("instrument_key", "period", "item_key", "office_id", "channel", "value", "by_item",
        "by_value")


def scale_items(instrument) -> list[str]:
    """The Likert items Cronbach's alpha is computed over (all but the overall question)."""
    return [k for k in instrument.likert_keys() if k != MAIN_ITEM]


def choice_items(instrument) -> list[str]:
    """Single- and multiple-choice items (service used, age band, services used together):
    the main item is crossed with each (a multiple choice by its stored bit pattern)."""
    from forms.types import get_type

    return [q["key"] for q in instrument.questions()
            if get_type(q["type"]).stat_kind in ("choice", "multi")]


def enabled() -> bool:
    return not has_app_context() or bool(current_app.config.get("ROLLUPS", True))


def closed(period: str) -> bool:
    """Whether ``period`` has ended (Taipei time): only then do its counts stop growing."""
    return Period.parse(period).end() <= datetime.now(TAIPEI).date()


def built(instrument_key: str, period: str) -> bool:
    return db.session.scalar(select(RollupPeriod.id).where(
        RollupPeriod.instrument_key == instrument_key, RollupPeriod.period == period)) is not None


def available(instrument_key: str, period: str) -> bool:
    """Whether ``period``'s counts are read from the rollup: an ended period whose rollup was
    built (``build_ended``).  A read never builds one; without it, the report scans."""
    return (enabled() and Period.is_valid(period) and closed(period)
            and built(instrument_key, period))


def _column(period: str):
    return Answer.quarter if "Q" in period else Answer.half


def build(instrument_key: str, period: str, scale: Sequence[str],
          choice_items: Sequence[str]) -> None:
    """Scan ``period``'s answers once into the count tables and mark it built."""
    with store.writing():
        if db.engine.dialect.name == "postgresql":  # no answer lands between scan and marker
            db.session.execute(db.text("LOCK TABLE answers IN SHARE MODE"))
        if built(instrument_key, period):
            db.session.commit()
            return
        column = _column(period)
        value = func.coalesce(Answer.value, 0)
        channel = func.coalesce(Answer.channel, "")
        base = db.session.execute(  # one pass over the covering index, no join
            select(Answer.item_key, Answer.office_id, channel, value, func.count())
            .where(Answer.instrument_key == instrument_key, column == period)
            .group_by(Answer.item_key, Answer.office_id, channel, value)).all()
        cells = {(item, office, ch, int(v)): int(n) for item, office, ch, v, n in base}
        texts = db.session.execute(  # rows without a value (the index finds them) that have text
            select(Answer.item_key, Answer.office_id, channel, func.count())
            .where(Answer.instrument_key == instrument_key, column == period,
                   Answer.value.is_(None), Answer.text.isnot(None), Answer.text != "")
            .group_by(Answer.item_key, Answer.office_id, channel))
        for item, office, ch, n in texts:
            cells[(item, office, ch, 0)] -= int(n)
            cells[(item, office, ch, TEXT_GIVEN)] = int(n)
        rows = [{"instrument_key": instrument_key, "period": period, "item_key": item,
                 "office_id": office, "channel": ch, "value": v, "by_item": "",
                 "by_value": 0, "n": n} for (item, office, ch, v), n in cells.items() if n]
        if choice_items:
            main, by = aliased(Answer), aliased(Answer)
            main_value = func.coalesce(main.value, 0)
            main_channel = func.coalesce(main.channel, "")
            crossed = db.session.execute(
                select(by.item_key, by.value, main.office_id, main_channel, main_value,
                       func.count())
                .join(by, and_(by.submission_id == main.submission_id,
                               by.item_key.in_(list(choice_items))))
                .where(main.instrument_key == instrument_key, main.item_key == MAIN_ITEM,
                       (main.quarter if "Q" in period else main.half) == period,
                       by.value.isnot(None))
                .group_by(by.item_key, by.value, main.office_id, main_channel,
                          main_value)).all()
            rows += [{"instrument_key": instrument_key, "period": period, "item_key": MAIN_ITEM,
                      "office_id": office, "channel": channel, "value": int(v),
                      "by_item": by_item, "by_value": int(by_value), "n": int(n)}
                     for by_item, by_value, office, channel, v, n in crossed]
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(AnswerCount.__table__), rows[start:start + 5000])
        if scale:
            _build_scale(instrument_key, period, list(scale))
        db.session.add(RollupPeriod(instrument_key=instrument_key, period=period))
        db.session.commit()


def build_ended(only: str | None = None) -> list[tuple[str, str]]:
    """Build the rollups every survey still lacks for its ended periods that have answers
    (``flask rollups build``, run daily and after late data is keyed in); ``only`` narrows it
    to one period.  What was built, as ``(instrument, period)``.  Each is built with the
    current version's scale and single-choice items."""
    if not enabled():
        return []
    made = []
    for key in SURVEYS:
        try:
            instrument = instruments.current(key)[1]
        except LookupError:   # never published: it has no answers either
            continue
        periods = {p for column in (Answer.half, Answer.quarter)
                   for (p,) in db.session.execute(select(column).distinct()
                                                  .where(Answer.instrument_key == key))}
        for period in sorted(p for p in periods if Period.is_valid(p) and closed(p)):
            if (only is None or period == only) and not built(key, period):
                build(key, period, scale_items(instrument), choice_items(instrument))
                made.append((key, period))
    return made


def _build_scale(instrument_key: str, period: str, scale: list[str]) -> None:
    """Per office, what Cronbach's alpha needs over respondents who answered every item."""
    k = len(scale)
    column = Answer.quarter if "Q" in period else Answer.half
    pivot = (
        select(Answer.office_id.label("office_id"),
               *[func.max(case((Answer.item_key == item, Answer.value))).label(f"i{j}")
                 for j, item in enumerate(scale)])
        .where(Answer.instrument_key == instrument_key, column == period,
               Answer.item_key.in_(scale))
        .group_by(Answer.submission_id, Answer.office_id).subquery())
    cols = [pivot.c[f"i{j}"] for j in range(k)]
    total = sum(cols[1:], cols[0])
    rows = db.session.execute(
        select(pivot.c.office_id, func.count(), *[func.sum(c) for c in cols],
               *[func.sum(c * c) for c in cols], *[func.sum(c * total) for c in cols],
               func.sum(total * total))
        .where(and_(*[c.isnot(None) for c in cols])).group_by(pivot.c.office_id))
    for office_id, n, *values in rows:
        values = [float(v or 0) for v in values]
        db.session.add(ScaleSum(instrument_key=instrument_key, period=period,
                                scale=",".join(scale), office_id=office_id, n=int(n),
                                sums=values[:3 * k], total_sq=values[3 * k]))


# --- keeping them current ------------------------------------------------------------------

@store.answers_written
def follow(submission: Submission, instrument, rows: Sequence[Mapping], sign: int) -> None:
    """A write to a survey's answers moves its rollups in the same transaction."""
    if instrument.kind == "survey":
        record(submission, rows, sign=sign, scale=scale_items(instrument),
               choice_items=choice_items(instrument))


def _upsert(rows: list[dict]) -> None:
    if not rows:
        return
    table = AnswerCount.__table__
    make = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = make(table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(CELL), set_={"n": table.c.n + statement.excluded.n})
    db.session.execute(statement)


def record(submission: Submission, answers: Sequence[Mapping], *, sign: int = 1,
           scale: Sequence[str] = (), choice_items: Sequence[str] = ()) -> None:
    """Count ``answers`` (the rows as written to ``answers``) of ``submission`` into the
    rollups of its half-year and quarter that exist, in the caller's transaction; ``sign=-1``
    takes them out again (an edit replaces answers)."""
    if not enabled():
        return
    periods = [p for p in (submission.half, submission.quarter)
               if Period.is_valid(p) and closed(p) and built(submission.instrument_key, p)]
    if not periods:
        return
    given = {a["item_key"]: a for a in answers}
    main = given.get(MAIN_ITEM)
    for period in periods:
        cell = {"instrument_key": submission.instrument_key, "period": period,
                "office_id": submission.office_id, "channel": submission.channel}
        rows = [{**cell, "item_key": key, "value": _value(a), "by_item": "",
                 "by_value": 0, "n": sign} for key, a in given.items()]
        if main is not None:
            rows += [{**cell, "item_key": MAIN_ITEM, "value": int(main["value"] or 0),
                      "by_item": key, "by_value": int(given[key]["value"]), "n": sign}
                     for key in choice_items
                     if key in given and given[key]["value"] is not None]
        _upsert(rows)
        if scale and all(given.get(k, {}).get("value") is not None for k in scale):
            _add_scale(submission, period, list(scale), given, sign)


def _value(answer: Mapping) -> int:
    if answer["value"] is not None:
        return int(answer["value"])
    return TEXT_GIVEN if answer.get("text") else 0


def _add_scale(submission: Submission, period: str, scale: list[str], given: Mapping,
               sign: int) -> None:
    x = [float(given[k]["value"]) for k in scale]
    t = sum(x)
    k = len(scale)
    delta = [*x, *(v * v for v in x), *(v * t for v in x)]
    row = db.session.scalar(select(ScaleSum).where(
        ScaleSum.instrument_key == submission.instrument_key, ScaleSum.period == period,
        ScaleSum.scale == ",".join(scale), ScaleSum.office_id == submission.office_id)
        .with_for_update())
    if row is None:
        if not db.session.scalar(select(func.count()).select_from(ScaleSum).where(
                ScaleSum.instrument_key == submission.instrument_key,
                ScaleSum.period == period, ScaleSum.scale == ",".join(scale))):
            return  # this scale was never rolled up: reports scan for it
        row = ScaleSum(instrument_key=submission.instrument_key, period=period,
                       scale=",".join(scale), office_id=submission.office_id, n=0,
                       sums=[0.0] * (3 * k), total_sq=0.0)
        db.session.add(row)
    row.n += sign
    row.sums = [a + sign * b for a, b in zip(row.sums, delta, strict=True)]
    row.total_sq += sign * t * t


# --- reading them --------------------------------------------------------------------------

def counts(instrument_key: str, period: str, items: Sequence[str]):
    """``(item, office_id, value, n)`` rows; value 0 is no answer."""
    return db.session.execute(
        select(AnswerCount.item_key, AnswerCount.office_id, AnswerCount.value,
               func.sum(AnswerCount.n))
        .where(AnswerCount.instrument_key == instrument_key, AnswerCount.period == period,
               AnswerCount.by_item == "", AnswerCount.item_key.in_(list(items)))
        .group_by(AnswerCount.item_key, AnswerCount.office_id, AnswerCount.value))


def scale_sums(instrument_key: str, period: str, scale: Sequence[str],
               office_ids: Sequence[int] | None):
    """``(n, sums...)`` added over offices, or None when this scale was not rolled up."""
    query = select(ScaleSum).where(ScaleSum.instrument_key == instrument_key,
                                   ScaleSum.period == period, ScaleSum.scale == ",".join(scale))
    if office_ids is not None:
        query = query.where(ScaleSum.office_id.in_(list(office_ids)))
    rows = list(db.session.scalars(query))
    if not rows and not db.session.scalar(select(func.count()).select_from(ScaleSum).where(
            ScaleSum.instrument_key == instrument_key, ScaleSum.period == period,
            ScaleSum.scale == ",".join(scale))):
        return None
    k = len(scale)
    n = sum(r.n for r in rows)
    sums = [sum(r.sums[j] for r in rows) for j in range(3 * k)]
    return n, sums, sum(r.total_sq for r in rows)


def text_counts(instrument_key: str, period: str, items: Sequence[str]):
    """``(office_id, n)``: free-text answers with something in them, per office."""
    return db.session.execute(
        select(AnswerCount.office_id, func.sum(AnswerCount.n))
        .where(AnswerCount.instrument_key == instrument_key, AnswerCount.period == period,
               AnswerCount.by_item == "", AnswerCount.item_key.in_(list(items)),
               AnswerCount.value == TEXT_GIVEN)
        .group_by(AnswerCount.office_id))


def cells(instrument_key: str, period: str, item: str, by_item: str = ""):
    """``(office_id, channel, by_value, value, n)`` rows of one item (crossed with ``by_item``)."""
    return db.session.execute(
        select(AnswerCount.office_id, AnswerCount.channel, AnswerCount.by_value,
               AnswerCount.value, AnswerCount.n)
        .where(AnswerCount.instrument_key == instrument_key, AnswerCount.period == period,
               AnswerCount.by_item == by_item, AnswerCount.item_key == item))
