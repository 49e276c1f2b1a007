"""Assemble the semi-annual comparison from count tables into one JSON-ready dictionary.

Everything a report shows (the HTML, the spreadsheets, the web page, report.json) is read from
this one structure, so every published number has a single source.  Inputs are count tables
from SQL; outputs are plain lists, floats and strings (NaN becomes ``None``), rates are
fractions in [0, 1] and intervals are ``[low, high]``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import change, descriptive, inspections, letters, omnibus, pairwise, reliability

MAIN_ITEM = "overall"


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
    return [clean(float(low)), clean(float(high))]


def likert_report(
    offices: Sequence[OfficeInfo],
    counts: Mapping[str, np.ndarray],
    no_answer: Mapping[str, np.ndarray],
    labels: Mapping[str, str],
    *,
    main_item: str = MAIN_ITEM,
    previous: tuple[Mapping[str, np.ndarray], Mapping[str, np.ndarray]] | None = None,
    alpha_sums: tuple | None = None,
) -> dict:
    """Per office statistics on ``main_item``, the across-office tests, items and change.

    ``counts[item]`` is offices x 5 levels (value 1..5), ``no_answer[item]`` per office;
    ``previous`` holds the same two mappings for the period compared against; ``alpha_sums``
    is ``(n, sums, squares, item_total, total_sq)`` for Cronbach's alpha.
    """
    if main_item not in counts:
        raise ValueError(f"the instrument has no item {main_item!r}")
    table = counts[main_item]
    summary = descriptive.describe_arrays(table, no_answer=no_answer[main_item])
    n_total = int(summary.n.sum())
    if n_total == 0:
        raise ValueError("no answers in this period")
    groups = [""] * len(offices)
    nonempty = int((summary.n > 0).sum())
    tests: dict[str, object] = {"kruskal": {
        "H": None, "p": None, "df": 0, "epsilon2": None,
        "note": "fewer than two offices with answers: nothing to compare"}}
    if nonempty >= 2:
        kruskal = omnibus.kruskal_from_counts(table)
        anova = omnibus.anova_from_counts(table)
        # office x (satisfied, not): answers "do satisfaction rates differ" with fewer tiny cells
        chi2 = omnibus.chi2_from_counts(omnibus.satisfied_table(table))
        dunn = pairwise.dunn_from_counts(table, adjust="holm")
        groups = letters.letters_from_dunn(dunn)
        significant = np.argwhere(np.triu(dunn.pvalue_adjusted < 0.05, k=1))
        tests = {
            "kruskal": {"H": clean(kruskal.statistic), "p": clean(kruskal.pvalue),
                        "df": kruskal.df, "epsilon2": clean(kruskal.epsilon2),
                        "note": kruskal.note},
            "anova": {"F": clean(anova.statistic), "p": clean(anova.pvalue),
                      "df_between": anova.df_between, "df_within": anova.df_within,
                      "eta2": clean(anova.eta2), "note": anova.note},
            "chi2": {"chi2": clean(chi2.statistic), "p": clean(chi2.pvalue), "dof": chi2.dof,
                     "cramers_v": clean(chi2.cramers_v), "min_expected": clean(chi2.min_expected),
                     "warning": chi2_warning(chi2), "table": "office x satisfied/not"},
            "dunn": {"adjust": "holm", "comparisons": dunn.n_comparisons,
                     "significant_pairs": [
                         [offices[i].code, offices[j].code, clean(dunn.pvalue_adjusted[i, j])]
                         for i, j in significant]},
        }
    rows = []
    for i, office in enumerate(offices):
        rows.append({
            "code": office.code, "name": office.name, "name_en": office.name_en, "kind": office.kind,
            "n": int(summary.n[i]), "no_answer": int(summary.no_answer[i]),
            "mean": clean(summary.mean[i]), "sd": clean(summary.sd[i]),
            "mean_ci": pair(summary.mean_ci_low[i], summary.mean_ci_high[i]),
            "satisfied_rate": clean(summary.satisfied_rate[i]),
            "satisfied_ci": pair(summary.satisfied_ci_low[i], summary.satisfied_ci_high[i]),
            "margin_of_error": clean(summary.margin_of_error[i]),
            "distribution": [clean(x) for x in summary.distribution[i]],
            "group": groups[i],
        })
    pooled = descriptive.describe(table.sum(axis=0), no_answer=int(no_answer[main_item].sum()))
    result = {
        "item": main_item, "item_label": labels.get(main_item, main_item),
        "n": n_total, "offices_with_data": nonempty,
        "overall": {"mean": clean(pooled.mean), "satisfied_rate": clean(pooled.satisfied_rate),
                    "satisfied_ci": pair(*pooled.satisfied_ci),
                    "margin_of_error": clean(pooled.margin_of_error)},
        "offices": rows, "tests": tests, "items": item_rates(offices, counts, labels),
    }
    if previous is not None:
        result["change"] = change_rows(offices, table, previous[0].get(main_item))
    if alpha_sums is not None and alpha_sums[0] >= 2 and len(alpha_sums[1]) >= 2:
        alpha = reliability.cronbach_alpha_from_totals(*alpha_sums)
        result["reliability"] = {"cronbach_alpha": clean(alpha.alpha), "items": alpha.k_items,
                                 "n": alpha.n}
    return result


def chi2_warning(result: omnibus.Chi2Result) -> str | None:
    """The small-expected-counts warning in the analysts' language."""
    if result.warning is None:
        return None
    return (f"{100 * result.small_expected_share:.0f}% 的期望次數小於 5(最小 "
            f"{result.min_expected:.2f}),卡方檢定的 p 值可能不可靠；可合併選項"
            "（例如滿意/不滿意）或合併樣本小的機關後再看。")


