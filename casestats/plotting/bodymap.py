"""The body map: a front and back schematic shaded by share.

Domain-specific: it draws the terms of the calcinosis anatomy table, so it lives
apart from the generic figures that the statistics layer may import.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casestats.plotting._common import (
    add_note,
    count_label,
    floats,
    new_axes,
    percent_axis,
    require,
    share_limit,
    style_if_new,
)
from casestats.plotting._style import COLUMN_WIDTH, NO_DATA_COLOUR, SHARE_CMAP
from casestats.plotting._terms import LIMB_UNSPECIFIED

if TYPE_CHECKING:
    from matplotlib.axes import Axes


# The schematic figure, drawn in arbitrary units: feet at y = 0, crown at y = 9.9;
# the front view is centred on x = 0 and the back view on x = _BACK_X. Paired shapes
# are given for x > 0 and mirrored.
_BACK_X = 7.6
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

    `label` is None or ``(view, side)``: the view ("f" or "b") whose copy is labelled
    and the patient's side ("right"/"left", for mirrored shapes). Front-view labels
    sit in a column left of the front view, back-view labels in a column right of the
    back view, each joined to its patch by a leader line; `label_y` moves the point
    the leader ends at to that height.
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
    # Labels are shared out between the two columns: the face, trunk and arm regions
    # on the front view's right side; the neck, shoulder, back, buttock and leg regions
    # and the limb-rank rows on the back view's right side.
    front, front_right = ("f", None), ("f", "right")
    back, back_right = ("b", None), ("b", "right")

    limbs = [
        _Shape("head_neck", neck, label=back),
        _Shape("head_neck", head),
        _Shape("trunk", _symmetric(trunk_half), label=back, label_y=5.6),
        _Shape("upper_limb", upper_limb, mirrored=True, label=back_right),
        _Shape("lower_limb", lower_limb, mirrored=True, label=back_right, label_y=2.2),
        _Shape("anogenital", [(-0.3, 4.95), (0.3, 4.95), (0.12, 4.42), (-0.12, 4.42)], "f",
               label=front),
    ]  # fmt: skip
    regions = [
        _Shape("neck", neck, label=back),
        _Shape("scalp", _ellipse(0.0, 9.15, 0.6, 0.75, 25, 155), "f"),
        _Shape("scalp", head, "b", label=back),
        _Shape("face", _ellipse(0.0, 9.15, 0.6, 0.75, 155, 385), "f", label=front),
        _Shape("chest", _symmetric([(0.0, 8.0), (1.05, 8.0), (1.3, 7.75), (1.21, 6.7),
                                    (0.0, 6.7)]), "f", label=front),
        _Shape("abdomen", [(-0.7, 6.7), (0.7, 6.7), (0.7, 5.15), (0.3, 4.95), (-0.3, 4.95),
                           (-0.7, 5.15)], "f", label=front),
        _Shape("flank", [(0.7, 6.7), (1.21, 6.7), (1.05, 5.9), (1.13, 5.15), (0.7, 5.15)], "f",
               mirrored=True, label=front_right),
        _Shape("groin", [(0.3, 4.95), (0.7, 5.15), (1.13, 5.15), (1.2, 4.7), (0.2, 4.7)], "f",
               mirrored=True, label=front_right),
        # above the trunk's own leader, which ends in the same outline
        _Shape("back", _symmetric(trunk_half), "b", label=back, label_y=7.0),
        _Shape("shoulder", shoulder, mirrored=True, label=back_right),
        _Shape("axilla", [(1.27, 7.55), (1.46, 7.35), (1.58, 6.95), (1.27, 7.15)], "f",
               mirrored=True, label=front_right),
        _Shape("arm", _tube(_ARM[0:2]), mirrored=True, label=front_right),
        _Shape("elbow", _tube(_ARM[1:3]), mirrored=True, label=front_right),
        _Shape("forearm", _tube(_ARM[2:4]), mirrored=True, label=front_right),
        _Shape("wrist", _tube(_ARM[3:5]), mirrored=True, label=front_right),
        _Shape("hand", np.vstack([[(2.77, 4.1), (2.47, 4.1)], hand_arc]), mirrored=True,
               label=front_right),
        _Shape("thigh", [(0.06, 4.7), (0.9, 4.7), (0.88, 4.2), (1.12, 4.2), (0.91, 3.05),
                         (0.19, 3.05)], mirrored=True, label=back_right, label_y=3.7),
        _Shape("hip", [(0.9, 4.7), (1.2, 4.7), (1.12, 4.2), (0.88, 4.2)], mirrored=True,
               label=back_right),
        _Shape("buttock", _ellipse(0.5, 4.9, 0.5, 0.45), "b", mirrored=True, label=back_right),
        _Shape("knee", _tube(_LEG[1:3]), mirrored=True, label=back_right),
        _Shape("leg", _tube(_LEG[2:4]), mirrored=True, label=back_right),
        _Shape("ankle", _tube(_LEG[3:5]), mirrored=True, label=back_right),
        _Shape("foot", foot, mirrored=True, label=back_right),
    ]  # fmt: skip
    return limbs, regions


def _placed_shapes() -> list[tuple[str, bool, np.ndarray, tuple[str, float | None] | None]]:
    """(term, is region, polygon, label (view, leader height) or None) per patch, in order."""
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
                    if shape.label == (view, side):
                        placement = (view, shape.label_y)
                    polygon = shape.polygon * [sign, 1.0] + [dx, 0.0]
                    placed.append((shape.term, is_region, polygon, placement))
    return placed


def _leader_end(polygon: np.ndarray, view: str, height: float | None) -> tuple[float, float]:
    """Where a leader meets its patch: halfway from the centroid to the edge it comes from."""
    x, y = _centroid(polygon)
    edge = polygon[:, 0].min() if view == "f" else polygon[:, 0].max()
    return (x + edge) / 2, y if height is None else height


# Where the label columns stand: right-aligned left of the front view's hand, and
# left-aligned right of the back view's hand; the x limits are fitted to their text.
_LEFT_COLUMN = -3.3
_RIGHT_COLUMN = _BACK_X + 3.3
# Anogenital regions are too small to place on a figure of this size, so they sit in
# a key of swatches between the two views, below the hands.
_KEY_X, _KEY_TOP, _KEY_STEP = 1.2, 2.75, 0.72
_BOTTOM = _KEY_TOP - 4 * _KEY_STEP - 0.35


def _anatomy() -> pd.DataFrame:
    # The anatomy table ships with the schema; read as a file so importing the
    # figures does not load the schema package.
    return pd.read_csv(Path(__file__).parents[1] / "schema" / "data" / "anatomy.csv", dtype=str)


def _names(anatomy: pd.DataFrame, levels: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Display names, and the limb-rank rows that sit next to region rows.

    Next to region rows a limb row counts the patients whose region is not stated, so
    its name says so ("upper limb, region not stated"); the second mapping holds the
    bare names of those rows, which the labels print over two lines.
    """
    names = dict(zip(anatomy["term"], anatomy["label"], strict=True))
    names["limb_unspecified"] = LIMB_UNSPECIFIED
    ranks = dict(zip(anatomy["term"], anatomy["rank"], strict=True))
    coarse = {}
    if any(ranks.get(level) == "region" for level in levels):
        for term, rank in ranks.items():
            if rank == "limb" and term != "generalized":
                coarse[term] = names[term]
                if term == "limb_unspecified":
                    continue
                names[term] = f"{names[term]}, region not stated"
    return names, coarse


