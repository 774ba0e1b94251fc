"""The result base shared by every analysis and statistical test.

Every result is a frozen dataclass with named fields. Its :meth:`Result.to_frame`
returns a tidy DataFrame whose first columns are always :data:`TIDY_COLUMNS`, in
that order; result-specific columns (``measure``, ``study``, ``weight`` ...)
follow. The confidence level is a column, never part of a column name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TIDY_COLUMNS", "ConfidenceInterval", "Result", "tidy_frame"]

#: The column vocabulary of every ``to_frame()``, in order.
TIDY_COLUMNS: tuple[str, ...] = (
    "group",
    "level",
    "events",
    "total",
    "estimate",
    "ci_low",
    "ci_high",
    "confidence_level",
    "statistic",
    "pvalue",
    "pvalue_adjusted",
    "method",
)


class ConfidenceInterval(NamedTuple):
    """A two-sided confidence interval ``(low, high)``."""

    low: float
    high: float


def tidy_frame(rows: Iterable[Mapping[str, Any]], extra: Iterable[str] = ()) -> pd.DataFrame:
    """Build a DataFrame in the shared column vocabulary.

    Parameters
    ----------
    rows : iterable of mappings
        One mapping per output row. Keys outside :data:`TIDY_COLUMNS` must be
        named in `extra`.
    extra : iterable of str
        Result-specific columns, placed after the shared ones in this order.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TIDY_COLUMNS` then `extra`; absent values are missing.

    Examples
    --------
    >>> tidy_frame([{"level": "dystrophic", "events": 3, "total": 10}]).columns[:4].tolist()
    ['group', 'level', 'events', 'total']
    """
    import pandas as pd

    extra = list(extra)
    columns = list(TIDY_COLUMNS) + extra
    rows = list(rows)
    unknown = sorted({key for row in rows for key in row} - set(columns))
    if unknown:
        raise ValueError(f"tidy_frame got columns outside the vocabulary: {unknown}")
    frame = pd.DataFrame.from_records(rows, columns=columns)
    # Integer counts stay integers even when some rows lack them.
    for name in ("events", "total"):
        if frame[name].notna().all() and len(frame):
            frame[name] = frame[name].astype("int64")
        else:
            frame[name] = frame[name].astype("Int64")
    for name in ("group", "level", "method"):
        frame[name] = frame[name].astype("object")
    return frame


@dataclass(frozen=True, eq=False)
class Result:
    """Base class of every casestats result: the result contract.

    Every result is a frozen dataclass with named fields and offers

    * :meth:`to_frame`: a tidy DataFrame, :data:`TIDY_COLUMNS` first;
    * :meth:`confidence_interval`: the stored interval, or one recomputed at another
      ``confidence_level`` (as scipy.stats results do). A result with one estimate
      returns floats; a result with several returns two :class:`pandas.Series`
      indexed by the estimate's label, in the order of :meth:`to_frame`;
    * :meth:`summary`: a readable multi-line report (also ``str(result)``), while
      ``repr(result)`` is one short line;
    * ``plot(ax=None, **kwargs) -> Axes`` where a picture helps, with `kwargs`
      passed on to matplotlib.

    Subclasses implement :meth:`to_frame`, :meth:`confidence_interval` and
    :meth:`_summary_lines`, and may override :meth:`_repr_fields`.
    """

    def to_frame(self) -> pd.DataFrame:
        """The result as a tidy DataFrame (columns :data:`TIDY_COLUMNS` first)."""
        raise NotImplementedError

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """The interval at `confidence_level`; the stored one when it is None."""
        raise NotImplementedError

    def _summary_lines(self) -> list[str]:
        """Lines of the readable report shown by :meth:`summary`."""
        raise NotImplementedError

    #: Attributes shown by ``repr`` when a subclass has them, in this order.
    _REPR_NAMES: ClassVar[tuple[str, ...]] = (
        "method", "estimate", "ci_low", "ci_high", "pvalue", "k", "n",
    )  # fmt: skip

    def _repr_fields(self) -> dict[str, Any]:
        """The few name=value pairs shown by ``repr``; override to choose others."""
        fields = {}
        for name in self._REPR_NAMES:
            value = getattr(self, name, None)
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                fields[name] = value
        return fields

    def summary(self) -> str:
        """A readable report of the result, several lines long."""
        return "\n".join(self._summary_lines())

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        parts = []
        for name, value in self._repr_fields().items():
            text = f"{value:.4g}" if isinstance(value, float) else repr(value)
            parts.append(f"{name}={text}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def _repr_pretty_(self, printer, cycle) -> None:
        # IPython and Jupyter show the readable report, as statsmodels' summaries do.
        printer.text(repr(self) if cycle else self.summary())
