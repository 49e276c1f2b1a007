"""An office's scorecard: its rows of the half-year report for every instrument on one page."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest
from sqlalchemy import select
from support import factories
from support.web import login

from analysis import report_charts
from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.offices import Office
from webapp.reporting.reports import build as reporting

H2 = datetime(2025, 9, 15, 10, 0, tzinfo=TAIPEI)


@pytest.fixture
def seeded(app, client):
    daan = factories.office(code="TPH-DAAN", name="大安戶政")
    factories.office(code="TPH-XINYI", name="信義戶政")          # no data this period
    version, survey = instruments.current("satisfaction")
    for i in range(40):
        storage.store(version=version, instrument=survey, office=daan, channel="kiosk",
                      status="submitted", occurred_at=H2,
                      answers={"overall": Stored(5 if i % 4 else 2), "attitude": Stored(4),
                               "comment": Stored(None, "很好") if i < 3 else None},
                      idempotency_key=f"card-{i:010d}", commit=False, lookup=False)
    wanhua = factories.office(code="TPH-WANHUA", name="萬華戶政")   # the others on its charts
    for i in range(40):
        storage.store(version=version, instrument=survey, office=wanhua, channel="kiosk",
                      status="submitted", occurred_at=H2,
                      answers={"overall": Stored(4 if i % 2 else 2), "attitude": Stored(3)},
                      idempotency_key=f"card-w-{i:08d}", commit=False, lookup=False)
    db.session.commit()
    version, phone = instruments.current("phone")
    yes = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    inspector = factories.user("inspector")
    for i, (office, rings) in enumerate(((daan, 2), (daan, 6), (wanhua, 9))):
        storage.store(version=version, instrument=phone, office=office, channel="inspector",
                      status="approved", occurred_at=H2, answers={**yes, "rings": Stored(rings)},
                      idempotency_key=f"card-phone-{i:06d}", inspector=inspector)
    login(client, factories.user("analyst").email, factories.PASSWORD)
    return client


def test_the_scorecard_shows_the_reports_numbers_for_the_office(seeded):
    response = seeded.get("/reports/office/TPH-DAAN?period=2025H2")
    assert response.status_code == 200
    text = unescape(response.get_data(as_text=True))
    report = reporting.build("2025H2")
    mine = next(o for o in report["instruments"]["satisfaction"]["offices"]
                if o["code"] == "TPH-DAAN")
    assert "大安戶政" in text and "114年下半年" in text
    assert f"{100 * mine['satisfied_rate']:.1f}%" in text and "意見 3 則" in text
    assert "/reports/comments?period=2025H2&office=TPH-DAAN" in text
    phone = next(o for o in report["instruments"]["phone"]["offices"] if o["code"] == "TPH-DAAN")
    assert f"{phone['score_mean']:.1f}" in text and "接聽速度" in text
    assert "查核少於 3 次，不給機關等第" in text                       # two checks only
    assert "神秘客查核" in text and "本期沒有資料。" in text           # no visit this period


def test_an_office_without_answers_and_bad_requests(seeded):
    quiet = unescape(seeded.get("/reports/office/TPH-XINYI?period=2025H2").get_data(as_text=True))
    assert quiet.count("本期沒有資料。") == 3
    assert seeded.get("/reports/office/NOPE?period=2025H2").status_code == 404
    assert seeded.get("/reports/office/TPH-DAAN?period=2025H7").status_code == 400
    assert seeded.get("/reports/office/tph-daan?period=2025H2").status_code == 200


def test_the_report_links_each_office_to_its_scorecard(seeded):
    page = seeded.get("/reports/?period=2025H2").get_data(as_text=True)
    assert 'href="/reports/office/TPH-DAAN?period=2025H2"' in page


def test_the_scorecard_speaks_plain_words(app, client):
    """Issue 26, item 8: no letters, no 名次區間; which offices this one can be told apart from,
    by name; a rank as a range in words; an interval over the whole scale is 查核次數太少."""
    version, survey = instruments.current("satisfaction")
    names = {"TPH-DAAN": ("大安戶政", 0.95), "TPH-XINYI": ("信義戶政", 0.94),
             "TPH-WANHUA": ("萬華戶政", 0.40)}
    serial, made = 0, []
    for code, (name, rate) in names.items():
        office = factories.office(code=code, name=name)
        made.append(office)
        for i in range(100):
            serial += 1
            storage.store(version=version, instrument=survey, office=office, channel="kiosk",
                          status="submitted", occurred_at=H2,
                          answers={"overall": Stored(5 if i < rate * 100 else 1)},
                          idempotency_key=f"plain-{serial:08d}", commit=False, lookup=False)
    db.session.commit()
    version, phone = instruments.current("phone")
    yes = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    no = {q["key"]: Stored(0) for q in phone.questions() if q["type"] == "yes_no_na"}
    inspector = factories.user("inspector")
    daan = next(o for o in made if o.code == "TPH-DAAN")
    for i, (answers, rings) in enumerate(((yes, 2), (no, 12))):   # 100 and about 0: 0.0-100.0
        storage.store(version=version, instrument=phone, office=daan, channel="inspector",
                      status="approved", occurred_at=H2, answers={**answers, "rings": Stored(rings)},
                      idempotency_key=f"plain-phone-{i:06d}", inspector=inspector)
    login(client, factories.user("analyst").email, factories.PASSWORD)
    text = unescape(client.get("/reports/office/TPH-DAAN?period=2025H2").get_data(as_text=True))
    report = reporting.build("2025H2")
    mine = next(o for o in report["instruments"]["satisfaction"]["offices"]
                if o["code"] == "TPH-DAAN")
    best, worst = mine["rank_interval"]
    assert f"可能在第 {best} 到第 {worst} 名之間" in text
    assert "名次區間" not in text and "分組" not in text
    assert "可與哪些機關區分" in text and "滿意度確實高於 萬華戶政" in text
    assert "信義戶政" not in text.split("可與哪些機關區分")[1].split("</p>")[0]
    phone_row = next(o for o in report["instruments"]["phone"]["offices"]
                     if o["code"] == "TPH-DAAN")
    assert phone_row["score_ci"] == [0.0, 100.0]                 # two checks far apart
    assert "查核次數太少，無法估計區間" in text and "0.0–100.0" not in text


CHART = re.compile(r'<img src="(/reports/office/TPH-DAAN/chart/([a-z_]+)\.svg\?[^"]+)" alt="([^"]+)"')


def charts_of(client, url: str = "/reports/office/TPH-DAAN?period=2025H2") -> list[tuple]:
    return CHART.findall(client.get(url).get_data(as_text=True))


def manager_of(app, office_code: str):
    """A signed-in office manager (role ``office``) of the office *office_code*."""
    manager = factories.user("office")
    manager.office_id = db.session.scalar(select(Office.id).where(Office.code == office_code))
    db.session.commit()
    client = app.test_client()
    assert login(client, manager.email, factories.PASSWORD).status_code == 302
    return client


def test_the_scorecard_shows_its_charts_with_their_data(seeded):
    """Issue 27, item 16: the office among the others, for each instrument it has data in, each
    a figure with a caption, an alt text that says the office's number, and the data behind it."""
    html = unescape(seeded.get("/reports/office/TPH-DAAN?period=2025H2").get_data(as_text=True))
    found = {name: (src, alt) for src, name, alt in CHART.findall(html)}
    assert {"satisfaction_standing", "phone_standing"} <= set(found), found
    report = reporting.build("2025H2")
    mine = next(o for o in report["instruments"]["satisfaction"]["offices"]
                if o["code"] == "TPH-DAAN")
    assert f"本機關 {100 * mine['satisfied_rate']:.1f}%" in found["satisfaction_standing"][1]
    for src, _alt in found.values():             # the page's period and language name the image
        assert "period=2025H2" in src and "lang=zh_Hant_TW" in src
    assert html.count('<figure class="chart">') == len(found) == html.count("<figcaption")
    assert html.count('<details class="chart-data">') == len(found)
    figure = html.split('alt="' + found["satisfaction_standing"][1])[1].split("</figure>")[0]
    assert "以表格檢視這張圖的資料" in figure and "▶ 大安戶政" in figure and "95% CI" in figure
    # an office alone is compared with nobody: no chart of it
    alone = report["instruments"]["satisfaction"] | {"offices": [mine]}
    assert "standing" not in report_charts.office_chart_names(alone, "TPH-DAAN")
    # an office without data this period has no chart, and no empty frame
    assert 'class="chart"' not in seeded.get("/reports/office/TPH-XINYI?period=2025H2").get_data(
        as_text=True)


