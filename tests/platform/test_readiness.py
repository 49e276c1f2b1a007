"""``/readyz``: 200 only when the database, Redis (when used) and the file storage answer.

A load balancer takes a server out of the pool on a 503 from here, so it must say 503 for each
real failure (a database that cannot be reached, Redis down, a photo folder that takes no file),
name which, and never print an address or a password.  ``/healthz`` stays up through all of it.
"""

from __future__ import annotations

import socket

import pytest
from support.services import redis_answers
from support.web import make_config

from webapp import create_app


def ready(app):
    response = app.test_client().get("/readyz")
    if app.config.get("PHOTO_DIR"):      # an app of the test's own: let its connections go
        with app.app_context():
            from webapp.platform.extensions import db
            db.engine.dispose()
    return response.status_code, response.get_json(), response


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_ready_when_everything_answers(app):
    status, body, response = ready(app)
    assert status == 200 and body == {"ready": True, "checks": {
        "database": "ok", "redis": "not configured", "storage": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.skipif(not redis_answers(), reason="no Redis answers on 127.0.0.1:6379")
def test_redis_is_checked_when_the_limits_live_there(database_uri, tmp_path):
    app = create_app(make_config(database_uri, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
                                 PHOTO_DIR=str(tmp_path)))
    assert ready(app)[:2] == (200, {"ready": True, "checks": {
        "database": "ok", "redis": "ok", "storage": "ok"}})


def test_redis_down_is_not_ready_and_names_no_address(database_uri, tmp_path):
    port = closed_port()
    app = create_app(make_config(database_uri, RATELIMIT_STORAGE_URI=f"redis://:secret@127.0.0.1:{port}/0",
                                 PHOTO_DIR=str(tmp_path)))
    status, body, response = ready(app)
    assert status == 503 and body["ready"] is False
    assert body["checks"]["redis"].startswith("unavailable (") and body["checks"]["database"] == "ok"
    text = response.get_data(as_text=True)
    assert str(port) not in text and "secret" not in text
    assert app.test_client().get("/healthz").status_code == 200


def test_a_photo_folder_that_takes_no_file_is_not_ready(database_uri, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    app = create_app(make_config(database_uri, PHOTO_DIR=str(blocked)))
    status, body, _response = ready(app)
    assert status == 503 and body["checks"]["storage"].startswith("unavailable (")


def test_a_database_that_cannot_be_reached_is_not_ready(tmp_path):
    port = closed_port()
    app = create_app(make_config(f"postgresql://service:hunter2@127.0.0.1:{port}/quality",
                                 PHOTO_DIR=str(tmp_path)))
    status, body, response = ready(app)
    assert status == 503 and body["checks"]["database"] == "unavailable (OperationalError)"
    assert "hunter2" not in response.get_data(as_text=True)
    assert str(port) not in response.get_data(as_text=True)
    assert app.test_client().get("/healthz").status_code == 200
