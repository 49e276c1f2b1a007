"""The benchmarks' synthetic data: offices and survey answers over two ended half-years,
inserted in bulk into a database migrated and synced as a deployment is (``flask db upgrade``,
``flask instruments sync``), with the ended half-years' count tables built as the daily
``flask rollups build`` leaves them."""

from __future__ import annotations

import time
from pathlib import Path

ITEMS = ["attitude", "knowledge", "efficiency", "fairness", "environment", "waiting",
         "expectations", "overall"]
HALVES = ("2025H1", "2025H2")


def make_app(db_path: Path | str, **config):
    """The app on a SQLite file (a path) or any database (a URL), and, like a gunicorn worker
    (``post_worker_init`` in deploy/gunicorn.conf.py), the objects it loaded frozen out of the
    garbage collector's full collections."""
    import gc

    from webapp import create_app

    url = db_path if isinstance(db_path, str) and "://" in db_path else f"sqlite:///{db_path}"
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "TESTING": True, "RATELIMIT_ENABLED": False, **config})
    gc.freeze()
    return app


def deploy() -> None:
    """In an app context: the schema and the shipped instruments, as ``make run`` sets them up."""
    from flask_migrate import upgrade

    from webapp.programme import instruments

    upgrade()
    instruments.sync_defaults()


def build_rollups(db_path: Path | str) -> dict:
    """The count tables of the ended half-years, as the daily ``flask rollups build`` does."""
    from webapp.reporting import rollups

    with make_app(db_path).app_context():
        start = time.perf_counter()
        built = rollups.build_ended()
        return {"seconds": time.perf_counter() - start, "built": len(built)}


def build_database(db_path: Path | str, answers: int, offices: int, seed: int = 7) -> dict:
    """Fill a deployed database with realistic survey answers, fast (bulk core inserts)."""
    from datetime import UTC, datetime

    import numpy as np
    from sqlalchemy import insert

    from webapp.capture.submissions import Answer, Submission
    from webapp.platform.extensions import db
    from webapp.programme import instruments
    from webapp.programme.offices import Office

    app = make_app(db_path)
    rng = np.random.default_rng(seed)
    per_submission = len(ITEMS) + 2
    submissions = answers // per_submission
    with app.app_context():
        deploy()
        db.session.execute(insert(Office), [
            {"code": f"B{i:04d}", "name": f"測試{i:04d}事務所", "kind": "household" if i % 2 else "land",
             "city": "臺北市", "district": "", "active": True} for i in range(offices)])
        version, _ = instruments.current("satisfaction")
        db.session.commit()
        office_ids = np.arange(1, offices + 1)
        quality = rng.uniform(-0.45, 0.5, size=offices)
        sub_rows, answer_rows = [], []
        start = time.perf_counter()
        for s in range(submissions):
            office = int(rng.integers(0, offices))
            half = HALVES[s % 2]
            quarter = half[:4] + ("Q1" if half.endswith("H1") else "Q3")  # March or September
            moment = datetime(2025, 3 if half == "2025H1" else 9, 15, 2, tzinfo=UTC)
            sub_rows.append({"id": s + 1, "idempotency_key": f"bench-{s:08d}",
                             "office_id": int(office_ids[office]), "instrument_key": "satisfaction",
                             "instrument_version_id": version.id, "channel": "kiosk",
                             "status": "submitted", "half": half, "quarter": quarter,
                             "occurred_at": moment, "submitted_at": moment, "created_at": moment,
                             "updated_at": moment})
            latent = 4.25 + 0.8 * quality[office] + rng.normal(0, 0.6)
            values = np.clip(np.rint(latent + rng.normal(0, 0.5, size=len(ITEMS))), 1, 5)
            missing = rng.random(len(ITEMS)) < 0.04
            where = {"submission_id": s + 1, "office_id": int(office_ids[office]),
                     "instrument_key": "satisfaction", "half": half, "quarter": quarter,
                     "channel": "kiosk"}
            answer_rows += [where | {"item_key": item, "value": None if skip else int(value),
                                     "text": None}
                            for item, value, skip in zip(ITEMS, values, missing, strict=True)]
            answer_rows += [where | {"item_key": "service_used", "value": 1, "text": "household"},
                            where | {"item_key": "age_band", "value": 2, "text": "30_44"}]
            if len(answer_rows) >= 200_000:
                db.session.execute(insert(Submission), sub_rows)
                db.session.execute(insert(Answer), answer_rows)
                sub_rows, answer_rows = [], []
        if sub_rows:
            db.session.execute(insert(Submission), sub_rows)
            db.session.execute(insert(Answer), answer_rows)
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        total = db.session.scalar(db.text("SELECT count(*) FROM answers"))
        return {"answers": total, "submissions": submissions, "offices": offices,
                "seconds": time.perf_counter() - start}


