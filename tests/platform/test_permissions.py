"""Every route, walked by every role (anonymous included), against the table in the README."""

from __future__ import annotations

from datetime import date

import pytest
from support import factories
from support.web import hidden_fields, login

from forms.types import Stored
from webapp.capture import store as storage
from webapp.cycle.plans.models import Assignment, CheckPlan
from webapp.platform.db import utcnow
from webapp.programme import instruments

ROLES = ("anonymous", "office", "inspector", "reviewer", "analyst", "coordinator", "admin")
PUBLIC = set(ROLES)
SIGNED_IN = {"office", "inspector", "reviewer", "analyst", "coordinator", "admin"}
PROGRAMME = {"coordinator", "admin"}  # offices, kiosks, instruments, paper, slips, plans
TOKEN_ONLY: set[str] = set()   # no role's session opens it: only an analyst-scope API token

# endpoint: (method, who may use it) — the README's "who may do what" table says the same.
ACCESS = {
    "auth.home": ("GET", PUBLIC),
    "about.accessibility": ("GET", PUBLIC),
    "about.privacy": ("GET", PUBLIC),
    "auth.login": ("GET", PUBLIC),
    "auth.logout": ("POST", SIGNED_IN),
    "auth.alive": ("GET", SIGNED_IN),      # the idle warning's "go on": nothing but use
    "survey.kiosk": ("GET", PUBLIC),
    "survey.kiosk_thanks": ("GET", PUBLIC),
    "survey.kiosk_worker": ("GET", PUBLIC),   # the counter tablets' service worker
    "survey.kiosk_manifest": ("GET", PUBLIC),  # a registered kiosk link's web app manifest
    "survey.personal": ("GET", PUBLIC),
    "survey.personal_thanks": ("GET", PUBLIC),
    "survey.personal_contact": ("GET", PUBLIC),   # the call-back form: a signed offer decides
    "survey.kiosk_contact": ("GET", PUBLIC),
    "survey.typed": ("GET", PUBLIC),
    "survey.slips": ("GET", PROGRAMME),
    "static": ("GET", PUBLIC),
    "health.healthz": ("GET", PUBLIC),
    "health.readyz": ("GET", PUBLIC),     # the load balancer's readiness probe: no data in it
    "inspect.worker": ("GET", PUBLIC),   # the inspectors' service worker (no data in it)
    "inspect.manifest": ("GET", PUBLIC),   # the inspectors' web app manifest
    "inspect.index": ("GET", {"inspector", "admin"}),
    "inspect.new": ("GET", {"inspector", "admin"}),
    "inspect.edit": ("GET", {"inspector", "admin"}),
    "inspect.show": ("GET", {"inspector", "admin"}),
    "inspect.delete": ("GET", {"inspector", "admin"}),
    "review.queue": ("GET", {"reviewer", "admin"}),
    "review.decide": ("GET", {"reviewer", "admin"}),
    "reports.index": ("GET", {"analyst", "admin"}),
    "reports.download": ("GET", {"analyst", "admin"}),
    "reports.chart": ("GET", {"analyst", "admin"}),
    "reports.quality": ("GET", {"analyst", "admin"}),
    "reports.office": ("GET", {"analyst", "admin", "office"}),   # office: its own only
    "reports.office_chart": ("GET", {"analyst", "admin", "office"}),   # as its scorecard
    "reports.responses": ("GET", {"analyst", "admin"}),
    "reports.comments": ("GET", {"analyst", "admin", "office"}),  # office: its own only
    "reports.correct_themes": ("POST", {"analyst", "admin"}),   # not the office: it is read about
    "reports.themes": ("GET", {"analyst", "admin"}),   # the theme catalogue, edited as a workbook
    "reports.themes_workbook": ("GET", {"analyst", "admin"}),
    "reports.upload_themes": ("POST", {"analyst", "admin"}),
    "reports.publish_themes": ("POST", {"analyst", "admin"}),
    "admin.index": ("GET", PROGRAMME),
    "admin.offices": ("GET", PROGRAMME),
    "admin.edit_office": ("GET", PROGRAMME),
    "admin.import_offices": ("POST", PROGRAMME),
    "admin.toggle_office": ("POST", PROGRAMME),
    "admin.users": ("GET", {"admin"}),
    "admin.toggle_user": ("POST", {"admin"}),
    "admin.edit_user": ("GET", {"admin"}),
    "admin.kiosks": ("GET", PROGRAMME),
    "admin.toggle_kiosk": ("POST", PROGRAMME),
    "admin.instruments": ("GET", PROGRAMME),
    "admin.instrument_workbook": ("GET", PROGRAMME),
    "admin.upload_instrument": ("POST", PROGRAMME),
    "admin.publish_instrument": ("POST", PROGRAMME),
    "admin.sync_instruments": ("POST", PROGRAMME),   # publish the shipped instruments
    "admin.audit_log": ("GET", {"admin"}),
    "paper.index": ("GET", PROGRAMME),
    "paper.template": ("GET", PROGRAMME),
    "paper.upload": ("POST", PROGRAMME),
    "paper.confirm": ("POST", PROGRAMME),
    "opendata.index": ("GET", PUBLIC),
    "opendata.period_page": ("GET", PUBLIC),
    "opendata.latest_file": ("GET", PUBLIC),
    "opendata.version_file": ("GET", PUBLIC),
    "opendata.publish": ("GET", {"analyst", "admin"}),
    "notifications.index": ("GET", SIGNED_IN),
    "notifications.read": ("POST", SIGNED_IN),
    "cases.index": ("GET", {"office", "reviewer", "admin"}),
    "cases.show": ("GET", {"office", "reviewer", "admin"}),   # office: its own cases only
    "contacts.index": ("GET", {"office", "coordinator", "admin"}),   # office: its own, in full
    "contacts.show": ("GET", {"office", "coordinator", "admin"}),    # others: details masked
    "admin.tokens": ("GET", {"admin"}),
    "admin.revoke_token": ("POST", {"admin"}),
    "admin.mail": ("GET", {"admin"}),
    "admin.retry_mail": ("POST", {"admin"}),
    # /api/v1: a bearer token decides, never the session; the public part is open to all
    "api.document": ("GET", PUBLIC),
    "api.offices": ("GET", PUBLIC),
    "api.periods": ("GET", PUBLIC),
    "api.variables": ("GET", PUBLIC),   # the responses' column labels: the instrument's words
    "api.results_page": ("GET", PUBLIC),
    "api.responses": ("GET", TOKEN_ONLY),
    "inspect.add_photo": ("POST", {"inspector", "admin"}),
    "inspect.delete_photo": ("POST", {"inspector", "admin"}),
    # who sees a photo is decided per photo (tests/test_evidence.py); others get 404
    "photos.full": ("GET", SIGNED_IN),
    "photos.thumb": ("GET", SIGNED_IN),
    "calibration.index": ("GET", PROGRAMME),
    "calibration.show": ("GET", PROGRAMME),
    "calibration.score": ("GET", {"inspector"}),   # scoring is the inspectors' own
    "plans.index": ("GET", PROGRAMME),
    "plans.show": ("GET", PROGRAMME),
    "plans.assignment": ("GET", PROGRAMME),
    "plans.publish": ("POST", PROGRAMME),
    "plans.move": ("POST", PROGRAMME),
    "staff.index": ("GET", PROGRAMME),
    "staff.show": ("GET", PROGRAMME),
    "staff.codes": ("POST", PROGRAMME),
    "staff.close": ("POST", PROGRAMME),
    "staff.enter": ("GET", PUBLIC),     # staff answer with a one-time code, no account
    "staff.answer": ("GET", PUBLIC),
    "staff.thanks": ("GET", PUBLIC),
}


