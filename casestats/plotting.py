"""Figures for casestats results: interval bars, share heatmaps, a body map, forest plots.

Every function takes a tidy frame in the casestats column vocabulary (``group``,
``level``, ``events``, ``total``, ``estimate``, ``ci_low``, ``ci_high`` ...), draws
on `ax` (or on a new figure sized for one journal column when `ax` is None) and
returns the Axes. matplotlib and seaborn are imported inside the functions so that
``import casestats.plotting`` stays cheap.

Colours come from :data:`PALETTE` (Okabe-Ito, safe for the common colour-vision
deficiencies); shares use a sequential map whose lightness rises monotonically, so
figures also read in greyscale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PALETTE",
    "body_map",
    "forest_plot",
    "interval_bars",
    "save_figure",
    "share_heatmap",
    "style",
]

#: Okabe-Ito colours (Okabe & Ito 2008, "Color Universal Design"), in their usual order.
PALETTE: list[str] = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]

# Sequential map for shares: light = few patients, dark = many; designed for
# colour-vision deficiency and monotone in lightness.
_SHARE_CMAP = "cividis_r"
_NO_DATA_COLOUR = "#e6e6e6"
_COLUMN_WIDTH = 3.5  # inches, one journal column


class _Style(dict):
    """An rc dict that also works as a context manager (``with style(): ...``)."""

    def __enter__(self) -> _Style:
        import matplotlib as mpl

        # Save and restore only the keys this style sets: matplotlib's rc_context
        # restores every setting, including the backend state Jupyter configures
        # lazily, after which a notebook stops showing figures.
        self._saved = {key: mpl.rcParams[key] for key in self}
        mpl.rcParams.update(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        import matplotlib as mpl

        mpl.rcParams.update(self._saved)


def style() -> dict[str, Any]:
    """The casestats figure style as a matplotlib rc dict.

    Sized for one journal column (3.5 in wide) with 8 pt text, no top or right
    spines, the :data:`PALETTE` colour cycle and text kept as text in SVG files so
    that editors can restyle it. Figures that casestats creates itself use this
    style; to style your own axes, create them inside ``with style():``.

    Returns
    -------
    dict
        rc parameters; the returned object is also a context manager.

    Examples
    --------
    >>> rc = style()
    >>> rc["font.size"], rc["axes.spines.top"]
    (8.0, False)
    >>> import matplotlib as mpl
    >>> with style():
    ...     mpl.rcParams["axes.spines.right"]
    False
    """
    from cycler import cycler

    return _Style(
        {
            "figure.figsize": (_COLUMN_WIDTH, 2.6),
            "font.size": 8.0,
            "axes.titlesize": 9.0,
            "axes.labelsize": 8.0,
            "xtick.labelsize": 8.0,
            "ytick.labelsize": 8.0,
            "legend.fontsize": 8.0,
            "legend.title_fontsize": 8.0,
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.linewidth": 0.6,
            "xtick.major.width": 0.6,
            "ytick.major.width": 0.6,
            "xtick.major.size": 3.0,
            "ytick.major.size": 3.0,
            "lines.linewidth": 1.0,
            "patch.linewidth": 0.5,
            "axes.prop_cycle": cycler(color=PALETTE),
            "savefig.dpi": 300,
            "savefig.bbox": "tight",
            "svg.fonttype": "none",
            "pdf.fonttype": 42,
        }
    )


# -- shared helpers -------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{what} needs a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs the columns {missing}; the frame has {list(frame.columns)}")


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def _new_axes(figsize: tuple[float, float]) -> Axes:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _style_if_new(ax: Axes | None):
    """Apply :func:`style` only to figures we create: the caller's axes keep their style."""
    import contextlib

    return style() if ax is None else contextlib.nullcontext()


def _count_label(events: Any, total: Any) -> str | None:
    if pd.isna(events) or pd.isna(total):
        return None
    return f"{int(events)}/{int(total)}"


def _unique_in_order(values: pd.Series) -> list[Any]:
    return list(dict.fromkeys(values.dropna().tolist()))


def _percent_axis(axis, *, decimals: int = 0) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=decimals))


# -- interval bars ---------------------------------------------------------------------


