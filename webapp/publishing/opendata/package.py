"""``datapackage.json``: the publication as a Frictionless tabular data package, so a portal or
an analyst's tool reads each CSV with its types instead of guessing them.

One Table Schema per CSV: each column's type and description (the same words as
``metadata.json``; every column its own, each grade column of ``inspections.csv`` too), a unit
where a number counts or measures something, ranges where the value is bounded, the blank cell
as the one missing value, and the suppression flag as an enum.
"""

from __future__ import annotations

from webapp.platform.db import TAIPEI
from webapp.publishing.opendata.publications import Publication

PERIOD = {"type": "string", "constraints": {"required": True, "pattern": "^[0-9]{4}H[12]$"}}
KIND = {"type": "string", "constraints": {"enum": ["household", "land"]}}
SUPPRESSED = {"type": "string", "constraints": {"enum": ["small_n", "complementary"]}}
COUNT = {"type": "integer", "unit": "人", "constraints": {"minimum": 0}}
SHARE = {"type": "number", "unit": "比例（0–1）", "constraints": {"minimum": 0, "maximum": 1}}
#: a column's type, unit and constraints; any column not named here is a string
TYPES = {
    "period": PERIOD, "office_kind": KIND, "suppressed": SUPPRESSED,
    "n": COUNT, **{f"level_{i}": COUNT for i in range(1, 6)},
    "satisfied_rate": SHARE, "wilson_low": SHARE, "wilson_high": SHARE,
    "mean": {"type": "number", "unit": "分（1–5）", "constraints": {"minimum": 1, "maximum": 5}},
    "checks": {"type": "integer", "unit": "次", "constraints": {"minimum": 0}},
    "mean_score": {"type": "number", "unit": "分（0–100）",
                   "constraints": {"minimum": 0, "maximum": 100}},
    "commenters": COUNT, "mentions": COUNT, "complaints": COUNT, "praise": COUNT,
}
#: a grade column (``grade_`` and a grade name): how many checks got that grade
GRADE = {"type": "integer", "unit": "次", "constraints": {"minimum": 0}}


def schema(columns: list[str], described: dict[str, str]) -> dict:
    """The Table Schema of a CSV with ``columns``; ``described`` gives each its description
    (a column without one is a bug: KeyError)."""
    fields = []
    for name in columns:
        kind = TYPES.get(name) or (GRADE if name.startswith("grade_") else {"type": "string"})
        fields.append({"name": name, **kind, "description": described[name]})
    return {"fields": fields, "missingValues": [""]}


def datapackage(publication: Publication, tables: dict[str, tuple[list[str], dict]],
                meta: dict) -> dict:
    """``tables``: each CSV's name, columns and column descriptions; ``meta``: metadata.json."""
    period = publication.data["period"]
    return {
        "profile": "tabular-data-package",
        "name": f"service-quality-{period.lower()}-v{publication.version}",
        "title": meta["title"], "description": meta["description"],
        "version": str(publication.version),
        "created": publication.published_at.astimezone(TAIPEI).isoformat(timespec="seconds"),
        "licenses": [{"name": "OGDL-Taiwan-1.0", "title": meta["license"],
                      "path": meta["license_url"]}],
        "resources": [{
            "name": name.removesuffix(".csv"), "path": name, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
            "schema": schema(columns, described)} for name, (columns, described) in tables.items()],
    }