@pytest.fixture
def world(app):
    office = factories.office()
    kiosk = factories.kiosk(office)
    users = {role: factories.user(role) for role in ROLES if role != "anonymous"}
    users["office"].office_id = office.id   # the office manager of the office the routes name
    from webapp.platform.extensions import db

    db.session.commit()
    version, phone = instruments.current("phone")
    draft, _ = storage.store(version=version, instrument=phone, office=office,
                             channel="inspector", status="draft", occurred_at=utcnow(),
                             answers={"rings": Stored(3)}, idempotency_key="perm-draft-0000000",
                             inspector=users["inspector"])
    done, _ = storage.store(version=version, instrument=phone, office=office,
                            channel="inspector", status="submitted", occurred_at=utcnow(),
                            answers={"rings": Stored(3)}, idempotency_key="perm-done-00000000",
                            inspector=users["inspector"])
    other = factories.user("analyst", email="other@example.tw")
    plan = CheckPlan(period="2025Q3", instrument_key="phone", per_office=1, assignments=[
        Assignment(office_id=office.id, inspector_id=users["inspector"].id,
                   window_start=date(2025, 7, 1), due_on=date(2025, 9, 30))])
    db.session.add(plan)
    db.session.commit()
    args = {"token": kiosk.token, "code": office.code, "key": "phone", "fmt": "json",
            "submission_id": done.id, "office_id": office.id, "user_id": other.id,
            "kiosk_id": kiosk.id, "filename": "style.css", "name": "satisfaction",
            "period": "2025H2", "version": 1, "token_id": 1, "case_id": 1, "mail_id": 1,
            "plan_id": plan.id, "photo_id": 1, "round_id": 1, "assignment_id": plan.assignments[0].id,
            "answer_id": 1}
    overrides_paper = {"paper.template": {"key": "satisfaction", "fmt": "xlsx"}}
    overrides_open = {e: {"name": "survey.csv"} for e in ("opendata.latest_file",
                                                          "opendata.version_file")}
    overrides = {"inspect.edit": {"submission_id": draft.id}, **overrides_paper, **overrides_open}
    return users, args, overrides


