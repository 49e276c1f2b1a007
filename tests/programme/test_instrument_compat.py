"""No version can break the reports (issue 28, item 2): a version that retypes a question or
drops one the reports, open data and API read (the survey's ``overall``, a scored inspection
item) is refused with the reason on the web, on the command line and in ``publish``; a period's
report, export and open data read it by the version it was answered on."""

from __future__ import annotations

import copy
import json
from datetime import datetime

import pytest
from support import factories
from support.web import hidden_fields, login
from test_instrument_workbooks import cell, edit, upload, versions

from forms import compat
from forms.instrument import load_default
from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.reporting import exports
from webapp.reporting.reports import build


@pytest.fixture
def admin(app, client):
    assert login(client, factories.user("admin").email, factories.PASSWORD).status_code == 302
    return client


def without(book, key: str) -> None:
    sheet = book["survey"]
    sheet.delete_rows(cell(sheet, key, "name").row)


def test_the_attack_dropping_overall_is_refused_with_the_reason(app, admin):
    raw = admin.get("/admin/instruments/satisfaction.xlsx").data
    page = upload(admin, edit(raw, lambda book: without(book, "overall")), "satisfaction.xlsx")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "不能刪除「整體滿意度」（overall）" in html
    assert "報告依這一題比較各機關" in html and "<td>survey</td><td>—</td><td>name" in html
    assert versions("satisfaction") == 1


def test_a_retyped_question_is_refused_on_its_row(app, admin):
    raw = admin.get("/admin/instruments/satisfaction.xlsx").data
    page = upload(admin, edit(raw, lambda book: setattr(cell(book["survey"], "attitude", "type"),
                                                        "value", "text")), "satisfaction.xlsx")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "的題型不能從 likert5 改成 text" in html
    assert "<td>survey</td><td>3</td><td>type (A)</td>" in html     # row 2 opens its section
    assert versions("satisfaction") == 1


def test_a_scored_item_stays_and_an_unscored_one_may_go(app, admin):
    raw = admin.get("/admin/instruments/phone.xlsx").data
    refused = upload(admin, edit(raw, lambda book: without(book, "tone")))
    assert refused.status_code == 400 and "不能刪除計分題" in refused.get_data(as_text=True)
    allowed = upload(admin, edit(raw, lambda book: without(book, "remarks")))
    assert allowed.status_code == 200
    assert admin.post("/admin/instruments/publish",
                      data=hidden_fields(allowed.get_data(as_text=True))).status_code == 302
    assert versions("phone") == 2 and "remarks" not in instruments.current("phone")[1].keys()


def test_publish_and_the_command_line_refuse_too(app, runner, tmp_path):
    definition = copy.deepcopy(load_default("satisfaction").definition)
    for section in definition["sections"]:
        section["questions"] = [q for q in section["questions"] if q["key"] != "overall"]
    with pytest.raises(compat.Incompatible) as refused:
        instruments.publish(definition)
    assert [b.key for b in refused.value.breaks] == ["overall"]
    db.session.rollback()
    path = tmp_path / "satisfaction.json"
    path.write_text(json.dumps(definition, ensure_ascii=False), "utf-8")
    result = runner.invoke(args=["instruments", "publish", str(path)])
    assert result.exit_code == 1 and "不能刪除「整體滿意度」" in result.output
    assert "沒有發布任何內容" in result.output and versions("satisfaction") == 1


def said(office, key: str, moment: datetime, answers: dict, n: int) -> None:
    version, instrument = instruments.current(key)
    storage.store(version=version, instrument=instrument, office=office, channel="kiosk",
                  status="submitted", occurred_at=moment, answers=answers,
                  idempotency_key=f"compat-{n:08d}")


def test_a_period_reads_by_the_version_it_was_answered_on(app, office):
    said(office, "satisfaction", datetime(2025, 9, 1, 10, tzinfo=TAIPEI),
         {"overall": Stored(4), "attitude": Stored(5)}, 1)
    definition = copy.deepcopy(load_default("satisfaction").definition)
    service = definition["sections"][0]
    service["questions"] = [q for q in service["questions"] if q["key"] != "fairness"]
    overall = next(q for q in service["questions"] if q["key"] == "overall")
    overall["label"] = {"zh_TW": "今天的整體感受", "en": "How was today, overall?"}
    service["questions"].insert(0, {"key": "signage", "type": "likert5", "required": False,
                                    "label": {"zh_TW": "指標清楚", "en": "Clear signs"}})
    instruments.publish(definition)          # drops an unscored item, adds one: allowed
    said(office, "satisfaction", datetime(2026, 3, 2, 10, tzinfo=TAIPEI),
         {"overall": Stored(2), "signage": Stored(3)}, 2)
    then = build.build("2025H2", instrument="satisfaction", min_n=1)["instruments"]["satisfaction"]
    now = build.build("2026H1", instrument="satisfaction", min_n=1)["instruments"]["satisfaction"]
    assert "今天的整體感受" not in then["item_question"] and now["item_question"] == "今天的整體感受"
    old_items = {i["key"] for i in then["items"]}
    assert "fairness" in old_items and "signage" not in old_items
    assert "signage" in {i["key"] for i in now["items"]}
    assert "fairness" in {v.name for v in exports.table("satisfaction", "2025H2").variables}
    assert "signage" in {v.name for v in exports.table("satisfaction", "2026H1").variables}


def test_a_key_brought_back_keeps_its_first_type(app):
    definition = copy.deepcopy(load_default("satisfaction").definition)
    service = definition["sections"][0]
    attitude = next(q for q in service["questions"] if q["key"] == "attitude")
    service["questions"].remove(attitude)
    instruments.publish(definition)                    # dropped: not scored, allowed
    service["questions"].insert(0, {**attitude, "type": "text"})
    with pytest.raises(compat.Incompatible) as refused:
        instruments.publish(definition)                # back as text: the v1 answers are Likert
    assert "likert5 改成 text" in refused.value.breaks[0].message
    db.session.rollback()


def test_sync_keeps_an_admins_version_it_cannot_follow_and_publishes_the_rest(app, runner):
    definition = copy.deepcopy(load_default("mystery").definition)
    definition["sections"][0]["questions"].append({
        "key": "queue_ticket", "type": "yes_no_na", "required": True, "points": 5,
        "label": {"zh_TW": "有抽號碼牌", "en": "Queue ticket"}})
    ours = instruments.publish(definition)
    result = runner.invoke(args=["instruments", "sync"])
    assert result.exit_code == 0, result.output
    assert "mystery：內建版本與已發布的版本不相容" in result.output
    assert instruments.current("mystery")[0].id == ours.id
    assert "staff v1" in result.output and "phone v1" in result.output
