"""The shared tidy layout of 2x2 comparisons, and the one way heterogeneity is shown.

:class:`~casestats.ComparisonResult`, :class:`~casestats.MantelHaenszelResult`
and :class:`~casestats.MetaOddsRatioResult` all compare arm a with arm b, named
by the caller's ``groups=(name_a, name_b)``. Their ``to_frame()`` share these
columns after :data:`~casestats.results.TIDY_COLUMNS`:

``measure``
    What ``estimate`` is (``"odds_ratio"``, ``"risk_ratio"``, ``"proportion"`` ...).
``group_a``, ``group_b``
    The names of the two arms; ``events``/``total`` count arm a,
    ``events_b``/``total_b`` arm b.
``events_b``, ``total_b``, ``df``
    Nullable integers.

and ``group`` says what a row is: ``"arm"`` (one arm's proportion, ``level`` is
the arm's name), ``"table"`` (the one table of a comparison), ``"stratum"`` or
``"study"`` (``level`` is the label given in ``labels=``), ``"pooled"``,
``"heterogeneity"`` or ``"test"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from casestats.stats._checks import zero_cell_corrected

#: Columns every 2x2 result puts right after the tidy ones, in this order.
LAYOUT_EXTRA: tuple[str, ...] = ("measure", "group_a", "group_b", "events_b", "total_b", "df")
#: Arm names used when the caller gives none.
DEFAULT_GROUPS: tuple[str, str] = ("group a", "group b")


def format_p(p: float) -> str:
    """``p = 0.042``, ``p < 0.001`` or ``p = NA``."""
    if not np.isfinite(p):
        return "p = NA"
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


@dataclass(frozen=True)
class Heterogeneity:
    """Between-table heterogeneity of a pooled estimate.

    Attributes
    ----------
    test : str
        The statistic: ``"Cochran's Q"`` or ``"Breslow-Day (Tarone)"``.
    q : float
        Its value, chi-square with `df` degrees of freedom under homogeneity.
    df : int
        Degrees of freedom (informative tables - 1).
    pvalue : float
        P-value of the test (NaN with one table).
    i2 : float
        I² in percent (NaN where the method has none).
    tau2 : float
        Between-table variance on the log scale (0 for fixed-effect methods,
        NaN where the method has none).
    """

    test: str
    q: float
    df: int
    pvalue: float
    i2: float
    tau2: float

    def text(self) -> str:
        """One line, e.g. ``I² = 41%, τ² = 0.12, Q = 6.8 (df = 4), p = 0.15``."""
        parts = []
        if math.isfinite(self.i2):
            parts.append(f"I² = {self.i2:.0f}%")
        if math.isfinite(self.tau2):
            parts.append(f"τ² = {self.tau2:.2g}")
        name = "Q" if self.test == "Cochran's Q" else self.test
        parts.append(f"{name} = {self.q:.1f} (df = {self.df})")
        parts.append(format_p(self.pvalue))
        return ", ".join(parts)

    def row(self) -> dict:
        """The tidy row of the test (``group="heterogeneity"``)."""
        return {
            "group": "heterogeneity",
            "level": self.test,
            "statistic": self.q,
            "pvalue": self.pvalue,
            "method": "cochran-q" if self.test == "Cochran's Q" else "breslow-day-tarone",
            "df": self.df,
        }


def sample_odds_ratios(a, b, c, d, z):
    """Sample odds ratios with Wald intervals; 0.5 added to all cells only where a cell is zero.

    Tables with a whole empty row or column have no odds ratio (NaN).
    Returns estimate, low, high and the mask of corrected tables.
    """
    a_, b_, c_, d_, zero = zero_cell_corrected(a, b, c, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_or = np.log(a_ * d_ / (b_ * c_))
        se = np.sqrt(1 / a_ + 1 / b_ + 1 / c_ + 1 / d_)
    a, b, c, d = (np.asarray(v, dtype=float) for v in (a, b, c, d))
    empty_margin = (a + b == 0) | (c + d == 0) | (a + c == 0) | (b + d == 0)
    log_or = np.where(empty_margin, np.nan, log_or)
    return np.exp(log_or), np.exp(log_or - z * se), np.exp(log_or + z * se), zero


def table_row(kind: str, label: str, groups, counts, **values) -> dict:
    """A row of the shared layout for one 2x2 table (or the pooled tables)."""
    ea, na, eb, nb = (int(v) for v in counts)
    return {
        "group": kind,
        "level": label,
        "events": ea,
        "total": na,
        "group_a": groups[0],
        "group_b": groups[1],
        "events_b": eb,
        "total_b": nb,
        **values,
    }


def nullable_integers(frame, names=("events_b", "total_b", "df")):
    """Cast the layout's count columns to pandas' nullable Int64 in place; returns the frame."""
    for name in names:
        frame[name] = frame[name].astype("Int64")
    return frame


def forest_frame(frame):
    """The layout's rows renamed for ``forest_plot``: strata drawn as studies, one pooled row."""
    rows = frame[frame["group"].isin(["stratum", "study", "pooled"])].copy()
    rows["group"] = rows["group"].replace({"stratum": "study"})
    return rows