def body_map(
    frame: pd.DataFrame,
    *,
    annot: bool = True,
    colorbar_title: str = "share of patients",
    note: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """A front and back schematic of the body with each region shaded by its share.

    Every term of the anatomy table at rank ``limb`` or ``region`` that has a place
    on the body gets a patch (left and right limbs mirrored; limb-rank patches form
    the silhouette, region-rank patches lie on top). A patch is shaded by the
    ``estimate`` of the row whose ``level`` is its term and labelled once with
    ``k/n`` (the percentage when the frame has no counts); labels beside the body
    also name their region. Patches without a row stay grey (an empty region shows
    its limb). The anogenital regions sit in a column of named boxes between the
    views. Rows that cannot be drawn (``generalized``, site-rank terms, unknown
    levels) are listed in a note under the figure; next to region rows, limb rows
    are named "..., region not stated".

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``level`` and ``estimate`` (in [0, 1]), optionally ``events`` and
        ``total``; one row per level, so a frame holding several groups must be
        filtered to one first.
    annot : bool
        Label the shaded patches.
    colorbar_title : str
        Title of the colour scale, which runs from 0 to the largest share rounded
        up to 5 %.
    note : str, optional
        A short subtitle, e.g. what is counted, n and the interval method.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new one-column figure when None.
    **kwargs
        Passed to every :class:`~matplotlib.patches.Polygon` patch (e.g.
        ``edgecolor``, ``linewidth``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
        Each patch has its anatomy term as ``gid``; labels have the gid
        ``"label:<term>"`` and the note the gid ``"not drawn"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"level": ["hand", "elbow", "generalized"],
    ...                       "events": [13, 4, 1], "total": [21, 21, 21],
    ...                       "estimate": [0.62, 0.19, 0.05]})
    >>> ax = body_map(frame)
    >>> sorted(t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("label:"))
    ['elbow 4/21', 'hand 13/21']
    >>> plt.close(ax.figure)
    """
    import matplotlib as mpl

    require(frame, ["level", "estimate"], "body_map")
    if "group" in frame.columns and frame["group"].nunique() > 1:
        groups = list(dict.fromkeys(frame["group"].dropna()))
        raise ValueError(
            f"body_map draws one group; the frame holds {groups}. "
            f"Select one, e.g. frame[frame['group'] == {groups[0]!r}]"
        )
    rows = frame[frame["level"].notna()]
    repeated = rows["level"][rows["level"].duplicated()]
    if len(repeated):
        raise ValueError(f"body_map needs one row per level; {repeated.iloc[0]!r} repeats")
    levels = rows["level"].astype(str).tolist()
    shares = dict(zip(levels, floats(rows["estimate"]), strict=True))
    texts = {level: f"{share:.0%}" for level, share in shares.items()}
    if "events" in rows.columns and "total" in rows.columns:
        for level, k, n in zip(levels, rows["events"], rows["total"], strict=True):
            texts[level] = count_label(k, n) or texts[level]
    anatomy = _anatomy()
    names, coarse = _names(anatomy, set(levels))
    cmap = mpl.colormaps[SHARE_CMAP]
    norm = mpl.colors.Normalize(
        vmin=0.0, vmax=share_limit(np.array(list(shares.values())), headroom=1.0)
    )
    drawer = _BodyDrawer(shares, texts if annot else {}, names, coarse, cmap, norm, kwargs)

    with style_if_new(ax):
        if ax is None:
            ax = new_axes((COLUMN_WIDTH, 2.0))
            # The map draws no axis, so its labels may take the whole width.
            ax.set_position([0.01, 0.01, 0.98, 0.9])
        drawer.ax = ax
        drawable = anatomy[anatomy["rank"].isin(["limb", "region"])]
        drawn = drawer.draw_body([s for s in _placed_shapes() if s[0] in set(drawable["term"])])
        anogenital = drawable.loc[drawable["parent"] == "anogenital", "term"].tolist()
        drawer.draw_anogenital(anogenital)
        for x, name in ((0.0, "front"), (_BACK_X, "back")):
            ax.text(x, 10.1, name, ha="center", va="bottom", fontsize=7)
        missing = [term for term in shares if term not in drawn | set(anogenital)]
        _footnote(ax, missing, drawer)
        ax.set_ylim(_BOTTOM, 10.5)
        ax.set_aspect("equal")
        ax.set_axis_off()
        _colour_key(ax, cmap, norm, colorbar_title)
        add_note(ax, note)
        drawer.place_labels()
    return ax


def _footnote(ax: Axes, missing: list[str], drawer: _BodyDrawer) -> None:
    """Under the map: the limb-rank rows whose region is not stated, and rows not drawn."""

    def part(term):
        name = drawer.coarse.get(term) or drawer.names.get(term, term)
        if not np.isfinite(drawer.shares[term]):
            return f"{name} (n/a)"
        return f"{name} {drawer.texts.get(term, '')}".strip()

    coarse = [t for t in drawer.shares if t in drawer.coarse]
    lines = []
    if coarse:
        lines.append("Region not stated (shaded where no region is): "
                     + "; ".join(part(t) for t in coarse) + ".")  # fmt: skip
    missing = [t for t in missing if t not in drawer.coarse]
    if missing:
        lines.append("Not drawn: " + "; ".join(part(t) for t in missing) + ".")
    if lines:
        # From the left edge, wherever the fitted x limits put it.
        ax.text(0.0, _BOTTOM - 0.1, " ".join(lines), ha="left", va="top", wrap=True,
                fontsize=_LABEL_SIZE, gid="not drawn",
                transform=ax.get_yaxis_transform())  # fmt: skip


def _colour_key(ax: Axes, cmap, norm, title: str) -> None:
    """A short vertical colour bar in the gap between the two views, below its title."""
    import matplotlib as mpl
    from matplotlib.ticker import MaxNLocator

    key = ax.inset_axes([_BACK_X / 2 - 0.45, 5.2, 0.28, 2.6], transform=ax.transData)
    key.set_gid("colour key")
    colorbar = ax.figure.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), cax=key)
    colorbar.outline.set_linewidth(0)
    key.tick_params(labelsize=_LABEL_SIZE, length=2, pad=1)
    percent_axis(key.yaxis)
    # A short bar: three or four ticks, or their labels run into each other.
    key.yaxis.set_major_locator(MaxNLocator(nbins=3, steps=[1, 2, 5, 10]))
    ax.text(_BACK_X / 2, 8.1, title.replace(" ", "\n", 1) if len(title) > 12 else title,
            ha="center", va="bottom", fontsize=_LABEL_SIZE, linespacing=1.1)  # fmt: skip


