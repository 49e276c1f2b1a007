"""Scheduled jobs that run once, however many app servers start them.

Each layer adds its jobs at start-up (``add(app, Job(...))``): overdue checks and cases from the
cycle, the period rollups from reporting.  A timer on every server runs ``flask jobs run`` every
few minutes; each job runs when its interval has passed since its last success, under a claim
in the database that only one runner can hold (``runner``), so a notification is never sent
twice because two servers woke at the same moment.  ``flask jobs list`` says what each did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    #: does the work in the session and returns what it did (a count, or a list of things);
    #: the runner commits
    work: Callable[[], object]
    description: str


def add(app: Flask, job: Job) -> None:
    registry = app.extensions.setdefault("jobs", {})
    if job.name in registry:
        raise ValueError(f"job {job.name!r} is registered twice")
    registry[job.name] = job


def registered() -> dict[str, Job]:
    return dict(current_app.extensions.get("jobs", {}))
