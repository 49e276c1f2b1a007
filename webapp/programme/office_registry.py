"""The office registry as a CSV (code,name,kind,city[,district,active,name_en]): every row
checked, with its line number, before any is stored.  Shared by ``flask offices import`` and the
admin's upload, so both give the same line-by-line report and land all rows or none.
"""

from __future__ import annotations

import csv
import io

from webapp.platform import uploads
from webapp.platform.db import too_long
from webapp.programme.offices import OFFICE_KINDS, Office

KIND_ALIASES = {"household": "household", "戶政": "household", "戶政事務所": "household",
                "land": "land", "地政": "land", "地政事務所": "land"}
TRUE_WORDS = {"", "1", "true", "yes", "y", "是"}
FALSE_WORDS = {"0", "false", "no", "n", "否"}
REQUIRED = ("code", "name", "kind", "city")


def check(row: dict) -> tuple[dict | None, str | None]:
    """One office as stored, or the reason it cannot be."""
    code = (row.get("code") or "").strip().upper()
    kind = KIND_ALIASES.get((row.get("kind") or "").strip().lower())
    active = (row.get("active") or "").strip().lower()
    if not code or len(code) > 16 or not (row.get("name") or "").strip():
        return None, "代碼與名稱必填，代碼最多 16 字"
    if not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
        return None, "代碼只能用英文字母、數字、- 與 _"
    if kind is None:
        return None, f"kind 應為 {'/'.join(OFFICE_KINDS)}（或 戶政/地政）"
    if active not in TRUE_WORDS | FALSE_WORDS:
        return None, "active 應為 1 或 0"
    office = {"code": code, "name": row["name"].strip(), "kind": kind,
              "city": (row.get("city") or "").strip(),
              "district": (row.get("district") or "").strip(), "active": active in TRUE_WORDS}
    if "name_en" in row:  # a column left out keeps the English names already stored
        office["name_en"] = (row.get("name_en") or "").strip() or None
    long = too_long(Office, office)
    if long:
        return None, "、".join(f"{name} 最多 {limit} 字" for name, limit in long)
    return office, None


def read(raw: bytes) -> tuple[list[dict], list[tuple[int, str]]]:
    """The file's offices and the problems, ``(line, reason)``; raises ``ImportFileError``
    when the file as a whole cannot be read."""
    reader = csv.DictReader(io.StringIO(uploads.decode(raw), newline=""))
    if not set(REQUIRED) <= set(reader.fieldnames or []):
        raise uploads.ImportFileError(
            f"標題列需有 {', '.join(REQUIRED)}（可加 district, active, name_en）")
    rows, errors = [], []
    for row in reader:
        office, problem = check(row)
        if problem:
            errors.append((reader.line_num, problem))
        else:
            rows.append(office)
    return rows, errors
