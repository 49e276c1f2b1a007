"""After a record is sent or decided, the next step is one tap away (issue 27, item 14): the
inspector is told it went to review and offered the next task; the record list puts the latest
visit first; a reviewer's decision opens the next record waiting, never one of their own."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from support import factories
from support.flows import client_for, post_page
from support.records import submit_phone_test

from webapp.capture.submissions import Submission
from webapp.cycle.plans import services as plans
from webapp.cycle.plans.models import Assignment, CheckPlan
from webapp.platform.extensions import db


def test_a_sent_record_says_so_and_offers_the_next_task(app, people, monkeypatch):
    monkeypatch.setattr(plans, "today", lambda: date(2025, 7, 15))
    daan, xinyi = factories.office("TPH-DAAN", "臺北市大安區戶政事務所"), factories.office(
        "TPH-XINYI", "臺北市信義區戶政事務所")
    inspector = people["inspector"]
    db.session.add(CheckPlan(period="2025Q3", instrument_key="phone", per_office=1, assignments=[
        Assignment(office_id=o.id, inspector_id=inspector.id, window_start=date(2025, 7, 1),
                   due_on=due) for o, due in ((daan, date(2025, 8, 30)),
                                              (xinyi, date(2025, 9, 30)))]))
    db.session.commit()
    field = client_for(app, inspector)
    sent = post_page(field, "/inspect/new/phone", _phone(daan))
    assert sent.status_code == 302
    page = field.get(sent.headers["Location"]).get_data(as_text=True)
    assert "已送出，等待審核人員核定" in page
    offer = page.split('id="next-task-title"')[1].split("</section>")[0]
    assert "臺北市信義區戶政事務所" in offer and "2025-09-30" in offer     # daan's is filled
    assert "/inspect/new/phone?office=TPH-XINYI" in offer


def _phone(office) -> dict:
    from forms.instrument import load_default
    answers = {q["key"]: "yes" for q in load_default("phone").questions()
               if q["type"] == "yes_no_na"}
    return {**answers, "rings": "3", "office": office.code, "occurred_at": "2025-08-12T10:15",
            "action": "submit"}


def test_the_record_list_puts_the_latest_visit_first(app, people):
    office = factories.office()
    field = client_for(app, people["inspector"])
    for when in ("2025-08-12T10:15", "2025-09-01T09:00", "2025-07-20T14:30"):
        submit_phone_test(field, office, occurred_at=when)
    html = field.get("/inspect/").get_data(as_text=True)
    shown = re.findall(r"2025-0\d-\d\d \d\d:\d\d", html.split("<tbody>")[1])
    assert shown == ["2025-09-01 09:00", "2025-08-12 10:15", "2025-07-20 14:30"]


def test_a_decision_opens_the_next_record_waiting_never_ones_own(app, people):
    office = factories.office()
    reviewer = people["reviewer"]
    field = client_for(app, people["inspector"])
    own, first, second = (submit_phone_test(field, office) for _ in range(3))
    desk = client_for(app, reviewer)
    # the earliest sent is the reviewer's own (filed when they also inspected): never offered
    db.session.get(Submission, own.id).inspector_id = reviewer.id
    db.session.commit()
    decided = post_page(desk, f"/review/{first.id}", {"approve": "1"})
    assert decided.status_code == 302 and decided.headers["Location"].endswith(
        f"/review/{second.id}")
    page = desk.get(decided.headers["Location"]).get_data(as_text=True)
    assert "已核定" in page and "以下是下一筆待審核的紀錄" in page
    last = post_page(desk, f"/review/{second.id}", {"send_back": "1", "comment": "請補上時間"})
    assert last.headers["Location"].endswith("/review/")        # only their own is left
    assert "目前沒有其他待審核的紀錄" in desk.get("/review/").get_data(as_text=True)
    assert db.session.scalars(select(Submission).where(
        Submission.status == "submitted")).all() == [db.session.get(Submission, own.id)]
