"""Benchmark: citizen survey submissions through gunicorn, against a trivial endpoint as baseline.

For each engine (SQLite in a temporary directory; then PostgreSQL in a scratch database when
127.0.0.1:5432 answers) it

1. migrates a fresh database and loads the demo offices and kiosks (``webapp.demo.load`` at a
   small scale, so the tables are not empty), in a subprocess;
2. starts gunicorn with ``deploy/gunicorn.conf.py`` (2 workers) on a free port of 127.0.0.1;
3. warms both workers up, then drives three bounded phases of N connections for D seconds each:
   - baseline: ``GET /healthz`` (no database, no template, no session);
   - submit:   the issue's measure, as a wrk Lua script would do it: each connection opens the
     kiosk form once (session cookie, CSRF token, instrument version), then keeps ``POST``ing
     real answers, random each time, each with a fresh client-generated idempotency key; a 302
     to ``/kiosk/<token>/thanks`` counts as a success.  The redirect is not followed.
   - kiosk:    what a counter tablet does for each citizen: ``GET`` a fresh form, then ``POST``.
4. prints requests/s, submissions/s, p50/p99/max latency, errors, the CPU each side used per
   request, and checks that the database holds exactly one row per successful submission.

The load generator is hand-rolled: threads, one keep-alive socket each, requests written and
responses parsed by hand (http.client's header parsing would cost the generator several times
more).  It runs on the same 2 cores as the server, so its own CPU per request is measured and
printed with the limit that implies (one core: it holds the GIL).

Rate limiting is switched off for the server under test (``FLASK_RATELIMIT_ENABLED=false``):
every connection comes from 127.0.0.1 and the kiosk route allows 30 POSTs a minute per address.

    .venv/bin/python benchmarks/submit.py [--connections 8] [--duration 10]
        [--worker-class gthread|sync|both] [--engines sqlite,postgresql]
    .venv/bin/python benchmarks/submit.py --profile 200     # where the server's time goes

Targets (SQLite): submissions/s >= 0.25 x baseline req/s, p99 < 50 ms, no errors.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import scratch_db  # noqa: E402  (benchmarks/ is the script's own folder)
from live_server import LiveServer  # noqa: E402  (the suite's gunicorn runner)

MAX_REQUESTS_PER_CONNECTION = 200_000   # a hard bound besides the duration
SOCKET_TIMEOUT = 15.0


# --- the database -----------------------------------------------------------------------------

def prepare(scale: float) -> None:
    """Subprocess: migrate the database named by DATABASE_URL, load demo data, print tokens."""
    import logging

    from flask_migrate import upgrade
    from sqlalchemy import select

    from webapp import create_app
    from webapp.demo import data as demo
    from webapp.platform.extensions import db
    from webapp.programme.offices import Kiosk

    logging.disable(logging.INFO)  # Alembic's progress lines
    app = create_app()
    with app.app_context():
        upgrade()
        result = demo.load(scale=scale)
        tokens = list(db.session.scalars(select(Kiosk.token).order_by(Kiosk.id)))
        db.engine.dispose()
    print(json.dumps({"tokens": tokens, "demo_submissions": result["submissions"]}))


def profile_requests(count: int) -> None:
    """Subprocess: where one form page and one submission spend their time, by cProfile,
    in-process through Flask's test client (no HTTP, no gunicorn): what holds the server back."""
    import cProfile
    import logging
    import pstats

    from flask_migrate import upgrade
    from sqlalchemy import select

    from webapp import create_app
    from webapp.demo import data as demo
    from webapp.platform.extensions import db
    from webapp.programme.offices import Kiosk

    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "profile", "SQLALCHEMY_DATABASE_URI":
                          f"sqlite:///{tmp}/profile.db", "RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade()
            demo.load(scale=0.02)
            token = db.session.scalar(select(Kiosk.token).limit(1))
        client, url = app.test_client(), f"/kiosk/{token}"

        def page_fields(html: str) -> dict:
            hidden, radios, _t = form_fields(html)
            return hidden | {name: values[0] for name, values in radios.items()}

        for _ in range(20):  # warm: templates compiled, instrument cached
            client.post(url, data=page_fields(client.get(url).get_data(as_text=True)))
        get_s = post_s = 0.0
        for _ in range(min(count, 100)):  # the same without the profiler, which inflates
            start = time.perf_counter()   # code made of many small calls the most
            data = page_fields(client.get(url).get_data(as_text=True))
            middle = time.perf_counter()
            client.post(url, data=data)
            get_s, post_s = get_s + middle - start, post_s + time.perf_counter() - middle
        print(f"without the profiler: GET form {get_s * 1000 / min(count, 100):.2f} ms (incl. "
              f"parsing the page), POST submit {post_s * 1000 / min(count, 100):.2f} ms")
        forms = []
        timings = {}
        for kind in ("GET form", "POST submit"):
            profiler = cProfile.Profile()
            if kind == "GET form":
                start = time.perf_counter()
                profiler.enable()
                pages = [client.get(url).get_data(as_text=True) for _ in range(count)]
            else:
                start = time.perf_counter()
                profiler.enable()
                for data in forms:
                    assert client.post(url, data=data).status_code == 302
            profiler.disable()
            timings[kind] = (time.perf_counter() - start) / count * 1000
            if kind == "GET form":
                forms = [page_fields(html) for html in pages]
            stats = pstats.Stats(profiler)
            total = sum(tt for _cc, _nc, tt, _ct, _callers in stats.stats.values())
            print(f"{kind}: {timings[kind]:.2f} ms per request under the profiler "
                  f"(profiled CPU {total / count * 1000:.2f} ms); share of it in:")
            shown = set()
            for (path, _line, name), (_cc, _nc, _tt, cumulative, _c) in sorted(
                    stats.stats.items(), key=lambda item: -item[1][3]):
                label = WATCH.get(name)
                if label and label not in shown and (name in WATCH_ANYWHERE
                                                     or "site-packages" not in path):
                    shown.add(label)
                    print(f"    {cumulative / total:5.0%}  {label}")
        with app.app_context():
            db.engine.dispose()


