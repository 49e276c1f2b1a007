"""Paper questionnaires from CSV: all rows or none, every bad row named with its line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support import factories

from webapp.capture.submissions import Answer, Submission
from webapp.platform.extensions import db

HEADER = ("office_code,submitted_on,attitude,knowledge,efficiency,fairness,environment,waiting,"
          "expectations,overall,service_used,age_band,comment")


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


@pytest.fixture
def offices(app):
    return factories.office(), factories.office(code="NTL-BANQIAO", name="新北市板橋地政事務所",
                                                kind="land")


def good_rows(n: int) -> list[str]:
    rows = []
    for i in range(n):
        code, service = ("TPH-DAAN", "household_transcript") if i % 2 else ("ntl-banqiao",
                                                                            "land_transcript")
        rows.append(f"{code},2025-0{1 + i % 6}-1{i % 9},5,4,,3,4,2,5,{1 + i % 5},"
                    f"{service},65plus,第{i}張")
    return rows


def write(tmp_path, lines: list[str], encoding="utf-8-sig"):
    path = tmp_path / "paper.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_template_prints_the_header(runner, app):
    result = runner.invoke(args=["responses", "template", "satisfaction"])
    assert result.exit_code == 0 and result.output.strip() == HEADER


def test_import_with_bom_stores_every_row(runner, offices, tmp_path):
    path = write(tmp_path, [HEADER, *good_rows(40)])
    result = runner.invoke(args=["responses", "import", "satisfaction", str(path)])
    assert result.exit_code == 0, result.output
    assert "匯入 40 份" in result.output
    assert stored() == 40
    paper = db.session.scalars(select(Submission)).all()
    assert {s.channel for s in paper} == {"paper"} and {s.half for s in paper} == {"2025H1"}
    blank = db.session.scalars(select(Answer).where(Answer.item_key == "efficiency")).all()
    assert len(blank) == 40 and {a.value for a in blank} == {None}   # blank cell = no answer


def test_one_bad_row_among_many_imports_nothing_and_names_every_bad_line(runner, offices,
                                                                          tmp_path):
    rows = good_rows(60)
    rows[17] = rows[17].replace(",5,4,", ",7,4,", 1)          # line 19: out of range
    rows[41] = "TPH-NOPE" + rows[41][rows[41].index(","):]     # line 43: unknown office
    rows[50] = rows[50].replace("2025-", "2025/", 1)           # line 52: bad date
    path = write(tmp_path, [HEADER, *rows])
    result = runner.invoke(args=["responses", "import", "satisfaction", str(path)])
    assert result.exit_code == 1
    assert "第 19 行：attitude（服務態度）" in result.output and "收到「7」" in result.output
    assert "第 43 行：office_code" in result.output and "TPH-NOPE" in result.output
    assert "第 52 行：submitted_on" in result.output
    assert "共 3 行有誤，沒有匯入任何資料" in result.output
    assert stored() == 0 and db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_a_service_the_office_does_not_offer_is_refused_naming_the_office_kind(runner, offices,
                                                                               tmp_path):
    rows = good_rows(2)
    rows[1] = rows[1].replace("household_transcript", "地籍謄本")     # line 3: TPH-DAAN, a land service
    path = write(tmp_path, [HEADER, *rows])
    result = runner.invoke(args=["responses", "import", "satisfaction", str(path)])
    assert result.exit_code == 1
    assert "第 3 行：service_used（您今天辦理的業務）：「地籍謄本」不是戶政事務所的選項" in result.output
    assert "第 2 行" not in result.output and stored() == 0


def test_blank_overall_is_no_answer_but_a_short_row_is_bad(runner, offices, tmp_path):
    row = good_rows(1)[0].split(",")
    row[9] = ""
    short = ",".join(row[:5])
    path = write(tmp_path, [HEADER, ",".join(row), short])
    result = runner.invoke(args=["responses", "import", "satisfaction", str(path)])
    assert result.exit_code == 1 and "第 3 行：欄位數為 5" in result.output
    assert "第 2 行" not in result.output


def test_utf8_without_bom_is_accepted(runner, offices, tmp_path):
    path = write(tmp_path, [HEADER, *good_rows(3)], encoding="utf-8")
    assert runner.invoke(args=["responses", "import", "satisfaction", str(path)]).exit_code == 0
    assert stored() == 3


def test_big5_file_gets_a_clear_message(runner, offices, tmp_path):
    path = write(tmp_path, [HEADER, *good_rows(3)], encoding="big5")
    result = runner.invoke(args=["responses", "import", "satisfaction", str(path)])
    assert result.exit_code == 1 and "Big5" in result.output and "UTF-8" in result.output
    assert stored() == 0


def test_wrong_header_is_refused_with_the_right_one(runner, offices, tmp_path):
    path = write(tmp_path, ["office,date,overall", "TPH-DAAN,2025-01-02,5"])
    result = runner.invoke(args=["responses", "import", "satisfaction", str(path)])
    assert result.exit_code == 1 and "標題列不正確" in result.output and HEADER in result.output


def test_importing_the_same_file_twice_stores_it_once(runner, offices, tmp_path):
    path = write(tmp_path, [HEADER, *good_rows(5)])
    runner.invoke(args=["responses", "import", "satisfaction", str(path)])
    again = runner.invoke(args=["responses", "import", "satisfaction", str(path)])
    assert again.exit_code == 0 and "5 份先前已匯入" in again.output
    assert stored() == 5


def test_inspection_instruments_cannot_be_imported_as_paper(runner, offices, tmp_path):
    path = write(tmp_path, ["office_code,submitted_on,rings", "TPH-DAAN,2025-01-02,3"])
    result = runner.invoke(args=["responses", "import", "phone", str(path)])
    assert result.exit_code == 1 and stored() == 0
