"""Instruments authored in a spreadsheet: export, edit with openpyxl, upload, preview, publish.

What an admin relies on: the workbook they download reads back to the same instrument (an
unchanged upload is no new version); every problem is named by sheet, row and column and
nothing is published until all are fixed; the preview shows the form and what changed; and
records filed before keep scoring with their own version.
"""

from __future__ import annotations

import copy
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from support import factories
from support.flows import full_phone_answers, post_form, signed_in
from support.web import hidden_fields, login

from forms import workbook, xlsform
from forms.diff import compare
from forms.instrument import DEFAULT_KEYS, check, load_default
from webapp.capture.submissions import Submission
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.admin import workbooks
from webapp.programme.instruments import InstrumentVersion


@pytest.mark.parametrize("key", DEFAULT_KEYS)
def test_the_workbook_reads_back_to_the_same_instrument(app, key):
    definition = load_default(key).definition
    back, problems = read(workbooks.xlsx_bytes(definition))
    assert problems == []
    assert check(back).checksum() == check(definition).checksum()


def test_the_workbook_is_an_xlsform_and_offers_drop_downs(app):
    book = load_workbook(io.BytesIO(workbooks.xlsx_bytes(load_default("phone").definition)))
    assert book.sheetnames[:3] == ["survey", "choices", "settings"]
    survey = book["survey"]
    header = [c.value for c in survey[1]]
    for column in ("type", "name", ZH, EN, "hint::中文 (zh)", "required", "relevant",
                   "constraint", "points", "bands"):
        assert column in header
    rows = list(survey.iter_rows(min_row=2, values_only=True))
    rings = next(r for r in rows if r[1] == "rings")
    assert rings[header.index("type")] == "integer"
    assert rings[header.index("constraint")] == ". >= 0 and . <= 99"
    assert rings[header.index("bands")] == "4:1.0, 6:0.5" and rings[header.index("points")] == 25
    greets = next(r for r in rows if r[1] == "greets")
    assert greets[header.index("type")] == "select_one yes_no_na"
    assert [r[0] for r in rows].count("begin_group") == [r[0] for r in rows].count("end_group") == \
        len(load_default("phone").sections)
    assert survey.freeze_panes == "A2"
    validated = {str(rule.sqref).split(":")[0][:1] for rule in survey.data_validations.dataValidation}
    assert "ABCDEFGHIJKLMNOPQRSTU"[header.index("required")] in validated
    settings = book["settings"]
    assert settings.max_row == 2                  # XLSForm's one-row settings
    values = dict(zip([c.value for c in settings[1]], [c.value for c in settings[2]], strict=True))
    assert values["form_id"] == "phone" and values["version"] == "1"
    assert values["default_language"] == "中文 (zh)"
    assert values["grade_bands"].startswith("90 優等; 80 甲") and values["kind"] == "inspection"


ZH, EN = "label::中文 (zh)", "label::English (en)"


def read(raw: bytes, name: str | None = None):
    upload = workbooks.Upload(raw, name)
    return upload.definition, upload.refusals


def edit(raw: bytes, change) -> bytes:
    """Open the workbook as a person would in Excel (openpyxl), change it, save it."""
    book = load_workbook(io.BytesIO(raw))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell(sheet, key: str, column: str):
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("name")].value == key:
            return row[header.index(column)]
    raise KeyError(key)


def test_every_problem_is_listed_with_sheet_row_and_column(app):
    def break_it(book):
        cell(book["survey"], "greets", "type").value = "geopoint"
        cell(book["survey"], "tone", "points").value = "ten"
        cell(book["survey"], "rings", "bands").value = "4 full"
        cell(book["survey"], "states_name", "required").value = "maybe"
        book["survey"]["Z1"] = "appearance"
        book["survey"]["Z3"] = "minimal"
    raw = edit(workbooks.xlsx_bytes(load_default("phone").definition), break_it)
    upload = workbooks.Upload(raw)
    assert upload.definition is None
    found = {(p.sheet, p.row, p.column) for p in upload.refusals}
    rows = {key: cell(load_workbook(io.BytesIO(raw))["survey"], key, "name").row
            for key in ("greets", "tone", "rings", "states_name")}
    assert ("survey", rows["greets"], "type") in found
    assert ("survey", rows["tone"], "points") in found
    assert ("survey", rows["rings"], "bands") in found
    assert ("survey", rows["states_name"], "required") in found
    assert len(upload.refusals) == 4
    [ignored] = upload.ignored                     # listed, with its place, but not a refusal
    assert (ignored.sheet, ignored.row, ignored.column) == ("survey", 1, "appearance")
    assert upload.letter(ignored) == "Z"


def test_a_condition_naming_a_later_item_is_placed_on_its_row(app):
    def later(book):
        cell(book["survey"], "greets", "relevant").value = "${polite_close} = 'yes'"
    raw = edit(workbooks.xlsx_bytes(load_default("phone").definition), later)
    definition, [problem] = read(raw)
    assert definition is None and problem.sheet == "survey"
    assert problem.row == cell(load_workbook(io.BytesIO(raw))["survey"], "greets", "name").row
    assert "not an earlier question" in problem.message


