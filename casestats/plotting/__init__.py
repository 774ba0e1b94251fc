"""Figures for casestats results: interval bars, share heatmaps, a body map, forest and
funnel plots, meta-analysis diagnostics.

Every function takes a tidy frame in the casestats column vocabulary (``group``,
``level``, ``events``, ``total``, ``estimate``, ``ci_low``, ``ci_high`` ...), draws
on `ax` (or on a new figure sized for one journal column when `ax` is None), passes
its other keywords to the matplotlib call that draws the marks and returns the Axes.
matplotlib is imported inside the functions so that
``import casestats.plotting`` stays cheap.

The generic figures (:mod:`~casestats.plotting.bars`, ``heatmap``, ``forest``,
``save``) know nothing of calcinosis, so the statistics layer may use them; the
body map reads the anatomy table and is imported only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from casestats.plotting._style import PALETTE, style
from casestats.plotting.bars import interval_bars
from casestats.plotting.diagnostics import bubble_plot, influence_plot, leave_one_out_plot
from casestats.plotting.forest import forest_plot
from casestats.plotting.funnel import funnel_plot
from casestats.plotting.heatmap import share_heatmap
from casestats.plotting.save import save_figure

if TYPE_CHECKING:
    from casestats.plotting.bodymap import body_map

__all__ = [
    "PALETTE",
    "body_map",
    "bubble_plot",
    "forest_plot",
    "funnel_plot",
    "influence_plot",
    "interval_bars",
    "leave_one_out_plot",
    "save_figure",
    "share_heatmap",
    "style",
]


def __getattr__(name: str) -> Any:
    # The body map is the one domain figure (it reads the anatomy table): loaded on first use,
    # so the statistics layer can import casestats.plotting without the schema.
    if name != "body_map":
        raise AttributeError(f"module 'casestats.plotting' has no attribute {name!r}")
    from casestats.plotting.bodymap import body_map

    globals()["body_map"] = body_map
    return body_map
