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
