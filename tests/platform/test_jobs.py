"""Scheduled jobs run once, however many servers start them at the same moment.

What an operator relies on: ``flask jobs run`` from a timer on every app server runs each due
job exactly once (every overdue notification once), a failing job is recorded and does not
stop the others, a runner that died lets go when its lease ends, and ``flask jobs list`` says
what ran.  Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support import factories
from support.together import at_once

from webapp.cycle.notifications.models import Notification
from webapp.cycle.plans import services as plans
from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.platform.jobs import Job, registered, runner
from webapp.platform.jobs.models import JobClaim, JobRun

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def overdue(app, monkeypatch):
    """Three checks of 2025Q3, planned and published then, long overdue now."""
    monkeypatch.setattr(plans, "today", lambda: date(2025, 7, 1))
    for n in range(1, 4):
        factories.office(f"TPH-{n:02d}", f"臺北市第{n}戶政事務所")
    factories.user("inspector")
    coordinator = factories.user("coordinator")
    plan = plans.create("phone", "2025Q3", 1, coordinator)
    plans.publish(plan, coordinator)
    db.session.commit()
    monkeypatch.setattr(plans, "today", lambda: date(2025, 10, 15))
    return coordinator


def overdue_notices() -> dict[tuple[int, int], int]:
    """(assignment, person) -> how many notifications; each should be 1."""
    counts: dict[tuple[int, int], int] = {}
    for n in db.session.scalars(select(Notification).where(Notification.kind == "task_overdue")):
        key = (n.params["assignment"], n.user_id)
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_every_layer_adds_its_jobs(app):
    assert {"plans-overdue", "cases-overdue", "rollups"} <= set(registered())
    assert all(job.description and job.every > timedelta(0) for job in registered().values())


def test_run_runs_what_is_due_then_nothing_until_its_interval_has_passed(app, overdue):
    cli = app.test_cli_runner()
    first = cli.invoke(args=["jobs", "run"])
    assert first.exit_code == 0, first.output
    assert "plans-overdue: done (3)" in first.output and "cases-overdue: done (0)" in first.output
    notices = overdue_notices()
    assert len(notices) == 6 and set(notices.values()) == {1}   # inspector and coordinator
    again = cli.invoke(args=["jobs", "run"])
    assert "plans-overdue: not due" in again.output and overdue_notices() == notices
    forced = cli.invoke(args=["jobs", "run", "--job", "plans-overdue", "--force"])
    assert forced.output.strip() == "plans-overdue: done (0)"   # already told: nothing new
    listing = cli.invoke(args=["jobs", "list"]).output
    assert "plans-overdue  every 1 day, 0:00:00" in listing and "done (0)" in listing
    assert "Tell inspectors and coordinators" in listing
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(
        JobRun.name == "plans-overdue", JobRun.status == "done")) == 2
    assert db.session.get(JobClaim, "plans-overdue").holder is None     # let go


def test_an_unknown_job_is_named_with_the_known_ones(app):
    result = app.test_cli_runner().invoke(args=["jobs", "run", "--job", "nonsense"])
    assert result.exit_code == 1 and "Unknown job: nonsense" in result.output
    assert "plans-overdue" in result.output


def test_a_failing_job_is_recorded_and_the_others_still_run(app, overdue, monkeypatch):
    def broken():
        db.session.add(Notification(user_id=overdue.id, kind="x", params={}, link="/"))
        raise RuntimeError("mail server said no")
    jobs = app.extensions["jobs"]
    monkeypatch.setitem(jobs, "cases-overdue", Job("cases-overdue", timedelta(days=1), broken, "x"))
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 1
    assert "cases-overdue: FAILED (RuntimeError)" in result.output
    assert "plans-overdue: done (3)" in result.output and "rollups: done" in result.output
    failed = db.session.scalars(select(JobRun).where(JobRun.name == "cases-overdue")).one()
    assert failed.status == "failed" and failed.result == "RuntimeError" and failed.finished_at
    assert "mail server" not in failed.result
    assert not db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "x"))                                   # its work rolled back
    assert db.session.get(JobClaim, "cases-overdue").holder is None


def test_a_held_claim_is_respected_until_its_lease_ends(app, overdue):
    db.session.add(JobClaim(name="plans-overdue", holder="other-server:42",
                            until=utcnow() + timedelta(minutes=5)))
    db.session.commit()
    assert runner.run_one(registered()["plans-overdue"]).status == "busy"
    assert overdue_notices() == {}
    listing = app.test_cli_runner().invoke(args=["jobs", "list"]).output
    assert "running on other-server:42" in listing
    db.session.get(JobClaim, "plans-overdue").until = utcnow() - timedelta(seconds=1)
    db.session.commit()                                             # that runner died
    assert runner.run_one(registered()["plans-overdue"]).status == "done"
    assert len(overdue_notices()) == 6


def test_two_runners_started_together_notify_each_overdue_check_once(app, overdue, monkeypatch):
    """Without the claim both would read "nobody told yet" and both would tell."""
    job = registered()["plans-overdue"]

    def slow():
        found = plans.notify_overdue()
        time.sleep(0.5)             # still working when the other runner arrives
        return found
    monkeypatch.setitem(app.extensions["jobs"], job.name, Job(job.name, job.every, slow, "x"))
    outcomes = at_once(app, lambda: runner.run_one(registered()[job.name]))
    assert sorted(o.status for o in outcomes) in (["busy", "done"], ["done", "not_due"])
    db.session.expire_all()
    notices = overdue_notices()
    assert len(notices) == 6 and set(notices.values()) == {1}
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1


@pytest.mark.processes
def test_two_servers_running_flask_jobs_run_at_once_notify_once(app, database_uri, overdue):
    """The real thing: two ``flask jobs run`` processes on one database, started together."""
    env = {**os.environ, "DATABASE_URL": database_uri, "FLASK_SECRET_KEY": "jobs-test",
           "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "flask", "--app", "webapp", "jobs", "run"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    said = [out for out, _err in outputs]
    assert sum("plans-overdue: done" in out for out in said) == 1, said
    db.session.expire_all()
    notices = overdue_notices()
    assert len(notices) == 6 and set(notices.values()) == {1}
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(
        JobRun.name == "plans-overdue")) == 1
