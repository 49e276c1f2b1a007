"""``flask jobs run`` (from a timer on every server, every 15 minutes) and ``flask jobs list``."""

from __future__ import annotations

import click
from sqlalchemy import select

from webapp.platform.cli import fail
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.platform.jobs import registered, runner
from webapp.platform.jobs.models import JobClaim, JobRun

jobs_cli = click.Group("jobs", help="Scheduled jobs: run the due ones once, list what they did.")
WORDS = {"done": "done", "failed": "FAILED", "not_due": "not due", "busy": "running elsewhere"}


def _when(moment) -> str:
    return moment.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M") if moment else "never"


@jobs_cli.command("run")
@click.option("--job", "names", multiple=True, help="Only this job (repeatable).")
@click.option("--force", is_flag=True, help="Run even if not due yet (still once at a time).")
def run(names: tuple[str, ...], force: bool) -> None:
    """Run every job that is due; exits 1 if one failed (the others still run)."""
    try:
        outcomes = runner.run_due(list(names), force=force)
    except KeyError as error:
        fail(f"Unknown job: {error.args[0]}. Known: {', '.join(registered())}")
    for outcome in outcomes:
        click.echo(f"{outcome.name}: {WORDS[outcome.status]}"
                   + (f" ({outcome.result})" if outcome.result else ""))
    if any(o.status == "failed" for o in outcomes):
        raise SystemExit(1)


@jobs_cli.command("list")
def list_jobs() -> None:
    """Each job, how often it runs, when it last ran and what it did (Taipei time)."""
    claims = {c.name: c for c in db.session.scalars(select(JobClaim))}
    for name, job in registered().items():
        last = db.session.scalars(select(JobRun).where(JobRun.name == name)
                                  .order_by(JobRun.started_at.desc(), JobRun.id.desc())).first()
        success = runner.last_success(name)
        due = _when(success + job.every) if success else "now"
        claim = claims.get(name)
        state = f"running on {claim.holder}" if claim and claim.holder else (
            f"{last.status} ({last.result})" if last else "never ran")
        click.echo(f"{name}  every {job.every}  last {_when(last.started_at if last else None)}"
                   f"  {state}  next {due}\n    {job.description}")


commands = [jobs_cli]
