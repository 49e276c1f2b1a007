"""Open data (issue 15, items 1-3): suppression that survives an attacker's subtraction, frozen
publications with a correction log, the files (CSV, JSON, data.gov.tw metadata) read back with
pandas, the public pages without sign-in, and the command line."""

from __future__ import annotations

import io
import itertools
import json
import shutil
import subprocess
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from support import factories
from support.opendata import MIN_N, PERIOD, download, publish, signed_in, survey

from analysis import opendata
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db
from webapp.publishing.opendata.publications import Publication

# -- suppression, as pure functions -------------------------------------------------------

def recoverable(n: list[int], reasons: list[str | None], total_hidden: bool, min_n: int) -> bool:
    """What an attacker gets from the published cells and the published total: the withheld
    offices' combined counts, and, for the manager of a withheld office, those less their own
    office's figures.  Recoverable means either pins down a small cell: one office alone, or a
    group with a small cell and fewer than min_n respondents."""
    withheld = [c for c, r in zip(n, reasons, strict=True) if r]
    if not withheld or total_hidden:
        return False

    def pins(group):
        return any(0 < c < min_n for c in group) and (len(group) < 2 or sum(group) < min_n)

    return pins(withheld) or any(pins(withheld[:i] + withheld[i + 1:])
                                 for i in range(len(withheld)))


@given(st.lists(st.integers(0, 80), min_size=1, max_size=25), st.integers(1, 40))
@settings(max_examples=300, deadline=None)
def test_no_suppressed_cell_can_be_recovered_from_the_total(n, min_n):
    reasons, total_hidden = opendata.suppression(n, min_n)
    for count, reason in zip(n, reasons, strict=True):
        assert reason is None or count > 0            # n = 0 has nothing to protect
        if 0 < count < min_n:
            assert reason == opendata.SMALL           # every small cell is withheld
    assert not recoverable(n, reasons, total_hidden, min_n)
    # only as much as needed: without the last complementary cell the total would give it away
    added = [i for i, r in enumerate(reasons) if r == opendata.COMPLEMENTARY]
    if added and not total_hidden:
        fewer = list(reasons)
        fewer[max(added, key=lambda i: (n[i], i))] = None
        assert recoverable(n, fewer, total_hidden, min_n)


def test_one_small_office_takes_the_two_smallest_others_with_it():
    reasons, hidden = opendata.suppression([120, 12, 45, 0, 33], 30)
    assert reasons == [None, "small_n", "complementary", None, "complementary"] and not hidden
    assert opendata.suppression([12, 0], 30) == (["small_n", None], True)  # no one to add
    assert opendata.suppression([12, 40], 30) == (["small_n", "complementary"], True)


def test_a_complement_office_manager_cannot_subtract_their_own_figures():
    """Issue 25, finding 2: the attack itself, on the published numbers.  With one small
    office and one complement, the complement's manager takes ALL - the published offices -
    their own scorecard and gets the small office's answers."""
    table = np.array([[0, 1, 4, 30, 85],    # A, 120 people
                      [2, 1, 0, 0, 0],      # B, 3 people: small
                      [1, 2, 2, 15, 13],    # C, 33 people: the smallest other
                      [0, 3, 5, 17, 20]])   # D, 45 people
    cells = {c.office: c for c in opendata.survey_cells(list("ABCD"), {"overall": table}, 30)}
    assert cells["B"].suppressed == opendata.SMALL
    total = np.array(cells["ALL"].levels)
    published = sum((np.array(c.levels) for k, c in cells.items()
                     if k != "ALL" and c.suppressed is None), np.zeros(5, dtype=int))
    for own in "CD":   # each complement's manager knows their own office's answers
        assert cells[own].suppressed == opendata.COMPLEMENTARY
        left = total - published - table["ABCD".index(own)]
        assert not np.array_equal(left, table[1])   # B stays hidden inside another office
        assert left.sum() >= 30


