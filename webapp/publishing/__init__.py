"""What leaves the system for anyone: de-identified open data (``/open``) and the read API
(``/api/v1``).
"""

from __future__ import annotations

from flask import Flask

from webapp.platform import register_packages

PACKAGES = ('opendata', 'api')


def register(app: Flask) -> None:
    register_packages(app, __name__, PACKAGES)
