"""Fixtures: an app on a migrated database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set).

The schema is built once per run through the Alembic migrations, exactly as a deployment
builds it; each test then starts from empty tables.  CSRF stays ON: tests fetch a page and post
the token it carries, as a browser does.
"""

from __future__ import annotations

import os
import re
from html import unescape

import browser
import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, text

from webapp import create_app
from webapp.platform.extensions import db, limiter
from webapp.settings import database_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def _reset_postgres(url: str) -> None:
    engine = create_engine(database_url(url))
    with engine.begin() as connection:
        for table in inspect(connection).get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        _reset_postgres(TEST_DATABASE_URL)
        uri = TEST_DATABASE_URL
    else:
        uri = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    app = create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": uri, "TESTING": True})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return uri


def make_config(database_uri: str, tmp_path, **overrides) -> dict:
    config = {
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "EVENTS_RAISE": True,   # a failing event handler fails the test
    }
    config.update(overrides)
    return config


def _empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def _as_deployed() -> None:
    """What every deployment has before its first page: the shipped instruments published
    (``flask instruments sync``, run by ``make run``; reads never publish one)."""
    from webapp.programme import instruments

    instruments.sync_defaults()


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production: its own ``g`` and DB session.

    The ``app`` fixture keeps an app context open for the test's own queries; without this,
    requests would share that context's ``g`` (and so one CSRF token) across clients.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_uri, tmp_path, request):
    overrides = getattr(request, "param", {}) or {}
    # Flask-Limiter's one Limiter keeps "storage is down" across init_app (production has one
    # app per process); a test that killed Redis must not leave later apps counting in fallback.
    limiter._storage_dead = False
    app = create_app(make_config(database_uri, tmp_path, **overrides))
    app.test_client_class = FreshContextClient
    with app.app_context():
        _empty_tables()
        if request.node.get_closest_marker("bare") is None:
            _as_deployed()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def office(app):
    """One household-registration office (Daan); most flows need exactly one."""
    import factories

    return factories.office()


@pytest.fixture
def kiosk(office):
    """A counter tablet registered to ``office``."""
    import factories

    return factories.kiosk(office)


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


_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs a browser would send back (CSRF token, idempotency key, version)."""
    fields = {}
    for tag in _INPUT.findall(html):
        attrs = {k: unescape(v) for k, v in _ATTR.findall(tag)}
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def login(client, email: str, password: str):
    page = client.get("/login")
    data = hidden_fields(page.get_data(as_text=True))
    data.update(email=email, password=password)
    return client.post("/login", data=data)
