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
    assert problems["cell"].tolist() == ["Sources!B2", "Sources!B3"]
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
