"""XLSX reader: the archive is checked before any XML is parsed.

An .xlsx file is a zip archive of XML. A few kilobytes can expand to
gigabytes, so the sizes the archive declares are checked first (Python's
zipfile never inflates a member past its declared size). Only then does
openpyxl parse it, in read-only mode, with defusedxml guarding the XML.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import numpy as np
import pandas as pd

from casestats.exceptions import CaseSeriesValidationError
from casestats.io._table import (
    LIMITS,
    RawTable,
    cell_address,
    column_letter,
    fail,
    finish,
    number_text,
)
from casestats.problems import Problem

# Members smaller than this may compress as well as they like: only big ones
# with an extreme ratio are bombs (a real sheet compresses 5 to 30 times).
# Excel stores a carriage return (and other characters XML would alter) as _xHHHH_, and a
# literal "_xHHHH_" as "_x005F_xHHHH_" (ECMA-376 Part 1, 22.9.2.19 ST_Xstring); openpyxl
# leaves both encoded.
_XSTRING = re.compile(r"_x([0-9A-Fa-f]{4})_")
_RATIO_FLOOR = 1_000_000
_MAX_MEMBERS = 10_000


def read_xlsx(path, data: bytes, source: str) -> RawTable:
    """Read XLSX bytes (see :func:`casestats.io.read_raw`)."""
    _check_archive(data, source)
    import openpyxl

    # openpyxl raises whatever its parsers meet in a damaged file (KeyError,
    # ValueError, XML errors...); each becomes one readable problem.
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as err:
        _damaged(source, err)
    try:
        names = book.sheetnames
        if not names:
            fail(source, "empty_file", expected="a workbook with a sheet of cases")
        cases = _find(names, "cases") or names[0]
        table = _read_sheet(book[cases], source)
        other = _find(names, "sources")
        if other and other != cases:
            side = _read_sheet(book[other], source)
            table = RawTable(
                **{
                    **table.__dict__,
                    "sources": side.frame,
                    "problems": table.problems + side.problems,
                }
            )
    except CaseSeriesValidationError:
        raise
    except Exception as err:
        _damaged(source, err)
    finally:
        book.close()
    return table


def _find(names: list[str], wanted: str) -> str | None:
    return next((n for n in names if n.strip().lower() == wanted), None)


def _damaged(source: str, err: Exception):
    fail(
        source,
        "unreadable_xlsx",
        value=f"{type(err).__name__}: {err}"[:200],
        expected="a workbook Excel or LibreOffice can open",
        hint="open it in Excel and save it again as .xlsx (Excel Workbook)",
    )


def _check_archive(data: bytes, source: str) -> None:
    """Refuse damaged archives, zip bombs and zip files that are not workbooks."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as err:
        _damaged(source, err)
    total = sum(m.file_size for m in members)
    limit, ratio = LIMITS["xlsx_uncompressed_bytes"], LIMITS["xlsx_compression_ratio"]
    swollen = [
        m
        for m in members
        if m.file_size > _RATIO_FLOOR and m.file_size > ratio * max(m.compress_size, 1)
    ]
    if len(members) > _MAX_MEMBERS or total > limit or swollen:
        fail(
            source,
            "zip_bomb",
            value=(
                f"{len(members):,} parts, {total:,} bytes uncompressed"
                + (f", {swollen[0].filename} compressed {ratio}+ times" if swollen else "")
            ),
            expected=(
                f"at most {limit:,} bytes uncompressed and a compression ratio under {ratio}"
            ),
            hint="refused before reading: the workbook would expand far beyond a case series",
        )
    if not any(m.filename == "xl/workbook.xml" for m in members):
        fail(
            source,
            "format_mismatch",
            value="a zip archive without xl/workbook.xml",
            expected="an Excel workbook (.xlsx)",
            hint="it may be another Office document or a plain zip file",
        )


def _read_sheet(sheet, source: str) -> RawTable:
    """Every cell of one sheet as text, with formula and date cells reported."""
    sheet.reset_dimensions()  # do not trust the declared size of the sheet
    title = sheet.title
    rows: list[list[str]] = []
    problems: list[Problem] = []
    headers: list[str] = []
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if number > LIMITS["rows"]:
            fail(
                source,
                "too_many_rows",
                cell=cell_address(title, "A", number),
                value=f"more than {LIMITS['rows']:,} rows",
                expected=f"at most {LIMITS['rows']:,} rows",
            )
        if len(row) > LIMITS["columns"]:
            fail(
                source,
                "too_many_columns",
                row=number,
                value=f"{len(row):,} columns",
                expected=f"at most {LIMITS['columns']:,} columns",
            )
        rows.append(
            [_text(cell, number, j, title, headers, problems) for j, cell in enumerate(row)]
        )
        if number == 1:
            headers = rows[0]
    if not rows:
        fail(source, "empty_file", value=title, expected="a header row and rows of cases")
    width = max(map(len, rows))
    cells = pd.DataFrame(
        [r + [""] * (width - len(r)) for r in rows[1:]],
        columns=range(width),
        dtype=object,
    )
    return finish(
        cells,
        rows[0] + [""] * (width - len(rows[0])),
        np.arange(2, len(rows) + 1),
        source=source,
        fmt="xlsx",
        sheet=title,
        problems=problems,
    )


def decode_xstring(text: str) -> str:
    """Undo Excel's _xHHHH_ escape: ``"a_x000D_b"`` is ``"a\\rb"``."""
    if "_x" not in text:
        return text
    return _XSTRING.sub(lambda match: chr(int(match.group(1), 16)), text)


def _text(cell, number: int, j: int, title: str, headers: list[str], problems) -> str:
    """A cell's value as the text the user typed, or as close as the file allows."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str) and cell.data_type not in ("f", "e"):
        return decode_xstring(value)

    def report(severity, code, text, expected, hint):
        problems.append(
            Problem(
                severity,
                code,
                row=number,
                cell=cell_address(title, column_letter(j), number),
                column=headers[j] if j < len(headers) else "",
                value=text,
                expected=expected,
                hint=hint,
            )
        )

    if cell.data_type == "f":
        text = value if isinstance(value, str) else getattr(value, "text", None) or str(value)
        report(
            "error",
            "formula",
            text if text.startswith("=") else "=" + text,
            "a typed value",
            "formulas are not evaluated; replace them by their values (Paste Special > Values)",
        )
        return text
    if cell.data_type == "e":
        report("warning", "excel_error", value, "a value", "the cell holds an Excel error")
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        if isinstance(value, dt.datetime) and value.time() == dt.time(0):
            text = value.date().isoformat()
        else:
            text = str(value) if isinstance(value, dt.timedelta) else value.isoformat()
        report(
            "warning",
            "date_cell",
            text,
            "text or a number (no column of the schema holds dates)",
            "Excel stored this cell as a date; if you typed something else (a range "
            "like 3-5, a fraction), format the column as Text and type it again",
        )
        return text
    return str(value)
