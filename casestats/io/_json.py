"""JSON reader: ``{"cases": [...], "sources": [...]}`` or a bare list of records.

Numbers keep their literal text (``1.50`` stays ``"1.50"``), ``null`` is an
empty cell, ``true``/``false`` stay as typed. ``NaN``, ``Infinity``, duplicate
keys and nested values are located problems, not silent guesses.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from casestats.exceptions import CaseSeriesValidationError
from casestats.io._table import LIMITS, RawTable, fail, finish
from casestats.problems import Problem, ValidationReport


class _Constant(str):
    """NaN, Infinity or -Infinity: not JSON, though Python's parser accepts them."""


class _Object(dict):
    """A JSON object that remembers its duplicate keys (the first value wins)."""

    duplicates: list[tuple[str, object]]


def _pairs(pairs):
    plain = dict(pairs)
    if len(plain) == len(pairs):
        return plain  # the usual case: no memory spent on remembering duplicates
    obj = _Object()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append((key, value))
        else:
            obj[key] = value
    return obj


# A lone surrogate can only come from a \uD800-\uDFFF escape: no encoder can write it.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def read_json(data: bytes, source: str) -> RawTable:
    """Read JSON bytes (see :func:`casestats.io.read_raw`)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        fail(
            source,
            "undecodable",
            value=f"byte {data[err.start : err.end].hex(' ').upper()} at offset {err.start}",
            expected="UTF-8 text (JSON files are always UTF-8)",
        )
    _check_objects(data, source)
    try:
        document = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_constant=_Constant,
            parse_float=str,
            parse_int=str,
        )
    except json.JSONDecodeError as err:
        lines = err.msg == "Extra data" and err.colno == 1 and text.lstrip().startswith("{")
        fail(
            source,
            "invalid_json",
            row=err.lineno,
            value=text[max(err.pos - 20, 0) : err.pos + 20],
            expected="one JSON document" if lines else err.msg,
            hint=(
                "this looks like JSON Lines (one record per line): put the records in a "
                "list, [{...}, {...}], or save them as CSV; "
                if lines
                else ""
            )
            + f"line {err.lineno}, column {err.colno} of the file",
        )
    except RecursionError:
        fail(
            source,
            "invalid_json",
            expected="JSON nested less deeply",
            hint="the file nests lists or objects hundreds of levels deep; a case is one "
            "object of column: value",
        )
    surrogates = _SURROGATE_ESCAPE.search(text) is not None

    top: list[Problem] = []  # problems with the file as a whole come first
    if isinstance(document, dict):
        _duplicates(document, None, "", top)
        if "cases" not in document or not isinstance(document["cases"], list):
            fail(
                source,
                "json_structure",
                value=", ".join(map(repr, document))[:200],
                expected='{"cases": [...], "sources": [...]} or a list of records',
            )
        for key in document:
            if key not in ("cases", "sources"):
                top.append(
                    Problem(
                        "error",
                        "json_structure",
                        column=key,
                        value=key,
                        expected='only the keys "cases" and "sources"',
                        hint="this part of the file would be lost; move it into the records",
                    )
                )
        cases, sources = document["cases"], document.get("sources")
    elif isinstance(document, list):
        cases, sources = document, None
    else:
        fail(source, "json_structure", expected="an object or a list of records")

    if len(cases) > LIMITS["rows"]:
        _too_many(source, f"{len(cases):,} records")
    table = _records(cases, source, "", surrogates)
    side = None
    if sources is not None and not isinstance(sources, list):
        top.append(
            Problem("error", "json_structure", column="sources", expected="a list of records")
        )
    elif sources:
        side = _records(sources, source, "sources", surrogates)
    return RawTable(
        **{
            **table.__dict__,
            "sources": None if side is None else side.frame,
            "sources_table": side,
            "problems": tuple(top) + table.problems + (() if side is None else side.problems),
        }
    )


def _records(records: list, source: str, part: str, surrogates: bool) -> RawTable:
    """The table of one list of records, with its located problems."""
    problems: list[Problem] = []
    where = f"{part} record" if part else "record"
    columns: dict[str, list[str]] = {}
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            problems.append(
                Problem(
                    "error",
                    "json_structure",
                    row=number,
                    value=_dump(record),
                    expected=f"each {where} an object of column: value",
                )
            )
            continue
        _duplicates(record, number, where, problems)
        for key, value in record.items():
            column = columns.setdefault(key, [""] * (number - 1))
            column.extend([""] * (number - 1 - len(column)))
            column.append(_value(value, number, key, where, problems))
            if surrogates:
                _lone_surrogates(key, column[-1], number, where, problems)
    if any(p.code == "undecodable" for p in problems):
        # pandas and pyarrow cannot even hold such text: refuse here, every problem at once
        raise CaseSeriesValidationError(
            ValidationReport(tuple(problems), source=source, n_rows=len(records))
        )
    for column in columns.values():
        column.extend([""] * (len(records) - len(column)))
    headers = list(columns)
    cells = pd.DataFrame(
        {j: columns[h] for j, h in enumerate(headers)},
        index=pd.RangeIndex(len(records)),
        dtype=object,
    )
    return finish(
        cells,
        headers,
        np.arange(1, len(records) + 1),
        source=source,
        fmt="json",
        letters=False,
        problems=problems,
    )


def _value(value, number: int, key: str, where: str, problems: list[Problem]) -> str:
    if isinstance(value, _Constant):
        problems.append(
            Problem(
                "error",
                "json_constant",
                row=number,
                column=key,
                value=str(value),
                expected="a number, a string or null (NaN and Infinity are not JSON)",
                hint=f"in {where} {number}; write null or an empty string for a missing value",
            )
        )
        return str(value)
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    problems.append(
        Problem(
            "error",
            "nested_value",
            row=number,
            column=key,
            value=_dump(value),
            expected="a single value (text or number)",
            hint=f"in {where} {number}; write several values as text separated by semicolons",
        )
    )
    return _dump(value)


def _lone_surrogates(key: str, value: str, number: int, where: str, problems) -> None:
    """Refuse a lone surrogate now: every writer (and most programs) would fail on it later."""
    for text, what in ((key, "key"), (value, "value")):
        found = _SURROGATE.search(text)
        if found:
            problems.append(
                Problem(
                    "error",
                    "undecodable",
                    row=number,
                    column=key.encode("utf-8", "backslashreplace").decode(),
                    value=text.encode("utf-8", "backslashreplace").decode()[:200],
                    expected="text (a \\uD800-\\uDFFF escape is half of a character)",
                    hint=f"in {where} {number}, the {what} holds the lone surrogate "
                    f"U+{ord(found.group()):04X}: fix the program that wrote the file",
                )
            )


def _check_objects(data: bytes, source: str) -> None:
    """Refuse before parsing a file with more objects than the row limits allow.

    Every record is an object: 10 MB of ``{}`` would otherwise become 3 million Python
    dicts (gigabytes) before the record count could be checked.
    """
    most = 2 * LIMITS["rows"] + 1  # the cases, the sources and the document itself
    if data.count(b"{") > most:
        _too_many(source, f"{data.count(b'{'):,} objects ('{{')")


def _too_many(source: str, value: str) -> None:
    fail(
        source,
        "too_many_rows",
        value=value,
        expected=f"at most {LIMITS['rows']:,} records (cases and sources each)",
        hint="refused before reading: split the file",
    )


def _duplicates(obj: dict, number: int | None, where: str, problems: list[Problem]) -> None:
    for key, value in getattr(obj, "duplicates", ()):
        problems.append(
            Problem(
                "error",
                "duplicate_key",
                row=number,
                column=key,
                value=_dump(value),
                expected="each key once per object",
                hint=(f"in {where} {number}; " if number else "")
                + f"the first value {_dump(obj[key])} was kept",
            )
        )


def _dump(value) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)[:200]
    except RecursionError:  # the parser nests a little deeper than the encoder
        return f"a {type(value).__name__} nested hundreds of levels deep"
