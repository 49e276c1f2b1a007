"""The staff survey's part of the report: per office, how many answered and what share agreed
with each item, judged only where enough staff answered.

Staff groups are small (an office has 10 to 60 people), so the rules are stricter than the
citizen survey's and are about people as much as precision:

- An office with fewer than ``min_n`` answers shows its count and response rate only.  An item
  fewer than ``min_n`` answered in a shown office is not shown either.
- The all-office figures pool the shown offices only: pooling every office would let a reader
  subtract the shown ones and recover a hidden office's answers.
- Rates carry Wilson intervals.  They ignore the finite-population correction (a 20-person
  office where 15 answered is nearly a census), so they are wider than they could be: they
  never claim more certainty than the data give.
- A change against the earlier round is called only when its Holm-adjusted p-value over every
  office and item compared is under 0.05, as the citizen survey's changes are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import change, pairwise
from ..satisfaction import MAIN_ITEM, satisfied
from ..wilson import wilson_interval
from .common import OfficeInfo, clean, office_fields, pair

ALPHA = 0.05
DEFAULT_STAFF_MIN_N = 5


def staff_report(offices: Sequence[OfficeInfo], counts: Mapping[str, np.ndarray],
                 labels: Mapping[str, str], *, staff: Sequence[int], comments: Sequence[int],
                 previous: Mapping[str, np.ndarray] | None = None,
                 min_n: int = DEFAULT_STAFF_MIN_N, main_item: str = MAIN_ITEM) -> dict:
    """``counts[item]``: offices x 5 levels this round, ``previous`` the same for the earlier
    round; ``staff``: each office's staff number (0: not known); ``comments``: written
    comments per office.  Raises ``ValueError`` when nobody answered."""
    if min_n < 1:
        raise ValueError("min_n must be at least 1")
    if main_item not in counts:
        raise ValueError(f"the instrument has no item {main_item!r}")
    answered = counts[main_item].sum(axis=1)
    if answered.sum() == 0:
        raise ValueError("no staff answers in this period")
    items = [main_item, *(k for k in counts if k != main_item)]
    shown = answered >= min_n
    agree = {k: satisfied(counts[k]) for k in items}
    n_item = {k: counts[k].sum(axis=1) for k in items}
    before_agree = {k: satisfied(previous[k]) for k in items} if previous else {}
    before_n = {k: previous[k].sum(axis=1) for k in items} if previous else {}
    changes = _changes(items, shown, agree, n_item, before_agree, before_n, min_n)
    rows = []
    for i, office in enumerate(offices):
        base = int(staff[i]) if staff[i] else None
        row = {**office_fields(office), "n": int(answered[i]), "staff": base,
               "response_rate": clean(min(answered[i] / base, 1.0)) if base else None,
               "more_than_staff": bool(base and answered[i] > base),
               "reportable": bool(shown[i]), "comments": None, "items": {}}
        if shown[i]:
            row["comments"] = int(comments[i])
            for k in items:
                if n_item[k][i] >= min_n:
                    row["items"][k] = {**_rate(agree[k][i], n_item[k][i]),
                                       "change": changes.get((k, i))}
        rows.append(row)
    overall = {"offices": int(shown.sum()), "n": int(answered[shown].sum()),
               "items": {k: _rate(agree[k][shown].sum(), n_item[k][shown].sum())
                         for k in items if n_item[k][shown].sum() >= min_n}}
    return {"min_n": min_n, "items": [{"key": k, "label": labels.get(k, k)} for k in items],
            "offices": rows, "overall": overall,
            "too_few": [o.code for o, ok in zip(offices, shown, strict=True) if not ok],
            "compared": bool(previous)}


def _rate(agree: float, n: float) -> dict:
    low, high = wilson_interval(int(agree), int(n))
    return {"n": int(n), "agree": int(agree), "rate": clean(agree / n), "ci": pair(low, high)}


def _changes(items, shown, agree, n_item, before_agree, before_n, min_n) -> dict:
    """``{(item, office row): change}`` for every item of a shown office that also had enough
    answers in the earlier round, Holm-adjusted over all of them together."""
    pairs = [(k, i) for k in items if k in before_n for i in np.flatnonzero(shown)
             if n_item[k][i] >= min_n and before_n[k][i] >= min_n]
    if not pairs:
        return {}
    x1 = np.array([before_agree[k][i] for k, i in pairs])
    n1 = np.array([before_n[k][i] for k, i in pairs])
    x2 = np.array([agree[k][i] for k, i in pairs])
    n2 = np.array([n_item[k][i] for k, i in pairs])
    diff = change.newcombe_diff(x1, n1, x2, n2)
    adjusted = pairwise.adjust_pvalues(np.atleast_1d(diff.pvalue), "holm")
    found = {}
    for j, key in enumerate(pairs):
        d = float(np.atleast_1d(diff.diff)[j])
        direction = ("up" if d > 0 else "down") if adjusted[j] < ALPHA and d != 0 else None
        found[key] = {"before_rate": clean(float(x1[j] / n1[j])), "before_n": int(n1[j]),
                      "diff": clean(d), "diff_ci": pair(np.atleast_1d(diff.ci[0])[j],
                                                        np.atleast_1d(diff.ci[1])[j]),
                      "p": clean(float(np.atleast_1d(diff.pvalue)[j])),
                      "p_adjusted": clean(float(adjusted[j])), "direction": direction}
    return found


def staff_summary(section: dict, locale: str = "zh_TW") -> list[str]:
    """The staff survey's sentences for the report's summary, in ``locale``."""
    en = locale.startswith("en")
    min_n, overall = section["min_n"], section["overall"]
    hidden = len(section["too_few"])
    said = []
    main = overall["items"].get(section["items"][0]["key"]) if section["items"] else None
    if overall["offices"] and main:
        pct = f"{100 * main['rate']:.0f}%"
        ci = f"{100 * main['ci'][0]:.0f}–{100 * main['ci'][1]:.0f}%"
        said.append(
            f"Staff survey: in the {overall['offices']} offices where at least {min_n} staff "
            f"answered ({overall['n']} answers), {pct} of staff were satisfied overall "
            f"(95% CI {ci})." if en else
            f"內部同仁滿意度調查：{overall['offices']} 個機關各有至少 {min_n} 位同仁回答"
            f"（共 {overall['n']} 份），整體滿意的同仁占 {pct}（95% 信賴區間 {ci}）。")
        rated = [(v["rate"], k["label"]) for k in section["items"][1:]
                 if (v := overall["items"].get(k["key"]))]
        if rated:
            rate, label = min(rated)
            said.append(f"The item fewest were satisfied with: “{label}” ({100 * rate:.0f}%)." if en
                        else f"滿意比例最低的題目是「{label}」（{100 * rate:.0f}%）。")
    if hidden:
        said.append(f"{hidden} offices had fewer than {min_n} answers: their results are not "
                    "shown, to protect the few who answered." if en else
                    f"{hidden} 個機關回答不足 {min_n} 人，為保護填答同仁不列出結果。")
    moved = [(o, k, c) for o in section["offices"] for k, v in o["items"].items()
             if (c := v.get("change")) and c["direction"]]
    if section.get("compared"):
        said.append(f"Against the earlier round, {len(moved)} office items changed beyond "
                    "chance (Holm-adjusted)." if en else
                    f"與前一輪相比，有 {len(moved)} 個機關題目的變化超出隨機誤差（Holm 校正）。")
    return said
