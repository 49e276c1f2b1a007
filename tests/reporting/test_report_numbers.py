"""How the report prints numbers (webapp/reports/numbers.py), and that the page escapes them."""

from __future__ import annotations

import pytest

from webapp.reporting.reports import numbers


@pytest.mark.parametrize(("call", "shown"), [
    (lambda: numbers.pct(0.87349), "87.3%"),
    (lambda: numbers.pct(1.0), "100.0%"),
    (lambda: numbers.pct(None), "—"),
    (lambda: numbers.points(0.0241), "+2.4"),
    (lambda: numbers.points(-0.05), "-5.0"),
    (lambda: numbers.num(4.373737373737374), "4.37"),
    (lambda: numbers.num(0.88561, 3), "0.886"),
    (lambda: numbers.score(91.25), "91.2"),
    (lambda: numbers.pval(0.0004), "< 0.001"),
    (lambda: numbers.pval(0.001), "0.001"),
    (lambda: numbers.pval(0.04999), "0.050"),
    (lambda: numbers.pval(None), "—"),
    (lambda: numbers.ci((0.81, 0.9)), "81.0%–90.0%"),
    (lambda: numbers.ci((1.2, 3.456), numbers.num), "1.20–3.46"),
    (lambda: numbers.ci((None, None)), "—"),
    (lambda: numbers.ci(None), "—"),
])
def test_numbers_print_as_the_report_shows_them(call, shown) -> None:
    assert call() == shown


def test_the_page_escapes_what_the_helpers_print(app) -> None:
    """"< 0.001" reaches the page as text, not as the start of a tag."""
    with app.test_request_context():
        page = app.jinja_env.from_string("p {{ pval(p) }}").render(p=0.00001)
    assert page == "p &lt; 0.001"


def test_a_row_of_percentage_cells() -> None:
    assert numbers.pct_cells([0.1, None, 0.8774]) == "<td>10.0%</td><td>—</td><td>87.7%</td>"
    assert numbers.pct_cells([]) == ""
