"""The theme catalogue as a workbook, lossless both ways, every problem by sheet, row and column;
and the sentences that say what a new version changes."""

from __future__ import annotations

import copy

from analysis.themes.catalogue import load_default
from analysis.themes.diff import compare
from analysis.themes.workbook import from_sheets, to_sheets

DEFINITION = load_default().definition


def test_the_workbook_holds_the_catalogue_exactly():
    back, problems = from_sheets(to_sheets(DEFINITION), version=DEFINITION["version"])
    assert problems == [] and back == DEFINITION


def test_every_problem_is_named_by_sheet_row_and_column():
    sheets = to_sheets(DEFINITION)
    sheets["signals"][4][0] = "nonsense"          # row 5: a theme that is not on the sheet
    sheets["signals"][6][1] = "angry"             # row 7: a kind that does not exist
    sheets["words"].append(["fillers", "嗯"])     # a list that does not exist
    sheets["variants"].append(["錯字", ""])
    definition, problems = from_sheets(sheets)
    assert definition is None
    said = {(p.sheet, p.row, p.column) for p in problems}
    assert {("signals", 5, "theme"), ("signals", 7, "kind"),
            ("words", len(sheets["words"]), "list"),
            ("variants", len(sheets["variants"]), "standard")} <= said
    assert all(p.message["zh_TW"] and p.message["en"] for p in problems)


def test_a_missing_sheet_or_column_is_said_and_nothing_else_is_read():
    sheets = to_sheets(DEFINITION)
    del sheets["variants"]
    sheets["themes"][0] = ["key", "label::zh_TW"]
    _definition, problems = from_sheets(sheets)
    assert {(p.sheet, p.column) for p in problems} == {("variants", ""), ("themes", "label::en")}


def test_dropping_a_shipped_theme_is_refused_through_the_catalogue_check():
    sheets = to_sheets(DEFINITION)
    sheets["themes"] = [row for row in sheets["themes"] if row[0] != "parking"]
    sheets["signals"] = [row for row in sheets["signals"] if row[0] != "parking"]
    definition, problems = from_sheets(sheets)
    assert definition is None and any("parking" in p.message["zh_TW"] for p in problems)


def test_the_changes_are_said_in_words():
    new = copy.deepcopy(DEFINITION)
    facilities = next(t for t in new["themes"] if t["key"] == "facilities")
    facilities["mention"].append("盆栽")
    facilities["label"]["zh_TW"] = "環境"
    new["negators"].remove("免")
    new["variants"]["櫃抬"] = "櫃檯"
    new["themes"].append({"key": "safety", "label": {"zh_TW": "安全", "en": "Safety"},
                          "complaint": ["危險"], "praise": [], "mention": []})
    said = compare(DEFINITION, new)
    assert "環境・提及詞：新增「盆栽」" in said
    assert "主題 facilities 的名稱：「環境與設施」→「環境」" in said
    assert "否定詞：刪除「免」" in said
    assert "「櫃抬」讀作「櫃檯」" in said
    assert "新增主題「安全」（safety）" in said
    assert compare(DEFINITION, DEFINITION) == []
    assert "Safety" in " ".join(compare(DEFINITION, new, "en"))
