"""Answers kept as text: a comment, a moment, a day; and a note, which is only read."""

from __future__ import annotations

from datetime import date, datetime

from markupsafe import Markup
from wtforms import DateField, DateTimeLocalField, Field, TextAreaField
from wtforms.validators import Length, ValidationError

from ..i18n import _, _l
from .base import QuestionType, Stored, register, requirement


def _no_control_characters(form, field):
    if field.data and any(ord(c) < 32 and c not in "\r\n\t" for c in field.data):
        raise ValidationError(_("文字含有無法辨識的控制字元"))


@register
class FreeText(QuestionType):
    """An optional comment; kept as text, escaped wherever it is shown."""

    name = "text"

    def check_definition(self, question):
        limit = question.get("max_length", 1000)
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"text question {question.get('key')!r}: max_length must be at least 1")

    def field(self, question, label, text, required):
        limit = int(question.get("max_length", 1000))
        validators = requirement(required) + [
            Length(max=limit, message=_l("最多 %(n)s 個字", n=limit)),
            _no_control_characters,
        ]
        return TextAreaField(label, validators=validators, render_kw={"maxlength": limit})

    def to_stored(self, question, data):
        data = (data or "").strip()
        return Stored(None, data) if data else None

    def to_form_value(self, question, stored):
        return stored.text


@register
class DateTimeQuestion(QuestionType):
    """A moment such as when a visit started; stored as ISO text, minutes precision."""

    name = "datetime"

    def field(self, question, label, text, required):
        return DateTimeLocalField(
            label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
            validators=requirement(required),
            render_kw={"title": _l("格式：2025-07-01 09:30")},
        )

    def to_stored(self, question, data):
        return None if data is None else Stored(None, data.strftime("%Y-%m-%dT%H:%M"))

    def to_form_value(self, question, stored):
        return datetime.strptime(stored.text, "%Y-%m-%dT%H:%M")


@register
class DateQuestion(QuestionType):
    """A day (XLSForm's ``date``), such as when the application was filed; ISO text."""

    name = "date"

    def field(self, question, label, text, required):
        return DateField(label, format=["%Y-%m-%d", "%Y/%m/%d"], validators=requirement(required),
                         render_kw={"title": _l("格式：2025-07-01")})

    def to_stored(self, question, data):
        return None if data is None else Stored(None, data.isoformat())

    def to_form_value(self, question, stored):
        return date.fromisoformat(stored.text)


class _NoteWidget:
    def __call__(self, field, **kwargs):
        return Markup("")


class NoteField(Field):
    """Text shown between questions; it takes nothing and posts nothing."""

    widget = _NoteWidget()

    def process_formdata(self, valuelist):
        self.data = None


@register
class Note(QuestionType):
    """Read-only text (XLSForm's ``note``): an explanation, a heading inside a section."""

    name = "note"
    stores = False

    def field(self, question, label, text, required):
        return NoteField(label)

    def to_stored(self, question, data):
        return None

    def to_form_value(self, question, stored):
        return None

    def display(self, question, stored, text):
        return ""

