"""The report as spreadsheet sheets: what each column is, in the report's language.

Rates stay fractions with a percent display format, numbers keep full precision under a
rounded display; an office too small to judge has its n and 樣本數不足, and no rate.
"""

from __future__ import annotations

from webapp.platform.spreadsheets import Column, Sheet

WORDS = {
    "zh": {"code": "機關代碼", "name": "機關", "n": "有效樣本", "no_answer": "未作答",
           "reportable": "可評比", "yes": "是", "small": "樣本數不足", "mean": "平均",
           "mean_low": "平均95%CI下限", "mean_high": "平均95%CI上限", "rate": "滿意度",
           "rate_low": "滿意度95%CI下限", "rate_high": "滿意度95%CI上限", "moe": "誤差範圍（±）",
           "shrunk": "調整後滿意度", "best": "名次區間（最佳）", "worst": "名次區間（最差）",
           "group": "分組", "funnel": "與全體相比", "above": "明顯較高", "below": "明顯較低",
           "alert": "接近界限", "inside": "隨機誤差內", "change": "與前期比較",
           "within_spread": "超過隨機誤差，仍在一般差異內",
           "before": "前期滿意度", "after": "本期滿意度", "diff": "變化", "diff_low": "變化95%CI下限",
           "diff_high": "變化95%CI上限", "p": "p", "p_adjusted": "校正後p（Holm）",
           "direction": "方向", "up": "上升", "down": "下降", "mdd": "可偵測的最小變化",
           "checks": "查核次數", "score": "平均分數", "score_low": "95%CI下限",
           "score_high": "95%CI上限", "grade": "等第", "few": "查核次數不足", "items": "缺失項目",
           "item": "項目", "failure": "缺失率", "failure_low": "95%CI下限",
           "failure_high": "95%CI上限", "applicable": "適用次數", "comments": "意見則數",
           "breakdowns": "分組比較", "by": "分組依據", "level": "組別"},
    "en": {"code": "Office code", "name": "Office", "n": "Valid answers", "no_answer": "No answer",
           "reportable": "Judged", "yes": "yes", "small": "too few respondents", "mean": "Mean",
           "mean_low": "Mean 95% CI low", "mean_high": "Mean 95% CI high",
           "rate": "Satisfaction", "rate_low": "Satisfaction 95% CI low",
           "rate_high": "Satisfaction 95% CI high", "moe": "Margin of error (±)",
           "shrunk": "Adjusted rate", "best": "Rank interval (best)",
           "worst": "Rank interval (worst)", "group": "Group", "funnel": "Against the whole",
           "above": "clearly higher", "below": "clearly lower", "alert": "near the limits",
           "inside": "within chance", "within_spread": "beyond chance, within the normal spread",
           "change": "change", "before": "Earlier rate",
           "after": "Rate now", "diff": "Change", "diff_low": "Change 95% CI low",
           "diff_high": "Change 95% CI high", "p": "p", "p_adjusted": "Adjusted p (Holm)",
           "direction": "Direction", "up": "up", "down": "down",
           "mdd": "Minimum detectable change", "checks": "Checks", "score": "Mean score",
           "score_low": "95% CI low", "score_high": "95% CI high", "grade": "Grade",
           "few": "too few checks", "items": "items missed", "item": "Item",
           "failure": "Failure rate", "failure_low": "95% CI low", "failure_high": "95% CI high",
           "applicable": "Times applicable", "comments": "Comments",
           "breakdowns": "breakdowns", "by": "Grouped by", "level": "Group"},
}


def _pair(values: list | None) -> list:
    return [None, None] if not values else list(values)


def _office(o: dict, english: bool) -> str:
    return (o.get("name_en") or o["name"]) if english else o["name"]


def _verdict(funnel: dict | None, w: dict) -> str:
    if not funnel:
        return ""
    if funnel["outside"]:
        return w[funnel["outside"]]
    if funnel["alert"]:
        return w["alert"]
    return w["within_spread"] if funnel.get("binomial_outside") else w["inside"]


