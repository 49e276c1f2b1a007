"""Real-browser helpers: the app on a live local port, and Debian's Chromium through Playwright.

Playwright drives the Chromium Debian ships (``/usr/bin/chromium``, or ``$CHROMIUM``); it never
downloads a browser.  The flags keep Chromium from phoning home, which a closed network refuses.
Used by ``tests/test_browser.py`` and ``scripts/screenshots.py``.
"""

from __future__ import annotations

import os
import threading

from flask import Flask
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from webapp.capture.submissions import Submission
from webapp.platform.extensions import db

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
UNAVAILABLE = "Chromium not available: install Debian's chromium package (make test does it)"

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
TABLET_PORTRAIT = {"viewport": {"width": 768, "height": 1024}, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1024, "height": 768}}


class BrowserUnavailable(RuntimeError):
    """Chromium is missing or would not start; the browser tests skip with this reason."""


class _QuietHandler(WSGIRequestHandler):
    """Log only server errors; a test run should not print every request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code).startswith("5"):
            super().log_request(code, size)


def _buffered(app: Flask):
    """Each response read whole before it is sent: a browser context closed mid-download (a
    service worker still fetching a file) must not leave a file the server was streaming
    open, which would surface as a ResourceWarning in an unrelated test."""
    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return serve


class LiveServer:
    """``app`` served on 127.0.0.1 at a free port by a background thread, until ``stop()``."""

    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, _buffered(app), threaded=True,
                                  request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server",
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def launch_chromium(playwright):
    """Debian's Chromium, headless; raise ``BrowserUnavailable`` if it is missing or won't start."""
    from playwright.sync_api import Error

    if not os.path.exists(CHROMIUM):
        raise BrowserUnavailable(f"{UNAVAILABLE} ({CHROMIUM} not found)")
    try:
        return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                          headless=True, timeout=30_000)
    except Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise BrowserUnavailable(f"{UNAVAILABLE} ({first_line})") from error


# -- what a test does on a page ------------------------------------------------------------

def stored() -> list[Submission]:
    """Every submission now in the database, as the server committed it (no stale cache)."""
    db.session.rollback()
    return db.session.scalars(select(Submission).order_by(Submission.id)).all()


def choice(page, question: str, answer: str):
    """The big tappable label of ``answer`` in question ``question`` (not its hidden radio)."""
    return page.locator(f"#q-{question} label.choice").filter(
        has=page.get_by_text(answer, exact=True))


def answer_the_rest(page, answer: str = "是", fieldsets: str = "fieldset.yes_no_na:visible") -> None:
    """Every checklist item of ``fieldsets`` nobody answered yet, answered ``answer``."""
    for fieldset in page.locator(fieldsets).all():
        if fieldset.locator("input:checked").count() == 0:
            fieldset.locator("label.choice").filter(has=page.get_by_text(answer, exact=True)).click()


def radio(page, question: str, answer: str):
    return page.locator(f"#q-{question}").get_by_label(answer, exact=True)


def tap(page, question: str, answer: str) -> None:
    choice(page, question, answer).tap()
    assert radio(page, question, answer).is_checked(), (question, answer)


def sign_in(page, email: str, password: str) -> None:
    """Sign in on /login and wait for the landing page of the role."""
    import re

    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/(admin|inspect|review|reports|plans)/"))


def submit_button(page):
    return page.locator("form button[type=submit]").last


_QUEUED = """(name) => new Promise((resolve, reject) => {
  const opening = indexedDB.open(name, 1);
  opening.onupgradeneeded = () => { opening.transaction.abort(); resolve([]); };  // none yet
  opening.onsuccess = () => {
    const read = opening.result.transaction("queue").objectStore("queue").getAll();
    read.onsuccess = () => { opening.result.close(); resolve(read.result); };
    read.onerror = () => reject(read.error);
  };
  opening.onerror = () => { if (opening.error.name !== "AbortError") reject(opening.error); };
})"""


def queued(page, outbox: str) -> list[dict]:
    """What waits in a tablet's outbox (``kiosk-outbox`` or ``inspect-outbox``), read from
    IndexedDB itself, not through the page's own script; nothing when it was never opened."""
    return page.evaluate(_QUEUED, outbox)
