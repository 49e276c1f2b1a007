from datetime import date

import pytest

from analysis.periods import Period


@pytest.mark.parametrize(
    ("text", "roc"),
    [("2024H2", "113年下半年"), ("2025H1", "114年上半年"), ("2025Q3", "114年第3季"),
     ("2026q4", "115年第4季")],
)
def test_roc_labels(text, roc):
    assert Period.parse(text).roc_label() == roc


@pytest.mark.parametrize("bad", ["2025H3", "2025Q0", "25H1", "2025-H1", ""])
def test_bad_period_text_is_refused_with_the_expected_format(bad):
    with pytest.raises(ValueError, match="2025H2"):
        Period.parse(bad)


def test_boundaries_and_neighbours():
    h2 = Period.parse("2025H2")
    assert h2.start() == date(2025, 7, 1) and h2.end() == date(2026, 1, 1)
    assert h2.previous() == Period.parse("2025H1") and h2.next() == Period.parse("2026H1")
    assert Period.half_of(date(2025, 6, 30)) == Period.parse("2025H1")
    assert Period.half_of(date(2025, 7, 1)) == h2
    assert Period.quarter_of(date(2025, 12, 31)) == Period.parse("2025Q4")
    assert Period.parse("2025Q1").previous() == Period.parse("2024Q4")
    assert str(h2) == "2025H2"
