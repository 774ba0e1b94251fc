"""Source kinds: the caveat a series carries is the one true of where its cases come from."""

import pandas as pd
import pytest

import casestats
from casestats.sources import (
    CASE_REPORT_CAVEAT,
    OWN_PATIENTS_CAVEAT,
    UNKNOWN_KIND_CAVEAT,
    check_source_kinds,
)


def _cases(kinds: dict[str, str] | None, ids=("pub", "pub", "own")):
    n = len(ids)
    frame = pd.DataFrame(
        {
            "case_id": [f"c{i}" for i in range(n)],
            "source_id": list(ids),
            "subtype": ["idiopathic"] * n,
        }
    )
    sources = pd.DataFrame({"source_id": sorted(set(ids))})
    if kinds is not None:
        sources["kind"] = sources["source_id"].map(kinds)
    return casestats.read_cases(frame, sources=sources)


def test_own_patients_carry_no_published_literature_caveat():
    cases = _cases({"own": "own_patients"}, ids=("own", "own"))
    assert cases.caveat == OWN_PATIENTS_CAVEAT
    assert "published" not in cases.caveat
    result = casestats.subtype_frequency(cases)
    assert result.caveat == OWN_PATIENTS_CAVEAT


def test_a_mixed_series_says_which_cases_each_caveat_covers():
    cases = _cases({"pub": "case_report", "own": "own_patients"})
    assert cases.caveat == (
        f"2 of 3 cases (published case reports): {CASE_REPORT_CAVEAT} "
        f"1 of 3 cases (own patients): {OWN_PATIENTS_CAVEAT}"
    )
    # a subset of the own patients only is no longer mixed
    own = cases.subset(cases.data["source_id"] == "own")
    assert own.caveat == OWN_PATIENTS_CAVEAT


def test_published_kinds_share_one_caveat_without_a_split():
    cases = _cases({"pub": "case_report", "own": "case_series"})
    assert cases.caveat == CASE_REPORT_CAVEAT


def test_without_a_kind_column_the_caveat_says_the_kind_is_unknown():
    cases = _cases(None)
    assert cases.caveat == UNKNOWN_KIND_CAVEAT
    notes = cases.report.problems
    assert "no_source_kind" in notes["code"].tolist()


def test_synonyms_are_read_with_a_note_and_kept_canonical():
    cases = _cases({"pub": "Published case report", "own": "own unpublished patients"})
    assert cases.sources["kind"].tolist() == ["own_patients", "case_report"]
    notes = cases.report.problems.query("code == 'normalised' and column == 'kind'")
    assert notes["value"].tolist() == ["own unpublished patients", "Published case report"]


def test_an_unknown_kind_is_an_error_located_in_the_sources_table():
    with pytest.raises(casestats.CaseSeriesValidationError) as info:
        _cases({"pub": "case reprot", "own": "blog"})
    problems = info.value.report.problems.query("code == 'unknown_term'")
    assert problems["cell"].tolist() == ["sources row 1", "sources row 2"]
    assert problems["value"].tolist() == ["blog", "case reprot"]
    assert "did you mean 'case_report'?" in problems["hint"].iloc[1]
    assert "source 'own'" in problems["hint"].iloc[0]
    assert "own_patients" in problems["expected"].iloc[0]


def test_an_empty_kind_cell_is_a_note_and_counts_as_not_stated():
    problems = check_source_kinds(pd.DataFrame({"source_id": ["a"], "kind": [""]}))
    assert [(p.severity, p.code, p.cell) for p in problems] == [
        ("info", "missing_value", "Sources!B2")
    ]


@pytest.mark.parametrize(
    "name", ["calcinosis_case_reports", "ssc_calcinosis_cohorts", "calcinosis_site_subtype_counts"]
)
def test_every_bundled_source_has_a_known_kind(name):
    from casestats.datasets import _folder, dataset_metadata

    path = _folder(name) / dataset_metadata(name)["files"]["sources"]
    sources = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert check_source_kinds(sources) == []


def _sidecar_pair(tmp_path, sources_text: str):
    (tmp_path / "cases.csv").write_text("case_id,source_id\n1,a\n2,b\n", encoding="utf-8")
    (tmp_path / "cases.sources.csv").write_text(sources_text, encoding="utf-8")
    return tmp_path / "cases.csv"


def test_a_csv_sidecar_is_located_by_its_file_row_counting_blank_lines(tmp_path):
    # Blank lines are skipped when reading, so the frame position (1) is not the file row (5).
    path = _sidecar_pair(tmp_path, "source_id,url,kind\na,http://a,case_report\n\n\nb,http://b,blog\n")
    report = casestats.validate(path)
    problem = report.problems.query("code == 'unknown_term'").iloc[0]
    assert problem["cell"] == "cases.sources.csv!C5"
    assert "source 'b'" in problem["hint"] and "leave it empty" in problem["hint"]


def test_a_sources_sheet_is_located_by_its_sheet_row_and_letter(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Cases"
    book.active.append(["case_id", "source_id"])
    book.active.append(["1", "a"])
    sheet = book.create_sheet("Sources")
    # an empty column B is dropped when reading: the kind stays in column C
    for row in (["source_id", None, "kind"], ["x", None, "case_report"], [None, None, None],
                ["a", None, "blgo"]):  # fmt: skip
        sheet.append(row)
    book.save(tmp_path / "cases.xlsx")
    report = casestats.validate(tmp_path / "cases.xlsx")
    assert report.problems.query("code == 'unknown_term'")["cell"].tolist() == ["Sources!C4"]


def test_json_sources_are_located_by_record_number(tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(
        '{"cases": [{"case_id": "1", "source_id": "a"}],'
        ' "sources": [{"source_id": "z", "kind": "case_report"}, {"source_id": "a", "kind": "x"}]}',
        encoding="utf-8",
    )
    report = casestats.validate(path)
    assert report.problems.query("code == 'unknown_term'")["cell"].tolist() == ["sources row 2"]
