"""Issue 25, finding 8: an assignment keeps a record that moved.  A record fills the assignment
of its own inspector, office, instrument and period and no other: moved to another office or
period (sent again, or only saved as a draft after a return) it gives the first one back and
fills the one it now names, so the plan never shows an office as checked by a record of
another office."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from support import factories
from support.flows import client_for, full_phone_answers, post_form, post_page

from webapp.capture.submissions import Submission
from webapp.cycle.plans import services as plans
from webapp.cycle.plans.models import Assignment, CheckPlan
from webapp.platform.extensions import db

TODAY = date(2025, 7, 15)


@pytest.fixture
def moving(app, monkeypatch):
    """One inspector with a phone test due at offices A and B in 2025Q3 (and at A in 2025Q4);
    office C is nobody's task of theirs."""
    monkeypatch.setattr(plans, "today", lambda: TODAY)
    a, b, c = (factories.office(f"TPH-{n}", f"臺北市{n}區戶政事務所") for n in "ABC")
    inspector, reviewer = factories.user("inspector"), factories.user("reviewer")
    coordinator = factories.user("coordinator")
    q3 = CheckPlan(period="2025Q3", instrument_key="phone", per_office=1, assignments=[
        Assignment(office_id=office.id, inspector_id=inspector.id, window_start=TODAY,
                   due_on=date(2025, 9, 30)) for office in (a, b)])
    q4 = CheckPlan(period="2025Q4", instrument_key="phone", per_office=1, assignments=[
        Assignment(office_id=a.id, inspector_id=inspector.id, window_start=date(2025, 10, 1),
                   due_on=date(2025, 12, 31))])
    db.session.add_all([q3, q4])
    db.session.commit()
    return {"a": a, "b": b, "c": c, "q3": q3.id, "q4": q4.id,
            "inspector": client_for(app, inspector), "reviewer": client_for(app, reviewer),
            "coordinator": client_for(app, coordinator)}


def task(plan_id: int, office) -> Assignment:
    db.session.expire_all()
    return db.session.scalars(select(Assignment).where(Assignment.plan_id == plan_id,
                                                       Assignment.office_id == office.id)).one()


def filed_then_returned(moving) -> Submission:
    """A phone test filed for office A, then returned by the reviewer."""
    assert post_form(moving["inspector"], "/inspect/new/phone", full_phone_answers(),
                     moving["a"]).status_code == 302
    record = db.session.scalars(select(Submission)).one()
    assert task(moving["q3"], moving["a"]).submission_id == record.id
    assert post_page(moving["reviewer"], f"/review/{record.id}",
                     {"send_back": "1", "comment": "機關選錯了"}).status_code == 302
    return record


def plan_rows(moving, plan_key="q3") -> dict[str, str]:
    """The coordinator's plan page: each office's row (its state and record number)."""
    html = moving["coordinator"].get(f"/plans/{moving[plan_key]}").get_data(as_text=True)
    body = html.split("<tbody>")[-1]
    return {row.split('data-label="受查機關">')[1].split("</td>")[0]: row
            for row in body.split("<tr")[1:]}


def test_a_record_moved_from_a_to_b_after_a_return_fills_b_and_leaves_a_open(moving):
    """The audit's attack: file for A, returned, moved to B, sent again, approved.  The plan
    shows A open (not 已核定 with that record) and B approved with it."""
    record = filed_then_returned(moving)
    assert post_form(moving["inspector"], f"/inspect/{record.id}/edit", full_phone_answers(),
                     moving["b"]).status_code == 302
    assert post_page(moving["reviewer"], f"/review/{record.id}",
                     {"approve": "1"}).status_code == 302
    a, b = task(moving["q3"], moving["a"]), task(moving["q3"], moving["b"])
    assert a.submission_id is None and a.state_on(TODAY) == "planned"
    assert b.submission_id == record.id and b.state_on(TODAY) == "approved"
    rows = plan_rows(moving)
    assert "待查核" in rows["臺北市A區戶政事務所"] and f"#{record.id}" not in rows["臺北市A區戶政事務所"]
    assert "已核定" in rows["臺北市B區戶政事務所"] and f"#{record.id}" in rows["臺北市B區戶政事務所"]
    total, offices, _people = plans.coverage(db.session.get(CheckPlan, moving["q3"]))
    assert (total.planned, total.filed, total.approved) == (2, 1, 1)
    assert (offices[a.office_id].filed, offices[b.office_id].approved) == (0, 1)
    # A is the inspector's task again
    assert "/inspect/new/phone?office=TPH-A" in moving["inspector"].get("/inspect/").get_data(
        as_text=True)


