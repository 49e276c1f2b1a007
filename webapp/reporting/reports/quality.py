"""Data-quality flags for one half-year: the SQL aggregates fed to ``analysis.quality``.

Three screens, each with its evidence: an office with many answers and no negative ones (the
covered-buttons story), a kiosk that received improbably many submissions in a few minutes,
and one answer pattern repeated far more often than at other offices.  Beside them, the answers
tablets kept offline and sent later: a clock far off, and kept answers the tablet's own live
answers contradict (``reporting/kiosk_counts.py``), which the burst screen counts when they
arrived.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np
from flask import current_app

from analysis import quality
from analysis.periods import Period
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.offices import Kiosk
from webapp.reporting import counts as aggregates
from webapp.reporting import kiosk_counts

#: 1 minute for the physical limit, 5 for bursts, 60 for slow stuffing
WINDOWS = (1, 5, 60)


def flags(half: str) -> dict:
    period = Period.parse(half)
    half = str(period)  # 2025q3 -> 2025Q3, as the columns store it
    _version, survey = instruments.current("satisfaction")
    offices = aggregates.offices()
    names = [o.name for o in offices]
    ids = [o.id for o in offices]
    items = survey.likert_keys()
    counts = aggregates.likert_counts(survey.key, half, items, ids)

    # each citizen's lowest answer: covered negative buttons show on every item at once
    lowest = aggregates.lowest_answer_counts(survey.key, half, items, ids)
    negatives = quality.no_negative_answers(lowest, names=names)

    patterns = aggregates.answer_patterns(survey.key, half, items)
    per_office = [patterns.get(i, {}) for i in ids]
    totals = np.array([sum(p.values()) for p in per_office])
    tops = np.array([max(p.values()) if p else 0 for p in per_office])
    repeated = []
    for i, office in enumerate(offices):
        if totals[i] == 0:
            continue
        marginals = np.column_stack([
            np.vstack([counts.counts[item][i] for item in items]),
            [counts.no_answer[item][i] for item in items]])
        marginals[:, -1] += totals[i] - marginals.sum(axis=1)  # items with no row at all
        others = np.arange(len(ids)) != i
        result = quality.repeated_patterns(
            per_office[i], marginals, int(totals[i]), reference_top_counts=tops[others],
            reference_n=totals[others], name=office.name)
        repeated.append(result)

    start = datetime.combine(period.start(), time.min, TAIPEI)
    end = datetime.combine(period.end(), time.min, TAIPEI)
    bursts, burst_reasons = [], []
    for minutes in WINDOWS:
        windows = kiosk_counts.kiosk_windows(half, start, end, minutes)
        kiosks = {k.id: k for k in db.session.scalars(db.select(Kiosk).where(Kiosk.id.in_(
            list(windows))))}
        for kiosk_id, series in windows.items():
            kiosk = kiosks[kiosk_id]
            name = kiosk.label if kiosk.label.startswith(kiosk.office.name) else (
                f"{kiosk.office.name} {kiosk.label}")
            result = quality.bursts(series, window_minutes=minutes, name=name)
            bursts.append(result)
            for window in result.windows:
                # the analysis numbers windows; the analyst wants the local time
                moment = start + timedelta(minutes=minutes * window.index)
                burst_reasons.append(window.reason.replace(
                    f"第 {window.index + 1} 個時段", moment.strftime("%Y-%m-%d %H:%M")))
    delays = kiosk_counts.kiosk_delays(half)
    limit = 60 * current_app.config["KIOSK_CLOCK_FLAG_MINUTES"]
    tablets = {k.id: k for k in db.session.scalars(db.select(Kiosk).where(Kiosk.id.in_(
        list(delays))))}
    offline = [{"kiosk": tablets[kiosk_id], "delayed": d["delayed"],
                "skew_minutes": round(d["skew"] / 60), "clock_off": d["skew"] > limit,
                "implausible": d["implausible"], "most_in_minute": d["most_in_minute"],
                "flagged": d["skew"] > limit or d["implausible"] > 0}
               for kiosk_id, d in sorted(delays.items())]
    return {"period": half, "period_label": period.roc_label(), "negatives": negatives,
            "patterns": repeated, "bursts": bursts, "burst_reasons": burst_reasons,
            "offline": offline}
