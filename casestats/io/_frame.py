"""Read a pandas DataFrame as text, the way the file readers would have."""

from __future__ import annotations

import numpy as np
import pandas as pd

from casestats.exceptions import CaseSeriesValidationError
from casestats.io._table import RawTable, finish, number_text
from casestats.problems import Problem, ValidationReport


def read_frame(data: pd.DataFrame) -> RawTable:
    """Turn a DataFrame into a :class:`RawTable` (see :func:`casestats.io.read_raw`).

    A named index (``set_index("case_id")``, say) becomes columns again, so it
    is not lost; an unnamed one is ignored. Row numbers count records from 1,
    in the frame's order. Missing values (None, NaN, NA) become ``""``.
    """
    if any(name is not None for name in data.index.names):
        # concat, not reset_index: an index named like a column (case_id) is then reported
        # as a duplicate column instead of raising
        index = data.index.to_frame(index=False)
        data = pd.concat([index, data.reset_index(drop=True)], axis=1)
    problems: list[Problem] = []
    headers = [_header(c) for c in data.columns]
    columns = {j: _column_text(data.iloc[:, j], headers[j], problems) for j in range(data.shape[1])}
    refuse_surrogates(headers, columns, "<DataFrame>", problems)
    cells = pd.DataFrame(columns, index=pd.RangeIndex(len(data)), dtype=object)
    return finish(
        cells,
        headers,
        np.arange(1, len(data) + 1),
        source="<DataFrame>",
        fmt="frame",
        letters=False,
        problems=problems,
    )


def _header(label) -> str:
    if isinstance(label, tuple):  # MultiIndex columns
        return " ".join(_header(part) for part in label if _header(part))
    return "" if label is None or (isinstance(label, float) and np.isnan(label)) else str(label)


def _column_text(values: pd.Series, header: str, problems: list[Problem]) -> np.ndarray:
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        # pandas 3's str dtype (and "string") hold blanks as NaN/NA, not as ""
        return values.astype(object).where(values.notna(), "").to_numpy(dtype=object)
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.map(_date_text, na_action="ignore").fillna("").to_numpy(dtype=object)
        problems.append(
            Problem(
                "warning",
                "date_cell",
                column=header,
                value=next((t for t in text if t), ""),
                expected="text or numbers (no column of the schema holds dates)",
                hint="dates were written as ISO text; full dates should not be in a shared dataset",
            )
        )
        return text
    text = np.array([_text(v) for v in values], dtype=object)
    nested = [i for i, v in enumerate(values) if isinstance(v, _NESTED)]
    for i in nested:
        problems.append(
            Problem(
                "error",
                "nested_value",
                row=i + 1,
                column=header,
                value=text[i][:200],
                expected="a single value (text or number)",
                hint=f"in record {i + 1} this cell holds a {type(values.iat[i]).__name__}; "
                "write several values as text separated by semicolons",
            )
        )
    return text


# Cells that hold several values (or bytes): stored as their Python repr, they would pass
# for text. JSON input reports the same thing as nested_value.
_NESTED = (list, tuple, dict, set, frozenset, np.ndarray, bytes, bytearray)


def refuse_surrogates(headers, columns: dict, source: str, problems: list[Problem]) -> None:
    """Refuse lone surrogates at read, located: pandas, pyarrow and every writer fail on them.

    One ``encode`` of each column's joined text finds that there is none, in C.
    """
    bad = []
    for j, header in enumerate(headers):
        cells = [header, *columns[j]]
        try:
            "".join(cells).encode("utf-8")
            continue
        except UnicodeEncodeError:
            pass
        for i, cell in enumerate(cells):
            if not _encodable(cell):
                shown = cell.encode("utf-8", "backslashreplace").decode()
                bad.append(
                    Problem(
                        "error",
                        "undecodable",
                        row=i or None,
                        column=header.encode("utf-8", "backslashreplace").decode(),
                        value=shown[:200],
                        expected="text without lone surrogates (U+D800-U+DFFF)",
                        hint=("the column name" if i == 0 else f"record {i}")
                        + " holds half of a character: fix the program that made the text",
                    )
                )
    if bad:
        raise CaseSeriesValidationError(
            ValidationReport(tuple(problems + bad), source=source, n_rows=len(columns.get(0, ())))
        )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _date_text(value) -> str:
    return value.date().isoformat() if value == value.normalize() else value.isoformat()


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else number_text(float(value))
    return str(value)
