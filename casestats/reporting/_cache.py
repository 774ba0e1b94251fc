"""Analyses and figures computed once per run, shared by the analysis scripts and the report."""

from __future__ import annotations

import functools
import gc
import inspect
import io
import os
import shutil
import sys
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ResultCache"]

_PLAIN = (str, int, float, bool, type(None))
_FORMATS = ("png", "svg")


def _key_part(value: Any) -> Any:
    """A value as part of a cache key: plain values by value, anything else by identity."""
    if isinstance(value, _PLAIN):
        return (type(value).__name__, value)
    if isinstance(value, tuple) and all(isinstance(v, _PLAIN) for v in value):
        return ("tuple", value)
    return ("id", id(value))


def _draw(result: Any, stem: Path, dpi: int, plot_kwargs: dict) -> list[Path]:
    import matplotlib.pyplot as plt

    from casestats.plotting import save_figure

    fig = result.plot(**plot_kwargs).figure
    try:
        return save_figure(fig, stem, formats=_FORMATS, dpi=dpi)
    finally:
        plt.close(fig)


@functools.cache
def _warm_up() -> None:
    """Load, once in this process, what every drawing process would otherwise load again.

    The modules (pyplot, both backends, the PNG writer) and the fonts of the
    casestats style: a small figure with text, written as PNG and SVG to
    memory, outside pyplot (its figure numbers are left as they were).
    """
    import matplotlib.backends.backend_svg
    import matplotlib.pyplot  # noqa: F401
    from matplotlib.figure import Figure

    import casestats.plotting.bodymap  # noqa: F401
    from casestats.plotting import style

    with style():
        fig = Figure(figsize=(1, 1))
        fig.add_subplot().set_title("warm-up")
        for fmt in _FORMATS:
            fig.savefig(io.BytesIO(), format=fmt)


