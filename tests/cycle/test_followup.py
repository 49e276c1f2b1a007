"""改善追蹤 (issue 13, item 3): approving a record under the improvement threshold opens a case
listing the failed items; the office manager answers, the reviewer accepts or reopens; overdue
cases stand out; the next report counts them (report.json ``followups``)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from support import factories
from support.flows import client_for, decide_case_item, full_phone_answers, post_form, post_page

from webapp.capture.submissions import Submission
from webapp.cycle.cases.models import CaseItem, ImprovementCase
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db
from webapp.reporting.reports import build


@pytest.fixture
def cycle(app):
    daan = factories.office()
    xinyi = factories.office("TPH-XINYI", "臺北市信義區戶政事務所", district="信義區")
    inspector, reviewer = factories.user("inspector"), factories.user("reviewer")
    manager, other = factories.user("office"), factories.user("office")
    manager.office_id, other.office_id = daan.id, xinyi.id
    db.session.commit()
    return {"daan": daan, "inspector": client_for(app, inspector),
            "reviewer": client_for(app, reviewer), "manager": client_for(app, manager),
            "other": client_for(app, other)}


def approve(cycle, when="2025-08-12T10:15", **answers) -> Submission:
    response = post_form(cycle["inspector"], "/inspect/new/phone", full_phone_answers(**answers),
                         cycle["daan"], when=when)
    assert response.status_code == 302
    record = db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()
    decided = post_page(cycle["reviewer"], f"/review/{record.id}", {"approve": "核定"})
    assert decided.status_code == 302
    return record


def test_a_score_of_85_opens_a_case_listing_the_failed_items(app, cycle):
    record = approve(cycle, tone="no", greets="no")
    assert 85 <= record.score < 90          # 85.7: the transfer items do not apply
    case = db.session.scalars(select(ImprovementCase)).one()
    assert case.office_id == cycle["daan"].id and case.period == "2025H2"
    assert [i.item_key for i in case.items] == ["greets", "tone"]
    assert (case.due_on - date.today()).days in (29, 30, 31)   # 30 days, in Taipei's calendar
    assert "改善追蹤案 #" in cycle["reviewer"].get("/review/").get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.target_type == "case"))


def test_no_case_at_or_above_the_threshold(app, cycle):
    approve(cycle, tone="no")           # 90: not under the threshold
    assert db.session.scalars(select(ImprovementCase)).all() == []


def test_the_office_answers_the_reviewer_reopens_then_accepts_and_the_case_closes(app, cycle):
    approve(cycle, tone="no", greets="no")
    case = db.session.scalars(select(ImprovementCase)).one()
    url = f"/cases/{case.id}"
    assert cycle["other"].get(url).status_code == 404              # another office's manager
    assert f"#{case.id}" in cycle["manager"].get("/cases/").get_data(as_text=True)
    assert f'/cases/{case.id}"' not in cycle["other"].get("/cases/").get_data(as_text=True)
    greets, tone = case.items
    for item in (greets, tone):
        assert post_page(cycle["manager"], url, {"item": item.id, "answer": "已於晨會宣導接聽用語"}
                         ).status_code == 302
    refused = decide_case_item(cycle["reviewer"], url, greets.id, {"reopen": "1"})
    assert refused.status_code == 400 and "退回時請說明還需要做什麼" in refused.get_data(as_text=True)
    assert decide_case_item(cycle["reviewer"], url, greets.id,
                            {"reopen": "1", "note": "請附上宣導紀錄"}).status_code == 302
    page = cycle["manager"].get(url).get_data(as_text=True)
    assert "請附上宣導紀錄" in page
    post_page(cycle["manager"], url, {"item": greets.id, "answer": "宣導紀錄已上傳公文系統"})
    for item in (greets, tone):
        assert decide_case_item(cycle["reviewer"], url, item.id, {"accept": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ImprovementCase, case.id).closed_at is not None
    assert "已結案" in cycle["manager"].get("/cases/").get_data(as_text=True)
    # an accepted item is settled: the office cannot change it afterwards
    assert post_page(cycle["manager"], url, {"item": tone.id, "answer": "x"}).status_code in (404, 409)


def test_an_item_of_another_case_and_deciding_before_an_answer_are_refused(app, cycle):
    approve(cycle, tone="no", greets="no")
    case = db.session.scalars(select(ImprovementCase)).one()
    assert decide_case_item(cycle["reviewer"], f"/cases/{case.id}", case.items[0].id,
                            {"accept": "1"}).status_code == 409
    assert post_page(cycle["manager"], f"/cases/{case.id}",
                     {"item": "99999", "answer": "x"}).status_code == 400
    assert db.session.scalars(select(CaseItem).where(CaseItem.state != "open")).all() == []


def test_an_accept_on_a_page_opened_before_the_office_changed_its_answer_is_refused(app, cycle):
    """The reviewer read one answer; the office rewrote it meanwhile: accepting the old page
    must not accept words the reviewer never saw (409, the item still waits)."""
    approve(cycle, tone="no", greets="no")
    case = db.session.scalars(select(ImprovementCase)).one()
    url, item = f"/cases/{case.id}", case.items[0]
    post_page(cycle["manager"], url, {"item": item.id, "answer": "已宣導"})
    opened = cycle["reviewer"].get(url)
    post_page(cycle["manager"], url, {"item": item.id, "answer": "已宣導並錄音抽查"})
    stale = decide_case_item(cycle["reviewer"], url, item.id, {"accept": "1"}, page=opened)
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "您的決定沒有生效" in text
    conflict = text.split('class="flash error conflict"')[1].split("</table>")[0]
    assert "您看到的版本" in conflict and "目前的版本" in conflict
    assert conflict.index("已宣導<br>") < conflict.index("已宣導並錄音抽查")   # both, side by side
    db.session.expire_all()
    fresh = db.session.get(CaseItem, item.id)
    assert fresh.state == "answered"
    assert [a.text for a in fresh.history] == ["已宣導", "已宣導並錄音抽查"]   # nothing lost
    assert "先前的改善情形（1 次）" in text
    # the 409 page's own form names the current answer: deciding from it applies to that one
    assert decide_case_item(cycle["reviewer"], url, item.id, {"accept": "1"},
                            page=stale).status_code == 302
    db.session.expire_all()
    assert db.session.get(CaseItem, item.id).state == "accepted"
    accepted = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "approved",
                                                           AuditEvent.target_type == "case")).one()
    assert accepted.detail["text"] == "已宣導並錄音抽查"
    assert accepted.detail["answer"] == fresh.history[-1].id


def test_overdue_cases_stand_out(app, cycle):
    approve(cycle, tone="no", greets="no")
    case = db.session.scalars(select(ImprovementCase)).one()
    case.due_on = date(2020, 1, 1)
    db.session.commit()
    page = cycle["reviewer"].get("/cases/").get_data(as_text=True)
    assert 'class="overdue"' in page and "逾期" in page


def test_the_next_report_counts_the_previous_periods_cases(app, cycle):
    approve(cycle, tone="no", greets="no")      # a check in 2025H2
    case = db.session.scalars(select(ImprovementCase)).one()
    case.due_on = date(2020, 1, 1)
    db.session.commit()
    approve(cycle, when="2026-02-10T10:00")     # a full score in 2026H1: no case of its own
    report = build.build("2026H1")
    assert report["followups_period"] == "2025H2"
    assert report["followups"] == [{"code": "TPH-DAAN", "name": "臺北市大安區戶政事務所",
                                    "name_en": None, "opened": 1, "closed": 0, "overdue": 1}]


def test_an_answer_the_previous_release_wrote_during_a_deploy_is_decided_on_and_kept(app, cycle):
    """The previous release writes only case_items.answer: the page shows that answer as the
    latest, a decision on it works, and the history keeps what was there before."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    approve(cycle, tone="no", greets="no")
    case = db.session.scalars(select(ImprovementCase)).one()
    url, item = f"/cases/{case.id}", case.items[0]
    post_page(cycle["manager"], url, {"item": item.id, "answer": "新版寫入"})
    db.session.execute(update(CaseItem).where(CaseItem.id == item.id).values(
        answer="舊版寫入", answered_at=datetime.now(UTC)))
    db.session.commit()
    page = cycle["reviewer"].get(url).get_data(as_text=True)
    assert "舊版寫入" in page and "新版寫入" in page
    assert decide_case_item(cycle["reviewer"], url, item.id, {"accept": "1"}).status_code == 302
    accepted = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "approved", AuditEvent.target_type == "case")).one()
    assert accepted.detail["text"] == "舊版寫入"
