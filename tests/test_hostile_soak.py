"""Round trip of hostile text through CSV, XLSX and JSON: every cell back, or a located refusal.

In CI this runs the ``ci`` hypothesis profile (50 examples per format, derandomised). The
soak run of issue 19 draws 2,000 random examples per format::

    HYPOTHESIS_PROFILE=soak python -m pytest tests/test_hostile_soak.py --hypothesis-show-statistics
"""

import re

import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import casestats

SOURCES = pd.DataFrame({"source_id": ["s1"]})

# What breaks writers and readers: line ends, NUL and other controls, noncharacters, lone
# surrogates, Excel's own escape, formula starts, quotes and delimiters, invisible spaces.
_PIECES = list("ab ,;\t\"'=+-@\n\r_x0D") + [
    "\x00", "\x07", "\x1f", "\x7f", "\u00a0", "\u200b", "\ufeff", "\ufffe", "\uffff",
    "\ud800", "\udfff", "é", "🙂", "_x000D_", "\r\n",
]  # fmt: skip
_HOSTILE = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)

# A refusal names where: a record (or row) and a column.
_LOCATED = re.compile(r"record \d+.*column|column .*record \d+|row \d+", re.S)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@given(notes=st.lists(_HOSTILE, min_size=1, max_size=4), header=_HOSTILE)
@example(notes=["a\r\nb", "\r=1", "_x000D_"], header="x")
@example(notes=["nul \x00"], header="x")
@example(notes=["\ufffe"], header="\x07")
def test_hostile_text_comes_back_exactly_or_is_refused_located(tmp_path, fmt, notes, header):
    ids = [f"c{i}" for i in range(len(notes))]
    frame = pd.DataFrame(
        list(zip(ids, ["s1"] * len(ids), notes, notes[::-1], strict=True)),
        # an object Index: pandas 3's str Index cannot hold a lone surrogate at all
        columns=pd.Index(["case_id", "source_id", "notes", "extra " + header], dtype=object),
        dtype=object,
    )
    try:
        cases = casestats.read_cases(frame, sources=SOURCES)
    except casestats.CaseSeriesValidationError as err:
        errors = [p for p in err.report.items if p.severity == "error"]
        assert errors and all(p.row or p.column for p in errors), str(err.report)
        return
    try:
        path = casestats.write_cases(cases, tmp_path / f"cases.{fmt}")
    except ValueError as err:
        assert _LOCATED.search(str(err)) or "its name" in str(err), str(err)
        return
    again = casestats.read_cases(path)
    pd.testing.assert_frame_equal(again.data, cases.data)