def interval_bars(
    frame: pd.DataFrame,
    *,
    x: str = "level",
    hue: str | None = "group",
    ax: Axes | None = None,
    annotate: bool = False,
    **kwargs: Any,
) -> Axes:
    """Bars of proportions with their confidence intervals.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns `x`, ``estimate``, ``ci_low``, ``ci_high`` (proportions in [0, 1]);
        `hue` if given; ``events`` and ``total`` when `annotate` is true.
    x : str
        Column whose values label the bars (category order = first appearance).
    hue : str or None
        Column splitting each category into dodged, coloured bars with a legend.
        Ignored when absent from the frame or holding fewer than two values.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new one-column figure when None.
    annotate : bool
        Write ``k/n`` (events/total) above each bar.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar` (e.g. ``alpha``, ``edgecolor``).

    Returns
    -------
    matplotlib.axes.Axes
        Rows with a missing estimate draw no bar; their category keeps its place.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"group": ["all", "all"], "level": ["dystrophic", "iatrogenic"],
    ...                       "events": [30, 5], "total": [40, 40], "estimate": [0.75, 0.125],
    ...                       "ci_low": [0.60, 0.05], "ci_high": [0.86, 0.26]})
    >>> ax = interval_bars(frame, annotate=True)
    >>> len(ax.patches), [t.get_text() for t in ax.texts]
    (2, ['30/40', '5/40'])
    >>> plt.close(ax.figure)
    """
    _require(frame, [x, "estimate", "ci_low", "ci_high"], "interval_bars")
    if annotate:
        _require(frame, ["events", "total"], "interval_bars(annotate=True)")
    categories = _unique_in_order(frame[x])
    groups: list[Any] = [None]
    if hue is not None and hue in frame.columns and frame[hue].nunique() > 1:
        groups = _unique_in_order(frame[hue])

    with _style_if_new(ax):
        if ax is None:
            width = max(_COLUMN_WIDTH, 0.45 * len(categories) * max(1, len(groups) * 0.6))
            ax = _new_axes((min(width, 7.0), 2.6))
        position = {category: i for i, category in enumerate(categories)}
        slot = 0.8 / len(groups)
        for g, group in enumerate(groups):
            rows = frame if group is None else frame[frame[hue] == group]
            rows = rows[rows[x].notna()]
            estimate = _floats(rows["estimate"])
            drawn = np.isfinite(estimate)
            if not drawn.any():
                continue
            rows = rows[drawn]
            offset = (g - (len(groups) - 1) / 2) * slot
            xs = np.array([position[v] for v in rows[x]], dtype=float) + offset
            bar_kwargs = {"color": PALETTE[g % len(PALETTE)], "width": slot * 0.92}
            bar_kwargs.update(kwargs)
            if group is not None:
                bar_kwargs.setdefault("label", str(group))
            ax.bar(xs, estimate[drawn], **bar_kwargs)
            low, high = _floats(rows["ci_low"]), _floats(rows["ci_high"])
            has_ci = ~np.isnan(low) & ~np.isnan(high)
            if has_ci.any():
                ax.errorbar(
                    xs[has_ci],
                    estimate[drawn][has_ci],
                    yerr=[
                        estimate[drawn][has_ci] - low[has_ci],
                        high[has_ci] - estimate[drawn][has_ci],
                    ],
                    fmt="none",
                    ecolor="#333333",
                    elinewidth=0.8,
                    capsize=2.0,
                )
            if annotate:
                tops = np.where(has_ci, high, estimate[drawn])
                for xpos, top, k, n in zip(xs, tops, rows["events"], rows["total"], strict=True):
                    label = _count_label(k, n)
                    if label is not None:
                        ax.annotate(
                            label,
                            (xpos, top),
                            xytext=(0, 2),
                            textcoords="offset points",
                            ha="center",
                            va="bottom",
                            fontsize=6.5,
                        )
        ax.set_xticks(range(len(categories)), [str(c) for c in categories])
        if len(categories) > 4:
            ax.tick_params(axis="x", labelrotation=40)
            for label in ax.get_xticklabels():
                label.set_horizontalalignment("right")
        ax.set_xlim(-0.6, len(categories) - 0.4)
        ax.set_ylim(0.0, 1.0)
        _percent_axis(ax.yaxis)
        ax.set_xlabel(x.replace("_", " "))
        ax.set_ylabel("share of patients")
        if groups != [None]:
            ax.legend(title=str(hue).replace("_", " "))
    return ax


# -- share heatmap ---------------------------------------------------------------------


