"""A survey section's breakdowns (channel, service used, age band) and comment counts.

Kept beside ``build`` so the instruments' vocabulary (which items are single-choice, what their
options are called) meets the count tables here, and ``analysis`` gets only keys, labels and
numbers.
"""

from __future__ import annotations

from analysis.report import breakdown as analysis_breakdown
from analysis.report import options as analysis_options
from forms.instrument import Instrument, pick
from webapp.capture.store import CITIZEN_CHANNELS
from webapp.capture.submissions import CHANNEL_LABELS
from webapp.reporting import crosstabs, rollups

#: what a breakdown is called, for the questions whose labels are written to citizens ("您今天
#: 辦理的業務"); any other single-choice question is titled by its short label
TITLES = {"channel": {"zh_TW": "填答管道", "en": "Channel"},
          "service_used": {"zh_TW": "辦理業務", "en": "Service used"},
          "age_band": {"zh_TW": "年齡層", "en": "Age band"}}


def choice_questions(instrument: Instrument) -> list[dict]:
    """The choice questions a survey is broken down by (service used, age band, services used
    together): the ones the rollup crosses the main item with, so an ended period has their
    cells."""
    return [instrument.question(key) for key in rollups.choice_items(instrument)]


def breakdowns(instrument: Instrument, period: str, ids: list[int], locale: str,
               min_n: int) -> list[dict]:
    """Channel first (a mode effect is real), then each single-choice question in its order."""
    result = []
    by_channel = crosstabs.satisfied_by(instrument.key, period, ids, "channel")
    groups = [(c, pick(CHANNEL_LABELS[c], locale)) for c in CITIZEN_CHANNELS]
    groups += [(c, c) for c in sorted(by_channel) if c not in CITIZEN_CHANNELS]
    result.append(_one("channel", pick(TITLES["channel"], locale), groups, by_channel, locale,
                       min_n))
    for question in choice_questions(instrument):
        title = pick(TITLES.get(question["key"]) or question.get("short", question["label"]),
                     locale)
        if question["type"] == "multiple_choice":   # overlapping groups: each against the rest
            combinations = crosstabs.satisfied_by_combination(instrument.key, period, ids,
                                                              question["key"])
            groups = [(o["key"], pick(o["label"], locale)) for o in question["options"]]
            result.append({"title": title, **analysis_options.option_breakdown(
                question["key"], groups, combinations, min_n=min_n, locale=locale)})
            continue
        options = [o["key"] for o in question["options"]]
        counts = crosstabs.satisfied_by(instrument.key, period, ids, question["key"], options)
        groups = [(o["key"], pick(o["label"], locale)) for o in question["options"]
                  if not o.get("not_applicable")]
        result.append(_one(question["key"], title, groups, counts, locale, min_n))
    return result


def _one(by: str, title: str, groups: list[tuple[str, str]], counts: dict, locale: str,
         min_n: int) -> dict:
    satisfied = [counts.get(key, (0, 0))[0] for key, _ in groups]
    answered = [counts.get(key, (0, 0))[1] for key, _ in groups]
    return {"title": title, **analysis_breakdown.breakdown(
        by, groups, satisfied, answered, min_n=min_n, locale=locale)}


def add_comment_counts(section: dict, instrument: Instrument, period: str, ids: list[int],
                       codes: list[str]) -> None:
    """Each office row gets ``comments``; the section gets ``comments_total``."""
    counts = crosstabs.comment_counts(instrument.key, period, instrument.text_keys(), ids)
    by_code = dict(zip(codes, counts.tolist(), strict=True))
    for row in section.get("offices", []):
        row["comments"] = by_code.get(row["code"], 0)
    section["comments_total"] = int(counts.sum())
