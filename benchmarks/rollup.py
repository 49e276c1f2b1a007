"""Benchmark: report statistics on a closed period from its count tables, against the scan.

Builds a database with 5,000,000 survey answers over two ended half-years (SQLite in a scratch
file; then PostgreSQL in a scratch database when 127.0.0.1:5432 answers), then, each in a
fresh process:

- scan:    ``reports.build`` for the later half-year compared with the earlier, ROLLUPS off;
- build:   the count tables of both half-years, once (`flask rollups build`, run daily);
- rollup:  the same report statistics read from the count tables (best of three);

and checks that the two reports are identical.  The count tables hold offices x items x
values x channels rows, so the rollup's time does not grow with the answers.

    python -m benchmarks.rollup [--answers 5000000] [--offices 100] [--engines sqlite,postgresql]
        [--tiny]

Target (issue 11): rollup statistics <= 0.2 s on SQLite and on PostgreSQL, same numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import ROOT, scratch_db


def child(mode: str, url: str, extra: dict | None = None) -> dict:
    command = [sys.executable, "-m", "benchmarks.rollup", "--child", mode, "--url", url,
               "--extra", json.dumps(extra or {})]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if done.returncode:
        raise SystemExit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(mode: str, url: str, extra: dict) -> dict:
    from benchmarks.dataset import HALVES, build_database, build_rollups, make_app

    if mode == "fill":
        return build_database(url, extra["answers"], extra["offices"])
    if mode == "build":
        return build_rollups(url)
    app = make_app(url, ROLLUPS=mode != "scan")
    with app.app_context():
        from webapp.reporting.reports import build as reporting

        def report() -> dict:
            made = reporting.build(HALVES[1], "satisfaction", compare_to=HALVES[0])
            made.pop("generated_at")
            return made

        times, made = [], None
        for _ in range(1 if mode == "scan" else 3):
            start = time.perf_counter()
            made = report()
            times.append(time.perf_counter() - start)
        digest = json.dumps(made, sort_keys=True, ensure_ascii=False)
        return {"seconds": min(times), "length": len(digest),
                "digest": hashlib.sha256(digest.encode()).hexdigest()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=5_000_000)
    parser.add_argument("--offices", type=int, default=100)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--tiny", action="store_true",
                        help="a toy scale (20,000 answers, 8 offices): does it still run?")
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--extra", default="{}")
    args = parser.parse_args()
    if args.tiny:
        args.answers, args.offices = 20_000, 8
    if args.child:
        print(json.dumps(run(args.child, args.url, json.loads(args.extra))))
        return 0
    same_everywhere = True
    for engine in args.engines.split(","):
        if engine == "postgresql" and not scratch_db.postgres_answers():
            print("== postgresql SKIPPED: nothing answers on 127.0.0.1:5432")
            continue
        with tempfile.TemporaryDirectory(prefix="bench-rollup-") as tmp:
            url = str(Path(tmp) / "rollup.db") if engine == "sqlite" else scratch_db.create("bench_rollup")
            try:
                filled = child("fill", url, {"answers": args.answers, "offices": args.offices})
                scan = child("scan", url)
                built = child("build", url)
                rolled = child("rollup", url)
            finally:
                if engine == "postgresql":
                    scratch_db.drop(url)
        same = scan["length"] == rolled["length"] and scan["digest"] == rolled["digest"]
        print(f"== {engine}: {filled['answers']:,} answers, {filled['offices']} offices, two "
              f"ended half-years (filled in {filled['seconds']:.0f} s)")
        print(f"  statistics by scanning the answers   {scan['seconds']:8.3f} s")
        print(f"  building the count tables (once)      {built['seconds']:8.3f} s")
        print(f"  statistics from the count tables      {rolled['seconds']:8.3f} s   "
              f"({scan['seconds'] / rolled['seconds']:.0f}x faster)")
        print(f"  the same report both ways             {same}")
        same_everywhere = same_everywhere and same
        print(f"  target statistics <= 0.2 s            "
              f"{'met' if rolled['seconds'] <= 0.2 and same else 'NOT MET'}")


    return 0 if same_everywhere else 1   # the time is a figure; the same report is correctness


if __name__ == "__main__":
    sys.exit(main())