def test_cells_carry_wilson_intervals_and_means_and_blank_every_number_when_withheld():
    counts = {"overall": np.array([[1, 2, 3, 14, 20], [0, 0, 1, 2, 2], [2, 3, 5, 15, 10],
                                   [1, 1, 4, 15, 15]])}
    cells = {c.office: c for c in opendata.survey_cells(["A", "B", "C", "D"], counts, MIN_N)}
    a = cells["A"]
    assert a.n == 40 and a.levels == (1, 2, 3, 14, 20) and a.satisfied_rate == 0.85
    from statsmodels.stats.proportion import proportion_confint  # an independent Wilson
    low, high = proportion_confint(34, 40, alpha=0.05, method="wilson")
    assert (a.wilson_low, a.wilson_high) == (round(low, 4), round(high, 4))
    assert a.mean == round((1 + 4 + 9 + 56 + 100) / 40, 4)
    assert cells["B"].suppressed == "small_n" and cells["B"].as_row()["level_5"] is None
    assert cells["C"].suppressed == "complementary" and cells["C"].n is None
    assert cells["D"].suppressed == "complementary"
    assert cells["ALL"].n == 116  # the total is published: it reveals B, C and D together only


# -- the database and the web --------------------------------------------------------------

def test_an_analyst_publishes_and_anyone_downloads_files_pandas_reads(app, offices):
    analyst = signed_in(app, "analyst")
    assert publish(analyst).status_code == 302
    public = app.test_client()   # no sign-in
    assert "114年下半年" in public.get("/open/").get_data(as_text=True)
    raw = download(public, "survey.csv")
    assert raw.startswith("\ufeff".encode())
    table = pd.read_csv(io.BytesIO(raw))
    overall = table[table.item == "overall"].set_index("office_code")
    assert overall.loc["TPH-DAAN", "n"] == 40 and overall.loc["TPH-DAAN", "level_5"] == 40
    assert overall.loc["TPH-WANHUA", "suppressed"] == "small_n"
    assert overall.loc["TPH-XINYI", "suppressed"] == "complementary"
    assert np.isnan(overall.loc["TPH-WANHUA", "n"]) and np.isnan(overall.loc["TPH-WANHUA", "mean"])
    # the attacker: the total minus the published offices is three offices and 74 people
    assert overall.loc["TPH-SONGSHAN", "suppressed"] == "complementary"
    assert overall.loc["ALL", "n"] - overall.loc["TPH-DAAN", "n"] == 74
    # no cell of any item rests on fewer than MIN_N respondents
    shown = table[table.suppressed.isna() & (table.office_code != "ALL") & (table.n > 0)]
    assert (shown.n >= MIN_N).all()
    assert not {"comment", "channel", "occurred_at", "submitted_at"} & set(table.columns)

    results = json.loads(download(public, "results.json"))
    assert {r["office_code"] for r in results["survey"]} >= {"TPH-DAAN", "ALL"}
    meta = json.loads(download(public, "metadata.json"))
    for field in ("title", "description", "fields", "license", "update_frequency",
                  "temporal_coverage", "publisher", "contact"):
        assert field in meta, field
    assert meta["license"] == "政府資料開放授權條款-第1版"   # as data.gov.tw writes it
    assert meta["temporal_coverage"] == {"start": "2025-07-01", "end": "2025-12-31"}
    assert set(meta["fields"]["survey.csv"]) == set(table.columns)
    pd.read_csv(io.BytesIO(download(public, "inspections.csv")))


def test_a_publication_is_frozen_and_a_correction_needs_a_note_shown_in_the_log(app, offices):
    analyst = signed_in(app, "analyst")
    assert publish(analyst).status_code == 302
    first = download(app.test_client(), "survey.csv")
    survey(offices[2], 2, 30)    # late paper questionnaires arrive for Wanhua
    assert download(app.test_client(), "survey.csv") == first   # frozen
    refused = publish(analyst)
    assert refused.status_code == 400 and "更正時請說明" in refused.get_data(as_text=True)
    assert publish(analyst, note="補登萬華所紙本問卷 30 份").status_code == 302
    page = app.test_client().get(f"/open/{PERIOD}/").get_data(as_text=True)
    assert "補登萬華所紙本問卷 30 份" in page and "首次發布" in page
    second = pd.read_csv(io.BytesIO(download(app.test_client(), "survey.csv")))
    wanhua = second[(second.item == "overall") & (second.office_code == "TPH-WANHUA")].iloc[0]
    assert wanhua.n == 33 and pd.isna(wanhua.suppressed)
    assert app.test_client().get(f"/open/{PERIOD}/v1/survey.csv").data == first   # still there
    same = publish(analyst, note="again")
    assert same.status_code == 400 and "資料與第 2 版相同" in same.get_data(as_text=True)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "published")).all()
    assert [e.detail["version"] for e in events] == [1, 2]


