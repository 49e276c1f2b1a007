"""Messages of the question types, translated by whoever hosts the forms.

``forms`` knows nothing of Flask.  Its few fixed messages ("此題必須作答") are written in
Traditional Chinese and passed through a translator the host installs (the web app installs
Flask-Babel's ``gettext``: ``webapp.i18n.install``); with none installed they stay as written,
which is what the command line and paper imports show.  ``_l`` builds a message translated each
time it is shown, so a form class built once serves every language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _identity(message: str) -> str:
    return message


_translate: Callable[[str], str] = _identity


def install(translate: Callable[[str], str] | None) -> None:
    """Translate messages with ``translate`` from now on (``None``: back to the source text)."""
    global _translate
    _translate = translate or _identity


def _(message: str, **variables: Any) -> str:
    """``message`` translated now, with ``%(name)s`` variables filled in."""
    text = _translate(message)
    return text % variables if variables else text


class LazyText:
    """A message translated when it is turned into text, not when it is created.

    WTForms keeps validator messages on the form class and formats them with ``%`` when a field
    fails (``Length`` and ``NumberRange`` pass their limits); both work on this type.
    """

    __slots__ = ("message", "variables")

    def __init__(self, message: str, variables: dict[str, Any]):
        self.message = message
        self.variables = variables

    def __str__(self) -> str:
        return _(self.message, **self.variables)

    def __mod__(self, other: Any) -> str:
        return str(self) % other

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"LazyText({self.message!r})"


def _l(message: str, **variables: Any) -> LazyText:
    return LazyText(message, variables)
