"""Count tables for ended periods give exactly what a scan of the answers gives, and a late
paper import (or a correction) moves them in the same transaction.  On SQLite and, with
TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import random
from datetime import datetime

import numpy as np
import pytest
from sqlalchemy import func, select
from support import factories

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.reporting import counts as aggregates
from webapp.reporting import crosstabs, rollups
from webapp.reporting.reports import build as reporting
from webapp.reporting.rollups import AnswerCount, RollupPeriod

ITEMS = ["attitude", "knowledge", "efficiency", "fairness", "environment", "waiting",
         "expectations", "overall"]
SERVICES = ["household", "id_card", "household_transcript"]   # options 1-3


@pytest.fixture
def seeded(app):
    offices = [factories.office(code=f"TPH-{i}", name=f"第{i}事務所") for i in range(3)]
    version, survey = instruments.current("satisfaction")
    rng = random.Random(5)
    for i in range(240):
        office = offices[i % 3]
        month = [8, 11, 2][i % 3]              # 2025Q3, 2025Q4 and 2026Q1
        year = 2026 if month == 2 else 2025
        answers = {k: Stored(rng.choice([None, 1, 2, 3, 4, 5, 5, 4])) for k in ITEMS}
        service = rng.choice(SERVICES)
        answers["service_used"] = Stored(SERVICES.index(service) + 1, service)
        answers["comment"] = Stored(None, "謝謝") if i % 7 == 0 else None
        storage.store(version=version, instrument=survey, office=office,
                      channel=rng.choice(["kiosk", "personal", "paper"]), status="submitted",
                      occurred_at=datetime(year, month, 10, 10, tzinfo=TAIPEI), answers=answers,
                      idempotency_key=f"rollup-{i:06d}", commit=False, lookup=False)
    db.session.commit()
    return offices


def tables(app, period: str, ids: list[int], rolled: bool):
    app.config["ROLLUPS"] = rolled
    counts = aggregates.likert_counts("satisfaction", period, ITEMS, ids)
    sums = aggregates.likert_scale_sums("satisfaction", period, ITEMS[:-1], ids)
    trend = aggregates.satisfied_by_period("satisfaction", ["2025H2", "2026H1"], "overall", ids)
    crossed = {by: crosstabs.satisfied_by("satisfaction", period, ids, by, SERVICES)
               for by in ("channel", "service_used")}
    comments = crosstabs.comment_counts("satisfaction", period, ["comment"], ids)
    return counts, sums, trend, crossed, comments


def assert_same(a, b) -> None:
    (counts_a, sums_a, trend_a, *rest_a), (counts_b, sums_b, trend_b, *rest_b) = a, b
    assert rest_a[0] == rest_b[0]                          # breakdowns by channel and service
    np.testing.assert_array_equal(rest_a[1], rest_b[1])    # comments per office
    for item in ITEMS:
        np.testing.assert_array_equal(counts_a.counts[item], counts_b.counts[item])
        np.testing.assert_array_equal(counts_a.no_answer[item], counts_b.no_answer[item])
    assert sums_a[0] == sums_b[0]
    for x, y in zip(sums_a[1:], sums_b[1:], strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-12)
    for x, y in zip(trend_a, trend_b, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("period", ["2025H2", "2025Q3"])
def test_the_rollup_gives_the_scans_tables(app, seeded, period):
    ids = [o.id for o in seeded]
    scanned = tables(app, period, ids, rolled=True)   # ended, but not built yet: scanned
    assert db.session.scalar(select(func.count()).select_from(RollupPeriod)) == 0  # reads never write
    assert ("satisfaction", period) in rollups.build_ended()
    assert db.session.scalar(select(RollupPeriod.id).where(RollupPeriod.period == period))
    assert_same(scanned, tables(app, period, ids, rolled=True))
    assert_same(scanned, tables(app, period, ids, rolled=False))
    assert rollups.build_ended() == []                              # built once


def test_the_daily_command_builds_the_ended_periods_once(app, seeded, runner):
    first = runner.invoke(args=["rollups", "build"])
    assert first.exit_code == 0, first.output
    # the data span 2025Q3 to 2026Q1: all ended, each half-year and quarter built
    assert {"satisfaction 2025H2", "satisfaction 2026H1", "satisfaction 2025Q3",
            "satisfaction 2026Q1"} <= set(first.output.splitlines())
    assert "0 rollup(s) built" in runner.invoke(args=["rollups", "build"]).output
    only = runner.invoke(args=["rollups", "build", "--period", "2025H2"])
    assert "0 rollup(s) built" in only.output


def test_the_open_period_is_always_scanned(app, seeded):
    today = datetime.now(TAIPEI)
    current = f"{today.year}H{1 if today.month <= 6 else 2}"
    app.config["ROLLUPS"] = True
    aggregates.likert_counts("satisfaction", current, ITEMS, [o.id for o in seeded])
    assert db.session.scalar(select(RollupPeriod.id).where(RollupPeriod.period == current)) is None


def test_a_whole_report_is_the_same_either_way(app, seeded):
    def made(rolled: bool) -> dict:
        app.config["ROLLUPS"] = rolled
        report = reporting.build("2025H2", "satisfaction", compare_to="2025H1", min_n=5)
        report.pop("generated_at")
        return report

    assert made(False) == made(True)


def test_a_late_paper_import_moves_the_rollup_in_its_own_transaction(app, seeded, runner,
                                                                      tmp_path):
    ids = [o.id for o in seeded]
    rollups.build_ended()
    before = tables(app, "2025H2", ids, rolled=True)
    cells = db.session.scalar(select(func.sum(AnswerCount.n)))
    file = tmp_path / "late.csv"
    file.write_text("office_code,submitted_on,overall,attitude,service_used,comment\n"
                    f"{seeded[0].code},2025-08-20,5,4,household,\n"
                    f"{seeded[1].code},2025-11-03,2,,id_card,櫃台很忙\n", "utf-8")
    assert runner.invoke(args=["responses", "import", "satisfaction", str(file)]).exit_code == 0
    db.session.expire_all()
    after = tables(app, "2025H2", ids, rolled=True)
    assert_same(after, tables(app, "2025H2", ids, rolled=False))   # still what a scan says
    assert after[0].counts["overall"][0, 4] == before[0].counts["overall"][0, 4] + 1
    assert after[0].counts["overall"][1, 1] == before[0].counts["overall"][1, 1] + 1
    assert after[4].tolist() == (before[4] + [0, 1, 0]).tolist()   # the new comment, once
    assert after[3]["service_used"]["id_card"][1] == before[3]["service_used"]["id_card"][1] + 1
    assert db.session.scalar(select(func.sum(AnswerCount.n))) > cells

    # an import that fails part-way leaves the rollup as it was
    bad = tmp_path / "bad.csv"
    bad.write_text("office_code,submitted_on,overall\n"
                   f"{seeded[0].code},2025-08-21,5\nNOPE,2025-08-21,4\n", "utf-8")
    assert runner.invoke(args=["responses", "import", "satisfaction", str(bad)]).exit_code == 1
    db.session.expire_all()
    assert_same(tables(app, "2025H2", ids, rolled=True), after)


def test_an_edit_takes_the_old_answers_out_of_the_rollup(app, seeded):
    """A correction replaces answers: the old ones leave the counts, the new ones enter."""
    ids = [o.id for o in seeded]
    rollups.build_ended()
    version, survey = instruments.current("satisfaction")
    record, _ = storage.store(version=version, instrument=survey, office=seeded[2],
                              channel="paper", status="submitted",
                              occurred_at=datetime(2025, 9, 1, 12, tzinfo=TAIPEI),
                              answers={"overall": Stored(1)}, idempotency_key="late-one-000001")
    storage.replace_answers(record, survey, office=seeded[2], occurred_at=record.occurred_at,
                            answers={"overall": Stored(5)}, status="submitted")
    assert_same(tables(app, "2025H2", ids, rolled=True), tables(app, "2025H2", ids, rolled=False))
