"""A counter tablet whose Wi-Fi drops (issue 14, item 3), in Chromium with the network really
cut (``context.set_offline``): citizens keep answering and see the normal thank-you page; the
survey reloads from the tablet's cache; when the network is back every answer is stored once,
marked delayed with its client time, even if the sending is interrupted and repeated; and the
tablet then holds no answers."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select
from support import browser
from support.browser import queued, submit_button, tap

from webapp.capture.submissions import Submission
from webapp.platform.extensions import db

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser
OUTBOX = "kiosk-outbox"   # the IndexedDB database the tablet keeps its outbox in

PUT_BACK = """(item) => new Promise((resolve, reject) => {
  const opening = indexedDB.open("kiosk-outbox", 1);
  opening.onsuccess = () => {
    const tx = opening.result.transaction("queue", "readwrite");
    tx.objectStore("queue").put(item);
    tx.oncomplete = () => { opening.result.close(); resolve(true); };
    tx.onerror = () => reject(tx.error);
  };
})"""
FLUSH = """() => navigator.serviceWorker.ready.then(r => r.active.postMessage({flush: true}))"""


def rows():
    db.session.expire_all()
    return db.session.scalars(select(Submission).order_by(Submission.id)).all()


def wait_for(condition, what: str, seconds: float = 60.0):
    """A condition met within a generous deadline; never a fixed pause."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds:.0f} s: {what}")


def answer(page, overall: str) -> None:
    tap(page, "attitude", "非常滿意")
    tap(page, "overall", overall)
    tap(page, "service_used", "戶籍謄本")
    submit_button(page).tap()
    expect(page.get_by_role("heading", name=re.compile("謝謝您的寶貴意見"))).to_be_visible()


def test_a_tablet_offline_keeps_five_citizens_and_sends_each_once(open_page, kiosk):
    form = f"/kiosk/{kiosk.token}"
    page = open_page(form, **browser.TABLET)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()            # the pages and files are now kept by the worker
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_for(lambda: page.evaluate("""() => caches.open("kiosk-pages-v1").then(c => c.keys())
                                        .then(k => k.some(r => r.url.endsWith('/thanks')))"""),
             "the thank-you page kept by the worker")
    page.context.set_offline(True)
    keys = set()
    for overall in ("非常滿意", "滿意", "普通", "不滿意", "非常不滿意"):
        keys.add(page.locator("input[name=idempotency_key]").input_value())
        answer(page, overall)
        page.get_by_role("link", name="回到問卷首頁").tap()
        page.wait_for_url(re.compile(re.escape(form) + r"\?"))
        assert page.locator("input[type=radio]:checked").count() == 0   # nothing of the last one
    assert len(keys) == 5                     # each citizen's page had its own key
    page.reload()                             # still offline: the survey opens from the cache
    expect(page.locator("form[data-kiosk]")).to_be_visible()
    waiting = queued(page, OUTBOX)
    assert len(waiting) == 5 and rows() == []
    expect(page.locator("#kiosk-outbox")).to_have_text("5 筆待上傳")
    expect(page.locator("#kiosk-outbox")).to_be_visible()        # for the counter staff

    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    stored = wait_for(lambda: len(rows()) == 5 and rows(), "five rows on the server")
    assert all(r.delayed and r.channel == "kiosk" and r.kiosk_id == kiosk.id for r in stored)
    assert all(abs(r.clock_skew) < 60 for r in stored)      # this tablet's clock is the server's
    assert {r.idempotency_key for r in stored} == keys
    wait_for(lambda: queued(page, OUTBOX) == [], "the tablet's outbox emptied")
    expect(page.locator("#kiosk-outbox")).to_be_hidden()

    # the sending is interrupted after the server stored one, and is repeated: still five rows
    page.evaluate(PUT_BACK, waiting[0])
    page.evaluate(FLUSH)
    page.evaluate(FLUSH)
    wait_for(lambda: queued(page, OUTBOX) == [], "the resent answer confirmed and removed")
    assert len(rows()) == 5
    assert page.console_errors == []


def test_a_survey_answered_online_is_not_delayed(open_page, kiosk):
    page = open_page(f"/kiosk/{kiosk.token}", **browser.TABLET)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    answer(page, "滿意")
    (row,) = wait_for(lambda: rows(), "the row")
    assert not row.delayed and row.clock_skew is None
