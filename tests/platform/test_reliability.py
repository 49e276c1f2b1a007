"""Reliability of the citizen survey under concurrency, crashes and database trouble.

- 200 tablets submit at once through gunicorn, retrying, some double-tapping: one row per key.
- gunicorn killed with SIGKILL under load and restarted: every answered 302 is in the database,
  and the submissions in doubt at the kill are stored exactly once when resent.
- A locked database gives the form back with a 503 and the answers; the resend stores once.
- A database that is down: 503 with the answers kept, never a 500; the resend stores once.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (whichever ``database_uri`` is).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import event, func, select
from support import factories
from support.live_server import Browser, LiveServer
from support.web import hidden_fields, make_config

from webapp import create_app
from webapp.capture.submissions import Answer, Submission
from webapp.platform.extensions import db

# Every Likert item answered, a choice and a comment: the rows per submission are known.

pytestmark = pytest.mark.processes   # gunicorn in other processes: run apart

ANSWERS = {"attitude": "5", "knowledge": "4", "efficiency": "na", "fairness": "3",
           "environment": "4", "waiting": "2", "expectations": "5", "overall": "4",
           "service_used": "other", "age_band": "45_64", "comment": "謝謝 & <b>好</b>"}
ROWS_PER_SUBMISSION = len(ANSWERS)  # every question answered: one answer row each
RETRYABLE = {503}  # the database was busy: the page says to send again; anything else fails


def is_postgres(uri: str) -> bool:
    return uri.startswith(("postgresql", "postgres:"))


def stored_keys() -> Counter:
    db.session.rollback()  # a fresh snapshot: the server's commits are visible
    return Counter(db.session.scalars(select(Submission.idempotency_key)))


def answer_rows() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Answer))


def thanks(headers: dict, token: str) -> bool:
    """The thank-you page, with or without a let-down citizen's call-back offer (?contact=)."""
    return headers.get("location", "").split("?")[0].endswith(f"/kiosk/{token}/thanks")


def answers_for(browser_page: str, rng: random.Random | None = None) -> dict:
    data = hidden_fields(browser_page)
    data.update(ANSWERS)
    if rng is not None:
        data["overall"] = str(rng.randint(1, 5))
    return data


@pytest.fixture
def kiosks(app):
    offices = [factories.office(), factories.office(code="NTL-LINKOU",
                                                    name="新北市林口地政事務所", kind="land")]
    return [factories.kiosk(o).token for o in offices for _ in range(2)]


# --- a. many tablets at once, with retries and double taps --------------------------------------

@pytest.mark.slow
def test_200_concurrent_submitters_with_retries_store_one_row_per_key(app, database_uri, kiosks,
                                                                      tmp_path):
    # A generous bound, not a window: on a busy machine the retries simply take longer.
    submitters, deadline = 200, time.monotonic() + 300
    start = threading.Barrier(submitters)
    outcome: dict[int, tuple[str, str]] = {}  # submitter -> (key, "stored" or why not)
    attempts = Counter()
    lock = threading.Lock()

    def post_until_stored(browser: Browser, url: str, data: dict, token: str) -> str:
        for attempt in range(20):
            with lock:
                attempts["POST"] += 1
            try:
                status, headers, _html = browser.post(url, data)
            except OSError as error:
                status, why = 0, type(error).__name__
            else:
                if status == 302 and thanks(headers, token):
                    return "stored"
                why = f"HTTP {status}"
                if status not in RETRYABLE:
                    return why
            if time.monotonic() > deadline:
                return why
            time.sleep(0.05 * (attempt + 1) * random.random())
        return why

    def submitter(n: int) -> None:
        rng = random.Random(n)
        token = kiosks[n % len(kiosks)]
        url = f"/kiosk/{token}"
        browser = Browser(live.port)
        try:
            start.wait(30)
            for attempt in range(20):  # the form itself, retried like a person reloading
                try:
                    status, page = browser.get(url)
                except OSError:
                    status = 0
                if status == 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.05 * (attempt + 1))
            if status != 200:
                outcome[n] = ("", f"form HTTP {status}")
                return
            data = answers_for(page, rng)
            key = data["idempotency_key"]
            taps = 1 if n % 4 else 2 + n % 8 // 4  # every 4th taps 2 or 3 times at once
            if taps == 1:
                outcome[n] = (key, post_until_stored(browser, url, data, token))
                return
            results: list[str] = []
            together = threading.Barrier(taps)

            def tap() -> None:
                together.wait(10)
                results.append(post_until_stored(browser, url, data, token))

            extra = [threading.Thread(target=tap) for _ in range(taps)]
            for thread in extra:
                thread.start()
            for thread in extra:
                thread.join(max(0.1, deadline + 10 - time.monotonic()))
            ok = len(results) == taps and all(r == "stored" for r in results)
            outcome[n] = (key, "stored" if ok else f"taps {results}")
        except Exception as error:  # noqa: BLE001 -- reported by the assertion below
            outcome[n] = ("", repr(error))

    with LiveServer(database_uri, tmp_path) as live:
        threads = [threading.Thread(target=submitter, args=(n,)) for n in range(submitters)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.1, deadline + 15 - time.monotonic()))
        assert not any(thread.is_alive() for thread in threads)

    failed = {n: why for n, (_key, why) in outcome.items() if why != "stored"}
    assert len(outcome) == submitters and not failed, failed
    keys = {key for key, _why in outcome.values()}
    assert len(keys) == submitters                      # each submitter its own key
    stored = stored_keys()
    assert set(stored) == keys                          # none lost, nothing else stored
    assert max(stored.values()) == 1                    # none doubled
    assert answer_rows() == submitters * ROWS_PER_SUBMISSION  # no half-stored submission
    assert attempts["POST"] > submitters                # the double taps really happened