def share_heatmap(
    frame: pd.DataFrame,
    *,
    row: str = "level",
    col: str = "group",
    ax: Axes | None = None,
    annot: bool = True,
) -> Axes:
    """Heatmap of shares (``estimate``) with ``k/n`` in each cell.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns `row`, `col` and ``estimate`` (in [0, 1]); ``events`` and
        ``total`` for the annotations (a cell without counts shows its percent).
        At most one row per (`row`, `col`) pair.
    row, col : str
        Columns giving the heatmap's rows and columns (order = first appearance).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new one-column figure when None.
    annot : bool
        Write ``k/n`` (events/total) in each cell.

    Returns
    -------
    matplotlib.axes.Axes
        Cells with a missing estimate stay blank. The colour scale is fixed at
        0-100 % so that figures of different series compare.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"group": ["limited", "limited", "diffuse", "diffuse"],
    ...                       "level": ["hand", "elbow", "hand", "elbow"],
    ...                       "events": [12, 3, 4, 2], "total": [20, 20, 8, 8],
    ...                       "estimate": [0.6, 0.15, 0.5, 0.25]})
    >>> ax = share_heatmap(frame)
    >>> sorted(t.get_text() for t in ax.texts)
    ['12/20', '2/8', '3/20', '4/8']
    >>> plt.close(ax.figure)
    """
    import seaborn as sns

    _require(frame, [row, col, "estimate"], "share_heatmap")
    keyed = frame[frame[row].notna() & frame[col].notna()]
    duplicated = keyed.duplicated([row, col])
    if duplicated.any():
        first = keyed.loc[duplicated, [row, col]].iloc[0].tolist()
        raise ValueError(f"share_heatmap needs one row per ({row}, {col}); {first} repeats")
    rows, cols = _unique_in_order(keyed[row]), _unique_in_order(keyed[col])
    shares = np.full((len(rows), len(cols)), np.nan)
    labels = np.full((len(rows), len(cols)), "", dtype=object)
    r_index = {v: i for i, v in enumerate(rows)}
    c_index = {v: j for j, v in enumerate(cols)}
    estimate = _floats(keyed["estimate"])
    has_counts = "events" in keyed.columns and "total" in keyed.columns
    for k, (r, c) in enumerate(zip(keyed[row], keyed[col], strict=True)):
        i, j = r_index[r], c_index[c]
        shares[i, j] = estimate[k]
        if np.isfinite(estimate[k]):
            label = None
            if has_counts:
                label = _count_label(keyed["events"].iloc[k], keyed["total"].iloc[k])
            labels[i, j] = label if label is not None else f"{estimate[k]:.0%}"

    with _style_if_new(ax):
        if ax is None:
            ax = _new_axes(
                (min(7.0, max(_COLUMN_WIDTH, 1.4 + 0.7 * len(cols))), 0.9 + 0.24 * len(rows))
            )
        from matplotlib.ticker import PercentFormatter

        sns.heatmap(
            pd.DataFrame(shares, index=[str(r) for r in rows], columns=[str(c) for c in cols]),
            mask=~np.isfinite(shares),
            vmin=0.0,
            vmax=1.0,
            cmap=_SHARE_CMAP,
            annot=labels if annot else False,
            fmt="",
            annot_kws={"fontsize": 6.5},
            linewidths=0.5,
            linecolor="white",
            cbar_kws={"label": "share of patients", "format": PercentFormatter(xmax=1.0)},
            ax=ax,
        )
        ax.set_xlabel(col.replace("_", " "))
        ax.set_ylabel(row.replace("_", " "))
        ax.tick_params(axis="both", length=0)
    return ax


# -- body map --------------------------------------------------------------------------

# The schematic figure, drawn in arbitrary units: feet at y = 0, crown at y = 9.9;
# the front view is centred on x = 0 and the back view on x = _BACK_X. Paired shapes
# are given for x > 0 and mirrored.
_BACK_X = 6.6
_LABEL_SIZE = 6.0


def _ellipse(cx: float, cy: float, a: float, b: float, start: float = 0, stop: float = 360):
    angles = np.radians(np.linspace(start, stop, 48))
    return np.column_stack([cx + a * np.cos(angles), cy + b * np.sin(angles)])


def _symmetric(half: list[tuple[float, float]]) -> np.ndarray:
    """A polygon symmetric about x = 0 from its right half (listed top to bottom)."""
    right = np.asarray(half, dtype=float)
    return np.vstack([right, right[::-1] * [-1.0, 1.0]])


def _tube(sections: list[tuple[float, float, float]]) -> np.ndarray:
    """A limb outline through cross-sections (y, centre x, width), listed top to bottom."""
    s = np.asarray(sections, dtype=float)
    outer = np.column_stack([s[:, 1] + s[:, 2] / 2, s[:, 0]])
    inner = np.column_stack([s[:, 1] - s[:, 2] / 2, s[:, 0]])
    return np.vstack([outer, inner[::-1]])


