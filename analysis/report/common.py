"""What every part of the report shares: the office as the report knows it, JSON-safe numbers,
and the thresholds below which an office is listed but not judged."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Below this many respondents an office shows its n and 樣本數不足: no rate, letter, rank,
#: funnel verdict or change arrow (the web layer passes ``REPORT_MIN_N``).
DEFAULT_MIN_N = 30
#: An office-period inspection grade needs at least this many checks (``INSPECTION_MIN_CHECKS``);
#: below it each check's own grade is shown.
DEFAULT_MIN_CHECKS = 3


@dataclass(frozen=True, slots=True)
class OfficeInfo:
    code: str
    name: str
    kind: str
    name_en: str | None = None


def clean(value: object) -> object:
    """A JSON-safe number: numpy scalars become Python, NaN and infinities become ``None``."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def pair(low: object, high: object) -> list:
    """``[low, high]`` as JSON: both ``None`` when either end is missing."""
    low, high = clean(float(low)), clean(float(high))
    return [None, None] if low is None or high is None else [low, high]


def office_fields(office: OfficeInfo) -> dict:
    return {"code": office.code, "name": office.name, "name_en": office.name_en,
            "kind": office.kind}
