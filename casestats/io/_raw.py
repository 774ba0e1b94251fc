"""Read a file or a DataFrame into a table of text, exactly as typed.

:func:`read_raw` is the one entry point of the readers. It returns a
:class:`RawTable`: every cell as a Python ``str`` (``""`` for an empty cell),
headers as typed, and where each row and column stood in the file, so that
validation can point at ``Cases!C17``. It never interprets values: ``"007"``,
``"NA"``, ``"1.50"`` and ``" limited "`` come back character for character.

Everything that makes a file unreadable (missing, empty, not what its
extension says, a zip bomb, bad bytes, bad XML) raises
:class:`~casestats.exceptions.CaseSeriesValidationError` with one located
problem; everything that leaves a readable table (ragged rows, duplicate
headers, formula cells...) is returned in :attr:`RawTable.problems`, so that
validation can report it together with the rest.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from casestats.io._table import FORMATS, LIMITS, RawTable, empty_file, fail, read_bytes
from casestats.problems import Problem

__all__ = ["read_raw"]


def read_raw(source, *, sources=None) -> RawTable:
    """Read a CSV, XLSX or JSON file, or a DataFrame, as text.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A path whose extension gives the format (``.csv``, ``.tsv``,
        ``.txt``, ``.xlsx``, ``.json``); the content is checked against it.
    sources : str, pathlib.Path or pandas.DataFrame, optional
        A sources table (a CSV file, usually) that takes the place of any
        sources held in ``source`` itself. For a CSV ``cases.csv`` without
        this argument, ``cases.sources.csv`` next to it is read if it exists
        (that is where :func:`casestats.io.write_cases` puts it).

    Returns
    -------
    RawTable

    Raises
    ------
    CaseSeriesValidationError
        If the file cannot be read as a table at all; the report holds one
        problem saying why.

    Notes
    -----
    CSV: UTF-8 with or without byte-order mark (UTF-16 with a BOM too); other
    bytes are decoded as Windows-1252 with a warning. UTF-16 without a mark and
    UTF-32 are refused by name. The delimiter (comma, semicolon or tab) is
    sniffed from the header line; a ``.tsv`` file is always tab-separated.

    Only regular files are read (not folders, FIFOs or devices). Rows, columns
    and cells are limited (``casestats.io.LIMITS``), and the limits are checked before
    the work: on the bytes of a CSV, the number of objects in a JSON file, the
    metadata of a Parquet file, the declared and used size of a sheet.

    CSV and XLSX cells that start with an apostrophe followed by ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return lose that one apostrophe: it is
    how :func:`~casestats.io.write_cases` neutralises formulas. The price is
    one ambiguity: a hand-typed ``'=x`` reads as ``=x``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cases.csv"
    >>> _ = path.write_text("case_id;age_years\\n007;NA\\n008;1.50\\n", encoding="utf-8")
    >>> table = read_raw(path)
    >>> table.frame
      case_id age_years
    0     007        NA
    1     008      1.50
    >>> table.row_numbers.tolist(), table.column_letters
    ([2, 3], ['A', 'B'])
    """
    table = _read_any(source)
    if sources is not None:
        table = _with_sources(table, sources)
    elif table.format == "csv":
        sidecar = Path(table.source).with_suffix(".sources.csv")
        if sidecar.is_file():
            table = _with_sources(table, sidecar)
    return table


def _read_any(source) -> RawTable:
    if isinstance(source, pd.DataFrame):
        from casestats.io._frame import read_frame

        return read_frame(source)
    if not isinstance(source, str | Path):
        raise TypeError(
            f"source must be a path (str or pathlib.Path) or a pandas DataFrame, "
            f"not {type(source).__name__}"
        )
    path = Path(source)
    name = str(source)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        hint = "save it as .xlsx" if path.suffix.lower() in {".xls", ".ods", ".numbers"} else ""
        fail(
            name,
            "unsupported_format",
            value=path.suffix or path.name,
            expected="a .csv, .tsv, .txt, .xlsx, .json or .parquet file",
            hint=hint,
        )
    if fmt == "parquet":
        from casestats.io._parquet import read_parquet

        return read_parquet(path, name)
    data = read_bytes(path, name, limit=LIMITS["xlsx_bytes" if fmt == "xlsx" else "file_bytes"])
    if fmt in ("csv", "json"):
        _check_wide_text(data, fmt, name)
    kind = sniff(data)
    if kind == "empty":
        empty_file(name)
    if kind != _expected_kind(fmt):
        fail(
            name,
            "format_mismatch",
            value=f"{path.suffix} file that looks like {_DESCRIBE[kind]}",
            expected=f"the content of a {path.suffix} file",
            hint=_MISMATCH_HINT.get(kind, "check the file was saved in the format its name says"),
        )
    if fmt == "csv":
        from casestats.io._csv import read_csv

        return read_csv(data, name, delimiter=b"\t" if path.suffix.lower() == ".tsv" else None)
    if fmt == "json":
        from casestats.io._json import read_json

        return read_json(data, name)
    from casestats.io._excel import read_xlsx

    return read_xlsx(path, data, name)


def _with_sources(table: RawTable, sources) -> RawTable:
    """Replace the table's sources with a separate sources table."""
    side = _read_any(sources)
    name = "" if side.format == "frame" else Path(side.source).name
    problems = tuple(
        Problem(
            p.severity,
            p.code,
            row=p.row,
            cell=f"{name}!{p.cell}" if name and p.cell else p.cell,
            column=p.column,
            case_id=p.case_id,
            value=p.value,
            expected=p.expected,
            hint=(f"in the sources table {name}; " if name else "in the sources table; ") + p.hint,
        )
        for p in side.problems
    )
    return RawTable(
        **{
            **table.__dict__,
            "sources": side.frame,
            "sources_table": side,
            "problems": table.problems + problems,
        }
    )


