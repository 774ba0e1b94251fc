"""Forest plot of per-study estimates and their pooled estimate."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casestats.plotting._common import (
    add_note,
    display,
    floats,
    new_axes,
    percent_axis,
    require,
    style_if_new,
)
from casestats.plotting._style import PALETTE

if TYPE_CHECKING:
    from matplotlib.axes import Axes


_SCALES = ("odds ratio", "proportion")


def _format_heterogeneity(heterogeneity: str | Mapping[str, Any]) -> str:
    if isinstance(heterogeneity, str):
        return heterogeneity
    names = {"i2": "I²", "tau2": "τ²", "q": "Q", "df": "df", "pvalue": "p"}
    parts = []
    for key, value in heterogeneity.items():
        name = names.get(str(key).lower().replace("^", "").replace("_", ""), str(key))
        if isinstance(value, float | np.floating) and math.isfinite(value):
            if name == "I²":
                text = f"{value:.0%}" if value <= 1 else f"{value:.0f}%"
            elif name == "p":
                text = "< 0.001" if value < 0.001 else f"{value:.3f}"
            else:
                text = f"{value:.3g}"
        else:
            text = str(value)
        parts.append(f"{name} {text}" if text.startswith("<") else f"{name} = {text}")
    return "Heterogeneity: " + ", ".join(parts)


def forest_plot(
    frame: pd.DataFrame,
    *,
    scale: str = "odds ratio",
    heterogeneity: str | Mapping[str, Any] | None = None,
    labels: Mapping[Any, str] | None = None,
    value_title: str | None = None,
    note: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Forest plot of per-study estimates and their pooled estimate.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``group == "study"`` (``level`` names the study; ``estimate``,
        ``ci_low``, ``ci_high``; optional ``weight`` in percent sets the square's
        area) and at most one row with ``group == "pooled"`` (drawn as a diamond
        from ``ci_low`` to ``ci_high``; optional ``pi_low``/``pi_high`` draw the
        prediction interval). Other groups are ignored.
    scale : {"odds ratio", "proportion"}
        Log axis with a reference line at 1, or a linear 0-100 % axis.
    heterogeneity : str or mapping, optional
        Text under the plot, or a mapping such as ``{"I2": 0.34, "tau2": 0.12,
        "Q": 6.1, "df": 4, "pvalue": 0.19}`` that is formatted.
    labels : mapping, optional
        Display text for the ``level`` values (study and pooled row names); other
        values are shown with spaces for underscores.
    value_title : str, optional
        Title of the estimate axis; by default "odds ratio (log scale)" or
        "proportion".
    note : str, optional
        A short subtitle, e.g. what the studies compare and the method.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new one-column figure when None.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter` for the study squares
        (e.g. ``color``, ``alpha``, ``marker``).

    Returns
    -------
    matplotlib.axes.Axes
        Artists carry gids: ``"studies"`` (squares), ``"study intervals"``,
        ``"pooled"`` (diamond), ``"prediction interval"``, ``"heterogeneity"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"group": ["study", "study", "pooled"],
    ...                       "level": ["Smith 2001", "Lee 2010", "random effects"],
    ...                       "estimate": [2.0, 3.5, 2.6], "ci_low": [0.8, 1.2, 1.4],
    ...                       "ci_high": [5.0, 10.2, 4.8], "weight": [60.0, 40.0, None]})
    >>> ax = forest_plot(frame, heterogeneity={"I2": 0.0, "tau2": 0.0})
    >>> ax.get_xscale(), [t.get_text() for t in ax.get_yticklabels()]
    ('log', ['Smith 2001', 'Lee 2010', 'random effects'])
    >>> plt.close(ax.figure)
    """
    if scale not in _SCALES:
        raise ValueError(f"unknown scale {scale!r}; use one of {list(_SCALES)}")
    require(frame, ["group", "level", "estimate", "ci_low", "ci_high"], "forest_plot")
    studies = frame[frame["group"] == "study"]
    pooled = frame[frame["group"] == "pooled"]
    if len(pooled) > 1:
        raise ValueError(f"forest_plot draws one pooled row; the frame has {len(pooled)}")
    if studies.empty and pooled.empty:
        raise ValueError('forest_plot needs rows with group "study" or "pooled"')
    plot = _Forest(frame, studies, pooled, log=scale == "odds ratio")

    with style_if_new(ax):
        if ax is None:
            n_rows = len(studies) + (2 if not pooled.empty else 0)
            # One and a half columns: the estimate and weight columns need 1.6 in.
            ax = new_axes((4.5, 1.1 + 0.2 * n_rows))
            ax.figure.subplots_adjust(left=0.28, right=0.62)
        plot.ax = ax
        ticks = plot.draw_studies(kwargs)
        names = list(studies["level"])
        if not pooled.empty:
            ticks.append(plot.draw_pooled())
            names.append(pooled["level"].iloc[0])
        plot.finish_axes(ticks, [display(v, labels) for v in names], value_title)
        if heterogeneity is not None:
            # Below the x-axis label, whatever the axes' height.
            het = ax.annotate(
                _format_heterogeneity(heterogeneity), xy=(0.0, 0.0), xycoords="axes fraction",
                xytext=(0, -34), textcoords="offset points", ha="left", va="top", fontsize=7,
            )  # fmt: skip
            het.set_gid("heterogeneity")
        add_note(ax, note)
    return ax


