"""Every benchmark still runs, at a toy scale: a benchmark nobody can run measures nothing.

The figures they print are for reading (``make bench``), never asserted here; what is asserted
is that each runs to the end and that its own correctness checks hold (the report from the
count tables equals the scan, the statistics equal SciPy's, every accepted submission is
stored once).  Each benchmark makes its own databases, SQLite and, when it answers,
PostgreSQL, so this runs once, in the SQLite pass of the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.processes,
    pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                       reason="the benchmarks make their own databases: run in the SQLite pass"),
]


@pytest.mark.parametrize(("module", "arguments", "last_words"), [
    ("benchmarks.analysis", ["--tiny"], "target report page"),
    ("benchmarks.rollup", ["--tiny"], "target statistics <= 0.2 s"),
    ("benchmarks.submit", ["--tiny", "--engines", "sqlite,postgresql"], "one row per success"),
    ("benchmarks.submit", ["--profile", "20"], "POST submit:"),
])
def test_the_benchmark_runs_to_the_end(module, arguments, last_words, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "DATABASE_URL")}
    done = subprocess.run([sys.executable, "-m", module, *arguments], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert last_words in done.stdout
