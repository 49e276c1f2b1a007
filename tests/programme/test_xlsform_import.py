"""XLSForms written elsewhere, in and out: real files from KoboToolbox's and pyxform's
repositories (tests/fixtures/xlsform/SOURCES.md) become instruments, what has no equivalent is
listed by sheet, row and column, and pyxform converts what the app writes."""

from __future__ import annotations

import copy
import io
from datetime import date
from pathlib import Path

import pyreadstat
import pytest
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert
from sqlalchemy import select
from support import factories
from support.web import hidden_fields, login
from test_instrument_workbooks import upload, versions

from forms import compat, workbook, xlsform
from forms.instrument import DEFAULT_KEYS, load_default
from webapp.capture.submissions import Answer
from webapp.platform import uploads
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.admin import workbooks

FIXTURES = Path(__file__).parents[1] / "fixtures" / "xlsform"


@pytest.fixture
def admin_client(app, client):
    assert login(client, factories.user("admin").email, factories.PASSWORD).status_code == 302
    return client


def read(name: str, raw: bytes | None = None) -> workbooks.Upload:
    return workbooks.Upload(raw if raw is not None else (FIXTURES / name).read_bytes(), name)


def questions(definition: dict) -> dict[str, dict]:
    return {q["key"]: q for s in definition["sections"] for q in s["questions"]}


def test_a_kobo_form_with_two_languages_curly_quotes_and_hints_is_read(app):
    found = read("kpi_multilang_relevant_hint.xlsx")
    assert found.refusals == []
    asked = questions(found.definition)
    marital = asked["respondent_marital"]
    assert marital["type"] == "single_choice" and len(marital["options"]) == 6
    assert marital["label"]["en"] and "hint" in marital
    # ‘other’ as Excel typed it reads as 'other'
    assert asked["marital_other"]["relevant"] == "selected(${respondent_marital}, 'other')"
    # Tetun has no place here: each of its columns is named, with the reason, and left out
    assert {(p.sheet, p.column) for p in found.ignored} == {
        ("survey", "label::Tetun"), ("survey", "hint::Tetun"), ("choices", "label::Tetun")}
    assert all("Tetun" in p.message and p.row == 1 for p in found.ignored)


@pytest.mark.parametrize(("name", "types"), [
    ("kpi_select_multiple_accents.xlsx", {"words_with_accents": "multiple_choice"}),
    ("pyxform_group_field_list.xlsx", {"table_list_question": "single_choice"}),
    ("pyxform_text_and_integer.xlsx", {"your_name": "text", "your_age": "count"}),
    ("pyxform_extra_sheet_names.xlsx", {"test": "text"}),
])
def test_real_xlsforms_become_instruments_of_the_matching_types(app, name, types):
    found = read(name)
    assert found.refusals == [] and found.ignored == []
    assert {k: q["type"] for k, q in questions(found.definition).items()} == types
    assert found.definition["key"] == name.removesuffix(".xlsx")     # no form_id: the file's name
    if name.startswith("pyxform_group"):             # `begin group` ... `end_group`, a section
        assert [s["key"] for s in found.definition["sections"]] == ["name"]


def test_a_form_with_a_photo_is_refused_on_its_row_and_the_metadata_is_listed(app):
    found = read("kpi_unsupported_image_phonenumber.xlsx")
    assert found.definition is None
    [refusal] = found.refusals
    assert (refusal.sheet, refusal.row, refusal.column) == ("survey", 13, "type")
    assert "image" in refusal.message and "沒有對應" in refusal.message
    assert {p.row for p in found.ignored if p.column == "type"} == set(range(2, 9))  # start ... phonenumber
    # what the Kobo author changes by hand: delete the photo row; the rest is read
    book = load_workbook(io.BytesIO((FIXTURES / "kpi_unsupported_image_phonenumber.xlsx").read_bytes()))
    book["survey"].delete_rows(13)
    out = io.BytesIO()
    book.save(out)
    fixed = read("exp.xlsx", out.getvalue())
    assert fixed.refusals == [] and fixed.definition["key"] == "exp_one"   # settings' id_string
    types = {q["type"] for q in questions(fixed.definition).values()}
    assert {"date", "decimal", "single_choice", "text"} <= types


def test_a_workbook_with_formulas_is_refused_as_a_whole_with_the_cells_named(app):
    with pytest.raises(uploads.ImportFileError, match="survey!C2"):
        read("pyxform_date_settings.xlsx")


