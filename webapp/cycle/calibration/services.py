"""Calibration rounds: several inspectors score the same recorded call or visit scenario, and
the coordinator sees how far they agree (``analysis.agreement``).

A round is one scenario; each inspector scores it once, with the checklist version the round
was opened with.  The scores never touch the offices' records or any report: a round is about
the inspectors.  Across an instrument's rounds the table is scenarios x inspectors, from which
come ICC(2,1) on the total scores, Krippendorff's alpha per yes/no item, and each inspector's
mean deviation from the others.  Shared by the calibration pages and the report (how
comparable inspectors' scores are where several checked the same office).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from analysis.agreement import (
    Icc21,
    IccReading,
    deviation_from_consensus,
    icc2_1,
    icc_reading,
    krippendorff_alpha_nominal,
)
from forms.scoring import score
from forms.types import Stored
from webapp.capture.records import snapshot
from webapp.cycle.calibration.models import CalibrationRound, CalibrationScore
from webapp.cycle.notifications import services as notify
from webapp.platform import audit, links
from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.accounts import User


def open_rounds(user: User) -> list[CalibrationRound]:
    """The rounds still open that ``user`` has not scored yet."""
    done = select(CalibrationScore.round_id).where(CalibrationScore.inspector_id == user.id)
    return list(db.session.scalars(select(CalibrationRound).where(
        CalibrationRound.closed_at.is_(None), CalibrationRound.id.not_in(done))
        .order_by(CalibrationRound.id)))


def create(key: str, title: str, by: User) -> CalibrationRound:
    version, _instrument = instruments.current(key)
    found = CalibrationRound(instrument_version_id=version.id, title=title, created_by_id=by.id)
    db.session.add(found)
    db.session.flush()
    audit.record("created", "calibration", found.id, {"instrument": key, "title": title})
    people = db.session.scalars(select(User).where(User.role == "inspector", User.active))
    notify.notify(people, "calibration", {"title": title, "round": found.id},
                  links.path_for("calibration.score", round_id=found.id))
    return found


def submit(found: CalibrationRound, user: User, answers: dict[str, Stored | None]) -> CalibrationScore:
    instrument = instruments.instrument_of(found.instrument_version)
    row = CalibrationScore(round_id=found.id, inspector_id=user.id,
                           answers=snapshot({k: v for k, v in answers.items() if v is not None}),
                           score=score(instrument, answers).score)
    db.session.add(row)
    db.session.flush()
    audit.record("submitted", "calibration", found.id, {"score": row.score})
    return row


def close(found: CalibrationRound) -> None:
    found.closed_at = utcnow()
    audit.record("changed", "calibration", found.id, {"closed": True})


@dataclass
class Agreement:
    """An instrument's calibration so far: who scored what, and how far they agree."""

    key: str
    rounds: list[CalibrationRound]
    inspectors: list[User]
    scores: np.ndarray                       # rounds x inspectors, NaN where not scored
    icc: Icc21
    deviations: dict[int, float]             # inspector id -> mean deviation from the others
    items: list[dict] = field(default_factory=list)   # {key, label, alpha, units}

    @property
    def reading(self) -> IccReading | None:
        """ICC in words from its 95% interval (Koo & Li 2016; :func:`icc_reading`): "poor to
        moderate" when the interval spans both; None when the ICC could not be computed."""
        return icc_reading(self.icc.icc, self.icc.low, self.icc.high)


def agreement(key: str) -> Agreement:
    rounds = [r for r in db.session.scalars(select(CalibrationRound).order_by(CalibrationRound.id))
              if r.instrument_version.key == key and r.scores]
    people = {s.inspector_id: s.inspector for r in rounds for s in r.scores}
    inspectors = sorted(people.values(), key=lambda u: u.id)
    column = {u.id: j for j, u in enumerate(inspectors)}
    scores = np.full((len(rounds), len(inspectors)), np.nan)
    for i, found in enumerate(rounds):
        for s in found.scores:
            scores[i, column[s.inspector_id]] = np.nan if s.score is None else s.score
    icc = icc2_1(scores) if scores.size else icc2_1(np.empty((0, 0)))
    gaps = deviation_from_consensus(scores) if scores.size else np.array([])
    result = Agreement(key, rounds, inspectors, scores, icc,
                       {u.id: float(gaps[j]) for j, u in enumerate(inspectors)})
    if rounds:
        latest = instruments.instrument_of(rounds[-1].instrument_version)
        for question in latest.questions():
            if question["type"] != "yes_no_na":
                continue
            table = np.full((len(inspectors), len(rounds)), np.nan)   # raters x units
            for j, found in enumerate(rounds):
                for s in found.scores:
                    value = (s.answers.get(question["key"]) or [None])[0]
                    if value in (0, 1):                  # N/A is no rating of yes or no
                        table[column[s.inspector_id], j] = value
            pairable = int(((~np.isnan(table)).sum(axis=0) >= 2).sum())
            result.items.append({"key": question["key"], "label": question.get("short") or
                                 question["label"], "alpha": krippendorff_alpha_nominal(table),
                                 "units": pairable})
    return result
