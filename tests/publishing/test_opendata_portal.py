"""Open data as a portal's harvester sees it (issue 28, item 4, in part): each file carries an
ETag and Last-Modified and answers 304 until a correction is published; the correction log dates
a publication by Taipei's calendar; the metadata says which calendar the data use."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import frictionless
from sqlalchemy import select
from support.opendata import download, publish, signed_in

from webapp.platform.extensions import db
from webapp.publishing.opendata.publications import Publication


def test_files_revalidate_with_etag_and_last_modified(app, offices):
    assert publish(signed_in(app, "analyst")).status_code == 302
    public = app.test_client()
    first = public.get("/open/2025H2/survey.csv")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, no-cache"
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = public.get("/open/2025H2/survey.csv", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = public.get("/open/2025H2/inspections.csv", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = public.get("/open/2025H2/metadata.json")
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_the_correction_log_dates_by_taipei_and_the_calendar_is_stated(app, offices):
    assert publish(signed_in(app, "analyst")).status_code == 302
    row = db.session.scalars(select(Publication)).one()
    row.published_at = datetime(2026, 1, 15, 20, 30, tzinfo=UTC)   # 04:30 on the 16th in Taipei
    db.session.commit()
    metadata = json.loads(download(app.test_client(), "metadata.json"))
    assert metadata["corrections"][0]["published_at"] == "2026-01-16"
    assert metadata["published_at"] == "2026-01-16T04:30:00+08:00"
    assert "2025H2 = 114年下半年" in metadata["calendar"]["periods"]
    assert metadata["calendar"]["titles"].startswith("民國")


def test_a_signed_in_visitors_download_is_never_for_a_shared_cache(app, offices):
    analyst = signed_in(app, "analyst")
    assert publish(analyst).status_code == 302
    assert analyst.get("/open/2025H2/survey.csv").headers["Cache-Control"] == "private, no-cache"
    assert "Last-Modified" not in app.test_client().get("/open/2025H2/metadata.json").headers


def test_frictionless_validates_the_data_package_against_its_schemas(app, offices, runner,
                                                                     tmp_path):
    """The files as a portal harvests them (flask opendata export), checked by Frictionless:
    every CSV against its Table Schema, types, ranges and the suppression enum included; a
    cell that breaks its type is caught, so the check can fail."""
    assert publish(signed_in(app, "analyst")).status_code == 302
    result = runner.invoke(args=["opendata", "export", "--period", "2025H2", "--out",
                                 str(tmp_path)])
    assert result.exit_code == 0, result.output
    package = json.loads((tmp_path / "datapackage.json").read_text("utf-8"))
    assert [r["path"] for r in package["resources"]] == ["survey.csv", "inspections.csv",
                                                         "themes.csv"]
    survey = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert survey["n"]["type"] == "integer" and survey["satisfied_rate"]["type"] == "number"
    assert survey["suppressed"]["constraints"]["enum"] == ["small_n", "complementary"]
    assert survey["n"]["unit"] == "人" and survey["mean"]["description"] == "平均分數（1–5）"
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]

    lines = (tmp_path / "survey.csv").read_text("utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("n")] = "many"
    (tmp_path / "survey.csv").write_text("\ufeff" + "\n".join([lines[0], ",".join(cells),
                                                               *lines[2:]]), "utf-8")
    broken = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not broken.valid
    assert ["n"] == [e[1] for e in broken.flatten(["type", "fieldName"]) if e[0] == "type-error"]
