"""What the analysis results share: per-row intervals of a count table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from casestats.results import ConfidenceInterval
from casestats.stats.intervals import proportion_interval


def interval_limits(counts: pd.DataFrame, method: str, confidence_level: float):
    """Estimate and limits of each row of a count table (NaN where total is 0)."""
    total = counts["total"].to_numpy()
    has = total > 0
    estimate = np.full(len(counts), np.nan)
    low, high = estimate.copy(), estimate.copy()
    if has.any():
        events = counts["events"].to_numpy()[has]
        estimate[has] = events / total[has]
        low[has], high[has] = proportion_interval(
            events, total[has], method=method, confidence_level=confidence_level
        )
    return estimate, low, high


def with_intervals(counts: pd.DataFrame, method: str, confidence_level: float) -> pd.DataFrame:
    """The count table with estimate, interval, level and method columns."""
    estimate, low, high = interval_limits(counts, method, confidence_level)
    return counts.assign(
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        confidence_level=confidence_level,
        method=method,
    )


def table_interval(
    table: pd.DataFrame, method: str, stored: float, confidence_level: float | None, grouped: bool
) -> ConfidenceInterval:
    """Per-row limits as Series indexed by level (and group when `grouped`), in table order."""
    if confidence_level is None or confidence_level == stored:
        low, high = table["ci_low"].to_numpy(), table["ci_high"].to_numpy()
    else:
        _, low, high = interval_limits(table, method, confidence_level)
    if grouped:
        index = pd.MultiIndex.from_frame(table[["group", "level"]])
    else:
        index = pd.Index(table["level"], name="level")
    return ConfidenceInterval(pd.Series(low, index=index), pd.Series(high, index=index))


def caveat_lines(caveat: str) -> list[str]:
    return [f"  caveat: {caveat}"] if caveat else []
