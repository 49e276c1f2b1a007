"""Writing submissions: exactly once per idempotency key, all answers or none; and offices.

Tablets on spotty Wi-Fi resend.  Each form carries a key generated when the form was first
shown; a resent submission finds its key already stored and gets the stored record back.  The
unique constraint, not a prior SELECT, is what guarantees one row under concurrency.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from analysis.periods import Period
from forms.instrument import Instrument
from forms.scoring import score
from forms.types import Stored
from webapp.capture.submissions import Answer, Submission
from webapp.platform.db import TAIPEI, utcnow
from webapp.platform.extensions import db
from webapp.platform.hooks import Hook
from webapp.programme.accounts import User
from webapp.programme.instruments import InstrumentVersion
from webapp.programme.offices import Kiosk, Office

#: Citizens' channels: anonymous, so their times are kept no finer than the data-quality
#: screens need (their shortest window is one minute, ``reports/quality.py``).
CITIZEN_CHANNELS = ("kiosk", "personal", "paper")


def to_the_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def stamp_period(submission: Submission) -> None:
    """Half-year and quarter as the office's calendar sees the moment (Taipei time)."""
    local = submission.occurred_at.astimezone(TAIPEI)
    submission.half = str(Period.half_of(local))
    submission.quarter = str(Period.quarter_of(local))


def _insert_answers(submission: Submission, answers: Mapping[str, Stored | None]) -> list[dict]:
    """One multi-row INSERT for the flushed submission's answers.

    Core, not ORM objects: a citizen's submission is the hot path (benchmarks/submit.py), and
    the unit of work for a dozen answer objects cost more than everything else in the request.
    """
    rows = [
        {"submission_id": submission.id, "office_id": submission.office_id,
         "instrument_key": submission.instrument_key, "half": submission.half,
         "quarter": submission.quarter, "channel": submission.channel,
         "item_key": key, "value": stored.value, "text": stored.text}
        for key, stored in answers.items() if stored is not None
    ]
    if rows:
        db.session.execute(insert(Answer.__table__), rows)
    db.session.expire(submission, ["answers"])  # loaded from the rows when next read
    return rows


#: answer rows were written to a stored submission (``sign`` +1) or taken from it (-1), in the
#: writer's transaction: the count tables kept for ended periods (``reporting.rollups``) follow
#: at once, so a report never sees answers its counts miss.  Functions take
#: ``(submission, instrument, rows, sign)``; rows are as written to ``answers``.
answers_written = Hook("answers_written", "(submission, instrument, rows, sign) -> None")


def _roll(submission: Submission, instrument: Instrument, rows: list[dict], sign: int) -> None:
    if rows:
        answers_written.results(submission, instrument, rows, sign)


def apply_score(submission: Submission, instrument: Instrument,
                answers: Mapping[str, Stored | None]) -> None:
    if not instrument.scored or submission.status == "draft":
        return
    result = score(instrument, answers)
    submission.score = result.score
    submission.grade = result.grade
    submission.section_scores = {s.key: s.percent for s in result.sections if s.possible}


