"""Typed numbers: a whole count (rings, minutes) and a decimal (XLSForm's ``decimal``).

Both may carry ``bands`` that score them, and ``min`` / ``max`` that bound them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import DecimalField, IntegerField
from wtforms.validators import NumberRange, StopValidation

from ..i18n import _l
from .base import QuestionType, Score, Stored, register, requirement

#: the answers table's integer column holds a count (PostgreSQL's ``integer``)
LARGEST = 2_147_483_647


def _check_bounds(question, number_type) -> None:
    low, high = question.get("min", 0), question.get("max")
    if not isinstance(low, number_type) or (high is not None and (
            not isinstance(high, number_type) or low > high)):
        raise ValueError(f"{question.get('key')!r} needs numeric min <= max")
    if abs(low) > LARGEST or (high is not None and abs(high) > LARGEST):
        raise ValueError(f"{question.get('key')!r}: min and max must lie within ±{LARGEST}")
    bands = question.get("bands", [])
    if [b[0] for b in bands] != sorted(b[0] for b in bands):
        raise ValueError(f"{question.get('key')!r}: bands must ascend")


def _banded(question, number: float, points: float) -> Score:
    for limit, fraction in question.get("bands", []):
        if number <= limit:
            return Score(points * float(fraction), points)
    return Score(0.0, points)



def _range(low, high, whole: bool) -> NumberRange:
    if high is None:
        message = _l("請輸入不小於 %(low)s 的整數", low=low) if whole else \
            _l("請輸入不小於 %(low)s 的數字", low=low)
    else:
        message = _l("請輸入 %(low)s 到 %(high)s 之間的整數", low=low, high=high) if whole else \
            _l("請輸入 %(low)s 到 %(high)s 之間的數字", low=low, high=high)
    return NumberRange(low, high, message=message)


def _bounds_kw(low, high) -> dict:
    return {"min": low} | ({"max": high} if high is not None else {})


def _with_unit(question, number: str, text) -> str:
    unit = question.get("unit")
    return f"{number} {text(unit)}" if unit else number


@register
class Count(QuestionType):
    """A whole number such as rings before the phone was answered, or minutes of waiting.

    ``min`` defaults to 0; without ``max`` there is no upper bound (XLSForm's ``integer`` with
    no constraint).  Scored instruments give ``bands``: ``[[max_value, fraction_of_points],
    ...]`` ascending, e.g. rings ``[[4, 1.0], [6, 0.5]]``: full points up to 4 rings, half at
    5-6, none after.
    """

    name = "count"
    stat_kind = "count"
    scorable = True

    def check_definition(self, question):
        _check_bounds(question, int)

    def field(self, question, label, text, required):
        low, high = question.get("min", 0), question.get("max")
        validators = requirement(required) + [_range(low, high, whole=True),
                                              NumberRange(-LARGEST, LARGEST, message=_l("數字太大"))]
        return IntegerField(label, validators=validators,
                            render_kw={"inputmode": "numeric"} | _bounds_kw(low, high))

    def to_stored(self, question, data):
        return None if data is None else Stored(int(data))

    def to_form_value(self, question, stored):
        return stored.value

    def display(self, question, stored, text):
        if stored is None:
            return "—"
        return _with_unit(question, str(stored.value), text)

    def score_answer(self, question, stored, points):
        return _banded(question, stored.value, points)


def _plain_number(form, field):
    """A typed decimal within what people mean by a number: finite, fifteen digits at most
    before the point and after it (NaN, 1e999999 or 1e-999999 would be stored as a million
    digits); it stops the other checks, which cannot compare a NaN."""
    number = field.data
    if number is not None and (not number.is_finite() or abs(number) >= 10 ** 15
                               or number.as_tuple().exponent < -15
                               or len(number.as_tuple().digits) > 30):
        raise StopValidation(_l("請輸入一般的數字"))


def decimal_text(number: Decimal) -> str:
    """A decimal as stored: plain digits, no exponent, no trailing zeros (2.50 -> 2.5)."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


@register
class DecimalNumber(QuestionType):
    """A number with a fraction (XLSForm's ``decimal``): a distance, an amount, a rating."""

    name = "decimal"
    stat_kind = "number"
    scorable = True

    def check_definition(self, question):
        _check_bounds(question, int | float)

    def field(self, question, label, text, required):
        low, high = question.get("min", 0), question.get("max")
        validators = requirement(required) + [_plain_number, _range(low, high, whole=False)]
        return DecimalField(label, places=None, validators=validators,
                            render_kw={"inputmode": "decimal", "step": "any"} | _bounds_kw(low, high))

    def to_stored(self, question, data):
        return None if data is None else Stored(None, decimal_text(Decimal(data)))

    def to_form_value(self, question, stored):
        try:
            return Decimal(stored.text)
        except (InvalidOperation, TypeError):
            return None

    def display(self, question, stored, text):
        if stored is None or stored.text is None:
            return "—"
        return _with_unit(question, stored.text, text)

    def score_answer(self, question, stored, points):
        return _banded(question, float(stored.text), points)