WATCH = {
    "render_template": "render_template (Jinja + WTForms widgets)",
    "html_params": "  of which WTForms html_params (one call per input)",
    "build_form": "build_form (a form class per request)",
    "validate_on_submit": "form validation incl. CSRF",
    "kiosk_by_token": "kiosk_by_token (kiosk, then its office, lazily)",
    "version_for_post": "version_for_post",
    "current": "instruments.current",
    "store": "storage.store (objects for submission + answers)",
    "_flush": "session flush (INSERT submission + answers)",
    "commit": "commit",
    "by_key": "storage.by_key (the resend check)",
    "_execute_internal": "SQLAlchemy ORM statement execution (all queries)",
}
WATCH_ANYWHERE = {"render_template", "html_params", "validate_on_submit", "_flush", "commit",
                  "_execute_internal"}


# --- a minimal HTTP/1.1 client ----------------------------------------------------------------

class HTTPConnection:
    """One keep-alive connection; reconnects when the server closes it (sync workers do)."""

    def __init__(self, port: int):
        self.port = port
        self.sock: socket.socket | None = None
        self.reused = False

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=SOCKET_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reused = False

    def request(self, method: str, path: str, headers: str = "", body: bytes = b""):
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{headers}"
                f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
        for attempt in (1, 2):
            if self.sock is None:
                self._connect()
            was_reused = self.reused
            try:
                self.sock.sendall(head + body)
                response = self._read()
            except (ConnectionError, _Closed):
                self.close()
                if was_reused and attempt == 1:
                    continue  # the server dropped an idle keep-alive connection: resend once
                raise
            self.reused = True
            return response
        raise AssertionError("unreachable")

    def _read(self):
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise _Closed
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        cookies = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "set-cookie":
                cookies.append(value.strip())
            headers[name] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            raise RuntimeError("chunked responses are not expected from this app")
        length = int(headers.get("content-length", "-1"))
        if length < 0:  # no length: the body runs to the end of the connection
            while chunk := self.sock.recv(65536):
                rest += chunk
            self.close()
        else:
            while len(rest) < length:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise _Closed
                rest += chunk
        if headers.get("connection", "").lower() == "close" or lines[0].startswith("HTTP/1.0"):
            self.close()
        return status, headers, cookies, rest


