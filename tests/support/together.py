"""Run the same work in two threads that start at the same moment, each in its own app context
and database session: two servers (or a request and a job) racing for the same rows."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from webapp.platform.extensions import db


def at_once(app, work: Callable[[], Any], times: int = 2) -> list[Any]:
    """What ``work`` returned in each thread, in the order they finished."""
    begin = threading.Barrier(times)
    results: list[Any] = []

    def run() -> None:
        with app.app_context():
            begin.wait(timeout=60)
            try:
                results.append(work())
            finally:
                db.session.remove()
    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is still running"
    return results
