"""The satisfaction scale's two rules, written once for every page, file and SQL count.

A Likert answer has five levels (1 非常不滿意 .. 5 非常滿意).  *Satisfied* means the top two
(滿意, 非常滿意): the satisfaction rate the agencies publish is their share of the valid answers
("no answer" is its own category, not in the denominator).  The *main item* is the survey's
overall question (整體滿意度): the one the report ranks offices by, crosses with the service
used and age band, and follows over time.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

LEVELS = 5
#: the lowest level that counts as satisfied (滿意); everything from it up is the rate's numerator
SATISFIED_FROM = 4
#: how many of the highest levels count as satisfied: the "top-2 box"
SATISFIED_TOP = LEVELS - SATISFIED_FROM + 1
#: the highest level that counts as dissatisfied (不滿意): a citizen this let down overall is
#: offered a call back after answering (民眾抱怨處理)
DISSATISFIED_TO = 2
MAIN_ITEM = "overall"


def is_satisfied(value: int) -> bool:
    return value >= SATISFIED_FROM


def is_dissatisfied(value: int) -> bool:
    return value <= DISSATISFIED_TO


def satisfied(counts: ArrayLike) -> np.ndarray:
    """Satisfied answers per row of a ``(rows x 5)`` count table (the last axis: levels 1-5)."""
    table = np.asarray(counts)
    return table[..., SATISFIED_FROM - 1:].sum(axis=-1)
