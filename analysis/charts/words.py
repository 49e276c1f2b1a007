"""The charts' own words (legends, axis labels, footnotes) in the report's language.

A chart function is called deep inside a report build, and threading a language argument
through every one of them would double their signatures; instead the caller sets the language
for a block (``with words.language("en"): ...``) and each word is looked up where it is
written: ``t("全體平均 {value}", value=...)``.  The Chinese text is its own key, so the code
still reads as the chart reads by default, and a word without an English entry stays Chinese
rather than vanishing.  A ContextVar keeps two requests drawing at once apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_language: ContextVar[str] = ContextVar("chart_language", default="zh_TW")

#: The grade names of the shipped instruments; a city's own names stay as written.
GRADES_EN = {"優等": "Excellent", "甲": "Grade A", "乙": "Grade B", "丙": "Grade C",
             "丁": "Grade D"}

EN = {
    **GRADES_EN,
    # shared
    "無資料": "No data",
    "滿意度（%）": "Satisfaction (%)",
    "平均分數": "Mean score",
    "查核次數": "Checks",
    "分組": "Group",
    "變化": "Change",
    # comparison
    "全體平均 {value}": "All offices {value}",
    "依{measure}由高至低排序。": "Sorted by {measure}, highest first.",
    "細線為 {level} 信賴區間；{rest}": "Thin lines are {level} confidence intervals. {rest}",
    "分組字母：有相同字母的事務所，彼此差異未達統計顯著（Dunn 檢定比較整體回答分布，不只滿意度）。":
        "Group letters: offices sharing a letter do not differ significantly (Dunn's test on "
        "the whole distribution of answers, not only satisfaction).",
    # dumbbells
    "僅{only}": "{only} only",
    "上升": "Up",
    "下降": "Down",
    "未超出隨機誤差": "Within chance",
    "依最新一期數值": "Sorted by the latest period",
    "依變化量": "Sorted by the change",
    "{sort}由高至低排序；空心點為{before}，實心點為{after}。":
        "{sort}, highest first; hollow dots are {before}, filled dots {after}.",
    "藍色／紅色只標示同時比較所有機關（Holm 校正）後仍確定的上升／下降，其餘為灰色。":
        "Blue / red mark only the rises / falls still certain when every office is compared at "
        "once (Holm); the rest are grey.",
    # funnel
    "填答人數": "Respondents",
    "全體 {value}": "All offices {value}",
    "95% 界限": "95% limits",
    "99.8% 界限": "99.8% limits",
    "超出 95%": "Beyond 95%",
    "明顯較高": "Clearly higher",
    "明顯較低": "Clearly lower",
    "每點為一個機關；界限內的機關與全體的差距可用隨機誤差解釋，不宜排名。":
        "Each dot is an office; inside the limits an office's gap to the whole is explained by "
        "chance, so it should not be ranked.",
    "超出 99.8% 界限為明顯較高／較低，只超出 95% 界限的值得留意；樣本數不足的機關不列入。":
        "Beyond the 99.8% limits is clearly higher / lower; beyond only the 95% limits is worth "
        "watching. Offices with too few respondents are left out.",
    # grades
    "依平均分數由高至低排序；底色區塊為等第。": "Sorted by mean score, highest first; the bands are the grades.",
    "橫線為平均分數的 95% 信賴區間；只查核一次的機關沒有區間。":
        "Lines are 95% confidence intervals of the mean score; an office checked once has none.",
    # heatmaps
    "灰色斜線格（—）表示無資料。": "Grey hatched cells (—) have no data.",
    "事務所依各項平均由高至低排序。": "Offices are sorted by their mean over the items, highest first.",
    # likert
    "回答比例（%）：左為不滿意，右為滿意": "Share of answers (%): dissatisfied to the left, satisfied to the right",
    "依「{a}＋{b}」比例由高至低排序。": "Sorted by the share “{a} + {b}”, highest first.",
    "依「{a}＋{b}」比例由高至低排序；右側數字為{a}以上，左側為{low}以下的合計比例。":
        "Sorted by the share “{a} + {b}”, highest first; the number on the right is the share "
        "{a} or better, on the left {low} or worse.",
    # missed
    "未做到比例（%）": "Share not done (%)",
    "未做到比例": "Share not done",
    "前 {k} 項": "the top {k} items",
    "全部 {k} 項": "all {k} items",
    "每項查核 {n} 次": "each item checked {n} times",
    "n 為該項查核次數": "n is the times the item was checked",
    "{value}（n={n}）": "{value} (n={n})",
    "依未做到比例由高至低排序，顯示{shown}；{n_note}。":
        "Sorted by the share not done, highest first, showing {shown}; {n_note}.",
    # trends
    "最近一期": "Latest",
    "每列為一個機關近 {t} 期的滿意度，各列縱軸相同（{low}%–{high}%）；空缺表示該期填答人數不足。":
        "Each row is one office's satisfaction over the last {t} periods, on the same scale "
        "({low}%–{high}%); a gap means too few respondents that period.",
    "只列出 {k} 個機關，其餘見 report.json 的 trend。":
        "Only {k} offices are shown; the rest are in report.json under trend.",
    # report titles
    "非常不滿意": "Very dissatisfied",
    "不滿意": "Dissatisfied",
    "普通": "Neutral",
    "滿意": "Satisfied",
    "非常滿意": "Very satisfied",
    "（{total} 個機關中最高與最低各 {n} 個）": " (the highest and lowest {n} of {total} offices)",
    "{period} {title}:{item}": "{period} {title}: {item}",
    "{period} {item} 回答分布{capped}": "{period} {item}: answers{capped}",
    "{period} 各題滿意度{capped}": "{period} satisfaction per item{capped}",
    "{period} 民眾意見提到的主題{capped}": "{period} what citizens' comments are about{capped}",
    "提到的比例（%）": "Commenters mentioning it (%)",
    "{item} 滿意度變化{capped}": "{item}: change in satisfaction{capped}",
    "{item} 近期趨勢": "{item}: recent trend",
    "{period} {title} 平均分數{capped}": "{period} {title}: mean score{capped}",
    "{period} {title} 最常缺失的項目": "{period} {title}: items most often missed",
    # an office's scorecard
    "▶ 與藍色長條為本機關，灰色為其他機關。":
        "▶ and the blue bar: this office; grey bars: the other offices.",
    "▶ 與菱形為本機關，圓點為其他機關。": "▶ and the diamond: this office; dots: the other offices.",
    "細線為 95% 信賴區間；兩個區間重疊多時，變化可能只是隨機誤差。":
        "Thin lines are 95% confidence intervals; where two overlap much, a change may be "
        "chance.",
    "空缺表示該期填答人數不足。": "A gap means too few respondents that period.",
    "{period} {item}：本機關與其他機關{capped}": "{period} {item}: this office and the others{capped}",
    "{period} {title} 平均分數：本機關與其他機關{capped}":
        "{period} {title}: mean score, this office and the others{capped}",
    "{item} 各期滿意度": "{item} by period",
}


def english() -> bool:
    return _language.get().startswith("en")


@contextmanager
def language(locale: str | None) -> Iterator[None]:
    """Draw in ``locale`` (``en`` or ``zh_TW``) inside the block."""
    token = _language.set(locale or "zh_TW")
    try:
        yield
    finally:
        _language.reset(token)


def t(text: str, **values: object) -> str:
    """``text`` in the current language, with ``values`` filled in."""
    template = EN.get(text, text) if english() else text
    return template.format(**values) if values else template
