"""What the counter tablets sent, for the data-quality screens: submissions per tablet in fixed
windows (the burst screen), and the answers a tablet kept while offline and sent later.

A kept answer is dated by when the citizen gave it, as the tablet says (``occurred_at``, its
clock corrected).  That claim is all anyone posting with a kiosk's link needs to make eight
answers sent within a minute look like eight hours of an offline morning.  What the server saw
itself (``created_at``, when each answer arrived) decides whether the claim holds: a tablet's
outbox sends what it kept as soon as the tablet is online again, so a kept answer that arrives
well after the same tablet sent a live answer, itself given after the kept one, was not kept by
a tablet that was offline.  Such an answer is *implausible*, and the burst screen counts it
when it arrived, exactly as if it had been sent live.  A real offline morning (no live answer
between the citizen's answer and its arrival) is still judged by when each citizen answered.

Two things a real tablet does are not evidence: the first live answer after the network comes
back is what sets the outbox going (its thank-you page flushes), so it arrives a moment before
the kept ones; and a long backlog goes up ten a minute (the kiosk's rate limit; a 429 keeps the
rest for the next thank-you page), so live answers arrive in between.  A live answer counts
against a kept one only when it arrived more than ``KEPT_SLACK`` before it, and no kept answer
of that tablet arrived within ``KEPT_SLACK`` of it (the tablet was not busy flushing).

Everything is counted in SQL (SQLite and PostgreSQL): the implausible answers are one
``SELECT`` (window functions over each tablet's answers in arrival order), used as an ``IN``
set by the counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Integer, and_, case, func, or_, select

from analysis.periods import Period
from webapp.capture.submissions import Submission
from webapp.platform.extensions import db
from webapp.reporting.counts import in_period

#: How far apart a kept answer and a live answer of the same tablet may be and still fit a tablet
#: that was really offline.  An outbox flushes as soon as the tablet is online (on ``online``,
#: on a page load, after each thank-you page), so a tablet that sent a live answer more than
#: this after a kept answer was given, and then still had not sent the kept one this long after
#: the live one, was not offline: its "kept" answer was posted later by hand.  A few minutes
#: cover what a real tablet does: the flush follows the live answer that brought it back by a
#: minute or two, and citizens' answers are stored to the minute.
KEPT_SLACK = timedelta(minutes=5)


def _epoch(column):
    if db.engine.dialect.name == "sqlite":
        return func.cast(func.strftime("%s", column), Integer)
    return func.cast(func.extract("epoch", column), Integer)


def _around(period: str):
    """``period`` and its neighbours: a live answer that tells on a kept one arrived before
    it, at most ``KIOSK_QUEUE_MAX_HOURS`` after it was given, so in the next period at the
    latest; a kept answer that excuses a live one arrived within minutes of it."""
    here = Period.parse(period)
    column = Submission.quarter if here.kind == "Q" else Submission.half
    return column.in_([str(here.previous()), str(here), str(here.next())])


def implausible(period: str):
    """The ids of ``period``'s implausible kept answers, a ``SELECT`` to use with ``IN``.

    A kept answer K is implausible when its tablet sent a live answer L given more than
    ``KEPT_SLACK`` after K was (``L.occurred_at > K.occurred_at + slack``) that arrived more
    than ``KEPT_SLACK`` before K did (``L.created_at < K.created_at - slack``), L not sent
    while the tablet was flushing (no kept answer of it arrived within ``KEPT_SLACK`` of L).
    Rather than pairing every kept answer with every live one (no index on the tablet or the
    times, and a half-year has hundreds of thousands), one sort per tablet does it: the live
    answers and the kept ones (each placed at its arrival minus the slack) in arrival order,
    and the latest given time of the live answers so far beside each kept one."""
    slack = int(KEPT_SLACK.total_seconds())
    arrived = _epoch(Submission.created_at)
    kept_arrival = case((Submission.delayed.is_(True), arrived))
    # growing frames only (everything up to this arrival and its ties, forwards and backwards):
    # a frame that starts at the current row is recomputed row by row on PostgreSQL
    rows = (select(Submission.id, Submission.kiosk_id, Submission.delayed,
                   case((in_period(Submission, period), 1), else_=0).label("inside"),
                   _epoch(Submission.occurred_at).label("given"), arrived.label("arrived"),
                   func.max(kept_arrival).over(partition_by=Submission.kiosk_id,
                                               order_by=arrived).label("kept_before"),
                   func.min(kept_arrival).over(partition_by=Submission.kiosk_id,
                                               order_by=arrived.desc()).label("kept_after"))
            .where(Submission.channel == "kiosk", Submission.kiosk_id.isnot(None),
                   _around(period))
            .subquery())
    # one pass over them: each kept answer of the period placed at its arrival minus the slack
    # (before a live answer of that moment), beside the latest given time of the live answers
    # that arrived before it and were not sent while flushing
    kept = and_(rows.c.delayed.is_(True), rows.c.inside == 1)
    telling = and_(rows.c.delayed.is_(False),
                   or_(rows.c.kept_before.is_(None), rows.c.arrived - rows.c.kept_before > slack),
                   or_(rows.c.kept_after.is_(None), rows.c.kept_after - rows.c.arrived > slack))
    at = case((kept, rows.c.arrived - slack), else_=rows.c.arrived)
    kind = case((kept, 0), else_=1)
    latest = func.max(case((telling, rows.c.given))).over(
        partition_by=rows.c.kiosk_id, order_by=(at, kind), rows=(None, 0))
    judged = (select(rows.c.id, kind.label("kind"), rows.c.given, latest.label("latest"))
              .where(or_(kept, rows.c.delayed.is_(False))).subquery())
    return select(judged.c.id).where(judged.c.kind == 0,
                                      judged.c.latest > judged.c.given + slack)


def _bucket(column, start: datetime, seconds: int):
    return (_epoch(column) - int(start.timestamp())) / seconds


def kiosk_windows(period: str, start: datetime, end: datetime, window_minutes: int
                  ) -> dict[int, np.ndarray]:
    """Per kiosk, submissions in each fixed window from ``start`` to ``end`` (zeros included):
    each when the citizen answered, an implausibly kept one when it arrived (counted when
    answered first, then moved: the implausible ones are few, and found once)."""
    seconds = 60 * window_minutes
    width = int((end - start).total_seconds() // seconds) + 1
    tablets = (in_period(Submission, period), Submission.channel == "kiosk",
               Submission.kiosk_id.isnot(None))
    answered = _bucket(Submission.occurred_at, start, seconds).label("answered")
    arrived = _bucket(Submission.created_at, start, seconds).label("arrived")
    result: dict[int, np.ndarray] = {}

    def add(kiosk_id: int, index: int, count: int) -> None:
        if 0 <= int(index) < width:
            result.setdefault(kiosk_id, np.zeros(width, dtype=np.int64))[int(index)] += count

    for kiosk_id, index, count in db.session.execute(
            select(Submission.kiosk_id, answered, func.count()).where(*tablets)
            .group_by(Submission.kiosk_id, answered)):
        add(kiosk_id, index, count)
    for kiosk_id, claimed, came, count in db.session.execute(
            select(Submission.kiosk_id, answered, arrived, func.count())
            .where(*tablets, Submission.id.in_(implausible(period)))
            .group_by(Submission.kiosk_id, answered, arrived)):
        add(kiosk_id, claimed, -count)
        add(kiosk_id, came, count)
    return result


def kiosk_delays(period: str) -> dict[int, dict]:
    """Per kiosk, what it kept offline and sent later in ``period``: how many (``delayed``), the
    largest distance (seconds) between its clock and the server's when it sent them
    (``skew``), how many are implausible, and the most that arrived within one minute
    (``most_in_minute``; arrival times are kept to the minute)."""
    kept = (in_period(Submission, period), Submission.channel == "kiosk",
            Submission.kiosk_id.isnot(None), Submission.delayed.is_(True))
    found: dict[int, dict] = {}
    for kiosk_id, count, skew, odd in db.session.execute(
            select(Submission.kiosk_id, func.count(), func.max(func.abs(Submission.clock_skew)),
                   func.sum(case((Submission.id.in_(implausible(period)), 1), else_=0)))
            .where(*kept).group_by(Submission.kiosk_id)):
        found[kiosk_id] = {"delayed": count, "skew": int(skew or 0), "implausible": int(odd or 0),
                           "most_in_minute": 0}
    minute = _epoch(Submission.created_at) / 60
    per_minute = (select(Submission.kiosk_id.label("kiosk_id"), func.count().label("n"))
                  .where(*kept).group_by(Submission.kiosk_id, minute).subquery())
    for kiosk_id, most in db.session.execute(
            select(per_minute.c.kiosk_id, func.max(per_minute.c.n))
            .group_by(per_minute.c.kiosk_id)):
        found[kiosk_id]["most_in_minute"] = int(most)
    return found
