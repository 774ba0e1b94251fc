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

if TYPE_CHECKING:
    from matplotlib.axes import Axes


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
        # hand, thigh and hip labels share the height of the hand: spread them apart
        _Shape("hand", np.vstack([[(2.77, 4.1), (2.47, 4.1)], hand_arc]), mirrored=True,
               label=out_right, label_y=3.4),
        _Shape("thigh", [(0.06, 4.7), (0.9, 4.7), (0.88, 4.2), (1.12, 4.2), (0.91, 3.05),
                         (0.19, 3.05)], mirrored=True, label=out_right, label_y=3.95),
        _Shape("hip", [(0.9, 4.7), (1.2, 4.7), (1.12, 4.2), (0.88, 4.2)], mirrored=True,
               label=out_right, label_y=4.5),
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
    # The anatomy table ships with the schema; read as a file so importing the
    # figures does not load the schema package.
    return pd.read_csv(Path(__file__).parents[1] / "schema" / "data" / "anatomy.csv", dtype=str)


def _names(anatomy: pd.DataFrame, levels: set[str]) -> dict[str, str]:
    """Display names; limb-rank rows next to region rows are marked "region not stated"."""
    names = dict(zip(anatomy["term"], anatomy["label"], strict=True))
    # "limb (side not stated)" reads like laterality; the row means "which limb not stated".
    names["limb_unspecified"] = "limb"
    ranks = dict(zip(anatomy["term"], anatomy["rank"], strict=True))
    if any(ranks.get(level) == "region" for level in levels):
        for term, rank in ranks.items():
            if rank == "limb" and term != "generalized":
                names[term] = f"{names[term]}, region not stated"
    return names


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
    names = _names(anatomy, set(levels))
    cmap = mpl.colormaps[SHARE_CMAP]
    norm = mpl.colors.Normalize(
        vmin=0.0, vmax=share_limit(np.array(list(shares.values())), headroom=1.0)
    )
    drawer = _BodyDrawer(shares, texts if annot else {}, names, cmap, norm, kwargs)

    with style_if_new(ax):
        if ax is None:
            ax = new_axes((COLUMN_WIDTH, 3.1))
        drawer.ax = ax
        drawable = anatomy[anatomy["rank"].isin(["limb", "region"])]
        drawn = drawer.draw_body([s for s in _placed_shapes() if s[0] in set(drawable["term"])])
        anogenital = drawable.loc[drawable["parent"] == "anogenital", "term"].tolist()
        drawer.draw_anogenital(anogenital)
        for x, name in ((0.0, "front"), (_BACK_X, "back")):
            ax.text(x, 10.1, name, ha="center", va="bottom", fontsize=7)
        missing = [term for term in shares if term not in drawn | set(anogenital)]
        if missing:
            parts = [
                f"{names.get(t, t)} {texts[t]}" if np.isfinite(shares[t]) else f"{t} (n/a)"
                for t in missing
            ]
            ax.text(_LEFT + 0.1, -0.3, "Not drawn: " + "; ".join(parts), ha="left", va="top",
                    fontsize=_LABEL_SIZE, wrap=True, gid="not drawn")  # fmt: skip
        ax.set_xlim(_LEFT, _BACK_X + 3.6)
        ax.set_ylim(-0.9 if missing else -0.15, 10.5)
        ax.set_aspect("equal")
        ax.set_axis_off()
        colorbar = ax.figure.colorbar(
            mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, fraction=0.05, pad=0.02
        )
        colorbar.set_label(colorbar_title)
        percent_axis(colorbar.ax.yaxis)
        add_note(ax, note)
    return ax


# Left edge of the figure: room for the named labels beside the front view's right side.
_LEFT = -5.2