class _Closed(ConnectionError):
    pass


_INPUT = re.compile(r"<input\b[^>]*>")
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea\b[^>]*\bname="([^"]+)"')


def form_fields(html: str) -> tuple[dict[str, str], dict[str, list[str]], list[str]]:
    """Hidden fields, radio groups with their values, and the text areas of a survey page."""
    hidden: dict[str, str] = {}
    radios: dict[str, list[str]] = {}
    for tag in _INPUT.findall(html):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("type") == "hidden":
            hidden[attrs["name"]] = attrs.get("value", "").replace("&amp;", "&")
        elif attrs.get("type") == "radio":
            radios.setdefault(attrs["name"], []).append(attrs["value"])
    return hidden, radios, _TEXTAREA.findall(html)


COMMENTS = ["服務很親切，謝謝！", "等候時間有點久。", "希望增加停車位。", "Friendly & quick."]


# --- load phases ------------------------------------------------------------------------------

@dataclass
class Result:
    name: str
    elapsed: float = 0.0
    requests: int = 0
    submissions: int = 0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    machine_busy: float = 0.0

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


def healthz_worker(port: int, stop_at: float, result: Result, lock: threading.Lock) -> None:
    conn, mine = HTTPConnection(port), Result("local")
    try:
        for _ in range(MAX_REQUESTS_PER_CONNECTION):
            if time.perf_counter() >= stop_at:
                break
            start = time.perf_counter()
            try:
                status, _h, _c, body = conn.request("GET", "/healthz")
            except OSError as error:  # includes timeouts and our _Closed
                mine.errors[type(error).__name__] += 1
                continue
            mine.add("GET /healthz", time.perf_counter() - start)
            mine.requests += 1
            if status != 200 or body != b"ok\n":
                mine.errors[f"healthz {status}"] += 1
    finally:
        conn.close()
        merge(result, mine, lock)


def submit_worker(port: int, token: str, stop_at: float, result: Result, lock: threading.Lock,
                  seed: int, form_each_time: bool) -> None:
    """One kiosk tablet with its session cookie: answers, submit, again.

    ``form_each_time``: open a fresh form before every submission (a tablet's real cycle);
    otherwise the form is opened once and every POST carries a new client-generated key.
    """
    rng = random.Random(seed)
    conn, mine = HTTPConnection(port), Result("local")
    url = f"/kiosk/{token}"
    cookie = ""
    page = None
    try:
        for _ in range(MAX_REQUESTS_PER_CONNECTION):
            if time.perf_counter() >= stop_at:
                break
            try:
                if page is None or form_each_time:
                    start = time.perf_counter()
                    status, _h, cookies, body = conn.request("GET", url, cookie)
                    mine.add("GET form", time.perf_counter() - start)
                    mine.requests += 1
                    for value in cookies:
                        cookie = f"Cookie: {value.split(';', 1)[0]}\r\n"
                    if status != 200:
                        mine.errors[f"GET form {status}"] += 1
                        continue
                    page = form_fields(body.decode("utf-8"))
                hidden, radios, textareas = page
                data = dict(hidden)
                if not form_each_time:
                    data["idempotency_key"] = f"{rng.getrandbits(128):032x}"
                for name, values in radios.items():
                    data[name] = rng.choice(values)
                for name in textareas:
                    data[name] = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
                payload = "&".join(f"{quote_plus(k)}={quote_plus(v)}"
                                   for k, v in data.items()).encode("ascii")
                headers = cookie + "Content-Type: application/x-www-form-urlencoded\r\n"
                start = time.perf_counter()
                status, response_headers, _c, _b = conn.request("POST", url, headers, payload)
                mine.add("POST submit", time.perf_counter() - start)
                mine.requests += 1
            except OSError as error:
                mine.errors[type(error).__name__] += 1
                continue
            if status == 302 and response_headers.get("location", "").endswith(f"{url}/thanks"):
                mine.submissions += 1
            else:
                mine.errors[f"POST {status}"] += 1
    finally:
        conn.close()
        merge(result, mine, lock)


