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
     to ``/kiosk/<token>/thanks`` (with or without a call-back offer) counts as a success.  The
     redirect is not followed.
   - kiosk:    what a counter tablet does for each citizen: ``GET`` a fresh form, then ``POST``.
4. prints requests/s, submissions/s, p50/p99/max latency, errors, the CPU each side used per
   request, and checks that the database holds exactly one row per successful submission.

The load generator is hand-rolled: threads, one keep-alive socket each, requests written and
responses parsed by hand (http.client's header parsing would cost the generator several times
more).  It runs on the same 2 cores as the server, so its own CPU per request is measured and
printed with the limit that implies (one core: it holds the GIL).

Rate limiting is switched off for the server under test (``FLASK_RATELIMIT_ENABLED=false``):
every connection comes from 127.0.0.1 and the kiosk route allows 30 POSTs a minute per address.

    python -m benchmarks.submit [--connections 8] [--duration 10] [--tiny]
        [--worker-class gthread|sync|both] [--engines sqlite,postgresql]
    python -m benchmarks.submit --profile 200     # where the server's time goes

Targets (SQLite): submissions/s >= 0.25 x baseline req/s, p99 < 50 ms, no errors.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from support.live_server import LiveServer  # the suite's gunicorn runner (tests/ is on the path)

from benchmarks import ROOT, scratch_db
from benchmarks.http_load import Result, blocked_database, pct, run_phase

# --- the database -----------------------------------------------------------------------------

def prepare(scale: float) -> None:
    """Subprocess: migrate the database named by DATABASE_URL, load demo data, print tokens."""
    import logging

    from sqlalchemy import select

    from benchmarks.dataset import deploy
    from webapp import create_app
    from webapp.demo import data as demo
    from webapp.platform.extensions import db
    from webapp.programme.offices import Kiosk

    logging.disable(logging.INFO)  # Alembic's progress lines
    app = create_app()
    with app.app_context():
        deploy()
        result = demo.load(scale=scale)
        tokens = list(db.session.scalars(select(Kiosk.token).order_by(Kiosk.id)))
        db.engine.dispose()
    print(json.dumps({"tokens": tokens, "demo_submissions": result["submissions"]}))


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
            "errors": errors, "stored_ok": stored == successes,
            # an answer the app got wrong (a status), not a socket the busy machine timed out
            "wrong_answers": sum(count for r in (baseline, submit, kiosk)
                                 for kind, count in r.errors.items() if " " in kind)}


def verdict(figures: dict) -> bool:
    """Print the targets; whether the run was correct (every success stored once, no status
    other than the expected one).
    The speed figures are for reading, never a pass or a fail."""
    checks = [("ratio >= 0.25", figures["ratio"] >= 0.25, f"{figures['ratio']:.3f}"),
              ("p99 POST < 50 ms", figures["post_p99"] < 50, f"{figures['post_p99']:.1f} ms"),
              ("p99 GET form (kiosk cycle) < 50 ms", figures["get_p99"] < 50,
               f"{figures['get_p99']:.1f} ms"),
              ("zero errors", figures["errors"] == 0, str(figures["errors"])),
              ("one row per success", figures["stored_ok"], "")]
    print("  targets: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'} {value}".rstrip()
                                    for name, ok, value in checks))
    return figures["stored_ok"] and figures["wrong_answers"] == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--scale", type=float, default=0.1, help="demo data scale")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync", "both"])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--tiny", action="store_true",
                        help="a toy run (2 connections, 1 s phases): does it still run?")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="instead: profile N form pages and N submissions in-process")
    args = parser.parse_args()
    if args.tiny:
        args.connections, args.duration, args.warmup, args.scale = 2, 1.0, 0.5, 0.02
    if args.profile:
        return subprocess.run(
            [sys.executable, "-c", f"from benchmarks.submit_profile import profile_requests; "
             f"profile_requests({min(args.profile, 2000)})"], cwd=ROOT, check=False,
            env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=600,
        ).returncode
    if not 0 < args.duration <= 120 or not 0 < args.connections <= 64:
        parser.error("duration must be in (0, 120] s and connections in 1..64")
    classes = ["gthread", "sync"] if args.worker_class == "both" else [args.worker_class]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    print(f"cores: {os.cpu_count()}; load generator: {args.connections} threads in one Python "
          f"process on the same machine")
    correct = True
    for worker_class in classes:
        for engine in engines:
            with tempfile.TemporaryDirectory(prefix="bench-submit-") as tmp:
                if engine == "sqlite":
                    figures = bench_engine("sqlite", f"sqlite:///{tmp}/bench.db", args,
                                           worker_class, Path(tmp))
                    correct = verdict(figures) and correct
                elif engine == "postgresql":
                    if not scratch_db.postgres_answers():
                        print("\n== postgresql SKIPPED: nothing answers on 127.0.0.1:5432")
                        continue
                    url = scratch_db.create("bench_submit")
                    try:
                        correct = verdict(bench_engine("postgresql", url, args, worker_class,
                                                       Path(tmp))) and correct
                    finally:
                        scratch_db.drop(url)
                else:
                    parser.error(f"unknown engine {engine}")
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
