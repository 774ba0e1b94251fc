"""Parquet reader: pyarrow reads the columns, every value becomes text.

Parquet is how registry and health-record extracts travel: typed, compressed
columns that read an order of magnitude faster than CSV. The reader turns
them into the same :class:`~casestats.io.RawTable` of text cells as the other
readers, so that validation sees one kind of input. Text columns are taken as
they are; numbers are written the way :func:`casestats.io.read_raw` writes a
DataFrame's numbers (``12.0`` -> ``"12"``); nulls become ``""``.

pyarrow is an optional dependency (``pip install pyarrow``); without it a
Parquet file gets a readable error, not an ``ImportError``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from casestats.exceptions import CaseSeriesValidationError
from casestats.io._frame import _column_text
from casestats.io._table import LIMITS, RawTable, fail, finish, read_bytes
from casestats.problems import Problem, ValidationReport

__all__ = ["read_parquet"]

# A Parquet file starts and ends with these four bytes.
_MAGIC = b"PAR1"


def read_parquet(path: Path, name: str) -> RawTable:
    """Read a Parquet file as text (see :func:`casestats.io.read_raw`).

    Parameters
    ----------
    path : pathlib.Path
        The file.
    name : str
        How the file is called in problems (the path as the user gave it).

    Returns
    -------
    RawTable
        Row numbers count records from 1; cells have no spreadsheet address.

    Raises
    ------
    CaseSeriesValidationError
        If the file is missing, too big, not Parquet, unreadable, or pyarrow
        is not installed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cases.parquet"
    >>> pd.DataFrame({"case_id": ["007", None], "age_years": [52.0, 61.5]}).to_parquet(path)
    >>> table = read_parquet(path, str(path))
    >>> table.frame
      case_id age_years
    0     007        52
    1             61.5
    >>> table.format, table.row_numbers.tolist()
    ('parquet', [1, 2])
    """
    data = read_bytes(path, name, limit=LIMITS["file_bytes"])
    if not data:
        fail(name, "empty_file", expected="a header row and at least one row of cases")
    if not (data.startswith(_MAGIC) and data.endswith(_MAGIC)):
        fail(
            name,
            "format_mismatch",
            value=f"{path.suffix} file that is not Parquet",
            expected="the content of a .parquet file",
            hint="check the file was saved in the format its name says",
        )
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        fail(
            name,
            "unreadable_file",
            value=name,
            expected="pyarrow installed to read Parquet files",
            hint="pip install pyarrow, or save the table as CSV",
        )
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        _check_metadata(parquet, name)
        table = parquet.read()
    except (pa.ArrowException, OSError) as err:
        fail(name, "unreadable_file", value=name, expected="a readable Parquet file", hint=str(err))
    del data  # the decoded columns take the memory from here on
    problems: list[Problem] = []
    headers = [str(label) for label in table.column_names]
    _check_utf8(table, headers, name)
    columns = {
        j: _text_column(table.column(j), headers[j], problems) for j in range(table.num_columns)
    }
    cells = pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows), dtype=object)
    # Arrow measures every cell in C; the generic per-cell check runs only if needed.
    longest = max((_longest(table.column(j)) for j in range(table.num_columns)), default=0)
    return finish(
        cells,
        headers,
        np.arange(1, table.num_rows + 1),
        source=name,
        fmt="parquet",
        letters=False,
        problems=problems,
        check_lengths=longest > LIMITS["cell_chars"],
    )


def _check_metadata(parquet, name: str) -> None:
    """Rows, columns and column names from the file's footer, before any column is decoded.

    A few kilobytes of Parquet can hold 30 million null rows.
    """
    rows, names = parquet.metadata.num_rows, parquet.schema_arrow.names
    for code, count, limit, what in (
        ("too_many_columns", len(names), LIMITS["columns"], "columns"),
        ("too_many_rows", rows, LIMITS["rows"], "rows"),
    ):
        if count > limit:
            fail(
                name,
                code,
                value=f"{count:,} {what} (from the file's metadata)",
                expected=f"at most {limit:,} {what}",
                hint="refused before reading the columns",
            )
    first: dict[str, int] = {}
    twice = []
    for j, label in enumerate(names):
        if label in first:
            twice.append(
                Problem(
                    "error",
                    "duplicate_header",
                    column=label,
                    value=label,
                    expected="each column name once",
                    hint=f"columns {first[label] + 1} and {j + 1} of the file have this name: "
                    "rename one in the program that wrote the file",
                )
            )
        first.setdefault(label, j)
    if twice:
        raise CaseSeriesValidationError(ValidationReport(tuple(twice), source=name))


def _check_utf8(table, headers: list[str], name: str) -> None:
    """Refuse text columns holding bytes that are not UTF-8, naming each such cell."""
    import pyarrow as pa

    bad = []
    for j, column in enumerate(table.columns):
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        try:
            column.validate(full=True)
            continue
        except pa.ArrowInvalid:
            pass
        binary = pa.large_binary() if pa.types.is_large_string(column.type) else pa.binary()
        cells = [cell for chunk in column.chunks for cell in chunk.view(binary).to_pylist()]
        for i, cell in enumerate(cells):
            try:
                (cell or b"").decode("utf-8")
            except UnicodeDecodeError as err:
                bad.append(
                    Problem(
                        "error",
                        "undecodable",
                        row=i + 1,
                        column=headers[j],
                        value=cell.decode("utf-8", "backslashreplace")[:200],
                        expected="UTF-8 text (Parquet strings are always UTF-8)",
                        hint=f"in record {i + 1}, byte {cell[err.start]:02X} at position "
                        f"{err.start} is not UTF-8: fix the program that wrote the file",
                    )
                )
    if bad:
        raise CaseSeriesValidationError(
            ValidationReport(tuple(bad), source=name, n_rows=table.num_rows)
        )


def _longest(column) -> int:
    """Characters in the longest text cell of an Arrow column (0 for other types)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return 0  # numbers and dates are short
    longest = pc.max(pc.utf8_length(column.cast(kind))).as_py()
    return longest or 0


def _text_column(column, header: str, problems: list[Problem]) -> np.ndarray:
    """One Arrow column as an object array of ``str``, nulls as ``""``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
        column = column.cast(kind)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        # Arrow does this in C; going through pandas would box every cell twice.
        return pc.fill_null(column, "").to_numpy(zero_copy_only=False)
    # Numbers, booleans and dates are rare in case tables: convert them exactly
    # the way a DataFrame's cells are converted.
    return _column_text(column.to_pandas(), header, problems)
