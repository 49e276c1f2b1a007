"""Notifications (issue 13, item 4): in the app for a returned record, a new improvement case,
a reopened item and an overdue case; by e-mail through a real local SMTP server (aiosmtpd),
read back from it; a mail server that is down fails nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from support import factories
from support.flows import decide_case_item, full_phone_answers, post_form, post_page
from support.web import login

from webapp.capture.submissions import Submission
from webapp.cycle.cases.models import ImprovementCase
from webapp.cycle.notifications.models import Notification
from webapp.platform.extensions import db

pytest.importorskip("aiosmtpd.controller")
from support.smtp import Inbox, free_port, start  # noqa: E402


@pytest.fixture
def smtp():
    inbox, port = Inbox(), free_port()
    controller = start(inbox, port)
    yield inbox, f"smtp://127.0.0.1:{port}"
    controller.stop()


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    return client


@pytest.fixture
def people(app):
    office = factories.office()
    inspector, reviewer, manager = (factories.user(r) for r in ("inspector", "reviewer", "office"))
    manager.office_id = office.id
    db.session.commit()
    return office, inspector, reviewer, manager


def file_record(app, office, inspector, **answers) -> Submission:
    assert post_form(signed_in(app, inspector), "/inspect/new/phone", full_phone_answers(**answers),
                     office).status_code == 302
    return db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()


def test_a_returned_record_is_in_the_app_and_in_the_inspectors_mail(app, people, smtp):
    inbox, url = smtp
    app.config["MAIL_URL"] = url
    office, inspector, reviewer, _manager = people
    record = file_record(app, office, inspector)
    assert post_page(signed_in(app, reviewer), f"/review/{record.id}",
                     {"send_back": "退回修改", "comment": "請補上通話時間"}).status_code == 302
    client = signed_in(app, inspector)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "被退回修改：請補上通話時間" in page and "未讀" in page
    assert ">1</span>" in client.get("/inspect/").get_data(as_text=True).split("通知")[1][:120]
    (recipients, message), = inbox.messages
    assert recipients == [inspector.email]
    body = message.get_content()
    assert "請補上通話時間" in body and f"/inspect/{record.id}/edit" in body
    # read: the count goes
    from support.web import hidden_fields
    token = hidden_fields(page)["csrf_token"]
    assert client.post("/notifications/read", data={"csrf_token": token}).status_code == 302
    assert "class=\"count\"" not in client.get("/inspect/").get_data(as_text=True)


def test_a_new_case_a_reopened_item_and_an_overdue_case_reach_the_office(app, people, smtp):
    inbox, url = smtp
    app.config["MAIL_URL"] = url
    office, inspector, reviewer, manager = people
    record = file_record(app, office, inspector, tone="no", greets="no")
    desk = signed_in(app, reviewer)
    post_page(desk, f"/review/{record.id}", {"approve": "核定"})
    case = db.session.scalars(select(ImprovementCase)).one()
    kinds = [n.kind for n in db.session.scalars(select(Notification).where(
        Notification.user_id == manager.id))]
    assert kinds == ["case_opened"]
    assert [r for r, _m in inbox.messages] == [[manager.email]]
    office_client = signed_in(app, manager)
    post_page(office_client, f"/cases/{case.id}", {"item": case.items[0].id, "answer": "已改善"})
    decide_case_item(desk, f"/cases/{case.id}", case.items[0].id, {"reopen": "1", "note": "請附照片"})
    assert "請附照片" in office_client.get("/notifications/").get_data(as_text=True)
    case.due_on = date(2020, 1, 1)
    db.session.commit()
    runner = app.test_cli_runner()
    assert "1 overdue case(s) notified" in runner.invoke(args=["cases", "notify-overdue"]).output
    assert "0 overdue case(s) notified" in runner.invoke(args=["cases", "notify-overdue"]).output
    overdue = db.session.scalars(select(Notification).where(Notification.kind == "case_overdue")).all()
    assert {n.user_id for n in overdue} == {manager.id, reviewer.id}
    assert f"/cases/{case.id}" in inbox.messages[-1][1].get_content()


def test_a_mail_server_that_is_down_fails_nothing(app, people):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"   # nobody listens there
    office, inspector, reviewer, _manager = people
    record = file_record(app, office, inspector)
    response = post_page(signed_in(app, reviewer), f"/review/{record.id}",
                         {"send_back": "退回修改", "comment": "再確認"})
    assert response.status_code == 302
    assert db.session.scalars(select(Notification)).one().kind == "returned"


INJECTED = "1. 缺通話時間\r\n2. 缺受話者\nBcc: someone@evil.example\n\nX-Injected: yes"


def test_multi_line_text_makes_a_one_line_subject_and_adds_no_header(app, people, smtp):
    """Issue 25, finding 10: a comment of several lines (the usual way to list corrections),
    with a header smuggled in, and an office name with a line break."""
    inbox, url = smtp
    app.config["MAIL_URL"] = url
    office, inspector, reviewer, manager = people
    office.name = "臺北市大安區\n戶政事務所\r\nBcc: office@evil.example"
    db.session.commit()
    record = file_record(app, office, inspector, tone="no", greets="no")
    desk = signed_in(app, reviewer)
    returned = post_page(desk, f"/review/{record.id}", {"send_back": "退回修改", "comment": INJECTED})
    assert returned.status_code == 302
    post_form(signed_in(app, inspector), f"/inspect/{record.id}/edit",
              full_phone_answers(tone="no", greets="no"), office)
    assert post_page(desk, f"/review/{record.id}", {"approve": "核定"}).status_code == 302
    case = db.session.scalars(select(ImprovementCase)).one()
    post_page(signed_in(app, manager), f"/cases/{case.id}", {"item": case.items[0].id,
                                                             "answer": "已改善"})
    reopened = decide_case_item(desk, f"/cases/{case.id}", case.items[0].id,
                                {"reopen": "1", "note": INJECTED})
    assert reopened.status_code == 302
    assert len(inbox.messages) >= 3    # returned, case opened, item reopened
    for recipients, message in inbox.messages:
        assert recipients in ([inspector.email], [manager.email])
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
        assert message["Bcc"] is None and message["X-Injected"] is None
        assert len(message["Subject"]) <= 78
    returned_mail = inbox.messages[0][1].get_content()
    assert "1. 缺通話時間" in returned_mail and "2. 缺受話者" in returned_mail   # body as typed
