"""Domain events: what happened, told to whoever listens, once the change is committed.

A service announces an event in the transaction that made the change
(``record_approved.publish(record_id=7)``).  Its handlers run only after that transaction has
committed, each followed by a commit of its own, so a change that is rolled back tells nobody,
and a handler that fails cannot undo the change that was announced (it is logged; a test run
raises it).  An event a handler publishes runs after the handler's own commit, in turn.

This is how a layer causes effects in the layers above it without importing them: the review
announces an approval, and the cycle above opens an improvement case and notifies people
(kpi's ``transaction.on_commit``, indico's signals).  Handlers are connected when their module
is imported, once per process; each layer's ``register`` imports its handlers.

Payloads carry ids, not ORM objects: a handler reads what it needs in its own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession

from webapp.platform.hooks import Hook

log = logging.getLogger(__name__)
Handler = Callable[..., None]


class Event(Hook):
    """One kind of thing that happens, with the handlers that follow it (after the commit,
    where a hook's functions answer at once)."""

    connect = Hook.__call__   # a decorator; connecting twice changes nothing

    def publish(self, **payload: Any) -> None:
        """Announce the event in the current transaction; handlers run after its commit."""
        # the app's Flask-SQLAlchemy (extensions.db, which imports this module for its session)
        session = current_app.extensions["sqlalchemy"].session()
        session.info.setdefault(_PENDING, []).append((self, payload))



_PENDING = "events_pending"
_RUNNING = "events_running"


class EventSession(FlaskSession):
    """The app's session: after a commit it runs the handlers of the events published in the
    transaction just committed; a rollback forgets them."""

    def commit(self) -> None:
        super().commit()
        if self.info.get(_RUNNING):
            return  # a handler's own commit: the loop below picks up what it published
        self.info[_RUNNING] = True
        try:
            while self.info.get(_PENDING):
                event, payload = self.info[_PENDING].pop(0)
                for handler in event.functions:
                    self._run(event, handler, payload)
        finally:
            self.info[_RUNNING] = False

    def _run(self, event: Event, handler: Handler, payload: dict) -> None:
        pending = len(self.info.get(_PENDING, []))
        try:
            handler(**payload)
            super().commit()
        except Exception:
            super().rollback()
            del self.info.setdefault(_PENDING, [])[pending:]  # what the failed handler said
            log.exception("handler %s of %s failed", handler.__qualname__, event.name)
            if has_app_context() and current_app.config.get("EVENTS_RAISE"):
                raise

    def rollback(self) -> None:
        self.info.pop(_PENDING, None)
        super().rollback()

    def close(self) -> None:
        self.info.pop(_PENDING, None)
        super().close()
