"""Staff sessions end on the server: sign-out, deactivation, idle time; CSRF secrets rotate.

An attacker who copied a session cookie (a shared tablet, a proxy log) must not keep the
session after its owner signed out or was switched off.
"""

from __future__ import annotations

import time

import pytest
from support import factories
from support.web import hidden_fields, login

from webapp.platform.extensions import db
from webapp.programme.accounts import User


def copy_of(client, app):
    """A second browser holding the same session cookie as ``client``."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def sign_out(client) -> None:
    fields = hidden_fields(client.get("/review/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": fields["csrf_token"]}).status_code == 302


def test_a_cookie_copied_before_sign_out_is_dead_after_it(app):
    reviewer = factories.user("reviewer")
    client = app.test_client()
    assert login(client, reviewer.email, factories.PASSWORD).status_code == 302
    thief = copy_of(client, app)
    assert thief.get("/review/").status_code == 200       # the copy works while signed in
    sign_out(client)
    assert thief.get("/review/").status_code == 302       # and not after: back to sign-in
    assert client.get("/review/").status_code == 302


def test_deactivating_and_reactivating_revives_no_old_session(app):
    admin, reviewer = factories.user("admin"), factories.user("reviewer")
    desk = app.test_client()
    assert login(desk, reviewer.email, factories.PASSWORD).status_code == 302
    old = copy_of(desk, app)
    staff = app.test_client()
    assert login(staff, admin.email, factories.PASSWORD).status_code == 302
    for _ in range(2):  # off, then on again
        token = hidden_fields(staff.get("/admin/users").get_data(as_text=True))["csrf_token"]
        assert staff.post(f"/admin/users/{reviewer.id}/toggle",
                          data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, reviewer.id).active
    assert old.get("/review/").status_code == 302
    assert desk.get("/review/").status_code == 302
    fresh = app.test_client()
    assert login(fresh, reviewer.email, factories.PASSWORD).status_code == 302  # back at work
    assert fresh.get("/review/").status_code == 200


def test_the_csrf_secret_changes_at_sign_in(app):
    user = factories.user("analyst")
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        before = session["csrf_token"]
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    client.get("/reports/quality")
    with client.session_transaction() as session:
        after = session.get("csrf_token")
    assert after and after != before


@pytest.mark.parametrize("app", [{"STAFF_IDLE_MINUTES": 20}], indirect=True)
def test_an_idle_session_is_signed_out(app):
    user = factories.user("reviewer")
    client = app.test_client()
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    assert client.get("/review/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 19 * 60       # used 19 minutes ago: still in
    assert client.get("/review/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 21 * 60       # left idle 21 minutes
    response = client.get("/review/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "閒置過久" in page
