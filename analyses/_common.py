"""What the analysis scripts share: the inputs, where outputs go and how tables are written.

Tables are written as CSV (numbers to 10 significant digits, so reruns and
platforms give identical files) and as Markdown for reading. Each dataset is
loaded once per process, and every analysis and figure goes through one
:class:`~casestats.reporting.ResultCache`, so the report that ``run_all``
writes last reuses what the scripts computed and drew.
"""

from __future__ import annotations

import functools
import os
import time
import warnings
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

import casestats
from casestats.reporting import ResultCache, markdown_table

CASES = "calcinosis_case_reports"
COHORTS = "ssc_calcinosis_cohorts"
COUNTS = "calcinosis_site_subtype_counts"

#: Seconds spent per kind of work, for run_all's timing split.
SECONDS: defaultdict[str, float] = defaultdict(float)

#: The analyses and figures of this run, shared by the scripts and the report; figures are
#: drawn by forked copies of this process while it goes on (the files are the same).
CACHE = ResultCache(processes=os.cpu_count() or 1)


@functools.cache
def dataset(name: str):
    """A bundled dataset, loaded once per process (the cache knows data by identity)."""
    return casestats.load_dataset(name)


def analyse(function, *args, **kwargs):
    """Run an analysis once per process: a second call with the same inputs reuses it."""
    return CACHE.run(function, *args, **kwargs)


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
    CACHE.wait()


def save_plot(result, out: Path, name: str, **plot_kwargs) -> list[Path]:
    """Save ``result.plot(**plot_kwargs)`` as PNG and SVG under ``out/figures``."""
    with timed("figures"):
        return CACHE.save_figure(result, out / "figures" / name, **plot_kwargs)


def quietly(function, *args, **kwargs):
    """Run an analysis, collecting casestats warnings instead of printing them twice."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", casestats.CasestatsWarning)
        result = analyse(function, *args, **kwargs)
    return result, [str(w.message) for w in caught]
