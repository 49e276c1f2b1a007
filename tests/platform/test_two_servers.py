"""Two app servers, one city: nothing a server needs lives on its own disk.

Two gunicorn instances on one PostgreSQL, one Redis and one object store (a real SeaweedFS), as
behind the load balancer in ``deploy/nginx.conf.example``: a photo uploaded through one is
served by the other, a sign-out on one ends the session on the other, the sign-in throttle
counts the attempts made on both, and a report built on one is read, not built, by the other.
Runs in the PostgreSQL run of the suite (TEST_DATABASE_URL), as a city runs it.
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import datetime

import pytest
import requests
from PIL import Image
from support import factories
from support.live_server import LiveServer
from support.s3server import S3Server, require_weed
from support.services import redis_answers
from support.web import hidden_fields

from webapp.demo import data as demo
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db

pytestmark = [pytest.mark.processes, pytest.mark.slow]


@pytest.fixture
def city(app, database_uri, tmp_path):
    if not database_uri.startswith("postgresql"):
        pytest.skip("two app servers share a PostgreSQL: runs with TEST_DATABASE_URL")
    if not redis_answers():
        pytest.skip("no Redis answers on 127.0.0.1:6379")
    require_weed()
    with S3Server(tmp_path) as s3:
        s3.make_bucket("city")
        servers = []
        prefix = f"two-{uuid.uuid4().hex[:8]}"      # this test's own counters in Redis
        for name in ("a", "b"):
            server = LiveServer(database_uri, tmp_path, workers=1, name=f"server-{name}")
            server.env.update(
                REDIS_URL="redis://127.0.0.1:6379/0", FLASK_RATELIMIT_ENABLED="true",
                FLASK_RATELIMIT_KEY_PREFIX=prefix, STORAGE_URL=s3.url("city"),
                AWS_ACCESS_KEY_ID=s3.access_key, AWS_SECRET_ACCESS_KEY=s3.secret_key)
            servers.append(server)
        for server in servers:
            server.start()
        try:
            yield [f"http://127.0.0.1:{s.port}" for s in servers]
        finally:
            for server in servers:
                server.stop()


def signed_in(base: str, user) -> requests.Session:
    browser = requests.Session()
    fields = hidden_fields(browser.get(f"{base}/login", timeout=30).text)
    answer = browser.post(f"{base}/login", data={**fields, "email": user.email,
                                                 "password": factories.PASSWORD},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[:300]
    return browser


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_two_servers_share_photos_sessions_the_throttle_and_reports(app, city):
    one, other = city
    office, inspector = factories.office(), factories.user("inspector")
    analyst = factories.user("analyst")
    record = factories.record(office, inspector, key="mystery", status="draft")
    db.session.commit()

    # a photo uploaded through one server is served by the other
    field = signed_in(one, inspector)
    page = field.get(f"{one}/inspect/{record.id}/edit", timeout=30).text
    sent = field.post(f"{one}/inspect/{record.id}/photos",
                      data={"csrf_token": hidden_fields(page)["csrf_token"], "caption": "坡道"},
                      files={"photo": ("ramp.jpg", jpeg(), "image/jpeg")},
                      allow_redirects=False, timeout=60)
    assert sent.status_code == 302, sent.text[:300]
    shown = re.search(r"/photos/(\d+)/thumb", field.get(f"{other}/inspect/{record.id}/edit",
                                                          timeout=30).text)
    assert shown, "the other server does not list the photo"
    photo = field.get(f"{other}/photos/{shown.group(1)}", timeout=30)
    assert photo.status_code == 200 and photo.content[:2] == b"\xff\xd8"

    # a sign-out on the other server ends the session on the first
    fields = hidden_fields(field.get(f"{other}/inspect/", timeout=30).text)
    assert field.post(f"{other}/logout", data={"csrf_token": fields["csrf_token"]},
                      allow_redirects=False, timeout=30).status_code == 302
    after = field.get(f"{one}/inspect/", allow_redirects=False, timeout=30)
    assert after.status_code == 302 and "/login" in after.headers["Location"]

    # the sign-in throttle (5 failures per account and address) counts both servers' attempts
    guesser = requests.Session()
    statuses = []
    for n in range(6):
        base = (one, other)[n % 2]
        fields = hidden_fields(guesser.get(f"{base}/login", timeout=30).text)
        statuses.append(guesser.post(f"{base}/login", data={
            **fields, "email": analyst.email, "password": f"wrong-{n}"},
            allow_redirects=False, timeout=30).status_code)
    assert 429 not in statuses[:5] and statuses[5] == 429, statuses

    # a report built on one server is read, not built again, on the other
    demo.load(scale=0.05, today=datetime(2026, 11, 22, tzinfo=TAIPEI))
    db.session.commit()
    reader = factories.user("analyst", email="reader@example.tw")
    db.session.commit()
    first = signed_in(one, reader).get(f"{one}/reports/?period=2026H1", timeout=120)
    second = signed_in(other, reader).get(f"{other}/reports/?period=2026H1", timeout=120)
    assert first.status_code == second.status_code == 200
    assert first.headers["Server-Timing"] == 'report;desc="built"'
    assert second.headers["Server-Timing"] == 'report;desc="shared"'
