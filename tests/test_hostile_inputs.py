"""Hostile Parquet files and DataFrames, TSV, and ids normalised alike (issue 19)."""

import pandas as pd
import pytest

import casestats
from casestats.io import LIMITS, read_raw

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

SOURCES = pd.DataFrame({"source_id": ["s1"]})


def _located(report):
    return [(p.code, p.row, p.column) for p in report.items if p.severity == "error"]


# -- Parquet ----------------------------------------------------------------------


def test_parquet_row_count_comes_from_the_metadata(tmp_path, monkeypatch):
    monkeypatch.setitem(LIMITS, "rows", 1000)
    monkeypatch.setattr(pq.ParquetFile, "read", lambda *a, **k: pytest.fail("columns read"))
    path = tmp_path / "nulls.parquet"
    pq.write_table(pa.table({"case_id": pa.nulls(1001, pa.string())}), path)
    report = casestats.validate(path)
    assert [(p.code, p.value) for p in report.items] == [
        ("too_many_rows", "1,001 rows (from the file's metadata)")
    ]


def test_parquet_invalid_utf8_is_located(tmp_path):
    column = pa.array([b"ok", b"caf\xe9"], pa.binary()).view(pa.string())
    path = tmp_path / "latin1.parquet"
    pq.write_table(pa.table({"case_id": column}), path)
    report = casestats.validate(path)
    assert _located(report) == [("undecodable", 2, "case_id")]
    assert report.items[0].value == "caf\\xe9"


def test_parquet_duplicate_column_names_are_located(tmp_path):
    path = tmp_path / "twice.parquet"
    columns = [pa.array(["1"]), pa.array(["s1"]), pa.array(["2"])]
    table = pa.Table.from_arrays(columns, names=["case_id", "source_id", "case_id"])
    pq.write_table(table, path)
    report = casestats.validate(path)
    assert [(p.code, p.column) for p in report.items] == [("duplicate_header", "case_id")]
    assert "columns 1 and 3" in report.items[0].hint


def test_parquet_lists_structs_and_bytes_are_nested_values(tmp_path):
    path = tmp_path / "nested.parquet"
    table = pa.table(
        {
            "case_id": ["1", "2"],
            "source_id": ["s1", "s1"],
            "sites": [["hand", "elbow"], None],
            "extra": [{"x": 1}, None],
            "blob": [b"\x00x", None],
        }
    )
    pq.write_table(table, path)
    found = [(p.code, p.row, p.column) for p in casestats.validate(path).items]
    for column in ("sites", "extra", "blob"):
        assert ("nested_value", 1, column) in found
        assert ("nested_value", 2, column) not in found


# -- DataFrames -----------------------------------------------------------------------


def test_frame_cells_holding_lists_are_nested_values():
    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["s1"], "sites": [["hand", "elbow"]]})
    report = casestats.validate(frame, sources=SOURCES)
    problem = next(p for p in report.items if p.code == "nested_value")
    assert (problem.row, problem.column, problem.value) == (1, "sites", "['hand', 'elbow']")


def test_frame_lone_surrogates_are_refused_at_read():
    notes = ["ok", "x\ud800"]
    frame = pd.DataFrame({"case_id": ["1", "2"], "source_id": "s1", "notes": notes}, dtype=object)
    with pytest.raises(casestats.CaseSeriesValidationError) as caught:
        casestats.read_cases(frame, sources=SOURCES)
    assert _located(caught.value.report) == [("undecodable", 2, "notes")]


def test_an_index_named_like_a_column_is_a_duplicate_column():
    index = pd.Index(["x"], name="case_id")
    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["s1"]}, index=index)
    report = casestats.validate(frame, sources=SOURCES)
    assert ("duplicate_header", None, "case_id") in _located(report)


# -- TSV and ids -------------------------------------------------------------------


def test_write_cases_writes_tsv_with_tabs_and_reads_it_back(tmp_path):
    notes = ["a, b", "c;d"]
    frame = pd.DataFrame({"case_id": ["1", "2"], "source_id": ["s1", "s1"], "notes": notes})
    cases = casestats.read_cases(frame, sources=SOURCES)
    path = casestats.write_cases(cases, tmp_path / "cases.tsv")
    assert path.read_text(encoding="utf-8").splitlines()[0] == "case_id\tsource_id\tnotes"
    again = casestats.read_cases(path)
    pd.testing.assert_frame_equal(again.data, cases.data)


def test_a_tsv_file_is_read_as_tab_separated_whatever_its_header(tmp_path):
    path = tmp_path / "one.tsv"
    path.write_text("case_id, with comma\n1, a\n", encoding="utf-8")
    assert read_raw(path).headers == ["case_id, with comma"]


def test_a_no_break_space_in_source_id_is_normalised_in_both_tables():
    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["smith\u00a02020"]})
    cases = casestats.read_cases(frame, sources=pd.DataFrame({"source_id": ["smith\u00a02020 "]}))
    assert cases.data["source_id"].tolist() == cases.sources["source_id"].tolist() == ["smith 2020"]
