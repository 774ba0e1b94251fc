"""What the analysis scripts share: where outputs go and how tables are written.

Tables are written as CSV (numbers to 10 significant digits, so reruns and
platforms give identical files) and as Markdown for reading.
"""

from __future__ import annotations

import time
import warnings
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

import casestats
from casestats.reporting import markdown_table

CASES = "calcinosis_case_reports"
COHORTS = "ssc_calcinosis_cohorts"
COUNTS = "calcinosis_site_subtype_counts"

#: Seconds spent per kind of work, for run_all's timing split.
SECONDS: defaultdict[str, float] = defaultdict(float)


@contextmanager
def timed(kind: str):
    """Add the time spent in the block to ``SECONDS[kind]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        SECONDS[kind] += time.perf_counter() - start


def write_table(frame: pd.DataFrame, out: Path, name: str) -> Path:
    """Write `frame` to ``out/tables/<name>.csv`` and ``.md``; return the CSV path."""
    with timed("writing"):
        folder = out / "tables"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
        (folder / f"{name}.md").write_text(markdown_table(frame) + "\n", encoding="utf-8")
    return path


def script_main(run, doc: str) -> None:
    """Command line of one analysis script: ``python <script>.py [--out DIR]``."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    run(parser.parse_args().out)


def save_plot(ax, out: Path, name: str) -> list[Path]:
    """Save the figure of `ax` as PNG and SVG under ``out/figures`` and close it."""
    import matplotlib.pyplot as plt

    from casestats.plotting import save_figure

    with timed("figures"):
        paths = save_figure(ax.figure, out / "figures" / name)
        plt.close(ax.figure)
    return paths


def quietly(function, *args, **kwargs):
    """Run an analysis, collecting casestats warnings instead of printing them twice."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", casestats.CasestatsWarning)
        result = function(*args, **kwargs)
    return result, [str(w.message) for w in caught]