class _BodyDrawer:
    """Patches, the anogenital key and the label columns of one body map."""

    def __init__(self, shares, texts, names, coarse, cmap, norm, kwargs) -> None:
        self.shares, self.texts, self.names, self.coarse = shares, texts, names, coarse
        self.cmap, self.norm, self.kwargs = cmap, norm, kwargs
        self.pending: list[tuple[str, str, tuple[float, float]]] = []

    def fill(self, term: str, *, region: bool) -> dict[str, Any]:
        share = self.shares.get(term, np.nan)
        if np.isfinite(share):
            face = self.cmap(self.norm(share))
        else:
            # An empty region lets the shading of its limb show through.
            face = "none" if region else NO_DATA_COLOUR
        return {"facecolor": face, "edgecolor": "white", "linewidth": 0.5, **self.kwargs}

    def text(self, term: str) -> str | None:
        """The label: the region's name and k/n (its share without counts)."""
        if term not in self.texts or not np.isfinite(self.shares[term]):
            return None
        return f"{self.names.get(term, term)} {self.texts[term]}"

    def draw_body(self, shapes) -> set[str]:
        from matplotlib.patches import Polygon

        for term, is_region, polygon, placement in shapes:
            patch = Polygon(polygon, closed=True, zorder=2 if is_region else 1,
                            **self.fill(term, region=is_region))  # fmt: skip
            patch.set_gid(term)
            # add_artist, not add_patch: the limits are set once for the whole map, so
            # updating the data limits from every outline is wasted work.
            self.ax.add_artist(patch)
            # Limb rows beside region rows are listed under the map instead.
            if placement is not None and term not in self.coarse and self.text(term):
                self.pending.append((term, placement[0], _leader_end(polygon, *placement)))
        return {s[0] for s in shapes}

    def draw_anogenital(self, anogenital: list[str]) -> None:
        from matplotlib.patches import Rectangle

        if not anogenital:
            return
        self.ax.text(_KEY_X, _KEY_TOP, "anogenital region", ha="left", va="center",
                     fontsize=_LABEL_SIZE)  # fmt: skip
        size = 0.42
        for i, term in enumerate(anogenital):
            y = _KEY_TOP - (i + 1) * _KEY_STEP
            box = Rectangle((_KEY_X, y - size / 2), size, size, zorder=2,
                            **self.fill(term, region=False))  # fmt: skip
            box.set_gid(term)
            self.ax.add_artist(box)
            gid = f"label:{term}" if term in self.texts else None
            self.ax.text(_KEY_X + size + 0.2, y, self.text(term) or self.names[term],
                         ha="left", va="center", fontsize=_LABEL_SIZE, gid=gid)  # fmt: skip

    def place_labels(self) -> None:
        """Each column's labels at their patches' heights, pushed apart where they would touch.

        Measured on the axes as laid out now (after the colour bar took its room), so the
        spacing holds at any figure width.
        """
        from matplotlib.text import Text

        ax = self.ax
        renderer = ax.figure.canvas.get_renderer()
        gap = renderer.points_to_pixels(1.0)
        line = {"arrowstyle": "-", "linewidth": 0.4, "color": "#555555", "patchA": None,
                "shrinkA": 2, "shrinkB": 0}  # fmt: skip
        columns = []
        for view, x, ha in (("f", _LEFT_COLUMN, "right"), ("b", _RIGHT_COLUMN, "left")):
            entries = sorted((e for e in self.pending if e[1] == view), key=lambda e: -e[2][1])
            notes = []
            for term, _, end in entries:
                # The leader starts 2 pt beside the text's edge that faces the patch. Without
                # patchA, matplotlib need not clip the line against the text's box at every
                # draw (a bisection that cost a third of the body map's drawing time).
                arrow = {**line, "relpos": (1.0 if ha == "right" else 0.0, 0.5)}
                note = ax.annotate(self.text(term), end, xytext=(x, end[1]), ha=ha, va="center",
                                   fontsize=_LABEL_SIZE, arrowprops=arrow, zorder=4)  # fmt: skip
                note.set_gid(f"label:{term}")
                notes.append(note)
            columns.append((x, entries, notes))
        widths = [max((Text.get_window_extent(n, renderer).width for n in c[2]), default=0.0)
                  for c in columns]  # fmt: skip
        _fit_width(ax, *widths)
        bottom, top = ax.transData.transform([(0, ax.get_ylim()[0]), (0, 10.0)])[:, 1]
        for x, entries, notes in columns:
            heights = [Text.get_window_extent(n, renderer).height + gap for n in notes]
            wanted = [ax.transData.transform(e[2])[1] for e in entries]
            for note, y in zip(notes, _spread(wanted, heights, bottom, top), strict=True):
                note.set_position((x, ax.transData.inverted().transform((0, y))[1]))


