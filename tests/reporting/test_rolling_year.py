"""An office grade over a rolling year (issue 26, item 6): a plan of one or two checks an office
a period never grades a period, but the year ending with the report's period can.

大安 has two approved phone tests in 2025H1 and one in 2025H2 (and one in 2024H2, outside the
year): the 2025H2 table says 查核次數不足, the rolling year grades it on three checks, with the
mean and t-interval of exactly those three scores.
"""

from __future__ import annotations

from datetime import datetime
from html import unescape

import numpy as np
import pytest
from scipy import stats
from sqlalchemy import select
from support import factories
from support.web import login

from analysis.periods import Period
from analysis.report import rolling_report, year_ending, year_label
from forms.types import Stored
from webapp.capture import store as storage
from webapp.capture.submissions import Submission
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.reporting.reports import build as reporting

MOMENTS = {"2024H2": datetime(2024, 10, 15, 10, 0, tzinfo=TAIPEI),
           "2025H1": datetime(2025, 3, 15, 10, 0, tzinfo=TAIPEI),
           "2025H2": datetime(2025, 9, 15, 10, 0, tzinfo=TAIPEI)}


@pytest.fixture
def seeded(app):
    daan = factories.office(code="TPH-DAAN", name="大安戶政")
    factories.office(code="TPH-XINYI", name="信義戶政")            # never checked
    version, phone = instruments.current("phone")
    yes = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    inspector = factories.user("inspector")
    keys = {}
    missed = {**yes, next(iter(yes)): Stored(0)}             # one item missed in 2025H2
    for i, (half, rings) in enumerate((("2024H2", 2), ("2025H1", 2), ("2025H1", 6),
                                        ("2025H2", 2))):
        key = f"rolling-{i:06d}"
        answers = missed if half == "2025H2" else yes
        storage.store(version=version, instrument=phone, office=daan, channel="inspector",
                      status="approved", occurred_at=MOMENTS[half],
                      answers={**answers, "rings": Stored(rings)}, idempotency_key=key,
                      inspector=inspector)
        keys.setdefault(half, []).append(key)
    return keys


def scores(keys: list[str]) -> list[float]:
    """The stored scores of these checks, read one by one (not through the SQL sums)."""
    return [float(db.session.scalar(select(Submission.score)
                                    .where(Submission.idempotency_key == k))) for k in keys]


def test_the_year_ending_with_a_period():
    assert year_ending(Period("2025H2")) == ["2025H1", "2025H2"]
    assert year_ending(Period("2025H1")) == ["2024H2", "2025H1"]
    assert year_ending(Period("2025Q3")) == ["2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    assert year_label(year_ending(Period("2025H2")), "zh_TW") == "114年上半年至114年下半年"
    assert year_label(year_ending(Period("2025Q1")), "en").startswith("2024 Q2 (ROC 113) to ")


def test_the_pooled_counts_are_the_periods_added_up():
    from analysis.report import OfficeInfo

    offices = [OfficeInfo("A", "甲所", "household")]
    first = (np.array([2.0]), np.array([170.0]), np.array([100.0 ** 2 + 70.0 ** 2]))
    second = (np.array([1.0]), np.array([85.0]), np.array([85.0 ** 2]))
    bands = [(90, "優等"), (80, "甲等"), (0, "乙等")]
    result = rolling_report(offices, year_ending(Period("2025H2")), [first, second], bands)
    row = result["offices"][0]
    assert row["checks"] == 3 and row["graded"] and result["offices_graded"] == 1
    assert row["score_mean"] == pytest.approx(85.0) and row["grade"] == "甲等"
    low, high = stats.t.interval(0.95, 2, loc=85.0, scale=stats.sem([100.0, 70.0, 85.0]))
    assert row["score_ci"] == pytest.approx([max(low, 0.0), min(high, 100.0)])
    assert row["grade_certain"] is False and row["grade_range"] == ["乙等", "優等"]
    with pytest.raises(ValueError):
        rolling_report(offices, year_ending(Period("2025H2")), [first], bands)


def test_the_rolling_year_grades_what_one_half_cannot(seeded):
    report = reporting.build("2025H2")
    phone = report["instruments"]["phone"]
    period = {o["code"]: o for o in phone["offices"]}["TPH-DAAN"]
    assert period["checks"] == 1 and not period["graded"] and period["grade"] is None
    year = phone["rolling_year"]
    assert year["periods"] == ["2025H1", "2025H2"]
    assert year["label"] == "114年上半年至114年下半年"
    rows = {o["code"]: o for o in year["offices"]}
    mine = rows["TPH-DAAN"]
    three = scores(seeded["2025H1"] + seeded["2025H2"])      # not the 2024H2 check
    assert len(set(three)) == 3
    assert mine["checks"] == 3 and mine["graded"] and year["offices_graded"] == 1
    assert mine["score_mean"] == pytest.approx(np.mean(three))
    low, high = stats.t.interval(0.95, len(three) - 1, loc=np.mean(three),
                                 scale=stats.sem(three))
    assert mine["score_ci"] == pytest.approx([max(low, 0.0), min(high, 100.0)])
    assert mine["score_ci_note"] is None and mine["grade"]
    assert mine["grade_range"] is not None
    assert mine["grade_certain"] == (mine["grade_range"][0] == mine["grade_range"][1])
    assert rows["TPH-XINYI"]["checks"] == 0 and not rows["TPH-XINYI"]["graded"]
    assert rows["TPH-XINYI"]["score_ci"] == [None, None]
    # 2025H1's own year reaches back to 2024H2: the same three-check pool would differ
    earlier = reporting.build("2025H1")["instruments"]["phone"]["rolling_year"]
    assert earlier["periods"] == ["2024H2", "2025H1"]
    assert {o["code"]: o for o in earlier["offices"]}["TPH-DAAN"]["checks"] == 3


def test_the_page_and_the_scorecard_show_the_rolling_year(seeded, client):
    login(client, factories.user("analyst").email, factories.PASSWORD)
    report = reporting.build("2025H2")
    mine = {o["code"]: o for o in report["instruments"]["phone"]["rolling_year"]["offices"]
            }["TPH-DAAN"]
    page = unescape(client.get("/reports/?period=2025H2").get_data(as_text=True))
    assert "近一年（114年上半年至114年下半年）的機關等第" in page
    assert "查核次數不足" in page                                   # the half's own table
    table = page[page.index("近一年（114年上半年至114年下半年）的機關等第"):]
    table = table[:table.index("</table>")]
    assert f"<td>3</td><td>{mine['score_mean']:.1f} (" in table
    if mine["grade_certain"] is False:
        assert "不確定：區間跨越" in table
    card = unescape(client.get("/reports/office/TPH-DAAN?period=2025H2").get_data(as_text=True))
    grade = mine["grade"]
    assert f"近一年：3 次查核，平均 {mine['score_mean']:.1f} 分，等第" in card
    assert grade in card and "查核少於 3 次，不給機關等第" in card
    quiet = unescape(client.get("/reports/office/TPH-XINYI?period=2025H2")
                     .get_data(as_text=True))
    assert "近一年：" not in quiet
