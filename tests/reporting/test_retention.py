"""Data kept only as long as allowed: the retention job, and the page that says what it keeps.

What the people in the data rely on: a comment's original text is gone after its keeping time
(only its masked text stays), a visit's photos go after the record's approval or its case's
close plus the keeping time (never while a case is open), an office's case photos after the
case closed; the counts do not move; each run is in the audit log with its counts; and
/about/privacy says all of this, with the configured days, in both languages.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select
from support import factories

from forms.types import Stored
from webapp.capture import store as storage
from webapp.capture.evidence import Photo
from webapp.capture.submissions import Answer, RecordEvent
from webapp.cycle.cases.models import CaseItem, ImprovementCase
from webapp.platform.audit import AuditEvent
from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.reporting import retention
from webapp.reporting.reports import build

OLD = timedelta(days=800)
COMMENT = "櫃檯態度很差，請回電 0912-345-678 或寄信 someone@example.tw"


def survey(office, days_ago: int, comment: str):
    version, instrument = instruments.current("satisfaction")
    moment = utcnow() - timedelta(days=days_ago)
    made, _new = storage.store(version=version, instrument=instrument, office=office,
                               channel="kiosk", status="submitted", occurred_at=moment,
                               answers={"overall": Stored(2), "comment": Stored(None, comment)},
                               idempotency_key=f"k-{days_ago}-{len(comment)}")
    db.session.commit()     # stored now, given then: the keeping time runs from when it was given
    return made


def comments() -> dict[int, str]:
    return {a.submission_id: a.text for a in db.session.scalars(
        select(Answer).where(Answer.item_key == "comment"))}


def report_of(half: str) -> dict:
    report = build.build(half, "satisfaction", None, None, None,
                         **build.thresholds(current_app.config))
    report.pop("generated_at")
    return json.loads(json.dumps(report, ensure_ascii=False))


def test_old_comments_keep_only_their_masked_text_and_the_counts_stay(app):
    office = factories.office()
    old, recent = survey(office, 200, COMMENT), survey(office, 10, COMMENT + "。")
    rows = db.session.scalar(select(func.count()).select_from(Answer))
    figures = report_of(str(old.half))
    done = app.test_cli_runner().invoke(args=["jobs", "run", "--job", "retention"])
    assert "retention: done (comments_masked 1, evidence_photos 0, case_photos 0, contact_details 0)" in done.output
    db.session.expire_all()
    texts = comments()
    assert "0912-345-678" not in texts[old.id] and "someone@example.tw" not in texts[old.id]
    assert texts[old.id].startswith("櫃檯態度很差")                      # the rest is kept
    assert texts[recent.id] == COMMENT + "。"                             # not yet
    assert db.session.scalar(select(func.count()).select_from(Answer)) == rows
    assert report_of(str(old.half)) == figures                          # the report is the same
    assert sum(bool(text) for text in comments().values()) == 2        # still two comments
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "retention")).one()
    assert event.action == "deleted" and event.detail["comments_masked"] == 1
    assert retention.apply() == {"comments_masked": 0, "evidence_photos": 0, "case_photos": 0,
                                 "contact_details": 0}
    app.config["RETAIN_COMMENT_DAYS"] = 0                                # keep for good
    survey(office, 400, COMMENT + "！")
    assert retention.apply()["comments_masked"] == 0


@pytest.fixture
def photos(app, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    app.config["PHOTO_DIR"] = str(folder)
    office, inspector = factories.office(), factories.user("inspector")

    def record_with_photo(approved_days_ago: int | None, n: int):
        record = factories.record(office, inspector, key="mystery",
                                  status="approved" if approved_days_ago is not None else "submitted",
                                  score=80.0)
        if approved_days_ago is not None:
            db.session.add(RecordEvent(submission_id=record.id, revision=1, action="approved",
                                       at=utcnow() - timedelta(days=approved_days_ago), answers={}))
        digest = f"{n:x}" * 64
        digest = digest[:64]
        db.session.add(Photo(submission_id=record.id, digest=digest, width=4, height=3, size=9))
        (folder / f"{digest}.jpg").write_bytes(b"photo")
        (folder / f"{digest}.thumb.jpg").write_bytes(b"thumb")
        db.session.commit()
        return record, digest

    def case_for(record, closed_days_ago: int | None):
        case = ImprovementCase(submission_id=record.id, office_id=office.id, period=record.half,
                               due_on=date(2025, 9, 30), closed_at=None if closed_days_ago is None
                               else utcnow() - timedelta(days=closed_days_ago))
        db.session.add(case)
        db.session.flush()
        item = CaseItem(case_id=case.id, item_key="service_signs", label={"zh_TW": "指標"})
        db.session.add(item)
        db.session.commit()
        return case, item

    return folder, record_with_photo, case_for


def test_photos_go_after_their_keeping_time_and_never_while_a_case_is_open(app, photos):
    folder, record_with_photo, case_for = photos
    gone, gone_digest = record_with_photo(800, 1)              # approved long ago, no case
    fresh, _ = record_with_photo(30, 2)                         # approved lately
    pending, _ = record_with_photo(None, 3)                     # still under review
    open_case, _ = record_with_photo(800, 4)
    case_for(open_case, None)                                   # its case still open
    closed, closed_digest = record_with_photo(800, 5)
    _case, item = case_for(closed, 800)                         # case closed long ago
    office_photo = Photo(submission_id=closed.id, case_item_id=item.id, digest="6" * 64, width=4,
                         height=3, size=9)
    db.session.add(office_photo)
    (folder / f"{'6' * 64}.jpg").write_bytes(b"office photo")
    db.session.commit()

    done = retention.apply()
    assert done == {"comments_masked": 0, "evidence_photos": 2, "case_photos": 1, "contact_details": 0}
    db.session.expire_all()
    left = {p.submission_id for p in db.session.scalars(select(Photo))}
    assert left == {fresh.id, pending.id, open_case.id}
    for digest in (gone_digest, closed_digest, "6" * 64):
        assert not (folder / f"{digest}.jpg").exists()
    assert not (folder / f"{gone_digest}.thumb.jpg").exists()
    assert len(list(folder.glob("*.jpg"))) == 6                   # three photos, two files each
    assert db.session.get(type(gone), gone.id).score == 80.0       # the record itself stays
    assert "查核照片 2 張、改善照片 1 張" in _audit_page(app)


def _audit_page(app) -> str:
    from support.web import login
    admin = factories.user("admin")
    client = app.test_client()
    assert login(client, admin.email, factories.PASSWORD).status_code == 302
    return client.get("/admin/audit").get_data(as_text=True)


@pytest.mark.parametrize(("lang", "words"), [("zh_Hant_TW", ["180 天後原文改以遮蔽後的文字保存",
                                                              f"{730} 天刪除"]),
                                              ("en", ["after 180 days", "Deleted 730 days"])])
def test_the_privacy_page_says_what_is_kept_for_how_long_in_both_languages(client, lang, words):
    page = client.get(f"/about/privacy?lang={lang}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for said in words:
        assert said in html
    assert 'href="/about/privacy"' in client.get("/accessibility").get_data(as_text=True)
