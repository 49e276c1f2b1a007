"""The citizen survey's section of the report: per office, across offices, and what may be said.

An office is judged only when it has at least ``min_n`` respondents; below that it shows its n,
and it still counts in the overall figures.  Offices are compared on the satisfaction rate, the
metric the page shows: a funnel plot around the overall rate (Spiegelhalter 2005) rather than a
league table, compact letters from pairwise two-proportion tests with Holm's adjustment, and
empirical-Bayes rates with rank intervals wherever a position is shown.  The distribution-level
tests (Kruskal-Wallis, ANOVA and Welch's ANOVA, chi-square) stay in the detail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from analysis.satisfaction import MAIN_ITEM

from .. import descriptive, effects, funnel, omnibus, pairwise, proportions, reliability
from .. import shrinkage as eb
from .common import DEFAULT_MIN_N, OfficeInfo, clean, office_fields, pair

CAVEATS = {
    "self_selection": "民眾自行決定是否填答，信賴區間只反映抽樣誤差，不反映誰選擇填答所造成的偏差。",
    "weighting": "整體滿意度以所有填答民眾計算（依回答人數加權），不是各機關滿意度的平均。",
}


def chi2_warning(result: omnibus.Chi2Result) -> str | None:
    """The small-expected-counts warning in the analysts' language."""
    if result.warning is None:
        return None
    return (f"{100 * result.small_expected_share:.0f}% 的期望次數小於 5（最小 "
            f"{result.min_expected:.2f}），卡方檢定的 p 值可能不可靠；可合併選項"
            "（例如滿意/不滿意）或合併樣本小的機關後再看。")


def item_rates(offices: Sequence[OfficeInfo], counts: Mapping[str, np.ndarray],
               labels: Mapping[str, str], reportable: np.ndarray,
               min_n: int = DEFAULT_MIN_N) -> list[dict]:
    """Satisfaction rate of every Likert item per office (the office x item heatmap); an
    office too small to judge has ``None`` there, and so has the pooled rate and mean of an
    item fewer than ``min_n`` answered (a report of one small office would otherwise print
    its one citizen's answer to every item)."""
    items = []
    for key, table in counts.items():
        per_office = descriptive.describe_arrays(table)
        pooled = descriptive.describe(table.sum(axis=0))
        shown = pooled.n >= min_n
        items.append({
            "key": key, "label": labels.get(key, key), "n": int(pooled.n),
            "satisfied_rate": clean(pooled.satisfied_rate) if shown else None,
            "mean": clean(pooled.mean) if shown else None,
            "by_office": {o.code: clean(per_office.satisfied_rate[i]) if reportable[i] else None
                          for i, o in enumerate(offices)},
        })
    return items


def distribution_tests(table: np.ndarray, codes: Sequence[str]) -> dict:
    """Do the offices' whole answer distributions differ?  (For the detail, not the summary.)"""
    kruskal = omnibus.kruskal_from_counts(table)
    anova = omnibus.anova_from_counts(table)
    welch = effects.welch_anova_from_counts(table)
    # office x (satisfied, not): "do satisfaction rates differ" with fewer tiny cells
    chi2 = omnibus.chi2_from_counts(omnibus.satisfied_table(table))
    v_low, v_high = effects.cramers_v_interval(chi2.statistic, int(table.sum()), table.shape[0],
                                               2)
    dunn = pairwise.dunn_from_counts(table, adjust="holm")
    significant = np.argwhere(np.triu(dunn.pvalue_adjusted < 0.05, k=1))
    return {
        "kruskal": {"H": clean(kruskal.statistic), "p": clean(kruskal.pvalue), "df": kruskal.df,
                    "epsilon2": clean(kruskal.epsilon2), "note": kruskal.note},
        "anova": {"F": clean(anova.statistic), "p": clean(anova.pvalue),
                  "df_between": anova.df_between, "df_within": anova.df_within,
                  "eta2": clean(anova.eta2), "note": anova.note},
        "welch_anova": {"F": clean(welch.statistic), "p": clean(welch.pvalue),
                        "df_between": clean(welch.df_between), "df_within": clean(welch.df_within),
                        "note": welch.note},
        "chi2": {"chi2": clean(chi2.statistic), "p": clean(chi2.pvalue), "dof": chi2.dof,
                 "cramers_v": clean(chi2.cramers_v), "cramers_v_ci": pair(v_low, v_high),
                 "min_expected": clean(chi2.min_expected), "warning": chi2_warning(chi2),
                 "table": "office x satisfied/not"},
        "dunn": {"adjust": "holm", "comparisons": dunn.n_comparisons,
                 "note": "Dunn's test compares whole answer distributions; the letters compare "
                         "satisfaction rates",
                 "significant_pairs": [[codes[i], codes[j], clean(dunn.pvalue_adjusted[i, j])]
                                       for i, j in significant]},
    }


