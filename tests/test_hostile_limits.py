"""Hostile inputs are refused before the work, with a message naming the limit (issue 19).

Full-size inputs (50 MB of commas, 30 M Parquet rows...) are timed by
``benchmarks/hostile_limits.py``; here the limits are lowered, and the expensive step
(parsing, padding, decoding) is replaced by one that fails the test if it is reached.
"""

import os
import stat

import pytest

import casestats
from casestats.io import LIMITS, read_raw


def _codes(report):
    return [p.code for p in report.items]


@pytest.fixture
def no_parsing(monkeypatch):
    """Make any call to pandas' CSV parser or the csv module's reader fail the test."""
    import casestats.io._csv as reader

    def refuse(*args, **kwargs):
        raise AssertionError("the file was parsed before the limit was checked")

    monkeypatch.setattr(reader.pd, "read_csv", refuse)
    monkeypatch.setattr(reader.csv, "reader", refuse)


# -- CSV: columns and rows counted on the bytes ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "," * 40 + "\n",  # the header
        "a,b\n1,2\n" + "," * 40 + "\n",  # a later row
        "a,b\r1,2\r" + "," * 40 + "\r",  # old Mac line ends
    ],
)
def test_csv_column_limit_is_checked_before_parsing(tmp_path, monkeypatch, no_parsing, text):
    monkeypatch.setitem(LIMITS, "columns", 30)
    path = tmp_path / "wide.csv"
    path.write_text(text, encoding="utf-8")
    report = casestats.validate(path)
    assert _codes(report) == ["too_many_columns"]
    assert report.items[0].value == "41 comma-separated fields"
    assert report.items[0].expected == "at most 30 columns"


def test_quoted_delimiters_do_not_count_as_columns(tmp_path, monkeypatch):
    monkeypatch.setitem(LIMITS, "columns", 30)
    path = tmp_path / "quoted.csv"
    path.write_text('case_id,notes\n1,"' + "," * 40 + '"\n', encoding="utf-8")
    assert read_raw(path).frame["notes"].tolist() == ["," * 40]


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_a_flood_of_blank_lines_is_refused_before_parsing(tmp_path, monkeypatch, no_parsing, end):
    monkeypatch.setitem(LIMITS, "rows", 100)
    path = tmp_path / "blank.csv"
    path.write_text("case_id,sex" + end + end * 200 + "1,F" + end, encoding="utf-8", newline="")
    report = casestats.validate(path)
    assert _codes(report) == ["too_many_rows"]
    assert "blank lines count as rows" in report.items[0].hint


def test_one_row_too_many_is_refused_before_parsing(tmp_path, monkeypatch, no_parsing):
    monkeypatch.setitem(LIMITS, "rows", 100)
    path = tmp_path / "long.csv"
    path.write_text("case_id\n" + "1\n" * 100, encoding="utf-8")
    report = casestats.validate(path)
    assert _codes(report) == ["too_many_rows"]
    assert report.items[0].value.startswith("101 rows")


def test_line_ends_inside_quotes_are_not_rows(tmp_path, monkeypatch):
    monkeypatch.setitem(LIMITS, "rows", 10)
    path = tmp_path / "quoted.csv"
    path.write_text('case_id,notes\n1,"' + "line\n" * 20 + '"\n', encoding="utf-8")
    assert read_raw(path).frame["notes"].str.count("\n").tolist() == [20]


def test_trailing_blank_lines_are_dropped_before_parsing(tmp_path, monkeypatch):
    import casestats.io._csv as reader

    seen, parse = [], reader.pd.read_csv

    def spy(data, **kwargs):
        seen.append(data)
        return parse(data, **kwargs)

    monkeypatch.setattr(reader.pd, "read_csv", spy)
    path = tmp_path / "tail.csv"
    path.write_bytes(b"case_id,sex\n1,F\n" + b"\n" * 5000)
    assert read_raw(path).frame.shape == (1, 2)
    assert len(seen[0].getvalue()) == len(b"case_id,sex\n1,F\n")


class _CountingDict(dict):
    scans = 0

    def items(self):
        type(self).scans += 1
        return super().items()


def test_field_of_is_a_lookup_not_a_scan():
    """validation._Checker._field_of scanned every header per problem: quadratic in columns."""
    from casestats.validation import _Checker

    checker = _Checker.__new__(_Checker)
    checker.header = _CountingDict({f"f{i}": f"F {i}" for i in range(3)} | {"dup": "F 1"})
    assert [checker._field_of(h) for h in ("F 0", "F 1", "other")] == ["f0", "f1", "other"]
    for _ in range(100):
        checker._field_of("F 2")
    assert _CountingDict.scans == 1
    checker.header["new"] = "New"
    assert checker._field_of("New") == "new"


# -- files that are not regular files ----------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    report = casestats.validate(path)  # would hang forever if opened for reading
    assert [(p.code, p.expected) for p in report.items] == [
        ("unreadable_file", "a regular file, not a FIFO (named pipe)")
    ]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_symlink_to_a_device_is_refused_before_reading(tmp_path):
    path = tmp_path / "zero.csv"
    path.symlink_to("/dev/zero")  # reading it never ends
    report = casestats.validate(path)
    assert [(p.code, p.expected) for p in report.items] == [
        ("unreadable_file", "a regular file, not a device")
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json", ".parquet"])
def test_a_folder_is_refused_as_a_folder(tmp_path, suffix):
    (tmp_path / f"cases{suffix}").mkdir()
    report = casestats.validate(tmp_path / f"cases{suffix}")
    assert [(p.code, p.expected) for p in report.items] == [
        ("unreadable_file", "a regular file, not a folder")
    ]


def test_a_nul_in_the_path_is_a_located_error(tmp_path):
    report = casestats.validate(str(tmp_path / "ca\0ses.csv"))
    assert _codes(report) == ["unreadable_file"]
    assert report.items[0].expected == "a path without the NUL character"


def test_file_kind_names_what_stat_says():
    from casestats.io._table import file_kind

    assert file_kind(stat.S_IFREG) == "file"
    assert file_kind(stat.S_IFDIR) == "a folder"
    assert file_kind(stat.S_IFCHR) == "a device"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_cli_names_the_real_cause_for_folders_and_fifos(tmp_path, capsys):
    from casestats.cli import main

    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "folder.csv").mkdir()
    for name, kind in [("pipe.csv", "a FIFO (named pipe)"), ("folder.csv", "a folder")]:
        assert main(["validate", str(tmp_path / name)]) == 2
        assert f"is {kind}, not a regular file" in capsys.readouterr().err


def test_the_reader_does_not_read_past_its_limit(tmp_path, monkeypatch):
    monkeypatch.setitem(LIMITS, "file_bytes", 10)
    path = tmp_path / "big.csv"
    path.write_text("case_id\n" + "1\n" * 10)
    assert _codes(casestats.validate(path)) == ["file_too_large"]