class _BodyDrawer:
    """Patches and labels of one body map."""

    def __init__(self, shares, texts, names, cmap, norm, kwargs) -> None:
        self.shares, self.texts, self.names = shares, texts, names
        self.cmap, self.norm, self.kwargs = cmap, norm, kwargs

    def fill(self, term: str, *, region: bool) -> dict[str, Any]:
        share = self.shares.get(term, np.nan)
        if np.isfinite(share):
            face = self.cmap(self.norm(share))
        else:
            # An empty region lets the shading of its limb show through.
            face = "none" if region else NO_DATA_COLOUR
        return {"facecolor": face, "edgecolor": "white", "linewidth": 0.5, **self.kwargs}

    def label(self, term, x, y, *, inside=True, leader=None, named=False, **kw) -> None:
        if term not in self.texts or not np.isfinite(self.shares[term]):
            return
        text = self.texts[term]
        colour = "black"
        if inside:
            colour = _text_colour(self.cmap(self.norm(self.shares[term])))
        if named:
            # Beside the body there is room to say which region the count is for.
            text = f"{self.names.get(term, term)} {text}"
        common = {"va": "center", "fontsize": _LABEL_SIZE, "color": colour, "zorder": 4}
        if leader is None:
            self.ax.text(x, y, text, gid=f"label:{term}", **common, **kw)
            return
        # The leader starts 3 pt beside the text's edge that faces the patch. Without
        # patchA, matplotlib need not clip the line against the text's box at every draw
        # (a bisection that cost a third of the body map's drawing time).
        line = {"arrowstyle": "-", "linewidth": 0.4, "color": "#555555", "patchA": None,
                "relpos": (1.0 if kw.get("ha") == "right" else 0.0, 0.5), "shrinkA": 3,
                "shrinkB": 0}  # fmt: skip
        note = self.ax.annotate(text, leader, xytext=(x, y), arrowprops=line, **common, **kw)
        note.set_gid(f"label:{term}")

    def draw_body(self, shapes) -> set[str]:
        from matplotlib.patches import Polygon

        for term, is_region, polygon, placement in shapes:
            patch = Polygon(polygon, closed=True, zorder=2 if is_region else 1,
                            **self.fill(term, region=is_region))  # fmt: skip
            patch.set_gid(term)
            # add_artist, not add_patch: the limits are set once for the whole map, so
            # updating the data limits from every outline is wasted work.
            self.ax.add_artist(patch)
            if placement is None:
                continue
            x, y = _centroid(polygon)
            if placement[0] == "in":
                self.label(term, x, placement[1] or y, ha="center")
                continue
            # Outside labels sit beyond the lateral edge, pointing back at the patch.
            leftward = x < (0.0 if x < _BACK_X / 2 else _BACK_X)
            edge = polygon[:, 0].min() - 0.3 if leftward else polygon[:, 0].max() + 0.3
            self.label(term, edge, placement[1] or y, inside=False, named=is_region,
                       ha="right" if leftward else "left", leader=(x, y))  # fmt: skip
        return {s[0] for s in shapes}

    def draw_anogenital(self, anogenital: list[str]) -> None:
        from matplotlib.patches import Rectangle

        box_w, box_h, top = 1.9, 0.42, 2.2
        if anogenital:
            self.ax.text(_DETAIL_X, top + 0.08, "anogenital region", ha="center",
                         va="bottom", fontsize=_LABEL_SIZE)  # fmt: skip
        for i, term in enumerate(anogenital):
            y = top - (i + 1) * (box_h + 0.07)
            box = Rectangle((_DETAIL_X - box_w / 2, y), box_w, box_h, zorder=2,
                            **self.fill(term, region=False))  # fmt: skip
            box.set_gid(term)
            self.ax.add_artist(box)
            self.ax.text(_DETAIL_X - box_w / 2 + 0.08, y + box_h / 2, self.names[term],
                         ha="left", va="center", fontsize=_LABEL_SIZE,
                         color=_text_colour(box.get_facecolor()), zorder=4)  # fmt: skip
            self.label(term, _DETAIL_X + box_w / 2 + 0.08, y + box_h / 2, inside=False, ha="left")
