"""The shape of the house, held by tests so it does not erode one convenient shortcut at a time.

The import rules themselves are import-linter's contracts (pyproject.toml), run by ``make
test`` and ``make lint``; what they cannot say is said here: every package of ``webapp/`` is a
layer of the stack, the factory and the settings are the only modules beside the layers, no
module outgrows what one reader holds, and the tablets' offline plumbing is written once.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = ROOT / "webapp"
MAX_LINES = 400


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def test_every_package_of_webapp_is_a_layer_of_the_stack():
    stack = next(c for c in _contracts() if c.get("containers") == ["webapp"])
    packages = {p.name for p in WEBAPP.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(stack["layers"]), "a package outside the stack escapes the layer rule"


def test_only_the_factory_and_the_settings_live_beside_the_layers():
    assert sorted(p.name for p in WEBAPP.glob("*.py")) == ["__init__.py", "settings.py"]


def test_no_module_is_longer_than_one_reader_holds():
    sources = [p for top in ("webapp", "forms", "analysis", "scripts", "benchmarks")
               for p in (ROOT / top).rglob("*.py")]
    sources += [p for p in (WEBAPP / "static").glob("*.js")]
    assert len(sources) > 100
    too_long = {str(p.relative_to(ROOT)): n for p in sources
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not too_long


def test_the_offline_plumbing_is_written_once_in_the_outbox():
    """Both tablets (kiosk and inspector) share static/outbox.js: one IndexedDB opener, one
    way to read the CSRF token from a page."""
    scripts = {p.name: p.read_text(encoding="utf-8") for p in (WEBAPP / "static").glob("*.js")}
    assert "outbox.js" in scripts
    opens = {name for name, text in scripts.items() if "indexedDB.open(" in text}
    token_readers = {name for name, text in scripts.items()
                     if re.search(r'name="csrf_token"\[\^>\]', text)}
    assert opens == {"outbox.js"} and token_readers == {"outbox.js"}
    for worker in ("kiosk-sw.js", "inspect-sw.js"):
        assert 'importScripts("' in scripts[worker] and "outbox.js" in scripts[worker]
