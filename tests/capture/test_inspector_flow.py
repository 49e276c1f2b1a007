"""Inspectors fill the phone test and the mystery-shopper checklist: draft, finish, score."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from support import factories
from support.flows import full_phone_answers, post_form, signed_in
from support.web import hidden_fields

from forms.instrument import load_default
from webapp.capture.submissions import Submission
from webapp.platform.extensions import db


@pytest.fixture
def inspector(app):
    return factories.user("inspector")


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/inspect/new/phone")
    assert response.status_code == 302 and "/login" in response.location


def test_phone_test_submission_shows_score_sections_and_grade(client, office, inspector):
    signed_in(client, inspector)
    answers = full_phone_answers(asks_surname="no", confirms_target="na", rings="5")
    response = post_form(client, "/inspect/new/phone", answers, office)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    record = db.session.scalars(select(Submission)).one()
    # possible 105 - 3 (N/A) = 102; missed surname (5) and half the 25 ring points (12.5)
    expected = round(100 * (102 - 5 - 12.5) / 102, 2)
    assert record.score == expected and record.grade == "甲"
    assert record.half == "2025H2" and record.quarter == "2025Q3" and record.status == "submitted"
    assert f"{expected:.1f}" in page and "甲" in page
    assert "50.0 / 100" in page            # answer-speed section: 5 rings = half credit
    assert "臺北市大安區戶政事務所" in page and "114年下半年" in page


def test_mystery_visit_submission_is_scored(client, office, inspector):
    signed_in(client, inspector)
    checklist = load_default("mystery")
    answers = {q["key"]: "yes" for q in checklist.questions() if q["type"] == "yes_no_na"}
    answers.update(wait_minutes="25", strengths="親切", improvements="增加座位")
    response = post_form(client, "/inspect/new/mystery", answers, office)
    assert response.status_code == 302
    record = db.session.scalars(select(Submission)).one()
    assert record.score == 90.0 and record.grade == "優等"   # waiting > 20 min: 0 of 10 points
    assert record.section_scores["waiting"] == 0.0


def test_draft_keeps_partial_answers_and_can_be_finished(client, office, inspector):
    signed_in(client, inspector)
    partial = {"rings": "2", "greets": "yes"}
    response = post_form(client, "/inspect/new/phone", partial, office, action="draft")
    assert response.status_code == 302
    record = db.session.scalars(select(Submission)).one()
    assert record.status == "draft" and record.score is None
    edit = client.get(response.location).get_data(as_text=True)
    assert re.search(r'<input[^>]*\bvalue="2"', edit) and 'checked id="greets-0"' in edit
    response = post_form(client, response.location, full_phone_answers(), office)
    assert response.status_code == 302
    db.session.expire_all()
    record = db.session.scalars(select(Submission)).one()
    assert record.status == "submitted" and record.score == 100.0
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_draft_still_refuses_wrong_types(client, office, inspector):
    signed_in(client, inspector)
    response = post_form(client, "/inspect/new/phone", {"rings": "many"}, office, action="draft")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_incomplete_submission_lists_the_missing_items(client, office, inspector):
    signed_in(client, inspector)
    answers = full_phone_answers()
    del answers["tone"]
    response = post_form(client, "/inspect/new/phone", answers, office)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="err-tone"' in html and "此題必須作答" in html
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_unknown_office_is_refused(client, office, inspector):
    signed_in(client, inspector)
    fake = factories.office(code="GONE", name="x")
    page = client.get("/inspect/new/phone")
    data = hidden_fields(page.get_data(as_text=True))
    data.update(full_phone_answers(), office="NOPE", occurred_at="2025-08-12T10:15")
    assert client.post("/inspect/new/phone", data=data).status_code == 400
    assert fake.code == "GONE"


def test_another_inspectors_record_is_invisible(client, office, inspector, app):
    signed_in(client, inspector)
    response = post_form(client, "/inspect/new/phone", {"rings": "2"}, office, action="draft")
    record_url = response.location
    other = app.test_client()
    signed_in(other, factories.user("inspector"))
    assert other.get(record_url).status_code == 404
    assert other.get(record_url.replace("/edit", "")).status_code == 404


def test_submitted_record_can_no_longer_be_edited(client, office, inspector):
    signed_in(client, inspector)
    response = post_form(client, "/inspect/new/phone", full_phone_answers(), office)
    record_id = db.session.scalars(select(Submission)).one().id
    edit = client.get(f"/inspect/{record_id}/edit")
    assert edit.status_code == 302 and edit.location.endswith(f"/inspect/{record_id}")
    assert response.status_code == 302