def _centroid(polygon: np.ndarray) -> tuple[float, float]:
    x, y = polygon[:, 0], polygon[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if abs(area) < 1e-12:
        return float(x.mean()), float(y.mean())
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
    return float(cx), float(cy)


# Cross-sections (y, centre, width) of the arm and leg on the x > 0 side.
_ARM = [
    (7.35, 1.72, 0.52),
    (6.1, 2.05, 0.44),
    (5.8, 2.13, 0.42),
    (4.35, 2.55, 0.34),
    (4.1, 2.62, 0.3),
]
_LEG = [
    (4.7, 0.62, 1.12),
    (3.05, 0.55, 0.72),
    (2.6, 0.52, 0.56),
    (0.75, 0.47, 0.34),
    (0.5, 0.47, 0.36),
]


class _Shape:
    """One polygon of the body map and where (if anywhere) it carries its term's label.

    `label` is None or ``(view, side, placement)``: the view ("f" or "b") whose copy
    is labelled, the patient's side ("right"/"left", for mirrored shapes) and whether
    the label sits inside the patch or beside its lateral edge (with a leader line);
    `label_y` moves it to that height.
    """

    def __init__(self, term, polygon, views="fb", mirrored=False, label=None, label_y=None):
        self.term, self.polygon, self.views = term, np.asarray(polygon, float), views
        self.mirrored, self.label, self.label_y = mirrored, label, label_y


def _shape_table() -> tuple[list[_Shape], list[_Shape]]:
    """Limb-rank shapes (the silhouette) and region-rank shapes (drawn on top)."""
    head = _ellipse(0.0, 9.15, 0.6, 0.75)
    neck = [(-0.28, 7.95), (0.28, 7.95), (0.28, 8.42), (-0.28, 8.42)]
    trunk_half = [(0.0, 8.0), (1.05, 8.0), (1.3, 7.75), (1.25, 6.9), (1.05, 5.9), (1.15, 5.0),
                  (1.2, 4.7), (0.0, 4.7)]  # fmt: skip
    shoulder = np.array([(1.12, 8.0), (1.55, 8.02), (1.9, 7.8), (1.98, 7.35), (1.46, 7.35),
                         (1.3, 7.72)])  # fmt: skip
    hand_arc = _ellipse(2.66, 3.75, 0.21, 0.48, 180, 360)
    foot = np.array([(0.29, 0.5), (0.65, 0.5), (0.78, 0.0), (0.22, 0.0)])
    arm, leg = _tube(_ARM), _tube(_LEG)
    # Outlines run down the outer edge, round the hand or foot, and up the inner edge.
    upper_limb = np.vstack([shoulder[:4], arm[1:5], hand_arc[::-1], arm[5:], shoulder[5:]])
    lower_limb = np.vstack([leg[:5], foot[[1, 2, 3, 0]], leg[5:]])
    inside_front, inside_back = ("f", None, "in"), ("b", None, "in")
    # Region labels go on the patient's right in the front view, limb labels on the
    # patient's left, so that a frame mixing both ranks stays legible.
    out_right, out_left = ("f", "right", "out"), ("f", "left", "out")

    limbs = [
        _Shape("head_neck", neck),
        _Shape("head_neck", head, label=inside_back),
        _Shape("trunk", _symmetric(trunk_half), label=inside_back),
        _Shape("upper_limb", upper_limb, mirrored=True, label=out_left),
        _Shape("lower_limb", lower_limb, mirrored=True, label=out_left, label_y=3.1),
        _Shape("anogenital", [(-0.3, 4.95), (0.3, 4.95), (0.12, 4.42), (-0.12, 4.42)], "f",
               label=inside_front),
    ]  # fmt: skip
    regions = [
        _Shape("neck", neck, label=inside_front),
        _Shape("scalp", _ellipse(0.0, 9.15, 0.6, 0.75, 25, 155), "f"),
        _Shape("scalp", head, "b", label=inside_back),
        _Shape("face", _ellipse(0.0, 9.15, 0.6, 0.75, 155, 385), "f", label=inside_front),
        _Shape("chest", _symmetric([(0.0, 8.0), (1.05, 8.0), (1.3, 7.75), (1.21, 6.7),
                                    (0.0, 6.7)]), "f", label=inside_front),
        _Shape("abdomen", [(-0.7, 6.7), (0.7, 6.7), (0.7, 5.15), (0.3, 4.95), (-0.3, 4.95),
                           (-0.7, 5.15)], "f", label=inside_front),
        _Shape("flank", [(0.7, 6.7), (1.21, 6.7), (1.05, 5.9), (1.13, 5.15), (0.7, 5.15)], "f",
               mirrored=True, label=("f", "right", "in")),
        _Shape("groin", [(0.3, 4.95), (0.7, 5.15), (1.13, 5.15), (1.2, 4.7), (0.2, 4.7)], "f",
               mirrored=True, label=("f", "right", "in")),
        # above the centre, where the trunk's own label sits in the same outline
        _Shape("back", _symmetric(trunk_half), "b", label=("b", None, "in"), label_y=7.3),
        _Shape("shoulder", shoulder, mirrored=True, label=out_right),
        _Shape("axilla", [(1.27, 7.55), (1.46, 7.35), (1.58, 6.95), (1.27, 7.15)], "f",
               mirrored=True, label=out_right),
        _Shape("arm", _tube(_ARM[0:2]), mirrored=True, label=out_right),
        _Shape("elbow", _tube(_ARM[1:3]), mirrored=True, label=out_right),
        _Shape("forearm", _tube(_ARM[2:4]), mirrored=True, label=out_right),
        _Shape("wrist", _tube(_ARM[3:5]), mirrored=True, label=out_right),
        _Shape("hand", np.vstack([[(2.77, 4.1), (2.47, 4.1)], hand_arc]), mirrored=True,
               label=out_right),
        _Shape("thigh", [(0.06, 4.7), (0.9, 4.7), (0.88, 4.2), (1.12, 4.2), (0.91, 3.05),
                         (0.19, 3.05)], mirrored=True, label=out_right),
        _Shape("hip", [(0.9, 4.7), (1.2, 4.7), (1.12, 4.2), (0.88, 4.2)], mirrored=True,
               label=out_right),
        _Shape("buttock", _ellipse(0.5, 4.9, 0.5, 0.45), "b", mirrored=True,
               label=("b", "right", "in")),
        _Shape("knee", _tube(_LEG[1:3]), mirrored=True, label=out_right),
        _Shape("leg", _tube(_LEG[2:4]), mirrored=True, label=out_right),
        _Shape("ankle", _tube(_LEG[3:5]), mirrored=True, label=out_right),
        _Shape("foot", foot, mirrored=True, label=out_right),
    ]  # fmt: skip
    return limbs, regions


def _placed_shapes() -> list[tuple[str, bool, np.ndarray, tuple[str, float] | None]]:
    """(term, is region, polygon, label (placement, height) or None) per patch, in order."""
    limbs, regions = _shape_table()
    placed = []
    for is_region, layer in ((False, limbs), (True, regions)):
        for shape in layer:
            for view in shape.views:
                dx = 0.0 if view == "f" else _BACK_X
                # Facing the viewer, the patient's right is on the viewer's left (x < 0);
                # seen from behind it is on the viewer's right.
                sides = (
                    [("right", -1.0), ("left", 1.0)]
                    if view == "f"
                    else [("right", 1.0), ("left", -1.0)]
                )
                if not shape.mirrored:
                    sides = [(None, 1.0)]
                for side, sign in sides:
                    placement = None
                    if shape.label is not None and shape.label[:2] == (view, side):
                        placement = (shape.label[2], shape.label_y)
                    polygon = shape.polygon * [sign, 1.0] + [dx, 0.0]
                    placed.append((shape.term, is_region, polygon, placement))
    return placed


# Anogenital regions are too small to place on a figure of this size, so they sit in
# a labelled column of boxes between the two views, below the hands.
_DETAIL_X = _BACK_X / 2 - 0.1


def _text_colour(background) -> str:
    """Black or white, whichever reads better on `background` (by relative luminance)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(background)
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45 else "black"


def _anatomy() -> pd.DataFrame:
    return pd.read_csv(Path(__file__).parent / "schema" / "data" / "anatomy.csv", dtype=str)


def body_map(frame: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """A front and back schematic of the body with each region shaded by its share.

    Every term of the anatomy table at rank ``limb`` or ``region`` that has a place
    on the body gets a patch (left and right limbs mirrored; limb-rank patches form
    the silhouette, region-rank patches lie on top). A patch is shaded by the
    ``estimate`` of the row whose ``level`` is its term and labelled once with the
    percentage; patches without a row stay grey (an empty region shows its limb).
    The anogenital regions sit in a column of boxes between the views. Rows that
    cannot be drawn (``generalized``, site-rank terms, unknown levels) are listed
    in a note under the figure.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``level`` and ``estimate`` (in [0, 1]); one row per level, so a
        frame holding several groups must be filtered to one first.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new one-column figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        Each patch has its anatomy term as ``gid``; percentage labels have the gid
        ``"label:<term>"`` and the note the gid ``"not drawn"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"level": ["hand", "elbow", "generalized"],
    ...                       "estimate": [0.62, 0.2, 0.05]})
    >>> ax = body_map(frame)
    >>> sorted(t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("label:"))
    ['20%', '62%']
    >>> plt.close(ax.figure)
    """
    import matplotlib as mpl
    from matplotlib.patches import Polygon, Rectangle

    _require(frame, ["level", "estimate"], "body_map")
    if "group" in frame.columns and frame["group"].nunique() > 1:
        groups = _unique_in_order(frame["group"])
        raise ValueError(
            f"body_map draws one group; the frame holds {groups}. "
            f"Select one, e.g. frame[frame['group'] == {groups[0]!r}]"
        )
    rows = frame[frame["level"].notna()]
    repeated = rows["level"][rows["level"].duplicated()]
    if len(repeated):
        raise ValueError(f"body_map needs one row per level; {repeated.iloc[0]!r} repeats")
    shares = dict(zip(rows["level"].astype(str), _floats(rows["estimate"]), strict=True))

    anatomy = _anatomy()
    names = dict(zip(anatomy["term"], anatomy["label"], strict=True))
    drawable = anatomy[anatomy["rank"].isin(["limb", "region"])]
    shapes = [s for s in _placed_shapes() if s[0] in set(drawable["term"])]
    anogenital = drawable.loc[drawable["parent"] == "anogenital", "term"].tolist()
    drawn = {s[0] for s in shapes} | set(anogenital)

    cmap = mpl.colormaps[_SHARE_CMAP]
    norm = mpl.colors.Normalize(vmin=0.0, vmax=1.0)

    def fill(term: str, *, region: bool) -> dict[str, Any]:
        share = shares.get(term, np.nan)
        if np.isfinite(share):
            return {"facecolor": cmap(norm(share)), "edgecolor": "white"}
        # An empty region lets the shading of its limb show through.
        return {"facecolor": "none" if region else _NO_DATA_COLOUR, "edgecolor": "white"}

    def label(term: str, x: float, y: float, *, inside: bool = True, leader=None, **kw) -> None:
        share = shares.get(term, np.nan)
        if not np.isfinite(share):
            return
        colour = "black"
        if inside:
            colour = _text_colour(cmap(norm(share)))
        text = f"{share:.0%}"
        common = {"va": "center", "fontsize": _LABEL_SIZE, "color": colour, "zorder": 4}
        if leader is None:
            ax.text(x, y, text, gid=f"label:{term}", **common, **kw)
        else:
            line = {"arrowstyle": "-", "linewidth": 0.4, "color": "#555555", "shrinkA": 1,
                    "shrinkB": 0}  # fmt: skip
            note = ax.annotate(text, leader, xytext=(x, y), arrowprops=line, **common, **kw)
            note.set_gid(f"label:{term}")

    with _style_if_new(ax):
        if ax is None:
            ax = _new_axes((_COLUMN_WIDTH, 3.1))
        for term, is_region, polygon, placement in shapes:
            patch = Polygon(polygon, closed=True, linewidth=0.5, zorder=2 if is_region else 1,
                            **fill(term, region=is_region))  # fmt: skip
            patch.set_gid(term)
            ax.add_patch(patch)
            if placement is None:
                continue
            x, y = _centroid(polygon)
            if placement[0] == "in":
                label(term, x, placement[1] or y, ha="center")
                continue
            # Outside labels sit beyond the lateral edge, pointing back at the patch.
            leftward = x < (0.0 if x < _BACK_X / 2 else _BACK_X)
            edge = polygon[:, 0].min() - 0.3 if leftward else polygon[:, 0].max() + 0.3
            label(term, edge, placement[1] or y, inside=False, ha="right" if leftward else "left",
                  leader=(x, y))  # fmt: skip

        box_w, box_h, top = 1.9, 0.42, 2.2
        if anogenital:
            ax.text(_DETAIL_X, top + 0.08, names["anogenital"], ha="center", va="bottom",
                    fontsize=_LABEL_SIZE)  # fmt: skip
        for i, term in enumerate(anogenital):
            y = top - (i + 1) * (box_h + 0.07)
            box = Rectangle((_DETAIL_X - box_w / 2, y), box_w, box_h, linewidth=0.5, zorder=2,
                            **fill(term, region=False))  # fmt: skip
            box.set_gid(term)
            ax.add_patch(box)
            ax.text(_DETAIL_X - box_w / 2 + 0.08, y + box_h / 2, names[term], ha="left",
                    va="center", fontsize=_LABEL_SIZE, color=_text_colour(box.get_facecolor()),
                    zorder=4)  # fmt: skip
            label(term, _DETAIL_X + box_w / 2 + 0.08, y + box_h / 2, inside=False, ha="left")

        for x, name in ((0.0, "front"), (_BACK_X, "back")):
            ax.text(x, 10.1, name, ha="center", va="bottom", fontsize=7)
        missing = [term for term in shares if term not in drawn]
        if missing:
            parts = [
                f"{names.get(t, t)} {shares[t]:.0%}" if np.isfinite(shares[t]) else f"{t} (n/a)"
                for t in missing
            ]
            ax.text(-3.6, -0.3, "Not drawn: " + ", ".join(parts), ha="left", va="top",
                    fontsize=_LABEL_SIZE, wrap=True, gid="not drawn")  # fmt: skip
        ax.set_xlim(-3.7, _BACK_X + 3.6)
        ax.set_ylim(-0.9 if missing else -0.15, 10.5)
        ax.set_aspect("equal")
        ax.set_axis_off()
        colorbar = ax.figure.colorbar(
            mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, fraction=0.05, pad=0.02
        )
        colorbar.set_label("share of patients")
        _percent_axis(colorbar.ax.yaxis)
    return ax


# -- forest plot -----------------------------------------------------------------------

_SCALES = ("odds ratio", "proportion")


def _format_heterogeneity(heterogeneity: str | Mapping[str, Any]) -> str:
    if isinstance(heterogeneity, str):
        return heterogeneity
    names = {"i2": "I²", "tau2": "τ²", "q": "Q", "df": "df", "pvalue": "p", "h2": "H²"}
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
    ax: Axes | None = None,
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
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new one-column figure when None.

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
    from matplotlib.patches import Polygon
    from matplotlib.transforms import blended_transform_factory

    if scale not in _SCALES:
        raise ValueError(f"unknown scale {scale!r}; use one of {list(_SCALES)}")
    _require(frame, ["group", "level", "estimate", "ci_low", "ci_high"], "forest_plot")
    studies = frame[frame["group"] == "study"]
    pooled = frame[frame["group"] == "pooled"]
    if len(pooled) > 1:
        raise ValueError(f"forest_plot draws one pooled row; the frame has {len(pooled)}")
    if studies.empty and pooled.empty:
        raise ValueError('forest_plot needs rows with group "study" or "pooled"')
    log = scale == "odds ratio"

    est, low, high = (_floats(studies[c]) for c in ("estimate", "ci_low", "ci_high"))
    weight = (
        _floats(studies["weight"]) if "weight" in studies.columns else np.full(len(est), np.nan)
    )
    ys = -np.arange(len(studies), dtype=float)
    pooled_y = -(len(studies) + 0.5)

    values = np.concatenate([est, low, high])
    if not pooled.empty:
        for column in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
            if column in pooled.columns:
                values = np.append(values, _floats(pooled[column]))
    finite = values[np.isfinite(values) & ((values > 0) if log else True)]
    if log:
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.5, 2.0)
        lo, hi = min(lo, 1.0) / 1.25, max(hi, 1.0) * 1.25
    else:
        lo, hi = 0.0, 1.0

    def clip(values: np.ndarray) -> np.ndarray:
        # Open-ended bounds (0 or inf on the log scale) run to the axis edge.
        return np.clip(values, lo, hi)

    confidence = "CI"
    if "confidence_level" in frame.columns:
        levels = _floats(frame["confidence_level"])
        levels = levels[np.isfinite(levels)]
        if levels.size and np.all(levels == levels[0]):
            confidence = f"{levels[0]:.0%} CI"
    measure = "OR" if log else "%"

    def interval_text(e: float, a: float, b: float) -> str:
        if not np.isfinite(e):
            return "not estimable"
        if log:
            return f"{e:.2f} [{a:.2f}, {b:.2f}]".replace("inf", "∞")
        return f"{100 * e:.1f} [{100 * a:.1f}, {100 * b:.1f}]"

    with _style_if_new(ax):
        if ax is None:
            n_rows = len(studies) + (2 if not pooled.empty else 0)
            # One and a half columns: the estimate and weight columns need 1.6 in.
            ax = _new_axes((4.5, 1.1 + 0.2 * n_rows))
            ax.figure.subplots_adjust(left=0.28, right=0.62)
        text_at = blended_transform_factory(ax.transAxes, ax.transData)
        ok = np.isfinite(est)
        area = np.where(np.isfinite(weight), weight, 100.0 / max(len(est), 1))
        sizes = 6.0 + 60.0 * area / max(np.nanmax(area), 1e-12) if len(area) else area
        squares = ax.scatter(est[ok], ys[ok], s=sizes[ok], marker="s", color=PALETTE[0], zorder=3)
        squares.set_gid("studies")
        has_ci = ~np.isnan(low) & ~np.isnan(high)
        lines = ax.hlines(ys[has_ci], clip(low[has_ci]), clip(high[has_ci]), color="#333333",
                          linewidth=0.8, zorder=2)  # fmt: skip
        lines.set_gid("study intervals")

        def column_text(text: str, y: float, offset: float, **kwargs: Any) -> None:
            # Columns sit a fixed distance (points) right of the axes, whatever its width.
            ax.annotate(text, (1.0, y), xycoords=text_at, xytext=(offset, 0),
                        textcoords="offset points", va="center", fontsize=7, **kwargs)  # fmt: skip

        for y, e, a, b, w in zip(ys, est, low, high, weight, strict=True):
            column_text(interval_text(e, a, b), y, 6)
            if np.isfinite(w):
                column_text(f"{w:.1f}%", y, 112, ha="right")
        header_y = 0.9
        column_text(f"{measure} [{confidence}]", header_y, 6, fontweight="bold")
        if np.isfinite(weight).any():
            column_text("weight", header_y, 112, ha="right", fontweight="bold")

        labels = [str(v) for v in studies["level"]]
        ticks = list(ys)
        if not pooled.empty:
            e, a, b = (float(_floats(pooled[c])[0]) for c in ("estimate", "ci_low", "ci_high"))
            if all(np.isfinite([e, a, b])):
                a, b, e = (float(clip(np.array(v))) for v in (a, b, e))
                diamond = Polygon([(a, pooled_y), (e, pooled_y + 0.3), (b, pooled_y),
                                   (e, pooled_y - 0.3)], closed=True, facecolor=PALETTE[5],
                                  edgecolor=PALETTE[5], zorder=3)  # fmt: skip
                diamond.set_gid("pooled")
                ax.add_patch(diamond)
            if "pi_low" in pooled.columns and "pi_high" in pooled.columns:
                p_low, p_high = (
                    float(_floats(pooled["pi_low"])[0]),
                    float(_floats(pooled["pi_high"])[0]),
                )
                if np.isfinite(p_low) and np.isfinite(p_high):
                    (pi_line,) = ax.plot(clip(np.array([p_low, p_high])), [pooled_y] * 2,
                                         color=PALETTE[5], linewidth=0.8, marker="|",
                                         markersize=5, zorder=2)  # fmt: skip
                    pi_line.set_gid("prediction interval")
            column_text(interval_text(e, a, b), pooled_y, 6, fontweight="bold")
            labels.append(str(pooled["level"].iloc[0]))
            ticks.append(pooled_y)
            ax.axhline(pooled_y + 0.6, color="#999999", linewidth=0.5)

        if log:
            from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

            ax.set_xscale("log")
            # Plain numbers (0.5, 1, 2, 5) read better than powers of ten on a forest plot.
            ticks_at = [m * 10.0**k for k in range(-4, 5) for m in (1, 2, 5)]
            ax.xaxis.set_major_locator(FixedLocator(ticks_at))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.axvline(1.0, color="#666666", linewidth=0.6, linestyle="--", zorder=1)
            ax.set_xlabel("odds ratio (log scale)")
        else:
            _percent_axis(ax.xaxis)
            ax.set_xlabel("proportion")
        ax.set_xlim(lo, hi)
        ax.set_yticks(ticks, labels)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_ylim(min(ticks) - 0.7, header_y + 0.5)
        if heterogeneity is not None:
            # Below the x-axis label, whatever the axes' height.
            note = ax.annotate(
                _format_heterogeneity(heterogeneity),
                xy=(0.0, 0.0),
                xycoords="axes fraction",
                xytext=(0, -34),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=7,
            )
            note.set_gid("heterogeneity")
    return ax


# -- saving ----------------------------------------------------------------------------


def save_figure(
    fig: Figure, path_stem: str | Path, *, formats: Iterable[str] = ("png", "svg"), dpi: int = 300
) -> list[Path]:
    """Save a figure once per format, next to each other.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (``ax.figure`` for an Axes returned by casestats).
    path_stem : str or pathlib.Path
        Path without extension; ``".<format>"`` is appended (so ``"fig1.v2"``
        gives ``"fig1.v2.png"``). Missing parent folders are created.
    formats : iterable of str
        File formats known to matplotlib ("png", "svg", "pdf", ...).
    dpi : int
        Resolution of raster formats.

    Returns
    -------
    list of pathlib.Path
        The written files, in the order of `formats`.

    Examples
    --------
    >>> import tempfile, matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in save_figure(fig, Path(folder) / "figure1")]
    ['figure1.png', 'figure1.svg']
    >>> plt.close(fig)
    """
    import matplotlib as mpl

    formats = [str(f).lower().lstrip(".") for f in formats]
    supported = fig.canvas.get_supported_filetypes()
    unknown = [f for f in formats if f not in supported]
    if unknown:
        raise ValueError(f"unknown figure formats {unknown}; use some of {sorted(supported)}")
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    # A fixed hash salt and no timestamp make SVG files reproducible byte for byte.
    with mpl.rc_context({"svg.hashsalt": "casestats"}):
        for fmt in formats:
            path = stem.with_name(f"{stem.name}.{fmt}")
            metadata = {"Date": None} if fmt in ("svg", "pdf") else None
            fig.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata)
            paths.append(path)
    return paths
