"""De-identified open data from count tables: what may be published, and what must be withheld.

One survey response at an office in a period, published as that office's cell, would be that
person's answers.  So a cell (period, instrument, office, item) based on fewer than ``min_n``
respondents is suppressed: flagged, with every number blank.  A published total over all
offices would give a suppressed cell back by subtraction (total minus the published offices),
so suppression is complemented: the smallest published offices join the withheld ones until
what the total minus the published offices reveals is safe, and safe also for each office's own
manager, who knows their office's figures and can take them off as well.  Safe means the group
(and the group less any one of its offices) is either only publishable cells or at least two
offices with ``min_n`` respondents between them, which is what a published cell may be anyway:
one small office and one complement are not enough, since the complement's manager would get
the small office's answers back.  When no office can be added, the total is withheld too.

Inspections have no respondents: a check is an inspector's score of an office's service, not a
citizen's answers.  Their cells are withheld below ``min_checks`` (default 1) and carry no
inspector, date or comment.

Pure functions over arrays; the web app gathers the counts with SQL (``webapp.aggregates``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis import satisfaction
from analysis.satisfaction import LEVELS
from analysis.wilson import wilson_arrays, z_for

#: the code of the all-offices row of each item
ALL = "ALL"

#: why a cell is withheld
SMALL = "small_n"
COMPLEMENTARY = "complementary"


def exposes(group: Sequence[int], min_n: int) -> bool:
    """Whether knowing ``group``'s combined counts gives away a small cell: it holds one
    (0 < n < ``min_n``) and is a single office or fewer than ``min_n`` respondents."""
    small = any(0 < c < min_n for c in group)
    return small and (len(group) < 2 or sum(group) < min_n)


def _safe(group: list[int], min_n: int) -> bool:
    """Safe from anyone (the group itself) and from each member's own manager (the group less
    that member)."""
    return not exposes(group, min_n) and not any(
        exposes(group[:i] + group[i + 1:], min_n) for i in range(len(group)))


def suppression(n: Sequence[int], min_n: int) -> tuple[list[str | None], bool]:
    """Per office the reason its cell is withheld (None: published), and whether the total
    over all offices must be withheld as well.

    An office with no respondents at all publishes n = 0: there is nothing to protect.
    """
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, got {min_n!r}")
    counts = [int(c) for c in n]
    reasons: list[str | None] = [SMALL if 0 < c < min_n else None for c in counts]
    withheld = [i for i, r in enumerate(reasons) if r]
    if not withheld:
        return reasons, False
    # the smallest published offices first, ties by position so the result is stable
    candidates = sorted((i for i, r in enumerate(reasons) if r is None and counts[i] > 0),
                        key=lambda i: (counts[i], i))
    while not _safe([counts[i] for i in withheld], min_n):
        if not candidates:
            return reasons, True
        chosen = candidates.pop(0)
        reasons[chosen] = COMPLEMENTARY
        withheld.append(chosen)
    return reasons, False


@dataclass(frozen=True)
class SurveyCell:
    """One published (or withheld) cell; every number is None when ``suppressed``."""

    office: str
    item: str
    n: int | None
    levels: tuple[int, ...] | None
    satisfied_rate: float | None
    wilson_low: float | None
    wilson_high: float | None
    mean: float | None
    suppressed: str | None

    def as_row(self) -> dict:
        row = {"office_code": self.office, "item": self.item, "n": self.n}
        for level in range(LEVELS):
            row[f"level_{level + 1}"] = None if self.levels is None else self.levels[level]
        row.update(satisfied_rate=self.satisfied_rate, wilson_low=self.wilson_low,
                   wilson_high=self.wilson_high, mean=self.mean, suppressed=self.suppressed)
        return row


def _cells(codes: Sequence[str], item: str, table: np.ndarray, z: float,
           reasons: Sequence[str | None]) -> list[SurveyCell]:
    n = table.sum(axis=1)
    satisfied = satisfaction.satisfied(table)
    low, high = wilson_arrays(satisfied.astype(float), n.astype(float), z)
    weighted = table @ np.arange(1, LEVELS + 1)
    cells = []
    for i, code in enumerate(codes):
        if reasons[i] is not None:
            cells.append(SurveyCell(code, item, None, None, None, None, None, None, reasons[i]))
            continue
        has = n[i] > 0
        cells.append(SurveyCell(
            code, item, int(n[i]), tuple(int(v) for v in table[i]),
            round(float(satisfied[i] / n[i]), 4) if has else None,
            round(float(low[i]), 4) if has else None, round(float(high[i]), 4) if has else None,
            round(float(weighted[i] / n[i]), 4) if has else None, None))
    return cells


def survey_cells(codes: Sequence[str], counts: dict[str, np.ndarray], min_n: int,
                 confidence: float = 0.95) -> list[SurveyCell]:
    """Every office's cell of every item, and the all-offices cell (code ``ALL``) of each.

    ``counts[item]`` is an offices x 5 array of answers per level (no-answers left out: a
    respondent who skipped the item is not in its n).
    """
    z = z_for(confidence)
    cells: list[SurveyCell] = []
    for item, table in counts.items():
        table = np.asarray(table, dtype=np.int64)
        if table.shape != (len(codes), LEVELS):
            raise ValueError(f"{item}: expected {(len(codes), LEVELS)} counts, got {table.shape}")
        reasons, hide_total = suppression(table.sum(axis=1), min_n)
        cells += _cells(codes, item, table, z, reasons)
        total = table.sum(axis=0, keepdims=True)
        total_reason = SMALL if 0 < total.sum() < min_n else COMPLEMENTARY if hide_total else None
        cells += _cells([ALL], item, total, z, [total_reason])
    return cells


@dataclass(frozen=True)
class InspectionCell:
    office: str
    checks: int | None
    mean_score: float | None
    grades: dict[str, int] | None
    suppressed: str | None

    def as_row(self, grade_names: Sequence[str]) -> dict:
        row = {"office_code": self.office, "checks": self.checks, "mean_score": self.mean_score}
        for name in grade_names:
            row[f"grade_{name}"] = None if self.grades is None else self.grades.get(name, 0)
        row["suppressed"] = self.suppressed
        return row


def inspection_cells(codes: Sequence[str], checks: Sequence[int], totals: Sequence[float],
                     grades: Sequence[dict[str, int]], min_checks: int = 1) -> list[InspectionCell]:
    """Per office: how many approved checks, their mean 0-100 score and how many got each
    grade (as graded by the version each was filled in); withheld below ``min_checks`` (an
    office with no checks shows 0 checks)."""
    cells = []
    for code, n, total, graded in zip(codes, checks, totals, grades, strict=True):
        n = int(n)
        if 0 < n < min_checks:
            cells.append(InspectionCell(code, None, None, None, SMALL))
            continue
        cells.append(InspectionCell(code, n, round(float(total) / n, 2) if n else None,
                                    dict(graded), None))
    return cells


def changed_respondents(old: Sequence[int], new: Sequence[int]) -> int:
    """At least how many respondents a cell's counts per level moved by: answers added,
    taken away, or moved from one level to another (one person's answer corrected from 3 to 4
    is one respondent, not two)."""
    diff = np.asarray(new, dtype=np.int64) - np.asarray(old, dtype=np.int64)
    return int(max(diff[diff > 0].sum(), -diff[diff < 0].sum()))


def small_changes(old: dict[str, dict[str, Sequence[int]]], new: dict[str, dict[str, Sequence[int]]],
                  min_n: int) -> list[tuple[str, str, int]]:
    """The cells (item, office code, respondents) in which two versions of a period differ by
    between 1 and ``min_n`` - 1 respondents.

    Subtracting such a version from the other gives those few people's answers back, whatever
    suppression each version applied on its own; so the comparison is over the counts each
    version was built from (``old[item][office]``, the all-offices ``ALL`` included), and a cell
    one version lacks counts as empty.
    """
    zero = [0] * LEVELS
    found = []
    for item in sorted(set(old) | set(new)):
        before, after = old.get(item, {}), new.get(item, {})
        for office in sorted(set(before) | set(after)):
            moved = changed_respondents(before.get(office, zero), after.get(office, zero))
            if 0 < moved < min_n:
                found.append((item, office, moved))
    return found


def theme_cells(codes: Sequence[str], themes: Sequence[str], commenters: Sequence[int],
                mentions: np.ndarray, complaints: np.ndarray, praise: np.ndarray,
                min_n: int) -> list[dict]:
    """What the comments are about, per office and theme and for all offices (``ALL``), as
    counts only: never a comment's text.  An office is withheld, all its themes together, when
    fewer than ``min_n`` people commented (and others with it, so no withheld office follows
    from the total): the commenters are the respondents of these cells."""
    commenters = np.asarray(commenters, dtype=np.int64)
    tables = [np.asarray(t, dtype=np.int64) for t in (mentions, complaints, praise)]
    if any(t.shape != (len(codes), len(themes)) for t in tables):
        raise ValueError("theme counts must be offices x themes")
    reasons, hide_total = suppression(commenters, min_n)
    total = int(commenters.sum())
    total_reason = SMALL if 0 < total < min_n else COMPLEMENTARY if hide_total else None
    places = [(codes[i], int(commenters[i]), reasons[i], [t[i] for t in tables])
              for i in range(len(codes))]
    places.append((ALL, total, total_reason, [t.sum(axis=0) for t in tables]))
    rows = []
    for code, n, reason, (m, c, p) in places:
        for j, theme in enumerate(themes):
            shown = reason is None
            rows.append({"office_code": code, "theme": theme,
                         "commenters": n if shown else None,
                         "mentions": int(m[j]) if shown else None,
                         "complaints": int(c[j]) if shown else None,
                         "praise": int(p[j]) if shown else None, "suppressed": reason})
    return rows


def theme_basis(codes: Sequence[str], themes: Sequence[str], commenters: Sequence[int],
                mentions: np.ndarray, complaints: np.ndarray, praise: np.ndarray) -> dict:
    """The theme counts as ``small_changes`` compares them: per theme (``theme:<key>``) and
    office, the commenters who complain of it, praise it, mention it otherwise, do not mention
    it (and a fifth level, always 0), so a later correction that moves fewer than ``min_n``
    commenters in a cell is found like a moved answer."""
    commenters = np.asarray(commenters, dtype=np.int64)
    m, c, p = (np.asarray(t, dtype=np.int64) for t in (mentions, complaints, praise))
    basis: dict[str, dict[str, list[int]]] = {}
    for j, theme in enumerate(themes):
        cells = np.stack([c[:, j], p[:, j], m[:, j] - c[:, j] - p[:, j], commenters - m[:, j],
                          np.zeros(len(codes), dtype=np.int64)], axis=1)
        basis[f"theme:{theme}"] = {**{code: [int(v) for v in row] for code, row
                                      in zip(codes, cells, strict=True)},
                                   ALL: [int(v) for v in cells.sum(axis=0)]}
    return basis
