"""Mail that is not lost: through a real local SMTP server (aiosmtpd) stopped and started again.

What the people notified rely on: a mail server that is down delays their mail, never loses it;
each mail arrives once however many senders try at the same moment; a mail given up on after a
day shows on the admin's page with a way to send it again; a rolled-back change sends nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support import factories
from support.together import at_once
from support.web import hidden_fields, login

from webapp.cycle.notifications import services as notify
from webapp.platform import outbox
from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.platform.outbox import OutgoingMail

pytest.importorskip("aiosmtpd.controller")
from support.smtp import Inbox, free_port, start  # noqa: E402


@pytest.fixture
def server(app):
    """A mail server on a port of its own, not started: each test starts and stops it."""
    port = free_port()
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
    return Inbox(), port


def tell(user, case: int = 7) -> None:
    notify.notify([user], "case_overdue", {"case": case, "office": "大安戶政", "due": "2026-01-02"},
                  "/cases/")
    db.session.commit()


def rows() -> list[OutgoingMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def time_passes() -> None:
    """Each waiting mail's next attempt is now (what an hour of the timer would bring)."""
    for row in rows():
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_a_mail_server_that_is_down_delays_the_mail_and_never_loses_it(app, server):
    inbox, port = server
    manager = factories.user("office")
    tell(manager)                                   # nobody listens yet
    (row,) = rows()
    assert row.state == "waiting" and row.attempts == 1 and row.last_error == "ConnectionRefusedError"
    assert row.next_attempt_at > utcnow()           # not before its pause
    cli = app.test_cli_runner()
    assert "mail: done (0 sent" in cli.invoke(args=["jobs", "run", "--job", "mail"]).output

    controller = start(inbox, port)                 # the server is back
    try:
        time_passes()
        result = cli.invoke(args=["jobs", "run", "--job", "mail", "--force"])
        assert "mail: done (1 sent" in result.output, result.output
        (recipients, message), = inbox.messages
        assert recipients == [manager.email] and "改善追蹤案 #7" in message["Subject"]
        assert "/cases/" in message.get_content()
        assert rows()[0].state == "sent" and rows()[0].attempts == 1
        cli.invoke(args=["jobs", "run", "--job", "mail", "--force"])   # again: nothing twice
        tell(manager, case=8)                       # and new mail goes at once
        assert len(inbox.messages) == 2
    finally:
        controller.stop()


def test_pauses_grow_and_a_mail_is_given_up_after_about_a_day(app, server):
    assert [outbox.pause(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert outbox.pause(20) == timedelta(hours=6)
    assert timedelta(hours=16) < sum((outbox.pause(n) for n in range(1, outbox.MAX_ATTEMPTS)),
                                     timedelta()) < timedelta(hours=36)
    tell(factories.user("reviewer"))
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        time_passes()
        outbox.deliver()
    (row,) = rows()
    assert row.state == "failed" and row.attempts == outbox.MAX_ATTEMPTS
    time_passes()
    assert outbox.deliver() == 0 and rows()[0].attempts == outbox.MAX_ATTEMPTS   # left alone


def test_the_admin_sees_what_waits_and_what_failed_and_sends_it_again(app, server):
    inbox, port = server
    admin = factories.user("admin")
    tell(factories.user("office"), case=3)
    tell(factories.user("office"), case=4)
    first = rows()[0]
    first.failed_at, first.attempts = utcnow(), outbox.MAX_ATTEMPTS
    db.session.commit()
    client = app.test_client()
    assert login(client, admin.email, factories.PASSWORD).status_code == 302
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "等待寄出：1" in page and "寄送失敗：1" in page and "ConnectionRefusedError" in page
    assert page.index("改善追蹤案 #3") < page.index("改善追蹤案 #4")       # failed first
    assert client.post(f"/admin/mail/{first.id}/retry", data={"x": "1"}).status_code == 400  # CSRF
    token = hidden_fields(page)["csrf_token"]
    assert client.post(f"/admin/mail/{first.id}/retry", data={"csrf_token": token}).status_code == 302
    assert rows()[0].state == "waiting" and rows()[0].attempts == 0
    assert f"修改了 通知信 #{first.id}，將重新寄送" in client.get("/admin/audit").get_data(as_text=True)
    controller = start(inbox, port)
    try:
        time_passes()
        assert outbox.deliver() == 2
        assert sorted(m["Subject"] for _r, m in inbox.messages) == [
            "服務品質：改善追蹤案 #3（大安戶政）已逾期（期限 2026-01-02）",
            "服務品質：改善追蹤案 #4（大安戶政）已逾期（期限 2026-01-02）"]
        assert "沒有等待寄出或寄送失敗的信" in client.get("/admin/mail").get_data(as_text=True)
    finally:
        controller.stop()


def test_two_senders_at_once_send_each_mail_once(app, server):
    inbox, port = server
    people = [factories.user("office") for _ in range(5)]
    for n, person in enumerate(people):
        tell(person, case=n)                        # all waiting: the server is down
    controller = start(inbox, port)
    try:
        time_passes()
        sent = at_once(app, outbox.deliver)
        assert sum(sent) == 5 and len(inbox.messages) == 5
        assert sorted(r[0] for r, _m in inbox.messages) == sorted(p.email for p in people)
    finally:
        controller.stop()


def test_a_rolled_back_change_sends_nothing_and_no_server_means_no_outbox(app, server):
    manager = factories.user("office")
    notify.notify([manager], "case_overdue", {"case": 1, "office": "x", "due": "2026-01-02"}, "/")
    db.session.rollback()
    assert rows() == []
    app.config["MAIL_URL"] = ""
    tell(manager)
    assert rows() == []