class _SQLiteWriter:
    """One writer at a time across this host's threads and worker processes, on SQLite.

    SQLite has one write lock per file; a connection that misses it sleeps in SQLite's busy
    handler in growing steps (up to 100 ms), which made the p99 of a citizen's submission under
    load ten times its median.  Waiting here instead -- a thread lock, then ``flock`` on a file
    beside the database, which the kernel drops if the process dies -- wakes the next writer as
    soon as the last one commits.  Bounded: after ``patience`` seconds it goes ahead and leaves
    the waiting to SQLite (and so to the 503 page if the database stays locked).
    """

    patience = 5.0

    def __init__(self) -> None:
        self._threads = threading.Lock()
        self._files: dict[tuple[int, str], int | None] = {}

    def _fd(self, path: str) -> int | None:
        key = (os.getpid(), path)  # a descriptor per process: never one inherited over fork
        if key not in self._files:
            try:
                self._files[key] = os.open(path + ".writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # e.g. created by another user: queue within this process only
                self._files[key] = None
        return self._files[key]

    @contextlib.contextmanager
    def __call__(self, path: str | None):
        if not self._threads.acquire(timeout=self.patience):
            yield
            return
        locked = None
        try:
            fd = self._fd(path) if path else None
            if fd is not None:
                deadline = time.monotonic() + self.patience
                while locked is None:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        locked = fd
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            break
                        time.sleep(0.0005)
            yield
        finally:
            if locked is not None:
                fcntl.flock(locked, fcntl.LOCK_UN)
            self._threads.release()


_sqlite_writer = _SQLiteWriter()


def writing():
    """Hold while writing a submission (see ``_SQLiteWriter``); PostgreSQL locks rows itself."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return contextlib.nullcontext()
    path = url.database if url.database and url.database != ":memory:" else None
    return _sqlite_writer(path)


def by_key(idempotency_key: str) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.idempotency_key == idempotency_key))


class KeyTaken(Exception):
    """The idempotency key belongs to another submission: not a resend of this one.  Nothing
    was stored; ``existing`` is what holds the key."""

    def __init__(self, existing: Submission) -> None:
        super().__init__(existing.id)
        self.existing = existing


def store(
    *, version: InstrumentVersion, instrument: Instrument, office: Office, channel: str,
    status: str, occurred_at: datetime, answers: Mapping[str, Stored | None],
    idempotency_key: str, inspector: User | None = None, kiosk: Kiosk | None = None,
    commit: bool = True, lookup: bool = True, clock_skew: int | None = None,
    then: Callable[[Submission], None] | None = None,
) -> tuple[Submission, bool]:
    """Store a submission with its answers; return ``(submission, created)``.

    ``commit=True`` (the default) stores it exactly once per key, in a transaction of its own
    with whatever ``then(submission)`` adds (a QR code redeemed), and commits.  A resend -- the
    key is stored with this very submission (``matches``) -- gives back the stored one,
    ``created`` False; any other use of the key raises ``KeyTaken``; an exception from ``then``
    rolls everything back.  This is the one recovery every writer shares.

    ``commit=False`` adds it in the caller's transaction (a batch that must land whole), and a
    key already stored gives that submission back (``lookup=False`` skips the check for keys the
    caller knows are new: bulk loads).  ``clock_skew`` (seconds, server minus device) marks a
    submission an offline tablet kept and sent later: it is stored as delayed.
    """
    fields = dict(version=version, instrument=instrument, office=office, channel=channel,
                  status=status, occurred_at=occurred_at, answers=answers,
                  idempotency_key=idempotency_key, inspector=inspector, kiosk=kiosk,
                  clock_skew=clock_skew)
    if not commit:
        existing = by_key(idempotency_key) if lookup else None
        return (existing, False) if existing is not None else (_add(**fields), True)
    try:
        with writing():
            # No look-up first: a resend hits the unique key and lands in the except below.
            submission = _add(**fields)
            if then is not None:
                then(submission)
            db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = by_key(idempotency_key)
        if existing is None:
            raise
        if not matches(existing, office=office, channel=channel, kiosk=kiosk,
                       inspector=inspector, instrument_key=instrument.key, answers=answers):
            raise KeyTaken(existing) from None
        return existing, False
    except BaseException:
        db.session.rollback()
        raise
    return submission, True


def _add(*, version: InstrumentVersion, instrument: Instrument, office: Office, channel: str,
         status: str, occurred_at: datetime, answers: Mapping[str, Stored | None],
         idempotency_key: str, inspector: User | None, kiosk: Kiosk | None,
         clock_skew: int | None) -> Submission:
    """The submission and its answers, added and flushed in the current transaction."""
    now = utcnow()
    if channel in CITIZEN_CHANNELS:  # a second-exact time next to a log line could name someone
        now, occurred_at = to_the_minute(now), to_the_minute(occurred_at)
    elif channel == "web":   # a staff answer: its day only, whenever its round was closed
        now = occurred_at
    submission = Submission(
        idempotency_key=idempotency_key, office_id=office.id, instrument_key=instrument.key,
        instrument_version_id=version.id, channel=channel, status=status,
        occurred_at=occurred_at, submitted_at=None if status == "draft" else now,
        created_at=now, updated_at=now,
        inspector_id=inspector.id if inspector else None, kiosk_id=kiosk.id if kiosk else None,
        delayed=clock_skew is not None, clock_skew=clock_skew,
    )
    stamp_period(submission)
    apply_score(submission, instrument, answers)
    db.session.add(submission)
    db.session.flush()
    _roll(submission, instrument, _insert_answers(submission, answers), +1)
    return submission


def claim_revision(submission: Submission, seen: int, statuses: tuple[str, ...],
                   **values: object) -> bool:
    """Move ``submission`` past revision ``seen`` if it is still there and in ``statuses``,
    setting ``values``; False when another save or decision got there first.

    One conditional UPDATE, so of two concurrent writers exactly one wins, on either engine.
    """
    result = db.session.execute(
        update(Submission).where(Submission.id == submission.id, Submission.revision == seen,
                                 Submission.status.in_(statuses))
        .values(revision=Submission.revision + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.expire(submission)
    return True


def replace_answers(submission: Submission, instrument: Instrument, *, office: Office,
                    occurred_at: datetime, answers: Mapping[str, Stored | None],
                    status: str, commit: bool = True) -> None:
    """Rewrite a draft or returned record in one transaction (an inspector's edit)."""
    old = [{"item_key": a.item_key, "value": a.value} for a in submission.answers]
    _roll(submission, instrument, old, -1)
    db.session.execute(delete(Answer).where(Answer.submission_id == submission.id))
    db.session.expire(submission, ["answers"])
    submission.office_id = office.id
    submission.occurred_at = occurred_at
    submission.status = status
    if status != "draft":
        submission.submitted_at = utcnow()
    stamp_period(submission)
    submission.score = submission.grade = submission.section_scores = None
    apply_score(submission, instrument, answers)
    db.session.flush()
    _roll(submission, instrument, _insert_answers(submission, answers), +1)
    if commit:
        db.session.commit()


def matches(existing: Submission, *, office: Office, channel: str, instrument_key: str,
            answers: Mapping[str, Stored | None], kiosk: Kiosk | None = None,
            inspector: User | None = None) -> bool:
    """Whether ``existing`` is this very submission sent again: same channel, instrument,
    office, kiosk or author, and the same answers.  Anything else under its key is refused."""
    if (existing.channel, existing.instrument_key, existing.office_id) != (
            channel, instrument_key, office.id):
        return False
    if existing.kiosk_id != (kiosk.id if kiosk else None):
        return False
    if existing.inspector_id != (inspector.id if inspector else None):
        return False
    given = {key: stored for key, stored in answers.items() if stored is not None}
    return stored_answers(existing) == given


def stored_answers(submission: Submission) -> dict[str, Stored]:
    return {a.item_key: Stored(a.value, a.text) for a in submission.answers}


