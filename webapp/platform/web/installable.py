"""What makes a page a tablet can install and run offline: its web app manifest and its
service worker, served from the path whose scope the worker should have (a worker's scope is
the folder it is served from, so each job's worker lives beside its pages)."""

from __future__ import annotations

import json

from flask import Response, current_app, send_from_directory, url_for

ICON_SIZES = (192, 512)


def manifest(name: str, short_name: str, start_url: str, scope: str) -> Response:
    """A zh-TW manifest that opens ``start_url`` full-screen, with the app's icons."""
    body = {"name": name, "short_name": short_name, "lang": "zh-TW", "dir": "ltr",
            "start_url": start_url, "scope": scope, "display": "standalone",
            "background_color": "#ffffff", "theme_color": "#0b57a4",
            "icons": [{"src": url_for("static", filename=f"icon-{size}.png"),
                       "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
                      for size in ICON_SIZES]}
    return current_app.response_class(json.dumps(body, ensure_ascii=False),
                                      mimetype="application/manifest+json")


def worker(filename: str) -> Response:
    """A service worker script from ``static/``, never cached stale (a new release reaches
    the tablets at once)."""
    return send_from_directory(current_app.static_folder, filename, mimetype="text/javascript",
                               max_age=0)
