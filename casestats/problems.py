"""Problems found in input data, and the report that lists them all.

Readers and validation both describe what is wrong with a file as
:class:`Problem` records, collected into one :class:`ValidationReport`. The
report is tidy (one row per problem) and located as the user sees the file:
the spreadsheet row number and, for Excel files, the cell address.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PROBLEM_COLUMNS", "SEVERITIES", "Problem", "ValidationReport"]

#: Severities, most serious first. Only errors stop :func:`casestats.read_cases`.
SEVERITIES = ("error", "warning", "info")

#: Columns of :attr:`ValidationReport.problems`, in order.
PROBLEM_COLUMNS = (
    "severity",
    "code",
    "row",
    "cell",
    "column",
    "case_id",
    "value",
    "expected",
    "hint",
)


@dataclass(frozen=True)
class Problem:
    """One problem, located.

    Parameters
    ----------
    severity : {"error", "warning", "info"}
    code : str
        A stable, machine-readable name such as ``"unknown_term"``.
    row : int or None
        Row number as the user sees it (the spreadsheet row, header = 1), or
        None for a problem with the whole file or a whole column.
    cell : str
        Cell address such as ``Cases!C17`` for Excel files, ``C17`` for CSV,
        ``""`` where it does not apply.
    column : str
        Column header as typed in the file.
    case_id : str
        The row's case identifier, where it has one.
    value : str
        The offending value, verbatim.
    expected : str
        What was expected instead.
    hint : str
        A suggestion, such as ``did you mean 'limited'?``.
    """

    severity: str
    code: str
    row: int | None = None
    cell: str = ""
    column: str = ""
    case_id: str = ""
    value: str = ""
    expected: str = ""
    hint: str = ""

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")

    def describe(self) -> str:
        """One readable line: where, what, what was expected, and the hint."""
        where = self.cell or (f"row {self.row}" if self.row is not None else "file")
        parts = [f"{self.severity}: {where}"]
        if self.column:
            parts.append(f"column {self.column!r}")
        if self.case_id:
            parts.append(f"case {self.case_id!r}")
        text = ", ".join(parts) + f": {self.code}"
        if self.value:
            text += f" (value {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.hint:
            text += f"; {self.hint}"
        return text


@dataclass(frozen=True)
class ValidationReport:
    """Every problem found in one pass over the input.

    Attributes
    ----------
    items : tuple of Problem
        In file order (row, then column), file-level problems first.
    source : str
        What was read (a path, or ``"<DataFrame>"``).
    n_rows : int
        Number of data rows read.

    Examples
    --------
    >>> report = ValidationReport((Problem("error", "duplicate_case_id", row=3,
    ...     cell="A3", column="case_id", value="007", expected="a unique case_id"),),
    ...     source="cases.csv", n_rows=2)
    >>> report.ok
    False
    >>> print(report)
    cases.csv: 2 rows, 1 error, 0 warnings, 0 notes
      error: A3, column 'case_id': duplicate_case_id (value '007'); expected a unique case_id
    """

    items: tuple[Problem, ...] = field(default_factory=tuple)
    source: str = ""
    n_rows: int = 0

    @classmethod
    def single(cls, problem: Problem, *, source: str = "") -> ValidationReport:
        """A report of one file-level problem (an unreadable file, say)."""
        return cls((problem,), source=source, n_rows=0)

    @property
    def problems(self) -> pd.DataFrame:
        """The problems as a tidy DataFrame, columns :data:`PROBLEM_COLUMNS`."""
        import pandas as pd

        frame = pd.DataFrame([asdict(p) for p in self.items], columns=list(PROBLEM_COLUMNS))
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def count(self, severity: str) -> int:
        """Number of problems of one severity."""
        return sum(p.severity == severity for p in self.items)

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings and notes allowed)."""
        return self.count("error") == 0

    def __str__(self) -> str:
        errors, warnings, notes = (self.count(s) for s in SEVERITIES)
        head = (
            f"{self.source or 'input'}: {self.n_rows} rows, "
            f"{errors} error{'s' * (errors != 1)}, "
            f"{warnings} warning{'s' * (warnings != 1)}, "
            f"{notes} note{'s' * (notes != 1)}"
        )
        return "\n".join([head] + ["  " + p.describe() for p in self.items])

    def _repr_html_(self) -> str:
        return self.problems.to_html(index=False)
