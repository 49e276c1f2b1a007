"""Fixtures: an app on a migrated database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set).

The schema is built once per run (per xdist worker, each on its own database) through the
Alembic migrations, exactly as a deployment builds it.  One app serves every test that needs no
settings of its own; each test starts from empty tables with the shipped instruments published
(as ``make run`` leaves a deployment), and whatever it changed in the app's settings is put
back.  CSRF stays ON: tests fetch a page and post the token it carries, as a browser does.

Helpers live in ``tests/support`` (``from support import factories``), never here.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, insert, inspect, make_url, text
from support import browser
from support.web import FreshContextClient, make_config

from webapp import create_app
from webapp.platform.extensions import db, limiter
from webapp.settings import database_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def _worker_database(url: str, worker: str) -> str:
    """Each xdist worker its own PostgreSQL database beside the one named (created if new)."""
    if worker in ("", "master"):
        return url
    parsed = make_url(database_url(url))
    name = f"{parsed.database}_{worker}"
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    engine = create_engine(database_url(url))
    with engine.begin() as connection:
        for table in inspect(connection).get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory, worker_id) -> str:
    if TEST_DATABASE_URL:
        uri = _worker_database(TEST_DATABASE_URL, worker_id)
        _reset_postgres(uri)
    else:
        uri = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    app = create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": uri, "TESTING": True})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return uri


@pytest.fixture(scope="session")
def shared_app(database_uri):
    app = create_app(make_config(database_uri))
    app.test_client_class = FreshContextClient
    yield app
    with app.app_context():   # every pooled connection closed before the run ends
        db.engine.dispose()


_DEPLOYED: dict[str, list[dict]] = {}


def _fresh_tables(published: bool) -> None:
    """Every table empty in one transaction; then, unless ``published`` is False, the rows
    ``flask instruments sync`` leaves (published once per run, copied back after that)."""
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
    db.session.commit()
    if not published:
        return
    if not _DEPLOYED:
        from webapp.programme import instruments

        instruments.sync_defaults()
        for table in ("theme_catalogue_versions", "instrument_versions", "audit_events"):
            rows = db.session.execute(db.metadata.tables[table].select()).mappings().all()
            # without their ids: each table numbers its rows afresh after the emptying
            _DEPLOYED[table] = [{k: v for k, v in row.items() if k != "id"} for row in rows]
        return
    for table in ("theme_catalogue_versions", "instrument_versions", "audit_events"):
        db.session.execute(insert(db.metadata.tables[table]), _DEPLOYED[table])
    db.session.commit()


@pytest.fixture
def app(request, database_uri, shared_app):
    """The app, on empty tables with the shipped instruments published.  A test's own settings
    (``@pytest.mark.parametrize("app", [{...}], indirect=True)``) get an app of their own;
    ``@pytest.mark.bare``: a new installation, before any instrument is published."""
    overrides = getattr(request, "param", {}) or {}
    # Flask-Limiter's one Limiter keeps "storage is down" across init_app (production has one
    # app per process); a test that killed Redis must not leave later apps counting in fallback.
    limiter._storage_dead = False
    app = shared_app
    if overrides:
        app = create_app(make_config(database_uri, **overrides))
        app.test_client_class = FreshContextClient
    # ... and the last init_app wins "enabled": a test app that counts must not leave the
    # shared app counting logins.
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    settings = dict(app.config)
    with app.app_context():
        _fresh_tables(published=request.node.get_closest_marker("bare") is None)
        yield app
        db.session.remove()
        if overrides:
            db.engine.dispose()
    app.config.clear()
    app.config.update(settings)


@pytest.fixture
def office(app):
    """One household-registration office (Daan); most flows need exactly one."""
    from support import factories

    return factories.office()


@pytest.fixture
def kiosk(office):
    """A counter tablet registered to ``office``."""
    from support import factories

    return factories.kiosk(office)


@pytest.fixture
def people(app):
    """One account of each of the roles the review and audit tests act as."""
    from support import factories

    return {role: factories.user(role) for role in ("inspector", "reviewer", "admin", "analyst")}


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium for the whole run (one browser; each test gets its own context)."""
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="the playwright package is not installed (pip install -e '.[dev]')")
    # Generous deadlines: a busy machine makes pages slower, never wrong.
    sync_api.expect.set_options(timeout=30_000)
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = browser.launch_chromium(playwright)
    except browser.BrowserUnavailable as error:
        playwright.stop()
        pytest.skip(str(error))
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def live_server(app):
    with browser.LiveServer(app) as server:
        yield server


@pytest.fixture
def open_page(chromium, live_server):
    """``open_page(path, clock=False, **context_options)``: a page in a fresh browser context
    (own cookies); ``clock=True`` puts the page's timers on Playwright's clock."""
    contexts = []

    def open_(path: str, clock: bool = False, **options):
        context = chromium.new_context(base_url=live_server.url, locale="zh-TW", **options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        # Script errors, CSP refusals and failed loads; a missing favicon is not the app's page.
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and not m.location.get(
            "url", "").endswith("/favicon.ico") and page.console_errors.append(
            f"{m.text} {m.location.get('url', '')}"))
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        if clock:  # the page's timers run on Playwright's clock: tests move time, never wait
            page.clock.install()
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


