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
# The namespace of ISO/IEC 29500 Strict workbooks (Transitional: schemas.openxmlformats.org).
_STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
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
        cases, notes = _choose_sheet(book, source)
        table = _read_sheet(book[cases], source)
        other = _find(_tables(book), "sources")
        side = _read_sheet(book[other], source) if other and other != cases else None
        table = RawTable(
            **{
                **table.__dict__,
                "sources": None if side is None else side.frame,
                "sources_table": side,
                "problems": tuple(notes) + table.problems + (side.problems if side else ()),
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


def _tables(book) -> list[str]:
    """The worksheets (chart sheets hold no cells)."""
    return [name for name in book.sheetnames if hasattr(book[name], "iter_rows")]


def _choose_sheet(book, source: str) -> tuple[str, list[Problem]]:
    """The sheet of cases: a visible ``Cases``, a visible ``Cases...``, any ``Cases``, the first.

    Hidden sheets are always reported: a hidden ``Cases`` left behind beside a visible
    ``Cases 2024`` is taken for an old copy.
    """
    names, tables = book.sheetnames, _tables(book)
    chart = _find([n for n in names if n not in tables], "cases")
    if chart and not _find(tables, "cases"):
        fail(
            source,
            "format_mismatch",
            value=f"sheet {chart!r} is a chart sheet",
            expected="the cases in a worksheet of rows and columns",
            hint="a chart sheet holds a chart, not cells: put the table in a worksheet named "
            "Cases (and rename or delete the chart sheet)",
        )
    if not tables:
        fail(source, "empty_file", expected="a workbook with a sheet of cases")
    visible = [n for n in tables if book[n].sheet_state == "visible"]
    data = [n for n in visible if n.strip().lower() != "sources"] or visible or tables
    cases = (
        _find(visible, "cases")
        or next((n for n in visible if n.strip().lower().startswith("cases")), None)
        or _find(tables, "cases")
        or data[0]
    )
    notes = [
        Problem(
            "warning",
            "hidden_sheet",
            value=name,
            expected="the cases in a visible sheet",
            hint=(
                "the cases were read from this hidden sheet: unhide it, or move the cases "
                "to a visible sheet named Cases"
                if name == cases
                else f"hidden sheet {name!r} was not read; the cases were read from sheet "
                f"{cases!r}: unhide or delete it if that is wrong"
            ),
        )
        for name in tables
        if book[name].sheet_state != "visible"
    ]
    if len([n for n in tables if n.strip().lower() != "sources"]) > 1 and (
        cases.strip().lower() != "cases" or notes
    ):
        notes.append(
            Problem(
                "info",
                "sheet_choice",
                value=cases,
                expected="a sheet named Cases",
                hint=f"read sheet {cases!r}, of sheets {', '.join(map(repr, tables))}",
            )
        )
    return cases, notes


def _damaged(source: str, err: Exception):
    fail(
        source,
        "unreadable_xlsx",
        value=f"{type(err).__name__}: {err}"[:200],
        expected="a workbook Excel or LibreOffice can open",
        hint="open it in Excel and save it again as .xlsx (Excel Workbook)",
    )


def _check_archive(data: bytes, source: str) -> None:
    """Refuse damaged archives, zip bombs, Strict Open XML and zip files that are not workbooks."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
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
    with archive.open("xl/workbook.xml") as stream:
        strict = _STRICT in stream.read(4096)
    if strict:
        fail(
            source,
            "format_mismatch",
            value="a Strict Open XML Spreadsheet",
            expected="an Excel Workbook (.xlsx), which openpyxl reads",
            hint="open it in Excel and Save As 'Excel Workbook (*.xlsx)', not 'Strict Open "
            "XML Spreadsheet'",
        )


def _read_sheet(sheet, source: str) -> RawTable:
    """Every cell of one sheet as text, with formula and date cells reported.

    Sparse sheets are read sparsely: rows without a value are never stored, so a cell at
    A1048576 costs one row, not a million. The declared size is checked first and the
    size in use as the rows come, before the table is built.
    """
    title = sheet.title
    _check_size(sheet.max_row or 0, sheet.max_column or 0, title, source, "declared")
    sheet.reset_dimensions()  # do not trust the declared size of the sheet
    rows: list[list[str]] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    headers: list[str] | None = None
    width = 0
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if not row and headers is not None:
            continue  # a row without cells (openpyxl fills gaps with these)
        _check_size(number, len(row), title, source, "in use", row=number)
        known = headers or []
        texts = [_text(cell, number, j, title, known, problems) for j, cell in enumerate(row)]
        if headers is None:
            headers = texts
        elif any(texts):
            rows.append(texts)
            numbers.append(number)
        else:
            continue
        width = max(width, len(texts))
        _check_cells(len(rows) + 1, width, title, source)
    if headers is None:
        fail(source, "empty_file", value=title, expected="a header row and rows of cases")
    cells = np.full((len(rows), width), "", dtype=object)
    for i, texts in enumerate(rows):
        cells[i, : len(texts)] = texts
    return finish(
        pd.DataFrame(cells, columns=range(width), dtype=object),
        headers + [""] * (width - len(headers)),
        np.asarray(numbers, dtype=np.int64),
        source=source,
        fmt="xlsx",
        sheet=title,
        problems=problems,
    )


def _check_size(rows: int, columns: int, title: str, source: str, what: str, row=None) -> None:
    if columns > LIMITS["columns"]:
        fail(
            source,
            "too_many_columns",
            row=row,
            value=f"{columns:,} columns {what}",
            expected=f"at most {LIMITS['columns']:,} columns",
        )
    if rows > LIMITS["rows"]:
        fail(
            source,
            "too_many_rows",
            cell=cell_address(title, "A", row or LIMITS["rows"] + 1),
            value=f"{rows:,} rows declared" if row is None else f"over {LIMITS['rows']:,} rows",
            expected=f"at most {LIMITS['rows']:,} rows",
        )


def _check_cells(rows: int, width: int, title: str, source: str) -> None:
    """Refuse a table whose filled rows times its used width would not fit in memory."""
    if rows * width > LIMITS["cells"]:
        fail(
            source,
            "too_many_cells",
            value=f"{rows:,} rows with values x {width:,} columns in use on sheet {title!r}",
            expected=f"at most {LIMITS['cells']:,} cells (rows with values x columns in use)",
            hint="refused while reading: delete the stray cells far to the right or below "
            "the table (Ctrl+End shows the last one)",
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
