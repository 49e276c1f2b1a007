"""How the report's templates print numbers: shares as percentages, points, p-values, intervals.

Plain functions rather than Jinja macros because a 400-office report prints thousands of
them and a macro call costs many times a function call: the report's HTML renders in two
thirds of the time the macros took.  A missing value prints as a dash everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from markupsafe import Markup

DASH = "—"


def pct(value: float | None) -> str:
    """A share (0.873) as a percentage with one decimal ("87.3%")."""
    return DASH if value is None else f"{100 * value:.1f}%"


def points(value: float | None) -> str:
    """A difference of shares in percentage points, signed ("+2.4")."""
    return DASH if value is None else f"{100 * value:+.1f}"


def num(value: float | None, digits: int = 2) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def score(value: float | None) -> str:
    """An inspection score with one decimal, as an office's scorecard shows it."""
    return num(value, 1)


def pval(p: float | None) -> str:
    """A p-value to three decimals; below 0.001 as "< 0.001" (never "0.000")."""
    if p is None:
        return DASH
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def ci(pair: Sequence[float | None] | None, fmt: Callable[[float | None], str] = pct) -> str:
    """An interval as "low–high" in *fmt*; a dash when there is none."""
    if not pair or pair[0] is None:
        return DASH
    return f"{fmt(pair[0])}–{fmt(pair[1])}"


def pct_cells(values: Iterable[float | None]) -> Markup:
    """A table row's run of percentage cells, ``<td>87.3%</td>…``, in one call (a 400-office
    report's distribution and item tables hold thousands)."""
    return Markup("".join(f"<td>{pct(v)}</td>" for v in values))


HELPERS = {"pct_cells": pct_cells, "pct": pct, "points": points, "num": num, "score": score, "pval": pval, "ci": ci}
