"""Hooks: a point where a lower layer asks the layers above it, which it may not import.

The inspector's task page (capture) shows the tasks and calibration rounds the cycle above
plans; whether an office manager may see a photo (capture) depends on the improvement cases
of the cycle.  The lower layer declares a ``Hook``; the upper one adds a function to it when
its module is imported (once per process).  Each hook says in its docstring what its functions
take and return.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    def __init__(self, name: str, doc: str) -> None:
        self.name, self.__doc__ = name, doc
        self.functions: list[Callable] = []

    def __call__(self, function: Callable) -> Callable:
        """Add ``function`` to the hook (a decorator); adding it twice changes nothing."""
        if function not in self.functions:
            self.functions.append(function)
        return function

    def results(self, *args: Any, **kwargs: Any) -> list[Any]:
        """Call each function, in the order they were added; what each answers."""
        return [function(*args, **kwargs) for function in self.functions]

    def any(self, *args: Any, **kwargs: Any) -> bool:
        return any(self.results(*args, **kwargs))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
