"""Demo staff-survey rounds: one per half-year the demo fills, answered through the same codes
and sealed ballots staff use, then closed, so the report's staff part, its small-office rule
and the internal cases all have something to show."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from analysis.periods import Period
from forms.types import Stored
from webapp.capture.staff import services as staff
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.offices import Office


def rounds(rng: np.random.Generator, halves: list[Period], offices: list[Office]) -> int:
    """A closed round for each half-year in ``halves`` without one; how many answers."""
    version, instrument = instruments.current(staff.STAFF_KEY)
    keys = instrument.likert_keys()
    climate = rng.normal(0, 0.5, size=len(offices))
    given = 0
    for period in halves:
        if staff.round_of(period) is not None:
            continue
        sizes = {o: int(rng.integers(6, 40)) for o in offices}
        opened = staff.open_round(period, sizes)
        for i, office in enumerate(offices):
            # small offices often fall under STAFF_MIN_N; some items run low
            answering = int(rng.binomial(sizes[office], 0.55))
            for code in staff.issue(opened, office.id, max(answering, 1))[:answering]:
                latent = 4.0 + climate[i] + rng.normal(0, 0.6)
                answers = {k: Stored(int(np.clip(np.rint(latent + rng.normal(0, 0.6)
                                                          - (0.8 if k == "workload" else 0)),
                                                  1, 5))) for k in keys}
                answers["comment"] = None
                day = period.start() + timedelta(days=int(rng.integers(20, 60)))
                staff.cast(staff.lookup(code), version, answers, today=day)
                given += 1
        db.session.commit()
        staff.close(opened)
        db.session.commit()    # the cycle opens the internal cases after this commit
    return given
