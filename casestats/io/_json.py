"""JSON reader: ``{"cases": [...], "sources": [...]}`` or a bare list of records.

Numbers keep their literal text (``1.50`` stays ``"1.50"``), ``null`` is an
empty cell, ``true``/``false`` stay as typed. ``NaN``, ``Infinity``, duplicate
keys and nested values are located problems, not silent guesses.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from casestats.io._table import RawTable, fail, finish
from casestats.problems import Problem


class _Constant(str):
    """NaN, Infinity or -Infinity: not JSON, though Python's parser accepts them."""


class _Object(dict):
    """A JSON object that remembers its duplicate keys (the first value wins)."""

    duplicates: list[tuple[str, object]]


def _pairs(pairs):
    obj = _Object()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append((key, value))
        else:
            obj[key] = value
    return obj


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
    try:
        document = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_constant=_Constant,
            parse_float=str,
            parse_int=str,
        )
    except json.JSONDecodeError as err:
        fail(
            source,
            "invalid_json",
            row=err.lineno,
            value=text[max(err.pos - 20, 0) : err.pos + 20],
            expected=err.msg,
            hint=f"line {err.lineno}, column {err.colno} of the file",
        )
    except RecursionError:
        fail(source, "invalid_json", expected="JSON nested less deeply")

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

    table = _records(cases, source, "")
    side = None
    if sources is not None and not isinstance(sources, list):
        top.append(
            Problem("error", "json_structure", column="sources", expected="a list of records")
        )
    elif sources:
        side = _records(sources, source, "sources")
    return RawTable(
        **{
            **table.__dict__,
            "sources": None if side is None else side.frame,
            "problems": tuple(top) + table.problems + (() if side is None else side.problems),
        }
    )


def _records(records: list, source: str, part: str) -> RawTable:
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
    return json.dumps(value, ensure_ascii=False)[:200]