@pytest.mark.parametrize("period, says", [("2025Q3", "只能發布半年期"), ("2099H1", "尚未結束"),
                                          ("bogus", "只能發布半年期")])
def test_only_ended_half_years_can_be_published(app, offices, period, says):
    from webapp.publishing.opendata import publications as snapshot

    with pytest.raises(snapshot.PublishError, match=says):
        snapshot.publish(period, None, None)
    # the page offers only what may be published: anything else is refused with a message
    response = publish(signed_in(app, "analyst"), period)
    assert response.status_code == 400 and db.session.scalars(select(Publication)).all() == []


def test_unknown_periods_and_files_are_404_and_publishing_needs_an_analyst(app, offices):
    public = app.test_client()
    for url in ("/open/2025H2/", "/open/2025H2/survey.csv", "/open/bogus/",
                "/open/2025H2/v9/survey.csv", "/open/2025H2/../../etc/passwd"):
        assert public.get(url).status_code == 404, url
    assert public.get("/open/publish").status_code in (302, 401)
    for role in ("inspector", "reviewer"):
        assert signed_in(app, role).get("/open/publish").status_code == 403


def test_the_command_line_publishes_and_exports(app, offices, tmp_path):
    runner = app.test_cli_runner()
    assert "has not been published" in runner.invoke(
        args=["opendata", "export", "--period", PERIOD, "--out", str(tmp_path)]).output
    result = runner.invoke(args=["opendata", "publish", "--period", PERIOD])
    assert result.exit_code == 0 and "published 2025H2 v1" in result.output
    result = runner.invoke(args=["opendata", "export", "--period", PERIOD, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["survey.csv", "inspections.csv", "themes.csv", "results.json", "metadata.json",
         "datapackage.json"])
    assert pd.read_csv(tmp_path / "survey.csv").shape[0] == len(db.session.scalars(
        select(Publication)).one().data["survey"]["rows"])


def test_inspections_publish_approved_checks_with_their_grades(app, offices):
    daan = offices[0]
    inspector = factories.user("inspector")
    for score, grade, status in itertools.chain(((92.0, "優等", "approved"), (81.0, "甲", "approved")),
                                                ((40.0, "丁", "submitted"),)):
        factories.record(daan, inspector, "phone", status, score=score, grade=grade,
                         occurred_at=datetime(2025, 10, 1, 2, tzinfo=UTC))
    publish(signed_in(app, "analyst"))
    table = pd.read_csv(io.BytesIO(download(app.test_client(), "inspections.csv")))
    row = table[(table.instrument == "phone") & (table.office_code == "TPH-DAAN")].iloc[0]
    assert row.checks == 2 and row.mean_score == 86.5      # the submitted one is not counted
    assert row["grade_優等"] == 1 and row["grade_甲"] == 1 and row["grade_丁"] == 0
    assert "inspector" not in " ".join(table.columns)


def test_the_csv_opens_in_libreoffice_with_its_chinese_intact(app, offices, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (Debian: libreoffice-calc-nogui)")
    publish(signed_in(app, "analyst"))
    source = tmp_path / "survey.csv"
    source.write_bytes(download(app.test_client(), "survey.csv"))
    # what Calc's import dialog does with a UTF-8 file: comma-separated, UTF-8 (76), header row
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "ods", "--outdir", str(tmp_path),
                    str(source)], check=True, capture_output=True, timeout=300)
    sheet = pd.read_excel(tmp_path / "survey.ods", engine="odf")
    assert list(sheet.columns) == list(pd.read_csv(source).columns)
    assert "臺北市大安區戶政事務所" in set(sheet.office_name)


def test_the_period_page_reads_in_english_with_english_office_names(app, offices):
    offices[0].name_en = "Da'an Household Registration Office"
    db.session.commit()
    publish(signed_in(app, "analyst"))
    page = app.test_client().get(f"/open/{PERIOD}/?lang=en").get_data(as_text=True)
    assert "Da&#39;an Household Registration Office" in page and "All offices" in page
    assert "Withheld: too few respondents" in page and "2025 H2" in page
