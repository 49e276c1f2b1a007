"""How well the coding agrees with people: precision and recall per label on a labelled set.

Precision: of the comments the coding put under a label, the share people put there too.
Recall: of the comments people put under a label, the share the coding found.  Themes are
several labels per comment; the tone is one, counted the same way (as a one-label set).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    label: str
    true_pos: int
    false_pos: int
    false_neg: int

    @property
    def support(self) -> int:
        return self.true_pos + self.false_neg

    @property
    def precision(self) -> float:
        said = self.true_pos + self.false_pos
        return self.true_pos / said if said else 1.0

    @property
    def recall(self) -> float:
        return self.true_pos / self.support if self.support else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def scores(gold: Sequence[Iterable[str]], found: Sequence[Iterable[str]],
           labels: Sequence[str]) -> list[Score]:
    """One ``Score`` per label over paired label sets (people's, the coding's)."""
    if len(gold) != len(found):
        raise ValueError("gold and found must pair up")
    pairs = [(set(g), set(f)) for g, f in zip(gold, found, strict=True)]
    return [Score(label,
                  sum(label in g and label in f for g, f in pairs),
                  sum(label not in g and label in f for g, f in pairs),
                  sum(label in g and label not in f for g, f in pairs)) for label in labels]
