"""Benchmarks: each prints its figures, as ratios against a baseline measured in the same run.

Run them from the project root as modules (``python -m benchmarks.analysis``), all of them with
``make bench``.  ``--tiny`` runs one at a toy scale: the suite does that for every benchmark
(tests/architecture/test_benchmarks.py), so a benchmark that no longer runs fails CI; the
figures themselves are never asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The suite's gunicorn runner (tests/support/live_server.py) serves the HTTP benchmarks too.
if str(ROOT / "tests") not in sys.path:
    sys.path.append(str(ROOT / "tests"))
