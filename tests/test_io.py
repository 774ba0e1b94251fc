"""Readers and writers: nothing lost, nothing executed."""

import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import casestats
from casestats.io._write import to_csv_bytes

FORMATS = ["csv", "xlsx", "json"]
SOURCES = pd.DataFrame({"source_id": ["s1", "s2"], "first_author": ["Smith", "Lee"]})


def _roundtrip(cases, tmp_path, fmt):
    path = casestats.write_cases(cases, tmp_path / f"cases.{fmt}")
    return casestats.read_cases(path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_identifiers_markers_unknown_columns_and_formulas_survive(tmp_path, fmt):
    frame = pd.DataFrame(
        {
            "case_id": ["007", "1.50", "=1+1"],
            "source_id": ["s1", "s2", "s1"],
            "age_years": ["NA", "", "not reported"],
            "notes": ["@SUM(A1)", "-dash", "  leading spaces kept in text  "],
            "ward_colour": ["blue", "", "0012"],
            "calcium_value": ["-3", "", ""],
        }
    )
    cases = casestats.read_cases(frame, sources=SOURCES)
    again = _roundtrip(cases, tmp_path, fmt)
    pd.testing.assert_frame_equal(again.data, cases.data)
    pd.testing.assert_frame_equal(again.sources.reset_index(drop=True), cases.sources)


def test_csv_escapes_formulas_but_not_numbers(tmp_path):
    frame = pd.DataFrame({"case_id": ["=HYPERLINK()", "-3", "+x"], "source_id": ["s1"] * 3})
    data = to_csv_bytes(frame).decode()
    assert "'=HYPERLINK()" in data and "\n-3," in data and "'+x" in data


def test_xlsx_cells_are_strings(tmp_path):
    from openpyxl import load_workbook

    frame = pd.DataFrame(
        {"case_id": ["007", "=1+1"], "source_id": ["s1", "s1"], "age_years": ["54", ""]}
    )
    cases = casestats.read_cases(frame, sources=SOURCES)
    path = casestats.write_cases(cases, tmp_path / "cases.xlsx")
    sheet = load_workbook(path)["Cases"]
    assert sheet["A2"].value == "007" and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "'=1+1" and sheet["A3"].data_type == "s"
    assert sheet["C2"].data_type == "s"


def test_bundled_dataset_csv_round_trips_byte_for_byte(tmp_path):
    from casestats.datasets import _folder

    original = _folder("calcinosis_case_reports") / "cases.csv"
    cases = casestats.load_dataset("calcinosis_case_reports")
    path = casestats.write_cases(cases, tmp_path / "cases.csv")
    assert path.read_bytes() == original.read_bytes()


# Text a user might type: letters, digits, punctuation that matters to CSV and
# spreadsheets (quotes, separators, formula starts), accents and newlines.
_TEXT = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + " ,;\"'=+-@\n\r\té€ß.()"),
    max_size=12,
).filter(lambda s: s == s.strip() and "\r" not in s)
_ID = st.text(alphabet=string.ascii_letters + string.digits + "_-.", min_size=1, max_size=8)
_TERMS = {
    "sex": ["female", "male", "", "NR"],
    "ssc_subset": ["limited", "diffuse", "sine", "not_applicable", ""],
    "sites": ["finger_pad (left)", "elbow (bilateral); knee", "", "hand"],
    "age_years": ["54", "0.5", "90+", "", "NA"],
}


@st.composite
def case_tables(draw):
    n = draw(st.integers(1, 6))
    ids = draw(st.lists(_ID, min_size=n, max_size=n, unique=True))
    frame = {"case_id": ids, "source_id": [draw(st.sampled_from(["s1", "s2"])) for _ in ids]}
    for column, choices in _TERMS.items():
        frame[column] = [draw(st.sampled_from(choices)) for _ in ids]
    frame["notes"] = [draw(_TEXT) for _ in ids]
    frame["extra column"] = [draw(_TEXT) for _ in ids]
    return pd.DataFrame(frame)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(frame=case_tables())
def test_write_then_read_gives_the_same_records(tmp_path, fmt, frame):
    cases = casestats.read_cases(frame, sources=SOURCES)
    again = _roundtrip(cases, tmp_path, fmt)
    pd.testing.assert_frame_equal(again.data, cases.data)


