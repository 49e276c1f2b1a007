"""Comments read into themes: as they are stored, again after a new catalogue, corrected by an
analyst (the correction wins and is audited), shown with their reasons and filtered on the
comments page."""

from __future__ import annotations

import copy
from datetime import datetime
from html import unescape

import pytest
from sqlalchemy import select
from support import factories
from support.web import hidden_fields, login

from analysis.themes import coding
from analysis.themes.catalogue import load_default
from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.audit import AuditEvent
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme import themes as catalogues
from webapp.reporting.themes import reading
from webapp.reporting.themes.models import CommentCode, CommentTheme

WAITED = "櫃檯人員態度很差，等了一個小時"


def said(office, i: int, comment: str | None, overall: int = 2) -> int:
    """Store one citizen's answers; the id of the comment's answer row (or None)."""
    version, instrument = instruments.current("satisfaction")
    answers = {"overall": Stored(overall), "comment": Stored(None, comment) if comment else None}
    submission, _ = storage.store(
        version=version, instrument=instrument, office=office, channel="kiosk",
        status="submitted", occurred_at=datetime(2025, 9, 10, 14, 0, tzinfo=TAIPEI),
        answers=answers, idempotency_key=f"themes-{office.code}-{i:06d}")
    return next((a.id for a in submission.answers if a.item_key == "comment"), None)


def themes_of(answer_id: int) -> dict[str, str]:
    db.session.expire_all()
    return {t.theme: t.tone for t in db.session.scalars(
        select(CommentTheme).where(CommentTheme.answer_id == answer_id))}


def test_a_comment_is_read_in_the_transaction_that_stores_it(office):
    answer = said(office, 1, WAITED)
    code = db.session.get(CommentCode, answer)
    assert code is not None and code.tone == "complaint"
    assert themes_of(answer) == {"attitude": "complaint", "wait": "complaint"}
    assert "等了一個小時" in code.reading["themes"]["wait"]["words"]
    assert code.catalogue_version_id == catalogues.latest_version().id
    assert said(office, 2, None) is None   # no comment, nothing read
    assert db.session.scalar(select(db.func.count()).select_from(CommentCode)) == 1


def test_the_coding_sees_the_masked_text_only(office, monkeypatch):
    seen = []

    def spy(text, catalogue):
        seen.append(text)
        return coding.code(text, catalogue)

    monkeypatch.setattr(reading, "code", spy)
    said(office, 1, "態度很差，請回電 0912-345-678，身分證 A123456789，信箱 wang@example.com")
    assert seen and all(secret not in seen[0]
                        for secret in ("0912", "A123456789", "wang@example.com"))


def test_the_job_reads_what_was_stored_before_and_reads_again_after_a_new_catalogue(office):
    waited, polite = said(office, 1, WAITED), said(office, 2, "承辦人很親切")
    db.session.execute(CommentTheme.__table__.delete())
    db.session.execute(CommentCode.__table__.delete())   # as if stored before any catalogue
    db.session.commit()
    assert reading.read_all() == "2 comments read with v1"
    assert themes_of(waited) == {"attitude": "complaint", "wait": "complaint"}
    assert reading.read_all() == "0 comments read with v1"   # nothing stale: nothing done

    reading.correct(polite, ["attitude", "facilities"], "praise", factories.user("analyst").id)
    changed = copy.deepcopy(load_default().definition)
    parking = next(t for t in changed["themes"] if t["key"] == "parking")
    parking["mention"].append("櫃檯人員")   # a silly new signal, to see who is read again
    assert catalogues.publish(changed).version == 2
    assert reading.read_all() == "1 comments read with v2"
    assert "parking" in themes_of(waited)
    assert themes_of(polite) == {"attitude": "praise", "facilities": "praise"}   # kept