def _draw_in_child(result: Any, stem: Path, dpi: int, plot_kwargs: dict) -> int:
    """Fork a process that draws and saves the figure; return its process id.

    The child is a copy of this process at the moment of the fork (modules,
    data, the result), so it draws exactly what :func:`_draw` would draw here.
    """
    _warm_up()
    sys.stdout.flush()  # or the child would print what is still buffered a second time
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    # no collections in the short-lived child: they would touch (and so copy) every page of
    # the parent's objects
    gc.disable()
    code = 1
    try:
        _draw(result, stem, dpi, plot_kwargs)
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class ResultCache:
    """Analyses and figures computed once per run and reused wherever they are asked for again.

    The main job (``analyses/run_all.py``) runs each analysis script and then
    writes the report, which asks for several of the same results and figures:
    with one cache shared by both, each analysis runs once and each figure is
    drawn once; a figure asked for again is copied byte for byte.

    An analysis is the same when it is the same function called on the same
    objects (compared by identity, so load each dataset once) with the same
    options, defaults filled in. Warnings it raised are raised again on every
    reuse, so whoever asks sees them.

    With ``processes`` greater than 0 (and where the system can fork), each
    figure is drawn by a forked copy of this process while this one goes on,
    at most ``processes`` at a time: matplotlib draws on one core, so the
    figures of a run use the other cores. The files are the same byte for
    byte as those drawn here. :meth:`wait` returns when every figure is
    written; a figure asked for again waits for its first drawing.

    Parameters
    ----------
    processes : int
        How many figures may be drawn at once in other processes; 0 (the
        default) draws each figure in this process before returning.

    Examples
    --------
    >>> import tempfile, casestats
    >>> from pathlib import Path
    >>> cache = ResultCache()
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> first = cache.run(casestats.subtype_frequency, cases)
    >>> cache.run(casestats.subtype_frequency, cases, confidence_level=0.95) is first
    True
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     drawn = cache.save_figure(first, Path(folder) / "a")
    ...     copied = cache.save_figure(first, Path(folder) / "b")
    ...     [p.name for p in copied], drawn[1].read_bytes() == copied[1].read_bytes()
    (['b.png', 'b.svg'], True)
    """

    def __init__(self, *, processes: int = 0) -> None:
        self._results: dict[tuple, tuple[Any, list]] = {}
        self._figures: dict[tuple, list[Path]] = {}  # key -> the files first written
        self._kept: list[Any] = []  # objects keyed by identity stay alive, so ids stay unique
        self.processes = processes
        self._drawing: dict[tuple, tuple[int, Path]] = {}  # key -> (process id, stem)
        self._failed: list[Path] = []  # figures whose process failed, until wait() says so

    def __repr__(self) -> str:
        return f"ResultCache(results={len(self._results)}, figures={len(self._figures)})"

    @property
    def processes(self) -> int:
        """How many figures may be drawn at once in other processes (0 where there is no fork)."""
        return self._processes

    @processes.setter
    def processes(self, value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"processes must be a whole number >= 0, got {value!r}")
        self._processes = value if hasattr(os, "fork") else 0

    def wait(self) -> None:
        """Return when every figure asked for is written.

        Raises
        ------
        RuntimeError
            When a figure could not be drawn (its error is printed above), naming it.
        """
        for key in list(self._drawing):
            self._reap(key)
        failed, self._failed = self._failed, []
        if failed:
            names = ", ".join(str(stem) for stem in failed)
            raise RuntimeError(f"figures not drawn (their errors are printed above): {names}")

    def _reap(self, key: tuple) -> bool:
        """Wait for the process drawing `key`, if any; False when it failed."""
        if key not in self._drawing:
            return key in self._figures
        pid, stem = self._drawing.pop(key)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) == 0:
            return True
        del self._figures[key]
        self._failed.append(stem)
        return False

    def run(self, function: Callable, *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)``, computed on the first call only.

        Parameters
        ----------
        function : callable
            An analysis, for example :func:`casestats.site_distribution`.
        *args, **kwargs
            Its data and options, as for a direct call.

        Returns
        -------
        object
            What `function` returned (the same object on every call).
        """
        bound = inspect.signature(function).bind(*args, **kwargs)
        bound.apply_defaults()
        key = (id(function), *((k, _key_part(v)) for k, v in bound.arguments.items()))
        if key not in self._results:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = function(*args, **kwargs)
            self._kept += [function, *bound.arguments.values()]
            self._results[key] = (result, list(caught))
        result, caught = self._results[key]
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return result

    def save_figure(
        self, result: Any, path_stem: str | Path, *, dpi: int = 300, **plot_kwargs: Any
    ) -> list[Path]:
        """Save ``result.plot(**plot_kwargs)`` as PNG and SVG, drawing it on the first call only.

        Parameters
        ----------
        result : object
            A result with a ``.plot`` method.
        path_stem : str or pathlib.Path
            Path without extension, as for :func:`casestats.plotting.save_figure`.
        dpi : int
            Resolution of the PNG.
        **plot_kwargs
            Passed to ``result.plot``.

        Returns
        -------
        list of pathlib.Path
            The PNG and the SVG.
        """
        key = (id(result), dpi, *sorted((k, _key_part(v)) for k, v in plot_kwargs.items()))
        stem = Path(path_stem)
        paths = [stem.with_name(f"{stem.name}.{fmt}") for fmt in _FORMATS]
        if key in self._figures and self._reap(key):
            stem.parent.mkdir(parents=True, exist_ok=True)
            for source, path in zip(self._figures[key], paths, strict=True):
                shutil.copyfile(source, path)
            return paths
        self._kept.append(result)
        if not self._processes:
            self._figures[key] = _draw(result, stem, dpi, plot_kwargs)
            return paths
        if len(self._drawing) >= self._processes:
            self._reap(next(iter(self._drawing)))  # the oldest first; wait() reports failures
        self._drawing[key] = (_draw_in_child(result, stem, dpi, plot_kwargs), stem)
        self._figures[key] = paths
        return paths