def test_parquet_is_read_as_text(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(
        {
            "case_id": ["007", "008"],
            "source_id": ["s1", "s2"],
            "age_years": [54.0, None],
            "sex": ["F", "male"],
        }
    )
    frame.to_parquet(tmp_path / "cases.parquet")
    cases = casestats.read_cases(tmp_path / "cases.parquet", sources=SOURCES)
    assert cases.data["case_id"].tolist() == ["007", "008"]
    assert cases.data["age_years"].tolist() == ["54", ""]
    assert cases.data["sex"].tolist() == ["female", "male"]


def test_csv_without_sources_does_not_pick_up_a_stale_sidecar(tmp_path):
    with_sources = casestats.read_cases(
        pd.DataFrame({"case_id": ["1"], "source_id": ["s1"]}), sources=SOURCES
    )
    path = casestats.write_cases(with_sources, tmp_path / "cases.csv")
    without = casestats.read_cases(pd.DataFrame({"case_id": ["2"], "source_id": ["s9"]}))
    casestats.write_cases(without, path)
    again = casestats.read_cases(path)
    assert again.sources is None
    assert list(again.data["case_id"]) == ["2"]


def test_failed_write_leaves_cases_and_sidecar_as_they_were(tmp_path, monkeypatch):
    import casestats.io._write as write

    old = casestats.read_cases(
        pd.DataFrame({"case_id": ["1"], "source_id": ["s1"]}), sources=SOURCES
    )
    path = casestats.write_cases(old, tmp_path / "cases.csv")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    calls = []

    def full_disk(fd):
        calls.append(fd)
        if len(calls) == 2:  # the sidecar, after the cases file was staged
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(write.os, "fsync", full_disk)
    new = casestats.read_cases(
        pd.DataFrame({"case_id": ["2"], "source_id": ["s2"]}), sources=SOURCES
    )
    with pytest.raises(OSError, match="No space"):
        casestats.write_cases(new, path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch, fmt):
    import casestats.io._write as write

    old = casestats.read_cases(pd.DataFrame({"case_id": ["1"], "source_id": ["s1"]}))
    path = casestats.write_cases(old, tmp_path / f"cases.{fmt}")
    before = path.read_bytes()

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write.os, "fsync", full_disk)
    with pytest.raises(OSError):
        casestats.write_cases(old, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_column_names_get_the_formula_escape_and_come_back(tmp_path, fmt):
    from openpyxl import load_workbook

    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["s1"], "=HYPERLINK(1)": ["x"]})
    cases = casestats.read_cases(frame, sources=SOURCES)
    path = casestats.write_cases(cases, tmp_path / f"cases.{fmt}")
    if fmt == "csv":
        assert path.read_text().splitlines()[0] == "case_id,source_id,'=HYPERLINK(1)"
    else:
        cell = load_workbook(path)["Cases"]["C1"]
        assert cell.value == "'=HYPERLINK(1)" and cell.data_type == "s"
    assert list(casestats.read_cases(path).data.columns) == list(frame.columns)


def test_csv_quotes_a_carriage_return_in_a_column_name(tmp_path):
    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["s1"], "a\rb": ["x"]})
    assert to_csv_bytes(frame).startswith(b'"case_id","source_id","a\rb"\n')


@pytest.mark.parametrize(
    ("frame", "where"),
    [
        (pd.DataFrame({"case_id": ["1", "a\x00b"]}), "record 2, column 'case_id'"),
        (pd.DataFrame({"ca\x00se": ["1"]}), "column 1"),
    ],
)
def test_csv_writer_refuses_nul_with_its_place(frame, where):
    with pytest.raises(ValueError, match=where):
        to_csv_bytes(frame)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"case_id": ["1", "a\ufffeb"], "source_id": "s1"}), "record 2.*U\\+FFFE"),
        (pd.DataFrame({"case_id": ["\uffff"], "source_id": "s1"}), "record 1.*U\\+FFFF"),
        (
            pd.DataFrame({"case_id": ["1"], "source_id": "s1", "no\x01te": "x"}),
            "column 3.*U\\+0001",
        ),
    ],
)
def test_xlsx_writer_refuses_what_a_workbook_cannot_hold(tmp_path, frame, message):
    cases = casestats.read_cases(frame, sources=SOURCES)
    with pytest.raises(ValueError, match=message):
        casestats.write_cases(cases, tmp_path / "cases.xlsx")
    assert not list(tmp_path.iterdir())


def test_xlsx_carriage_returns_round_trip(tmp_path):
    # without lxml openpyxl writes a bare \r, which XML parsers turn into \n
    notes = ["a\r\nb", "\r=1", "x\ry", "typed _x000D_ literally", "_x005F_"]
    frame = pd.DataFrame({"case_id": list("12345"), "source_id": "s1", "notes": notes})
    cases = casestats.read_cases(frame, sources=SOURCES)
    assert _roundtrip(cases, tmp_path, "xlsx").data["notes"].tolist() == notes


def test_xlsx_reader_decodes_excels_carriage_return_escape(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["case_id", "source_id", "notes"])
    # what Excel itself stores for a cell typed as a, CR LF, b
    book.active.append(["1", "s1", "a_x000D_\nb"])
    book.save(tmp_path / "excel.xlsx")
    cases = casestats.read_cases(tmp_path / "excel.xlsx", sources=SOURCES)
    assert cases.data["notes"].tolist() == ["a\r\nb"]


@pytest.mark.parametrize("dtype", ["string", "str", object])
def test_missing_values_in_text_columns_read_as_blank(dtype):
    notes = pd.Series(["x", pd.NA, None], dtype=dtype)
    frame = pd.DataFrame({"case_id": ["1", "2", "3"], "source_id": "s1", "notes": notes})
    cases = casestats.read_cases(frame, sources=SOURCES)
    assert cases.data["notes"].tolist() == ["x", "", ""]


def test_one_stray_latin1_byte_in_a_utf8_file_is_located_not_redecoded(tmp_path):
    path = tmp_path / "cases.csv"
    text = "case_id,source_id,notes\n1,s1,Müller\n2,s1,caf\x00 au lait\n".encode()
    path.write_bytes(text.replace(b"\x00", b"\xe9"))  # é in Windows-1252 amid UTF-8
    with pytest.raises(casestats.CaseSeriesValidationError) as caught:
        casestats.read_cases(path, sources=SOURCES)
    message = str(caught.value)
    assert "C3, column 'notes': mixed_encoding" in message and "byte E9" in message


def test_a_windows_1252_file_is_still_read_with_a_warning(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes("case_id,source_id,notes\n1,s1,café\n".encode("cp1252"))
    cases = casestats.read_cases(path, sources=SOURCES)
    assert cases.data["notes"].tolist() == ["café"]
