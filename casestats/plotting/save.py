"""Saving a figure once per format, reproducibly."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
        bbox = _tight_bbox(fig, dpi)
        for fmt in formats:
            path = stem.with_name(f"{stem.name}.{fmt}")
            metadata = {"Date": None} if fmt in ("svg", "pdf") else None
            fig.savefig(path, format=fmt, dpi=dpi, bbox_inches=bbox, metadata=metadata)
            paths.append(path)
    return paths


def _tight_bbox(fig: Figure, dpi: int):
    """The tight bounding box (inches, padded), from one layout pass shared by every format.

    ``savefig(bbox_inches="tight")`` lays the figure out again for each file: measuring once
    at the raster resolution and saving every format with that box halves the layout work.
    """
    import matplotlib as mpl

    with mpl.rc_context({"figure.dpi": dpi}):
        original = fig.dpi
        fig.dpi = dpi
        try:
            fig.draw_without_rendering()
            bbox = fig.get_tightbbox()
        finally:
            fig.dpi = original
    pad = mpl.rcParams["savefig.pad_inches"]
    return bbox.padded(pad, pad)
