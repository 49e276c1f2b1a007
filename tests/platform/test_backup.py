"""Backups that restore: the drill an operator runs before they need it.

A city's database (demo data, a photo, plans, a published instrument) is backed up with
``flask backup create`` and restored with ``flask backup restore`` into a new database on
SQLite and on PostgreSQL: every table's rows, every file's bytes and the report's report.json
(less its timestamp) come back identical.  The suite runs on SQLite and again on PostgreSQL
(TEST_DATABASE_URL), so the drills cover SQLite → SQLite, SQLite → PostgreSQL, PostgreSQL →
SQLite and PostgreSQL → PostgreSQL.  A non-empty target and a changed backup are refused.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import create_engine, select, text
from support.web import make_config

from webapp import create_app
from webapp.capture.submissions import Answer
from webapp.demo import data as demo
from webapp.platform import backup
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.reporting.reports import build, files

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_answers() -> bool:
    try:
        engine = create_engine(ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture
def scratch_postgres():
    """A new, empty PostgreSQL database, dropped afterwards."""
    if not postgres_answers():
        pytest.skip("no PostgreSQL answers on 127.0.0.1:5432")
    name = f"restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def everything() -> dict[str, list[str]]:
    """Every table's rows, each as the backup writes it, in key order."""
    return {table.name: [json.dumps({k: backup._plain(v) for k, v in row.items()}, sort_keys=True)
                         for row in db.session.execute(select(table).order_by(
                             *table.primary_key.columns)).mappings()]
            for table in db.metadata.sorted_tables}


def report_json() -> dict:
    half = max(db.session.scalars(select(Answer.half).distinct()))
    report = json.loads(files.report_json(build.build(str(half), "all", None, None, None,
                                                     **build.thresholds(current_app.config))))
    report.pop("generated_at")
    return report


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


@pytest.fixture
def city(app, tmp_path):
    """The source: demo data at a small scale and two stored photo files."""
    photos = tmp_path / "source-photos"
    app.config["PHOTO_DIR"] = str(photos)
    demo.load(scale=0.05, today=datetime(2026, 11, 22, tzinfo=TAIPEI))
    db.session.commit()
    photos.mkdir(exist_ok=True)
    (photos / f"{'ab' * 32}.jpg").write_bytes(b"\xff\xd8 a photo's bytes \x00\xff")
    (photos / f"{'ab' * 32}.thumb.jpg").write_bytes(b"\xff\xd8 thumb")
    return photos


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_backup_restores_every_row_every_file_and_the_same_report(app, city, tmp_path, engine,
                                                                    request):
    before, report = everything(), report_json()
    assert sum(map(len, before.values())) > 1000
    cli = app.test_cli_runner()
    made = cli.invoke(args=["backup", "create", "--out", str(tmp_path / "backup")])
    assert made.exit_code == 0, made.output
    assert "2 files (" in made.output and "rows" in made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text("utf-8"))
    assert manifest["tables"]["answers"]["rows"] == len(before["answers"])
    assert manifest["files"][f"photos/{'ab' * 32}.jpg"]["bytes"] == 21

    target_uri = (f"sqlite:///{tmp_path / 'restored.db'}" if engine == "sqlite"
                  else request.getfixturevalue("scratch_postgres"))
    target = create_app(make_config(target_uri, PHOTO_DIR=str(tmp_path / "restored-photos")))
    with target.app_context():
        restored = target.test_cli_runner().invoke(args=["backup", "restore",
                                                        str(tmp_path / "backup")])
        assert restored.exit_code == 0, restored.output
        assert "Restored" in restored.output
        after = everything()
        assert after.keys() == before.keys()
        for name in before:
            assert after[name] == before[name], name
        assert report_json() == report
        assert file_bytes(tmp_path / "restored-photos") == file_bytes(city)
        # the restored database goes on: new rows take new ids
        demo.load(scale=0.01, seed=7, today=datetime(2026, 11, 23, tzinfo=TAIPEI))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_a_target_that_holds_anything_and_a_changed_backup_are_refused(app, city, tmp_path):
    cli = app.test_cli_runner()
    assert cli.invoke(args=["backup", "create", "--out", str(tmp_path / "b")]).exit_code == 0
    again = cli.invoke(args=["backup", "create", "--out", str(tmp_path / "b")])
    assert again.exit_code == 1 and "not empty" in again.output
    rows = everything()
    into_itself = cli.invoke(args=["backup", "restore", str(tmp_path / "b")])
    assert into_itself.exit_code == 1 and "not empty" in into_itself.output
    assert "Nothing was restored" in into_itself.output and everything() == rows

    answers = tmp_path / "b" / "tables" / "answers.jsonl"
    answers.write_text(answers.read_text("utf-8").replace('"value": 5', '"value": 4', 1), "utf-8")
    target = create_app(make_config(f"sqlite:///{tmp_path / 'new.db'}",
                                    PHOTO_DIR=str(tmp_path / "new-photos")))
    with target.app_context():
        changed = target.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "b")])
        assert changed.exit_code == 1 and "answers.jsonl is missing or changed" in changed.output
        db.session.remove()
        db.engine.dispose()
