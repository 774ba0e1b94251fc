"""CSV reader: pandas' C parser for speed, a byte-level pre-scan to find ragged rows.

The C parser pads short rows silently and stops at the first long one, so
before parsing, the fields of every record are counted on the raw bytes with
numpy (delimiters outside quotes between line ends). That takes a fraction of
a second for a million rows. Files whose quoting the scan cannot follow, or
that have ragged rows, are parsed again with the ``csv`` module, which is
slower but locates every bad row.
"""

from __future__ import annotations

import csv
import io
import re
from typing import NoReturn

import numpy as np
import pandas as pd

from casestats.io._table import (
    LIMITS,
    RawTable,
    cell_address,
    column_letter,
    empty_file,
    fail,
    finish,
)
from casestats.problems import Problem

_QUOTE, _LF, _CR = ord('"'), ord("\n"), ord("\r")
_DELIMITERS = (b",", b";", b"\t")
_NAMES = {b",": "comma", b";": "semicolon", b"\t": "tab"}


def read_csv(data: bytes, source: str, *, delimiter: bytes | None = None) -> RawTable:
    """Read CSV bytes (see :func:`casestats.io.read_raw`); ``delimiter`` None sniffs it."""
    problems: list[Problem] = []
    data, encoding = _encoding(data, source, problems)
    if not data.strip():
        empty_file(source)
    _excel_separator_line(data, source)
    delimiter = delimiter or _sniff_delimiter(data)
    data = _without_trailing_blank_lines(data)
    _check_shape(data, delimiter, source)
    scan = _scan(data, delimiter)
    cells = None
    if scan is not None and not scan["ragged"].any():
        cells = _parse_fast(data, delimiter, encoding, n_records=len(scan["ragged"]))
    if cells is None:
        cells, long_rows = _parse_slow(data, delimiter, encoding, source, problems)
    else:
        long_rows = bool(scan["longest"] > LIMITS["cell_chars"])
    headers = cells.iloc[0].tolist()
    body = cells.iloc[1:].reset_index(drop=True)
    return finish(
        body,
        headers,
        np.arange(2, len(body) + 2),
        source=source,
        fmt="csv",
        problems=problems,
        check_lengths=long_rows,
        apostrophes=b"'" in data,
    )


def _encoding(data: bytes, source: str, problems: list[Problem]) -> tuple[bytes, str]:
    """The bytes to parse and their encoding; warns when the file is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-8"
        except UnicodeDecodeError as err:
            _undecodable(data, err, source, "UTF-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.isascii():
        return data, "utf-8"
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError as err:
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            _undecodable(data, err, source, "UTF-8 or Windows-1252")
        text = data.decode("utf-8", "surrogateescape")
        if any(ord(char) > 127 and not 0xDC80 <= ord(char) <= 0xDCFF for char in text):
            # valid UTF-8 elsewhere: re-decoding all as Windows-1252 would garble it
            _mixed_encoding(text, data, err, source)
        bad = data[err.start : err.end]
        problems.append(
            Problem(
                "warning",
                "not_utf8",
                row=data.count(b"\n", 0, err.start) + 1,
                value=f"byte {bad.hex(' ').upper()} at offset {err.start}",
                expected="UTF-8 text",
                hint=(
                    f"read as Windows-1252, where it is {bad.decode('cp1252')!r}; "
                    "save the file as 'CSV UTF-8' to be sure every character is right"
                ),
            )
        )
        return data, "cp1252"


def _mixed_encoding(text: str, data: bytes, err: UnicodeDecodeError, source: str) -> NoReturn:
    """Refuse a UTF-8 file with a stray non-UTF-8 byte, naming the cell that holds it."""
    delimiter = _sniff_delimiter(data).decode()
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    headers: list[str] = []
    for number, record in enumerate(records, start=1):
        for j, cell in enumerate(record):
            stray = next((c for c in cell if 0xDC80 <= ord(c) <= 0xDCFF), None)
            if stray is not None:
                fail(
                    source,
                    "mixed_encoding",
                    row=number,
                    cell=cell_address("", column_letter(j), number),
                    column=headers[j] if j < len(headers) else "",
                    value=cell.encode("utf-8", "surrogateescape").decode("cp1252", "replace"),
                    expected="UTF-8 text, like the rest of the file",
                    hint=f"the byte {ord(stray) - 0xDC00:02X} here is not UTF-8 (often a "
                    "character typed in Windows-1252): retype the cell, then save the file "
                    "as 'CSV UTF-8'",
                )
        headers = headers or record
    _undecodable(data, err, source, "UTF-8 throughout")


def _undecodable(data: bytes, err: UnicodeDecodeError, source: str, expected: str):
    fail(
        source,
        "undecodable",
        row=data.count(b"\n", 0, err.start) + 1,
        value=f"byte {data[err.start : err.end].hex(' ').upper()} at offset {err.start}",
        expected=expected,
        hint="save the file as 'CSV UTF-8'",
    )


def _excel_separator_line(data: bytes, source: str) -> None:
    """Refuse Excel's ``sep=;`` first line, which names the delimiter instead of the columns."""
    first = data[:20].split(b"\n", 1)[0].strip().strip(b'"')
    if first.lower().startswith(b"sep=") and len(first) == 5:
        fail(
            source,
            "missing_header",
            row=1,
            cell="A1",
            value=first.decode("utf-8", "replace"),
            expected="the column names in row 1",
            hint=f"'{first.decode('utf-8', 'replace')}' is Excel's note of the delimiter, not a "
            "header: delete this first line (or save the sheet again as 'CSV UTF-8')",
        )


