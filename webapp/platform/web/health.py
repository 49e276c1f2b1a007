"""A liveness probe for the reverse proxy and load balancer: no database, no session, no template.

``GET /healthz`` answers ``ok`` as long as the worker can run Python.  It deliberately does not
touch the database, so a database outage shows as 503 pages on real routes (with the citizen's
answers kept) rather than as every app server being taken out of the pool at once.
"""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")
