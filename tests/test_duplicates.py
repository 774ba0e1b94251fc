"""possible_duplicates: which pairs it flags and why; every pair in the bundled data is resolved."""

import pandas as pd
import pytest

import casestats
from casestats.duplicates import REASONS, possible_duplicates
from casestats.results import TIDY_COLUMNS, Result

SOURCES = pd.DataFrame(
    {
        "source_id": ["abstract2019", "article2020", "other2005", "series2020"],
        "first_author": ["Doe J", "Roe R", "Poe P", "Moe M"],
        "year": ["2019", "2020", "2005", "2020"],
        "citation": [
            "Doe J, Roe R. Calcinosis, an abstract. 2019.",
            "Roe R, Doe J, Kay K. Calcinosis, the article. 2020.",
            "Poe P. Something else. 2005.",
            "Moe M. A series. 2020.",
        ],
        "url": ["https://example.org/a", "https://example.org/b", "https://example.org/c",
                "https://example.org/d"],
    }
)  # fmt: skip


def _cases(rows):
    columns = ["case_id", "source_id", "age_years", "sex", "sites", "conditions", "country"]
    return casestats.read_cases(pd.DataFrame(rows, columns=columns), sources=SOURCES)


# The same woman as an abstract (2019) and an article (2020); a man of the same age from
# the same centre; an unrelated woman; and two patients of one series.
ROWS = [
    ["abs_1", "abstract2019", "49", "female", "hand; elbow", "systemic_sclerosis", "Spain"],
    ["art_1", "article2020", "50", "female", "hand (left)", "systemic_sclerosis", "Spain"],
    ["art_2", "article2020", "49", "male", "hand", "systemic_sclerosis", "Spain"],
    ["oth_1", "other2005", "80", "female", "knee", "chronic_kidney_disease", "Japan"],
    ["ser_1", "series2020", "49", "female", "hand", "systemic_sclerosis", "Spain"],
    ["ser_2", "series2020", "49", "female", "hand", "systemic_sclerosis", "Spain"],
]  # fmt: skip


def test_republished_patient_is_flagged_with_every_reason():
    found = possible_duplicates(_cases(ROWS), min_reasons=7)
    assert [(p.case_a, p.case_b) for p in found.pairs] == [("abs_1", "art_1")]
    assert found.pairs[0].reasons == REASONS


def test_other_sex_same_source_and_unrelated_records_are_not_pairs():
    pairs = {(p.case_a, p.case_b) for p in possible_duplicates(_cases(ROWS), min_reasons=1).pairs}
    assert ("abs_1", "art_2") not in pairs  # sex differs
    assert ("ser_1", "ser_2") not in pairs  # one paper's patients are distinct
    assert ("art_1", "art_2") not in pairs
    assert ("abs_1", "oth_1") in pairs  # only same_sex: listed at the lowest threshold


def test_reasons_are_counted_one_by_one():
    found = possible_duplicates(_cases(ROWS), min_reasons=1)
    by_pair = {(p.case_a, p.case_b): p.reasons for p in found.pairs}
    assert by_pair[("abs_1", "oth_1")] == ("same_sex",)
    # 2019 vs 2020 are close, authors differ, everything else agrees.
    assert by_pair[("abs_1", "ser_1")] == (
        "same_sex", "age_within_1y", "shared_sites", "shared_conditions", "same_country",
        "years_close",
    )  # fmt: skip


def test_result_contract():
    found = possible_duplicates(_cases(ROWS), min_reasons=4)
    assert isinstance(found, Result)
    frame = found.to_frame()
    assert list(frame.columns[: len(TIDY_COLUMNS)]) == list(TIDY_COLUMNS)
    assert frame.loc[0, ["group", "level", "n_reasons"]].tolist() == ["abs_1", "art_1", 7]
    assert "\n" not in repr(found) and "abs_1 ~ art_1" in found.summary()
    with pytest.raises(TypeError, match="no confidence interval"):
        found.confidence_interval()


@pytest.mark.parametrize("bad", [0, 8, 2.5, True, "3"])
def test_min_reasons_is_checked(bad):
    with pytest.raises((ValueError, TypeError), match="min_reasons must be"):
        possible_duplicates(_cases(ROWS), min_reasons=bad)


def test_every_flagged_pair_in_the_case_dataset_is_resolved():
    cases = casestats.load_dataset("calcinosis_case_reports")
    review = cases.metadata["duplicate_review"]
    found = possible_duplicates(cases, min_reasons=review["min_reasons"])
    resolved = {(r["case_a"], r["case_b"]): r for r in review["pairs"]}
    assert {(p.case_a, p.case_b) for p in found.pairs} <= set(resolved)
    for entry in resolved.values():
        assert entry["resolution"] in {"distinct", "duplicate_removed"}
        assert entry["reason"]