def _without_trailing_blank_lines(data: bytes) -> bytes:
    """The bytes without the blank lines at the end (a flood of them would all be parsed)."""
    if data.endswith((b"\n\n", b"\r\r", b"\n\r\n")):
        return data.rstrip(b"\r\n") + b"\n"
    return data


def _check_shape(data: bytes, delimiter: bytes, source: str) -> None:
    """Refuse more columns or rows than a spreadsheet holds, before anything is parsed.

    Counted on the bytes, so that 50 MB of commas or of line ends is refused in a
    fraction of a second: line ends bound the records from above (a
    quoted cell may hold some), and only a line longer than the column limit can hold too
    many fields.
    """
    columns = LIMITS["columns"]
    if data.count(delimiter) >= columns:
        lines = data if b"\n" in data else data.replace(b"\r", b"\n")  # old Mac line ends
        for line in re.finditer(rb"^[^\n]{%d,}" % columns, lines, flags=re.M):
            # a lone carriage return ends a record too; quoted delimiters are not fields
            fields = max(
                re.sub(rb'"[^"]*"', b"", part).count(delimiter) + 1
                for part in line.group().split(b"\r")
            )
            if fields > columns:
                fail(
                    source,
                    "too_many_columns",
                    row=lines.count(b"\n", 0, line.start()) + 1,
                    value=f"{fields:,} {_NAMES[delimiter]}-separated fields",
                    expected=f"at most {columns:,} columns",
                    hint="refused before reading: a spreadsheet cannot hold this row",
                )
    records = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    records += not data.endswith((b"\n", b"\r"))
    if records > LIMITS["rows"] and b'"' in data:
        # only now, when there are too many lines: take away those inside quoted cells
        for quoted in re.finditer(rb'"[^"]*"', data):
            text = quoted.group()
            records -= text.count(b"\n") + text.count(b"\r") - text.count(b"\r\n")
    _check_rows(records, source)


def _check_rows(records: int, source: str, *, value: str = "") -> None:
    if records > LIMITS["rows"]:
        fail(
            source,
            "too_many_rows",
            value=value or f"{records:,} rows (the header and any blank lines included)",
            expected=f"at most {LIMITS['rows']:,} rows",
            hint="refused before reading: blank lines count as rows, as in a spreadsheet; "
            "delete them, or split the file",
        )


def _sniff_delimiter(data: bytes) -> bytes:
    """The delimiter used most in the header line (outside quotes); comma on a tie."""
    header = re.sub(rb'"[^"]*"', b"", data.split(b"\n", 1)[0])
    counts = [header.count(d) for d in _DELIMITERS]
    return _DELIMITERS[counts.index(max(counts))]