def _fit_width(ax: Axes, left: float, right: float) -> None:
    """x limits with room for label columns `left` and `right` pixels wide.

    With equal aspect the scale (pixels per unit) is the larger limits' share of the
    axes box: solved in closed form instead of drawing the figure again.
    """
    box = ax.get_position(original=True)
    width, height = ax.figure.get_size_inches() * ax.figure.dpi * (box.width, box.height)
    core = _RIGHT_COLUMN - _LEFT_COLUMN
    margin = 0.3 * ax.figure.dpi / 72 * _LABEL_SIZE
    y0, y1 = ax.get_ylim()
    scale = min(max(width - left - right - 2 * margin, 0.2 * width) / core, height / (y1 - y0))
    ax.set_xlim(_LEFT_COLUMN - (left + margin) / scale, _RIGHT_COLUMN + (right + margin) / scale)
    ax.apply_aspect()


def _spread(wanted: list[float], heights: list[float], bottom: float, top: float) -> list[float]:
    """Centres (pixels, listed top to bottom) as near `wanted` as no overlap allows.

    A downward pass keeps each label below the one above it; if that pushes the last
    below `bottom`, an upward pass lifts them, never above `top` unless they cannot fit.
    """
    ys = []
    for y, h in zip(wanted, heights, strict=True):
        limit = top if not ys else ys[-1] - heights[len(ys) - 1] / 2
        ys.append(min(y, limit - h / 2))
    floor = bottom
    for i in range(len(ys) - 1, -1, -1):
        ys[i] = max(ys[i], floor + heights[i] / 2)
        floor = ys[i] + heights[i] / 2
    return ys
