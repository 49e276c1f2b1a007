"""How the API answers a list: a flat JSON array of records, which ``pandas.read_json`` reads
as a table as it is, or the same records as CSV (``format=csv`` or ``Accept: text/csv``).

What is about the list rather than a record (the publication's version, the next page) goes in
headers: ``Link: <…>; rel="next"`` (RFC 8288) and ``X-…`` fields the OpenAPI document names.
CSV is UTF-8 with a byte-order mark (Excel reads the Chinese), and a cell that a spreadsheet
would take for a formula is written as text, as in the open-data files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date

from flask import Response
from werkzeug.datastructures import MIMEAccept

from webapp.publishing.opendata.files import csv_bytes

FORMATS = ("json", "csv")


def wants_csv(chosen: str | None, accept: MIMEAccept, refuse) -> bool:
    """``format=csv`` (``chosen``), or ``Accept`` preferring ``text/csv`` to JSON; ``refuse``
    (detail) raises the 400 for a format the API does not have."""
    if chosen is not None:
        if chosen not in FORMATS:
            refuse(f"format={chosen[:40]!r} is not one of: {', '.join(FORMATS)}.")
        return chosen == "csv"
    # by media type alone: "text/csv; charset=utf-8" or ";header=present" still asks for CSV
    best: dict[str, float] = {}
    for value, quality in accept:
        kind = value.split(";", 1)[0].strip().lower()
        best[kind] = max(best.get(kind, 0), quality)
    return best.get("text/csv", 0) > max(best.get("application/json", 0),
                                         best.get("application/*", 0))


def columns_of(records: Iterable[Mapping], first: Iterable[str] = ()) -> list[str]:
    """Every key the records have, in the order they first appear (``first`` leading)."""
    seen = dict.fromkeys(first)
    for record in records:
        seen.update(dict.fromkeys(record))
    return list(seen)


def _json(value: object) -> str:
    """A date (a response's day) as ISO 8601; nothing else the records hold needs help."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _nested(value: object) -> object:
    """A nested list (a period's corrections) as its JSON text, for a CSV cell."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def answer(records: list[dict], *, csv_wanted: bool, name: str, columns: list[str] | None = None,
           headers: Mapping[str, str] | None = None) -> Response:
    headers = dict(headers or {})
    if not csv_wanted:
        body = json.dumps(records, ensure_ascii=False, separators=(",", ":"), default=_json)
        return Response(body, content_type="application/json", headers=headers)
    # the open-data files' writer: the same BOM, line ends and formula guard
    body = csv_bytes(columns or columns_of(records),
                     [{k: _nested(v) for k, v in record.items()} for record in records])
    headers["Content-Disposition"] = f'inline; filename="{name}.csv"'
    return Response(body, content_type="text/csv; charset=utf-8", headers=headers)
