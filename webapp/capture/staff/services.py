"""Staff-survey rounds: opening one, handing out codes, taking an answer, closing the round.

Every change goes in the caller's transaction and is audited without a code or an answer in it.
Closing a round moves its sealed ballots into the answers tables in a random order
(``models`` says why) and announces ``staff_round_closed``, after which the cycle opens internal
improvement cases.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from sqlalchemy import delete, func, select, update

from analysis.periods import Period
from forms.types import Stored
from webapp.capture import onetime
from webapp.capture import store as storage
from webapp.capture.staff.models import RoundOffice, StaffBallot, StaffCode, StaffRound
from webapp.capture.submissions import Answer, Submission
from webapp.platform import audit
from webapp.platform.db import TAIPEI, utcnow
from webapp.platform.events import Event
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.instruments import InstrumentVersion
from webapp.programme.offices import Office

STAFF_KEY = "staff"
MAX_CODES = 500       # more staff than any office has; a second batch is always possible
LEVELS = 5

#: a round was closed and its answers moved in: ``round_id``
staff_round_closed = Event("staff_round_closed", "round_id: the closed round's id")


class RoundError(ValueError):
    """What the coordinator asked cannot be done; the message says why, in Chinese."""


class CodeUsed(Exception):
    """The code was used already (on the web or on paper)."""


class RoundClosed(Exception):
    """The code's round is closed: answers are no longer taken."""


def rounds() -> list[StaffRound]:
    return list(db.session.scalars(select(StaffRound).order_by(StaffRound.period.desc())))


def round_of(period: Period | str) -> StaffRound | None:
    return db.session.scalar(select(StaffRound).where(StaffRound.period == str(period)))


def open_round(period: Period, staff: Mapping[Office, int], by=None) -> StaffRound:
    """A round for the half-year ``period`` over the offices in ``staff`` (office -> staff)."""
    if period.kind != "H":
        raise RoundError("內部同仁滿意度調查以半年為一輪，請選擇半年期間。")
    chosen = {office: n for office, n in staff.items() if n}
    if not chosen:
        raise RoundError("請至少為一個機關填寫同仁人數。")
    if any(n < 1 or n > 2000 for n in chosen.values()):
        raise RoundError("同仁人數應為 1 到 2000。")
    if round_of(period) is not None:
        raise RoundError(f"{period.roc_label()}已經有一輪內部同仁滿意度調查。")
    opened = StaffRound(period=period, opened_by=getattr(by, "id", None),
                        offices=[RoundOffice(office_id=o.id, staff=n) for o, n in chosen.items()])
    db.session.add(opened)
    db.session.flush()
    audit.record("created", "staff_round", opened.id, {
        "period": str(period), "offices": {o.code: n for o, n in chosen.items()}})
    return opened


def issue(staff_round: StaffRound, office_id: int, count: int) -> list[str]:
    """``count`` new codes for one office of an open round; the plain codes exist only in the
    return value (the slips or the list printed from it)."""
    if not staff_round.is_open:
        raise RoundError("這一輪調查已經結束，不能再發代碼。")
    if office_id not in {o.office_id for o in staff_round.offices}:
        raise RoundError("這個機關不在這一輪調查中。")
    if not 1 <= count <= MAX_CODES:
        raise RoundError(f"一次可產生 1 到 {MAX_CODES} 個代碼。")
    plain = onetime.generate(count)
    db.session.add_all(StaffCode(round_id=staff_round.id, office_id=office_id,
                                 code_hash=onetime.digest(c)) for c in plain)
    audit.record("codes_issued", "staff_round", staff_round.id,
                 {"period": str(staff_round.period), "office_id": office_id, "count": count})
    return plain


def lookup(code: str | None) -> StaffCode | None:
    for hashed in onetime.candidates(code):
        row = db.session.scalar(select(StaffCode).where(StaffCode.code_hash == hashed))
        if row is not None:
            return row
    return None


def _use(row: StaffCode, on: str) -> None:
    """Mark ``row`` used, once: a conditional UPDATE, so two phones racing store one answer."""
    done = db.session.execute(update(StaffCode).where(StaffCode.id == row.id,
                                                      StaffCode.used.is_(False))
                              .values(used=True, used_on=on))
    if done.rowcount != 1:
        raise CodeUsed(row.id)


def cast(row: StaffCode, version: InstrumentVersion, answers: Mapping[str, Stored | None],
         today: date | None = None) -> None:
    """Take one web answer on code ``row``: the code is used and a sealed ballot added, in the
    caller's transaction.  Nothing ties the two together."""
    staff_round = db.session.get(StaffRound, row.round_id)
    if staff_round is None or not staff_round.is_open:
        raise RoundClosed(row.round_id)
    _use(row, "web")
    db.session.add(StaffBallot(
        round_id=row.round_id, office_id=row.office_id, version_id=version.id,
        day=today or datetime.now(TAIPEI).date(),
        answers={k: None if v is None else [v.value, v.text] for k, v in answers.items()}))


def paper_code_problem(code: str, office: Office, period: Period) -> str | None:
    """Why a paper form's code cannot count (in Chinese), else None; nothing is written."""
    row = lookup(code)
    staff_round = db.session.get(StaffRound, row.round_id) if row is not None else None
    if row is None or staff_round is None:
        return f"找不到代碼「{code[:20]}」"
    if row.office_id != office.id or staff_round.period != period:
        return f"代碼「{code[:20]}」不是這個機關這一期的代碼"
    if row.used:
        return f"代碼「{code[:20]}」已經用過（網路或另一張紙本），這份不重複計入"
    return None


