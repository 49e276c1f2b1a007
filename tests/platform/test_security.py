"""Hardening: headers, rate limits, login throttling, hostile bodies."""

from __future__ import annotations

import os
import socket

import pytest
from sqlalchemy import func, select
from support import factories
from support.live_server import free_port
from support.web import FreshContextClient, hidden_fields, login, make_config

from webapp import create_app
from webapp.capture.submissions import Answer, Submission
from webapp.platform.extensions import db

ANSWERS = {"overall": "5", "attitude": "4"}


def count(model=Submission) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_security_headers(client, app):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers
    secure = client.get("/login", base_url="https://survey.example.tw")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("app", [{"SESSION_COOKIE_SECURE": True}], indirect=True)
def test_secure_cookies_when_configured(client):
    assert "Secure" in client.get("/login").headers["Set-Cookie"]


def redis_or_skip() -> str:
    """The machine's Redis (.ci/run starts it), or a skip that says why."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    host, port = url.split("//")[1].split("/")[0].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=0.5).close()
    except OSError:
        pytest.skip(f"no Redis answers at {host}:{port}; start one or set TEST_REDIS_URL")
    return url


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, database_uri, tmp_path):
    """Rate limits on, counted in process memory or in Redis as on a several-host deployment."""
    storage = "memory://" if request.param == "memory" else redis_or_skip()
    app = create_app(make_config(database_uri, tmp_path, RATELIMIT_ENABLED=True,
                                 RATELIMIT_STORAGE_URI=storage))
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_a_kiosk_over_its_limit_gets_a_polite_page(app, limited_app):
    client = limited_app.test_client()
    office = factories.office()
    kiosk = factories.kiosk(office)
    other = factories.kiosk(office)
    statuses = []
    for _ in range(12):
        page = client.get(f"/kiosk/{kiosk.token}")
        response = client.post(f"/kiosk/{kiosk.token}",
                               data={**hidden_fields(page.get_data(as_text=True)), **ANSWERS})
        statuses.append(response.status_code)
    assert statuses[:10] == [302] * 10 and statuses[10:] == [429, 429]
    html = response.get_data(as_text=True)
    assert "請等一分鐘後再按「送出」" in html and "per 1 minute" not in html
    assert 'checked id="overall-' in html or "checked" in html.split('id="q-overall"')[1][:2000]
    assert count() == 10
    # another tablet of the same office (same address) is not blocked by the first one
    page = client.get(f"/kiosk/{other.token}")
    response = client.post(f"/kiosk/{other.token}",
                           data={**hidden_fields(page.get_data(as_text=True)), **ANSWERS})
    assert response.status_code == 302


def test_redis_down_still_stores_the_survey(app, database_uri, tmp_path):
    """A dead Redis must not turn every citizen's 送出 into a 500: count in memory meanwhile."""
    dead = f"redis://127.0.0.1:{free_port()}/0?socket_connect_timeout=0.2&socket_timeout=0.2"
    limited = create_app(make_config(database_uri, tmp_path, RATELIMIT_ENABLED=True,
                                     RATELIMIT_STORAGE_URI=dead))
    limited.test_client_class = FreshContextClient
    client = limited.test_client()
    kiosk = factories.kiosk(factories.office())
    statuses = []
    for _ in range(11):
        page = client.get(f"/kiosk/{kiosk.token}")
        statuses.append(client.post(f"/kiosk/{kiosk.token}",
                                    data={**hidden_fields(page.get_data(as_text=True)),
                                          **ANSWERS}).status_code)
    with limited.app_context():
        db.engine.dispose()
    assert statuses == [302] * 10 + [429]  # stored, and the limit still holds in memory
    assert count() == 10


