"""Forest plot of per-study estimates and their pooled estimates, as journals print it."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casestats.plotting._common import (
    add_note,
    count_label,
    display,
    floats,
    percent_axis,
    require,
    style_if_new,
)
from casestats.plotting._style import COLUMN_WIDTH, PALETTE

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# The measure each scale draws: its column header and its axis
# (log with a reference at 1, linear with a reference at 0, or percent fitted to the data).
_SCALES = {
    "odds ratio": ("OR", "log"),
    "risk ratio": ("RR", "log"),
    "hazard ratio": ("HR", "log"),
    "risk difference": ("RD", "difference"),
    "proportion": ("%", "proportion"),
}
_COLUMNS = ("counts", "estimate", "weight")
_FONT = 7.0  # points, every text column
_GAP = 6.0  # points between text columns
_ROW = 0.19  # inches per row
# Footer lines break to fit one journal column (85 mm, less the margins), whatever the width.
_FOOTER_WIDTH = 205.0  # points


def _format_p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.2g}" if p < 0.01 else f"= {p:.3f}"


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


def _width(texts: Sequence[str], bold: bool = False) -> float:
    """Widest of `texts` in points at the column font size (0 for none).

    Advance widths from the font's metrics: as wide as the glyph outlines or a little
    wider, and about 50 times faster to get than building each text's path.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=_FONT, weight="bold" if bold else "normal")
    widths = [text_to_path.get_text_width_height_descent(t, prop, ismath=False)[0]
              for t in texts if t]  # fmt: skip
    return max(widths, default=0.0)