def _scan(data: bytes, delimiter: bytes) -> dict | None:
    """Fields per record counted on the bytes; None when the quoting is irregular.

    Inside a well-formed quoted field, quotes come in pairs, so a delimiter or
    line end is quoted exactly when an odd number of quotes precede it. That
    holds only if every opening quote starts a field and every closing quote
    ends one; otherwise the csv module decides.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    n = buf.size
    quotes = np.flatnonzero(buf == _QUOTE)
    if quotes.size:
        if quotes.size % 2:
            return None
        opening, closing = quotes[0::2], quotes[1::2]
        before = buf[np.maximum(opening - 1, 0)]
        after = buf[np.minimum(closing + 1, n - 1)]
        sep = ord(delimiter)
        # An opening quote right after a closing one is a doubled quote ("").
        ok_open = (opening == 0) | np.isin(before, (sep, _LF, _CR, _QUOTE))
        ok_close = (closing == n - 1) | np.isin(after, (sep, _LF, _CR, _QUOTE))
        if not (ok_open.all() and ok_close.all()):
            return None
        marks = np.zeros(n + 1, dtype=np.int8)
        marks[opening] = 1
        marks[closing] = -1
        quoted = np.cumsum(marks[:n], dtype=np.int8).astype(bool)
    else:
        quoted = None

    lf = buf == _LF
    # A lone carriage return also ends a record, as in the C parser.
    ends = lf | ((buf == _CR) & np.append(~lf[1:], True))
    delims = buf == ord(delimiter)
    if quoted is not None:
        ends &= ~quoted
        delims &= ~quoted
    stops = np.flatnonzero(ends)
    starts = np.concatenate(([0], stops + 1))
    stops = np.append(stops, n)
    if starts[-1] >= n:  # the file ends with a line end
        starts, stops = starts[:-1], stops[:-1]
    # delimiters per record from their positions: far cheaper than summing the mask
    positions = np.flatnonzero(delims)
    fields = np.searchsorted(positions, stops) - np.searchsorted(positions, starts) + 1
    length = stops - starts
    # An empty record sums the line end itself, which is never a delimiter.
    carriage = (length == 1) & (buf[np.minimum(starts, n - 1)] == _CR)
    blank = (length == 0) | carriage
    ragged = (fields != fields[0]) & ~blank
    return {"ragged": ragged, "longest": int(length.max())}


def _read_kwargs(delimiter: bytes, encoding: str) -> dict:
    return dict(
        sep=delimiter.decode(),
        header=None,
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        encoding=encoding,
        engine="c",
    )


def _parse_fast(data: bytes, delimiter: bytes, encoding: str, n_records: int):
    """Parse with pandas; None if its reading disagrees with the scan."""
    try:
        cells = pd.read_csv(io.BytesIO(data), **_read_kwargs(delimiter, encoding))
    except (pd.errors.ParserError, ValueError):
        return None
    return cells if len(cells) == n_records else None


def _parse_slow(data, delimiter, encoding, source, problems) -> tuple[pd.DataFrame, bool]:
    """Parse with the csv module, reporting every row with too many or too few fields."""
    text = data.decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter.decode(), strict=False)
    try:
        rows = []
        for row in reader:
            rows.append(row)
            if len(rows) > LIMITS["rows"]:
                _check_rows(len(rows), source, value=f"more than {LIMITS['rows']:,} rows")
    except csv.Error as err:
        fail(
            source,
            "malformed_csv",
            row=reader.line_num,
            value=str(err),
            expected="comma-, semicolon- or tab-separated text",
            hint="a cell may be too long or contain a NUL byte; check the file in a text editor",
        )
    width = len(rows[0])
    if width == 0:
        fail(
            source,
            "missing_header",
            row=1,
            expected="the column names in row 1",
            hint="delete the empty rows above the header",
        )
    _unclosed_quote(rows, text, problems)
    name = _NAMES[delimiter]
    for number, row in enumerate(rows, start=1):
        if row and len(row) != width:
            extra = row[width:]
            problems.append(
                Problem(
                    "error",
                    "ragged_row",
                    row=number,
                    value=delimiter.decode().join(extra)[:200] if extra else "",
                    expected=f"{width} {name}-separated fields, like the header",
                    hint=(
                        f"this row has {len(row)} fields: "
                        + (
                            "a value holding the delimiter may need quotes"
                            if extra
                            else "some cells are missing"
                        )
                    ),
                )
            )
            row[:] = (row + [""] * width)[:width]
        elif not row:
            row[:] = [""] * width
    return pd.DataFrame(rows, dtype=object), True


def _unclosed_quote(rows: list[list[str]], text: str, problems: list[Problem]) -> None:
    """Report a quote left open, which makes the csv module swallow every later line.

    An open quote can only end at the end of the file, inside the last field;
    a closed one would leave the text ending with the closing quote.
    """
    last = rows[-1][-1] if rows[-1] else ""
    swallowed = last.rstrip("\r\n")
    if ("\n" in swallowed or "\r" in swallowed) and not text.rstrip("\r\n").endswith('"'):
        lines = swallowed.count("\n") + swallowed.count("\r") - swallowed.count("\r\n")
        problems.append(
            Problem(
                "error",
                "unclosed_quote",
                row=len(rows),
                value=swallowed[:60] + ("..." if len(swallowed) > 60 else ""),
                expected="a closing quote at the end of the quoted cell",
                hint=f"a quote opened in this row runs to the end of the file, taking in "
                f"{lines} more line{'s' * (lines != 1)}; close it or remove it",
            )
        )