def test_the_diff_names_added_removed_reworded_and_reweighted_items():
    before = load_default("phone").definition
    after = copy.deepcopy(before)
    greeting = next(s for s in after["sections"] if s["key"] == "greeting")
    greeting["questions"][0]["label"]["zh_TW"] = "接聽時報出機關名稱"
    greeting["questions"][1]["points"] = 8
    greeting["questions"].append({"key": "smiles", "type": "yes_no_na", "label": {"zh_TW": "聲音帶笑"},
                                  "points": 2})
    closing = next(s for s in after["sections"] if s["key"] == "closing")
    closing["questions"].pop()
    after["grade_bands"] = [[90, "特優"], [80, "優"], [70, "良"], [60, "可"], [0, "待改進"]]
    changes = compare(before, after)
    assert [c.key for c in changes.added] == ["smiles"]
    assert [c.key for c in changes.removed] == ["caller_hangs_up_first"]
    assert [c.key for c in changes.reworded] == ["states_unit"]
    assert [(c.key, c.details) for c in changes.reweighted] == [("greets", ["配分：5 → 8"])]
    assert [c.key for c in changes.settings] == ["grade_bands"]
    assert compare(before, before).empty


@pytest.fixture
def admin_client(app, client):
    admin = factories.user("admin")
    assert login(client, admin.email, factories.PASSWORD).status_code == 302
    return client


def upload(client, raw: bytes, name: str = "phone.xlsx"):
    token = hidden_fields(client.get("/admin/instruments").get_data(as_text=True))["csrf_token"]
    return client.post("/admin/instruments/upload", data={
        "csrf_token": token, "file": (io.BytesIO(raw), name)}, content_type="multipart/form-data")


def versions(key: str) -> int:
    return db.session.scalar(select(func.count()).select_from(InstrumentVersion)
                             .where(InstrumentVersion.key == key))


def test_round_trip_on_the_web_and_old_records_keep_their_version(app, admin_client, office):
    """Export, edit a label and a weight with openpyxl, upload, preview, publish."""
    inspector = factories.user("inspector")
    field = app.test_client()
    signed_in(field, inspector)
    assert post_form(field, "/inspect/new/phone", full_phone_answers(greets="no"), office).status_code == 302
    before = db.session.scalars(select(Submission)).one()
    old_score = before.score                                 # greets (5 of 105 points) missed
    assert old_score == round(100 * 100 / 105, 2)

    raw = admin_client.get("/admin/instruments/phone.xlsx")
    assert raw.status_code == 200
    assert raw.headers["Content-Disposition"] == 'attachment; filename="phone-v1.xlsx"'

    def chiayi(book):
        cell(book["survey"], "greets", ZH).value = "有問候語（您好、午安）"
        cell(book["survey"], "greets", "points").value = 20
    page = upload(admin_client, edit(raw.data, chiayi))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "有問候語（您好、午安）" in html                  # the form as inspectors will see it
    assert "配分：5 → 20" in html and "文字修改" in html and "配分修改" in html
    assert versions("phone") == 1                            # a preview publishes nothing

    token = hidden_fields(html)
    response = admin_client.post("/admin/instruments/publish", data=token)
    assert response.status_code == 302
    assert versions("phone") == 2
    row, current = instruments.current("phone")
    assert row.version == 2 and current.question("greets")["points"] == 20
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "instrument_published")
                             .order_by(AuditEvent.id.desc())).detail["version"] == 2

    # the old record still shows and scores with v1; a new one uses v2
    db.session.refresh(before)
    assert before.instrument_version.version == 1 and before.score == old_score
    old_page = field.get(f"/inspect/{before.id}").get_data(as_text=True)
    assert "有問候語（您好）" in old_page and "午安" not in old_page   # in its own version's words
    assert post_form(field, "/inspect/new/phone", full_phone_answers(greets="no"), office).status_code == 302
    after = db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()
    assert after.instrument_version.version == 2 and after.score == round(100 * 100 / 120, 2)

    # the same preview sent again cannot publish over the version it did not see
    response = admin_client.post("/admin/instruments/publish", data=token)
    assert response.status_code == 302 and versions("phone") == 2


def test_publishing_refuses_a_preview_overtaken_by_another_version(app, admin_client):
    raw = admin_client.get("/admin/instruments/phone.xlsx").data
    def reword(book):
        cell(book["survey"], "tone", ZH).value = "語氣溫和"
    preview = hidden_fields(upload(admin_client, edit(raw, reword)).get_data(as_text=True))
    meanwhile = load_default("phone").definition | {"title": {"zh_TW": "電話測試", "en": "Phone"}}
    instruments.publish(meanwhile)
    response = admin_client.post("/admin/instruments/publish", data=preview, follow_redirects=True)
    assert "已有人發布了 phone v2" in response.get_data(as_text=True)
    assert versions("phone") == 2 and instruments.current("phone")[1].question("tone")["label"]["zh_TW"] != "語氣溫和"


