"""The load generator of benchmarks/submit.py: a minimal keep-alive HTTP/1.1 client, the survey
page's fields, the load phases (threads, one connection each) and the CPU accounting from /proc.

Hand-rolled because http.client's header parsing would cost the generator several times more
than the server spends on a request; it runs on the same cores as the server, so its own CPU
per request is measured and printed.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote_plus

MAX_REQUESTS_PER_CONNECTION = 200_000   # a hard bound besides the duration
SOCKET_TIMEOUT = 15.0


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
            # a let-down answer's thanks carries the call-back offer (?contact=...)
            thanks = response_headers.get("location", "").split("?")[0]
            if status == 302 and thanks.endswith(f"{url}/thanks"):
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


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0
