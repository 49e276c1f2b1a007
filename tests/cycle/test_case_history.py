"""Issue 25, finding 7: a case decision applies only to the answer its page showed.  The office
answers an item with a photo, the reviewer opens the case, the office answers again with
another photo, the reviewer accepts on the page still open: 409 with both versions (text and
photos) side by side, nothing decided; every answer stays in the item's history with its own
photos and its author."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select
from support import factories
from support.flows import client_for, decide_case_item, full_phone_answers, post_form, post_page

from webapp.capture.evidence import Photo
from webapp.capture.submissions import Submission
from webapp.cycle.cases.models import CaseItem, ImprovementCase
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db


def jpeg(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def case(app, tmp_path):
    app.config["PHOTO_DIR"] = str(tmp_path / "photos")
    daan = factories.office()
    inspector, reviewer, manager = (factories.user(role)
                                    for role in ("inspector", "reviewer", "office"))
    manager.office_id, manager.display_name = daan.id, "林主任"
    db.session.commit()
    clients = {"inspector": client_for(app, inspector), "reviewer": client_for(app, reviewer),
               "manager": client_for(app, manager)}
    assert post_form(clients["inspector"], "/inspect/new/phone",
                     full_phone_answers(tone="no", greets="no"), daan).status_code == 302
    record = db.session.scalars(select(Submission)).one()
    assert post_page(clients["reviewer"], f"/review/{record.id}",
                     {"approve": "1"}).status_code == 302
    found = db.session.scalars(select(ImprovementCase)).one()
    return {**clients, "url": f"/cases/{found.id}", "case_id": found.id,
            "item_id": found.items[0].id}


def answer(case, text, colour):
    return post_page(case["manager"], case["url"],
                     {"item": str(case["item_id"]), "answer": text, "submit": "1",
                      "photo": (io.BytesIO(jpeg(colour)), "after.jpg")},
                     content_type="multipart/form-data")


def item_section(html: str, item_id: int) -> str:
    return html.split(f'name="item" value="{item_id}"')[0].rsplit('<li class="section">', 1)[-1]


def test_an_accept_on_an_older_answer_is_refused_with_both_versions_and_their_photos(case):
    assert answer(case, "已於晨會宣導接聽用語", (200, 30, 30)).status_code == 302
    opened = case["reviewer"].get(case["url"])            # the reviewer reads the first answer
    assert answer(case, "改為每週錄音抽查", (30, 30, 200)).status_code == 302
    first, second = db.session.scalars(select(Photo).order_by(Photo.id)).all()

    stale = decide_case_item(case["reviewer"], case["url"], case["item_id"], {"accept": "1"},
                             page=opened)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    conflict = html.split('class="flash error conflict"')[1].split("</table>")[0]
    seen, current = conflict.split("<tbody>")[1].split("<td>")[1:3]
    assert "已於晨會宣導接聽用語" in seen and f"/photos/{first.id}/thumb" in seen
    assert "改為每週錄音抽查" in current and f"/photos/{second.id}/thumb" in current
    assert f"/photos/{second.id}/thumb" not in seen
    # nothing changed: the item waits, the case is open, no decision in the audit log
    db.session.expire_all()
    item = db.session.get(CaseItem, case["item_id"])
    assert item.state == "answered" and item.decided_at is None
    assert db.session.get(ImprovementCase, case["case_id"]).closed_at is None
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "case", AuditEvent.action == "approved")).all() == []
    # every answer kept, with its author
    assert [(a.text, a.author.display_name) for a in item.history] == [
        ("已於晨會宣導接聽用語", "林主任"), ("改為每週錄音抽查", "林主任")]


def test_the_case_page_shows_each_answer_with_its_own_photos_in_the_items_history(case):
    answer(case, "已於晨會宣導接聽用語", (200, 30, 30))
    answer(case, "改為每週錄音抽查", (30, 30, 200))
    first, second = db.session.scalars(select(Photo).order_by(Photo.id)).all()
    for who in ("reviewer", "manager"):
        html = case[who].get(case["url"]).get_data(as_text=True)
        shown_now, history = html.split('<details class="history">')
        history = history.split("</details>")[0]
        assert "先前的改善情形（1 次）" in history
        assert "已於晨會宣導接聽用語" in history and "林主任" in history
        assert f"/photos/{first.id}/thumb" in history and f"/photos/{second.id}/" not in history
        current = shown_now.split("改善情形")[-1]
        assert f"/photos/{second.id}/thumb" in current and f"/photos/{first.id}/" not in current


def test_the_409_pages_own_form_decides_on_the_current_answer(case):
    answer(case, "已於晨會宣導接聽用語", (200, 30, 30))
    opened = case["reviewer"].get(case["url"])
    answer(case, "改為每週錄音抽查", (30, 30, 200))
    stale = decide_case_item(case["reviewer"], case["url"], case["item_id"],
                             {"reopen": "1", "note": "請附宣導紀錄"}, page=opened)
    assert stale.status_code == 409
    assert decide_case_item(case["reviewer"], case["url"], case["item_id"], {"accept": "1"},
                            page=stale).status_code == 302
    db.session.expire_all()
    item = db.session.get(CaseItem, case["item_id"])
    assert item.state == "accepted" and item.reviewer_note is None
    decided = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "case", AuditEvent.action == "approved")).one()
    assert decided.detail["text"] == "改為每週錄音抽查"