def merge(into: Result, part: Result, lock: threading.Lock) -> None:
    with lock:
        into.requests += part.requests
        into.submissions += part.submissions
        into.errors.update(part.errors)
        for kind, values in part.latencies.items():
            into.latencies.setdefault(kind, []).extend(values)


def run_phase(name: str, port: int, connections: int, duration: float, tokens: list[str],
              server_pid: int) -> Result:
    result, lock = Result(name), threading.Lock()
    stop_at = time.perf_counter() + duration
    if name == "baseline":
        threads = [threading.Thread(target=healthz_worker, args=(port, stop_at, result, lock))
                   for _ in range(connections)]
    else:
        threads = [threading.Thread(target=submit_worker,
                                    args=(port, tokens[i % len(tokens)], stop_at, result, lock,
                                          secrets.randbits(64), name != "submit"))
                   for i in range(connections)]
    cpu0, server0, machine0 = time.process_time(), process_cpu(server_pid), machine_cpu()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 2 * SOCKET_TIMEOUT)
    result.elapsed = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu0
    result.server_cpu = process_cpu(server_pid) - server0
    busy, total = (b - a for a, b in zip(machine0, machine_cpu(), strict=True))
    result.machine_busy = busy / total if total else 0.0
    return result


def blocked_database(port: int, db_path: str, tokens: list[str], hold: float = 3.0) -> str:
    """SQLite only: a second connection holds the write lock for ``hold`` seconds while four
    tablets submit; meanwhile a fifth tablet keeps opening the form (a read).  Shows whether
    requests waiting on the database hold up everybody else (sync) or not (gthread)."""
    import sqlite3

    ready = []
    for token in tokens[:4]:
        conn = HTTPConnection(port)
        _status, _h, cookies, body = conn.request("GET", f"/kiosk/{token}")
        hidden, radios, _t = form_fields(body.decode("utf-8"))
        data = hidden | {name: values[0] for name, values in radios.items()}
        payload = "&".join(f"{k}={quote_plus(v)}" for k, v in data.items()).encode("ascii")
        cookie = f"Cookie: {cookies[0].split(';', 1)[0]}\r\n" if cookies else ""
        ready.append((conn, token, cookie, payload))
    posts: list[tuple[int, float]] = []

    def post(conn: HTTPConnection, token: str, cookie: str, payload: bytes) -> None:
        start = time.perf_counter()
        try:
            status = conn.request("POST", f"/kiosk/{token}", cookie + "Content-Type: "
                                  "application/x-www-form-urlencoded\r\n", payload)[0]
        except OSError:
            status = 0
        posts.append((status, time.perf_counter() - start))

    lock = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    lock.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(hold, lambda: (lock.rollback(), lock.close()))
    release.start()
    threads = [threading.Thread(target=post, args=args) for args in ready]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    reads, reader = [], HTTPConnection(port)
    stop_at = time.perf_counter() + hold - 0.4
    try:
        while time.perf_counter() < stop_at and len(reads) < 10_000:
            start = time.perf_counter()
            reader.request("GET", f"/kiosk/{tokens[-1]}")
            reads.append(time.perf_counter() - start)
    finally:
        reader.close()
        release.join()
        for thread in threads:
            thread.join(30)
        for conn, *_rest in ready:
            conn.close()
    return (f"  write lock held {hold:g} s by another connection: 4 POSTs -> "
            + ", ".join(f"{status} in {seconds:.1f} s" for status, seconds in sorted(posts))
            + f"; meanwhile another tablet opened the form {len(reads)} times, "
            f"p50 {pct(reads, .5):.0f} ms, max {pct(reads, 1):.0f} ms")


