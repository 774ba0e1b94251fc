"""Write a case series back to CSV, XLSX or JSON without losing anything.

Every cell is written as the text :class:`~casestats.CaseSeries` holds, so
identifiers like ``007`` and markers like ``NA`` come back unchanged. Text
that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets one leading apostrophe, which the
readers remove again; numbers such as ``-3`` are left alone.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path

import pandas as pd

from casestats.io._table import FORMATS

__all__ = ["write_cases"]

_FORMULA_START = r"^'*[=+\-@\t\r]"


def write_cases(cases, path, *, format: str | None = None) -> Path:
    """Write a case series to a file.

    Parameters
    ----------
    cases : CaseSeries
    path : str or pathlib.Path
    format : {"csv", "xlsx", "json"}, optional
        Taken from the extension when not given (``.tsv`` and ``.txt`` are CSV; a ``.tsv``
        file is written tab-separated).

    Returns
    -------
    pathlib.Path
        The path written. For CSV the sources go to ``<stem>.sources.csv``
        beside it; XLSX holds them in a ``Sources`` sheet and JSON under the
        key ``"sources"``.

    Examples
    --------
    >>> import tempfile, pathlib, casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cases.xlsx"
    >>> again = casestats.read_cases(write_cases(cases, path))
    >>> again.data.equals(cases.data)
    True
    """
    path = Path(path)
    fmt = format or FORMATS.get(path.suffix.lower())
    if fmt not in ("csv", "xlsx", "json"):
        raise ValueError(
            f"cannot tell the format of {path.name!r}: use a .csv, .tsv, .xlsx or .json name, "
            "or format='csv' | 'xlsx' | 'json'"
        )
    data, sources = cases.data, cases.sources
    if fmt == "csv":
        sidecar = path.with_suffix(".sources.csv")
        # .tsv is tab-separated, as its readers expect; the sources sidecar stays a .csv
        files = {path: to_csv_bytes(data, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")}
        if sources is not None:
            files[sidecar] = to_csv_bytes(sources)
        replace_files(files)
        if sources is None:
            # an old sidecar would be read back as this series' sources
            sidecar.unlink(missing_ok=True)
    elif fmt == "json":
        document = {"cases": _records(data)}
        if sources is not None:
            document["sources"] = _records(sources)
        text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
        replace_files({path: text.encode("utf-8")})
    else:
        replace_files({path: _xlsx_bytes(data, sources)})
    return path


def replace_files(files: dict[Path, bytes]) -> None:
    """Write every file or none: all go to temporary files first, then replace the targets.

    A crash or a full disk while writing leaves the old files as they were.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for target, content in files.items():
            handle, temporary = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
            )
            staged.append((temporary, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
        for temporary, target in staged:
            os.replace(temporary, target)
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Put an apostrophe before text a spreadsheet would run as a formula, column names too."""
    out = frame.copy()
    for column in out.columns:
        out[column] = _escape(out[column].astype(object).fillna("").astype(str))
    out.columns = _escape(pd.Series([str(name) for name in frame.columns], dtype=object))
    return out


def _escape(values: pd.Series) -> pd.Series:
    risky = values.str.match(_FORMULA_START) & pd.to_numeric(values, errors="coerce").isna()
    return values.where(~risky, "'" + values)


def to_csv_bytes(frame: pd.DataFrame, *, delimiter: str = ",") -> bytes:
    """The canonical CSV of a text table: UTF-8, comma (or tab), LF, quotes only where needed."""
    buffer = io.StringIO()
    minimal = csv.writer(buffer, lineterminator="\n", delimiter=delimiter)
    # the csv module quotes "\n" but not a lone "\r" when lines end in "\n"
    quoted = csv.writer(buffer, lineterminator="\n", delimiter=delimiter, quoting=csv.QUOTE_ALL)
    _refuse_nul(frame)
    escaped = escape_formulas(frame)
    for row in [tuple(escaped.columns), *escaped.itertuples(index=False, name=None)]:
        (quoted if any("\r" in value for value in row) else minimal).writerow(row)
    return buffer.getvalue().encode("utf-8")


def _refuse_nul(frame: pd.DataFrame) -> None:
    """A NUL ends the text in most CSV readers: refuse it rather than cut the cell."""
    for j, column in enumerate(frame.columns):
        if "\0" in str(column):
            raise ValueError(f"cannot write column {j + 1} ({column!r}) to CSV: its name holds NUL")
        bad = frame[column].astype(object).fillna("").astype(str).str.contains("\0", regex=False)
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise ValueError(
                f"cannot write record {row + 1}, column {column!r} to CSV: it holds the NUL "
                "character (U+0000); remove it"
            )


def _records(frame: pd.DataFrame) -> list[dict[str, str]]:
    text = frame.astype(object).fillna("")
    return [dict(zip(text.columns, row, strict=True)) for row in text.itertuples(index=False)]


# Characters XML 1.0 cannot hold, so neither can an XLSX cell: C0 controls but tab, LF and
# CR; the noncharacters U+FFFE and U+FFFF; lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


_LITERAL_XSTRING = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def _check_xlsx_text(frame: pd.DataFrame, sheet: str) -> None:
    """Refuse what an XLSX file cannot hold, with a located message, before writing."""
    for j, column in enumerate(frame.columns):
        found = _NOT_XML.search(str(column))
        if found:
            raise ValueError(
                f"cannot write sheet {sheet!r}, column {j + 1} ({column!r}) to XLSX: its name "
                f"holds U+{ord(found.group()):04X}, which an XLSX file cannot store; "
                "rename the column, or write CSV or JSON"
            )
        # a plain loop: pandas' string engine cannot compile a pattern holding surrogates
        values = frame[column].astype(object).fillna("").astype(str).tolist()
        bad = [row for row, value in enumerate(values) if _NOT_XML.search(value)]
        if bad:
            row = bad[0]
            char = _NOT_XML.search(values[row]).group()
            raise ValueError(
                f"cannot write sheet {sheet!r}, record {row + 1}, column {column!r} to XLSX: "
                f"it holds the character U+{ord(char):04X}, which an XLSX file cannot store; "
                "write CSV or JSON instead, or remove the character"
            )


def _xstring(text: str) -> str:
    """Excel's own escape for a carriage return, which XML would turn into a line feed.

    A literal ``_xHHHH_`` gets ``_x005F_`` first so that reading it back does not decode it.
    """
    if "_x" in text:
        text = _LITERAL_XSTRING.sub(r"_x005F_\1", text)
    return text.replace("\r", "_x000D_") if "\r" in text else text


def _xlsx_bytes(data: pd.DataFrame, sources: pd.DataFrame | None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheets = [("Cases", data)] + ([("Sources", sources)] if sources is not None else [])
    for title, frame in sheets:
        _check_xlsx_text(frame, title)
    for k, (title, frame) in enumerate(sheets):
        sheet = book.active if k == 0 else book.create_sheet()
        sheet.title = title
        escaped = escape_formulas(frame)
        sheet.append([_xstring(name) for name in escaped.columns])
        for row in escaped.itertuples(index=False, name=None):
            # empty cells stay empty; everything else is a string cell, never a number
            sheet.append([_xstring(value) if value != "" else None for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
