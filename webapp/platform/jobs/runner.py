"""Run the jobs that are due, each under a claim only one runner holds.

The claim is a conditional ``UPDATE`` of the job's row (taken only when free or expired), which
SQLite and PostgreSQL both make atomic: of two runners that start together, one updates the
row and the other updates nothing.  The holder then checks that the job is due, records the run,
does the work, commits and lets go; a runner that starts a moment later finds the job not due.
A runner that dies mid-job keeps its claim only until the lease ends.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.platform.jobs import Job, registered
from webapp.platform.jobs.models import JobClaim, JobRun

log = logging.getLogger(__name__)
#: longer than any job takes; a claim older than this belongs to a runner that died
LEASE = timedelta(minutes=30)


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str          # done, failed, not_due, busy
    result: str = ""


def holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def last_success(name: str) -> datetime | None:
    return db.session.scalar(select(func.max(JobRun.started_at)).where(
        JobRun.name == name, JobRun.status == "done"))


def is_due(job: Job, now: datetime) -> bool:
    last = last_success(job.name)
    return last is None or last <= now - job.every


def claim(name: str, me: str, now: datetime) -> bool:
    if db.session.get(JobClaim, name) is None:
        try:
            db.session.add(JobClaim(name=name))
            db.session.commit()
        except IntegrityError:    # another runner made the row first
            db.session.rollback()
    taken = db.session.execute(
        update(JobClaim).where(JobClaim.name == name,
                               or_(JobClaim.holder.is_(None), JobClaim.until < now))
        .values(holder=me, until=now + LEASE))
    db.session.commit()
    return taken.rowcount == 1


def release(name: str, me: str) -> None:
    db.session.execute(update(JobClaim).where(JobClaim.name == name, JobClaim.holder == me)
                       .values(holder=None, until=None))
    db.session.commit()


def describe(did: object) -> str:
    if isinstance(did, dict):
        return ", ".join(f"{key} {value}" for key, value in did.items())
    return str(len(did)) if isinstance(did, list | tuple | set) else str(did)


def run_one(job: Job, *, force: bool = False) -> Outcome:
    me, now = holder(), utcnow()
    if not claim(job.name, me, now):
        return Outcome(job.name, "busy")
    try:
        if not force and not is_due(job, now):
            return Outcome(job.name, "not_due")
        run = JobRun(name=job.name, holder=me, started_at=now)
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        try:
            did = job.work()
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            log.exception("job %s failed", job.name)
            outcome = Outcome(job.name, "failed", type(error).__name__)
        else:
            outcome = Outcome(job.name, "done", describe(did))
        run = db.session.get(JobRun, run_id)
        run.status, run.result, run.finished_at = outcome.status, outcome.result, utcnow()
        db.session.commit()
        return outcome
    finally:
        release(job.name, me)


def run_due(names: list[str] | None = None, *, force: bool = False) -> list[Outcome]:
    """Every job (or those ``names``) that is due, in the order they were added."""
    jobs = registered()
    unknown = [n for n in names or () if n not in jobs]
    if unknown:
        raise KeyError(", ".join(unknown))
    return [run_one(job, force=force) for name, job in jobs.items() if not names or name in names]
