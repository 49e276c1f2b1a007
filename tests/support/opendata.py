"""Open data as the tests drive it: answers stored for a period, an analyst publishing through
the web, anyone downloading a file."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from forms.types import Stored
from support import factories
from support.web import hidden_fields, login
from webapp.capture import store as storage
from webapp.platform.extensions import db
from webapp.programme import instruments

PERIOD = "2025H2"
MIN_N = 30


def survey(office, overall: int, count: int, day=datetime(2025, 9, 2, 3, tzinfo=UTC)):
    version, instrument = instruments.current("satisfaction")
    for _ in range(count):
        storage.store(version=version, instrument=instrument, office=office, channel="paper",
                      status="submitted", occurred_at=day, idempotency_key=uuid.uuid4().hex,
                      answers={"overall": Stored(overall), "attitude": Stored(4)}, commit=False)
    db.session.commit()


def signed_in(app, role):
    client = app.test_client()
    assert login(client, factories.user(role).email, factories.PASSWORD).status_code == 302
    return client


def publish(client, period=PERIOD, note=""):
    page = client.get("/open/publish")
    return client.post("/open/publish", data={**hidden_fields(page.get_data(as_text=True)),
                                              "period": period, "note": note})


def download(client, name, period=PERIOD):
    response = client.get(f"/open/{period}/{name}")
    assert response.status_code == 200, name
    return response.data
