"""Probes for the reverse proxy, the load balancer and whoever watches the servers.

``GET /healthz`` (liveness) answers ``ok`` as long as the worker can run Python.  It
deliberately does not touch the database, so a database outage shows as 503 pages on real
routes (with the citizen's answers kept) rather than as every app server being restarted at once.

``GET /readyz`` (readiness) answers 200 only when everything this server needs answers: the
database, Redis when the rate limits are kept there, and the file storage (each layer that keeps
something adds its check to ``readiness``).  Its JSON body names each with ``ok`` or the kind of
failure, never an address or a password, so a load balancer can stop sending citizens to a
server that cannot store their answers.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from webapp.platform.extensions import db
from webapp.platform.hooks import Hook

bp = Blueprint("health", __name__)

#: each function answers ``(name, None)`` when what it checks works, else ``(name, problem)``
readiness = Hook("readiness", "() -> (name, None or a short problem without secrets)")


@bp.get("/healthz")
def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")


def _failed(error: Exception) -> str:
    return f"unavailable ({type(error).__name__})"


def database() -> tuple[str, str | None]:
    try:
        db.session.execute(text("SELECT 1"))
        return "database", None
    except Exception as error:    # any driver's failure is "not ready", never a 500
        db.session.rollback()
        return "database", _failed(error)


def redis() -> tuple[str, str | None]:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if not uri.startswith(("redis://", "rediss://")):
        return "redis", "not configured"
    import redis as client
    try:
        client.Redis.from_url(uri, socket_timeout=2, socket_connect_timeout=2).ping()
        return "redis", None
    except Exception as error:
        return "redis", _failed(error)


@bp.get("/readyz")
def readyz() -> Response:
    checks = dict([database(), redis(), *readiness.results()])
    ready = all(problem in (None, "not configured") for problem in checks.values())
    body = jsonify(ready=ready, checks={name: problem or "ok" for name, problem in checks.items()})
    body.status_code = 200 if ready else 503
    body.headers["Cache-Control"] = "no-store"
    return body
