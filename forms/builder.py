"""Turn an instrument into a WTForms form class, and a valid form into stored answers.

Field names are the question keys, so they stay stable across requests, drafts and versions;
a fresh class is built per call because labels depend on the language.  The caller chooses the
base class: the web layer passes its CSRF-protected form, a paper import a plain WTForms one.
"""

from __future__ import annotations

from typing import Any

from wtforms import Form
from wtforms.validators import Optional

from .instrument import Instrument, answer_text, pick
from .messages import TranslatedMeta
from .types import Stored, get_type


def build_form(
    instrument: Instrument, locale: str = "zh_TW", *, enforce_required: bool = True,
    base: type[Form] = Form, office_kind: str | None = None,
) -> type[Form]:
    """A form class with one field per question.

    ``enforce_required=False`` builds the variant used to save an inspector's draft: every answer
    is still checked for type and range, but missing answers are allowed.  ``office_kind`` keeps
    only the options offered at that kind of office (a household-registration office's citizens
    are not offered a land survey), and refuses the others as not a valid choice.
    """

    def text(label: dict[str, str] | str) -> str:
        return pick(label, locale)

    attrs: dict[str, Any] = {}
    for question in instrument.questions():
        qtype = get_type(question["type"])
        required = enforce_required and bool(question.get("required", False))
        field = qtype.field(offered(question, office_kind), text(question["label"]), text, required)
        if question.get("hint"):
            field.kwargs["description"] = text(question["hint"])
        attrs[question["key"]] = field
    attrs["Meta"] = type("Meta", (TranslatedMeta,), {"locale": locale})
    if instrument.conditional:
        def validate(self, extra_validators=None):
            # a question that does not apply is treated as never posted: not required, not
            # checked, and answers_from_form drops it (the page's script only hides it)
            for key in not_applicable_in_form(instrument, self):
                field = self[key]
                field.raw_data, field.data, field.validators = [], None, [Optional()]
            return super(form_class, self).validate(extra_validators)
        attrs["validate"] = validate
    name = f"{instrument.key.title()}V{instrument.version}Form"
    form_class = type(name, (base,), attrs)
    return form_class


def offered(question: dict[str, Any], office_kind: str | None) -> dict[str, Any]:
    """The question with only the options offered at ``office_kind`` (all for ``None``).

    Only the field is built from this copy: a stored answer keeps its option's place in the
    whole list, so it reads the same whichever office gave it.
    """
    options = question.get("options")
    if office_kind is None or not options:
        return question
    return {**question, "options": [o for o in options
                                    if office_kind in o.get("office_kinds", (office_kind,))]}


def not_applicable_in_form(instrument: Instrument, form: Form) -> set[str]:
    """The questions that do not apply given what was posted (see :mod:`forms.conditions`)."""
    def answer_of(key: str) -> str:
        return answer_text(form[key].data)
    return instrument.not_applicable(answer_of)


def answers_from_form(instrument: Instrument, form: Form) -> dict[str, Stored | None]:
    """The validated form's answers, keyed by question; ``None`` for a question that does not
    apply, whatever was posted for it."""
    skipped = not_applicable_in_form(instrument, form)
    return {
        q["key"]: None if q["key"] in skipped else get_type(q["type"]).to_stored(q, form[q["key"]].data)
        for q in instrument.questions()
    }


def form_data_from_answers(instrument: Instrument, answers: dict[str, Stored]) -> dict[str, Any]:
    """Stored answers as keyword data to re-open a draft in its form."""
    data = {}
    for question in instrument.questions():
        stored = answers.get(question["key"])
        if stored is not None:
            data[question["key"]] = get_type(question["type"]).to_form_value(question, stored)
    return data
