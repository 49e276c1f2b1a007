"""What every page and job stands on, and no domain rule: the Flask extensions, the database's
shared column types and time, periods as a type, security and error pages, the language,
listings, uploads, strict web forms, spreadsheets, mail, the audit log, domain events and
template hooks.  Everything above imports from here; this imports nothing above it.
"""

from __future__ import annotations

import os
from datetime import timedelta
from importlib import import_module
from importlib.util import find_spec

from flask import Flask


def register(app: Flask) -> None:
    from webapp.platform import i18n, jobs, logs, outbox
    from webapp.platform.extensions import (
        babel,
        compress,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
    )
    from webapp.platform.jobs import models as _jobs  # noqa: F401  (its tables)
    from webapp.platform.web import context, errors, health, language, security

    logs.configure(app.config["LOG_FORMAT"])
    security.install_converters(app)
    security.register(app)  # first: its body check must run before CSRF reads the form
    db.init_app(app)
    migrations = os.path.join(os.path.dirname(app.root_path), "migrations")
    migrate.init_app(app, db, directory=migrations)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=language.select_locale)
    limiter.init_app(app)
    compress.init_app(app)
    i18n.install()
    register_packages(app, f"{__name__}.web", ("about",))
    register_packages(app, __name__, ("jobs", "backup", "storage"))
    jobs.add(app, jobs.Job("mail", timedelta(minutes=1), outbox.deliver_due,
                           "Send the mail waiting in the outbox (a failed send is tried again "
                           "later, for about a day); forget mail sent 30 days ago."))
    app.register_blueprint(health.bp)
    errors.register(app)
    context.register(app)


def register_packages(app: Flask, layer: str, names: tuple[str, ...]) -> None:
    """Add each named sub-package's blueprint (``views.bp``) and commands (``cli.commands``)."""
    for name in names:
        package = f"{layer}.{name}"
        if find_spec(f"{package}.views") is not None:
            app.register_blueprint(import_module(f"{package}.views").bp)
        if find_spec(f"{package}.cli") is not None:
            for command in import_module(f"{package}.cli").commands:
                app.cli.add_command(command)