def test_every_route_has_a_declared_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ACCESS), "declare who may use each new route in ACCESS and README"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_the_table_allows(app, world, role):
    users, args, overrides = world
    client = app.test_client()
    if role != "anonymous":
        assert login(client, users[role].email, factories.PASSWORD).status_code == 302
    token = hidden_fields(client.get("/login").get_data(as_text=True))["csrf_token"]
    seen = []
    # sign-out last: it ends the session the other checks need
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout")
    for rule in rules:
        _method, allowed = ACCESS[rule.endpoint]
        values = {name: overrides.get(rule.endpoint, {}).get(name, args[name])
                  for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        # every method the route takes: a page's POST is guarded like its GET
        for method in sorted(rule.methods & {"GET", "POST"}):
            if rule.endpoint == "survey.personal":
                url = factories.personal_url(office_of(args))
            if method == "POST":
                response = client.post(url, data={"csrf_token": token})
            else:
                response = client.get(url)
            status = response.status_code
            response.close()
            to_login = status == 302 and "/login" in response.headers.get("Location", "")
            where = (role, method, rule.endpoint, status)
            if rule.endpoint == "auth.logout" and role in allowed:
                assert status == 302, where   # signed out, sent to sign in
            elif allowed is TOKEN_ONLY:   # signed in or not: 401, and no sign-in page
                assert status == 401 and not to_login, where
            elif role in allowed:   # let through: whatever the page says, it is not a refusal
                assert status not in (401, 403) and status < 500 and not to_login, where
            elif role == "anonymous":
                assert to_login, where
            else:
                assert status == 403, where
            seen.append((method, rule.endpoint))
    assert {endpoint for _method, endpoint in seen} == set(ACCESS)
    assert ("POST", "inspect.edit") in seen and ("POST", "review.decide") in seen


def office_of(args):
    from sqlalchemy import select

    from webapp.platform.extensions import db
    from webapp.programme.offices import Office

    return db.session.scalar(select(Office).where(Office.code == args["code"]))
