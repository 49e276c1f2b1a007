"""An office's scorecard: its rows of the half-year report for every instrument on one page."""

from __future__ import annotations

from datetime import datetime
from html import unescape

import pytest
from support import factories
from support.web import login

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
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
    db.session.commit()
    version, phone = instruments.current("phone")
    yes = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    inspector = factories.user("inspector")
    for i, rings in enumerate((2, 6)):
        storage.store(version=version, instrument=phone, office=daan, channel="inspector",
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
