"""The house rules: forms/ and analysis/ know nothing of Flask; features import only the core;
no module grows past what a newcomer reads in one sitting."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from webapp import FEATURES

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400


def test_forms_and_analysis_import_no_flask():
    code = ("import sys, pkgutil, importlib, forms, analysis\n"
            "for pkg in (forms, analysis):\n"
            "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
            "        importlib.import_module(m.name)\n"
            "print(' '.join(sorted(n for n in sys.modules if n.split('.')[0].startswith('flask'))))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == ""
    assert "import" not in result.stderr


def _relative_imports(path: Path) -> list[tuple[int, str]]:
    """``(level, module)`` of each relative import in ``path``."""
    tree = ast.parse(path.read_text("utf-8"))
    return [(node.level, node.module or "") for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level > 0]


@pytest.mark.parametrize("feature", FEATURES)
def test_features_import_the_core_never_each_other(feature):
    package = ROOT / "webapp" / feature
    assert package.is_dir()
    offenders = []
    for path in package.rglob("*.py"):
        for level, module in _relative_imports(path):
            top = module.split(".")[0]
            if level >= 2 and top in FEATURES and top != feature:
                offenders.append(f"{path.relative_to(ROOT)}: from {'.' * level}{module}")
        source = path.read_text("utf-8")
        for other in FEATURES:
            if other != feature and f"webapp.{other}" in source:
                offenders.append(f"{path.relative_to(ROOT)}: webapp.{other}")
    assert offenders == []


def test_the_core_imports_no_feature():
    offenders = []
    for path in (ROOT / "webapp").glob("*.py"):
        if path.name == "__init__.py":
            continue  # the factory registers the features, by name
        for level, module in _relative_imports(path):
            if level == 1 and module.split(".")[0] in FEATURES:
                offenders.append(f"{path.name}: from .{module}")
    for path in (ROOT / "webapp" / "models").glob("*.py"):
        for level, module in _relative_imports(path):
            if level == 2 and module.split(".")[0] in FEATURES:
                offenders.append(f"models/{path.name}: from ..{module}")
    assert offenders == []


def test_no_module_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for folder in ("webapp", "forms", "analysis")
            for p in (ROOT / folder).rglob("*.py")
            if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES}
    assert long == {}