def test_a_returned_record_moved_and_only_saved_as_a_draft_gives_a_back_at_once(moving):
    """Moved to B and kept as a draft: a draft fills nothing, so A is open again (on the task
    list) before anything is sent, and B is filled only when the record is sent."""
    record = filed_then_returned(moving)
    assert post_form(moving["inspector"], f"/inspect/{record.id}/edit", full_phone_answers(),
                     moving["b"], action="draft").status_code == 302
    assert task(moving["q3"], moving["a"]).submission_id is None
    assert task(moving["q3"], moving["b"]).submission_id is None
    assert "/inspect/new/phone?office=TPH-A" in moving["inspector"].get("/inspect/").get_data(
        as_text=True)
    assert post_form(moving["inspector"], f"/inspect/{record.id}/edit", full_phone_answers(),
                     moving["b"]).status_code == 302
    assert task(moving["q3"], moving["a"]).submission_id is None
    assert task(moving["q3"], moving["b"]).submission_id == record.id


def test_a_returned_record_kept_as_a_draft_can_be_deleted_and_its_office_is_open_again(moving):
    """A record that filled A, returned and saved as a draft, is deletable like any draft: its
    assignment is not left pointing at it (no error, no dangling link), even one a draft kept
    under the previous release, which gave nothing back on a draft."""
    record = filed_then_returned(moving)
    record_id = record.id
    assert post_form(moving["inspector"], f"/inspect/{record_id}/edit", full_phone_answers(),
                     moving["a"], action="draft").status_code == 302
    assert task(moving["q3"], moving["a"]).submission_id is None
    task(moving["q3"], moving["a"]).submission_id = record_id      # as the old release left it
    db.session.commit()
    assert post_page(moving["inspector"], f"/inspect/{record_id}/delete",
                     {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, record_id) is None
    assert task(moving["q3"], moving["a"]).submission_id is None


def test_a_record_moved_to_another_quarter_fills_that_quarters_check(moving):
    record = filed_then_returned(moving)
    assert post_form(moving["inspector"], f"/inspect/{record.id}/edit", full_phone_answers(),
                     moving["a"], when="2025-10-06T09:30").status_code == 302
    assert task(moving["q3"], moving["a"]).submission_id is None
    assert task(moving["q4"], moving["a"]).submission_id == record.id


def test_a_record_moved_to_an_office_with_no_task_fills_nothing_and_gives_a_back(moving):
    record = filed_then_returned(moving)
    assert post_form(moving["inspector"], f"/inspect/{record.id}/edit", full_phone_answers(),
                     moving["c"]).status_code == 302
    assert post_page(moving["reviewer"], f"/review/{record.id}",
                     {"approve": "1"}).status_code == 302
    assert db.session.scalars(select(Assignment).where(
        Assignment.submission_id.is_not(None))).all() == []


def test_an_assignment_left_on_a_moved_record_is_settled_by_the_approval(moving):
    """Belt and braces: should an assignment still name a record of another office (a handler
    that failed after an earlier commit), the approval puts it right before anything counts."""
    record = filed_then_returned(moving)
    assert post_form(moving["inspector"], f"/inspect/{record.id}/edit", full_phone_answers(),
                     moving["b"]).status_code == 302
    task(moving["q3"], moving["b"]).submission_id = None      # as if the move was never seen
    db.session.commit()
    task(moving["q3"], moving["a"]).submission_id = record.id
    db.session.commit()
    assert post_page(moving["reviewer"], f"/review/{record.id}",
                     {"approve": "1"}).status_code == 302
    assert task(moving["q3"], moving["a"]).submission_id is None
    assert task(moving["q3"], moving["b"]).submission_id == record.id
