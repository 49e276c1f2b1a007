"""The report and the scorecard show no interval of zero width (issue 26, item 5).

33 identical answers to the main item, three phone-test checks of 100 in each half: report.json
keeps its keys with ``null`` bounds and a note, the page and the scorecard say the interval
cannot be estimated (never "100.0–100.0" or "0.00–0.00"), the spreadsheets leave the bound
cells empty, and the scores chart draws without the missing bars and without a warning.
"""

from __future__ import annotations

import io
import json
import warnings
from datetime import datetime
from html import unescape

import pytest
from openpyxl import load_workbook
from support import factories
from support.web import login

from analysis import charts, report_charts
from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform import spreadsheets
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.reporting.reports import build as reporting
from webapp.reporting.reports import sheets

H2 = datetime(2025, 9, 15, 10, 0, tzinfo=TAIPEI)
H1 = datetime(2025, 3, 15, 10, 0, tzinfo=TAIPEI)
SCORE_NOTE = "各次查核分數完全相同，無法估計區間"
CHANGE_NOTE = "兩期各次查核分數都完全相同，無法估計變化的區間"


@pytest.fixture
def seeded(app):
    same = factories.office(code="TPH-DAAN", name="大安戶政")
    mixed = factories.office(code="TPH-XINYI", name="信義戶政")
    version, survey = instruments.current("satisfaction")
    serial = 0
    for office, values in ((same, [3] * 33), (mixed, [5, 4, 3, 2, 4] * 8)):
        for value in values:
            serial += 1
            storage.store(version=version, instrument=survey, office=office, channel="kiosk",
                          status="submitted", occurred_at=H2, answers={"overall": Stored(value)},
                          idempotency_key=f"same-{serial:08d}", commit=False, lookup=False)
    db.session.commit()
    version, phone = instruments.current("phone")
    yes = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    inspector = factories.user("inspector")
    # three checks of 100 a half at 大安 (2 rings: every point); 信義 differs from check to check
    for moment in (H1, H2):
        for office, rings in ((same, (2, 2, 2)), (mixed, (2, 6, 2))):
            for ring in rings:
                serial += 1
                storage.store(version=version, instrument=phone, office=office,
                              channel="inspector", status="approved", occurred_at=moment,
                              answers={**yes, "rings": Stored(ring)},
                              idempotency_key=f"phone-{serial:08d}", inspector=inspector)
    return {"same": same, "mixed": mixed}


def by_code(rows: list[dict]) -> dict:
    return {r["code"]: r for r in rows}


def test_report_json_keeps_its_keys_with_null_bounds_and_a_note(seeded):
    report = reporting.build("2025H2", compare_to="2025H1")
    survey = by_code(report["instruments"]["satisfaction"]["offices"])
    same, mixed = survey["TPH-DAAN"], survey["TPH-XINYI"]
    assert same["n"] == 33 and same["mean"] == 3.0 and same["sd"] == 0.0
    assert same["mean_ci"] == [None, None] and same["mean_ci_note"] == "no_spread"
    assert mixed["mean_ci_note"] is None and 1.0 <= mixed["mean_ci"][0] < mixed["mean_ci"][1] <= 5
    phone = report["instruments"]["phone"]
    score = by_code(phone["offices"])
    assert score["TPH-DAAN"]["score_mean"] == 100.0
    assert score["TPH-DAAN"]["score_ci"] == [None, None]
    assert score["TPH-DAAN"]["score_ci_note"] == "no_spread"
    low, high = score["TPH-XINYI"]["score_ci"]
    assert score["TPH-XINYI"]["score_ci_note"] is None
    assert 0.0 <= low < high == 100.0                       # clipped to the scale, not 104
    change = by_code(phone["change"])["TPH-DAAN"]
    assert change["diff"] == 0.0 and change["diff_ci"] == [None, None]
    assert change["diff_ci_note"] == "no_spread"
    text = json.dumps(report)
    assert "NaN" not in text and "Infinity" not in text


def test_the_page_and_the_scorecard_say_the_interval_cannot_be_estimated(seeded, client):
    login(client, factories.user("analyst").email, factories.PASSWORD)
    page = client.get("/reports/?period=2025H2&compare_to=2025H1")
    assert page.status_code == 200
    html = unescape(page.get_data(as_text=True))
    assert SCORE_NOTE in html and CHANGE_NOTE in html
    assert "100.0–100.0" not in html and "100.00–100.00" not in html
    assert "0.00–0.00" not in html and "0.0–0.0" not in html and "3.0–3.0" not in html
    assert "–100.0)" in html                               # 信義's interval, clipped at 100
    card = client.get("/reports/office/TPH-DAAN?period=2025H2&compare_to=2025H1")
    assert card.status_code == 200
    text = unescape(card.get_data(as_text=True))
    assert SCORE_NOTE in text and "100.0–100.0" not in text
    other = unescape(client.get("/reports/office/TPH-XINYI?period=2025H2").get_data(as_text=True))
    assert SCORE_NOTE not in other and "95% CI" in other


def test_the_spreadsheets_leave_a_missing_bound_empty(seeded, client, tmp_path):
    report = reporting.build("2025H2", compare_to="2025H1")
    spreadsheets.write_xlsx(tmp_path / "r.xlsx", sheets.tables(report))
    book = load_workbook(tmp_path / "r.xlsx")
    survey = book["民眾滿意度調查"]
    header = [c.value for c in survey[1]]
    row = next(r for r in survey.iter_rows(min_row=2) if r[0].value == "TPH-DAAN")
    assert row[header.index("平均")].value == 3.0
    assert row[header.index("平均95%CI下限")].value is None
    assert row[header.index("平均95%CI上限")].value is None
    phone = next(name for name in book.sheetnames if name.startswith("電話")
                 and "－" not in name)
    header = [c.value for c in book[phone][1]]
    row = next(r for r in book[phone].iter_rows(min_row=2) if r[0].value == "TPH-DAAN")
    assert row[header.index("平均分數")].value == 100.0
    assert row[header.index("95%CI下限")].value is None
    assert row[header.index("95%CI上限")].value is None
    import pandas as pd

    spreadsheets.write_ods(tmp_path / "r.ods", sheets.tables(report))
    frame = pd.read_excel(tmp_path / "r.ods", engine="odf", sheet_name="民眾滿意度調查")
    same = frame[frame["機關代碼"] == "TPH-DAAN"].iloc[0]
    assert pd.isna(same["平均95%CI下限"]) and pd.isna(same["平均95%CI上限"])
    login(client, factories.user("analyst").email, factories.PASSWORD)
    for fmt in ("xlsx", "ods", "json"):
        response = client.get(f"/reports/download.{fmt}?period=2025H2&compare_to=2025H1")
        assert response.status_code == 200, fmt
    assert load_workbook(io.BytesIO(client.get(
        "/reports/download.xlsx?period=2025H2").data)).sheetnames


def test_the_scores_chart_skips_the_missing_interval_without_a_warning(seeded):
    report = reporting.build("2025H2", compare_to="2025H1")
    section = report["instruments"]["phone"]
    assert "scores" in report_charts.chart_names(section, report["compare_label"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = report_charts.chart(section, "scores", report["period_label"],
                                     report["compare_label"])
        svg = charts.to_svg(figure, text=True)
    assert "<svg" in svg
