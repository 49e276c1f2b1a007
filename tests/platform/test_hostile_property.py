"""Property: no body, however random or hostile, gets a 5xx or leaves a partial record.

Hypothesis posts generated bodies to every form endpoint: real field names with wrong values,
unknown names, control characters, markup, huge numbers, repeated fields, with and without a
valid CSRF token and idempotency key; and raw bodies: broken UTF-8, multipart with file parts,
JSON, oversized.  After every example, every stored submission must be whole (all its required
answers present, every value valid for its question type), and a refused request (4xx) must
have left every table exactly as it was.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from support import factories
from support.web import hidden_fields, login

from forms.types import Stored
from webapp.capture import store as storage
from webapp.capture.contact import services as contact
from webapp.capture.submissions import Submission
from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.platform.outbox import OutgoingMail
from webapp.programme import instruments

HOSTILE = st.sampled_from([
    "", " ", "5", "0", "-1", "99999999999999999999", "3.5", "yes", "no", "na", "NaN", "1e309",
    "<script>alert(1)</script>", "'; DROP TABLE answers; --", "=HYPERLINK(\"x\")", "\x00", "\ufffd",
    "\u202e", "𠀀" * 3, "a" * 5000, "2025-07-01T09:30", "2025-02-30T25:61", "../../etc/passwd",
    "household", "TPH-DAAN", "%00", "\r\n", "🙂",
    # dates and periods out of any sane range, NUL inside text
    "0999-06-01T10:00", "0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T23:59", "9999H2",
    "0999H1", "2025Q9", "0001-01-01", "9999-12-31", "a\x00b",
    # numbers no id column holds, and digits int() does not read
    "2147483648", "99999999999999999999", "²", "٣",
])
VALUES = st.one_of(HOSTILE, st.text(max_size=40))
NAMES = st.one_of(st.sampled_from([
    "overall", "attitude", "comment", "service_used", "age_band", "rings", "greets", "office",
    "occurred_at", "wait_minutes", "email", "password", "role", "label", "comment", "approve",
    "send_back", "action", "website", "version", "idempotency_key", "csrf_token",
]), st.text(min_size=1, max_size=12))
BODIES = st.dictionaries(NAMES, st.one_of(VALUES, st.lists(VALUES, min_size=2, max_size=3)),
                         max_size=12)


def assert_every_record_is_whole() -> None:
    from forms.types import get_type

    for submission in db.session.scalars(select(Submission)):
        instrument = instruments.instrument_of(submission.instrument_version)
        questions = {q["key"]: q for q in instrument.questions()}
        answers = {a.item_key: a for a in submission.answers}
        assert set(answers) <= set(questions)
        if submission.status != "draft":
            required = {k for k, q in questions.items() if q.get("required")}
            assert required <= set(answers), (submission.id, required - set(answers))
        for key, answer in answers.items():
            kind = get_type(questions[key]["type"]).name
            if kind == "likert5":
                assert answer.value in (None, 1, 2, 3, 4, 5)
            elif kind == "yes_no_na":
                assert answer.value in (None, 0, 1)
            elif kind == "count":
                assert questions[key]["min"] <= answer.value <= questions[key]["max"]
            elif kind == "text":
                assert answer.text and "\x00" not in answer.text and "\ufffd" not in answer.text


def table_counts() -> dict[str, int]:
    db.session.rollback()  # a fresh snapshot
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables}


# Every endpoint that takes a POST (tests/test_permissions.py checks the list is complete).
TARGETS = ["kiosk", "personal", "login", "logout", "phone", "mystery", "edit", "delete", "review",
           "users", "edit_user", "kiosks", "toggle_user", "toggle_kiosk", "toggle_office", "slips",
           "add_office", "edit_office", "import_offices", "upload_instrument", "publish_instrument",
           "sync_instruments", "paper_upload", "paper_confirm", "publish_opendata", "api_tokens", "revoke_token",
           "retry_mail",
           "case_answer", "case_decide", "notices_read", "plan", "assignment", "add_photo", "delete_photo",
           "new_round", "close_round", "score_round", "staff_rounds", "staff_codes", "staff_close",
           "staff_answer", "plan_publish", "plan_move", "correct_themes",
           "upload_themes", "publish_themes", "kiosk_contact", "personal_contact", "contact_attempt"]
POST_ENDPOINTS = {"survey.kiosk", "survey.personal", "auth.login", "auth.logout", "inspect.new",
                  "inspect.edit", "inspect.delete", "review.decide", "admin.users", "admin.edit_user",
                  "admin.kiosks", "admin.toggle_user", "admin.toggle_kiosk",
                  "admin.toggle_office", "survey.slips", "admin.offices", "admin.edit_office",
                  "admin.import_offices", "admin.upload_instrument", "admin.publish_instrument",
                  "admin.sync_instruments", "paper.upload", "paper.confirm", "opendata.publish", "admin.tokens",
                  "admin.revoke_token", "admin.retry_mail", "cases.show", "notifications.read", "plans.index",
                  "plans.assignment", "inspect.add_photo", "inspect.delete_photo",
                  "calibration.index", "calibration.show", "calibration.score", "staff.index",
                  "staff.codes", "staff.close", "staff.answer", "plans.publish", "plans.move",
                  "reports.correct_themes", "reports.upload_themes", "reports.publish_themes",
                  "survey.kiosk_contact", "survey.personal_contact", "contacts.show"}


@pytest.fixture
def targets(app):
    office = factories.office()
    kiosk = factories.kiosk(office)
    admin = factories.user("admin")
    inspector = factories.user("inspector")
    reviewer = factories.user("reviewer")
    version, phone = instruments.current("phone")
    draft, _ = storage.store(version=version, instrument=phone, office=office,
                             channel="inspector", status="draft", occurred_at=utcnow(),
                             answers={"rings": Stored(3)}, idempotency_key="hostile-draft-0000",
                             inspector=inspector)
    doomed, _ = storage.store(version=version, instrument=phone, office=office,
                              channel="inspector", status="draft", occurred_at=utcnow(),
                              answers={"rings": Stored(2)}, idempotency_key="hostile-doomed-00",
                              inspector=inspector)
    doomed_id = doomed.id       # a successful example deletes it: later ones get a 404
    mystery_version, mystery = instruments.current("mystery")
    visit, _ = storage.store(version=mystery_version, instrument=mystery, office=office,
                             channel="inspector", status="draft", occurred_at=utcnow(),
                             answers={}, idempotency_key="hostile-visit-0000",
                             inspector=inspector)
    whole = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    done, _ = storage.store(version=version, instrument=phone, office=office,
                            channel="inspector", status="submitted", occurred_at=utcnow(),
                            answers={**whole, "rings": Stored(3)},
                            idempotency_key="hostile-done-00000", inspector=inspector)
    other = factories.user("analyst")
    edited = factories.user("reviewer")
    from webapp.platform.extensions import db
    from webapp.programme import api_tokens

    token, _text = api_tokens.create("hostile", "public", None)
    mail_row = OutgoingMail(recipient="someone@example.tw", subject="s", body="b", attempts=12,
                            failed_at=utcnow(), last_error="ConnectionRefusedError")
    db.session.add(mail_row)
    from webapp.cycle.cases.models import CaseItem, ImprovementCase

    case = ImprovementCase(submission_id=done.id, office_id=office.id, period="2025H2",
                           due_on=date(2030, 1, 1), items=[CaseItem(item_key="tone", state="open",
                                                                     label={"zh_TW": "語氣"})])
    db.session.add(case)
    from webapp.cycle.plans.models import Assignment, CheckPlan

    plan = CheckPlan(period="2025Q3", instrument_key="phone", per_office=1, assignments=[
        Assignment(office_id=office.id, inspector_id=inspector.id,
                   window_start=date(2025, 7, 1), due_on=date(2025, 9, 30))])
    db.session.add(plan)
    from webapp.cycle.calibration.models import CalibrationRound

    scenario = CalibrationRound(instrument_version_id=version.id, title="錄音 1")
    db.session.add(scenario)
    from analysis.periods import Period
    from webapp.capture.staff import services as staff_survey

    staff_round = staff_survey.open_round(Period.parse("2025H2"), {office: 12})
    staff_code = staff_survey.issue(staff_round, office.id, 1)[0]
    survey_version, survey = instruments.current("satisfaction")
    said, _ = storage.store(version=survey_version, instrument=survey, office=office,
                            channel="kiosk", status="submitted", occurred_at=utcnow(),
                            answers={"overall": Stored(2), "comment": Stored(None, "等太久了")},
                            idempotency_key="hostile-comment-0000")
    comment_id = next(a.id for a in said.answers if a.item_key == "comment")
    asked, _ = storage.store(version=survey_version, instrument=survey, office=office,
                             channel="personal", status="submitted", occurred_at=utcnow(),
                             answers={"overall": Stored(1)}, idempotency_key="hostile-asked-0000")
    called, _ = storage.store(version=survey_version, instrument=survey, office=office,
                              channel="personal", status="submitted", occurred_at=utcnow(),
                              answers={"overall": Stored(1)}, idempotency_key="hostile-called-000")
    with app.test_request_context():
        kiosk_offer, personal_offer = contact.offer_token(said), contact.offer_token(asked)
    contact.request_contact(called, name="林小姐", phone="0912345678", email=None, consent="同意")
    from webapp.cycle.contacts.models import ContactCase

    contact_case = db.session.scalar(select(ContactCase.id))
    manager_user = factories.user("office")
    manager_user.office_id = office.id
    db.session.commit()
    manager = app.test_client()
    assert login(manager, manager_user.email, factories.PASSWORD).status_code == 302
    anonymous = app.test_client()
    staff = app.test_client()
    assert login(staff, admin.email, factories.PASSWORD).status_code == 302
    field = app.test_client()
    assert login(field, inspector.email, factories.PASSWORD).status_code == 302
    planner = app.test_client()
    coordinator = factories.user("coordinator")
    assert login(planner, coordinator.email, factories.PASSWORD).status_code == 302
    desk = app.test_client()
    assert login(desk, reviewer.email, factories.PASSWORD).status_code == 302

    def leaving():  # a fresh session each time: signing out ends it
        client = app.test_client()
        assert login(client, other.email, factories.PASSWORD).status_code == 302
        return client

    return {
        "kiosk": lambda: (anonymous, f"/kiosk/{kiosk.token}", None),
        "personal": lambda: (anonymous, factories.personal_url(office), None),
        "login": lambda: (app.test_client(), "/login", None),
        "logout": lambda: (leaving(), "/logout", "/"),
        "phone": lambda: (field, "/inspect/new/phone", None),
        "mystery": lambda: (field, "/inspect/new/mystery", None),
        "edit": lambda: (field, f"/inspect/{draft.id}/edit", None),
        "delete": lambda: (field, f"/inspect/{doomed_id}/delete", None),
        "review": lambda: (desk, f"/review/{done.id}", None),
        "users": lambda: (staff, "/admin/users", None),
        "edit_user": lambda: (staff, f"/admin/users/{edited.id}", None),
        "kiosks": lambda: (staff, "/admin/kiosks", None),
        "toggle_user": lambda: (staff, f"/admin/users/{other.id}/toggle", "/admin/users"),
        "toggle_kiosk": lambda: (staff, f"/admin/kiosks/{kiosk.id}/toggle", "/admin/kiosks"),
        "toggle_office": lambda: (staff, f"/admin/offices/{office.id}/toggle", "/admin/offices"),
        "slips": lambda: (staff, "/slips", None),
        "add_office": lambda: (staff, "/admin/offices", None),
        "edit_office": lambda: (staff, f"/admin/offices/{office.id}", None),
        "import_offices": lambda: (staff, "/admin/offices/import", "/admin/offices"),
        "upload_instrument": lambda: (staff, "/admin/instruments/upload", "/admin/instruments"),
        "publish_instrument": lambda: (staff, "/admin/instruments/publish", "/admin/instruments"),
        "sync_instruments": lambda: (staff, "/admin/instruments/sync", "/admin/instruments"),
        "paper_upload": lambda: (staff, "/paper/upload", "/paper/"),
        "paper_confirm": lambda: (staff, "/paper/confirm", "/paper/"),
        "publish_opendata": lambda: (staff, "/open/publish", None),
        "api_tokens": lambda: (staff, "/admin/api-tokens", None),
        "revoke_token": lambda: (staff, f"/admin/api-tokens/{token.id}/revoke", "/admin/api-tokens"),
        "retry_mail": lambda: (staff, f"/admin/mail/{mail_row.id}/retry", "/admin/mail"),
        "case_answer": lambda: (manager, f"/cases/{case.id}", None),
        "case_decide": lambda: (desk, f"/cases/{case.id}", None),
        "notices_read": lambda: (field, "/notifications/read", "/notifications/"),
        "plan": lambda: (planner, "/plans/", None),
        "new_round": lambda: (planner, "/calibration/", None),
        "close_round": lambda: (planner, f"/calibration/{scenario.id}", None),
        "score_round": lambda: (field, f"/calibration/{scenario.id}/score", None),
        "add_photo": lambda: (field, f"/inspect/{visit.id}/photos", f"/inspect/{visit.id}/edit"),
        "delete_photo": lambda: (field, f"/inspect/{visit.id}/photos/1/delete",
                                 f"/inspect/{visit.id}/edit"),
        "assignment": lambda: (planner, f"/plans/assignments/{plan.assignments[0].id}", None),
        "plan_publish": lambda: (planner, f"/plans/{plan.id}/publish", f"/plans/{plan.id}"),
        "plan_move": lambda: (planner, f"/plans/{plan.id}/move", f"/plans/{plan.id}"),
        "staff_rounds": lambda: (planner, "/staff-rounds/", None),
        "staff_codes": lambda: (planner, f"/staff-rounds/{staff_round.id}/codes",
                                f"/staff-rounds/{staff_round.id}"),
        "staff_close": lambda: (planner, f"/staff-rounds/{staff_round.id}/close",
                                f"/staff-rounds/{staff_round.id}"),
        "staff_answer": lambda: (anonymous, f"/staff-survey/{staff_code}", None),
        "correct_themes": lambda: (staff, f"/reports/comments/{comment_id}/themes",
                                   "/reports/comments"),
        "upload_themes": lambda: (staff, "/reports/themes/upload", "/reports/themes"),
        "publish_themes": lambda: (staff, "/reports/themes/publish", "/reports/themes"),
        "kiosk_contact": lambda: (anonymous, f"/kiosk/{kiosk.token}/contact?offer={kiosk_offer}",
                                  None),
        "personal_contact": lambda: (anonymous,
                                     f"/survey/{office.code}/contact?offer={personal_offer}", None),
        "contact_attempt": lambda: (manager, f"/contacts/{contact_case}", None),
    }


def test_every_post_endpoint_is_a_target(app):
    posting = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    # two targets share an endpoint twice: inspect.new (phone, mystery), followup.show (answer, decide)
    assert posting == POST_ENDPOINTS and len(TARGETS) == len(POST_ENDPOINTS) + 2


def page_fields(client, url: str, page_url: str | None) -> dict:
    page = client.get(page_url or url)
    assert page.status_code < 500
    return hidden_fields(page.get_data(as_text=True))


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=BODIES, with_token=st.booleans(), with_page_fields=st.booleans())
def test_no_5xx_and_no_partial_record(targets, target, body, with_token, with_page_fields):
    client, url, page_url = targets[target]()
    fields = page_fields(client, url, page_url) if with_page_fields or with_token else {}
    if not with_page_fields:
        fields = {k: v for k, v in fields.items() if k == "csrf_token"}
    if not with_token:
        fields.pop("csrf_token", None)
    before = table_counts()
    response = client.post(url, data={**fields, **body})
    assert response.status_code < 500, (target, body, response.status_code)
    response.close()
    if response.status_code >= 400:
        assert table_counts() == before, (target, body, response.status_code)
    db.session.rollback()
    assert_every_record_is_whole()


def raw_body(kind: str, fields: dict, junk: bytes) -> tuple[bytes, str]:
    """A body a browser would never send from these forms, with a valid CSRF token inside."""
    encoded = "&".join(f"{k}={quote(v)}" for k, v in fields.items()).encode()
    if kind == "broken-utf8":
        return encoded + b"&overall=%FF%FE&comment=" + junk, "application/x-www-form-urlencoded"
    if kind == "oversized":
        return encoded + b"&comment=" + b"A" * (300 * 1024), "application/x-www-form-urlencoded"
    if kind == "json":
        return json.dumps({**fields, "overall": "5"}).encode(), "application/json"
    if kind == "text":
        return junk, "text/plain"
    boundary = "hostile0boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="comment"; '
                 f'filename="x.txt"\r\nContent-Type: text/plain\r\n\r\n'.encode() + junk + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(["broken-utf8", "oversized", "json", "text", "multipart"]),
       junk=st.binary(max_size=64))
def test_raw_hostile_bodies_are_refused_with_a_4xx(targets, target, kind, junk):
    client, url, page_url = targets[target]()
    fields = page_fields(client, url, page_url)
    body, content_type = raw_body(kind, fields, junk)
    before = table_counts()
    response = client.post(url, data=body, content_type=content_type)
    assert 400 <= response.status_code < 500, (target, kind, response.status_code)
    assert "Traceback" not in response.get_data(as_text=True)
    response.close()
    assert table_counts() == before, (target, kind)


# -- GET: every filter and path parameter, however odd, ends in a page or a 4xx -------------

QUERIES = {
    "/reports/": ("period", "compare_to", "kind", "office", "instrument"),
    "/reports/quality": ("period",),
    # an office's scorecard and its charts (the fixture's office is TPH-DAAN)
    "/reports/office/TPH-DAAN": ("period", "compare_to", "kind", "office", "instrument"),
    "/reports/office/TPH-DAAN/chart/satisfaction_standing.svg": ("period", "compare_to", "kind",
                                                                 "office", "instrument"),
    "/reports/download.json": ("period", "compare_to", "kind", "office", "instrument"),
    "/admin/audit": ("from", "to", "action", "actor", "target_type"),
    "/inspect/": (),
    "/review/": (),
}


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(QUERIES))
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_query_parameter_gets_a_5xx(targets, path, data):
    client = targets["users"]()[0]           # an admin may open every one of these pages
    names = QUERIES[path] or ("page",)
    args = data.draw(st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names)))
    response = client.get(path, query_string=args)
    assert response.status_code < 500, (path, args, response.status_code)
    response.close()


@pytest.mark.slow
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(segment=VALUES.filter(lambda v: v and "/" not in v), prefix=st.sampled_from(
    ["/kiosk/", "/survey/", "/inspect/new/", "/review/", "/admin/users/"]))
def test_no_path_segment_gets_a_5xx(targets, prefix, segment):
    client = targets["users"]()[0]
    response = client.get(prefix + quote(segment, safe=""))
    assert response.status_code < 500, (prefix, segment, response.status_code)
    response.close()
