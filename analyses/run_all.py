"""The main job: the full analysis of the bundled data, written to one folder.

Run it with ``make run`` (which sets up the environment first) or
``python analyses/run_all.py --out output``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import casestats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    cases = casestats.load_dataset("calcinosis_case_reports")
    print(cases)
    print(cases.report)
    cases.report.problems.to_csv(args.out / "validation_report.csv", index=False)
    typed = cases.to_frame()
    summary = typed.describe(include="all").T
    summary.to_csv(args.out / "cases_summary.csv")
    print(f"\nwrote {args.out.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
