"""The full report: every analysis, its tables and figures, in one HTML file.

:func:`report` runs the analyses on a case series (and, when given, the
published cohorts), writes each table as CSV and each figure as PNG and SVG,
and assembles them into ``report.html`` (self-contained: styles and figures
inline, no scripts, nothing fetched from the network) and ``report.md`` (the
same text, figures linked from ``figures/``).

The package keeps the sections (:mod:`~casestats.reporting.sections`, what
runs and what is said about it) apart from the rendering
(:mod:`~casestats.reporting.render`), and holds Table 1
(:mod:`~casestats.reporting.table_one`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from casestats.reporting._blocks import _Context
from casestats.reporting._cache import ResultCache
from casestats.reporting.render import _render_html, _render_markdown, markdown_table
from casestats.reporting.sections import SECTIONS
from casestats.reporting.table_one import TableOne, table_one
from casestats.schema import load_schema

if TYPE_CHECKING:
    import pandas as pd

    from casestats.caseseries import CaseSeries

__all__ = ["ResultCache", "TableOne", "markdown_table", "report", "table_one"]


# -- entry point --------------------------------------------------------------


def report(
    cases: CaseSeries,
    *,
    cohorts: pd.DataFrame | None = None,
    out="report",
    site_rank: str = "region",
    confidence_level: float = 0.95,
    progress: Callable[[int, int, str], None] | None = None,
    cache: ResultCache | None = None,
) -> Path:
    """Run every analysis and write the report, its tables and its figures.

    Parameters
    ----------
    cases : CaseSeries
        The case series (for example ``load_dataset("calcinosis_case_reports")``).
    cohorts : pandas.DataFrame, optional
        Published cohort rows (``load_dataset("ssc_calcinosis_cohorts")``): adds
        the pooled limited vs diffuse SSc comparison and its forest plot.
    out : str or pathlib.Path
        Output folder (created): ``report.html``, ``report.md``, ``tables/*.csv``
        and ``figures/*.png|svg``.
    site_rank : {"site", "region", "limb"}
        Anatomical rank of the lesion-site tables and figures.
    confidence_level : float
        Level of every interval in the report; the text says which.
    progress : callable, optional
        Called as ``progress(step, n_steps, label)`` after each section is
        built, so the last call has ``step == n_steps`` (the command line
        prints it).
    cache : ResultCache, optional
        Analyses and figures this run has made already (the main job passes
        the one its scripts filled): those the report needs again are reused,
        not computed and drawn twice.

    Returns
    -------
    pathlib.Path
        The path of ``report.html``.

    Notes
    -----
    Rerunning on the same input writes identical files: the tests that
    resample use a fixed seed, SVG figures a fixed hash salt and no date,
    and nothing records the time of the run. The HTML needs no network and
    no JavaScript: figures are embedded as SVG data.

    Examples
    --------
    >>> import tempfile, casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = report(cases, out=folder)
    ...     sorted(p.name for p in path.parent.glob("report.*"))
    ['report.html', 'report.md']
    """
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # a spreadsheet may leave out optional columns: they report nothing for anybody
    absent = [name for name in load_schema().fields if name not in cases.data.columns]
    if absent:
        cases = _with_empty_columns(cases, absent)
    ctx = _Context(
        cases=cases,
        cohorts=cohorts,
        out=out,
        site_rank=site_rank,
        confidence_level=_level(confidence_level),
        cache=ResultCache() if cache is None else cache,
    )
    sections = []
    n_steps = len(SECTIONS)
    open_before = set(plt.get_fignums())
    try:
        for step, (label, build) in enumerate(SECTIONS, start=1):
            sections.append(build(ctx))
            if progress is not None:
                progress(step, n_steps, label)
    finally:
        for number in set(plt.get_fignums()) - open_before:
            plt.close(number)
    ctx.cache.wait()  # figures drawn in other processes are written before the page inlines them
    title = cases.metadata.get("title") or "Calcinosis cutis case series"
    title = f"casestats report: {title}"
    (out / "report.md").write_text(_render_markdown(title, sections), encoding="utf-8")
    path = out / "report.html"
    path.write_text(_render_html(title, sections, out), encoding="utf-8")
    return path


def _level(confidence_level) -> float:
    if not isinstance(confidence_level, int | float) or not 0 < confidence_level < 1:
        raise ValueError(
            f"confidence_level must be a number between 0 and 1, got {confidence_level!r}"
        )
    return float(confidence_level)


def _with_empty_columns(cases: CaseSeries, fields: list[str]) -> CaseSeries:
    from casestats.caseseries import CaseSeries

    data = cases.data.assign(**{field: "" for field in fields})
    return CaseSeries(data, sources=cases.sources, report=cases.report, metadata=cases.metadata)