def survey_sheets(key: str, section: dict, w: dict, english: bool) -> list[Sheet]:
    columns = [Column(w["code"]), Column(w["name"]), Column(w["n"], "int"),
               Column(w["no_answer"], "int"), Column(w["reportable"]), Column(w["mean"], "dec2"),
               Column(w["mean_low"], "dec2"), Column(w["mean_high"], "dec2"),
               Column(w["rate"], "pct1"), Column(w["rate_low"], "pct1"),
               Column(w["rate_high"], "pct1"), Column(w["moe"], "pct1"),
               Column(w["shrunk"], "pct1"), Column(w["best"], "int"), Column(w["worst"], "int"),
               Column(w["group"]), Column(w["funnel"]), Column(w["comments"], "int")]
    rows = []
    for o in section["offices"]:
        if o["reportable"]:
            rows.append([o["code"], _office(o, english), o["n"], o["no_answer"], w["yes"],
                         o["mean"], *_pair(o["mean_ci"]), o["satisfied_rate"],
                         *_pair(o["satisfied_ci"]), o["margin_of_error"], o["shrunk_rate"],
                         *o["rank_interval"], o["group"], _verdict(o["funnel"], w),
                         o.get("comments")])
        else:
            rows.append([o["code"], _office(o, english), o["n"], o["no_answer"], w["small"],
                         *[None] * 12, o.get("comments")])
    sheets = [Sheet(section["title"], columns, rows)]
    if section.get("change"):
        change_columns = [Column(w["code"]), Column(w["name"]), Column(w["before"], "pct1"),
                          Column(w["after"], "pct1"), Column(w["diff"], "pct1"),
                          Column(w["diff_low"], "pct1"), Column(w["diff_high"], "pct1"),
                          Column(w["p"], "dec3"), Column(w["p_adjusted"], "dec3"),
                          Column(w["direction"]), Column(w["mdd"], "pct1")]
        sheets.append(Sheet(f"{section['title']}－{w['change']}", change_columns, [
            [c["code"], _office(c, english), c["before_rate"], c["after_rate"], c["diff"],
             *_pair(c["diff_ci"]), c["p"], c["p_adjusted"], w.get(c["direction"], ""), c["mdd"]]
            for c in section["change"] if c["reportable"]]))
    if section.get("breakdowns"):
        sheets.append(Sheet(f"{section['title']}－{w['breakdowns']}", [
            Column(w["by"]), Column(w["level"]), Column(w["n"], "int"), Column(w["rate"], "pct1"),
            Column(w["rate_low"], "pct1"), Column(w["rate_high"], "pct1")], [
            [b["title"], r["label"], r["n"], *((r["rate"], *_pair(r["ci"])) if r["judged"]
                                               else (w["small"], None, None))]
            for b in section["breakdowns"] for r in b["rows"]]))
    return sheets


def inspection_sheets(key: str, section: dict, w: dict, english: bool) -> list[Sheet]:
    columns = [Column(w["code"]), Column(w["name"]), Column(w["checks"], "int"),
               Column(w["score"], "dec1"), Column(w["score_low"], "dec1"),
               Column(w["score_high"], "dec1"), Column(w["grade"]),
               *[Column(s["label"], "dec1") for s in section["sections"]]]
    keys = [s["key"] for s in section["sections"]]
    rows = [[o["code"], _office(o, english), o["checks"], o["score_mean"],
             *_pair(o["score_ci"]),
             o["grade"] if o["graded"] else (w["few"] if o["checks"] else None),
             *[o["sections"].get(k) for k in keys]] for o in section["offices"]]
    items = Sheet(f"{section['title']}－{w['items']}", [
        Column(w["item"]), Column(w["failure"], "pct1"), Column(w["failure_low"], "pct1"),
        Column(w["failure_high"], "pct1"), Column(w["applicable"], "int")],
        [[i["label"], i["failure_rate"], *_pair(i["failure_ci"]), i["n"]]
         for i in section["items"]])
    return [Sheet(section["title"], columns, rows), items]


#: a sheet's caption, in the report's language
CAPTION = {
    "zh": {"compare": "與{}比較", "all": "全部機關", "count": "共 {} 個機關", "and": "、",
           "household": "戶政事務所", "land": "地政事務所"},
    "en": {"compare": "compared with {}", "all": "all offices", "count": "{} offices",
           "and": ", ", "household": "household-registration offices",
           "land": "land-administration offices"},
}


def caption(report: dict, english: bool) -> str:
    """What every sheet is of, printed at the top of each page: the period, the compared one,
    which offices."""
    words = CAPTION["en" if english else "zh"]
    chosen = report.get("filter") or {}
    which = (words["and"].join(chosen["codes"]) if chosen.get("codes")
             else words.get(chosen.get("kind") or "", words["all"]))
    parts = [report["period_label"],
             words["compare"].format(report["compare_label"]) if report.get("compare_label") else "",
             which,
             words["count"].format(chosen["offices"]) if chosen.get("offices") is not None else ""]
    return " · ".join(p for p in parts if p)


def tables(report: dict) -> list[Sheet]:
    """Every sheet of the report, named and headed in the report's language, each captioned
    with the period and filters and keeping its office (or item) columns on every page."""
    english = str(report.get("locale", "zh")).startswith("en")
    w = WORDS["en" if english else "zh"]
    sheets = []
    for key, section in report["instruments"].items():
        if section.get("empty"):
            continue
        build = survey_sheets if section["kind"] == "survey" else inspection_sheets
        sheets += build(key, section, w, english)
    title = caption(report, english)
    for sheet in sheets:
        sheet.caption = title
        sheet.key_columns = 2 if sheet.columns and sheet.columns[0].title == w["code"] else 1
    return sheets
