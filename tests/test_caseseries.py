"""CaseSeries: typed and long views that count patients, not mentions."""

import pandas as pd

import casestats

SOURCES = pd.DataFrame({"source_id": ["s"], "kind": ["case_report"]})


def _cases():
    frame = pd.DataFrame(
        {
            "case_id": ["a", "b", "c"],
            "source_id": ["s", "s", "s"],
            "age_years": ["54", "90+", "NR"],
            "sites": ["finger_pad (left); finger (right); elbow", "", "knee (bilateral)"],
            "conditions": ["systemic_sclerosis", "none", ""],
            "ssc_subset": ["limited", "not_applicable", ""],
            "autoantibodies": ["aca+; anti_scl70-", "", ""],
        }
    )
    return casestats.read_cases(frame, sources=SOURCES)


def test_typed_frame():
    typed = _cases().to_frame()
    assert typed["age_years"].tolist()[:2] == [54.0, 90.0]
    assert pd.isna(typed["age_years"].iloc[2])
    assert pd.isna(typed["ssc_subset"].iloc[2])


def test_sites_long_view_rolls_up_the_hierarchy():
    sites = _cases().sites()
    assert sites["case_id"].tolist() == ["a", "a", "a", "c"]
    assert sites["laterality"].fillna("").tolist() == ["left", "right", "", "bilateral"]
    assert sites["region"].tolist() == ["hand", "hand", "elbow", "knee"]
    assert sites["limb"].tolist() == ["upper_limb", "upper_limb", "upper_limb", "lower_limb"]


def test_antibodies_and_conditions():
    cases = _cases()
    antibodies = cases.autoantibodies()
    assert antibodies.values.tolist() == [["a", "aca", "positive"], ["a", "anti_scl70", "negative"]]
    assert cases.conditions()["condition"].tolist() == ["systemic_sclerosis", "none"]


def test_subset_and_repr_carries_the_caveat():
    cases = _cases()
    sub = cases.subset(cases.data["ssc_subset"] == "limited")
    assert len(sub) == 1
    assert "published literature" in repr(cases)
