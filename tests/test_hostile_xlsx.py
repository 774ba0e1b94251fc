"""Hostile workbooks: sparse, hidden and chart sheets, Strict and encrypted files (issue 19)."""

import io
import zipfile

import pytest

import casestats
from casestats.io import LIMITS, read_raw


def _book(*sheets, hidden=(), chart=None):
    """A workbook of (title, rows) sheets; titles in `hidden` are hidden."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    if chart:
        from openpyxl.chart import BarChart, Reference

        first = book.worksheets[0]
        plot = BarChart()
        plot.add_data(Reference(first, min_col=1, min_row=1, max_row=2))
        book.create_chartsheet(chart).add_chart(plot)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace(data: bytes, member: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


CASES = [["case_id", "source_id"], ["new", "s1"]]
OLD = [["case_id", "source_id"], ["old", "s1"]]


def test_a_hidden_cases_sheet_is_not_read_over_a_visible_one(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(_book(("Cases", OLD), ("Cases 2024", CASES), hidden={"Cases"}))
    table = read_raw(path)
    assert (table.sheet, table.frame["case_id"].tolist()) == ("Cases 2024", ["new"])
    notes = {p.code: p for p in table.problems}
    assert notes["hidden_sheet"].value == "Cases"
    assert "read from sheet 'Cases 2024'" in notes["hidden_sheet"].hint
    assert notes["sheet_choice"].value == "Cases 2024"


def test_a_hidden_cases_sheet_beside_other_sheets_is_read_with_a_warning(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    hidden = book.create_sheet("Cases")
    for row in CASES:
        hidden.append(row)
    hidden.sheet_state = "hidden"
    book.active = 0
    path = tmp_path / "hidden.xlsx"
    book.save(path)
    table = read_raw(path)
    assert (table.sheet, table.frame["case_id"].tolist()) == ("Cases", ["new"])
    hidden = [p for p in table.problems if p.code == "hidden_sheet"]
    assert [p.value for p in hidden] == ["Cases"]
    assert "read from this hidden sheet" in hidden[0].hint


def test_a_chart_sheet_named_cases_is_named_as_such(tmp_path):
    path = tmp_path / "chart.xlsx"
    path.write_bytes(_book(("Data", CASES), chart="Cases"))
    report = casestats.validate(path)
    assert [(p.code, p.value) for p in report.items] == [
        ("format_mismatch", "sheet 'Cases' is a chart sheet")
    ]


def test_strict_open_xml_is_named_as_such(tmp_path):
    strict = _replace(
        _book(("Cases", CASES)),
        "xl/workbook.xml",
        lambda body: body.replace(
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        ),
    )
    path = tmp_path / "strict.xlsx"
    path.write_bytes(strict)
    report = casestats.validate(path)
    assert [(p.code, p.value) for p in report.items] == [
        ("format_mismatch", "a Strict Open XML Spreadsheet")
    ]


def test_a_password_protected_workbook_is_named_as_such(tmp_path):
    # the start of an OLE compound file whose directory holds Office's EncryptedPackage stream
    stream = "EncryptedPackage".encode("utf-16-le")
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + stream
    path = tmp_path / "locked.xlsx"
    path.write_bytes(data + b"\0" * 512)
    report = casestats.validate(path)
    assert [p.code for p in report.items] == ["format_mismatch"]
    assert "password-protected" in report.items[0].value
    assert "remove the password" in report.items[0].hint


def _sparse(*cells, dimension="A1:XFD1048576"):
    rows = "".join(
        f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>'
        for ref, row, text in cells
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()
    return _replace(_book(("Cases", [["x"]])), "xl/worksheets/sheet1.xml", lambda body: sheet)


def test_a_sparse_sheet_is_read_sparsely(tmp_path, monkeypatch):
    """A1, XFD2 and A1048576: a dense read padded 17 billion cells (over 3 GB)."""
    monkeypatch.setitem(LIMITS, "cells", 100_000)  # the two rows with values fit
    path = tmp_path / "sparse.xlsx"
    path.write_bytes(_sparse(("A1", 1, "case_id"), ("XFD2", 2, "x"), ("A1048576", 1048576, "y")))
    table = read_raw(path)
    assert table.row_numbers.tolist() == [2, 1048576]
    assert table.frame["case_id"].tolist() == ["", "y"]
    assert table.frame.iloc[0, -1] == "x" and table.column_letters[-1] == "XFD"


def test_rows_times_columns_in_use_are_limited_while_reading(tmp_path, monkeypatch):
    monkeypatch.setitem(LIMITS, "cells", 10_000)
    cells = [("A1", 1, "case_id")] + [(f"XFD{r}", r, "x") for r in range(2, 50)]
    path = tmp_path / "wide.xlsx"
    path.write_bytes(_sparse(*cells))
    report = casestats.validate(path)
    assert [p.code for p in report.items] == ["too_many_cells"]
    assert "Ctrl+End" in report.items[0].hint


def test_the_declared_size_is_checked_first(tmp_path, monkeypatch):
    monkeypatch.setitem(LIMITS, "rows", 1000)
    path = tmp_path / "declared.xlsx"
    path.write_bytes(_sparse(("A1", 1, "case_id"), ("A2", 2, "1")))
    report = casestats.validate(path)
    found = [(p.code, p.value) for p in report.items]
    assert found == [("too_many_rows", "1,048,576 rows declared")]


@pytest.mark.parametrize(
    ("title", "address"),
    [
        ("Cases", "Cases!B2"),
        ("A1", "'A1'!B2"),
        ("R1C1", "'R1C1'!B2"),
        ("Cases 2024", "'Cases 2024'!B2"),
    ],
)
def test_sheet_names_are_quoted_like_excel(title, address):
    from casestats.io._table import cell_address

    assert cell_address(title, "B", 2) == address
