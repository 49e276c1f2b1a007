"""The Flask application factory: settings, then each layer of the house, bottom up.

``webapp`` is stacked in layers, each a package that owns its tables, rules and pages
(``tests/architecture`` and import-linter hold the stack):

    platform < programme < capture < review < cycle < reporting < publishing < demo

A layer imports only the layers below it; each has a ``register(app)`` that adds its
blueprints, commands, event handlers and template values.  No database work happens here.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.settings import database_url, defaults, private_sqlite_file

#: bottom up; each may import only those before it
LAYERS = ("platform", "programme", "capture", "review", "cycle", "reporting", "publishing",
          "demo")

__all__ = ["LAYERS", "create_app", "database_url"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(defaults(app.instance_path, app.root_path))
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
    for layer in LAYERS:
        import_module(f"{__name__}.{layer}").register(app)
    return app
