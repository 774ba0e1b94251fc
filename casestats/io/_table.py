"""The text table every reader returns, and the steps the readers share.

:class:`RawTable` holds every cell as typed, with where it stood in the file.
The readers (CSV, XLSX, JSON, Parquet, DataFrame) build one with
:func:`finish` and refuse unreadable input with :func:`fail`; :mod:`._raw`
chooses the reader, so nothing here imports a reader.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from casestats.exceptions import CaseSeriesValidationError
from casestats.problems import Problem, ValidationReport

__all__ = ["FORMATS", "LIMITS", "RawTable", "fail", "finish"]

#: File formats by extension.
FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".json": "json",
    ".parquet": "parquet",
}


#: Limits that protect against hostile or broken files. Rows and columns follow
#: Excel's own limits; a cell holds at most what an Excel cell can.
LIMITS = {
    "file_bytes": 1_000_000_000,
    "xlsx_bytes": 100_000_000,
    "xlsx_uncompressed_bytes": 200_000_000,
    "xlsx_compression_ratio": 100,
    "rows": 1_048_576,
    "columns": 16_384,
    "cell_chars": 32_767,
    # rows with values x columns in use: what the table costs in memory, however sparse
    "cells": 50_000_000,
}


@dataclass(frozen=True)
class RawTable:
    """A table read from a file, every value text exactly as typed.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per record, object dtype, every value a ``str`` (``""`` for an
        empty cell). Columns are the headers, with duplicates renamed
        ``name.1``, ``name.2`` and blank ones ``column_C`` (the typed headers
        are in :attr:`headers`). Rows whose cells are all empty are skipped.
    headers : list of str
        The headers as typed, one per column of :attr:`frame`.
    row_numbers : numpy.ndarray of int
        For each row of :attr:`frame`, its number as the user sees it: the
        spreadsheet row (the header is row 1) for CSV and XLSX, the record
        number (from 1) for JSON and DataFrames.
    sheet : str
        The Excel sheet read, ``""`` for other formats.
    column_letters : list of str
        For each column, its letter in the file (``"A"``, ``"B"``...), or
        ``""`` where cell addresses do not apply (JSON, DataFrames).
    source : str
        What was read: the path, or ``"<DataFrame>"``.
    format : {"csv", "xlsx", "json", "parquet", "frame"}
    sources : pandas.DataFrame or None
        The sources table (Excel sheet ``Sources``, JSON key ``"sources"``, or
        the ``sources=`` file), as text like :attr:`frame`; None if absent.
    problems : tuple of Problem
        What the reader found wrong while still producing a table.
    sources_table : RawTable or None
        The sources table as read, with its own row numbers and column
        letters, so its problems can be located where the user typed them.
    """

    frame: pd.DataFrame
    headers: list[str]
    row_numbers: np.ndarray
    sheet: str
    column_letters: list[str]
    source: str
    format: str
    sources: pd.DataFrame | None
    problems: tuple[Problem, ...]
    sources_table: RawTable | None = None

    def cell_address(self, row: int | None, position: int) -> str:
        """Cell address of a row number and column position: ``Cases!C17``, ``C17`` or ``""``.

        Examples
        --------
        >>> from casestats.io._raw import read_raw
        >>> table = read_raw(pd.DataFrame({"case_id": ["a"]}))
        >>> table.cell_address(1, 0)
        ''
        """
        return cell_address(self.sheet, self.column_letters[position], row)


def fail(source: str, code: str, **fields) -> NoReturn:
    """Raise the error of a file that cannot be read, as one located problem."""
    raise CaseSeriesValidationError(
        ValidationReport.single(Problem("error", code, **fields), source=source)
    )


def read_bytes(path: Path, name: str, *, limit: int) -> bytes:
    """The file's bytes, or a readable error when it is missing, unreadable or too big.

    Only a regular file is read: a folder, a FIFO (which would wait forever for a writer)
    or a device such as ``/dev/zero`` (which never ends), directly or through a symbolic
    link, is refused from the ``fstat`` of the opened path, before any byte is read.
    """
    if "\0" in str(path):
        fail(
            name,
            "unreadable_file",
            value=repr(str(path))[1:-1][:200],
            expected="a path without the NUL character",
            hint="no file system allows NUL (\\x00) in a file name; check how the path was built",
        )
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        fail(name, "file_not_found", value=name, expected="an existing file")
    except OSError as err:  # a folder on Windows, no permission...
        fail(name, "unreadable_file", value=name, expected="a readable file", hint=err.strerror)
    try:
        info = os.fstat(handle)
        kind = file_kind(info.st_mode)
        if kind != "file":
            fail(
                name,
                "unreadable_file",
                value=name,
                expected=f"a regular file, not {kind}",
                hint=_NOT_A_FILE.get(kind, "give the path of a saved case file"),
            )
        if info.st_size > limit:
            _too_large(name, f"{info.st_size:,} bytes", limit)
        with os.fdopen(handle, "rb") as stream:
            handle = None
            data = stream.read(limit + 1)  # it may have grown since fstat: never past the limit
    except OSError as err:
        fail(name, "unreadable_file", value=name, expected="a readable file", hint=err.strerror)
    finally:
        if handle is not None:
            os.close(handle)
    if len(data) > limit:
        _too_large(name, f"over {limit:,} bytes", limit)
    return data


def _too_large(name: str, size: str, limit: int) -> NoReturn:
    fail(
        name,
        "file_too_large",
        value=size,
        expected=f"at most {limit:,} bytes",
        hint="split the file, or remove what is not part of the case series",
    )


_NOT_A_FILE = {
    "a folder": "give the path of a file inside it",
    "a FIFO (named pipe)": "save what the pipe carries to a file first, then read that file",
}


def file_kind(mode: int) -> str:
    """What a ``stat`` mode says the path is: ``"file"``, ``"a folder"``, ``"a FIFO..."``."""
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def empty_file(source: str) -> NoReturn:
    fail(source, "empty_file", expected="a header row and at least one row of cases")


# Sheet names Excel quotes although they are plain words: A1-style and R1C1-style references.
_LOOKS_LIKE_A_CELL = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*([Cc][0-9]*)?|[Cc][0-9]*", re.A)


def cell_address(sheet: str, letter: str, row: int | None) -> str:
    """``Cases!C17`` (quoted like Excel when the sheet name needs it), ``C17``, or ``""``."""
    if not letter:
        return ""
    address = f"{letter}{'' if row is None else row}"
    if not sheet:
        return address
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) or _LOOKS_LIKE_A_CELL.fullmatch(sheet):
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{address}"


def column_letter(position: int) -> str:
    """Spreadsheet letter of a 0-based column position: 0 -> A, 26 -> AA."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def number_text(value: float) -> str:
    """A number as text without float noise: 12.0 -> '12', 0.1 -> '0.1'."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


# A cell the writer neutralised: apostrophes, then a character that starts a formula.
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


def unescape_formulas(frame: pd.DataFrame) -> None:
    """Strip the one apostrophe :func:`~casestats.io.write_cases` put before a formula start."""
    for column in frame.columns:
        values = frame[column]
        # most columns hold no apostrophe at all: one vectorised test skips them
        if not values.str.contains("'", regex=False).any():
            continue
        mask = values.str.startswith("'").to_numpy(dtype=bool)
        if mask.any():
            hits = [i for i in np.flatnonzero(mask) if _ESCAPED.match(values.iat[i])]
            if hits:
                frame.iloc[hits, frame.columns.get_loc(column)] = values.iloc[hits].str[1:]


def finish(
    cells: pd.DataFrame,
    headers: list[str],
    row_numbers: np.ndarray,
    *,
    source: str,
    fmt: str,
    sheet: str = "",
    letters: bool = True,
    problems: list[Problem] | None = None,
    sources: pd.DataFrame | None = None,
    check_lengths: bool = True,
    apostrophes: bool = True,
) -> RawTable:
    """Common last steps: headers checked and made unique, empty rows and columns dropped.

    ``cells`` has one column per header (any column labels) and object-dtype
    ``str`` values. ``check_lengths=False`` skips the cell-length check when
    the reader knows no cell can be too long; ``apostrophes=False`` skips
    undoing formula escapes when the reader knows no cell holds an apostrophe.
    """
    problems = list(problems or [])
    if not headers:
        empty_file(source)
    if fmt in ("csv", "xlsx"):
        # the writer escapes column names like cells
        headers = [h[1:] if _ESCAPED.match(h) else h for h in headers]
    if len(headers) > LIMITS["columns"]:
        fail(
            source,
            "too_many_columns",
            value=f"{len(headers):,} columns",
            expected=f"at most {LIMITS['columns']:,} columns",
        )
    all_letters = [column_letter(i) if letters else "" for i in range(len(headers))]
    # numpy compares the whole 2-D array at once: pandas would go column by column
    filled = cells.to_numpy(dtype=object) != ""
    empty_columns = ~filled.any(axis=0) if len(cells) else np.ones(len(headers), dtype=bool)

    # Trailing columns with neither header nor value are formatting, not data.
    width = len(headers)
    while width > 1 and headers[width - 1].strip() == "" and empty_columns[width - 1]:
        width -= 1
    keep, names = _named_columns(
        headers[:width], all_letters, empty_columns, sheet=sheet, letters=letters,
        problems=problems,
    )  # fmt: skip

    frame = cells.iloc[:, keep]
    frame.columns = names
    blank = ~filled[:, keep].any(axis=1) if names else np.ones(len(frame), bool)
    if blank.any():
        frame = frame.loc[~blank]
        row_numbers = row_numbers[~blank]
    frame = frame.reset_index(drop=True)
    if frame.empty:
        problems.append(
            Problem(
                "error",
                "no_rows",
                expected="at least one row of data under the header",
                hint=f"{sheet or 'the table'} has a header but no rows",
            )
        )
    if fmt in ("csv", "xlsx") and apostrophes:
        unescape_formulas(frame)
    row_numbers = np.asarray(row_numbers, dtype=np.int64)
    headers = [headers[i] for i in keep]
    kept_letters = [all_letters[i] for i in keep]
    if check_lengths:
        problems += long_cells(frame, row_numbers, kept_letters, headers, sheet)
    return RawTable(
        frame=frame,
        headers=headers,
        row_numbers=row_numbers,
        sheet=sheet,
        column_letters=kept_letters,
        source=source,
        format=fmt,
        sources=sources,
        problems=tuple(problems),
    )


def _named_columns(headers, all_letters, empty_columns, *, sheet, letters, problems):
    """The columns kept and their names: blank and repeated headers reported in `problems`."""
    keep, names, seen = [], [], {}
    for i, header in enumerate(headers):
        where = cell_address(sheet, all_letters[i], 1)
        if header.strip() == "":
            if empty_columns[i]:
                problems.append(
                    Problem(
                        "warning",
                        "blank_header",
                        row=1 if letters else None,
                        cell=where,
                        value=header,
                        expected="a column name",
                        hint=f"column {all_letters[i] or i + 1} has no name and no values; skipped",
                    )
                )
                continue
            problems.append(
                Problem(
                    "error",
                    "blank_header",
                    row=1 if letters else None,
                    cell=where,
                    value=header,
                    expected="a column name",
                    hint="name the column (see the schema's field list) or delete it",
                )
            )
            name = f"column_{all_letters[i] or i + 1}"
        elif header in seen:
            problems.append(
                Problem(
                    "error",
                    "duplicate_header",
                    row=1 if letters else None,
                    cell=where,
                    column=header,
                    value=header,
                    expected="each column name once",
                    hint=f"the same name is already used by column {seen[header]}",
                )
            )
            name = header
        else:
            seen[header] = all_letters[i] or str(i + 1)
            name = header
        keep.append(i)
        names.append(name)
    return keep, _unique(names)


def _unique(names: list[str]) -> list[str]:
    """Make names unique the pandas way: a, a.1, a.2 (skipping names already taken)."""
    taken = set(names)
    out, counts = [], {}
    for name in names:
        if name in counts:
            k = counts[name]
            while f"{name}.{k}" in taken:
                k += 1
            counts[name] = k + 1
            new = f"{name}.{k}"
            taken.add(new)
            out.append(new)
        else:
            counts[name] = 1
            out.append(name)
    return out


def long_cells(frame: pd.DataFrame, row_numbers, letters, headers, sheet) -> list[Problem]:
    """Cells longer than an Excel cell can hold (measured on the whole 2-D array at once)."""
    limit = LIMITS["cell_chars"]
    values = frame.to_numpy(dtype=object)
    lengths = np.vectorize(len, otypes=[np.int64])(values) if values.size else values
    problems = []
    for i, j in zip(*np.nonzero(lengths > limit), strict=True):
        number = int(row_numbers[i])
        problems.append(
            Problem(
                "error",
                "cell_too_long",
                row=number,
                cell=cell_address(sheet, letters[j], number),
                column=headers[j],
                value=values[i, j][:60] + "...",
                expected=f"at most {limit:,} characters",
                hint=f"this cell holds {int(lengths[i, j]):,} characters",
            )
        )
    return problems