def test_an_analyst_corrects_a_reading_and_it_is_audited(app, office, client):
    answer = said(office, 1, WAITED)
    analyst = factories.user("analyst")
    login(client, analyst.email, factories.PASSWORD)
    html = client.get("/reports/comments?period=2025H2").get_data(as_text=True)
    token = hidden_fields(html)["csrf_token"]
    url = f"/reports/comments/{answer}/themes?back=period%3D2025H2"
    response = client.post(url, data={"csrf_token": token, "themes": ["wait", "online"],
                                      "tone": "complaint"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/reports/comments?period=2025H2#comment-{answer}")
    # the theme the coding also found keeps its tone; the new one takes the comment's
    assert themes_of(answer) == {"online": "complaint", "wait": "complaint"}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "comment")).one()
    assert event.detail == {"before": {"themes": ["attitude", "wait"], "tone": "complaint"},
                            "after": {"themes": ["wait", "online"], "tone": "complaint"}}
    assert event.actor_id == analyst.id
    text = unescape(client.get("/reports/comments?period=2025H2").get_data(as_text=True))
    assert "分析人員已修正" in text

    bad = client.post(url, data={"csrf_token": token, "themes": ["nonsense"], "tone": "complaint"})
    assert bad.status_code == 400 and "沒有儲存" in bad.get_data(as_text=True)
    assert client.post(url, data={"themes": ["wait"], "tone": "praise"}).status_code == 400
    assert client.post("/reports/comments/999999/themes", data={
        "csrf_token": token, "themes": ["wait"], "tone": "praise"}).status_code == 404
    assert themes_of(answer) == {"online": "complaint", "wait": "complaint"}   # unchanged


@pytest.mark.parametrize("role", ["office", "reviewer", "coordinator", "inspector"])
def test_only_analysts_and_admins_correct(app, office, client, role):
    answer = said(office, 1, WAITED)
    person = factories.user(role)
    if role == "office":
        person.office_id = office.id
    db.session.commit()
    login(client, person.email, factories.PASSWORD)
    token = hidden_fields(client.get("/login").get_data(as_text=True)).get("csrf_token", "")
    response = client.post(f"/reports/comments/{answer}/themes",
                           data={"csrf_token": token, "themes": ["parking"], "tone": "praise"})
    assert response.status_code in (403, 404)
    assert themes_of(answer) == {"attitude": "complaint", "wait": "complaint"}


def test_the_comments_page_says_why_and_filters_by_theme_and_tone(app, office, client):
    said(office, 1, WAITED)
    said(office, 2, "停車很方便，謝謝", overall=5)
    said(office, 3, "希望增加週末服務", overall=4)
    login(client, factories.user("analyst").email, factories.PASSWORD)

    def page(query: str) -> str:
        response = client.get(f"/reports/comments?period=2025H2&{query}")
        assert response.status_code == 200
        return unescape(response.get_data(as_text=True))

    everything = page("")
    assert "因為提到「態度很差」、「等了一個小時」" in everything.replace("\n", "")
    assert "等候時間" in everything and "抱怨" in everything
    waiting = page("theme=wait")
    assert WAITED in waiting and "停車很方便" not in waiting
    praising = page("tone=praise")
    assert "停車很方便" in praising and WAITED not in praising
    assert "希望增加週末服務" in page("tone=neutral")
    assert client.get("/reports/comments?period=2025H2&theme=nonsense").status_code == 400
    assert client.get("/reports/comments?period=2025H2&tone=angry").status_code == 400


def test_the_report_counts_commenters_per_theme_and_follows_a_correction(app, office):
    from webapp.reporting.reports import build as reporting
    from webapp.reporting.reports import cache

    waited = [said(office, i, f"等了一個小時（第 {i} 位）") for i in range(20)]
    for i in range(20, 31):
        said(office, i, "承辦人很親切", overall=5)
    said(office, 99, None)   # answered without a comment: not a commenter
    themes = reading_report(reporting)
    assert themes["commenters"] == 31
    wait = next(t for t in themes["themes"] if t["key"] == "wait")
    assert (wait["count"], wait["complaints"], wait["praise"]) == (20, 20, 0)
    assert wait["share"] == pytest.approx(20 / 31) and wait["interval"][0] < 20 / 31
    assert wait["label"] == "等候時間" and wait["change"] is None
    row = themes["offices"][0]
    assert row["code"] == office.code and row["reportable"] and row["commenters"] == 31
    before = cache.fingerprint()
    reading.correct(waited[0], ["parking"], "complaint", factories.user("analyst").id)
    assert cache.fingerprint() != before   # a cached report is not served after a correction
    wait = next(t for t in reading_report(reporting)["themes"] if t["key"] == "wait")
    assert wait["count"] == 19