def likert_report(
    offices: Sequence[OfficeInfo],
    counts: Mapping[str, np.ndarray],
    no_answer: Mapping[str, np.ndarray],
    labels: Mapping[str, str],
    *,
    main_item: str = MAIN_ITEM,
    previous: tuple[Mapping[str, np.ndarray], Mapping[str, np.ndarray]] | None = None,
    alpha_sums: tuple | None = None,
    min_n: int = DEFAULT_MIN_N,
) -> dict:
    """Per office statistics on ``main_item``, the comparison, the items and the change.

    ``counts[item]`` is offices x 5 levels (value 1..5), ``no_answer[item]`` per office;
    ``previous`` holds the same two mappings for the period compared against; ``alpha_sums``
    is ``(n, sums, squares, item_total, total_sq)`` for Cronbach's alpha.
    """
    from .change import change_report  # the change section has its own module

    if main_item not in counts:
        raise ValueError(f"the instrument has no item {main_item!r}")
    if min_n < 1:
        raise ValueError("min_n must be at least 1")
    table = counts[main_item]
    summary = descriptive.describe_arrays(table, no_answer=no_answer[main_item])
    n_total = int(summary.n.sum())
    if n_total == 0:
        raise ValueError("no answers in this period")
    reportable = summary.n >= min_n
    judged = np.flatnonzero(reportable)
    codes = [offices[i].code for i in judged]
    pooled = descriptive.describe(table.sum(axis=0), no_answer=int(no_answer[main_item].sum()))

    groups, comparison = {}, {"offices": len(judged), "pairs": 0, "significant_pairs": []}
    tests: dict = {"kruskal": {"H": None, "p": None, "df": 0, "epsilon2": None,
                               "note": "fewer than two offices can be judged: nothing to compare"}}
    fun = shrunk = ranks = None
    if len(judged) >= 1:
        successes, n = summary.satisfied[judged], summary.n[judged]
        fun = funnel.funnel(successes, n, target=float(pooled.satisfied_rate))
        shrunk = eb.shrink(successes, n)
        # 2,000 simulated league tables pin a 95 % rank interval's ends to within a rank
        ranks = eb.rank_intervals(successes, n, a=shrunk.a, b=shrunk.b, draws=2000)
    if len(judged) >= 2:
        tests = distribution_tests(table[judged], codes)
        pairs = proportions.pairwise_proportions(summary.satisfied[judged], summary.n[judged])
        groups = dict(zip(judged, proportions.letters_from_proportions(pairs), strict=True))
        significant = np.argwhere(np.triu(pairs.significant(0.05), k=1))
        comparison = {
            "offices": len(judged), "pairs": int(pairs.n_comparisons), "adjust": "holm",
            "test": "pooled two-proportion z test on the satisfaction rate",
            "significant_pairs": [[codes[i], codes[j], clean(pairs.pvalue_adjusted[i, j])]
                                  for i, j in significant],
        }
    position = {office: j for j, office in enumerate(judged)}
    rows = []
    for i, office in enumerate(offices):
        row = {**office_fields(office), "n": int(summary.n[i]),
               "no_answer": int(summary.no_answer[i]), "reportable": bool(reportable[i])}
        if reportable[i]:
            j = position[i]
            row |= {
                "mean": clean(summary.mean[i]), "sd": clean(summary.sd[i]),
                "mean_ci": pair(summary.mean_ci_low[i], summary.mean_ci_high[i]),
                "mean_ci_note": summary.mean_ci_note[i],   # "no_spread": all on one level
                "satisfied_rate": clean(summary.satisfied_rate[i]),
                "satisfied_ci": pair(summary.satisfied_ci_low[i], summary.satisfied_ci_high[i]),
                "margin_of_error": clean(summary.margin_of_error[i]),
                "distribution": [clean(x) for x in summary.distribution[i]],
                "group": groups.get(i, ""),
                "shrunk_rate": clean(shrunk.shrunk[j]),
                "shrunk_ci": pair(shrunk.lower[j], shrunk.upper[j]),
                "rank_interval": [int(ranks.best[j]), int(ranks.worst[j])],
                "funnel": {"z": clean(fun.z[j]), "outside": fun.outside[j],
                           "alert": fun.alert[j], "binomial_outside": fun.binomial_outside[j]},
            }
        else:
            row |= {"mean": None, "sd": None, "mean_ci": [None, None], "mean_ci_note": None,
                    "satisfied_rate": None,
                    "satisfied_ci": [None, None], "margin_of_error": None, "distribution": None,
                    "group": "", "shrunk_rate": None, "shrunk_ci": [None, None],
                    "rank_interval": None, "funnel": None}
        rows.append(row)
    result = {
        "item": main_item, "item_label": labels.get(main_item, main_item),
        "n": n_total, "min_n": min_n, "offices_with_data": int((summary.n > 0).sum()),
        "offices_reportable": len(judged),
        # the same small-n rule for the whole selection: a report of one small office (or of
        # a kind with few answers) shows how many answered, not what they answered
        "overall": {"mean": clean(pooled.mean), "satisfied_rate": clean(pooled.satisfied_rate),
                    "satisfied_ci": pair(*pooled.satisfied_ci),
                    "margin_of_error": clean(pooled.margin_of_error),
                    "weighting": "respondents", "reportable": True} if n_total >= min_n else {
            "mean": None, "satisfied_rate": None, "satisfied_ci": [None, None],
            "margin_of_error": None, "weighting": "respondents", "reportable": False},
        "offices": rows, "tests": tests, "comparison": comparison,
        "funnel": None if fun is None else {
            "target": clean(fun.target), "levels": list(fun.levels), "model": "additive",
            "phi": clean(fun.phi), "tau2": clean(fun.tau2), "overdispersed": fun.overdispersed,
            "overdispersion_p": clean(fun.overdispersion_p)},
        "shrinkage": None if shrunk is None else {
            "model": "beta-binomial", "a": clean(shrunk.a), "b": clean(shrunk.b),
            # where it pulls (offices as units, not respondents) and how hard (answers' worth)
            "prior_mean": clean(shrunk.a / (shrunk.a + shrunk.b)),
            "prior_weight": clean(shrunk.a + shrunk.b),
            "rank_intervals_include_prior_uncertainty": False},
        "items": item_rates(offices, counts, labels, reportable, min_n),
        "caveats": dict(CAVEATS),
    }
    if previous is not None:
        result |= change_report(offices, table, previous[0].get(main_item), min_n=min_n)
    if alpha_sums is not None and alpha_sums[0] >= max(2, min_n) and len(alpha_sums[1]) >= 2:
        alpha = reliability.cronbach_alpha_from_totals(*alpha_sums)
        low, high = effects.cronbach_alpha_interval(alpha.alpha, alpha.n, alpha.k_items)
        result["reliability"] = {"cronbach_alpha": clean(alpha.alpha), "items": alpha.k_items,
                                 "n": alpha.n, "ci": pair(low, high)}
    return result


__all__ = ["CAVEATS", "item_rates", "likert_report"]
