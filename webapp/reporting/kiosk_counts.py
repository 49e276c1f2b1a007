"""What the counter tablets sent, for the data-quality screens: submissions per tablet in fixed
windows (the burst screen), and the answers a tablet kept while offline and sent later.

A kept answer is dated by when the citizen gave it, as the tablet says (``occurred_at``, its
clock corrected).  That claim is all anyone posting with a kiosk's link needs to make eight
answers sent within a minute look like eight hours of an offline morning.  What the server saw
itself decides whether the claim holds: a tablet's outbox sends what it kept as soon as the
tablet is online again, so a kept answer that arrives after the same tablet had already sent
live answers well after it was given was not kept by a tablet that was offline.  Such an
answer is *implausible*, and the burst screen counts it when it arrived, exactly as if it had
been sent live.  A real offline morning (no live answer in between) is still judged by when
each citizen answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Integer, and_, case, exists, func, select
from sqlalchemy.orm import aliased

from webapp.capture.submissions import Submission
from webapp.platform.extensions import db
from webapp.reporting.counts import in_period

#: how long after a citizen answered a tablet may still send a live answer before sending the
#: kept one: the outbox flushes when the page notices it is online, on the next page load at
#: the latest, which at a counter is a minute or two
KEPT_SLACK = timedelta(minutes=5)


def _epoch(column):
    if db.engine.dialect.name == "sqlite":
        return func.cast(func.strftime("%s", column), Integer)
    return func.cast(func.extract("epoch", column), Integer)


def implausibly_kept():
    """The condition on ``Submission``: kept (delayed), and its tablet stored a live answer
    given more than ``KEPT_SLACK`` after it and received before it arrived."""
    live = aliased(Submission)
    return and_(Submission.delayed.is_(True), exists(
        select(live.id).where(
            live.kiosk_id == Submission.kiosk_id, live.delayed.is_(False),
            _epoch(live.occurred_at) > _epoch(Submission.occurred_at)
            + int(KEPT_SLACK.total_seconds()),
            live.created_at < Submission.created_at)))


def kiosk_windows(period: str, start: datetime, end: datetime, window_minutes: int
                  ) -> dict[int, np.ndarray]:
    """Per kiosk, submissions in each fixed window from ``start`` to ``end`` (zeros included):
    each when the citizen answered, an implausibly kept one when it arrived."""
    seconds = 60 * window_minutes
    moment = case((implausibly_kept(), _epoch(Submission.created_at)),
                  else_=_epoch(Submission.occurred_at))
    origin = int(start.timestamp())
    bucket = ((moment - origin) / seconds).label("bucket")
    width = int((end - start).total_seconds() // seconds) + 1
    result: dict[int, np.ndarray] = {}
    rows = db.session.execute(
        select(Submission.kiosk_id, bucket, func.count())
        .where(in_period(Submission, period), Submission.channel == "kiosk",
               Submission.kiosk_id.isnot(None))
        .group_by(Submission.kiosk_id, bucket)
    )
    for kiosk_id, index, count in rows:
        if 0 <= int(index) < width:
            result.setdefault(kiosk_id, np.zeros(width, dtype=np.int64))[int(index)] += count
    return result


def kiosk_delays(period: str) -> dict[int, dict]:
    """Per kiosk, what it kept offline and sent later in ``period``: how many (``delayed``), the
    largest distance (seconds) between its clock and the server's when it sent them
    (``skew``), how many are implausible, and the most that arrived within one minute
    (``most_in_minute``; arrival times are kept to the minute)."""
    kept = (in_period(Submission, period), Submission.channel == "kiosk",
            Submission.delayed.is_(True), Submission.kiosk_id.isnot(None))
    found: dict[int, dict] = {}
    for kiosk_id, count, skew, odd in db.session.execute(
            select(Submission.kiosk_id, func.count(), func.max(func.abs(Submission.clock_skew)),
                   func.sum(case((implausibly_kept(), 1), else_=0)))
            .where(*kept).group_by(Submission.kiosk_id)):
        found[kiosk_id] = {"delayed": count, "skew": int(skew or 0), "implausible": int(odd or 0),
                           "most_in_minute": 0}
    per_minute = (select(Submission.kiosk_id.label("kiosk_id"), func.count().label("n"))
                  .where(*kept).group_by(Submission.kiosk_id, Submission.created_at).subquery())
    for kiosk_id, most in db.session.execute(
            select(per_minute.c.kiosk_id, func.max(per_minute.c.n)).group_by(per_minute.c.kiosk_id)):
        found[kiosk_id]["most_in_minute"] = int(most)
    return found
