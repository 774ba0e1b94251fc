"""The casestats figure style: one journal column, 8 pt text and the Okabe-Ito palette.

Colours come from :data:`PALETTE` (Okabe-Ito, safe for the common colour-vision
deficiencies); shares use a sequential map whose lightness rises monotonically, so
figures also read in greyscale.
"""

from __future__ import annotations

from typing import Any

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
SHARE_CMAP = "cividis_r"
NO_DATA_COLOUR = "#e6e6e6"
COLUMN_WIDTH = 3.5  # inches, one journal column


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
            "figure.figsize": (COLUMN_WIDTH, 2.6),
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
