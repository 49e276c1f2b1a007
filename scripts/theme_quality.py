"""Measure the comment-theme coding on the labelled sets in tests/data/themes/.

    .venv/bin/python scripts/theme_quality.py            # precision and recall per label
    .venv/bin/python scripts/theme_quality.py --errors   # and every comment it got wrong

The figures are the README's; tests/analysis/test_theme_quality.py holds floors under them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.themes.catalogue import TONES, load_default  # noqa: E402
from analysis.themes.coding import code  # noqa: E402
from analysis.themes.quality import scores  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "themes"
SETS = ("dev", "holdout", "test")


def labelled(name: str) -> list[dict]:
    with (DATA / f"labelled_{name}.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def measure(name: str) -> tuple[list, list, list[tuple[dict, object]]]:
    catalogue = load_default()
    rows = labelled(name)
    codings = [code(r["text"], catalogue) for r in rows]
    themes = scores([r["themes"] for r in rows], [c.themes for c in codings], catalogue.keys)
    tones = scores([[r["tone"]] for r in rows], [[c.tone] for c in codings], TONES)
    wrong = [(r, c) for r, c in zip(rows, codings, strict=True)
             if set(r["themes"]) != set(c.themes) or r["tone"] != c.tone]
    return themes, tones, wrong


def table(title: str, rows: list) -> str:
    out = [f"| {title} | n | precision | recall | F1 |", "|---|---:|---:|---:|---:|"]
    out += [f"| {s.label} | {s.support} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} |"
            for s in rows]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the comments it got wrong")
    parser.add_argument("--set", choices=SETS, action="append", help="which set (default: both)")
    args = parser.parse_args()
    for name in args.set or SETS:
        themes, tones, wrong = measure(name)
        print(f"## {name}: {len(labelled(name))} comments, {len(wrong)} not read exactly\n")
        print(table("theme", themes), "\n")
        print(table("tone", tones), "\n")
        if args.errors:
            for row, coding in wrong:
                print(f"{row['id']} {row['text']}\n    people: {sorted(row['themes'])} {row['tone']}"
                      f"\n    coding: {sorted(coding.themes)} {coding.tone} "
                      f"{ {k: m.words for k, m in coding.themes.items()} } {coding.words}")


if __name__ == "__main__":
    main()
