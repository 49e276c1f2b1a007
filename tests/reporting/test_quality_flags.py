"""Data-quality flags from the database: covered negative buttons and a stuffing burst."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from support import factories
from support.web import login

from forms.types import Stored
from webapp.capture import store as storage
from webapp.demo import data as demo
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.reporting.reports import quality


@pytest.fixture
def suspicious(app):
    demo.load(scale=1.0, seed=5, today=datetime(2026, 1, 10, tzinfo=TAIPEI))   # honest 2025H2
    office = factories.office(code="TPH-COVERED", name="測試戶政事務所")
    kiosk = factories.kiosk(office)
    version, survey = instruments.current("satisfaction")
    rng = np.random.default_rng(3)
    start = datetime(2025, 8, 4, 9, 0, tzinfo=TAIPEI)
    for i in range(400):      # negative buttons taped over: only 3, 4 and 5 are ever pressed
        answers = {k: Stored(int(rng.choice([3, 4, 5], p=[.1, .4, .5]))) for k in survey.likert_keys()}
        storage.store(version=version, instrument=survey, office=office, channel="kiosk",
                      status="submitted", occurred_at=start + timedelta(hours=2 * i),
                      answers=answers, idempotency_key=f"covered-{i:05d}", kiosk=kiosk,
                      commit=False, lookup=False)
    burst_at = datetime(2025, 10, 7, 22, 0, tzinfo=TAIPEI)
    for i in range(40):       # 40 surveys in ten minutes, late at night
        storage.store(version=version, instrument=survey, office=office, channel="kiosk",
                      status="submitted", occurred_at=burst_at + timedelta(seconds=15 * i),
                      answers={k: Stored(5) for k in survey.likert_keys()},
                      idempotency_key=f"burst-{i:05d}", kiosk=kiosk, commit=False, lookup=False)
    db.session.commit()
    return office


def test_covered_buttons_and_burst_are_flagged_honest_offices_are_not(suspicious):
    result = quality.flags("2025H2")
    flagged = [o.name for o in result["negatives"].offices if o.flagged]
    assert flagged == ["測試戶政事務所"]
    assert result["negatives"].n_tested >= 20
    assert result["burst_reasons"], "the burst must be reported"
    assert all("2025-10-07 2" in r for r in result["burst_reasons"])
    honest_bursts = [b for b in result["bursts"] if b.windows and "測試" not in b.name]
    assert honest_bursts == []


def test_analysts_see_the_flags_page(suspicious, app):
    analyst = factories.user("analyst")
    client = app.test_client()
    login(client, analyst.email, factories.PASSWORD)
    page = client.get("/reports/quality?period=2025H2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "測試戶政事務所" in html and "2025-10-07" in html
    assert client.get("/reports/quality?period=bad").status_code == 400
