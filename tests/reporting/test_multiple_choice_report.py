"""A multiple-choice question added to the citizen survey breaks the report down by each option:
the same rows from a scan and from the rollup, and the rows are the analysis of the raw answers."""

from __future__ import annotations

import copy
import random
from datetime import datetime

import pytest
from support import factories
from support.web import login

from analysis.report.options import option_breakdown
from forms.instrument import load_default
from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.reporting.reports import build as reporting

OPTIONS = [("transcript", "謄本"), ("move", "遷徙"), ("other", "其他")]


@pytest.fixture
def seeded(app):
    definition = copy.deepcopy(load_default("satisfaction").definition)
    section = definition["sections"][-1]
    section["questions"].insert(0, {
        "key": "services_today", "type": "multiple_choice", "label": {"zh_TW": "今天辦的業務"},
        "short": {"zh_TW": "今日業務", "en": "Services today"},
        "options": [{"key": k, "label": {"zh_TW": v}} for k, v in OPTIONS]})
    instruments.publish(definition)
    version, survey = instruments.current("satisfaction")
    offices = [factories.office(code=f"TPH-{i}", name=f"第{i}事務所") for i in range(2)]
    rng = random.Random(11)
    raw = []
    for i in range(400):
        bits = 0
        while not bits:
            bits = sum(1 << j for j, share in enumerate((.6, .35, .1)) if rng.random() < share)
        overall = rng.choice([2, 3, 4, 5] if bits & 2 else [4, 5, 5, 5, 3])
        keys = " ".join(k for j, (k, _) in enumerate(OPTIONS) if bits >> j & 1)
        answers = {"overall": Stored(overall), "services_today": Stored(bits, keys)}
        raw.append((bits, overall >= 4))
        storage.store(version=version, instrument=survey, office=offices[i % 2], channel="kiosk",
                      status="submitted", occurred_at=datetime(2025, 9, 10, 10, tzinfo=TAIPEI),
                      answers=answers, idempotency_key=f"multi-{i:06d}", commit=False, lookup=False)
    db.session.commit()
    return raw


def report(app, rolled: bool) -> dict:
    app.config["ROLLUPS"] = rolled
    made = reporting.build("2025H2", "satisfaction", min_n=5)
    made.pop("generated_at")
    return made


def test_the_report_breaks_satisfaction_down_by_each_option_as_the_analysis_of_the_answers(app, seeded):
    scanned = report(app, rolled=False)
    section = scanned["instruments"]["satisfaction"]
    [services] = [b for b in section["breakdowns"] if b["by"] == "services_today"]
    combinations: dict[int, list[int]] = {}
    for bits, satisfied in seeded:
        cell = combinations.setdefault(bits, [0, 0])
        cell[0] += satisfied
        cell[1] += 1
    expected = option_breakdown("services_today", OPTIONS,
                                {b: (c[0], c[1]) for b, c in combinations.items()}, min_n=5)
    assert services["rows"] == expected["rows"] and services["title"] == "今日業務"
    move = next(r for r in services["rows"] if r["key"] == "move")
    assert move["differs"] and move["difference"] < 0      # movers were let down: found
    assert report(app, rolled=True) == scanned             # the rollup keeps the bit patterns


def test_the_report_page_shows_the_option_rows_against_those_who_did_not_choose(app, seeded, client):
    assert login(client, factories.user("analyst").email, factories.PASSWORD).status_code == 302
    html = client.get("/reports/?period=2025H2&instrument=satisfaction&min_n=5").get_data(as_text=True)
    assert "今日業務" in html and "沒選的人" in html and "可複選題：400 人作答" in html