def reading_report(reporting) -> dict:
    return reporting.build("2025H2", instrument="satisfaction")["instruments"]["satisfaction"][
        "comment_themes"]


def test_the_scorecard_shows_the_top_themes_with_masked_examples(app, office, client):
    for i in range(3):
        said(office, i, f"等了一個小時，請回電 0912-345-67{i}")
    said(office, 5, "停車位太少")
    manager = factories.user("office")
    manager.office_id = office.id
    db.session.commit()
    login(client, manager.email, factories.PASSWORD)
    response = client.get(f"/reports/office/{office.code}?period=2025H2")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    part = html.split("民眾意見最常提到的主題")[1]
    assert part.index("等候時間") < part.index("停車與交通")   # the most mentioned first
    assert "3 則（抱怨 3、稱讚 0）" in part
    assert part.count("等了一個小時，請回電 〔已遮蔽電話〕") == 2   # two examples, masked
    assert "0912-345" not in html


def test_the_exports_carry_the_themes_and_tone(app, office, tmp_path):
    import pyreadstat

    from webapp.reporting import exports

    said(office, 1, WAITED)
    said(office, 2, None)
    data = exports.table("satisfaction", "2025H2")
    names = [v.name for v in data.variables]
    rows = {row[0]: dict(zip(names, row, strict=True)) for row in data.rows}
    first, second = sorted(rows)
    assert (rows[first]["comment_themes"], rows[first]["comment_tone"]) == ("attitude;wait", "complaint")
    assert (rows[second]["comment_themes"], rows[second]["comment_tone"]) == (None, None)
    path = tmp_path / "responses.sav"
    exports.write(data, "sav", path)
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame["comment_themes"]) == ["attitude;wait", ""]
    tone = meta.variable_value_labels["comment_tone"]
    assert tone[frame["comment_tone"][0]] == "抱怨"
    assert meta.column_names_to_labels["comment_tone"] == "意見語氣"


def test_two_comment_questions_count_their_commenter_once(app, office):
    from webapp.reporting import exports
    from webapp.reporting.themes.counts import theme_counts

    definition = copy.deepcopy(instruments.current("satisfaction")[1].definition)
    definition["sections"][-1]["questions"].append({
        "key": "comment_more", "type": "text", "required": False, "max_length": 500,
        "label": {"zh_TW": "還有其他想說的嗎", "en": "Anything else?"}})
    version = instruments.publish(definition)
    instrument = instruments.instrument_of(version)
    storage.store(version=version, instrument=instrument, office=office, channel="kiosk",
                  status="submitted", occurred_at=datetime(2025, 9, 10, 14, 0, tzinfo=TAIPEI),
                  answers={"overall": Stored(3), "comment": Stored(None, "等太久了"),
                           "comment_more": Stored(None, "不過叫號很快，不會很久")},
                  idempotency_key="themes-two-questions")
    counts = theme_counts("satisfaction", "2025H2", ["comment", "comment_more"], [office.id],
                          ["wait"])
    assert (counts.commenters[0], counts.mentions[0, 0], counts.complaints[0, 0],
            counts.praise[0, 0]) == (1, 1, 1, 0)
    data = exports.table("satisfaction", "2025H2")
    names = [v.name for v in data.variables]
    row = dict(zip(names, data.rows[0], strict=True))
    assert (row["comment_themes"], row["comment_tone"]) == ("wait", "complaint")


def test_hand_edited_addresses_get_no_500(app, office, client):
    answer = said(office, 1, WAITED)
    login(client, factories.user("analyst").email, factories.PASSWORD)
    html = client.get("/reports/comments?period=2025H2").get_data(as_text=True)
    token = hidden_fields(html)["csrf_token"]
    response = client.post(f"/reports/comments/{answer}/themes?back=period%3D2025H2%0D%0AX-Evil%3A%201",
                           data={"csrf_token": token, "themes": ["wait"], "tone": "complaint"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/reports/comments?period=2025H2%0D%0AX-Evil")
    assert "X-Evil" not in response.headers
    raw = client.get(b"/reports/comments?period=2025H2&office=%FF%FE".decode("latin-1"))
    assert raw.status_code < 500
