"""Helpers shared by the figure modules: input checks, display text, ordering, axes."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casestats.plotting._style import style

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Categories that say the value is missing go last whatever the frame's order
# (issue 18: "not reported" last), compared after turning underscores into spaces.
_LAST = ("not reported", "not classified", "not stated", "unknown")

# Tidy column names say nothing to a reader, so they never become an axis title.
_TIDY_NAMES = ("level", "group")


def require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{what} needs a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs the columns {missing}; the frame has {list(frame.columns)}")


def floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def new_axes(figsize: tuple[float, float]) -> Axes:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def style_if_new(ax: Axes | None):
    """Apply :func:`style` only to figures we create: the caller's axes keep their style."""
    return style() if ax is None else contextlib.nullcontext()


def count_label(events: Any, total: Any) -> str | None:
    if pd.isna(events) or pd.isna(total):
        return None
    return f"{int(events)}/{int(total)}"


def display(value: Any, labels: Mapping[Any, str] | None) -> str:
    """Text for a category: the caller's label, else the value with spaces for underscores."""
    if labels is not None and value in labels:
        return str(labels[value])
    return str(value).replace("_", " ")


def display_labels(values: Iterable[Any], labels: Mapping[Any, str] | None) -> dict[Any, str]:
    """Display text for `values`: the caller's `labels`, else the schema's label of a term.

    Values that are neither get :func:`display`'s underscores-to-spaces.
    """
    from casestats.plotting._terms import term_labels

    merged: dict[Any, str] = term_labels(values)
    merged.update(labels or {})
    return merged


def axis_title(column: str | None, given: str | None) -> str:
    """The caller's title; else the column name made readable, or nothing for a tidy name."""
    if given is not None:
        return given
    if column is None or column in _TIDY_NAMES:
        return ""
    return column.replace("_", " ")


def ordered(values: pd.Series, order: Sequence[Any] | None, what: str) -> list[Any]:
    """Categories to draw: `order` as given (as seaborn does), else the schema's order
    when all are terms of one vocabulary (subtypes, SSc subsets, body sites), else
    first appearance; "not reported"-like values go last."""
    from casestats.plotting._terms import term_order

    present = list(dict.fromkeys(values.dropna().tolist()))
    if order is not None:
        unknown = [v for v in order if v not in present]
        if unknown:
            raise ValueError(f"{what} names values not in the frame: {unknown}; it has {present}")
        return list(order)
    last = [v for v in present if str(v).replace("_", " ").lower() in _LAST]
    rest = [v for v in present if v not in last]
    return (term_order(rest) or rest) + last


def share_limit(tops: np.ndarray, *, headroom: float = 1.08) -> float:
    """Upper end of a share axis: the highest interval plus headroom, rounded up to 5 %."""
    finite = tops[np.isfinite(tops)]
    top = float(finite.max()) if finite.size else 1.0
    return min(1.0, max(0.05, math.ceil(top * headroom / 0.05 - 1e-9) * 0.05))


def percent_axis(axis) -> None:
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    # Whole-percent steps of 1, 2, 5 or 10: a 2.5 % tick would print as "2%".
    axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))


def default_note(frame: pd.DataFrame, group: str | None = None) -> str:
    """A subtitle from the frame: n and the interval method, as far as the frame says.

    "n = 94; Wilson 95% intervals"; with groups of different sizes the n of each goes
    to the legend instead (see :func:`group_sizes`).
    """
    parts = []
    sizes = group_sizes(frame, group)
    if len(set(sizes.values())) == 1:
        parts.append(f"n = {next(iter(sizes.values()))}" + (" per group" if len(sizes) > 1 else ""))
    methods = frame["method"].dropna().unique() if "method" in frame.columns else []
    levels = floats(frame["confidence_level"]) if "confidence_level" in frame.columns else []
    levels = np.unique(levels[np.isfinite(levels)]) if len(levels) else []
    if len(methods) == 1 and len(levels) == 1:
        method = str(methods[0]).replace("_", "-").title()
        parts.append(f"{method} {levels[0]:.0%} intervals")
    return "; ".join(parts)


def group_sizes(frame: pd.DataFrame, group: str | None) -> dict[Any, int]:
    """The one ``total`` of each group (of the whole frame when `group` is None)."""
    if "total" not in frame.columns:
        return {}
    keys = pd.Series("", index=frame.index, dtype=object)
    if group is not None:
        keys = frame[group].astype(object).where(frame[group].notna(), "")
    sizes = {}
    for key, totals in frame["total"].groupby(keys, sort=False):
        values = pd.to_numeric(totals, errors="coerce").dropna().unique()
        if len(values) != 1:
            return {}
        sizes[key] = int(values[0])
    return sizes


def add_note(ax: Axes, note: str | None) -> None:
    """A short subtitle over the axes: what is counted, n and the interval method."""
    if note:
        ax.set_title(note, loc="left", fontsize=7, color="#333333")
