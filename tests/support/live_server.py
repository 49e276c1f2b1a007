"""The app under gunicorn with ``deploy/gunicorn.conf.py``, for tests that need real sockets,
several processes and a kill -9; and a small HTTP client that behaves like a kiosk browser.

Everything listens on and talks to 127.0.0.1 only.  A server runs in its own process group so a
test can SIGKILL the master and its workers together, as a crashed or OOM-killed host would be;
``stop`` always waits for the processes, so no zombie or open pipe outlives a test.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
SECRET_KEY = "test-secret"  # the same as support.web.make_config: pages from either post to both


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, database_uri: str, log_dir: Path, *, workers: int = 2, threads: int = 4,
                 port: int | None = None, worker_class: str = "gthread",
                 access_log: bool = False, name: str = "gunicorn"):
        self.port = port or free_port()
        self.workers = workers
        self.log_path = log_dir / f"{name}-{self.port}.log"
        self.env = dict(os.environ)
        self.env.pop("REDIS_URL", None)
        self.env.update(
            DATABASE_URL=database_uri, FLASK_SECRET_KEY=SECRET_KEY,
            FLASK_RATELIMIT_ENABLED="false",  # every test client is 127.0.0.1
            BIND=f"127.0.0.1:{self.port}", WEB_CONCURRENCY=str(workers),
            GUNICORN_THREADS=str(threads), GUNICORN_WORKER_CLASS=worker_class,
            PYTHONPATH=str(ROOT),
        )
        if not access_log:
            self.env["GUNICORN_ACCESS_LOG"] = "off"
        self.process: subprocess.Popen | None = None
        self._log = None

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> None:
        assert self.process is None
        self._log = open(self.log_path, "ab")  # noqa: SIM115 -- closed in stop()
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", str(CONFIG)], cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log_path.read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"gunicorn exited at start:\n{log}")
            try:
                if request(self.port, "GET", "/static/kiosk.js", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not answer in time")

    def booted_workers(self) -> int:
        """How many workers gunicorn has booted so far (restarts included)."""
        return self.log_path.read_text(errors="replace").count("Booting worker")

    def wait_for_workers(self, timeout: float = 90.0) -> None:
        """Until every worker has booted: a benchmark must not time a worker's start-up."""
        deadline = time.monotonic() + timeout
        while self.booted_workers() < self.workers:
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not boot its workers in time")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no graceful shutdown, no cleanup."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        # Workers are in the same process group; wait until none is left holding files.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _group_alive(self.process.pid):
            time.sleep(0.05)
        self._close()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._close()

    def _close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
        self.process = None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def request(port: int, method: str, path: str, *, headers: dict | None = None,
            body: bytes | None = None, timeout: float = 30.0) -> tuple[int, dict, bytes]:
    """One request on its own connection, closed before returning.

    Every way a connection can fail -- refused, reset, cut mid-response -- is an ``OSError``.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    except http.client.HTTPException as error:  # e.g. IncompleteRead, BadStatusLine
        raise ConnectionError(f"{type(error).__name__}: {error}") from error
    finally:
        conn.close()


class Browser:
    """A kiosk's browser: keeps the session cookie, posts forms back as a browser does."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        return headers | (extra or {})

    def _remember(self, headers: dict) -> None:
        if "set-cookie" in headers:
            self.cookie = headers["set-cookie"].split(";", 1)[0]

    def get(self, path: str, timeout: float = 30.0) -> tuple[int, str]:
        status, headers, body = request(self.port, "GET", path, headers=self._headers(),
                                        timeout=timeout)
        self._remember(headers)
        return status, body.decode("utf-8", "replace")

    def post(self, path: str, data: dict, timeout: float = 30.0) -> tuple[int, dict, str]:
        body = urlencode(data).encode("ascii")
        status, headers, raw = request(
            self.port, "POST", path, body=body, timeout=timeout,
            headers=self._headers({"Content-Type": "application/x-www-form-urlencoded"}),
        )
        self._remember(headers)
        return status, headers, raw.decode("utf-8", "replace")
