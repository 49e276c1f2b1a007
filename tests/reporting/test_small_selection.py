"""A report narrowed to a few respondents (issue 25, finding 12a): the office filter, or a
breakdown group, may hold one citizen; what the report shows for it is a count, never the
answers (the JSON download included)."""

from __future__ import annotations

import json
from datetime import datetime

from support import factories
from support.web import login

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments

H2 = datetime(2025, 9, 15, 10, 0, tzinfo=TAIPEI)
ONE = {"overall": 1, "attitude": 2, "knowledge": 3, "efficiency": 2, "waiting": 1}


def seed():
    big = factories.office(code="TPH-DAAN", name="大安戶政")
    small = factories.office(code="TPH-SMALL", name="小戶政")
    version, survey = instruments.current("satisfaction")
    for i in range(40):
        storage.store(version=version, instrument=survey, office=big,
                      channel="kiosk" if i else "personal", status="submitted", occurred_at=H2,
                      answers={"overall": Stored(5 if i % 4 else 2), "attitude": Stored(4),
                               "service_used": Stored(1, "household") if i == 0 else None},
                      idempotency_key=f"big-{i:06d}", commit=False, lookup=False)
    storage.store(version=version, instrument=survey, office=small, channel="kiosk",
                  status="submitted", occurred_at=H2,
                  answers={k: Stored(v) for k, v in ONE.items()}, idempotency_key="one-citizen",
                  commit=False, lookup=False)
    db.session.commit()


def numbers(node, path=""):
    """Every (path, number) in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from numbers(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from numbers(value, f"{path}[{i}]")
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path, node


def test_a_report_of_one_small_office_shows_no_ones_answers(app):
    seed()
    app.config["REPORT_MIN_N"] = 5
    analyst = app.test_client()
    assert login(analyst, factories.user("analyst").email, factories.PASSWORD).status_code == 302
    response = analyst.get("/reports/download.json?period=2025H2&instrument=satisfaction"
                           "&office=TPH-SMALL")
    assert response.status_code == 200
    section = json.loads(response.data)["instruments"]["satisfaction"]
    assert section["n"] == 1
    assert section["overall"]["satisfied_rate"] is None and section["overall"]["mean"] is None
    for item in section["items"]:
        assert item["mean"] is None and item["satisfied_rate"] is None, item
    # no number in the section is one of the citizen's answers, as a mean or a rate
    said = {round(v, 6) for p, v in numbers(section) if "mean" in p or "rate" in p}
    assert not said & {float(v) for v in ONE.values()} and 0.0 not in said
    assert "不計算整體滿意度" in section["summary"]["sentences"][0]
    page = analyst.get("/reports/?period=2025H2&instrument=satisfaction&office=TPH-SMALL")
    assert page.status_code == 200 and "不計算整體滿意度" in page.get_data(as_text=True)


def test_breakdown_groups_below_the_threshold_show_only_their_count(app):
    seed()
    app.config["REPORT_MIN_N"] = 5
    analyst = app.test_client()
    assert login(analyst, factories.user("analyst").email, factories.PASSWORD).status_code == 302
    report = json.loads(analyst.get("/reports/download.json?period=2025H2&instrument=satisfaction")
                        .data)
    section = report["instruments"]["satisfaction"]
    assert section["overall"]["satisfied_rate"] is not None   # 41 people: shown
    rows = [r for b in section["breakdowns"] for r in b["rows"]]
    small = [r for r in rows if r["n"] < 5]
    assert small, "the one QR-slip answer and the one service answer are groups of one"
    for row in small:
        assert set(row) == {"key", "label", "n", "judged"} and not row["judged"], row