def test_a_tampered_preview_publishes_nothing(app, admin_client):
    raw = admin_client.get("/admin/instruments/phone.xlsx").data
    def reword(book):
        cell(book["survey"], "tone", ZH).value = "語氣溫和"
    fields = hidden_fields(upload(admin_client, edit(raw, reword)).get_data(as_text=True))
    fields["draft"] = fields["draft"][:-3] + "AAA"
    response = admin_client.post("/admin/instruments/publish", data=fields, follow_redirects=True)
    assert "預覽已過期或無效" in response.get_data(as_text=True) and versions("phone") == 1


def test_an_unchanged_upload_says_so_and_makes_no_version(app, admin_client):
    raw = admin_client.get("/admin/instruments/mystery.xlsx").data
    page = upload(admin_client, raw, "mystery.xlsx").get_data(as_text=True)
    assert "內容與目前版本相同" in page
    assert "發布為新版本" not in page and 'name="draft"' not in page   # nothing to publish
    assert "回到問卷列表" in page
    assert versions("mystery") == 1


def test_the_preview_says_changes_in_words_and_warns_of_english_left_behind(app, admin_client):
    """A reworded Chinese label whose English stayed is flagged; no internal key is shown."""
    raw = admin_client.get("/admin/instruments/phone.xlsx").data
    def reword(book):
        cell(book["survey"], "tone", ZH).value = "語氣溫和"
        cell(book["survey"], "greets", ZH).value = "有問候語"
        cell(book["survey"], "greets", EN).value = "Says a greeting"
        cell(book["survey"], "greets", "required").value = "no"
    html = upload(admin_client, edit(raw, reword)).get_data(as_text=True)
    warning = html[html.index("中文改了，英文沒有跟著改"):html.index("</div>", html.index("中文改了"))]
    assert "語氣溫和" in warning and "有問候語" not in warning      # greets' English was updated
    assert "題目文字（中文）：「有問候語（您好）」 → 「有問候語」" in html
    assert "題目文字（英文）：" in html and "必填：是 → 否" in html
    for internal in ("<code>", "label:", "required:", ">tone<", ">greets<"):
        assert internal not in html
    assert "發布為新版本" in html


def test_bad_workbooks_on_the_web_list_the_problems_and_publish_nothing(app, admin_client):
    raw = admin_client.get("/admin/instruments/phone.xlsx").data
    def unknown_key(book):
        book["settings"]["A2"] = "chiayi"          # form_id: a new instrument
    page = upload(admin_client, edit(raw, unknown_key))
    assert page.status_code == 400 and "新的問卷只能是 survey" in page.get_data(as_text=True)
    def broken(book):
        cell(book["survey"], "tone", "points").value = "ten"
    page = upload(admin_client, edit(raw, broken))
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "沒有發布任何內容" in html
    assert re.search(r"<td>survey</td><td>\d+</td><td>points \([A-Z]\)</td><td class=\"nowrap\">需修正</td>", html)
    assert versions("phone") == 1


def test_command_line_export_and_publish(app, runner, tmp_path):
    out = tmp_path / "phone.xlsx"
    result = runner.invoke(args=["instruments", "export", "phone", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    def reweight(book):
        cell(book["survey"], "tone", "points").value = 15
    out.write_bytes(edit(out.read_bytes(), reweight))
    result = runner.invoke(args=["instruments", "publish", str(out)])
    assert result.exit_code == 0, result.output
    assert "配分修改 1 題" in result.output and "已發布 phone v2" in result.output
    def broken(book):
        cell(book["survey"], "tone", "type").value = "stars"
    out.write_bytes(edit(out.read_bytes(), broken))
    result = runner.invoke(args=["instruments", "publish", str(out)])
    assert result.exit_code == 1 and "survey 第" in result.output and "type 欄" in result.output
    assert versions("phone") == 2
    assert xlsform.from_sheets({})[0] is None


def test_an_option_limited_to_a_kind_of_office_survives_the_workbook_and_bad_kinds_are_named(app):
    definition = load_default("satisfaction").definition
    sheets = workbook.to_sheets(definition)
    header = sheets["choices"][0]
    rows = {row[header.index("name")]: row for row in sheets["choices"][1:]}
    at = header.index("office_kinds")
    assert rows["survey"][at] == "land" and rows["id_card"][at] == "household"
    assert rows["other"][at] is None
    rows["other"][at] = "household，land"          # a full-width comma is read too
    back, problems = xlsform.from_sheets(sheets)
    assert problems == []
    service = next(q for s in back["sections"] for q in s["questions"] if q["key"] == "service_used")
    assert next(o for o in service["options"] if o["key"] == "other")["office_kinds"] == [
        "household", "land"]
    rows["id_card"][at] = "county"
    _none, problems = xlsform.from_sheets(sheets)
    assert [(p.sheet, p.column) for p in problems] == [("choices", "office_kinds")]
    assert "household" in problems[0].message and "land" in problems[0].message
    broken = copy.deepcopy(definition)
    service = next(q for s in broken["sections"] for q in s["questions"] if q["key"] == "service_used")
    service["options"][0]["office_kinds"] = []
    with pytest.raises(ValueError, match="office_kinds"):
        check(broken)
