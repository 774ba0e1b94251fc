"""casestats.concat: own patients beside published ones, with where each case came from."""

import pandas as pd
import pytest

import casestats
from casestats.sources import CASE_REPORT_CAVEAT, OWN_PATIENTS_CAVEAT


def _mine(ids=("mine-1", "mine-2"), sources=None, **extra):
    frame = pd.DataFrame(
        {"case_id": list(ids), "source_id": ["clinic"] * len(ids),
         "subtype": ["dystrophic"] * len(ids), **extra}
    )  # fmt: skip
    if sources is None:
        sources = pd.DataFrame({"source_id": ["clinic"], "kind": ["own_patients"]})
    return casestats.read_cases(frame, sources=sources)


@pytest.fixture(scope="module")
def bundled():
    return casestats.load_dataset("calcinosis_case_reports")


def test_concat_merges_cases_sources_and_records_the_series(bundled):
    mine = _mine(origin=["Leeds", "Pisa"])
    both = casestats.concat([bundled, mine], keys=["published", "mine"])
    assert len(both) == len(bundled) + 2
    assert both.data["series"].tolist() == ["published"] * len(bundled) + ["mine", "mine"]
    # a column only one input has is empty (not reported) for the other's cases
    assert both.data["origin"].tolist()[-3:] == ["", "Leeds", "Pisa"]
    assert set(both.sources["source_id"]) == set(bundled.sources["source_id"]) | {"clinic"}
    published = "published case reports and published case series"
    assert both.caveat.startswith(f"{len(bundled)} of {len(both)} cases ({published})")
    assert CASE_REPORT_CAVEAT in both.caveat and OWN_PATIENTS_CAVEAT in both.caveat
    assert set(both.metadata["series"]) == {"published", "mine"}
    # each input's validation notes are kept, saying which input they are from
    hints = both.report.problems["hint"]
    assert hints.str.startswith("in 'published'").any()
    # the inputs are not changed
    assert "series" not in bundled.data and "series" not in mine.data


def test_default_labels_are_titles_then_numbers(bundled):
    both = casestats.concat([bundled, _mine()])
    assert both.data["series"].iloc[-1] == "series 2"
    assert both.data["series"].iloc[0] == bundled.metadata["title"]


def test_colliding_case_ids_are_refused_located(bundled):
    first = bundled.data["case_id"].iloc[3]
    with pytest.raises(casestats.CaseSeriesValidationError) as info:
        casestats.concat([bundled, _mine(ids=("mine-1", first))], keys=["published", "mine"])
    problems = info.value.report.problems
    assert problems["code"].tolist() == ["duplicate_case_id"]
    assert problems["case_id"].iloc[0] == first
    assert problems["row"].iloc[0] == 3
    assert "in 'mine' row 3 and in 'published' row 5" in problems["hint"].iloc[0]


def test_identical_sources_merge_and_conflicting_ones_are_refused():
    same = pd.DataFrame({"source_id": ["clinic"], "kind": ["own_patients"], "title": ["A"]})
    a = _mine(ids=("a1",), sources=same)
    b = _mine(ids=("b1",), sources=same)
    assert casestats.concat([a, b], keys=["a", "b"]).sources["source_id"].tolist() == ["clinic"]
    other = same.assign(title=["B"])
    with pytest.raises(casestats.CaseSeriesValidationError) as info:
        casestats.concat([a, _mine(ids=("b1",), sources=other)], keys=["a", "b"])
    problem = info.value.report.problems.iloc[0]
    assert (problem["code"], problem["column"], problem["value"]) == (
        "conflicting_source", "title", "B"
    )  # fmt: skip
    assert "'A', as in 'a'" in problem["expected"]


def test_a_concat_of_concats_keeps_the_first_labels():
    ab = casestats.concat([_mine(ids=("a1",)), _mine(ids=("b1",))], keys=["a", "b"])
    abc = casestats.concat([ab, _mine(ids=("c1",))], keys=["ab", "c"])
    assert abc.data["series"].tolist() == ["a", "b", "c"]


def test_bad_arguments():
    mine = _mine()
    with pytest.raises(TypeError, match="item 1 is a DataFrame"):
        casestats.concat([mine, mine.data])
    with pytest.raises(ValueError, match="keys has 1 labels for 2 series"):
        casestats.concat([mine, _mine(ids=("x",))], keys=["a"])
    with pytest.raises(ValueError, match="used twice"):
        casestats.concat([mine, _mine(ids=("x",))], keys=["a", "a"])
    with pytest.raises(TypeError, match="casestats.concat"):
        mine + mine
