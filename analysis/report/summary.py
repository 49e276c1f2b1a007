"""The few sentences a director reads at the top of the report, with the numbers they cite.

Plain words, no test names: how many offices are compared and how many can be told apart, who
stands out above or below what chance allows (the funnel's 99.8 % limits), who changed after the
adjustment for looking at every office, who is too small to judge.  Every claim comes from the
same report dictionary the tables and charts are drawn from, so the summary cannot say more
than the detail.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Beyond this many offices a sentence gives the count and leaves the names to the table.
MAX_NAMED = 10

TEXT = {
    "zh": {
        "sep": "、", "none": "無",
        "who_all": "本期 {active} 個機關共 {n} 位民眾填答",
        "who_some": "本期 {active} 個機關中有 {offices} 個機關、共 {n} 位民眾填答",
        "compared": "{who}，整體滿意度 {rate}（誤差範圍 ±{moe} 個百分點）。",
        "compared_small": "{who}，少於 {min_n} 人，不計算整體滿意度。",
        "small": "{count} 個機關填答人數少於 {min_n} 人，樣本數不足，只列出人數、不評比：{names}。",
        "only_no_answer": "{count} 個機關的填答者都沒有回答這一題，無法評比：{names}。",
        "no_responses": "{count} 個機關本期沒有任何民眾填答：{names}。",
        "n_of": "{name}（{n} 人）",
        "apart": "可評比的 {judged} 個機關兩兩比較，{pairs} 組中有 {significant} 組的差距大於隨機誤差。",
        "apart_none": "可評比的 {judged} 個機關之間，沒有任何兩個機關的差距大於隨機誤差。",
        "above": "明顯高於整體的機關：{names}。",
        "below": "明顯低於整體的機關：{names}。",
        "inside": "其餘機關與整體的差距都在隨機誤差範圍內。",
        "no_ranking": "各機關之間的差距都不大於隨機誤差，不宜排名。",
        "spread": ("機關之間確有差異：{count} 個機關與整體的差距大於隨機誤差；但各機關本來就有一定的差異"
                   "（服務對象、櫃檯不同），以這個一般差異範圍來看，"),
        "spread_none": "沒有機關超出一般差異範圍。",
        "spread_above": "明顯偏高的是{names}",
        "spread_below": "明顯偏低的是{names}",
        "spread_join": "；",
        "near": ("另有 {count} 個機關超出 95% 界限（{judged} 個機關中，光憑隨機誤差就預期約 "
                 "{expected} 個），值得留意，但不宜據此評比{names}。"),
        "none_outside": "沒有機關明顯高於或低於整體（超出 99.8% 界限）。",
        "changed": "與{before}相比，確實改變的機關：{names}。",
        "unchanged": "與{before}相比，沒有機關的滿意度變化大於隨機誤差（已考慮同時比較多個機關）。",
        "overall_change": "整體而言，滿意度{how}。",
        "up": "上升", "down": "下降", "flat": "沒有明確的改變",
        "rtm": "{names}前期偏低、本期進步，部分可能只是回到平均水準（均值回歸）。",
        "opposite": ("各機關的變化方向不一致（上升：{up}；下降：{down}），合併計算的整體變化互相抵銷，"
                     "不能代表個別機關。"),
        "uneven": "各機關的變化幅度並不一致，合併計算的整體變化不能代表個別機關。",
        "uneven_none": ("各機關的變化並不一致，但沒有單一機關的變化大於隨機誤差（已考慮同時比較多個機關），"
                        "合併計算的整體變化不能代表個別機關。"),
        "point": "{name}（{sign}{value} 個百分點）",
        "inspection": "{title}：本期 {offices} 個機關共 {checks} 次查核，平均 {score} 分。",
        "graded": "查核 {min_checks} 次以上、可給等第的機關 {count} 個。",
        "ungraded": "{count} 個機關查核次數不足（少於 {min_checks} 次），只列出各次查核的結果，不給機關等第。",
        "unscored": "{title}：本期共 {checks} 次查核；這份查核表沒有計分項目。",
        "unchecked": "{count} 個機關本期沒有查核：{names}。",
        "rolling": "合計近一年（{label}）的查核，可給等第的機關 {count} 個。",
        "uncertain": ("其中 {count} 個機關的等第不確定：分數的信賴區間跨越兩個以上的等第，"
                      "等第只能參考：{names}。"),
        "plan_more": ("沒有任何機關達到給等第所需的 {min_checks} 次查核；要給機關等第，"
                      "查核計畫須為每個機關每期安排至少 {min_checks} 次。"),
    },
    "en": {
        "sep": ", ", "none": "none",
        "who_all": "{n} respondents at the {active} offices this period",
        "who_some": "{n} respondents at {offices} of the {active} offices this period",
        "compared": "{who}; overall satisfaction {rate} (margin of error ±{moe} points).",
        "compared_small": "{who}: fewer than {min_n}, so no overall satisfaction is given.",
        "only_no_answer": ("{count} offices' respondents all left this question unanswered, "
                           "so they cannot be judged: {names}."),
        "no_responses": "{count} offices had no respondents this period: {names}.",
        "n_of": "{name} (n = {n})",
        "small": ("{count} offices had fewer than {min_n} respondents: too few to judge, "
                  "so only their numbers are shown: {names}."),
        "apart": ("Among the {judged} offices that can be judged, {significant} of "
                  "{pairs} pairs differ by more than chance."),
        "apart_none": ("Among the {judged} offices that can be judged, no two differ by more "
                       "than chance."),
        "above": "Clearly above the overall rate: {names}.",
        "below": "Clearly below the overall rate: {names}.",
        "inside": "All other offices are within chance of the overall rate.",
        "no_ranking": "No two offices differ by more than chance: they should not be ranked.",
        "spread": ("The offices really differ: {count} differ from the overall rate by more "
                   "than chance; but offices always differ somewhat (different clienteles, "
                   "different counters), and measured against that normal spread, "),
        "spread_none": "no office stands out.",
        "spread_above": "{names} stand out above it",
        "spread_below": "{names} stand out below it",
        "spread_join": "; ",
        "near": ("{count} more offices lie beyond the 95 % limits (among {judged} offices "
                 "about {expected} would by chance alone): worth a look, not a verdict{names}."),
        "none_outside": ("No office is clearly above or below the overall rate (beyond the "
                         "99.8 % limits)."),
        "changed": "Compared with {before}, these offices really changed: {names}.",
        "unchanged": ("Compared with {before}, no office's satisfaction changed by more than "
                      "chance (allowing for comparing many offices at once)."),
        "overall_change": "Overall, satisfaction {how}.",
        "up": "rose", "down": "fell", "flat": "did not clearly change",
        "rtm": "{names} started low and improved; part of that may be regression to the mean.",
        "opposite": ("The offices moved in different directions (up: {up}; down: {down}); the "
                     "pooled change cancels them out and speaks for no office."),
        "uneven": ("The offices changed by different amounts; the pooled change speaks for no "
                   "single office."),
        "uneven_none": ("The offices did not change alike, although no single office changed by "
                        "more than chance (allowing for comparing many offices at once); the "
                        "pooled change speaks for no single office."),
        "point": "{name} ({sign}{value} points)",
        "inspection": ("{title}: {checks} checks at {offices} offices this period, mean score "
                       "{score}."),
        "graded": "{count} offices had at least {min_checks} checks and get a grade.",
        "ungraded": ("{count} offices had fewer than {min_checks} checks: each check is "
                     "listed, with no office grade."),
        "unscored": "{title}: {checks} checks this period; this checklist has no scored items.",
        "unchecked": "{count} offices had no checks this period: {names}.",
        "rolling": "Over the last year ({label}), {count} offices have enough checks for a grade.",
        "uncertain": ("{count} of them have an uncertain grade: the score's confidence interval "
                      "spans two or more grades, so the grade is only indicative: {names}."),
        "plan_more": ("No office reached the {min_checks} checks a grade needs; to grade "
                      "offices, the check plan must give each office at least {min_checks} "
                      "a period."),
    },
}


def _names(rows: Sequence[dict], english: bool) -> list[str]:
    return [(r.get("name_en") or r["name"]) if english else r["name"] for r in rows]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _uneven(t: dict, changed: Sequence[dict], english: bool) -> str:
    """The sentence that replaces a pooled change when the offices did not move alike."""
    up = [c for c in changed if c["direction"] == "up"]
    down = [c for c in changed if c["direction"] == "down"]
    if up and down:
        return t["opposite"].format(up=t["sep"].join(_names(up, english)),
                                    down=t["sep"].join(_names(down, english)))
    return t["uneven"] if changed else t["uneven_none"]


def survey_summary(section: dict, locale: str = "zh", compare_label: str | None = None) -> dict:
    """``{"sentences": [...], "numbers": {...}}`` for a survey section of the report."""
    english = locale.startswith("en")
    t = TEXT["en" if english else "zh"]
    active = section["offices"]          # every active office of the filter, answered or not
    offices = [o for o in active if o["n"] > 0]
    judged = [o for o in offices if o["reportable"]]
    small = [o for o in offices if not o["reportable"]]
    only_no_answer = [o for o in active if o["n"] == 0 and o.get("no_answer", 0) > 0]
    silent = [o for o in active if o["n"] == 0 and not o.get("no_answer", 0)]
    above = [o for o in judged if o["funnel"] and o["funnel"]["outside"] == "above"]
    below = [o for o in judged if o["funnel"] and o["funnel"]["outside"] == "below"]
    comparison = section.get("comparison") or {}
    significant = len(comparison.get("significant_pairs", []))
    overall = section["overall"]
    who = t["who_all" if len(offices) == len(active) else "who_some"].format(
        active=len(active), offices=len(offices), n=section["n"])
    if overall["satisfied_rate"] is None:
        sentences = [t["compared_small"].format(who=who, min_n=section["min_n"])]
    else:
        sentences = [t["compared"].format(who=who,
                                          rate=_pct(overall["satisfied_rate"]),
                                          moe=f"{100 * (overall['margin_of_error'] or 0):.1f}")]
    if small:
        with_n = [t["n_of"].format(name=name, n=o["n"])
                  for name, o in zip(_names(small, english), small, strict=True)]
        sentences.append(t["small"].format(count=len(small), min_n=section["min_n"],
                                           names=t["sep"].join(with_n)))
    for key, group in (("only_no_answer", only_no_answer), ("no_responses", silent)):
        if group:
            sentences.append(t[key].format(count=len(group),
                                           names=t["sep"].join(_names(group, english))))
    if len(judged) >= 2:
        sentences.append((t["apart"] if significant else t["apart_none"]).format(
            judged=len(judged), pairs=comparison.get("pairs", 0), significant=significant))
    overdispersed = bool((section.get("funnel") or {}).get("overdispersed"))
    beyond_chance = [o for o in judged if o["funnel"] and o["funnel"].get("binomial_outside")]
    if overdispersed and judged:
        # tau^2 measures real differences between offices: never call them random error
        sides = [t[f"spread_{side}"].format(names=t["sep"].join(_names(group, english)))
                 for side, group in (("above", above), ("below", below)) if group]
        verdict = t["spread_join"].join(sides) + ("." if english else "。") if sides \
            else t["spread_none"]
        sentences.append(t["spread"].format(count=len(beyond_chance)) + verdict)
    elif judged:
        if above:
            sentences.append(t["above"].format(names=t["sep"].join(_names(above, english))))
        if below:
            sentences.append(t["below"].format(names=t["sep"].join(_names(below, english))))
        sentences.append(t["inside"] if above or below else t["none_outside"])
    if len(judged) >= 2 and not significant:
        sentences.append(t["no_ranking"])
    near = [o for o in judged if o["funnel"] and not o["funnel"]["outside"]
            and o["funnel"]["alert"]]
    if near and not overdispersed:
        listed = ""
        if len(near) <= MAX_NAMED:
            listed = (": " if english else "：") + t["sep"].join(_names(near, english))
        sentences.append(t["near"].format(count=len(near), judged=len(judged),
                                          expected=f"{0.05 * len(judged):.0f}", names=listed))
    numbers = {"active_offices": len(active), "offices": len(offices),
               "respondents": section["n"],
               "overall_rate": overall["satisfied_rate"],
               "margin_of_error": overall["margin_of_error"], "reportable": len(judged),
               "too_small": [o["code"] for o in small],
               "only_no_answer": [o["code"] for o in only_no_answer],
               "no_responses": [o["code"] for o in silent], "pairs": comparison.get("pairs", 0),
               "distinguishable_pairs": significant, "above": [o["code"] for o in above],
               "below": [o["code"] for o in below], "near": [o["code"] for o in near],
               "overdispersed": overdispersed,
               "beyond_chance": [o["code"] for o in beyond_chance]}
    if section.get("change") is not None and compare_label:
        changed = [c for c in section["change"] if c["direction"]]
        if changed:
            points = [t["point"].format(name=name, sign="+" if c["diff"] > 0 else "−",
                                        value=f"{abs(100 * c['diff']):.1f}")
                      for name, c in zip(_names(changed, english), changed, strict=True)]
            sentences.append(t["changed"].format(before=compare_label,
                                                 names=t["sep"].join(points)))
        else:
            sentences.append(t["unchanged"].format(before=compare_label))
        test = section.get("change_test")
        if test and test["p"] is not None:
            how = "flat"
            if test["p"] < 0.05 and test["odds_ratio"] is not None:
                how = "up" if test["odds_ratio"] > 1 else "down"
            mixed = (section.get("homogeneity") or {}).get("differs")
            if mixed:
                sentences.append(_uneven(t, changed, english))
                how = "mixed"
            else:
                sentences.append(t["overall_change"].format(how=t[how]))
            numbers["overall_change"] = how
        rtm = [c for c in section["change"] if c["regression_to_mean"] and c["direction"]]
        if rtm:
            sentences.append(t["rtm"].format(names=t["sep"].join(_names(rtm, english))))
        numbers |= {"changed_up": [c["code"] for c in changed if c["direction"] == "up"],
                    "changed_down": [c["code"] for c in changed if c["direction"] == "down"],
                    "regression_to_mean": [c["code"] for c in rtm]}
    return {"sentences": sentences, "numbers": numbers}


def inspection_summary(section: dict, title: str, locale: str = "zh") -> dict:
    """The same for an inspection instrument: how many checks, graded and too few."""
    english = locale.startswith("en")
    t = TEXT["en" if english else "zh"]
    offices = [o for o in section["offices"] if o["checks"] > 0]
    if not section["scored"]:
        return {"sentences": [t["unscored"].format(title=title, checks=section["checks"])],
                "numbers": {"checks": section["checks"]}}
    score = section["overall"]["score_mean"]
    sentences = [t["inspection"].format(title=title, offices=len(offices),
                                        checks=section["checks"],
                                        score="—" if score is None else f"{score:.1f}")]
    graded = [o for o in offices if o["graded"]]
    ungraded = [o for o in offices if not o["graded"]]
    sentences.append(t["graded"].format(count=len(graded), min_checks=section["min_checks"]))
    uncertain = [o for o in graded if o.get("grade_certain") is False]
    if uncertain:
        sentences.append(t["uncertain"].format(count=len(uncertain),
                                               names=t["sep"].join(_names(uncertain, english))))
    if ungraded:
        sentences.append(t["ungraded"].format(count=len(ungraded),
                                              min_checks=section["min_checks"]))
    if ungraded and not graded:
        sentences.append(t["plan_more"].format(min_checks=section["min_checks"]))
    rolling = section.get("rolling_year")
    if rolling:
        sentences.append(t["rolling"].format(label=rolling["label"],
                                             count=rolling["offices_graded"]))
    unchecked = [o for o in section["offices"] if o["checks"] == 0]
    if unchecked:
        sentences.append(t["unchecked"].format(count=len(unchecked),
                                               names=t["sep"].join(_names(unchecked, english))))
    return {"sentences": sentences,
            "numbers": {"checks": section["checks"], "offices": len(offices),
                        "active_offices": len(section["offices"]),
                        "unchecked": [o["code"] for o in unchecked],
                        "uncertain_grades": [o["code"] for o in uncertain],
                        "rolling_year_graded": rolling["offices_graded"] if rolling else None,
                        "score_mean": score, "graded": [o["code"] for o in graded],
                        "too_few_checks": [o["code"] for o in ungraded]}}