def wide_encoding(data: bytes) -> str:
    """``"UTF-16 (little-endian)"``, ``"UTF-32 ..."`` or ``""``, from a byte-order mark or
    from where the zero bytes fall (ASCII text in UTF-16 has every other byte zero)."""
    for mark, name in _MARKS:
        if data.startswith(mark):
            return f"{name} with a byte-order mark"
    head = data[:4096]
    head = head[: len(head) // 4 * 4]
    if len(head) < 8:
        return ""
    for width, name in ((4, "UTF-32"), (2, "UTF-16")):
        lanes = [head[k::width] for k in range(width)]
        zero = [lane.count(0) / len(lane) for lane in lanes]
        for order, text_lane in (("little-endian", 0), ("big-endian", width - 1)):
            others = [z for k, z in enumerate(zero) if k != text_lane]
            if zero[text_lane] == 0 and min(others) > 0.9:
                return f"{name} ({order}) without a byte-order mark"
    return ""


_MARKS = (
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
)


def _check_wide_text(data: bytes, fmt: str, name: str) -> None:
    """Name UTF-16 and UTF-32 as such (they would otherwise look like binary data)."""
    wide = wide_encoding(data)
    if not wide or (fmt == "csv" and wide.startswith("UTF-16") and "with a" in wide):
        return  # Excel's "Unicode text" (UTF-16 with its mark) is read
    if fmt == "json":
        hint = (
            "JSON files must be UTF-8; Windows PowerShell's '>' and Out-File write UTF-16: "
            "use Out-File -Encoding utf8 (or Set-Content -Encoding utf8)"
        )
    else:
        hint = "save it as 'CSV UTF-8 (Comma delimited)'"
    fail(name, "undecodable", value=f"text in {wide}", expected="UTF-8 text", hint=hint)


_DESCRIBE = {
    "zip": "a zip archive (an .xlsx workbook?)",
    "ole": "an old Excel .xls workbook",
    "encrypted": "a password-protected (encrypted) workbook",
    "pdf": "a PDF document",
    "binary": "binary data",
    "json": "JSON",
    "markup": "HTML or XML",
    "text": "plain text (CSV?)",
}


_MISMATCH_HINT = {
    "zip": "if it is an Excel workbook, give it the .xlsx extension",
    "ole": "open it in Excel and save it as .xlsx (Excel Workbook)",
    "encrypted": "open it in Excel, remove the password (File > Info > Protect Workbook > "
    "Encrypt with Password, empty) and save it again",
    "json": "if it is JSON, give it the .json extension",
    "markup": "export the table again as CSV or .xlsx",
    "text": "if it is a CSV file, give it the .csv extension",
}


def _expected_kind(fmt: str) -> str:
    return {"csv": "text", "xlsx": "zip", "json": "json"}[fmt]


def sniff(data: bytes) -> str:
    """What the bytes look like, whatever the file is called."""
    head = data[:8192]
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # Office encrypts a password-protected .xlsx into an OLE file with this stream
        return "encrypted" if "EncryptedPackage".encode("utf-16-le") in data else "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with a byte-order mark: Excel's "Unicode text"
    if b"\x00" in head:
        return "binary"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        return "json"
    if start == b"<":
        return "markup"
    return "text"
