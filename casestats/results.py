"""The result base shared by every analysis and statistical test.

Every result is a frozen dataclass with named fields. Its :meth:`Result.to_frame`
returns a tidy DataFrame whose first columns are always :data:`TIDY_COLUMNS`, in
that order; result-specific columns (``measure``, ``study``, ``weight`` ...)
follow. The confidence level is a column, never part of a column name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

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
    """Base class of every casestats result.

    Subclasses are frozen dataclasses that implement :meth:`to_frame` and
    :meth:`_summary_lines`; those with a natural picture implement ``plot``.
    """

    def to_frame(self) -> pd.DataFrame:
        """The result as a tidy DataFrame (columns :data:`TIDY_COLUMNS` first)."""
        raise NotImplementedError

    def _summary_lines(self) -> list[str]:
        """Lines of the short report shown by ``repr``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return "\n".join(self._summary_lines())
