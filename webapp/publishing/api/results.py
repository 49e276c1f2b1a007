"""Published results as the API serves them: the rows of the open-data files, filtered."""

from __future__ import annotations

from webapp.platform.db import TAIPEI
from webapp.publishing.opendata import publications

#: the columns every published record has, first in a CSV of survey and inspection records
FIRST_COLUMNS = ("period", "instrument", "office_code", "office_name", "office_kind")


def periods() -> list[dict]:
    return [{"period": period, "latest_version": log[-1].version,
             "published_at": log[-1].published_at.astimezone(TAIPEI).isoformat(timespec="seconds"),
             "corrections": [{"version": p.version, "note": p.note} for p in log[1:]]}
            for period, log in publications.correction_logs().items()]


def published(period: str, instrument: str | None, office: str | None) -> dict | None:
    """The latest publication of ``period`` as rows, or None if it has none."""
    publication = publications.latest(period)
    if publication is None:
        return None
    survey = publications.survey_rows(publication) if instrument in (None, "satisfaction") else []
    _columns, checks = publications.inspection_rows(publication)
    checks = [r for r in checks if instrument in (None, r["instrument"])]
    if office is not None:
        survey = [r for r in survey if r["office_code"] == office]
        checks = [r for r in checks if r["office_code"] == office]
    return {"period": period, "version": publication.version,
            "min_n": publication.data["min_n"], "survey": survey, "inspections": checks}
