"""No silent overwrite, no decision on what nobody read.

A save or a review decision names the revision of the record its page showed; one made on an
older page is refused with 409 and shows both versions.  An idempotency key belongs to one
channel, instrument, author and office: any other use of it is a 409, never a stored change.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from support import factories
from support.flows import client_for, full_phone_answers, post_form, signed_in
from support.web import hidden_fields

from webapp.capture.submissions import Submission
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db


def record() -> Submission:
    db.session.expire_all()
    return db.session.scalars(select(Submission)).one()


def page_data(client, url: str) -> dict:
    page = client.get(url)
    assert page.status_code == 200, url
    return hidden_fields(page.get_data(as_text=True))


def first_phone_page(client, office, action: str = "draft", **answers) -> tuple[dict, dict]:
    """Open a new phone test, post it once; return the page's fields and the posted extras."""
    page = page_data(client, "/inspect/new/phone")
    common = {"office": office.code, "occurred_at": "2025-08-12T10:15", "action": action}
    assert client.post("/inspect/new/phone", data={
        **page, **full_phone_answers(**answers), **common}).status_code == 302
    return page, common


def decisions() -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.in_(("approved", "returned"))))]


@pytest.fixture
def submitted(app, office):
    inspector = factories.user("inspector")
    client = client_for(app, inspector)
    response = post_form(client, "/inspect/new/phone", full_phone_answers(), office)
    assert response.status_code == 302
    return client, record()


# -- review decisions ------------------------------------------------------------------------------