# --- CPU accounting from /proc ----------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def process_cpu(master: int) -> float:
    """CPU seconds of gunicorn: the master, its live workers and the workers it has reaped."""
    total = 0
    for pid in (master, *children(master)):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
            if pid == master:
                total += int(fields[13]) + int(fields[14])  # cutime + cstime: reaped workers
        except OSError:
            pass
    return total / TICK


def machine_cpu() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# --- servers and databases --------------------------------------------------------------------

def stored_submissions(database_url: str) -> int:
    """Rows the load stored (demo rows have keys starting with 'demo-')."""
    query = "SELECT count(*) FROM submissions WHERE idempotency_key NOT LIKE 'demo-%'"
    if database_url.startswith("sqlite:///"):
        import sqlite3

        conn = sqlite3.connect(database_url[len("sqlite:///"):])
        try:
            return conn.execute(query).fetchone()[0]
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(query).fetchone()[0]


# --- reporting --------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def print_result(result: Result) -> None:
    rps = result.requests / result.elapsed
    line = (f"  {result.name:<9} {result.requests:>6} req in {result.elapsed:4.1f} s = "
            f"{rps:7.1f} req/s")
    if result.name != "baseline":
        line += f", {result.submissions / result.elapsed:6.1f} submissions/s"
    errors = sum(result.errors.values())
    line += f", errors {errors}" + (f" {dict(result.errors)}" if errors else "")
    print(line)
    for kind, values in sorted(result.latencies.items()):
        print(f"    {kind:<12} n={len(values):<6} p50 {pct(values, .5):6.2f} ms   "
              f"p99 {pct(values, .99):6.2f} ms   max {pct(values, 1):6.2f} ms")
    if result.requests:
        print(f"    CPU per request: server {result.server_cpu / result.requests * 1000:.2f} ms, "
              f"load generator {result.client_cpu / result.requests * 1000:.2f} ms "
              f"(its limit on one core ~{result.requests / max(result.client_cpu, 1e-9):.0f} "
              f"req/s); machine busy {result.machine_busy:.0%} of 2 cores")