# --- b. kill -9 under load ----------------------------------------------------------------------

@pytest.mark.slow
def test_sigkill_under_load_loses_no_acknowledged_submission(app, database_uri, kiosks, tmp_path):
    server = LiveServer(database_uri, tmp_path)
    acknowledged: list[str] = []
    in_doubt: list[tuple[Browser, str, dict]] = []  # POSTs whose answer never came
    lock, killed = threading.Lock(), threading.Event()
    # Load runs until the kill; the deadline only bounds a server that never answers.
    stop_at = time.monotonic() + 300

    def tablet(n: int) -> None:
        token = kiosks[n % len(kiosks)]
        url = f"/kiosk/{token}"
        browser = Browser(server.port)
        while True:
            if killed.is_set() or time.monotonic() > stop_at:
                return
            try:
                status, page = browser.get(url, timeout=10)
            except OSError:
                continue
            if status != 200:
                continue
            data = answers_for(page)
            try:
                status, headers, _html = browser.post(url, data, timeout=10)
            except OSError:
                with lock:
                    in_doubt.append((browser, url, data))
                continue
            with lock:
                if status == 302 and thanks(headers, token):
                    acknowledged.append(data["idempotency_key"])
                else:
                    in_doubt.append((browser, url, data))

    server.start()
    try:
        threads = [threading.Thread(target=tablet, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < 40 and time.monotonic() < stop_at:
            time.sleep(0.02)
        assert len(acknowledged) >= 40, "the server acknowledged too few submissions to test"
        server.kill()  # mid-stream: requests in flight on every connection
        killed.set()
        for thread in threads:
            thread.join(60)
        assert not any(thread.is_alive() for thread in threads)

        stored = stored_keys()
        lost = [key for key in acknowledged if stored[key] != 1]
        assert not lost, f"{len(lost)} acknowledged submissions missing after SIGKILL"
        if not is_postgres(database_uri):
            path = database_uri.removeprefix("sqlite:///")
            conn = sqlite3.connect(path)
            try:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            finally:
                conn.close()

        # Restarted, the tablets resend what they never got an answer for: stored once each.
        server.start()
        for browser, url, data in in_doubt:
            status, headers, _html = browser.post(url, data)
            assert status == 302, status
    finally:
        server.stop()
    stored = stored_keys()
    expected = set(acknowledged) | {data["idempotency_key"] for _b, _u, data in in_doubt}
    assert set(stored) == expected and max(stored.values()) == 1
    assert answer_rows() == len(expected) * ROWS_PER_SUBMISSION


# --- c. locked or down --------------------------------------------------------------------------

@pytest.fixture
def short_lock_wait(app, database_uri):
    """Give up on a lock after 0.3 s instead of the app's 5 s, so the test stays short."""
    postgres = is_postgres(database_uri)

    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("SET lock_timeout = '300ms'" if postgres else "PRAGMA busy_timeout=300")
        cursor.close()
        if postgres:
            dbapi_connection.commit()

    db.session.close()  # hand its connection back first: dispose() only closes idle ones
    db.engine.dispose()
    event.listen(db.engine, "connect", on_connect)  # after the app's own pragmas
    yield
    event.remove(db.engine, "connect", on_connect)
    db.session.close()
    db.engine.dispose()


class HeldLock:
    """A second connection that holds the write lock: SQLite BEGIN EXCLUSIVE, or PostgreSQL
    LOCK TABLE submissions IN EXCLUSIVE MODE (reads go on, inserts wait)."""

    def __init__(self, database_uri: str):
        self.uri = database_uri

    def __enter__(self):
        if is_postgres(self.uri):
            import psycopg

            self.conn = psycopg.connect(self.uri)
            self.conn.execute("LOCK TABLE submissions IN EXCLUSIVE MODE")
        else:
            self.conn = sqlite3.connect(self.uri.removeprefix("sqlite:///"), isolation_level=None)
            self.conn.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()


def test_locked_database_keeps_the_answers_and_the_resend_stores_once(
        client, database_uri, kiosks, short_lock_wait):
    url = f"/kiosk/{kiosks[0]}"
    data = answers_for(client.get(url).get_data(as_text=True))
    with HeldLock(database_uri):
        response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "系統暫時無法儲存" in html and "答案仍保留在頁面上" in html
    assert 'checked id="attitude-0"' in html             # "5" is still chosen
    assert "謝謝 &amp; &lt;b&gt;好&lt;/b&gt;" in html       # the comment, escaped
    retry = hidden_fields(html)
    assert retry["idempotency_key"] == data["idempotency_key"]  # the same key for the resend
    assert not stored_keys()

    # The lock is gone: the citizen presses 送出 again on the same page.
    again = client.post(url, data={**data, **retry})
    assert again.status_code == 302
    assert client.post(url, data={**data, **retry}).status_code == 302  # and once more
    assert stored_keys() == Counter({data["idempotency_key"]: 1})


DOWN = {
    "postgresql-closed-port": "postgresql://postgres@127.0.0.1:{port}/nothing_here",
    "sqlite-missing-directory": "sqlite:///{tmp}/no/such/dir/service.db",
}


@pytest.mark.parametrize("down", DOWN)
def test_database_down_is_a_503_with_the_answers_not_a_500(app, client, kiosks, tmp_path, down):
    from support.live_server import free_port

    url = f"/kiosk/{kiosks[0]}"
    data = answers_for(client.get(url).get_data(as_text=True))
    broken = create_app(make_config(DOWN[down].format(port=free_port(), tmp=tmp_path), tmp_path))
    broken.test_client_class = type(client)
    other = broken.test_client()
    other.set_cookie("session", client.get_cookie("session").value)  # the same browser
    try:
        posted, opened = other.post(url, data=data), other.get(url)
    finally:
        with broken.app_context():
            db.engine.dispose()
    html = posted.get_data(as_text=True)
    assert posted.status_code == 503 and "Traceback" not in html
    assert "系統暫時無法儲存" in html and "答案仍保留在頁面上" in html
    assert 'checked id="attitude-0"' in html              # the answers are on the page
    assert "謝謝 &amp; &lt;b&gt;好&lt;/b&gt;" in html
    retry = hidden_fields(html)
    assert retry["idempotency_key"] == data["idempotency_key"]
    assert opened.status_code == 503 and "系統忙碌中" in opened.get_data(as_text=True)

    # Back up: the citizen presses 送出 on that page; stored once, however often pressed.
    for _ in range(2):
        assert client.post(url, data={**data, **retry}).status_code == 302
    assert stored_keys() == Counter({data["idempotency_key"]: 1})


# --- e. SQLite writers queue on a file lock, never forever ---------------------------------------

def _held_writer_lock(database_uri: str):
    """The writer lock as another worker process holding it would: flock on the lock file."""
    import fcntl
    import os

    fd = os.open(database_uri.removeprefix("sqlite:///") + ".writer-lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_sqlite_writer_lock_waits_for_the_other_process_then_stores(
        app, client, database_uri, kiosks, monkeypatch):
    if is_postgres(database_uri):
        pytest.skip("the writer lock is for SQLite; PostgreSQL locks rows itself")
    import os

    from webapp.capture import store as storage

    url = f"/kiosk/{kiosks[0]}"
    data = answers_for(client.get(url).get_data(as_text=True))
    fd = _held_writer_lock(database_uri)
    release = threading.Timer(0.3, os.close, args=(fd,))  # the other writer commits
    release.start()
    began = time.monotonic()
    response = client.post(url, data=data)
    waited = time.monotonic() - began
    release.join()
    assert response.status_code == 302 and waited >= 0.25  # it waited for the other writer
    assert stored_keys() == Counter({data["idempotency_key"]: 1})

    # A holder that never lets go (a hung process) delays a citizen by the patience, no more.
    monkeypatch.setattr(storage._SQLiteWriter, "patience", 0.2)
    data = answers_for(client.get(url).get_data(as_text=True))
    fd = _held_writer_lock(database_uri)
    try:
        response = client.post(url, data=data)
    finally:
        os.close(fd)
    assert response.status_code == 302
    assert stored_keys()[data["idempotency_key"]] == 1


def test_an_unusable_lock_file_still_stores_the_survey(app, client, database_uri, kiosks):
    """Say the lock file was created by another account: queue in this process, never a 500."""
    if is_postgres(database_uri):
        pytest.skip("the writer lock is for SQLite; PostgreSQL locks rows itself")
    import os

    from webapp.capture import store as storage

    lock_path = database_uri.removeprefix("sqlite:///") + ".writer-lock"
    storage._sqlite_writer._files.clear()
    if os.path.exists(lock_path):
        os.remove(lock_path)
    os.mkdir(lock_path)            # opening it as a file fails, as a foreign file's mode would
    try:
        url = f"/kiosk/{kiosks[0]}"
        data = answers_for(client.get(url).get_data(as_text=True))
        assert client.post(url, data=data).status_code == 302
        assert stored_keys() == Counter({data["idempotency_key"]: 1})
    finally:
        os.rmdir(lock_path)
        storage._sqlite_writer._files.clear()
