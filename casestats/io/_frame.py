"""Read a pandas DataFrame as text, the way the file readers would have."""

from __future__ import annotations

import numpy as np
import pandas as pd

from casestats.io._table import RawTable, finish, number_text
from casestats.problems import Problem


def read_frame(data: pd.DataFrame) -> RawTable:
    """Turn a DataFrame into a :class:`RawTable` (see :func:`casestats.io.read_raw`).

    A named index (``set_index("case_id")``, say) becomes columns again, so it
    is not lost; an unnamed one is ignored. Row numbers count records from 1,
    in the frame's order. Missing values (None, NaN, NA) become ``""``.
    """
    if any(name is not None for name in data.index.names):
        data = data.reset_index()
    problems: list[Problem] = []
    headers = [_header(c) for c in data.columns]
    columns = {j: _column_text(data.iloc[:, j], headers[j], problems) for j in range(data.shape[1])}
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
    return np.array([_text(v) for v in values], dtype=object)


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
