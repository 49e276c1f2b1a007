"""Property: no body, however random or hostile, gets a 5xx or leaves a partial record.

Hypothesis posts generated bodies to every form endpoint: real field names with wrong values,
unknown names, control characters, markup, huge numbers, repeated fields, with and without a
valid CSRF token and idempotency key.  After every example, every stored submission must be
whole: all its required answers present and every value valid for its question type.
"""

from __future__ import annotations

import factories
import pytest
from conftest import hidden_fields, login
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from webapp import instruments
from webapp.extensions import db
from webapp.models import Submission

HOSTILE = st.sampled_from([
    "", " ", "5", "0", "-1", "99999999999999999999", "3.5", "yes", "no", "na", "NaN", "1e309",
    "<script>alert(1)</script>", "'; DROP TABLE answers; --", "=HYPERLINK(\"x\")", "\x00", "\ufffd",
    "\u202e", "𠀀" * 3, "a" * 5000, "2025-07-01T09:30", "2025-02-30T25:61", "../../etc/passwd",
    "household", "TPH-DAAN", "%00", "\r\n", "🙂",
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


@pytest.fixture
def targets(app):
    office = factories.office()
    kiosk = factories.kiosk(office)
    admin = factories.user("admin")
    inspector = factories.user("inspector")
    anonymous = app.test_client()
    staff = app.test_client()
    assert login(staff, admin.email, factories.PASSWORD).status_code == 302
    field = app.test_client()
    assert login(field, inspector.email, factories.PASSWORD).status_code == 302
    return {
        "kiosk": (anonymous, f"/kiosk/{kiosk.token}"),
        "personal": (anonymous, None),
        "login": (app.test_client(), "/login"),
        "phone": (field, "/inspect/new/phone"),
        "mystery": (field, "/inspect/new/mystery"),
        "users": (staff, "/admin/users"),
        "kiosks": (staff, "/admin/kiosks"),
        "office": office,
    }


@pytest.mark.slow
@pytest.mark.parametrize("target", ["kiosk", "personal", "login", "phone", "mystery", "users",
                                    "kiosks"])
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=BODIES, with_token=st.booleans(), with_page_fields=st.booleans())
def test_no_5xx_and_no_partial_record(targets, target, body, with_token, with_page_fields):
    client, url = targets[target]
    if url is None:
        url = factories.personal_url(targets["office"])
    page = client.get(url)
    assert page.status_code < 500
    fields = hidden_fields(page.get_data(as_text=True)) if with_page_fields else {}
    if not with_token:
        fields.pop("csrf_token", None)
    response = client.post(url, data={**fields, **body})
    assert response.status_code < 500, (target, body, response.status_code)
    response.close()
    db.session.rollback()
    assert_every_record_is_whole()