def kobo_form() -> bytes:
    """A survey as KoboToolbox's form builder writes it: two languages by name and code,
    nested groups, a note, hints, curly quotes, metadata rows and Kobo's own columns."""
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Chinese (zh)", "label::English (en)", "hint::Chinese (zh)",
                   "required", "relevant", "constraint", "appearance", "$kuid"])
    for row in (
        ["start", "start"], ["end", "end"],
        ["begin_group", "visit", "這次來訪", "This visit"],
        ["note", "welcome", "感謝您花一分鐘填答", "Thank you"],
        ["select_multiple services", "services", "辦了哪些業務", "Services", "可複選", "yes", None, None,
         "minimal", "a1"],
        ["text", "other_service", "其他業務", "Other", None, "no", "selected(${services}, ‘other’)"],
        ["begin group", "travel", "交通", "Travel", None, None, "${services} != ''"],
        ["decimal", "distance", "距離（公里）", "Distance (km)", None, None, None, ". >= 0 and . <= 300"],
        ["integer", "companions", "同行人數", "Companions", None, None, None, ". > 0"],
        ["end group"],
        ["date", "filed_on", "申請日期", "Filed on"],
        ["end_group"],
    ):
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list name", "name", "label::Chinese (zh)", "label::English (en)"])
    for name, zh, en in (("transcript", "謄本", "Transcript"), ("move", "遷徙", "Moving"),
                         ("other", "其他", "Other")):
        choices.append(["services", name, zh, en])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language", "style"])
    settings.append(["來訪調查", "visit_survey", "2026120701", "Chinese (zh)", "pages"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_kobo_form_becomes_a_new_survey_keyed_on_paper_and_exported(app, admin_client, runner,
                                                                      tmp_path):
    page = upload(admin_client, kobo_form(), "visit.xlsx")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "這是一份新的問卷（代碼 visit_survey）" in html and "發布新問卷" in html
    assert "已略過的內容（5）" in html          # start, end, appearance, $kuid, settings' style
    assert "感謝您花一分鐘填答" in html and 'type="checkbox"' in html and "可複選" in html
    assert versions("visit_survey") == 0
    assert admin_client.post("/admin/instruments/publish", data=hidden_fields(html)).status_code == 302
    row, survey = instruments.current("visit_survey")
    assert row.version == 1 and survey.kind == "survey"
    listed = admin_client.get("/admin/instruments").get_data(as_text=True)
    assert "<td>visit_survey</td><td>v1</td><td>來訪調查</td>\n<td>5</td>" in listed   # the note asks nothing
    asked = questions(row.definition)
    assert asked["distance"]["type"] == "decimal" and (asked["distance"]["min"], asked["distance"]["max"]) == (0, 300)
    assert asked["companions"]["min"] == 1                      # . > 0 for a whole number
    assert asked["other_service"]["relevant"] == "selected(${services}, 'other')"
    travel = next(s for s in row.definition["sections"] if s["key"] == "travel")
    assert travel["relevant"] == "${services} != ''"
    assert [s["key"] for s in row.definition["sections"]] == ["visit", "travel", "visit_2"]

    # keyed on paper like the shipped surveys, every new type stored
    office = factories.office()
    assert b"services" in admin_client.get("/paper/template/visit_survey.csv").data
    header = runner.invoke(args=["responses", "template", "visit_survey"]).output.strip()
    assert header == ("office_code,submitted_on,services,other_service,distance,companions,"
                      "filed_on")
    path = tmp_path / "visit.csv"
    path.write_text(header + f"\n{office.code},2026-11-02,謄本、其他,英文謄本,3.5,2,2026-10-30\n"
                    f"{office.code},2026-11-03,move,,12,1,\n", "utf-8-sig")
    result = runner.invoke(args=["responses", "import", "visit_survey", str(path)])
    assert result.exit_code == 0, result.output
    stored = {(a.item_key, a.value, a.text) for a in db.session.scalars(select(Answer))}
    assert ("services", 0b101, "transcript other") in stored and ("services", 0b010, "move") in stored
    assert ("distance", None, "3.5") in stored and ("filed_on", None, "2026-10-30") in stored

    # exported: a 0/1 column per option, the decimal a number, the date a date
    out = tmp_path / "visit.sav"
    result = runner.invoke(args=["responses", "export", "visit_survey", "--period", "2026H2",
                                 "--format", "sav", "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_sav(str(out))
    first = frame.iloc[0]
    assert (first["services_transcript"], first["services_move"], first["services_other"]) == (1, 0, 1)
    assert meta.variable_value_labels["services_other"] == {0.0: "未選", 1.0: "有選"}
    assert first["distance"] == 3.5 and meta.original_variable_types["filed_on"].startswith("DATE")
    assert frame["filed_on"].iloc[0] == date(2026, 10, 30)
    assert "welcome" not in frame.columns                # a note holds no answer
    # and an analyst finds the download beside the reported instruments'
    analyst = app.test_client()
    assert login(analyst, factories.user("analyst").email, factories.PASSWORD).status_code == 302
    page = analyst.get("/reports/?period=2026H2").get_data(as_text=True)
    assert "來訪調查" in page and "instrument=visit_survey" in page
    assert analyst.get("/reports/responses.csv?instrument=visit_survey&period=2026H2").status_code == 200


def test_an_inspection_cannot_be_made_from_an_xlsform_and_a_shipped_kind_cannot_change(app, admin_client):
    definition = copy.deepcopy(load_default("phone").definition) | {"key": "chiayi_phone"}
    page = upload(admin_client, workbooks.xlsx_bytes(definition), "chiayi.xlsx")
    assert page.status_code == 400 and "新的問卷只能是 survey" in page.get_data(as_text=True)
    assert versions("chiayi_phone") == 0


@pytest.mark.parametrize("key", DEFAULT_KEYS)
def test_pyxform_converts_the_apps_workbook_without_a_warning(app, key, tmp_path):
    path = tmp_path / f"{key}.xlsx"
    path.write_bytes(workbooks.xlsx_bytes(load_default(key).definition))
    result = convert(xlsform=str(path), validate=False)
    assert result.warnings == []
    xform = result.xform
    for question in load_default(key).questions():
        assert f"/{question['key']}\"" in xform or f"/{question['key']} " in xform
    assert f'id="{key}"' in xform and 'version="1"' in xform
    assert 'lang="中文 (zh)"' in xform and 'lang="English (en)"' in xform


def test_pyxform_converts_the_new_types_and_they_read_back_unchanged(app, tmp_path):
    raw = kobo_form()
    definition = read("visit.xlsx", raw).definition
    path = tmp_path / "visit.xlsx"
    path.write_bytes(workbooks.xlsx_bytes(definition))
    result = convert(xlsform=str(path), validate=False)
    assert result.warnings == []
    for element in ('<select ref="/data/visit/services"', 'type="decimal"', 'type="date"',
                    'constraint=". &gt;= 0 and . &lt;= 300"'):
        assert element in result.xform
    back = read("visit.xlsx", path.read_bytes())
    assert back.problems == [] and back.definition == definition


def test_the_command_line_publishes_a_kobo_form_and_says_what_it_left_out(app, runner, tmp_path):
    path = tmp_path / "visit.xlsx"
    path.write_bytes(kobo_form())
    result = runner.invoke(args=["instruments", "publish", str(path)])
    assert result.exit_code == 0, result.output
    assert "survey 第 2 列 type 欄（已略過）：「start」" in result.output
    assert "已發布 visit_survey v1" in result.output
    old = tmp_path / "old.xls"          # an Excel 97 file: its own message, not a codec error
    old.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512)
    result = runner.invoke(args=["instruments", "publish", str(old)])
    assert result.exit_code == 1 and "舊版 Excel（.xls）" in result.output
    assert "codec" not in result.output


def test_a_multiple_choice_may_only_gain_options_at_the_end(app):
    visit = read("visit.xlsx", kobo_form()).definition
    instruments.publish(visit)
    swapped = copy.deepcopy(visit)
    services = questions(swapped)["services"]
    services["options"].reverse()                  # each stored answer is a bit per position
    with pytest.raises(compat.Incompatible, match="選項只能加在最後"):
        instruments.publish(swapped)
    added = copy.deepcopy(visit)
    questions(added)["services"]["options"].append({"key": "seal", "label": {"zh_TW": "印鑑"}})
    assert instruments.publish(added).version == 2


def test_names_the_database_cannot_keep_and_odd_versions_are_problems_not_errors(app):
    sheets = {"survey": [["type", "name", "label"], ["text", "q" * 65, "太長"]],
              "settings": [["form_id", "version"], ["f" * 41, "²"]]}
    definition, problems = xlsform.from_sheets(sheets)
    assert definition is None
    assert {(p.sheet, p.column) for p in problems} == {("settings", "form_id"), ("survey", "name")}
    assert all("最多" in p.message for p in problems)


def test_a_fractional_bound_is_written_as_xlsform_reads_it(app):
    definition = copy.deepcopy(read("visit.xlsx", kobo_form()).definition)
    questions(definition)["distance"]["min"] = 0.00001
    survey = workbook.to_sheets(definition)["survey"]
    row = next(r for r in survey if r[1] == "distance")
    assert row[survey[0].index("constraint")] == ". >= 0.00001 and . <= 300"
    assert xlsform.from_sheets(workbook.to_sheets(definition))[0] == definition
