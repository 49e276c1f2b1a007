"""Schema changes on a database that already holds records: the upgrade a real office runs,
not only the empty database the other tests start from.  SQLite refuses to drop a table other
rows point at (foreign keys are on), so a migration that copies and replaces a table passes on
an empty database and fails on a used one."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from webapp import create_app


def test_upgrading_a_used_database_from_the_previous_release_keeps_its_rows(tmp_path):
    uri = f"sqlite:///{tmp_path / 'used.db'}"
    app = create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": uri, "TESTING": True})
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision="0011")
    engine = create_engine(uri)
    with engine.begin() as connection:   # a used database: an office, an account, its record
        connection.execute(text(
            "INSERT INTO offices (id, code, name, kind, city, district, active) "
            "VALUES (1, 'TPH-DAAN', '大安', 'household', '臺北市', '大安區', 1)"))
        connection.execute(text(
            "INSERT INTO users (id, email, password_hash, role, active, created_at, session_epoch) "
            "VALUES (1, 'i@example.tw', 'x', 'inspector', 1, '2025-08-01 00:00:00', 0)"))
        connection.execute(text(
            "INSERT INTO instrument_versions (id, key, version, definition, checksum, created_at) "
            "VALUES (1, 'phone', 1, '{}', 'c', '2025-08-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO submissions (id, idempotency_key, office_id, instrument_key, "
            "instrument_version_id, channel, status, half, quarter, occurred_at, created_at, "
            "updated_at, inspector_id, revision) VALUES (1, 'k', 1, 'phone', 1, 'inspector', "
            "'submitted', '2025H2', '2025Q3', '2025-08-01 00:00:00', '2025-08-01 00:00:00', "
            "'2025-08-01 00:00:00', 1, 1)"))
    engine.dispose()
    with app.app_context():
        upgrade()
    engine = create_engine(uri)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM submissions")).scalar() == 1
        assert connection.execute(text("SELECT role FROM users")).scalar() == "inspector"
    assert "office_id" in {c["name"] for c in inspect(engine).get_columns("users")}
    assert {fk["referred_table"] for fk in inspect(engine).get_foreign_keys("users")} == {"offices"}
    engine.dispose()


def test_the_migrations_build_exactly_the_schema_the_models_describe(tmp_path):
    """A column or index added to a model without a migration (or the other way) shows here,
    not on a production database."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.platform.extensions import db

    app = create_app({"SECRET_KEY": "t", "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
        db.engine.dispose()