class _Forest:
    """The geometry and text columns of one forest plot, drawn step by step."""

    header_y = 0.9

    def __init__(self, frame, studies, pooled, *, log: bool) -> None:
        self.studies, self.pooled, self.log = studies, pooled, log
        self.est, self.low, self.high = (floats(studies[c]) for c in ("estimate", "ci_low",
                                                                       "ci_high"))  # fmt: skip
        self.weight = (
            floats(studies["weight"]) if "weight" in studies.columns
            else np.full(len(self.est), np.nan)
        )  # fmt: skip
        self.ys = -np.arange(len(studies), dtype=float)
        self.pooled_y = -(len(studies) + 0.5)
        values = np.concatenate([self.est, self.low, self.high])
        for column in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
            if not pooled.empty and column in pooled.columns:
                values = np.append(values, floats(pooled[column]))
        finite = values[np.isfinite(values) & ((values > 0) if log else True)]
        if log:
            lo, hi = (finite.min(), finite.max()) if finite.size else (0.5, 2.0)
            self.lo, self.hi = min(lo, 1.0) / 1.25, max(hi, 1.0) * 1.25
        else:
            self.lo, self.hi = 0.0, 1.0
        self.confidence = "CI"
        if "confidence_level" in frame.columns:
            levels = floats(frame["confidence_level"])
            levels = levels[np.isfinite(levels)]
            if levels.size and np.all(levels == levels[0]):
                self.confidence = f"{levels[0]:.0%} CI"

    def clip(self, values) -> np.ndarray:
        # Open-ended bounds (0 or inf on the log scale) run to the axis edge.
        return np.clip(values, self.lo, self.hi)

    def interval_text(self, e: float, a: float, b: float) -> str:
        if not np.isfinite(e):
            return "not estimable"
        if self.log:
            return f"{e:.2f} [{a:.2f}, {b:.2f}]".replace("inf", "∞")
        return f"{100 * e:.1f} [{100 * a:.1f}, {100 * b:.1f}]"

    def column_text(self, text: str, y: float, offset: float, **kwargs: Any) -> None:
        from matplotlib.transforms import blended_transform_factory

        # Columns sit a fixed distance (points) right of the axes, whatever its width.
        at = blended_transform_factory(self.ax.transAxes, self.ax.transData)
        self.ax.annotate(text, (1.0, y), xycoords=at, xytext=(offset, 0),
                         textcoords="offset points", va="center", fontsize=7, **kwargs)  # fmt: skip

    def draw_studies(self, kwargs: dict[str, Any]) -> list[float]:
        est, low, high, weight, ys = self.est, self.low, self.high, self.weight, self.ys
        ok = np.isfinite(est)
        area = np.where(np.isfinite(weight), weight, 100.0 / max(len(est), 1))
        sizes = 6.0 + 60.0 * area / max(np.nanmax(area), 1e-12) if len(area) else area
        marks = {"s": sizes[ok], "marker": "s", "color": PALETTE[0], "zorder": 3, **kwargs}
        self.ax.scatter(est[ok], ys[ok], **marks).set_gid("studies")
        has_ci = ~np.isnan(low) & ~np.isnan(high)
        lines = self.ax.hlines(ys[has_ci], self.clip(low[has_ci]), self.clip(high[has_ci]),
                               color="#333333", linewidth=0.8, zorder=2)  # fmt: skip
        lines.set_gid("study intervals")
        for y, e, a, b, w in zip(ys, est, low, high, weight, strict=True):
            self.column_text(self.interval_text(e, a, b), y, 6)
            if np.isfinite(w):
                self.column_text(f"{w:.1f}%", y, 112, ha="right")
        measure = "OR" if self.log else "%"
        self.column_text(f"{measure} [{self.confidence}]", self.header_y, 6, fontweight="bold")
        if np.isfinite(weight).any():
            self.column_text("weight", self.header_y, 112, ha="right", fontweight="bold")
        return list(ys)

    def draw_pooled(self) -> float:
        from matplotlib.patches import Polygon

        ax, pooled, y = self.ax, self.pooled, self.pooled_y
        e, a, b = (float(floats(pooled[c])[0]) for c in ("estimate", "ci_low", "ci_high"))
        if all(np.isfinite([e, a, b])):
            a, b, e = (float(self.clip(np.array(v))) for v in (a, b, e))
            diamond = Polygon([(a, y), (e, y + 0.3), (b, y), (e, y - 0.3)], closed=True,
                              facecolor=PALETTE[5], edgecolor=PALETTE[5], zorder=3)  # fmt: skip
            diamond.set_gid("pooled")
            ax.add_patch(diamond)
        if "pi_low" in pooled.columns and "pi_high" in pooled.columns:
            p_low, p_high = float(floats(pooled["pi_low"])[0]), float(floats(pooled["pi_high"])[0])
            if np.isfinite(p_low) and np.isfinite(p_high):
                (pi_line,) = ax.plot(self.clip(np.array([p_low, p_high])), [y] * 2,
                                     color=PALETTE[5], linewidth=0.8, marker="|", markersize=5,
                                     zorder=2)  # fmt: skip
                pi_line.set_gid("prediction interval")
        self.column_text(self.interval_text(e, a, b), y, 6, fontweight="bold")
        ax.axhline(y + 0.6, color="#999999", linewidth=0.5)
        return y

    def finish_axes(self, ticks: list[float], labels: list[str], value_title: str | None) -> None:
        ax = self.ax
        if self.log:
            from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

            ax.set_xscale("log")
            # Plain numbers (0.5, 1, 2, 5) read better than powers of ten on a forest plot.
            ticks_at = [m * 10.0**k for k in range(-4, 5) for m in (1, 2, 5)]
            ax.xaxis.set_major_locator(FixedLocator(ticks_at))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.axvline(1.0, color="#666666", linewidth=0.6, linestyle="--", zorder=1)
        else:
            percent_axis(ax.xaxis)
        default = "odds ratio (log scale)" if self.log else "proportion"
        ax.set_xlabel(default if value_title is None else value_title)
        ax.set_xlim(self.lo, self.hi)
        ax.set_yticks(ticks, labels)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_ylim(min(ticks) - 0.7, self.header_y + 0.5)
