"""What a test does as a browser would: read a page's hidden fields, sign in; and the test app's
configuration (CSRF on, rate limits off unless a test turns them on)."""

from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient

_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def make_config(database_uri: str, tmp_path=None, **overrides) -> dict:
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


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production: its own ``g`` and DB session.

    The ``app`` fixture keeps an app context open for the test's own queries; without this,
    requests would share that context's ``g`` (and so one CSRF token) across clients.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


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
