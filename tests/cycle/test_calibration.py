"""Calibration (issue 13, item 6): the coordinator opens rounds, each inspector scores each
scenario once through the web, and the page shows ICC(2,1), alpha per item and each inspector's
deviation, the same numbers pingouin and krippendorff give on the same scores.  A round's
scores never become an office's record."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select
from support import factories
from support.flows import client_for, full_phone_answers, post_page
from support.oracles import pingouin_icc2
from support.web import hidden_fields

from analysis.agreement import Icc21
from webapp.capture.submissions import Submission
from webapp.cycle.calibration import services as calibrations
from webapp.cycle.calibration.models import CalibrationRound, CalibrationScore
from webapp.cycle.notifications.models import Notification
from webapp.platform.extensions import db

krippendorff = pytest.importorskip("krippendorff")

#: what each of three inspectors heard in three recorded calls: the third is lenient
MISSED = [
    [("tone", "greets"), ("tone",), ()],
    [("tone", "greets", "asks_surname"), ("greets", "asks_surname"), ("asks_surname",)],
    [("all_at_once",), (), ()],
]




@pytest.fixture
def panel(app):
    coordinator = factories.user("coordinator")
    people = [factories.user("inspector") for _ in range(3)]
    for person, name in zip(people, ("甲", "乙", "丙"), strict=True):
        person.display_name = f"{name}查核"
    db.session.commit()
    return {"coordinator": client_for(app, coordinator), "people": people,
            "clients": [client_for(app, p) for p in people]}


def score_all(panel):
    for scenario, missed in enumerate(MISSED):
        made = post_page(panel["coordinator"], "/calibration/",
                         {"instrument": "phone", "title": f"錄音 {scenario + 1}"})
        assert made.status_code == 302
        found = db.session.scalars(select(CalibrationRound).order_by(
            CalibrationRound.id.desc())).first()
        for client, skipped in zip(panel["clients"], missed, strict=True):
            answers = {key: value for key, value in full_phone_answers(
                **{item: "no" for item in skipped}).items() if key != "scenario"}
            answers["scenario"] = "情境"
            sent = post_page(client, f"/calibration/{found.id}/score", answers)
            assert sent.status_code == 302, sent.get_data(as_text=True)[:400]


def table(panel):
    rounds = db.session.scalars(select(CalibrationRound).order_by(CalibrationRound.id)).all()
    ids = [p.id for p in panel["people"]]
    x = np.full((len(rounds), len(ids)), np.nan)
    for i, found in enumerate(rounds):
        for s in found.scores:
            x[i, ids.index(s.inspector_id)] = s.score
    return x


def test_agreement_on_the_page_is_what_pingouin_computes(app, panel):
    score_all(panel)
    x = table(panel)
    assert not np.isnan(x).any() and len(set(x.ravel())) > 2
    expected = pingouin_icc2(x)
    found = calibrations.agreement("phone")
    assert found.icc.icc == pytest.approx(expected["ICC"], abs=1e-9)
    page = panel["coordinator"].get("/calibration/").get_data(as_text=True)
    assert f"{expected['ICC']:.2f}" in page
    # the lenient inspector (丙) sits above the others, the strict one (甲) below
    lenient, strict = panel["people"][2].id, panel["people"][0].id
    assert found.deviations[lenient] > 0 > found.deviations[strict]
    others = (x.sum(axis=1, keepdims=True) - x) / 2
    assert found.deviations[lenient] == pytest.approx((x - others)[:, 2].mean())
    assert f"{found.deviations[lenient]:+.1f}" in page


def test_alpha_per_item_is_what_the_krippendorff_package_computes(app, panel):
    score_all(panel)
    found = calibrations.agreement("phone")
    tone = next(item for item in found.items if item["key"] == "tone")
    heard = [[0 if "tone" in MISSED[s][i] else 1 for s in range(3)] for i in range(3)]
    expected = krippendorff.alpha(reliability_data=np.array(heard, dtype=float),
                                  level_of_measurement="nominal")
    assert tone["alpha"] == pytest.approx(expected)
    assert tone["units"] == 3


def test_the_inspectors_are_told_and_a_second_score_is_refused(app, panel):
    made = post_page(panel["coordinator"], "/calibration/", {"instrument": "phone",
                                                              "title": "錄音 1"})
    assert made.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "calibration")) == 3
    found = db.session.scalars(select(CalibrationRound)).one()
    client = panel["clients"][0]
    index = client.get("/inspect/").get_data(as_text=True)
    assert f"/calibration/{found.id}/score" in index
    url = f"/calibration/{found.id}/score"
    page = client.get(url)
    fields = hidden_fields(page.get_data(as_text=True))
    answers = {**full_phone_answers(), **fields}
    assert client.post(url, data=answers).status_code == 302
    again = client.post(url, data={**full_phone_answers(tone="no"), **fields})
    assert again.status_code == 409
    assert db.session.scalars(select(CalibrationScore)).one().score == 100
    assert f"/calibration/{found.id}/score" not in client.get("/inspect/").get_data(as_text=True)
    assert db.session.scalars(select(Submission)).all() == []      # no office's record
    # the round's page, once scored, shows each inspector's answers item by item
    shown = panel["coordinator"].get(f"/calibration/{found.id}")
    assert shown.status_code == 200 and "<td>是</td>" in shown.get_data(as_text=True)


def test_a_closed_round_takes_no_more_scores(app, panel):
    post_page(panel["coordinator"], "/calibration/", {"instrument": "mystery", "title": "情境 A"})
    found = db.session.scalars(select(CalibrationRound)).one()
    closed = post_page(panel["coordinator"], f"/calibration/{found.id}", {})
    assert closed.status_code == 302
    client = panel["clients"][1]
    assert "已經結束" in client.get(f"/calibration/{found.id}/score").get_data(as_text=True)
    token = hidden_fields(client.get("/inspect/").get_data(as_text=True))["csrf_token"]
    assert client.post(f"/calibration/{found.id}/score",
                       data={"csrf_token": token}).status_code == 409


def test_only_the_programme_reads_the_agreement(app, panel):
    assert panel["clients"][0].get("/calibration/").status_code == 403
    for role in ("office", "reviewer", "analyst"):
        assert client_for(app, factories.user(role)).get("/calibration/").status_code == 403
    assert panel["coordinator"].get("/calibration/").status_code == 200


def test_the_report_says_how_comparable_the_inspectors_scores_are(app, panel):
    from datetime import UTC, datetime

    from webapp.reporting.reports.build import build

    score_all(panel)
    daan, xinyi = factories.office(), factories.office("TPH-XINYI", "臺北市信義區戶政事務所")
    first, second = panel["people"][:2]
    for who, place, score in ((first, daan, 80.0), (second, daan, 90.0), (first, xinyi, 85.0)):
        factories.record(place, who, status="approved", score=score, grade="甲",
                         occurred_at=datetime(2025, 8, 12, 2, 15, tzinfo=UTC))
    with app.test_request_context():
        report = build("2025H2", "phone")
    said = report["instruments"]["phone"]["comparability"]
    assert said["offices_with_several_inspectors"] == 1       # 大安 only
    assert said["calibration_rounds"] == 3
    assert said["icc"] == pytest.approx(calibrations.agreement("phone").icc.icc)
    analyst = client_for(app, factories.user("analyst"))
    page = analyst.get("/reports/?period=2025H2&instrument=phone").get_data(as_text=True)
    assert "1 個機關由兩位以上查核人員查核" in page and f"{said['icc']:.2f}" in page


def fixed_icc(monkeypatch, icc, low, high, note=None):
    """The page's ICC pinned to given numbers (the services module's own reference)."""
    made = Icc21(icc, low, high, 3.0, 0.01, 12, 3, note)
    monkeypatch.setattr(calibrations, "icc2_1", lambda scores: made)


def test_the_page_reads_the_agreement_from_its_interval(app, panel, monkeypatch):
    # issue 26, item 7: an estimate of 0.39 is "poor", but its interval 0.09-0.74 reaches
    # moderate, so the page says "poor to moderate" (Koo & Li 2016)
    score_all(panel)
    fixed_icc(monkeypatch, 0.388, 0.093, 0.736)
    page = panel["coordinator"].get("/calibration/").get_data(as_text=True)
    assert "ICC(2,1) = <strong>0.39</strong>" in page and "0.09–0.74" in page
    assert "一致性差至中等" in page
    assert "只依點估計" not in page


def test_without_an_interval_the_page_says_the_reading_is_the_estimates(app, panel, monkeypatch):
    score_all(panel)
    nan = float("nan")
    fixed_icc(monkeypatch, 1.0, nan, nan, "各查核人員分數完全一致")
    page = panel["coordinator"].get("/calibration/").get_data(as_text=True)
    lead = page[page.index('<p class="lead">'):]
    lead = lead[:lead.index("</p>")]
    assert "一致性極佳（沒有信賴區間，只依點估計判讀，請保留） 各查核人員分數完全一致" in lead
    assert "95%" not in lead


@pytest.mark.parametrize("low,high,reading,said", [
    (0.78, 0.95, "good to excellent", "不同查核人員的分數大致可以互相比較。"),
    (0.62, 0.95, "moderate to excellent", "比較時請保留"),
])
def test_the_report_reads_comparability_from_the_interval(app, panel, monkeypatch, low, high,
                                                          reading, said):
    from datetime import UTC, datetime

    from webapp.reporting.reports.build import build

    score_all(panel)
    fixed_icc(monkeypatch, 0.88, low, high)
    daan = factories.office()
    for who, score in ((panel["people"][0], 80.0), (panel["people"][1], 90.0)):
        factories.record(daan, who, status="approved", score=score, grade="甲",
                         occurred_at=datetime(2025, 8, 12, 2, 15, tzinfo=UTC))
    with app.test_request_context():
        report = build("2025H2", "phone")
    assert report["instruments"]["phone"]["comparability"]["reading"] == reading
    analyst = client_for(app, factories.user("analyst"))
    page = analyst.get("/reports/?period=2025H2&instrument=phone").get_data(as_text=True)
    assert said in page
