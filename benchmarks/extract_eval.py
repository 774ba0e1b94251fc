"""Score casestats.extract on a folder of case-report texts against hand-written records.

Usage::

    python benchmarks/extract_eval.py TEXT_DIR EXPECTED.csv [--disagreements]

``EXPECTED.csv`` has a ``text`` column (the file name without ``.txt``), a
``case`` column (1 for the first patient the text describes, 2 for the
next...) and any of the extracted schema fields. Only the fields present are
scored. List fields (conditions, sites, treatments, autoantibodies) are
scored per item; the others per cell. For each field:

* precision: correct filled values / filled values the extractor gave;
* recall: correct values / values the curator filled;
* agreement: cells (both empty counts) identical to the curator's.

Every disagreement is listed with the extractor's evidence.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

from casestats.extraction import extract
from casestats.extraction._result import FIELDS

LISTS = {"conditions", "sites", "treatments", "autoantibodies"}
_MISSING = {"", "nr", "na", "n/a", "not reported", "unknown"}


def _items(field: str, cell: str) -> set[str]:
    cell = (cell or "").strip()
    if cell.casefold() in _MISSING:
        return set()
    if field in LISTS:
        return {part.strip() for part in cell.split(";") if part.strip()}
    try:
        return {f"{float(cell):g}"}
    except ValueError:
        return {cell}


def score(text_dir: Path, expected_csv: Path):
    """(per-field counts, disagreements) over every text named in `expected_csv`."""
    with open(expected_csv, newline="", encoding="utf-8") as f:
        expected = list(csv.DictReader(f))
    fields = [name for name in FIELDS if name in expected[0]]
    by_text = defaultdict(list)
    for row in expected:
        by_text[row["text"]].append(row)
    counts = {name: {"tp": 0, "fp": 0, "fn": 0, "agree": 0, "cells": 0} for name in fields}
    disagreements = []
    for name, rows in sorted(by_text.items()):
        source = (text_dir / f"{name}.txt").read_text(encoding="utf-8")
        result = extract(source, source_id=name)
        drafts = {i + 1: d for i, d in enumerate(result.drafts)}
        if len(drafts) != len(rows):
            disagreements.append((name, "-", "patients", str(len(rows)), str(len(drafts)), ""))
        for row in rows:
            draft = drafts.get(int(row["case"]))
            got_row = draft.record() if draft else {}
            for field in fields:
                want, got = _items(field, row[field]), _items(field, got_row.get(field, ""))
                c = counts[field]
                c["tp"] += len(want & got)
                c["fp"] += len(got - want)
                c["fn"] += len(want - got)
                c["cells"] += 1
                c["agree"] += want == got
                if want != got:
                    quotes = (
                        [e.quote[:80] for e in draft.evidence if e.field == field] if draft else []
                    )
                    shown = ("; ".join(sorted(want)), "; ".join(sorted(got)))
                    shown += (" | ".join(quotes[:2]),)
                    disagreements.append((name, row["case"], field, *shown))
    return counts, disagreements


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("text_dir", type=Path)
    parser.add_argument("expected", type=Path)
    args = parser.parse_args(argv)
    counts, disagreements = score(args.text_dir, args.expected)
    print(
        f"{'field':<18}{'precision':>10}{'recall':>8}{'agreement':>10}{'tp':>5}{'fp':>5}{'fn':>5}"
    )
    total = {"tp": 0, "fp": 0, "fn": 0, "agree": 0, "cells": 0}
    for field, c in counts.items():
        for key in total:
            total[key] += c[key]
        print(f"{field:<18}{_ratio(c['tp'], c['tp'] + c['fp']):>10}"
              f"{_ratio(c['tp'], c['tp'] + c['fn']):>8}{_ratio(c['agree'], c['cells']):>10}"
              f"{c['tp']:>5}{c['fp']:>5}{c['fn']:>5}")  # fmt: skip
    t = total
    print(f"{'ALL':<18}{_ratio(t['tp'], t['tp'] + t['fp']):>10}"
          f"{_ratio(t['tp'], t['tp'] + t['fn']):>8}{_ratio(t['agree'], t['cells']):>10}"
          f"{t['tp']:>5}{t['fp']:>5}{t['fn']:>5}")  # fmt: skip
    print(
        f"\n{len(disagreements)} disagreements (text, case, field, expected, extracted, evidence):"
    )
    for item in disagreements:
        print("  " + " | ".join(item))
    return 0


if __name__ == "__main__":
    sys.exit(main())
