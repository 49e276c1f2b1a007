"""Turn an instrument into a WTForms form class, and a valid form into stored answers.

Field names are the question keys, so they stay stable across requests, drafts and versions;
a fresh class is built per call because labels depend on the language.  The caller chooses the
base class: the web layer passes its CSRF-protected form, a paper import a plain WTForms one.
"""

from __future__ import annotations

from typing import Any

from wtforms import Form

from .instrument import Instrument, pick
from .messages import TranslatedMeta
from .types import Stored, get_type


def build_form(
    instrument: Instrument, locale: str = "zh_TW", *, enforce_required: bool = True,
    base: type[Form] = Form,
) -> type[Form]:
    """A form class with one field per question.

    ``enforce_required=False`` builds the variant used to save an inspector's draft: every answer
    is still checked for type and range, but missing answers are allowed.
    """

    def text(label: dict[str, str] | str) -> str:
        return pick(label, locale)

    attrs: dict[str, Any] = {}
    for question in instrument.questions():
        qtype = get_type(question["type"])
        required = enforce_required and bool(question.get("required", False))
        attrs[question["key"]] = qtype.field(question, text(question["label"]), text, required)
    attrs["Meta"] = type("Meta", (TranslatedMeta,), {"locale": locale})
    name = f"{instrument.key.title()}V{instrument.version}Form"
    return type(name, (base,), attrs)


def answers_from_form(instrument: Instrument, form: Form) -> dict[str, Stored | None]:
    """The validated form's answers, keyed by question."""
    return {
        q["key"]: get_type(q["type"]).to_stored(q, getattr(form, q["key"]).data)
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
