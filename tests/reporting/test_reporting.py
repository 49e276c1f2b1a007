"""The report from database rows to report.json, checked against SciPy on the raw answers."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime
from html import unescape

import numpy as np
import pytest
from scipy import stats
from support import factories
from support.web import login

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.reporting import counts as aggregates
from webapp.reporting.reports import build as reporting

H2 = datetime(2025, 9, 15, 10, 0, tzinfo=TAIPEI)
H1 = datetime(2025, 3, 15, 10, 0, tzinfo=TAIPEI)
# overall answers per office (value: how many); DATONG has none in 2025H2
ANSWERS = {
    "TPH-DAAN": {5: 30, 4: 12, 3: 5, 2: 2, 1: 1},
    "TPH-XINYI": {5: 10, 4: 15, 3: 10, 2: 6, 1: 4},
    "NTL-BANQIAO": {4: 1},                          # n = 1
    "TPH-DATONG": {},
}
BEFORE = {"TPH-DAAN": {5: 20, 4: 10, 3: 10, 2: 5, 1: 5}, "TPH-XINYI": {5: 10, 4: 15, 3: 10}}


@pytest.fixture
def seeded(app):
    offices = {code: factories.office(code=code, name=f"{code}事務所",
                                      kind="land" if code.startswith("NTL") else "household")
               for code in ANSWERS}
    version, survey = instruments.current("satisfaction")
    serial = 0
    for moment, table in ((H2, ANSWERS), (H1, BEFORE)):
        for code, counts in table.items():
            for value, n in counts.items():
                for _ in range(n):
                    serial += 1
                    answers = {"overall": Stored(value), "attitude": Stored(min(5, value + serial % 2)),
                               "knowledge": Stored(value if serial % 3 else None)}
                    storage.store(version=version, instrument=survey, office=offices[code],
                                  channel="kiosk", status="submitted", occurred_at=moment,
                                  answers=answers, idempotency_key=f"seed-{serial:06d}",
                                  commit=False, lookup=False)
    db.session.commit()
    return offices


def expanded(table: dict) -> list[np.ndarray]:
    return [np.repeat(list(c), list(c.values())) for c in table.values() if c]


def test_report_json_matches_scipy_on_the_raw_answers(seeded):
    report = reporting.build("2025H2", "satisfaction", min_n=1)   # judge every office here
    section = report["instruments"]["satisfaction"]
    by_code = {o["code"]: o for o in section["offices"]}
    raw = {code: np.repeat(list(c), list(c.values())) for code, c in ANSWERS.items()}
    for code, values in raw.items():
        office = by_code[code]
        assert office["n"] == len(values)
        if len(values) == 0:
            assert office["mean"] is None and office["satisfied_rate"] is None
            continue
        assert office["mean"] == pytest.approx(values.mean(), rel=1e-12)
        satisfied = int((values >= 4).sum())
        assert office["satisfied_rate"] == pytest.approx(satisfied / len(values), rel=1e-12)
        ci = stats.binomtest(satisfied, len(values)).proportion_ci(method="wilson")
        assert office["satisfied_ci"] == pytest.approx([ci.low, ci.high], rel=1e-9)
        if len(values) > 1:
            t = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
            assert office["mean_ci"] == pytest.approx(list(t), rel=1e-9)
    h, p = stats.kruskal(*expanded(ANSWERS))
    kruskal = section["tests"]["kruskal"]
    assert kruskal["H"] == pytest.approx(h, rel=1e-9) and kruskal["p"] == pytest.approx(p, rel=1e-9)
    assert kruskal["df"] == 2                      # the office with no answers is left out
    n = sum(len(v) for v in raw.values())
    assert kruskal["epsilon2"] == pytest.approx(h * (n + 1) / (n * n - 1), rel=1e-9)
    f, p_f = stats.f_oneway(*expanded(ANSWERS))
    assert section["tests"]["anova"]["F"] == pytest.approx(f, rel=1e-9)
    for office in section["offices"]:
        for low, high in (office["satisfied_ci"], office["mean_ci"]):
            assert low is None or low <= high
        assert office["satisfied_rate"] is None or 0 <= office["satisfied_rate"] <= 1


def test_an_office_below_the_minimum_n_shows_its_n_and_no_rate(seeded):
    section = reporting.build("2025H2", "satisfaction")["instruments"]["satisfaction"]
    by_code = {o["code"]: o for o in section["offices"]}
    small = by_code["NTL-BANQIAO"]                          # one answer, REPORT_MIN_N = 30
    assert small["reportable"] is False and small["n"] == 1
    assert small["satisfied_rate"] is None and small["group"] == "" and small["funnel"] is None
    assert small["rank_interval"] is None and small["shrunk_rate"] is None
    assert by_code["TPH-DAAN"]["reportable"] and by_code["TPH-XINYI"]["reportable"]
    assert section["n"] == 50 + 45 + 1                      # it still counts overall
    assert section["overall"]["satisfied_rate"] == pytest.approx((42 + 25 + 1) / 96)
    assert section["overall"]["margin_of_error"] == pytest.approx(1.96 * (0.25 / 96) ** 0.5)
    assert "NTL-BANQIAO" in section["summary"]["numbers"]["too_small"]
    assert section["offices_reportable"] == 2


def test_change_against_the_previous_half_year(seeded):
    report = reporting.build("2025H2", "satisfaction", compare_to="2025H1", min_n=1)
    change = {c["code"]: c for c in report["instruments"]["satisfaction"]["change"]}
    daan = change["TPH-DAAN"]
    assert daan["before_rate"] == pytest.approx(30 / 50) and daan["after_rate"] == pytest.approx(42 / 50)
    assert daan["diff"] == pytest.approx(42 / 50 - 30 / 50)
    assert daan["diff_ci"][0] < daan["diff"] < daan["diff_ci"][1]
    before = np.repeat([5, 4, 3, 2, 1], [20, 10, 10, 5, 5])
    after = np.repeat([5, 4, 3, 2, 1], [30, 12, 5, 2, 1])
    u = stats.mannwhitneyu(after, before, method="asymptotic")
    assert daan["mann_whitney"]["p"] == pytest.approx(u.pvalue, rel=1e-9)
    assert change["NTL-BANQIAO"]["diff"] is None      # nothing to compare with


def test_cronbach_alpha_from_sql_sums_matches_the_respondent_matrix(seeded):
    ids = [o.id for o in seeded.values()]
    items = ["attitude", "knowledge", "overall"]
    n, sums, squares, item_total, total_sq = aggregates.likert_scale_sums(
        "satisfaction", "2025H2", items, ids)
    from sqlalchemy import select

    from webapp.capture.submissions import Answer

    rows = {}
    for a in db.session.scalars(select(Answer).where(Answer.half == "2025H2")):
        rows.setdefault(a.submission_id, {})[a.item_key] = a.value
    matrix = np.array([[r[i] for i in items] for r in rows.values()
                       if all(r.get(i) is not None for i in items)], dtype=float)
    assert n == len(matrix)
    total = matrix.sum(axis=1)
    assert sums == pytest.approx(matrix.sum(axis=0))
    assert squares == pytest.approx((matrix ** 2).sum(axis=0))
    assert item_total == pytest.approx(matrix.T @ total)
    assert total_sq == pytest.approx((total ** 2).sum())
    assert aggregates.likert_scale_sums("satisfaction", "2025H2", items)[0] == n   # no filter


def test_only_approved_inspector_records_count(app):
    office = factories.office()
    inspector = factories.user("inspector")
    version, phone = instruments.current("phone")
    yes = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    for i, (status, rings) in enumerate([("approved", 2), ("approved", 6), ("submitted", 9),
                                         ("returned", 9)]):
        storage.store(version=version, instrument=phone, office=office, channel="inspector",
                      status=status, occurred_at=H2, answers={**yes, "rings": Stored(rings)},
                      idempotency_key=f"insp-{i:04d}-xxxxxxxxxxxx", inspector=inspector)
    section = reporting.build("2025H2", "phone")["instruments"]["phone"]
    row = section["offices"][0]
    assert row["checks"] == row["n"] == 2
    assert row["score_mean"] == pytest.approx((100 + 100 * (105 - 12.5) / 105) / 2, rel=1e-4)
    assert row["sections"]["speed"] == pytest.approx(75.0)    # 25 + 12.5 of 50 points
    rings = next(i for i in section["items"] if i["key"] == "rings")
    assert (rings["failed"], rings["n"]) == (1, 2)
    assert section["items"][0]["key"] == "rings"             # the most missed comes first


def test_a_scored_single_choice_item_counts_in_sections_and_failure_rates(app):
    """Single choice keeps its option key in ``text``; it must still be counted."""
    import copy

    office = factories.office()
    inspector = factories.user("inspector")
    definition = copy.deepcopy(instruments.current("mystery")[1].definition)
    definition["sections"][0]["questions"].append({
        "key": "guidance", "type": "single_choice", "required": True, "points": 10,
        "label": {"zh_TW": "引導服務", "en": "Guidance"},
        "options": [{"key": "full", "label": {"zh_TW": "完整", "en": "Full"}, "fraction": 1},
                    {"key": "partial", "label": {"zh_TW": "部分", "en": "Partial"},
                     "fraction": 0.5},
                    {"key": "none", "label": {"zh_TW": "沒有", "en": "None"}, "fraction": 0}]})
    version = instruments.publish(definition)
    mystery = instruments.instrument_of(version)
    section = mystery.sections[0]
    yes = {q["key"]: Stored(1) for q in section["questions"] if q["type"] == "yes_no_na"}
    for i, choice in enumerate(["full", "partial", "none", "full"]):
        answers = {**yes, "guidance": Stored(["full", "partial", "none"].index(choice) + 1, choice)}
        storage.store(version=version, instrument=mystery, office=office, channel="inspector",
                      status="approved", occurred_at=H2, answers=answers,
                      idempotency_key=f"choice-{i:04d}-xxxxxxxxxxx", inspector=inspector)
    report = reporting.build("2025H2", "mystery")["instruments"]["mystery"]
    guidance = next(item for item in report["items"] if item["key"] == "guidance")
    assert (guidance["failed"], guidance["n"]) == (2, 4)        # partial and none fall short
    points = sum(q["points"] for q in section["questions"] if q["type"] == "yes_no_na")
    expected = 100 * (4 * points + 10 * (1 + 0.5 + 0 + 1)) / (4 * (points + 10))
    assert report["offices"][0]["sections"][section["key"]] == pytest.approx(expected)

    # A later version reorders the options and drops "none".  A period read by it (the newest
    # version it was answered on) scores old answers by their option key, and the dropped
    # option counts as not applicable -- no crash, no shift.
    options = definition["sections"][0]["questions"][-1]["options"]
    definition["sections"][0]["questions"][-1]["options"] = [options[1], options[0]]
    later = instruments.publish(definition)
    storage.store(version=later, instrument=instruments.instrument_of(later), office=office,
                  channel="inspector", status="approved", occurred_at=H2,
                  answers={**yes, "guidance": Stored(1, "full")},
                  idempotency_key="choice-0004-xxxxxxxxxxx", inspector=inspector)
    report = reporting.build("2025H2", "mystery")["instruments"]["mystery"]
    guidance = next(item for item in report["items"] if item["key"] == "guidance")
    assert (guidance["failed"], guidance["n"]) == (1, 4)        # partial; none is now N/A
    expected = 100 * (5 * points + 10 * (1 + 0.5 + 1 + 1)) / (5 * points + 4 * 10)
    assert report["offices"][0]["sections"][section["key"]] == pytest.approx(expected)


def test_a_period_without_data_is_a_clear_message(app):
    factories.office()
    with pytest.raises(reporting.ReportError, match="沒有任何資料"):
        reporting.build("2024H1")
    with pytest.raises(reporting.ReportError, match="113年第1季"):
        reporting.build("2024Q1")
    with pytest.raises(reporting.ReportError, match="期間格式"):
        reporting.build("2024Q5")


def test_a_quarter_counts_only_its_own_three_months(seeded, runner, tmp_path, client):
    version, survey = instruments.current("satisfaction")
    november = datetime(2025, 11, 20, 10, 0, tzinfo=TAIPEI)     # 2025H2, but Q4, not Q3
    for i in range(7):
        storage.store(version=version, instrument=survey, office=seeded["TPH-DATONG"],
                      channel="kiosk", status="submitted", occurred_at=november,
                      answers={"overall": Stored(1)}, idempotency_key=f"q4-{i:012d}")
    def rows(period, **kw):
        section = reporting.build(period, "satisfaction", **kw)["instruments"]["satisfaction"]
        return {o["code"]: o["n"] for o in section["offices"]}, section
    q3, _ = rows("2025Q3")
    h2, _ = rows("2025H2")
    assert q3 == {code: sum(c.values()) for code, c in ANSWERS.items()}   # September only
    assert h2["TPH-DATONG"] == 7 and q3["TPH-DATONG"] == 0
    _, compared = rows("2025Q3", compare_to="2025Q1")
    daan = {c["code"]: c for c in compared["change"]}["TPH-DAAN"]
    assert daan["before_rate"] == pytest.approx(30 / 50) and daan["after_rate"] == pytest.approx(42 / 50)
    with pytest.raises(reporting.ReportError, match="同為半年或同為季"):
        reporting.build("2025Q3", compare_to="2025H1")
    out = tmp_path / "q"
    result = runner.invoke(args=["report", "--period", "2025Q3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "report.json").read_text("utf-8"))["period_label"] == "114年第3季"
    login(client, factories.user("analyst").email, factories.PASSWORD)
    page = client.get("/reports/?period=2025Q3").get_data(as_text=True)
    assert "114年第3季" in page and '<option value="2025Q4"' in page    # the picker offers them
    title = page.split("<h1>")[1].split("</h1>")[0]                  # a quarter's, not 半年報
    assert title == "114年第3季 服務品質季報" and "<title>季報" in page
    assert "服務品質季報" in (out / "report.html").read_text("utf-8")
    summary_at = page.index('id="summary-title"')                     # the summary comes first;
    assert page.index('<details class="report-options">') < summary_at  # folded: not open
    assert '<details class="report-options downloads-box">' in page
    glossary = unescape(page.split('id="glossary-title"')[1])       # every term, explained
    for term in ("誤差範圍", "Holm", "經驗貝氏", "Cochran-Mantel-Haenszel", "Breslow-Day", "ε²",
                 "Cramér's V", "Cronbach's α", "ICC(2,1)", "排名範圍"):
        assert f"<dt>{term}" in glossary or f"、{term}</dt>" in glossary, term
    upper = client.get("/reports/quality?period=2025Q3")
    lower = client.get("/reports/quality?period=2025q3").get_data(as_text=True)
    assert upper.status_code == 200 and 'value="2025Q3" selected' in lower
    assert lower.split("</form>")[1] == upper.get_data(as_text=True).split("</form>")[1]


def test_the_compare_period_must_be_earlier_and_may_be_empty(seeded, runner, tmp_path, client):
    for later in ("2025H2", "2026H1"):
        with pytest.raises(reporting.ReportError, match="必須早於"):
            reporting.build("2025H2", compare_to=later)
    result = runner.invoke(args=["report", "--period", "2025H1", "--compare-to", "2025H2",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 1 and "必須早於" in result.output
    section = reporting.build("2025H2", "satisfaction", compare_to="2019H1")["instruments"][
        "satisfaction"]
    assert "change" not in section and "108年上半年" in section["compare_message"]
    login(client, factories.user("analyst").email, factories.PASSWORD)
    page = client.get("/reports/?period=2025H2&compare_to=2019H1").get_data(as_text=True)
    assert "108年上半年(2019H1)沒有回答，無法與前期比較" in page
    assert client.get("/reports/?period=2025H1&compare_to=2025H2").status_code == 400


def test_one_office_with_answers_still_names_the_kruskal_test(seeded):
    report = reporting.build("2025H2", "satisfaction", codes=["TPH-DAAN"])
    kruskal = report["instruments"]["satisfaction"]["tests"]["kruskal"]
    assert kruskal["H"] is None and kruskal["df"] == 0 and "fewer than two" in kruskal["note"]


def test_cli_writes_every_file(seeded, runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(args=["report", "--period", "2025H2", "--compare-to", "2025H1",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"report.html", "report.json", "report.xlsx", "report.ods"} <= names
    assert {"satisfaction_funnel.svg", "satisfaction_likert.svg", "satisfaction_heatmap.svg",
            "satisfaction_change.svg"} <= names
    assert not any(name.endswith(".png") for name in names)          # SVG unless asked for
    svg = (out / "satisfaction_funnel.svg").read_text("utf-8")
    assert "<text" in svg and "sans-serif" in svg                    # text as text
    data = json.loads((out / "report.json").read_text("utf-8"))
    assert data["period_label"] == "114年下半年"
    office = data["instruments"]["satisfaction"]["offices"][0]
    assert {"code", "name", "n", "mean", "mean_ci", "satisfied_rate", "satisfied_ci"} <= set(office)
    assert set(data["instruments"]["satisfaction"]["tests"]["kruskal"]) >= {"H", "p", "df", "epsilon2"}
    assert data["instruments"]["phone"]["empty"] is True
    assert data["compare_to"] == "2025H1" and data["instruments"]["satisfaction"]["change"]
    html = (out / "report.html").read_text("utf-8")
    assert "<link" not in html and "data:image/svg+xml;base64," in html   # opens from disk
    printed = tmp_path / "print"
    assert runner.invoke(args=["report", "--period", "2025H2", "--out", str(printed),
                               "--png"]).exit_code == 0
    assert (printed / "satisfaction_funnel.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_without_data_exits_1(app, runner, tmp_path):
    factories.office()
    result = runner.invoke(args=["report", "--period", "2024H1", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "沒有任何資料" in result.output


def test_analysts_page_and_downloads(seeded, client, app):
    analyst = factories.user("analyst")
    login(client, analyst.email, factories.PASSWORD)
    page = client.get("/reports/?period=2025H2&compare_to=2025H1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "114年下半年" in html and "Kruskal-Wallis" in html
    assert "data:image" not in html                      # no chart inside the page
    charts = re.findall(r'<img src="(/reports/chart/[a-z_]+\.svg\?[^"]+)"[^>]*loading="lazy"', html)
    assert any("satisfaction_funnel" in c for c in charts) and len(charts) >= 4
    chart = client.get(unescape(charts[0]))
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    body = chart.get_data(as_text=True)
    assert "<text" in body and "Noto Sans CJK TC" in body and "sans-serif" in body  # text as text
    assert chart.headers["Cache-Control"].startswith("private") and chart.headers["ETag"]
    again = client.get(unescape(charts[0]), headers={"If-None-Match": chart.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/reports/chart/nonsense_chart.svg?period=2025H2").status_code == 404
    for fmt, magic in (("json", b"{"), ("xlsx", b"PK"), ("ods", b"PK"), ("zip", b"PK"),
                       ("html", b"<!doctype")):
        response = client.get(f"/reports/download.{fmt}?period=2025H2")
        assert response.status_code == 200 and response.data.startswith(magic), fmt
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers["Content-Type"].count("charset") <= 1, fmt
    assert client.get("/reports/download.html?period=2025H2").headers["Content-Type"] == (
        "text/html; charset=utf-8")
    filtered = client.get("/reports/?period=2025H2&kind=land").get_data(as_text=True)
    filtered = filtered.split('class="filters"')[1].split("</form>", 1)[1]   # not the picker
    assert "NTL-BANQIAO事務所" in filtered and "TPH-DAAN事務所" not in filtered
    seeded["NTL-BANQIAO"].active = False   # switched off: the cached report must not show it
    db.session.commit()
    assert "NTL-BANQIAO事務所" not in client.get("/reports/?period=2025H2&kind=land").get_data(
        as_text=True).split('class="filters"')[1].split("</form>", 1)[1]
    empty = client.get("/reports/?period=2019H1")
    assert empty.status_code == 200 and "沒有任何資料" in empty.get_data(as_text=True)
    assert client.get("/reports/?period=nonsense").status_code == 400


def test_a_download_after_the_page_reuses_the_charts_it_drew(seeded, client, monkeypatch):
    """The analyst's usual path: the page, its charts, then the zip.  The zip holds the very
    charts the page showed, and nothing is drawn a second time."""
    analyst = factories.user("analyst")
    login(client, analyst.email, factories.PASSWORD)
    html = client.get("/reports/?period=2025H2&compare_to=2025H1").get_data(as_text=True)
    shown = {}
    for src in re.findall(r'<img src="(/reports/chart/[a-z_]+\.svg\?[^"]+)"', html):
        shown[src.split("/")[-1].split(".")[0]] = client.get(unescape(src)).data
    assert len(shown) >= 4
    from analysis import charts

    drawn = []
    real = charts.to_svg
    monkeypatch.setattr(charts, "to_svg", lambda *a, **k: drawn.append(a[0]) or real(*a, **k))
    response = client.get("/reports/download.zip?period=2025H2&compare_to=2025H1")
    assert response.status_code == 200 and drawn == []
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        files = {name.split("/")[-1]: archive.read(name) for name in archive.namelist()}
    assert {f"{name}.svg" for name in shown} <= set(files)
    assert all(files[f"{name}.svg"] == body for name, body in shown.items())
    fresh = client.get("/reports/download.zip?period=2025H2&kind=household")
    assert fresh.status_code == 200 and drawn       # a report not seen yet draws its charts


@pytest.mark.parametrize("role", ["inspector", "reviewer"])
def test_other_roles_cannot_read_reports(client, app, role):
    user = factories.user(role)
    login(client, user.email, factories.PASSWORD)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/download.json").status_code == 403


def test_spreadsheets_neutralise_formulas(seeded, tmp_path):
    from openpyxl import load_workbook

    from webapp.platform import spreadsheets
    from webapp.reporting.reports import sheets

    seeded["TPH-DAAN"].name = "=HYPERLINK(\"http://x\",\"click\")"
    db.session.commit()
    report = reporting.build("2025H2", "satisfaction")
    spreadsheets.write_xlsx(tmp_path / "r.xlsx", sheets.tables(report))
    names = [row[1].value for row in load_workbook(tmp_path / "r.xlsx")["民眾滿意度調查"].iter_rows()]
    assert "'=HYPERLINK(\"http://x\",\"click\")" in names
    assert not any(isinstance(n, str) and n.startswith("=") for n in names)

    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.table import TableCell

    spreadsheets.write_ods(tmp_path / "r.ods", sheets.tables(report))
    cells = load(str(tmp_path / "r.ods")).getElementsByType(TableCell)
    texts = [str(cell) for cell in cells]
    assert "'=HYPERLINK(\"http://x\",\"click\")" in texts
    assert not any(t.startswith(("=", "+", "@")) for t in texts)
    assert not any(cell.attributes.get((TABLENS, "formula")) for cell in cells)


def test_spreadsheets_are_for_people_rounded_display_full_precision(seeded, tmp_path):
    import pandas as pd
    from openpyxl import load_workbook

    from webapp.platform import spreadsheets
    from webapp.reporting.reports import sheets

    report = reporting.build("2025H2", "satisfaction", compare_to="2025H1", min_n=1)
    spreadsheets.write_xlsx(tmp_path / "r.xlsx", sheets.tables(report))
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["民眾滿意度調查", "民眾滿意度調查－與前期比較",
                               "民眾滿意度調查－分組比較"]                  # Chinese names
    sheet = book["民眾滿意度調查"]
    assert sheet.freeze_panes == "A2"                                   # header stays in view
    header = [c.value for c in sheet[1]]
    rate = header.index("滿意度")
    daan = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "TPH-DAAN")
    assert daan[rate].value == pytest.approx(42 / 50, rel=1e-12)         # full precision ...
    assert daan[rate].number_format == "0.0%"                           # ... shown as 84.0%
    assert daan[header.index("平均")].number_format == "0.00"
    assert sheet.column_dimensions["B"].width >= 2 * len("TPH-XINYI事務所") // 2  # sized to fit

    english = reporting.build("2025H2", "satisfaction", locale="en", min_n=1)
    spreadsheets.write_xlsx(tmp_path / "en.xlsx", sheets.tables(english))
    assert load_workbook(tmp_path / "en.xlsx").sheetnames[0] == "Citizen satisfaction survey"

    spreadsheets.write_ods(tmp_path / "r.ods", sheets.tables(report))
    frame = pd.read_excel(tmp_path / "r.ods", engine="odf", sheet_name="民眾滿意度調查")
    row = frame[frame["機關代碼"] == "TPH-DAAN"].iloc[0]
    assert row["滿意度"] == pytest.approx(42 / 50, rel=1e-12)
    import zipfile

    with zipfile.ZipFile(tmp_path / "r.ods") as archive:
        assert archive.namelist()[0] == "mimetype"
        content = archive.read("content.xml").decode()
        settings = archive.read("settings.xml").decode()
    assert 'office:value-type="percentage"' in content and "number:percentage-style" in content
    assert "table:table-header-rows" in content and "VerticalSplitPosition" in settings


@pytest.mark.parametrize("stream", [False, True])
def test_xlsx_holds_the_same_cells_streamed_or_not(tmp_path, monkeypatch, stream):
    """Past STREAM_CELLS the workbook is written row by row (constant memory, strings inline):
    the same values, formats, frozen header and guarded formulas either way."""
    from datetime import date

    from openpyxl import load_workbook

    from webapp.platform import spreadsheets

    monkeypatch.setattr(spreadsheets, "STREAM_CELLS", 0 if stream else 10**9)
    columns = [spreadsheets.Column("機關"), spreadsheets.Column("n", "int"),
               spreadsheets.Column("滿意度", "pct1"), spreadsheets.Column("日期"),
               spreadsheets.Column("合格")]
    rows = [["松山戶政事務所", 50, 0.84, date(2025, 7, 1), True],
            ["=1+1", 0, None, None, False], ["+886 2 1234", 3, float("nan"), None, None]]
    spreadsheets.write_xlsx(tmp_path / "s.xlsx", [spreadsheets.Sheet("表", columns, rows)])
    sheet = load_workbook(tmp_path / "s.xlsx")["表"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["機關", "n", "滿意度", "日期", "合格"]
    assert values[1][:3] == ["松山戶政事務所", 50, 0.84] and values[1][4] is True
    assert values[1][3].date() == date(2025, 7, 1)
    assert values[2] == ["'=1+1", 0, None, None, False]              # never a formula
    assert values[3][0] == "'+886 2 1234" and values[3][2] is None   # NaN: blank, no error
    assert sheet["C2"].number_format == "0.0%" and sheet.freeze_panes == "A2"
    spreadsheets.write_ods(tmp_path / "s.ods", [spreadsheets.Sheet("表", columns, rows)])
    with zipfile.ZipFile(tmp_path / "s.ods") as archive:
        content = archive.read("content.xml").decode()
    assert 'office:value="0.84"' in content and "nan" not in content.lower()


def test_the_comparison_picker_offers_only_earlier_periods_of_the_same_kind(seeded, client):
    """Without JavaScript too: the page itself disables what cannot be compared."""
    login(client, factories.user("analyst").email, factories.PASSWORD)
    page = client.get("/reports/?period=2025H2").get_data(as_text=True)
    picker = page.split('name="compare_to"')[1].split("</select>")[0]
    options = {value: "disabled" in attributes
               for value, attributes in re.findall(r'<option value="(\w*)"([^>]*)>', picker)}
    assert options["2025H1"] is False and options["2025H2"] is True
    assert {v for k, v in options.items() if "Q" in k} == {True}
    assert 'value="2025H1" selected' in picker


def test_printed_report_sheets_name_the_period_keep_the_office_and_say_zh_tw(seeded, tmp_path):
    """Issue 28, item 3: every sheet of report.xlsx and report.ods says, on every printed page,
    which period and offices it is of, repeats its office columns, and declares Traditional
    Chinese."""
    import zipfile

    from openpyxl import load_workbook

    from webapp.platform import spreadsheets
    from webapp.reporting.reports import sheets

    report = reporting.build("2025H2", "satisfaction", compare_to="2025H1", kind="household",
                             min_n=1)
    tables = sheets.tables(report)
    spreadsheets.write_xlsx(tmp_path / "r.xlsx", tables)
    book = load_workbook(tmp_path / "r.xlsx")
    for sheet in book.worksheets:
        header = sheet.oddHeader.left.text
        assert "114年下半年" in header and "與114年上半年比較" in header and "戶政事務所" in header
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.page_setup.orientation == "landscape"
    assert book["民眾滿意度調查"].print_title_cols == "$A:$B"       # office code and name
    assert book.properties.title.startswith("114年下半年")
    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        assert '<charset val="136"/>' in archive.read("xl/styles.xml").decode()

    spreadsheets.write_ods(tmp_path / "r.ods", tables)
    with zipfile.ZipFile(tmp_path / "r.ods") as archive:
        styles = archive.read("styles.xml").decode()
        content = archive.read("content.xml").decode()
    assert 'style:language-asian="zh" style:country-asian="TW"' in styles
    assert styles.count("與114年上半年比較") == len(tables)
    assert content.count("<table:table-header-columns>") == len(tables)