def bench_engine(engine: str, database_url: str, args, worker_class: str, tmp: Path) -> dict:
    server = LiveServer(database_url, tmp, worker_class=worker_class, access_log=True,
                        threads=int(os.environ.get("GUNICORN_THREADS", "4")),
                        name=f"gunicorn-{engine}-{worker_class}")
    prepared = subprocess.run(
        # -c, not this file: run as a script, benchmarks/ would come first on sys.path and
        # benchmarks/analysis.py would hide the analysis package.
        [sys.executable, "-c", f"from benchmarks.submit import prepare; prepare({args.scale!r})"],
        cwd=ROOT, env=server.env,
        capture_output=True, text=True, timeout=300, check=False,
    )
    if prepared.returncode:
        raise RuntimeError(f"preparing the database failed:\n{prepared.stderr[-3000:]}")
    info = json.loads(prepared.stdout.strip().splitlines()[-1])
    port = server.port
    try:
        server.start()
        server.wait_for_workers()
        pid = server.process.pid
        run_phase("warmup", port, args.connections, args.warmup, info["tokens"], pid)
        before = stored_submissions(database_url)
        baseline = run_phase("baseline", port, args.connections, args.duration, info["tokens"],
                             pid)
        submit = run_phase("submit", port, args.connections, args.duration, info["tokens"], pid)
        kiosk = run_phase("kiosk", port, args.connections, args.duration, info["tokens"], pid)
        stored = stored_submissions(database_url) - before
        blocked = (blocked_database(port, database_url[len("sqlite:///"):], info["tokens"])
                   if engine == "sqlite" else "")
    finally:
        server.stop()
    restarts = server.booted_workers() - server.workers
    threads = os.environ.get("GUNICORN_THREADS", "4") if worker_class == "gthread" else "1"
    print(f"\n== {engine}, gunicorn {worker_class} x 2 workers x {threads} threads, "
          f"{args.connections} connections, "
          f"{args.duration:g} s per phase ({info['demo_submissions']} demo rows)")
    print_result(baseline)
    print_result(submit)
    print_result(kiosk)
    base_rps = baseline.requests / baseline.elapsed
    subs = submit.submissions / submit.elapsed
    post_p99 = pct(submit.latencies.get("POST submit", []), .99)
    get_p99 = pct(kiosk.latencies.get("GET form", []), .99)
    errors = sum(sum(r.errors.values()) for r in (baseline, submit, kiosk))
    print(f"  ratio submissions/s / baseline req/s = {subs / base_rps:.3f}   "
          f"(kiosk cycle, form + submission: {kiosk.submissions / kiosk.elapsed / base_rps:.3f})")
    if blocked:
        print(blocked)
    if restarts:
        print(f"  NOTE: gunicorn restarted {restarts} worker(s) during the run")
    successes = submit.submissions + kiosk.submissions
    print(f"  stored rows {stored} for {successes} successful POSTs: "
          + ("OK" if stored == successes else "MISMATCH"))
    return {"ratio": subs / base_rps, "post_p99": post_p99, "get_p99": get_p99,
            "errors": errors, "stored_ok": stored == successes}


def verdict(figures: dict) -> None:
    checks = [("ratio >= 0.25", figures["ratio"] >= 0.25, f"{figures['ratio']:.3f}"),
              ("p99 POST < 50 ms", figures["post_p99"] < 50, f"{figures['post_p99']:.1f} ms"),
              ("p99 GET form (kiosk cycle) < 50 ms", figures["get_p99"] < 50,
               f"{figures['get_p99']:.1f} ms"),
              ("zero errors", figures["errors"] == 0, str(figures["errors"])),
              ("one row per success", figures["stored_ok"], "")]
    print("  targets: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'} {value}".rstrip()
                                    for name, ok, value in checks))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--scale", type=float, default=0.1, help="demo data scale")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync", "both"])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="instead: profile N form pages and N submissions in-process")
    args = parser.parse_args()
    if args.profile:
        return subprocess.run(
            [sys.executable, "-c", f"from benchmarks.submit import profile_requests; "
             f"profile_requests({min(args.profile, 2000)})"], cwd=ROOT, check=False,
            env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=600,
        ).returncode
    if not 0 < args.duration <= 120 or not 0 < args.connections <= 64:
        parser.error("duration must be in (0, 120] s and connections in 1..64")
    classes = ["gthread", "sync"] if args.worker_class == "both" else [args.worker_class]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    print(f"cores: {os.cpu_count()}; load generator: {args.connections} threads in one Python "
          f"process on the same machine")
    for worker_class in classes:
        for engine in engines:
            with tempfile.TemporaryDirectory(prefix="bench-submit-") as tmp:
                if engine == "sqlite":
                    figures = bench_engine("sqlite", f"sqlite:///{tmp}/bench.db", args,
                                           worker_class, Path(tmp))
                    verdict(figures)
                elif engine == "postgresql":
                    if not scratch_db.postgres_answers():
                        print("\n== postgresql SKIPPED: nothing answers on 127.0.0.1:5432")
                        continue
                    url = scratch_db.create("bench_submit")
                    try:
                        verdict(bench_engine("postgresql", url, args, worker_class, Path(tmp)))
                    finally:
                        scratch_db.drop(url)
                else:
                    parser.error(f"unknown engine {engine}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