def forest_plot(
    frame: pd.DataFrame,
    *,
    scale: str = "odds ratio",
    heterogeneity: str | Mapping[str, Any] | None = None,
    labels: Mapping[Any, str] | None = None,
    value_title: str | None = None,
    favours: tuple[str, str] | None = None,
    direction: tuple[str, str] | None = None,
    columns: Sequence[str] = _COLUMNS,
    note: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Forest plot of per-study estimates and their pooled estimates.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``group == "study"`` (``level`` names the study; ``estimate``,
        ``ci_low``, ``ci_high``; optional ``weight`` in percent sets the square's
        area) and rows with ``group == "pooled"``, each drawn as a diamond from
        ``ci_low`` to ``ci_high`` (the first filled, the others open); a pooled
        row's ``pi_low``/``pi_high`` draw its prediction interval on a row of
        its own underneath, and its ``statistic``, ``pvalue`` (and ``df``: a t
        test) are printed as the test for the overall effect, or its ``test``
        text when given. Counts columns appear when the frame has them:
        ``events``/``total`` (one arm) or also ``events_b``/``total_b`` (two
        arms, headed with ``group_a`` and ``group_b``). When the study rows
        have a ``subgroup`` column, the studies are drawn in blocks, one per
        subgroup (in order of first appearance) headed by its name, each
        followed by the row with ``group == "subgroup"`` whose ``level`` is
        that subgroup, drawn as a lighter diamond labelled
        "Subtotal (k = .., I² = ..%)" from its ``k`` and ``i2``; rows with
        ``group == "subgroup differences"`` print their ``test`` text (or
        ``statistic``, ``q_df``, ``pvalue``) under the plot. Other groups are
        ignored.
    scale : {"odds ratio", "risk ratio", "hazard ratio", "risk difference", "proportion"}
        The measure: ratios on a log axis with a reference line at 1, the risk
        difference on a linear axis with a reference line at 0, proportions on
        a percent axis fitted to the data in 10 % steps. It also heads the
        estimate column (OR, RR, HR, RD, %).
    heterogeneity : str or mapping, optional
        Text under the plot, or a mapping such as ``{"I2": 0.34, "tau2": 0.12,
        "Q": 6.1, "df": 4, "pvalue": 0.19}`` that is formatted.
    labels : mapping, optional
        Display text for the ``level`` values (study and pooled row names); other
        values are shown with spaces for underscores.
    value_title : str, optional
        Title of the estimate axis; by default the scale ("odds ratio (log scale)").
    favours : (str, str), optional
        What an effect left and right of the reference line favours, printed
        "favours <left>" and "favours <right>" under the axis. For an odds ratio
        of group a vs group b of a harmful outcome, values below 1 favour a:
        ``favours=(a, b)``. Shorthand for ``direction=("favours a", "favours b")``.
    direction : (str, str), optional
        What an effect left and right of the reference line means, printed as
        given with an arrow: ``("more calcinosis in diffuse", "more calcinosis
        in limited")`` for an association, where "favours" would misread.
    columns : sequence of {"counts", "estimate", "weight"}
        The text columns to print, of those the frame has. A one-column
        (85 mm) figure has room for ``("estimate",)`` only; all three need a
        two-column (175 mm) width.
    note : str, optional
        A short subtitle, e.g. what the studies compare and the method.
    ax : matplotlib.axes.Axes, optional
        Where to draw (the text columns hang outside it: leave room); a new
        figure when None, whose margins stay fixed in inches when it is resized,
        e.g. ``ax.figure.set_size_inches(175 / 25.4, h)`` for a two-column width.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter` for the study squares
        (e.g. ``color``, ``alpha``, ``marker``).

    Returns
    -------
    matplotlib.axes.Axes
        Artists carry gids: ``"studies"`` (squares), ``"study intervals"``,
        ``"pooled"`` (diamonds), ``"prediction interval"``, ``"favours"``,
        ``"heterogeneity"``, ``"pooled tests"``, and with subgroups
        ``"subgroup pooled"`` (their diamonds) and ``"subgroup differences"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"group": ["study", "study", "pooled"],
    ...                       "level": ["Smith 2001", "Lee 2010", "random effects"],
    ...                       "estimate": [2.0, 3.5, 2.6], "ci_low": [0.8, 1.2, 1.4],
    ...                       "ci_high": [5.0, 10.2, 4.8], "weight": [60.0, 40.0, None],
    ...                       "statistic": [None, None, 3.05], "pvalue": [None, None, 0.002]})
    >>> ax = forest_plot(frame, heterogeneity={"I2": 0.0, "tau2": 0.0},
    ...                  favours=("treated", "control"))
    >>> ax.get_xscale(), [t.get_text() for t in ax.get_yticklabels()]
    ('log', ['Smith 2001', 'Lee 2010', 'random effects'])
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "pooled tests"]
    ['Test for overall effect: z = 3.05, p = 0.002']
    >>> plt.close(ax.figure)
    """
    if scale not in _SCALES:
        raise ValueError(f"unknown scale {scale!r}; use one of {list(_SCALES)}")
    require(frame, ["group", "level", "estimate", "ci_low", "ci_high"], "forest_plot")
    studies = frame[frame["group"] == "study"]
    pooled = frame[frame["group"] == "pooled"]
    repeated = pooled["level"][pooled["level"].duplicated()].tolist()
    if repeated:
        raise ValueError(f"forest_plot draws each pooled row once; pooled rows repeat {repeated}")
    if studies.empty and pooled.empty:
        raise ValueError('forest_plot needs rows with group "study" or "pooled"')
    for name, texts in (("favours", favours), ("direction", direction)):
        if texts is not None and (len(texts) != 2 or not all(isinstance(t, str) for t in texts)):
            raise ValueError(f"{name} takes two texts (left, right); got {texts!r}")
    if favours is not None and direction is not None:
        raise ValueError("give favours= or direction=, not both (favours is its shorthand)")
    if favours is not None:
        direction = (f"favours {favours[0]}", f"favours {favours[1]}")
    from casestats.stats._checks import check_choice  # lazily: casestats.stats loads scipy

    for column in columns:
        check_choice(column, _COLUMNS, "columns")
    plot = _Forest(frame, studies, pooled, scale, labels, set(columns))
    with style_if_new(ax):
        if ax is None:
            ax = plot.new_axes(heterogeneity, direction is not None, note is not None)
        plot.ax = ax
        plot.draw_studies(kwargs)
        plot.draw_pooled()
        plot.draw_columns()
        plot.finish_axes(value_title, direction)
        plot.footer(heterogeneity)
        add_note(ax, note)
    return ax


@dataclass
class _Row:
    """One line of the plot: its name, position and texts in each column."""

    name: str
    y: float
    counts: tuple[str, ...] = ()
    interval: str = ""
    weight: str = ""
    bold: bool = False


class _Forest:
    """The rows, columns and axis of one forest plot, drawn step by step."""

    header_y = 1.0

    def __init__(self, frame, studies, pooled, scale: str, labels, columns: set[str]) -> None:
        self.header, self.axis = _SCALES[scale]
        self.columns, self.labels = columns, labels
        self.subtotals = frame[frame["group"] == "subgroup"]
        self.tests = frame[frame["group"] == "subgroup differences"]
        blocks = _subgroup_blocks(studies, self.subtotals)
        if blocks:
            studies = pd.concat([b for _, b, _ in blocks])
        self.scale, self.studies, self.pooled = scale, studies, pooled
        self.est, self.low, self.high = (floats(studies[c]) for c in ("estimate", "ci_low",
                                                                       "ci_high"))  # fmt: skip
        self.weight = (
            floats(studies["weight"]) if "weight" in studies.columns and "weight" in columns
            else np.full(len(self.est), np.nan)
        )  # fmt: skip
        self.confidence = _confidence_text(frame)
        self.arms = _arm_headers(frame) if "counts" in columns else None
        self.lo, self.hi = self._limits()
        self.rows: list[_Row] = []
        self.subgroup_rows: list[tuple[_Row, tuple[float, float, float]]] = []
        if blocks:
            y = self._subgroup_rows(blocks)
        else:
            self.study_y = -np.arange(len(studies), dtype=float)
            self.rows = [self._study_row(r, y) for r, y in zip(studies.itertuples(),
                                                               self.study_y, strict=True)]
            y = -(len(studies) + 0.5) if len(studies) else 0.0
        self.pooled_rows: list[tuple[_Row, tuple[float, float, float], tuple[float, float]]] = []
        for r in pooled.itertuples():
            values = _values(r)
            pi = tuple(float(getattr(r, c, np.nan)) for c in ("pi_low", "pi_high"))
            row = _Row(display(r.level, labels), y, self._counts(r), self.interval_text(*values),
                       bold=True)  # fmt: skip
            self.rows.append(row)
            self.pooled_rows.append((row, values, pi))
            y -= 1.0
            if all(np.isfinite(pi)):
                self.rows.append(_Row("prediction interval", y, interval=self.pi_text(*pi)))
                y -= 1.0

    def _study_row(self, r, y: float) -> _Row:
        e, a, b = _values(r)
        w = float(getattr(r, "weight", np.nan)) if "weight" in self.columns else np.nan
        return _Row(display(r.level, self.labels), y, self._counts(r), self.interval_text(e, a, b),
                    f"{w:.1f}%" if np.isfinite(w) else "")  # fmt: skip

    def _subgroup_rows(self, blocks) -> float:
        """Each subgroup: its name, its studies, its pooled diamond; the next y free."""
        y, ys = 0.0, []
        for name, block, subtotal in blocks:
            self.rows.append(_Row(display(name, self.labels), y, bold=True))
            y -= 1.0
            for r in block.itertuples():
                self.rows.append(self._study_row(r, y))
                ys.append(y)
                y -= 1.0
            if subtotal is not None:
                values = _values(subtotal)
                row = _Row(_subtotal_label(subtotal), y, self._counts(subtotal),
                           self.interval_text(*values), bold=True)  # fmt: skip
                self.rows.append(row)
                self.subgroup_rows.append((row, values))
                y -= 1.0
            y -= 0.5
        self.study_y = np.asarray(ys, dtype=float)
        return y

    def _limits(self) -> tuple[float, float]:
        values = np.concatenate([self.est, self.low, self.high])
        for column in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
            for rows in (self.pooled, self.subtotals):
                if column in rows.columns:
                    values = np.append(values, floats(rows[column]))
        if self.axis == "proportion":
            # fitted to the data in steps of 10 %, with room for the intervals
            finite = values[np.isfinite(values)]
            if not finite.size:
                return 0.0, 1.0
            lo = max(0.0, np.floor((finite.min() - 0.02) * 10) / 10)
            hi = min(1.0, np.ceil((finite.max() + 0.02) * 10) / 10)
            return lo, hi
        if self.axis == "log":
            finite = values[np.isfinite(values) & (values > 0)]
            lo, hi = (finite.min(), finite.max()) if finite.size else (0.5, 2.0)
            return min(lo, 1.0) / 1.25, max(hi, 1.0) * 1.25
        finite = values[np.isfinite(values)]
        lo, hi = (min(finite.min(), 0.0), max(finite.max(), 0.0)) if finite.size else (-0.1, 0.1)
        pad = 0.06 * (hi - lo) if hi > lo else 0.1
        return lo - pad, hi + pad

    def _counts(self, row) -> tuple[str, ...]:
        if self.arms is None:
            return ()
        pairs = [("events", "total"), ("events_b", "total_b")][: len(self.arms)]
        return tuple(count_label(getattr(row, e), getattr(row, n)) or "" for e, n in pairs)

    def clip(self, values) -> np.ndarray:
        # Open-ended bounds (0 or inf on the log scale) run to the axis edge.
        return np.clip(values, self.lo, self.hi)

    def _number(self, value: float) -> str:
        if self.axis == "proportion":
            return f"{100 * value:.1f}"
        return f"{value:.2f}".replace("inf", "∞").replace("-", "−")

    def interval_text(self, e: float, a: float, b: float) -> str:
        if "estimate" not in self.columns:
            return ""
        if not np.isfinite(e):
            return "not estimable"
        return f"{self._number(e)} [{self._number(a)}, {self._number(b)}]"

    def pi_text(self, a: float, b: float) -> str:
        if "estimate" not in self.columns:
            return ""
        return f"[{self._number(a)}, {self._number(b)}]"

    # -- layout -------------------------------------------------------------------------

    def _count_widths(self) -> list[float]:
        if self.arms is None:
            return []
        return [_width([h] + [r.counts[j] for r in self.rows if r.counts], bold=True)
                for j, h in enumerate(self.arms)]  # fmt: skip

    def _label_width(self) -> float:
        return max(_width([r.name for r in self.rows if not r.bold]),
                   _width([r.name for r in self.rows if r.bold], bold=True))  # fmt: skip

    def _right_widths(self) -> tuple[float, float]:
        interval = _width([r.interval for r in self.rows if r.interval]
                          + [self.estimate_header()], bold=True)  # fmt: skip
        weight = _width([r.weight for r in self.rows] + ["weight"], bold=True)
        return interval, weight if any(r.weight for r in self.rows) else 0.0

    def estimate_header(self) -> str:
        return f"{self.header} [{self.confidence}]" if "estimate" in self.columns else ""

    def new_axes(self, heterogeneity, direction: bool, note: bool) -> Axes:
        import matplotlib.pyplot as plt
        from mpl_toolkits.axes_grid1 import Divider, Size

        counts = sum(w + _GAP for w in self._count_widths())
        # the glyph outlines measured run a little narrower than the rendered text
        left = (1.05 * self._label_width() + counts + 2 * _GAP) / 72
        right = (1.05 * sum(self._right_widths()) + 3 * _GAP) / 72
        lines = sum(len(_wrap(t).split("\n")) for t in self.footer_texts(heterogeneity))
        bottom = (28 + 9 * direction + 9 * lines + 6) / 72
        top = (18 + 10 * note) / 72
        n_rows = len(self.rows) + 1
        fig = plt.figure(figsize=(max(COLUMN_WIDTH, left + right + 2.0),
                                  bottom + top + _ROW * n_rows))  # fmt: skip
        # Margins fixed in inches: resizing the figure changes only the plot's width.
        across = [Size.Fixed(left), Size.Scaled(1), Size.Fixed(right)]
        up = [Size.Fixed(bottom), Size.Scaled(1), Size.Fixed(top)]
        divider = Divider(fig, (0, 0, 1, 1), across, up, aspect=False)
        return fig.add_axes(divider.get_position(), axes_locator=divider.new_locator(nx=1, ny=1))

    # -- drawing ------------------------------------------------------------------------

    def column_text(self, text: str, y: float, offset: float, *, left: bool = False,
                    **kwargs: Any) -> None:  # fmt: skip
        from matplotlib.transforms import blended_transform_factory

        # Columns sit a fixed distance (points) outside the axes, whatever its width.
        at = blended_transform_factory(self.ax.transAxes, self.ax.transData)
        self.ax.annotate(text, (0.0 if left else 1.0, y), xycoords=at, xytext=(offset, 0),
                         textcoords="offset points", va="center", fontsize=_FONT,
                         annotation_clip=False, **kwargs)  # fmt: skip

    def draw_studies(self, kwargs: dict[str, Any]) -> None:
        est, low, high, weight = self.est, self.low, self.high, self.weight
        ys = self.study_y
        ok = np.isfinite(est)
        area = np.where(np.isfinite(weight), weight, 100.0 / max(len(est), 1))
        sizes = 6.0 + 60.0 * area / max(np.nanmax(area), 1e-12) if len(area) else area
        marks = {"s": sizes[ok], "marker": "s", "color": PALETTE[0], "zorder": 3, **kwargs}
        self.ax.scatter(est[ok], ys[ok], **marks).set_gid("studies")
        has_ci = ~np.isnan(low) & ~np.isnan(high)
        lines = self.ax.hlines(ys[has_ci], self.clip(low[has_ci]), self.clip(high[has_ci]),
                               color="#333333", linewidth=0.8, zorder=2)  # fmt: skip
        lines.set_gid("study intervals")

    def draw_pooled(self) -> None:
        ax = self.ax
        for row, values in self.subgroup_rows:
            self._diamond(row.y, values, "#F2C7A5", "subgroup pooled")
        for i, (row, (e, a, b), pi) in enumerate(self.pooled_rows):
            y = row.y
            if i == 0 and len(self.studies):
                ax.axhline(y + 0.5, color="#999999", linewidth=0.5)
            # The first pooled estimate filled, the others (e.g. Mantel-Haenszel) open.
            self._diamond(y, (e, a, b), PALETTE[5] if i == 0 else "white", "pooled")
            if all(np.isfinite(pi)):
                (pi_line,) = ax.plot(self.clip(np.array(pi)), [y - 1.0] * 2, color=PALETTE[5],
                                     linewidth=1.2, marker="|", markersize=5, zorder=2)  # fmt: skip
                pi_line.set_gid("prediction interval")

    def _diamond(self, y: float, values, face: str, gid: str) -> None:
        from matplotlib.patches import Polygon

        if not all(np.isfinite(values)):
            return
        e, a, b = (float(self.clip(np.array(v))) for v in values)
        diamond = Polygon([(a, y), (e, y + 0.3), (b, y), (e, y - 0.3)], closed=True,
                          facecolor=face, edgecolor=PALETTE[5], zorder=3)  # fmt: skip
        diamond.set_gid(gid)
        self.ax.add_patch(diamond)

    def draw_columns(self) -> None:
        counts = self._count_widths()
        edge = -_GAP
        for j in reversed(range(len(counts))):
            # Right-aligned counts between the study names and the axes, last arm nearest.
            for row in self.rows:
                if row.counts and row.counts[j]:
                    self.column_text(row.counts[j], row.y, edge, left=True, ha="right",
                                     fontweight="bold" if row.bold else "normal")  # fmt: skip
            self.column_text(self.arms[j], self.header_y, edge, left=True, ha="right",
                             fontweight="bold")  # fmt: skip
            edge -= counts[j] + _GAP
        self.label_pad = -edge
        interval, weight = self._right_widths()
        weight_at = _GAP + (interval + _GAP if interval else 0.0) + weight
        for row in self.rows:
            if row.interval:
                self.column_text(row.interval, row.y, _GAP,
                                 fontweight="bold" if row.bold else "normal")  # fmt: skip
            if row.weight:
                self.column_text(row.weight, row.y, weight_at, ha="right")
        if interval:
            self.column_text(self.estimate_header(), self.header_y, _GAP, fontweight="bold")
        if weight:
            self.column_text("weight", self.header_y, weight_at, ha="right", fontweight="bold")

    def finish_axes(self, value_title: str | None, direction: tuple[str, str] | None) -> None:
        ax = self.ax
        reference = 0.0 if self.axis == "difference" else 1.0
        if self.axis == "log":
            from matplotlib.ticker import FuncFormatter, NullLocator

            ax.set_xscale("log")
            ax.xaxis.set_major_locator(_log_ticks())
            ax.xaxis.set_minor_locator(NullLocator())
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        elif self.axis == "difference":
            ax.xaxis.set_major_locator(_linear_ticks())
        else:
            percent_axis(ax.xaxis)
            ax.xaxis.set_major_locator(_linear_ticks())
        if self.axis != "proportion":
            ax.axvline(reference, color="#666666", linewidth=0.6, linestyle="--", zorder=1,
                       gid="reference")  # fmt: skip
        default = f"{self.scale} (log scale)" if self.axis == "log" else self.scale
        ax.set_xlabel(default if value_title is None else value_title, fontsize=_FONT + 0.5,
                      labelpad=11 if direction else 4)  # fmt: skip
        ax.set_xlim(self.lo, self.hi)
        ax.set_yticks([r.y for r in self.rows], [r.name for r in self.rows])
        ax.tick_params(axis="y", length=0, labelsize=_FONT, pad=self.label_pad)
        ax.tick_params(axis="x", labelsize=_FONT)
        for tick, row in zip(ax.get_yticklabels(), self.rows, strict=True):
            tick.set_fontweight("bold" if row.bold else "normal")
        ax.spines["left"].set_visible(False)
        ax.set_ylim(min(r.y for r in self.rows) - 0.7, self.header_y + 0.6)
        if direction:
            from matplotlib.transforms import blended_transform_factory

            at = blended_transform_factory(ax.transData, ax.transAxes)
            for text, dx, ha in ((f"← {direction[0]}", -3, "right"),
                                 (f"{direction[1]} →", 3, "left")):  # fmt: skip
                ax.annotate(text, (reference, 0.0), xycoords=at, xytext=(dx, -13),
                            textcoords="offset points", ha=ha, va="top", fontsize=_FONT - 0.5,
                            color="#333333", gid="favours", annotation_clip=False)  # fmt: skip

    def _test_lines(self) -> list[str]:
        lines = []
        many = len(self.pooled_rows) > 1
        for (row, _, _), r in zip(self.pooled_rows, self.pooled.itertuples(), strict=True):
            text = _test_text(r)
            if text:
                lines.append(f"{row.name}: {text}" if many
                             else f"{self._test_name()}: {text}")  # fmt: skip
        return lines

    def footer_texts(self, heterogeneity) -> list[str]:
        """Every line printed under the plot, before wrapping."""
        first = [] if heterogeneity is None else [_format_heterogeneity(heterogeneity)]
        return first + self._test_lines() + self.subgroup_test_lines()

    def subgroup_test_lines(self) -> list[str]:
        return [_subgroup_test_text(r) for r in self.tests.itertuples()]

    def _test_name(self) -> str:
        # a pooled proportion is tested on the logit scale against 0, i.e. a share of 50 %
        return "Test of a proportion of 50%" if self.axis == "proportion" else (
            "Test for overall effect")

    def footer(self, heterogeneity) -> None:
        # Under the axis title, line after line, whatever the axes' height, from the
        # left edge of the study names.
        anchor, left = self.ax.xaxis.label, -(self.label_pad + self._label_width())
        texts = (None if heterogeneity is None else _format_heterogeneity(heterogeneity),
                 "\n".join(_wrap(t) for t in self._test_lines()),
                 "\n".join(_wrap(t) for t in self.subgroup_test_lines()))  # fmt: skip
        for text, gid in zip(texts, ("heterogeneity", "pooled tests", "subgroup differences"),
                             strict=True):  # fmt: skip
            if gid == "heterogeneity" and text:
                text = _wrap(text)
            if text:
                anchor = self.ax.annotate(
                    text, xy=(0.0, 0.0), xycoords=("axes fraction", anchor), xytext=(left, -3),
                    textcoords="offset points", ha="left", va="top", fontsize=_FONT,
                    annotation_clip=False, gid=gid, linespacing=1.3,
                )  # fmt: skip


def _room(axis) -> int:
    """How many tick labels fit along the axis: one every 26 points at most, at least 2."""
    return max(2, int(axis.axes.bbox.width * 72 / axis.axes.figure.dpi // 26))


def _linear_ticks():
    """Round ticks whose labels do not touch, as many as the axis has room for.

    The fewest steps of 1, 2, 5 or 10 whose labels (as formatted, at the column font)
    stand at least a label's width plus 4 points apart: on an 85 mm figure the
    plot can be under an inch wide, where ``-0.2  0.0  0.2`` would run together.
    When not even two ticks fit, only the reference (0) is marked.
    """
    from matplotlib.ticker import MaxNLocator

    class _LinearTicks(MaxNLocator):
        def __call__(self):
            lo, hi = sorted(self.axis.get_view_interval())
            points = self.axis.axes.bbox.width * 72 / self.axis.axes.figure.dpi
            for nbins in range(_room(self.axis) - 1, 0, -1):
                self.set_params(nbins=nbins)
                ticks = [t for t in super().__call__() if lo - 1e-12 <= t <= hi + 1e-12]
                if len(ticks) < 2:
                    continue
                labels = self.axis.major.formatter.format_ticks(ticks)
                gap = points * (ticks[1] - ticks[0]) / (hi - lo)
                if gap >= _width(labels) + 4:
                    return ticks
            return [0.0] if lo <= 0 <= hi else []

    return _LinearTicks(steps=[1, 2, 5, 10])


def _log_ticks():
    """Plain-number ticks (0.5, 1, 2, 5, not powers of ten), as many as the axis has room for."""
    from matplotlib.ticker import Locator

    class _LogTicks(Locator):
        def __call__(self):
            lo, hi = sorted(self.axis.get_view_interval())
            most = _room(self.axis)
            for mantissas, step in (((1, 2, 5), 1), ((1, 2), 1), ((1,), 1), ((1,), 2), ((1,), 3)):
                ticks = [m * 10.0**k for k in range(-6, 7, step) for m in mantissas
                         if lo <= m * 10.0**k <= hi]  # fmt: skip
                if len(ticks) <= most:
                    break
            return ticks

    return _LogTicks()


def _wrap(text: str) -> str:
    """`text` broken after its commas and semicolons into lines that fit `_FOOTER_WIDTH`.

    Only after ", ", "; " or ": ", so that "z = 1.98" or "p = 0.74 (0.88 corrected)"
    stay whole;
    continuation lines are indented.
    """
    pieces = re.split(r"(?<=[,;:]) ", text)
    lines = [pieces[0]]
    for piece in pieces[1:]:
        candidate = f"{lines[-1]} {piece}"
        if _width([candidate]) <= _FOOTER_WIDTH:
            lines[-1] = candidate
        else:
            lines.append("    " + piece)
    return "\n".join(lines)


def _values(row) -> tuple[float, float, float]:
    return tuple(float(v) for v in floats(pd.Series([row.estimate, row.ci_low, row.ci_high])))


def _subgroup_blocks(studies: pd.DataFrame, subtotals: pd.DataFrame) -> list:
    """(name, its studies, its pooled row or None) per subgroup, in order of first appearance.

    Empty when the study rows carry no ``subgroup``: the plot has no subgroups.
    """
    if "subgroup" not in studies.columns or studies["subgroup"].isna().all():
        return []
    missing = studies.loc[studies["subgroup"].isna(), "level"].tolist()
    if missing:
        raise ValueError(f"forest_plot: every study needs a subgroup when some have one; "
                         f"missing for {missing}")  # fmt: skip
    pooled = {r.level: r for r in subtotals.itertuples()}
    return [(name, studies[studies["subgroup"] == name], pooled.get(name))
            for name in dict.fromkeys(studies["subgroup"])]  # fmt: skip


def _subtotal_label(row) -> str:
    """``Subtotal (k = 3, I² = 42%)``: what a subgroup's diamond pools."""
    parts = []
    k = pd.to_numeric(getattr(row, "k", np.nan), errors="coerce")
    if pd.notna(k):
        parts.append(f"k = {int(k)}")
    i2 = pd.to_numeric(getattr(row, "i2", np.nan), errors="coerce")
    if pd.notna(i2) and int(k if pd.notna(k) else 2) > 1:
        parts.append(f"I² = {i2:.0f}%")
    return f"Subtotal ({', '.join(parts)})" if parts else "Subtotal"


def _subgroup_test_text(row) -> str:
    """The test for subgroup differences: its ``test`` text, else Q (or F), df, p, approach."""
    given = getattr(row, "test", None)
    if isinstance(given, str) and given.strip():
        return given
    statistic, p = float(row.statistic), float(row.pvalue)
    df = pd.to_numeric(getattr(row, "q_df", np.nan), errors="coerce")
    name = "F" if getattr(row, "method", "") == "f" else "Q"
    df_text = f", df = {int(df)}" if pd.notna(df) else ""
    approach = f" ({row.level})" if isinstance(row.level, str) and row.level else ""
    return (f"Test for subgroup differences{approach}: {name} = {statistic:.2f}{df_text}, "
            f"p {_format_p(p)}")  # fmt: skip


def _test_text(row) -> str:
    """A pooled row's test: its ``test`` text, else z (t with ``df``) and p, else p alone."""
    given = getattr(row, "test", None)
    if isinstance(given, str) and given.strip():
        return given
    p = float(getattr(row, "pvalue", np.nan))
    if not np.isfinite(p):
        return ""
    statistic = float(getattr(row, "statistic", np.nan))
    df = pd.to_numeric(getattr(row, "df", np.nan), errors="coerce")
    if not np.isfinite(statistic):
        return f"p {_format_p(p)}"
    name = f"t({int(df)})" if pd.notna(df) else "z"
    return f"{name} = {statistic:.2f}, p {_format_p(p)}".replace("-", "−")


def _confidence_text(frame: pd.DataFrame) -> str:
    if "confidence_level" in frame.columns:
        levels = floats(frame["confidence_level"])
        levels = levels[np.isfinite(levels)]
        if levels.size and np.all(levels == levels[0]):
            return f"{levels[0]:.0%} CI"
    return "CI"


def _arm_headers(frame: pd.DataFrame) -> tuple[str, ...] | None:
    """Headers of the counts columns: the two groups' names, "events/total", or None."""
    has = set(frame.columns)
    if not {"events", "total"} <= has or frame["events"].isna().all():
        return None
    if not {"events_b", "total_b"} <= has:
        return ("events/total",)
    names = []
    for column, default in (("group_a", "group a"), ("group_b", "group b")):
        values = frame[column].dropna() if column in has else pd.Series(dtype=object)
        names.append(display(values.iloc[0], None) if len(values) else default)
    return tuple(names)
