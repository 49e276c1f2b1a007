"""The pages a tablet's service worker makes itself when the server cannot be reached speak the
language of the page the user was on (issue 27, item 10): an inspector who switched to English
reads the offline task list and the signed-out page in English, ``<html lang="en">``; one in
Chinese reads Chinese; a citizen whose counter tablet cannot keep the answers is told so in the
survey's language.  The words are the server's translations, sent by each page to its worker;
Chinese is what a worker writes before any page has told it anything.  In Chromium with the
network really cut (``context.set_offline``)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from support import browser, factories

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser

HAN = re.compile(r"[\u4e00-\u9fff]")
# the language the worker keeps for its own pages (outbox.js, speaker)
KEPT_LANG = """(name) => caches.open("outbox-said").then(c => c.match(location.origin + "/outbox-said/" + name))
  .then(found => found ? found.json() : null).then(said => said && said.lang)"""
FORGET_PAGES = """() => caches.delete("inspect-pages-v1")"""
ADD_WAITING = """(user) => new Promise((resolve, reject) => {
  const opening = indexedDB.open("inspect-outbox", 1);
  opening.onsuccess = () => {
    const tx = opening.result.transaction("queue", "readwrite");
    tx.objectStore("queue").put({key: "0123456789abcdef0123456789abcdef", url: "/inspect/new/phone",
      body: "", user: String(user), action: "submit", office: "", saved: Date.now(), problem: null});
    tx.oncomplete = () => { opening.result.close(); resolve(true); };
    tx.onerror = () => reject(tx.error);
  };
})"""


def wait_for(condition, what: str, page, seconds: float = 60.0):
    """A condition met within a generous deadline, never a fixed pause."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        page.wait_for_timeout(200)
    raise AssertionError(f"not within {seconds:.0f} s: {what}")


def offline_page(page, path: str, heading: str, before=None) -> None:
    """Offline, ``path`` until the worker's own page with ``heading`` shows.  Chromium cuts the
    worker's own fetches a moment after the page's (a real tablet has no such moment): until then
    a request may still reach the server, so ``before`` undoes what that did."""
    def shows():
        if before:
            page.evaluate(before)
        page.goto(path)
        return page.get_by_role("heading", name=heading, exact=True).count() > 0
    wait_for(shows, f"{path} offline: the worker's page {heading!r}", page)


def signed_in_inspector(open_page, lang: str):
    """An inspector's tablet, its pages in ``lang`` (the language link's ?lang=), the worker
    told so by the last page shown."""
    inspector = factories.user("inspector")
    page = open_page("/login", **browser.TABLET)
    browser.sign_in(page, inspector.email, factories.PASSWORD)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    if lang == "zh_Hant_TW":          # English first: the worker follows the page last shown
        page.goto("/inspect/?lang=en")
        wait_for(lambda: page.evaluate(KEPT_LANG, "inspect-outbox") == "en", "English kept", page)
    page.goto(f"/inspect/?lang={lang}")
    return inspector, page


CASES = {
    "en": {"html": "en", "offline": "No connection", "kept": "The checklist is kept on this tablet",
           "reload": "Reload", "signed_out": "Signed out", "sign_in": "Sign in again",
           "waiting": "Checklist records on this tablet not yet sent: 1."},
    "zh_Hant_TW": {"html": "zh-Hant-TW", "offline": "目前無法連線", "kept": "查核表已存在這台平板上",
                   "reload": "重新整理", "signed_out": "已登出", "sign_in": "重新登入",
                   "waiting": "這台平板上還有 1 筆查核紀錄尚未上傳"},
}


@pytest.mark.parametrize("lang", list(CASES))
def test_the_inspectors_offline_pages_speak_the_language_of_the_last_page(open_page, lang):
    said = CASES[lang]
    inspector, page = signed_in_inspector(open_page, lang)
    wait_for(lambda: page.evaluate(KEPT_LANG, "inspect-outbox") == said["html"],
             "the page's language kept by the worker", page)

    # the task list was never kept (or is gone): the worker's own page
    page.context.set_offline(True)
    offline_page(page, "/inspect/", said["offline"], before=FORGET_PAGES)
    expect(page.locator("html")).to_have_attribute("lang", said["html"])
    expect(page.locator("body")).to_contain_text(said["kept"])
    expect(page.get_by_role("link", name=said["reload"], exact=True)).to_have_attribute("href", "/inspect/")
    if lang == "en":
        assert not HAN.search(page.locator("body").inner_text())
        assert not HAN.search(page.title())

    # signed out: the sign-in page tells the worker; offline, the worker's signed-out page
    page.context.set_offline(False)
    page.goto("/inspect/")
    page.locator("form[action$='/logout'] button").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/login")
    page.context.set_offline(True)
    page.evaluate(ADD_WAITING, inspector.id)       # a record still waits for its inspector
    offline_page(page, "/inspect/new/phone", said["signed_out"])
    expect(page.locator("html")).to_have_attribute("lang", said["html"])
    expect(page.locator("body")).to_contain_text(said["waiting"])
    expect(page.get_by_role("link", name=said["sign_in"], exact=True)).to_have_attribute("href", "/login")
    if lang == "en":
        assert not HAN.search(page.locator("body").inner_text())
    assert page.console_errors == []


def test_nothing_said_yet_the_worker_writes_chinese(open_page):
    """A worker no page has told its language yet (its first start, or a tablet updated from an
    earlier release) writes the Chinese it always wrote."""
    _, page = signed_in_inspector(open_page, "en")
    wait_for(lambda: page.evaluate(KEPT_LANG, "inspect-outbox") == "en", "English kept", page)
    page.context.set_offline(True)
    forget_all = """() => Promise.all([caches.delete("inspect-pages-v1"), caches.delete("outbox-said")])"""
    offline_page(page, "/inspect/", "目前無法連線", before=forget_all)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    expect(page.locator("body")).to_contain_text("查核表已存在這台平板上")


@pytest.mark.parametrize("lang, html, heading", [
    ("en", "en", "No connection, and this tablet cannot keep your answers"),
    ("zh_Hant_TW", "zh-Hant-TW", "目前無法連線，這台平板也無法暫存"),
])
def test_a_counter_tablet_that_cannot_keep_the_answers_says_so_in_the_citizens_language(
        open_page, kiosk, lang, html, heading):
    form = f"/kiosk/{kiosk.token}"
    page = open_page(f"{form}?lang={lang}", **browser.TABLET)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_for(lambda: page.evaluate(KEPT_LANG, "kiosk-outbox") == html, "the survey's language kept", page)
    (worker,) = page.context.service_workers
    # the browser refuses to keep anything (storage full): the worker's outbox cannot be written
    worker.evaluate("() => { queue.run = () => Promise.reject(new Error('QuotaExceededError')); }")
    page.context.set_offline(True)

    def refused():
        with page.expect_navigation():
            page.evaluate("() => document.querySelector('form[data-kiosk]').submit()")
        return page.get_by_role("heading", name=heading, exact=True).count() > 0
    wait_for(refused, "the refusal in the survey's language", page)
    expect(page.locator("html")).to_have_attribute("lang", html)
    if lang == "en":
        assert not HAN.search(page.locator("body").inner_text())
        assert not HAN.search(page.title())
