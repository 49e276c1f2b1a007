"""Internal improvement cases from the staff survey: when a round closes, each office that
enough staff answered (``STAFF_MIN_N``) gets a case listing the items fewer of its staff agreed
with than ``STAFF_IMPROVEMENT_RATE``.  The office manager answers and a reviewer accepts, as for
a case from a check; the next report counts them.

An office with too few answers gets no case: a case would tell its manager how those few
answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from analysis.satisfaction import satisfied
from webapp.capture.staff import services as staff
from webapp.capture.staff.models import StaffRound
from webapp.cycle.cases.models import CaseItem, ImprovementCase
from webapp.cycle.cases.services import DUE_DAYS, label_of
from webapp.cycle.notifications import services as notify
from webapp.platform import audit, links
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments


def low_items(staff_round: StaffRound, min_n: int, rate: float) -> dict[int, list[str]]:
    """Per office judged (at least ``min_n`` answers), the Likert items whose share of staff
    agreeing (4 or 5) is under ``rate``; an item fewer than ``min_n`` answered is not judged."""
    _version, instrument = instruments.current(staff.STAFF_KEY)
    items = instrument.likert_keys()
    ids = [o.office_id for o in staff_round.offices]
    counts = staff.level_counts(staff_round.period, items, ids)
    answered = staff.respondents(staff_round.period, ids)
    found: dict[int, list[str]] = {}
    for row, office_id in enumerate(ids):
        if answered.get(office_id, 0) < min_n:
            continue
        low = []
        for item in items:
            table = counts[item][row]
            n = int(table.sum())
            if n >= min_n and satisfied(table) / n < rate:
                low.append(item)
        if low:
            found[office_id] = low
    return found


@staff.staff_round_closed.connect
def open_after_round(round_id: int) -> None:
    """After a round is closed: an internal case for each office with low items."""
    staff_round = db.session.get(StaffRound, round_id)
    if staff_round is None:
        return
    config = current_app.config
    _version, instrument = instruments.current(staff.STAFF_KEY)
    today = datetime.now(TAIPEI).date()
    for office_id, keys in low_items(staff_round, int(config["STAFF_MIN_N"]),
                                     float(config["STAFF_IMPROVEMENT_RATE"])).items():
        if db.session.scalar(select(ImprovementCase.id).where(
                ImprovementCase.staff_round_id == round_id,
                ImprovementCase.office_id == office_id)) is not None:
            continue
        case = ImprovementCase(staff_round_id=round_id, office_id=office_id,
                               period=staff_round.period, due_on=today + timedelta(days=DUE_DAYS),
                               items=[CaseItem(item_key=k, label=label_of(instrument.question(k)),
                                               state="open") for k in keys])
        db.session.add(case)
        db.session.flush()
        audit.record("created", "case", case.id, {"office": case.office.code,
                                                   "staff_round": round_id, "items": len(keys)})
        notify.notify(notify.office_managers(office_id), "case_opened", {
            **notify.office_named(case.office), "case": case.id, "items": len(keys),
            "due": case.due_on.isoformat()}, links.path_for("cases.show", case_id=case.id))
