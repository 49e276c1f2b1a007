"""The theme coding's precision and recall on the labelled comments stay at or above the floors
measured when it was built (README, "What citizens' comments are about").

Three sets of comments written for the tests, each labelled by hand: ``dev`` (260) and
``holdout`` (160) were read while the catalogue was written; ``test`` (160) was written later by
someone else and never read, so its figures are the ones to expect on real comments.  A floor
sits a little under each measurement: a catalogue change that loses more fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.themes.catalogue import TONES, load_default
from analysis.themes.coding import code
from analysis.themes.quality import scores

DATA = Path(__file__).resolve().parents[1] / "data" / "themes"
#: set → (lowest precision and lowest recall over the themes, the same over the tones)
FLOORS = {
    "dev": ((0.70, 0.83), (0.85, 0.88)),
    "holdout": ((0.75, 0.80), (0.80, 0.85)),
    "test": ((0.52, 0.50), (0.50, 0.70)),
}
#: and the mean F1 over the themes and over the tones
MEAN_F1 = {"dev": (0.90, 0.90), "holdout": (0.90, 0.88), "test": (0.78, 0.75)}


def labelled(name: str) -> list[dict]:
    lines = (DATA / f"labelled_{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_the_sets_are_large_varied_and_apart():
    rows = {name: labelled(name) for name in FLOORS}
    assert sum(len(r) for r in rows.values()) >= 300
    texts = [r["text"] for name in rows for r in rows[name]]
    assert len(texts) == len(set(texts))
    catalogue = load_default()
    for name, comments in rows.items():
        for key in catalogue.keys:
            assert sum(key in c["themes"] for c in comments) >= 20, (name, key)
        assert {c["tone"] for c in comments} == set(TONES)


@pytest.mark.parametrize("name", list(FLOORS))
def test_precision_and_recall_hold_their_floors(name):
    catalogue = load_default()
    comments = labelled(name)
    codings = [code(c["text"], catalogue) for c in comments]
    themes = scores([c["themes"] for c in comments], [x.themes for x in codings], catalogue.keys)
    tones = scores([[c["tone"]] for c in comments], [[x.tone] for x in codings], TONES)
    for measured, (precision, recall), f1 in zip(
            (themes, tones), FLOORS[name], MEAN_F1[name], strict=True):
        said = {s.label: (round(s.precision, 2), round(s.recall, 2)) for s in measured}
        assert min(s.precision for s in measured) >= precision, said
        assert min(s.recall for s in measured) >= recall, said
        assert sum(s.f1 for s in measured) / len(measured) >= f1, said
