"""Due dates counted in working days, as offices promise them ("3 個工作天內").

Saturdays, Sundays and the days listed in ``DAYS_OFF`` (national holidays, typhoon days) are
not counted; a request made on a day off starts counting on the next working day.  Taiwan's
make-up working Saturdays (補班) are not counted either: a promise kept a day early is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app

from webapp.platform.db import TAIPEI


def days_off() -> frozenset[date]:
    return frozenset(date.fromisoformat(str(day)) for day in current_app.config.get("DAYS_OFF", []))


def add_working_days(start: date, n: int, off: Iterable[date] = ()) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself never counts)."""
    off = frozenset(off)
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day


def due_after(moment: datetime, n: int) -> datetime:
    """The end of the ``n``-th working day after ``moment``'s day in Taipei, as a UTC moment."""
    day = add_working_days(moment.astimezone(TAIPEI).date(), n, days_off())
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=TAIPEI) - timedelta(seconds=1)
    return end.astimezone(UTC)
