"""Hostile inputs whose message must name the real cause, and values refused at read (issue 19)."""

import json

import pytest

import casestats
from casestats.io import LIMITS

TABLE = "case_id,source_id\n1,s1\n"
RECORDS = '[{"case_id": "1", "source_id": "s1"}]'


def _problems(path):
    return [(p.code, p.row, p.column, p.value) for p in casestats.validate(path).items]


# -- encodings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "value"),
    [
        ("a.csv", TABLE.encode("utf-16-le"), "UTF-16 (little-endian) without a byte-order mark"),
        ("a.csv", TABLE.encode("utf-16-be"), "UTF-16 (big-endian) without a byte-order mark"),
        ("a.csv", TABLE.encode("utf-32"), "UTF-32 (little-endian) with a byte-order mark"),
        ("a.csv", TABLE.encode("utf-32-be"), "UTF-32 (big-endian) without a byte-order mark"),
        ("a.json", RECORDS.encode("utf-16"), "UTF-16 (little-endian) with a byte-order mark"),
        ("a.json", RECORDS.encode("utf-16-le"), "UTF-16 (little-endian) without a byte-order mark"),
    ],
    ids=["utf16le", "utf16be", "utf32-mark", "utf32be", "json-utf16-mark", "json-utf16le"],
)
def test_wide_encodings_are_named(tmp_path, name, data, value):
    path = tmp_path / name
    path.write_bytes(data)
    report = casestats.validate(path)
    assert [(p.code, p.value) for p in report.items] == [("undecodable", f"text in {value}")]
    if name.endswith(".json"):
        assert "PowerShell" in report.items[0].hint


def test_utf16_with_a_mark_is_still_read(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes(TABLE.encode("utf-16"))
    assert casestats.read_cases(path).data["case_id"].tolist() == ["1"]


def test_excel_separator_line_is_named(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\ncase_id;source_id\n1;s1\n", encoding="utf-8")
    report = casestats.validate(path)
    assert [(p.code, p.row, p.value) for p in report.items] == [("missing_header", 1, "sep=;")]
    assert "delete this first line" in report.items[0].hint


# -- JSON -----------------------------------------------------------------------


def test_json_lines_are_named(tmp_path):
    path = tmp_path / "lines.json"
    path.write_text('{"case_id": "1"}\n{"case_id": "2"}\n', encoding="utf-8")
    report = casestats.validate(path)
    assert [p.code for p in report.items] == ["invalid_json"]
    assert "JSON Lines" in report.items[0].hint


def test_deeply_nested_json_never_raises_recursion_error(tmp_path):
    from casestats.io._json import _dump

    deep = []
    for _ in range(5000):
        deep = [deep]
    assert "nested hundreds of levels deep" in _dump(deep)
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert [p.code for p in casestats.validate(path).items] == ["invalid_json"]


def test_ten_megabytes_of_empty_objects_are_refused_before_parsing(tmp_path, monkeypatch):
    import casestats.io._json as reader

    monkeypatch.setitem(LIMITS, "rows", 100)
    monkeypatch.setattr(reader.json, "loads", lambda *a, **k: pytest.fail("parsed"))
    path = tmp_path / "objects.json"
    path.write_text("[" + "{}," * 300 + "{}]", encoding="utf-8")
    report = casestats.validate(path)
    assert [(p.code, p.value) for p in report.items] == [("too_many_rows", "301 objects ('{')")]


def test_json_records_over_the_row_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setitem(LIMITS, "rows", 100)
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"case_id": str(i)} for i in range(101)]), encoding="utf-8")
    assert [p.code for p in casestats.validate(path).items] == ["too_many_rows"]


def test_lone_surrogates_in_json_keys_and_values_are_refused_at_read(tmp_path):
    path = tmp_path / "surrogates.json"
    path.write_text(
        '[{"case_id": "1", "source_id": "s1", "notes": "a\\ud800b"},'
        ' {"case_id": "2", "k\\udfffey": "x"}]',
        encoding="utf-8",
    )
    with pytest.raises(casestats.CaseSeriesValidationError) as caught:
        casestats.read_cases(path)
    located = [(p.code, p.row, p.column) for p in caught.value.report.items]
    assert located == [("undecodable", 1, "notes"), ("undecodable", 2, "k\\udfffey")]


def test_a_surrogate_pair_escape_is_a_character(tmp_path):
    path = tmp_path / "emoji.json"
    path.write_text('[{"case_id": "1", "notes": "\\ud83d\\ude42"}]', encoding="utf-8")
    assert casestats.io.read_raw(path).frame["notes"].tolist() == ["\U0001f642"]
