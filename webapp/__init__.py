"""The Flask application factory.

Configuration comes, in order, from defaults here, ``instance/config.py`` (secrets and the
SQLite file live in the instance folder, never in the repository), environment variables
``FLASK_*``, ``DATABASE_URL`` and finally ``test_config``.  No database work happens here.
"""

from __future__ import annotations

import os
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from flask import Flask
from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .i18n import LOCALES, select_locale

#: One package per thing people do; each may have ``views.py`` (a blueprint ``bp``, templates
#: beside it) and ``cli.py`` (a list ``commands``).  Features import the core, never each other.
FEATURES = ("auth", "about", "survey", "inspect", "review", "reports", "admin", "responses",
            "opendata", "api", "followup", "notices", "planning", "gallery", "calibration",
            "demo")


def database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "service.db"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        BABEL_DEFAULT_LOCALE=LOCALES[0],
        BABEL_DEFAULT_TIMEZONE="Asia/Taipei",
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(app.root_path, "translations"),
        MAX_CONTENT_LENGTH=256 * 1024,
        MAX_UPLOAD_LENGTH=2 * 1024 * 1024,   # a page marked takes_file: a workbook, a paper batch
        PHOTO_MAX_UPLOAD=8 * 1024 * 1024,    # a mystery visit photo as a phone takes it
        PHOTO_DIR=None,  # where evidence photos are kept; None: instance/photos
        WTF_CSRF_TIME_LIMIT=None,  # a kiosk page may stay open all day
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        # Redis unreachable: count in memory until it is back, rather than fail every survey POST
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        SURVEY_REQUIRE_CODE=True,  # personal-device surveys need a one-time QR code
        KIOSK_QUEUE_MAX_HOURS=24,  # a counter tablet's offline answers are taken this long after
        KIOSK_CLOCK_FLAG_MINUTES=10,  # a tablet clock this far off is flagged on the quality page
        PUBLIC_BASE_URL="http://127.0.0.1:5000",  # what the QR codes point at
        SESSION_COOKIE_SECURE=False,  # set FLASK_SESSION_COOKIE_SECURE=true behind HTTPS
        TRUSTED_PROXIES=0,  # reverse proxies in front (X-Forwarded-For / -Proto are trusted)
        STAFF_IDLE_MINUTES=30,  # a staff session idle this long is signed out (shared tablets)
        REPORT_MIN_N=30,  # respondents an office needs before the report judges it
        INSPECTION_MIN_CHECKS=3,  # checks an office needs for an office-period grade
        OPEN_DATA_MIN_N=30,  # respondents a published open-data cell needs; fewer: suppressed
        OPEN_DATA_MIN_CHECKS=1,  # approved checks an office's published inspection cell needs
        OPEN_DATA_PUBLISHER="服務品質督導小組",  # 資料集提供機關, in the open data's metadata
        OPEN_DATA_CONTACT="",  # 聯絡人 (name, phone or e-mail); set FLASK_OPEN_DATA_CONTACT
        MAIL_URL=None,  # smtp://host:25, smtp+starttls://user:pass@host:587: notifications by mail too
        MAIL_FROM="service-quality@localhost",
        API_RATE_TOKEN="600/minute",      # /api/v1 requests per token
        API_RATE_ANONYMOUS="60/minute",   # /api/v1 requests per address without a token
        # who hears about accessibility problems (shown on /accessibility)
        ACCESSIBILITY_CONTACT="服務品質業務承辦人 / the service-quality officer",
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
        if os.environ.get("REDIS_URL"):
            app.config["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    else:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set: put it in instance/config.py (`make instance/config.py` "
            "writes a random one) or export FLASK_SECRET_KEY."
        )
    os.makedirs(app.instance_path, exist_ok=True)
    private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from . import security

    security.install_converters(app)
    security.register(app)  # first: its body check must run before CSRF reads the form
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    from . import context, errors, health, i18n

    i18n.install()
    for feature in FEATURES:
        register_feature(app, f"{__name__}.{feature}")
    app.register_blueprint(health.bp)
    errors.register(app)
    context.register(app)
    return app


def private_sqlite_file(uri: str) -> None:
    """Create a new SQLite database file readable by this account only (0600); SQLite gives
    its -wal and -shm files the same mode.  An existing file keeps the mode it has."""
    url = make_url(uri)
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return
    if not os.path.exists(path) and os.path.isdir(os.path.dirname(os.path.abspath(path))):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def register_feature(app: Flask, package: str) -> None:
    """Add a feature package's blueprint and command-line commands to ``app``."""
    if find_spec(f"{package}.views") is not None:
        app.register_blueprint(import_module(f"{package}.views").bp)
    if find_spec(f"{package}.cli") is not None:
        for command in import_module(f"{package}.cli").commands:
            app.cli.add_command(command)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys on, WAL and a busy timeout so kiosks and inspectors can write together."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
