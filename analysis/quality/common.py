"""Argument checks and number formatting shared by the three data-quality screens.

Every screen takes settings from an analyst's form (``alpha``, minimum counts, labels) and
writes its reasons in Traditional Chinese for people to read, so all three must reject the same
bad settings with the same message and print a probability or a count the same way.  That is
why these helpers sit in one module, not three copies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "LEVEL_LABELS_5",
    "check_alpha",
    "check_int",
    "check_labels",
    "check_positive",
    "fmt_num",
    "fmt_p",
]

#: Labels of the five levels, ascending (column 0 = value 1).
LEVEL_LABELS_5 = ("非常不滿意", "不滿意", "普通", "滿意", "非常滿意")


def check_alpha(alpha: float) -> float:
    """A family-wise error rate strictly between 0 and 1, as float."""
    if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.floating | np.integer):
        raise ValueError(f"alpha must be a number, got {alpha!r}")
    if not 0.0 < float(alpha) < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    return float(alpha)


def check_int(value: object, name: str, low: int, high: int | None = None) -> int:
    """An integer (not a bool) in ``low..high`` (``high`` None: no upper bound)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    v = int(value)
    if v < low or (high is not None and v > high):
        upper = "" if high is None else f" and at most {high}"
        raise ValueError(f"{name} must be at least {low}{upper}, got {v}")
    return v


def check_positive(value: object, name: str) -> float:
    """A positive finite number (not a bool), as float."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ValueError(f"{name} must be a number, got {value!r}")
    v = float(value)
    if not (math.isfinite(v) and v > 0.0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return v


def check_labels(labels: Sequence[object] | None, k: int, name: str) -> tuple[str, ...] | None:
    """One label per row as strings (None becomes ``""``), or None when no labels are given."""
    if labels is None:
        return None
    if isinstance(labels, str):
        raise ValueError(f"{name} must be a sequence of labels, not a single string")
    out = tuple("" if x is None else str(x) for x in labels)
    if len(out) != k:
        raise ValueError(f"{name} must have one entry per row ({k}), got {len(out)}")
    return out


def fmt_p(p: float) -> str:
    """A probability the way the reasons print it: ``7.9e-12``, ``0.0032``, ``< 1e-300``."""
    if not math.isfinite(p):
        return "—"
    if p == 0.0:
        return "< 1e-300"
    if p < 0.001:
        mantissa, exponent = f"{p:.1e}".split("e")
        return f"{mantissa}e-{int(exponent[1:])}"
    return f"{p:.2g}"


def fmt_num(x: float) -> str:
    """Counts and rates: integers without decimals, otherwise two decimals (one from 10 up)."""
    if not math.isfinite(x):
        return "—"
    if x == round(x) and abs(x) < 1e15:
        return f"{int(round(x)):,}"
    return f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"