def use_on_paper(code: str) -> None:
    """Mark a checked paper form's code used, in the import's transaction; ``CodeUsed`` if a
    phone used it since the check (the import then stores nothing)."""
    row = lookup(code)
    if row is None:
        raise CodeUsed(code)
    _use(row, "paper")


def answered_on(day: date, period: Period) -> datetime:
    """The moment a staff answer is stored as: noon of its day, kept inside the round's
    half-year (an answer sent after the period ended still belongs to its round)."""
    day = min(max(day, period.start()), period.end() - timedelta(days=1))
    return datetime.combine(day, time(12), TAIPEI)


def close(staff_round: StaffRound, by=None) -> int:
    """Close the round: its ballots become answers, shuffled; how many were moved."""
    if not staff_round.is_open:
        raise RoundError("這一輪調查已經結束。")
    ballots = list(db.session.scalars(select(StaffBallot).where(
        StaffBallot.round_id == staff_round.id)))
    random.SystemRandom().shuffle(ballots)
    offices = {o.office_id: o.office for o in staff_round.offices}
    for ballot in ballots:
        version = db.session.get(InstrumentVersion, ballot.version_id)
        answers = {k: None if v is None else Stored(*v) for k, v in ballot.answers.items()}
        storage.store(version=version, instrument=instruments.instrument_of(version),
                      office=offices[ballot.office_id], channel="web", status="submitted",
                      occurred_at=answered_on(ballot.day, staff_round.period), answers=answers,
                      idempotency_key=uuid.uuid4().hex, commit=False, lookup=False)
    db.session.execute(delete(StaffBallot).where(StaffBallot.round_id == staff_round.id))
    staff_round.closed_at = utcnow()
    audit.record("closed", "staff_round", staff_round.id,
                 {"period": str(staff_round.period), "answers": len(ballots)})
    staff_round_closed.publish(round_id=staff_round.id)
    return len(ballots)


@dataclass(frozen=True)
class Standing:
    """How one office of a round stands: staff, codes handed out and used, answers."""

    office: Office
    staff: int
    issued: int
    used: int
    answered: int

    @property
    def rate(self) -> float | None:
        return min(self.answered / self.staff, 1.0) if self.staff else None


def standing(staff_round: StaffRound) -> list[Standing]:
    """Per office of the round: its response rate and the codes behind it.  ``answered``
    counts stored answers of the half-year (paper and, once the round closed, web) and the
    ballots still sealed."""
    ids = [o.office_id for o in staff_round.offices]
    codes = {(office_id, used): n for office_id, used, n in db.session.execute(
        select(StaffCode.office_id, StaffCode.used, func.count())
        .where(StaffCode.round_id == staff_round.id)
        .group_by(StaffCode.office_id, StaffCode.used))}
    answered = respondents(staff_round.period, ids)
    sealed = dict(db.session.execute(
        select(StaffBallot.office_id, func.count()).where(StaffBallot.round_id == staff_round.id)
        .group_by(StaffBallot.office_id)).all())
    return [Standing(o.office, o.staff, codes.get((o.office_id, False), 0)
                     + codes.get((o.office_id, True), 0), codes.get((o.office_id, True), 0),
                     answered.get(o.office_id, 0) + sealed.get(o.office_id, 0))
            for o in sorted(staff_round.offices, key=lambda o: o.office.code)]


def respondents(period: Period | str, office_ids: Sequence[int]) -> dict[int, int]:
    """Stored staff answers per office in ``period``."""
    return dict(db.session.execute(
        select(Submission.office_id, func.count())
        .where(Submission.instrument_key == STAFF_KEY, Submission.half == str(period),
               Submission.status == "submitted", Submission.office_id.in_(list(office_ids)))
        .group_by(Submission.office_id)).all())


def level_counts(period: Period | str, items: Sequence[str], office_ids: Sequence[int]
                 ) -> dict[str, np.ndarray]:
    """``{item: offices x 5}``: how many staff of each office gave each level, in ``period``
    (row order of ``office_ids``).  Staff groups are small: counted straight from the answers."""
    position = {office_id: i for i, office_id in enumerate(office_ids)}
    counts = {item: np.zeros((len(office_ids), LEVELS), dtype=np.int64) for item in items}
    for item, office_id, value, n in db.session.execute(
            select(Answer.item_key, Answer.office_id, Answer.value, func.count())
            .where(Answer.instrument_key == STAFF_KEY, Answer.half == str(period),
                   Answer.item_key.in_(list(items)), Answer.office_id.in_(list(office_ids)))
            .group_by(Answer.item_key, Answer.office_id, Answer.value)):
        if value is not None and 1 <= value <= LEVELS:
            counts[item][position[office_id], value - 1] += n
    return counts


def comment_counts(period: Period | str, office_ids: Sequence[int]) -> dict[int, int]:
    """Written comments per office: counted, never shown (a handful of staff can be told
    apart by how they write)."""
    return dict(db.session.execute(
        select(Answer.office_id, func.count())
        .where(Answer.instrument_key == STAFF_KEY, Answer.half == str(period),
               Answer.text.is_not(None), Answer.text != "",
               Answer.office_id.in_(list(office_ids)))
        .group_by(Answer.office_id)).all())
