"""Adding a photo never wipes what the inspector typed since the last save (issue 27, item 2):
the photo's inputs belong to the checklist's form, so 加入照片 saves the draft with the photo,
and no restore step is needed."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from PIL import Image
from support import browser, factories

from webapp.capture import store as storage
from webapp.capture.evidence import ItemNote, Photo
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser


@pytest.fixture
def visit(app, tmp_path):
    app.config["PHOTO_DIR"] = str(tmp_path / "photos")
    office = factories.office()
    inspector = factories.user("inspector")
    version, mystery = instruments.current("mystery")
    draft, _ = storage.store(version=version, instrument=mystery, office=office,
                             channel="inspector", status="draft",
                             occurred_at=datetime(2025, 8, 12, 10, tzinfo=TAIPEI), answers={},
                             idempotency_key="photo-keeps-edits-01", inspector=inspector)
    db.session.commit()
    return draft, inspector


def test_a_photo_is_added_with_the_unsaved_edits(open_page, visit, tmp_path):
    draft, inspector = visit
    picture = tmp_path / "ramp.jpg"
    Image.new("RGB", (640, 480), (40, 90, 160)).save(picture, "JPEG")
    page = open_page("/login", **browser.TABLET)
    browser.sign_in(page, inspector.email, factories.PASSWORD)
    page.goto(f"/inspect/{draft.id}/edit")
    notes = page.locator("details.evidence").first
    notes.locator("summary").click()
    notes.get_by_label("備註").fill("坡道被推車擋住，沒有人移開")     # typed, not saved
    page.get_by_label(re.compile("^照片")).set_input_files(str(picture))
    page.get_by_label(re.compile("^說明")).fill("坡道")
    page.get_by_role("button", name="加入照片").click()
    expect(page.locator(".flash.ok")).to_contain_text("草稿已儲存，照片已加入")
    expect(page.locator("ul.photos img")).to_have_count(1)
    expect(page.locator("details.evidence textarea").first).to_have_value("坡道被推車擋住，沒有人移開")
    expect(page.locator("#backup-banner")).to_be_hidden()          # nothing to restore
    db.session.expire_all()
    assert [n.note for n in db.session.query(ItemNote).all()] == ["坡道被推車擋住，沒有人移開"]
    assert db.session.query(Photo).count() == 1
    # a photo refused: the draft is still saved, the typing still there, the reason said
    notes = page.locator("details.evidence").first
    notes.get_by_label("備註").fill("改過的備註")
    not_a_photo = tmp_path / "notes.jpg"
    not_a_photo.write_text("這不是照片", "utf-8")
    page.get_by_label(re.compile("^照片")).set_input_files(str(not_a_photo))
    page.get_by_role("button", name="加入照片").click()
    expect(page.locator("#q-photo .error")).to_be_visible()
    expect(page.locator("details.evidence textarea").first).to_have_value("改過的備註")
    db.session.expire_all()
    assert [n.note for n in db.session.query(ItemNote).all()] == ["改過的備註"]
    assert db.session.query(Photo).count() == 1