def test_each_chart_is_an_svg_kept_by_its_etag(seeded):
    for src, name, _alt in charts_of(seeded):
        response = seeded.get(src)
        assert response.status_code == 200, name
        assert response.mimetype == "image/svg+xml" and b"<svg" in response.data[:400]
        assert response.headers["Cache-Control"] == "private, max-age=600"
        again = seeded.get(src, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and not again.data
        assert again.headers["ETag"] == response.headers["ETag"]


def test_a_chart_is_for_whoever_may_read_the_scorecard_only(app, seeded):
    src = next(s for s, name, _alt in charts_of(seeded) if name == "satisfaction_standing")
    own = manager_of(app, "TPH-DAAN")
    assert CHART.findall(own.get("/reports/office/TPH-DAAN?period=2025H2").get_data(as_text=True))
    answer = own.get(src)
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    other = manager_of(app, "TPH-XINYI")                 # another office's manager: not there
    assert other.get(src).status_code == 404
    inspector = app.test_client()
    assert login(inspector, factories.user("inspector").email,
                 factories.PASSWORD).status_code == 302
    assert inspector.get(src).status_code == 403
    assert app.test_client().get(src).status_code == 302  # to sign in


def test_an_unknown_chart_or_office_or_a_bad_period_is_a_4xx(seeded):
    base = "/reports/office/TPH-DAAN/chart/"
    assert seeded.get(base + "satisfaction_nonsense.svg?period=2025H2").status_code == 404
    assert seeded.get(base + "nonsense.svg?period=2025H2").status_code == 404
    assert seeded.get("/reports/office/NOPE/chart/satisfaction_standing.svg?period=2025H2"
                      ).status_code == 404
    # the quiet office has no data, so none of its charts is there
    assert seeded.get("/reports/office/TPH-XINYI/chart/satisfaction_standing.svg?period=2025H2"
                      ).status_code == 404
    bad = seeded.get(base + "satisfaction_standing.svg?period=2025H7")
    assert bad.status_code == 400
    assert seeded.get(base + "satisfaction_standing.svg?period=2025H2&kind=moon"
                      ).status_code == 400
    assert seeded.get(base + "satisfaction_standing.svg?period=2025H2&compare_to=2025Q1"
                      ).status_code == 400


def test_the_charts_speak_the_pages_language(seeded):
    found = charts_of(seeded, "/reports/office/TPH-DAAN?period=2025H2&lang=en")
    assert found and all("lang=en" in src for src, _name, _alt in found)
    alt = dict((name, alt) for _src, name, alt in found)["satisfaction_standing"]
    assert "this office" in alt.lower(), alt
    page = unescape(seeded.get("/reports/office/TPH-DAAN?period=2025H2&lang=en").get_data(
        as_text=True))
    assert "Every number in the chart is in the table below." in page
    svg = seeded.get(unescape(found[0][0])).get_data(as_text=True)
    assert "本機關與其他機關" not in svg and "this office" in svg


def test_an_office_with_earlier_periods_has_its_own_trend_chart(seeded):
    version, survey = instruments.current("satisfaction")
    daan = db.session.scalar(select(Office).where(Office.code == "TPH-DAAN"))
    for i in range(40):                                    # the half-year before: 50%
        storage.store(version=version, instrument=survey, office=daan, channel="kiosk",
                      status="submitted", occurred_at=datetime(2025, 3, 15, 10, tzinfo=TAIPEI),
                      answers={"overall": Stored(5 if i % 2 else 1)},
                      idempotency_key=f"card-h1-{i:08d}", commit=False, lookup=False)
    db.session.commit()
    html = unescape(seeded.get("/reports/office/TPH-DAAN?period=2025H2").get_data(as_text=True))
    found = {name: (src, alt) for src, name, alt in CHART.findall(html)}
    assert "satisfaction_trend" in found, found
    assert "50.0%" in found["satisfaction_trend"][1] and "75.0%" in found["satisfaction_trend"][1]
    # the trend's table is the chart's data now, behind its disclosure
    figure = html.split(found["satisfaction_trend"][0])[1].split("</figure>")[0]
    assert "以表格檢視這張圖的資料" in figure and "75.0% (" in figure
    response = seeded.get(found["satisfaction_trend"][0])
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
