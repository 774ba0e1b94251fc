"""The main job: the full reproducible analysis of the bundled data, in one folder.

Run it with ``make run`` (which sets up the environment first) or
``python analyses/run_all.py --out output``. It validates the bundled case
dataset, runs every analysis script in this folder, and writes their tables
(CSV and Markdown) and figures (PNG and SVG) into the output folder, then
the self-contained HTML report (``report/report.html``) with its Markdown
twin, and prints where they are and how the time was spent.

Figures are drawn by forked copies of the process, one per core at a time
(``--processes``; 0 draws them here, one after another): the files are the
same byte for byte either way. In the time split, "figures" is the time this
process waited for a free drawing process, not the drawing itself.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

START = time.perf_counter()

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # files only: no window, and the same pixels on every machine

import _common  # noqa: E402
import reproduce_published  # noqa: E402
import site_distribution  # noqa: E402
import ssc_limited_vs_diffuse  # noqa: E402
import subtype_frequency  # noqa: E402

import casestats  # noqa: E402

SCRIPTS = (subtype_frequency, site_distribution, ssc_limited_vs_diffuse, reproduce_published)


def validate_bundled(out: Path) -> None:
    cases = _common.dataset(_common.CASES)
    print(cases)
    print(
        f"validation: {cases.report.count('error')} errors, {cases.report.count('warning')} "
        f"warnings, {cases.report.count('info')} notes"
    )
    _common.write_table(cases.report.problems, out, "validation_report")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    parser.add_argument(
        "--processes",
        type=int,
        default=_common.CACHE.processes,
        help="figures drawn at once in other processes (default: one per core; 0: none)",
    )
    args = parser.parse_args(argv)
    _common.CACHE.processes = args.processes
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    _common.SECONDS["imports"] = time.perf_counter() - START

    began = time.perf_counter()
    validate_bundled(out)
    for script in SCRIPTS:
        title = script.__doc__.splitlines()[0]
        print(f"\n{'=' * 78}\n{title}\n{'=' * 78}")
        script.run(out)
    print(f"\n{'=' * 78}\nThe report\n{'=' * 78}")
    with _common.timed("report"):
        # the scripts' results and figures are in the cache: the report reuses them
        path = casestats.report(
            _common.dataset(_common.CASES),
            cohorts=_common.dataset(_common.COHORTS),
            out=out / "report",
            cache=_common.CACHE,
        )
    total = time.perf_counter() - began
    seconds = _common.SECONDS
    seconds["analysis"] = total - seconds["figures"] - seconds["writing"] - seconds["report"]

    print(f"\nTables: {(out / 'tables').resolve()}")
    print(f"Figures: {(out / 'figures').resolve()}")
    print(f"Report: {path.resolve()}")
    kinds = ("imports", "analysis", "figures", "writing", "report")
    split = ", ".join(f"{kind} {seconds[kind]:.2f} s" for kind in kinds)
    print(f"Time: {split}; total {time.perf_counter() - START:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
