"""Gunicorn settings for one app host; run several hosts behind a reverse proxy (README.md, "Deployment").

    gunicorn -c deploy/gunicorn.conf.py              # serves webapp:create_app()
    BIND=0.0.0.0:8000 WEB_CONCURRENCY=4 gunicorn -c deploy/gunicorn.conf.py

Environment (all optional):

- ``BIND``             address to listen on, default ``127.0.0.1:8000`` (comma-separate several).
- ``WEB_CONCURRENCY``  worker processes, default 2 (about one per core: the work is CPU-bound).
- ``GUNICORN_THREADS`` threads per worker with ``gthread``, default 4 (``sync`` has 1).
- ``GUNICORN_WORKER_CLASS``  ``gthread`` (default) or ``sync``.
- ``GUNICORN_TIMEOUT`` seconds before a silent worker is killed and replaced, default 60.
- ``GUNICORN_MAX_REQUESTS`` recycle a worker after this many requests, default 0 (never).
- ``FORWARDED_ALLOW_IPS``  proxies whose ``X-Forwarded-Proto`` gunicorn believes, default
  ``127.0.0.1,::1``; set it to the nginx host's address when nginx runs on another machine.
- ``GUNICORN_ACCESS_LOG`` access log file, ``-`` (stderr, the default) or ``off``.
- ``GUNICORN_CONTROL_SOCKET`` path of the ``gunicornc`` control socket; none by default.
- ``LOG_FORMAT``       ``json``: every line (access, gunicorn's, the app's) one JSON object.

Why ``gthread``: measured with ``benchmarks/submit.py`` on 2 cores, threads serve as many or
more submissions per second than sync workers (91 vs 73/s on SQLite); sync has the shorter
latency tail at saturation.  But a sync worker is blocked whole by one request that waits -- a
SQLite write waiting for the lock (up to 5 s), a PostgreSQL row lock, a report being built --
and with 2 workers two such requests stop the host: with a write lock held 3 s, another tablet
could open the form 215 times with gthread and once, after 2.9 s, with sync.

Why ``preload_app = False``: each worker imports the app and creates its own SQLAlchemy
engines and connection pools after the fork, so no engine, pool or socket is ever shared
between processes, and ``kill -HUP`` reloads new code.  The price, measured: about 150 MB
(PSS) per worker instead of about 55 MB preloaded, and each worker start imports
numpy/SciPy/matplotlib itself (about 2 s of CPU).  See the README's "Deployment" for when to preload.
"""

from __future__ import annotations

import gc
import json
import os
import re

from gunicorn.glogging import Logger

wsgi_app = "webapp:create_app()"  # a command-line APP argument takes precedence

bind = [part.strip() for part in os.environ.get("BIND", "127.0.0.1:8000").split(",")
        if part.strip()]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# gunicorn silently turns a "sync" worker with threads > 1 into gthread: sync means 1 thread.
threads = int(os.environ.get("GUNICORN_THREADS", "4")) if worker_class == "gthread" else 1
preload_app = False

# A worker that stops answering its heartbeat for this long is killed and replaced.  For sync
# workers it is also the longest a request may run; keep it above the database timeouts
# (SQLite busy timeout 5 s; PostgreSQL statement_timeout if set in DATABASE_URL) so a blocked
# request ends as the app's 503 page, not as a killed worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30   # on SIGTERM / redeploy: let requests in flight finish
keepalive = 5           # seconds an idle keep-alive connection from the proxy stays open

# Recycling workers is off: a restart costs a full app import (about 2 s of CPU, during which
# that worker serves nothing) and the app keeps no per-request state that grows (charts use
# matplotlib's Figure API, not pyplot's global registry).  Set it if memory is seen to grow.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10

# The heartbeat file on tmpfs: a slow or full disk under /tmp must not get workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# gunicorn believes X-Forwarded-Proto (sets wsgi.url_scheme) only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn >= 25.1 opens a control socket for ``gunicornc`` at one fixed default path per user,
# so a second instance on the machine (a test server, a benchmark, a second site) takes it over
# and removes it on exit.  Off unless a path is given.  (Older gunicorn ignores these names.)
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

_access = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access == "off" else _access
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# %(D)s is the time in microseconds.  No Referer: it carries the kiosk link.  The client's
# address (%(h)s: the proxy's, or the citizen's once the app applies ProxyFix) and user agent
# (%(a)s) are kept only on the pages only staff open (STAFF_PATHS), where they help trace
# sign-in guessing; every other line -- the survey, the static files its pages load, error
# pages -- carries neither (see RedactingLogger): the survey is anonymous, and an address or a
# browser fingerprint next to a timestamp could be matched with a stored response.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(D)sus pid=%(p)s "%(a)s"'
# LOG_FORMAT=json: every line one JSON object, the access lines with the same fields (each
# value escaped by RedactingLogger), gunicorn's own lines by the app's formatter
JSON_LOGS = os.environ.get("LOG_FORMAT") == "json"
if JSON_LOGS:
    access_log_format = ('{"time": "%(t)s", "client": "%(h)s", "request": "%(r)s", '
                         '"status": %(s)s, "bytes": "%(b)s", "micros": %(D)s, "pid": "%(p)s", '
                         '"agent": "%(a)s"}')
STAFF_PATHS = ("/login", "/logout", "/inspect/", "/review/", "/reports/", "/admin/")

_KIOSK = re.compile(r"((?:^|\s)/kiosk/)[^/?\s]+")
_CODE = re.compile(r"((?:^|[?&])c=)[^&\s]*")


def redact(target: str) -> str:
    """A request target with the kiosk's secret token and the one-time survey code hidden."""
    return _CODE.sub(r"\1***", _KIOSK.sub(r"\1***", target))


class RedactingLogger(Logger):
    """Access log lines without secrets (the kiosk link and the QR code are credentials), and
    without the address or user agent of anyone but staff on staff pages."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q"):
            if atoms.get(key):
                atoms[key] = redact(atoms[key])
        atoms["f"] = "-"
        if not environ.get("PATH_INFO", "").startswith(STAFF_PATHS):
            atoms["h"] = atoms["a"] = "-"
        if JSON_LOGS:   # a backslash or a control character must not break the object;
            # gunicorn escapes the quotes itself (SafeAtoms)
            for key, value in list(atoms.items()):
                if isinstance(value, str):
                    atoms[key] = json.dumps(value, ensure_ascii=False)[1:-1].replace('\\"', '"')
        return atoms

    def setup(self, cfg) -> None:
        super().setup(cfg)
        if JSON_LOGS:
            from webapp.platform.logs import JsonFormatter
            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())


logger_class = RedactingLogger


def post_worker_init(worker) -> None:
    """Once a worker has loaded the app, take its objects (modules, fonts, SQLAlchemy's tables:
    about a quarter of a million) out of the garbage collector's sight.  They live as long as
    the worker, yet every full collection walked them all: a pause of about 0.1 s in one full
    report in two, about a sixth of its time (benchmarks/analysis.py)."""
    gc.freeze()
