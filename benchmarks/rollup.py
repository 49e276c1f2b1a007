"""Benchmark: report statistics on a closed period from its count tables, against the scan.

Builds a database with 5,000,000 survey answers over two ended half-years (SQLite in a scratch
file; then PostgreSQL in a scratch database when 127.0.0.1:5432 answers), then, each in a
fresh process:

- scan:    ``reports.build`` for the later half-year compared with the earlier, ROLLUPS off;
- build:   the one-time rollup of both half-years (what the first report on them pays);
- rollup:  the same report statistics read from the count tables (best of three);

and checks that the two reports are identical.  The count tables hold offices x items x
values x channels rows, so the rollup's time does not grow with the answers.

    python benchmarks/rollup.py [--answers 5000000] [--offices 100] [--engines sqlite,postgresql]

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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import scratch_db  # noqa: E402  (benchmarks/ is the script's own folder)


def child(mode: str, url: str, extra: dict | None = None) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--url", url,
               "--extra", json.dumps(extra or {})]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if done.returncode:
        raise SystemExit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(mode: str, url: str, extra: dict) -> dict:
    from benchmarks.analysis import HALVES, build_database, make_app

    if mode == "fill":
        return build_database(url, extra["answers"], extra["offices"])
    app = make_app(url, ROLLUPS=mode != "scan")
    with app.app_context():
        from webapp.reporting.reports import build as reporting

        def report() -> dict:
            made = reporting.build(HALVES[1], "satisfaction", compare_to=HALVES[0])
            made.pop("generated_at")
            return made

        if mode == "build":
            start = time.perf_counter()
            report()  # builds the rollup of both half-years on first use
            return {"seconds": time.perf_counter() - start}
        times, made = [], None
        for _ in range(1 if mode == "scan" else 3):
            start = time.perf_counter()
            made = report()
            times.append(time.perf_counter() - start)
        digest = json.dumps(made, sort_keys=True, ensure_ascii=False)
        return {"seconds": min(times), "length": len(digest),
                "digest": hashlib.sha256(digest.encode()).hexdigest()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=5_000_000)
    parser.add_argument("--offices", type=int, default=100)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--extra", default="{}")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.child, args.url, json.loads(args.extra))))
        return
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
        print(f"  target statistics <= 0.2 s            "
              f"{'met' if rolled['seconds'] <= 0.2 and same else 'NOT MET'}")


if __name__ == "__main__":
    main()
