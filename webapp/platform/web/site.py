"""The site's address as the person asking sees it, for what leaves the page with a link in it
(a QR slip, an open-data file's download links)."""

from __future__ import annotations

from flask import current_app, request


def site_base() -> str:
    """``PUBLIC_BASE_URL``, else the address the request came to (``make run PORT=5101``, a
    reverse proxy's host): a built-in default would point citizens and portals at nothing."""
    return current_app.config.get("PUBLIC_BASE_URL") or request.url_root