def _attempt(app, email: str, password: str, address: str) -> int:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return login(client, email, password).status_code


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_guessing_one_account_from_one_address_is_throttled_there_only(app):
    user, other = factories.user("analyst"), factories.user("reviewer")
    codes = [_attempt(app, user.email, "wrong password", "10.0.0.1") for _ in range(6)]
    assert codes == [401] * 5 + [429]          # 5 failures in 15 minutes per account and address
    assert _attempt(app, user.email, factories.PASSWORD, "10.0.0.1") == 429
    assert _attempt(app, other.email, factories.PASSWORD, "10.0.0.1") == 302
    assert _attempt(app, user.email, factories.PASSWORD, "10.0.0.2") == 302  # the owner elsewhere


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_strangers_cannot_lock_an_admin_out(app):
    admin = factories.user("admin")
    codes = [_attempt(app, admin.email, "wrong password", f"10.0.{i}.1") for i in range(25)]
    assert codes == [401] * 25                 # no per-account lockout to trigger
    assert _attempt(app, admin.email, factories.PASSWORD, "10.9.9.9") == 302


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_one_address_guessing_many_accounts_is_throttled(app):
    emails = [factories.user("inspector").email for _ in range(11)]
    codes = [_attempt(app, email, "wrong password", "10.0.0.7") for email in emails]
    assert codes == [401] * 10 + [429]         # 10 attempts a minute per address


def test_unknown_and_known_accounts_cost_the_same_hash_work(app, monkeypatch):
    """The time a refusal takes must not tell who has an account: both check a password hash
    of the same kind (timing it would make the test depend on the machine's speed)."""
    from werkzeug import security as werkzeug_security

    from webapp.programme.auth import views

    user = factories.user("analyst")
    checked: list[str] = []
    real = werkzeug_security.check_password_hash

    def spy(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(views, "check_password_hash", spy)
    for email in (user.email, "nobody@example.tw", user.email.upper()):
        assert _attempt(app, email, "wrong password", "10.0.0.3") == 401
    assert len(checked) == 3 and len(set(checked)) == 1  # one hash each, the same method


def test_a_file_or_json_body_is_refused_with_a_message(client, app):
    import io

    kiosk = factories.kiosk(factories.office())
    fields = hidden_fields(client.get(f"/kiosk/{kiosk.token}").get_data(as_text=True))
    upload = client.post(f"/kiosk/{kiosk.token}", content_type="multipart/form-data",
                         data={**fields, **ANSWERS, "comment": (io.BytesIO(b"=1+1"), "x.txt")})
    assert upload.status_code == 415 and "請從本網站的表單送出資料" in upload.get_data(as_text=True)
    assert client.post("/login", json={"email": "a@b.tw"}).status_code == 415
    assert count() == 0


def test_oversized_body_is_413(client, app):
    office = factories.office()
    kiosk = factories.kiosk(office)
    page = client.get(f"/kiosk/{kiosk.token}")
    data = {**hidden_fields(page.get_data(as_text=True)), **ANSWERS, "comment": "字" * 300_000}
    response = client.post(f"/kiosk/{kiosk.token}", data=data)
    assert response.status_code == 413 and "資料太大" in response.get_data(as_text=True)
    assert count() == 0


@pytest.mark.parametrize(
    "extra",
    [{"is_admin": "1"}, {"overall": ["5", "1"]}, {"attitude": "4\ufffd"},
     {"comment": "ok\x00"}, {"overall": "five"}, {"idempotency_key": "../../etc"},
     {"version": "999999"}],
)
def test_hostile_fields_get_400_and_store_nothing(client, app, extra):
    office = factories.office()
    kiosk = factories.kiosk(office)
    page = client.get(f"/kiosk/{kiosk.token}")
    data = {**hidden_fields(page.get_data(as_text=True)), **ANSWERS, **extra}
    response = client.post(f"/kiosk/{kiosk.token}", data=data)
    if extra == {"version": "999999"}:   # an unknown version falls back to the current one
        assert response.status_code == 302 and count() == 1
        return
    assert response.status_code == 400, extra
    assert count() == 0 and count(Answer) == 0


def test_broken_utf8_bytes_are_refused(client, app):
    office = factories.office()
    kiosk = factories.kiosk(office)
    page = client.get(f"/kiosk/{kiosk.token}")
    fields = {**hidden_fields(page.get_data(as_text=True)), **ANSWERS}
    body = "&".join(f"{k}={v}" for k, v in fields.items()).encode() + b"&comment=%ff%fe%fa"
    response = client.post(f"/kiosk/{kiosk.token}", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "無法辨識" in response.get_data(as_text=True)
    assert count() == 0
