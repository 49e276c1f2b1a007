"""A contract type for import-linter: some names of a module may be imported only by some modules.

import-linter's own contracts see modules, not names: ``from flask import request`` is an import
of ``flask``.  This contract reads each such import statement (where import-linter's graph says
it is) and refuses the listed names outside the allowed modules.  The house uses it to keep the
request, ``g``, ``url_for``, ``flash`` and ``abort`` in the web modules: views, their helpers
(``views_*``), commands and ``platform.web``, never in services, models, ``forms/`` or
``analysis/``, so that a rule can run from a page, a command or an event handler alike.

Configured in pyproject.toml (``contract_types``, then a contract of type ``forbidden_names``).
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.util
from functools import cache

from importlinter import Contract, ContractCheck, fields, output


@cache
def _tree(module: str) -> ast.Module | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    with open(spec.origin, encoding="utf-8") as handle:
        return ast.parse(handle.read())


def imported_names(module: str, line: int, source: str) -> set[str]:
    """The names a ``from SOURCE import ...`` statement starting on ``line`` imports."""
    tree = _tree(module)
    found = set()
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.ImportFrom) and node.lineno == line and node.module == source:
            found |= {alias.name for alias in node.names}
    return found


class ForbiddenNamesContract(Contract):
    """``source_modules`` may not import ``names`` from ``module``, except the modules that
    match one of ``allowed_modules`` (fnmatch patterns, e.g. ``*.views``)."""

    source_modules = fields.ListField(subfield=fields.StringField())
    allowed_modules = fields.ListField(subfield=fields.StringField(), required=False)
    module = fields.StringField()
    names = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        forbidden = set(self.names)
        allowed = list(self.allowed_modules or [])
        offences = []
        for importer in sorted(graph.find_modules_that_directly_import(self.module)):
            if not any(importer == s or importer.startswith(s + ".") for s in self.source_modules):
                continue
            if any(fnmatch.fnmatchcase(importer, pattern) for pattern in allowed):
                continue
            for detail in graph.get_import_details(importer=importer, imported=self.module):
                bad = imported_names(importer, detail["line_number"], self.module) & forbidden
                if bad:
                    offences.append((importer, detail["line_number"], sorted(bad)))
        return ContractCheck(kept=not offences, metadata={"offences": offences})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, line, names in check.metadata["offences"]:
            output.print_error(f"{importer} (l.{line}) imports {', '.join(names)} from "
                               f"{self.module}", bold=False)
            output.new_line()
