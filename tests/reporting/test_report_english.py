"""English mode translates the report's charts: every word a chart draws is English when the
report is, offices go by their English names, periods read "2025 H2", grades "Grade A"."""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree

import pytest
from support import factories

from analysis import charts
from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.reporting.reports import build as reporting

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


@pytest.fixture
def seeded(app):
    version, survey = instruments.current("satisfaction")
    _pv, phone = instruments.current("phone")
    yes = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    inspector = factories.user("inspector")
    serial = 0
    for i, code in enumerate(["TPH-DAAN", "TPH-XINYI", "TPH-WANHUA"]):
        office = factories.office(code=code, name=f"{code}戶政")
        office.name_en = f"{code.title()} Household Registration Office"
        for moment in (datetime(2025, 3, 5, tzinfo=TAIPEI), datetime(2025, 9, 5, tzinfo=TAIPEI)):
            for j in range(40):
                serial += 1
                storage.store(version=version, instrument=survey, office=office, channel="kiosk",
                              status="submitted", occurred_at=moment,
                              answers={"overall": Stored(1 + (j + i) % 5),
                                       "attitude": Stored(1 + j % 5),
                                       "waiting": Stored(1 + (j * 3) % 5)},
                              idempotency_key=f"en-{serial:08d}", commit=False, lookup=False)
            for j in range(3):
                serial += 1
                storage.store(version=_pv, instrument=phone, office=office, channel="inspector",
                              status="approved", occurred_at=moment,
                              answers={**yes, "rings": Stored(2 + j), "greets": Stored(j % 2)},
                              idempotency_key=f"en-{serial:08d}", commit=False, lookup=False,
                              inspector=inspector)
    db.session.commit()


def drawn_text(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter() if node.tag.endswith("text")]


def test_every_chart_word_is_english_in_english_mode(seeded):
    report = reporting.build("2025H2", compare_to="2025H1", locale="en", min_n=30,
                             min_checks=3)
    names = reporting.chart_names(report)
    assert {"satisfaction_funnel", "satisfaction_likert", "satisfaction_change",
            "phone_scores", "phone_missed"} <= set(names)
    for name in names:
        text = drawn_text(charts.to_svg(reporting.figure(report, name), text=True))
        chinese = [t for t in text if CJK.search(t)]
        assert not chinese, (name, chinese)
        if name == "satisfaction_likert":   # a row per office, by its English name
            assert "Tph-Daan Household Registration Office" in " ".join(text)
            assert "2025 H2" in " ".join(text) and "Very satisfied" in text
        if name == "phone_scores":
            assert "Grade A" in " ".join(text)


def test_chinese_mode_is_unchanged(seeded):
    report = reporting.build("2025H2", compare_to="2025H1", min_n=30)
    text = " ".join(drawn_text(charts.to_svg(reporting.figure(report, "satisfaction_likert"),
                                             text=True)))
    assert "114年下半年" in text and "非常滿意" in text and "TPH-DAAN戶政" in text
