"""Links to the app's own pages, made without a request.

A notification carries the page it is about; notifications are made by pages, by event
handlers after a commit and by daily commands, so the link is built from the URL map alone
(a path: the reader's browser, or the mail's ``PUBLIC_BASE_URL``, supplies the host).
"""

from __future__ import annotations

from typing import Any

from flask import current_app


def path_for(endpoint: str, **values: Any) -> str:
    """The path ``url_for`` gives inside a request, e.g. ``/cases/7``."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return adapter.build(endpoint, values)


#: where the embedded server (``make run``) answers, for a command that has no request to ask
LOCAL_URL = "http://127.0.0.1:5000"


def public_base() -> str:
    """The site as the public reaches it, outside a request: ``PUBLIC_BASE_URL``, else the
    embedded server's address."""
    return (current_app.config.get("PUBLIC_BASE_URL") or LOCAL_URL).rstrip("/")


def public_url(path: str) -> str:
    """``path`` on the site as the public reaches it (``PUBLIC_BASE_URL``), for a mail."""
    return public_base() + path
