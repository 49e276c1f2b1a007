"""The question types an instrument may use, in one registry.

Each type says, in one place, how it appears as a WTForms field, how it reads a paper-CSV cell,
how its answer is stored (an integer SQL can count, and/or a text), and how it scores.  Adding a
type means adding one class to a module here; an instrument naming an unknown type fails when it
is loaded, never when a citizen opens the page.  The storage convention is in ``base``.
"""

from .base import NO_ANSWER, REGISTRY, QuestionType, Score, Stored, Text, get_type, register
from .choices import MAX_MULTIPLE_OPTIONS, MultipleChoice, SingleChoice
from .numbers import Count, DecimalNumber, decimal_text
from .scales import LIKERT_LEVELS, LIKERT_NO_ANSWER, YES_NO_NA, Likert5, YesNoNA
from .texts import DateQuestion, DateTimeQuestion, FreeText, Note

__all__ = ["NO_ANSWER", "REGISTRY", "QuestionType", "Score", "Stored", "Text", "get_type",
           "register", "MAX_MULTIPLE_OPTIONS", "MultipleChoice", "SingleChoice", "Count",
           "DecimalNumber", "decimal_text", "LIKERT_LEVELS", "LIKERT_NO_ANSWER", "YES_NO_NA",
           "Likert5", "YesNoNA", "DateQuestion", "DateTimeQuestion", "FreeText", "Note"]
