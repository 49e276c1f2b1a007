"""Hardening: headers, rate limits, login throttling, hostile bodies."""

from __future__ import annotations

import factories
import pytest
from conftest import hidden_fields, login
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Answer, Submission

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


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_a_kiosk_over_its_limit_gets_a_polite_page(client, app):
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
    assert "請稍候再試" in response.get_data(as_text=True)
    assert count() == 10
    # another tablet of the same office (same address) is not blocked by the first one
    page = client.get(f"/kiosk/{other.token}")
    response = client.post(f"/kiosk/{other.token}",
                           data={**hidden_fields(page.get_data(as_text=True)), **ANSWERS})
    assert response.status_code == 302


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_login_is_throttled(client, app):
    user = factories.user("analyst")
    codes = [login(client, user.email, "wrong password").status_code for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    assert login(client, user.email, factories.PASSWORD).status_code == 429


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