def item_rates(offices: Sequence[OfficeInfo], counts: Mapping[str, np.ndarray],
               labels: Mapping[str, str]) -> list[dict]:
    """Satisfaction rate of every Likert item per office: the office x item heatmap."""
    items = []
    for key, table in counts.items():
        per_office = descriptive.describe_arrays(table)
        pooled = descriptive.describe(table.sum(axis=0))
        items.append({
            "key": key, "label": labels.get(key, key), "n": int(pooled.n),
            "satisfied_rate": clean(pooled.satisfied_rate), "mean": clean(pooled.mean),
            "by_office": {o.code: clean(per_office.satisfied_rate[i])
                          for i, o in enumerate(offices)},
        })
    return items


def change_rows(offices: Sequence[OfficeInfo], current: np.ndarray,
                before: np.ndarray | None) -> list[dict]:
    """Change in satisfaction rate per office (Newcombe interval) and Mann-Whitney on the shift.

    Both are computed for all offices at once (paired row by row); offices without answers in
    one of the periods get ``None`` rather than a number.
    """
    if before is None:
        before = np.zeros_like(current)
    now = descriptive.describe_arrays(current)
    then = descriptive.describe_arrays(before)
    both = (then.n > 0) & (now.n > 0)
    diff = shift = None
    if both.any():
        diff = change.newcombe_diff(then.satisfied[both], then.n[both], now.satisfied[both],
                                    now.n[both])
        shift = change.mann_whitney_from_counts(before[both], current[both])
    where = np.cumsum(both) - 1
    rows = []
    for i, office in enumerate(offices):
        row = {"code": office.code, "name": office.name, "name_en": office.name_en,
               "before_rate": clean(then.satisfied_rate[i]), "after_rate": clean(now.satisfied_rate[i]),
               "before_n": int(then.n[i]), "after_n": int(now.n[i]),
               "diff": None, "diff_ci": [None, None], "p": None, "mann_whitney": None}
        if both[i]:
            j = where[i]
            row.update(diff=clean(diff.diff[j]), diff_ci=pair(diff.ci[0][j], diff.ci[1][j]),
                       p=clean(diff.pvalue[j]))
            row["mann_whitney"] = {"U": clean(shift.statistic[j]), "p": clean(shift.pvalue[j]),
                                   "rank_biserial": clean(shift.rank_biserial[j])}
        rows.append(row)
    return rows


@dataclass(frozen=True)
class InspectionTables:
    """Count tables for one inspector instrument in one period (offices in the report's order).

    ``sections``: key → (label, earned per office, possible per office), pooled over checks.
    ``items``: key → (label, passed, failed, not applicable) per office.
    """

    n: np.ndarray
    total: np.ndarray
    total_sq: np.ndarray
    sections: Mapping[str, tuple[str, np.ndarray, np.ndarray]]
    items: Mapping[str, tuple[str, np.ndarray, np.ndarray, np.ndarray]]


def inspection_report(offices: Sequence[OfficeInfo], tables: InspectionTables,
                      bands: Sequence[tuple[float, str]]) -> dict:
    """Mean score, checks, grade and section sub-scores per office; most-missed items overall."""
    if float(np.sum(tables.n)) == 0:
        raise ValueError("no approved checks in this period")
    summary = inspections.score_summary(tables.n, tables.total, tables.total_sq, bands)
    section_pct = {key: inspections.section_scores(earned, possible)
                   for key, (_label, earned, possible) in tables.sections.items()}
    rows = []
    for i, office in enumerate(offices):
        rows.append({
            "code": office.code, "name": office.name, "name_en": office.name_en, "kind": office.kind,
            "n": int(summary.n[i]), "checks": int(summary.n[i]), "score_mean": clean(summary.mean[i]),
            "score_sd": clean(summary.sd[i]),
            # scores live on 0-100, so the t-interval is clipped to that range
            "score_ci": pair(max(0.0, summary.mean_ci_low[i]), min(100.0, summary.mean_ci_high[i])),
            "grade": summary.grade[i] if summary.n[i] > 0 else None,
            "sections": {key: clean(values[i]) for key, values in section_pct.items()},
        })
    keys = list(tables.items)
    passed = np.array([tables.items[k][1].sum() for k in keys], dtype=float)
    failed = np.array([tables.items[k][2].sum() for k in keys], dtype=float)
    not_applicable = np.array([tables.items[k][3].sum() for k in keys], dtype=float)
    rates = inspections.item_failure_rates(passed, failed, not_applicable)
    items = [{
        "key": keys[j], "label": tables.items[keys[j]][0], "failure_rate": clean(rates.failure_rate[j]),
        "failure_ci": pair(rates.ci_low[j], rates.ci_high[j]), "n": int(rates.n_applicable[j]),
        "failed": int(failed[j]), "not_applicable": int(not_applicable[j]),
    } for j in rates.most_missed()]
    checks = float(np.sum(tables.n))
    return {
        "checks": int(checks),
        "overall": {"score_mean": clean(float(np.sum(tables.total)) / checks)},
        "sections": [{"key": k, "label": label} for k, (label, _e, _p) in tables.sections.items()],
        "bands": [[low, label] for low, label in bands],
        "offices": rows, "items": items,
    }
