"""deploy/gunicorn.conf.py's worker hook: the loaded app is frozen out of full collections."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def test_a_worker_freezes_what_it_loaded() -> None:
    settings = runpy.run_path(str(CONFIG))
    assert settings["preload_app"] is False   # so the hook runs in each worker, after its import
    before = gc.get_freeze_count()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > max(before, 10_000)
    finally:
        gc.unfreeze()