def test_two_reviewers_deciding_at_once_exactly_one_wins(app, submitted):
    _inspector, rec = submitted
    one, two = (client_for(app, factories.user("reviewer")) for _ in range(2))
    pages = [page_data(c, f"/review/{rec.id}") for c in (one, two)]
    bodies = [{**pages[0], "approve": "1"}, {**pages[1], "send_back": "1", "comment": "再確認"}]
    start, codes = threading.Barrier(2), [None, None]

    def decide(i: int, client) -> None:
        start.wait(10)
        codes[i] = client.post(f"/review/{rec.id}", data=bodies[i]).status_code

    threads = [threading.Thread(target=decide, args=(i, c)) for i, c in enumerate((one, two))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(codes) == [302, 409]
    winner = "approved" if codes[0] == 302 else "returned"
    assert record().status == winner and decisions() == [winner]   # only the winner is audited


def test_a_page_opened_before_the_resubmission_cannot_approve_it(app, submitted, office):
    inspector, rec = submitted
    early = client_for(app, factories.user("reviewer"))
    stale = page_data(early, f"/review/{rec.id}")
    other = client_for(app, factories.user("reviewer"))
    returned = other.post(f"/review/{rec.id}", data={
        **page_data(other, f"/review/{rec.id}"), "send_back": "1", "comment": "響鈴請重數"})
    assert returned.status_code == 302
    fixed = post_form(inspector, f"/inspect/{rec.id}/edit", full_phone_answers(rings="6"), office)
    assert fixed.status_code == 302 and record().status == "submitted"
    response = early.post(f"/review/{rec.id}", data={**stale, "approve": "1"})
    assert response.status_code == 409 and "請重新開啟這個頁面" in response.get_data(as_text=True)
    assert record().status == "submitted"
    # Reopened, the page shows what changed since the return, then the decision goes through.
    page = early.get(f"/review/{rec.id}").get_data(as_text=True)
    assert "退回後的修改" in page and "響鈴幾聲後接聽" in page
    changes = page.split("退回後的修改")[1].split("</table>")[0]
    assert "<td>3" in changes and "<td>6" in changes
    again = early.post(f"/review/{rec.id}", data={**page_data(early, f"/review/{rec.id}"),
                                                  "approve": "1"})
    assert again.status_code == 302 and record().status == "approved"


def test_a_post_with_only_the_csrf_token_decides_nothing(app, submitted):
    _inspector, rec = submitted
    reviewer = client_for(app, factories.user("reviewer"))
    fields = page_data(reviewer, f"/review/{rec.id}")
    response = reviewer.post(f"/review/{rec.id}", data={"csrf_token": fields["csrf_token"],
                                                        "revision": fields["revision"]})
    assert response.status_code == 400 and "核定" in response.get_data(as_text=True)
    assert record().status == "submitted" and decisions() == []


def test_nobody_approves_a_record_they_filed(app, office):
    admin = factories.user("admin")
    client = client_for(app, admin)
    assert post_form(client, "/inspect/new/phone", full_phone_answers(), office).status_code == 302
    rec = record()
    page = client.get(f"/review/{rec.id}").get_data(as_text=True)
    assert "不能審核自己填寫的紀錄" in page and 'name="approve"' not in page
    fields = hidden_fields(client.get("/inspect/").get_data(as_text=True))
    response = client.post(f"/review/{rec.id}", data={
        "csrf_token": fields["csrf_token"], "revision": str(rec.revision), "approve": "1"})
    assert response.status_code == 403 and record().status == "submitted"


# -- inspectors' edits -----------------------------------------------------------------------------

def test_two_tabs_on_one_draft_the_second_save_is_refused_with_both_versions(app, office):
    client = signed_in(app.test_client(), factories.user("inspector"))
    first = post_form(client, "/inspect/new/phone", full_phone_answers(scenario="甲"), office,
                      action="draft")
    rec = record()
    url = f"/inspect/{rec.id}/edit"
    assert first.status_code == 302
    tab_one, tab_two = page_data(client, url), page_data(client, url)
    answers_one = full_phone_answers(scenario="第一個分頁寫的內容")
    answers_two = full_phone_answers(scenario="第二個分頁寫的內容")
    common = {"office": office.code, "occurred_at": "2025-08-12T10:15", "action": "draft"}
    assert client.post(url, data={**tab_one, **answers_one, **common}).status_code == 302
    clash = client.post(url, data={**tab_two, **answers_two, **common})
    html = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "第一個分頁寫的內容" in html and "第二個分頁寫的內容" in html   # both versions
    stored = {a.item_key: a.text for a in record().answers}
    assert stored["scenario"] == "第一個分頁寫的內容"                      # nothing overwritten
    # Saving again from the conflict page is the inspector's explicit choice of their version.
    chosen = client.post(url, data={**hidden_fields(html), **answers_two, **common})
    assert chosen.status_code == 302
    assert {a.item_key: a.text for a in record().answers}["scenario"] == "第二個分頁寫的內容"


def test_an_old_new_page_posted_again_does_not_overwrite_the_newer_draft(app, office):
    client = signed_in(app.test_client(), factories.user("inspector"))
    old_page, common = first_phone_page(client, office, scenario="初稿")
    rec = record()
    newer = post_form(client, f"/inspect/{rec.id}/edit", full_phone_answers(scenario="修改後"),
                      office, action="draft")
    assert newer.status_code == 302
    replay = client.post("/inspect/new/phone", data={
        **old_page, **full_phone_answers(scenario="舊頁面的內容"), **common})
    assert replay.status_code == 409 and "修改後" in replay.get_data(as_text=True)
    assert {a.item_key: a.text for a in record().answers}["scenario"] == "修改後"


def test_a_phone_tests_key_posted_to_the_mystery_form_is_refused(app, office):
    client = signed_in(app.test_client(), factories.user("inspector"))
    phone_page, common = first_phone_page(client, office, action="submit")
    mystery_page = page_data(client, "/inspect/new/mystery")
    response = client.post("/inspect/new/mystery", data={     # a draft: nothing else to check
        **mystery_page, "idempotency_key": phone_page["idempotency_key"], **common,
        "action": "draft"})
    assert response.status_code == 409
    assert "識別碼屬於另一筆紀錄" in response.get_data(as_text=True)
    rec = record()
    assert rec.instrument_key == "phone" and rec.revision == 1


def test_another_inspectors_key_is_refused(app, office):
    one = signed_in(app.test_client(), factories.user("inspector"))
    page, common = first_phone_page(one, office)
    two = signed_in(app.test_client(), factories.user("inspector"))
    theirs = page_data(two, "/inspect/new/phone")
    response = two.post("/inspect/new/phone", data={
        **theirs, "idempotency_key": page["idempotency_key"], **full_phone_answers(), **common})
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


# -- citizens ------------------------------------------------------------------------------------

def test_a_survey_key_reused_with_other_answers_is_a_409_never_a_false_thank_you(client, kiosk):
    url = f"/kiosk/{kiosk.token}"
    fields = page_data(client, url)
    assert client.post(url, data={**fields, "overall": "5"}).status_code == 302
    again = client.post(url, data={**fields, "overall": "1"})        # an old page, new answers
    html = again.get_data(as_text=True)
    assert again.status_code == 409 and "這次的答案還沒有儲存" in html
    assert 'checked id="overall-4"' in html                           # the answer offered back
    assert {a.item_key: a.value for a in record().answers}["overall"] == 5
    fresh = hidden_fields(html)
    assert fresh["idempotency_key"] != fields["idempotency_key"]
    assert client.post(url, data={**fresh, "overall": "1"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 2
