"""Numerators and denominators (casestats.counts), against counts worked out by hand."""

import numpy as np
import pandas as pd
import pytest

import casestats
from casestats.counts import (
    NOT_CLASSIFIED,
    category_counts,
    cohort_table,
    feature_indicator,
    group_labels,
    site_counts,
    ssc_patients,
    ssc_subset_counts,
)

SOURCES = pd.DataFrame({"source_id": ["s"]})


def _series(columns):
    frame = pd.DataFrame(columns)
    frame.insert(0, "source_id", "s")
    frame.insert(0, "case_id", [f"c{i}" for i in range(len(frame))])
    return casestats.read_cases(frame, sources=SOURCES)


@pytest.fixture
def six():
    return _series(
        {
            "subtype": ["dystrophic", "dystrophic", "metastatic", "", "NR", "idiopathic"],
            "sex": ["female", "male", "female", "female", "", "male"],
            "sites": [
                "finger_pad (left); finger_pad (right); elbow",  # 3 mentions, 2 regions
                "finger",
                "",  # sites not reported
                "knee (bilateral)",
                "elbow; knee",
                "thigh",
            ],
            "ssc_subset": ["limited", "diffuse", "not_applicable", "", "limited", "not_applicable"],
            "conditions": ["systemic_sclerosis", "", "", "systemic_sclerosis", "", ""],
            "autoantibodies": ["aca+", "aca-", "", "anti_scl70+", "", ""],
            "age_years": ["17", "18", "39.5", "40", "80", "90+"],
        }
    )


def _as_dict(table, group=None):
    rows = table if group is None else table[table["group"] == group]
    return {r.level: (r.events, r.total) for r in rows.itertuples()}


def test_category_counts_count_every_patient_and_unclassified_ones(six):
    counts = _as_dict(category_counts(six, "subtype"))
    # empty and "NR" alike are not classified; the denominator is all 6 patients
    assert counts["dystrophic"] == (2, 6) and counts["metastatic"] == (1, 6)
    assert counts[NOT_CLASSIFIED] == (2, 6) and counts["calciphylaxis"] == (0, 6)
    by_sex = category_counts(six, "subtype", by="sex")
    # c4 reports no sex: it belongs to no group, so the groups hold 5 patients
    assert set(by_sex["group"]) == {"female", "male"}
    assert _as_dict(by_sex, "female")["dystrophic"] == (1, 3)
    assert _as_dict(by_sex, "male")["idiopathic"] == (1, 2)
    assert by_sex["events"].dtype == np.int64


def test_age_bands_have_inclusive_lower_and_exclusive_upper_bounds(six):
    bands = group_labels(six, "age_band")
    assert bands.tolist() == ["<18", "18-39", "18-39", "40-59", "80+", "80+"]  # "90+" reads 90


def test_grouping_by_a_multi_valued_field_lists_the_allowed_fields(six):
    with pytest.raises(ValueError, match=r"several sites per patient; .*single-valued.*'sex'"):
        group_labels(six, "sites")


def test_site_counts_count_patients_and_leave_unreported_sites_out(six):
    regions = _as_dict(site_counts(six, rank="region"))
    # c0's three mentions are one hand patient; c2 reported no sites: 5 in the denominator
    assert regions["hand"] == (2, 5)
    assert regions["elbow"] == (2, 5) and regions["knee"] == (2, 5)
    mentions = _as_dict(site_counts(six, rank="region", unit="mentions"))
    # mentions: c0 finger_pad x2 + elbow, c1 finger, c3 knee, c4 elbow + knee, c5 thigh = 8
    assert mentions["hand"] == (3, 8) and mentions["knee"] == (2, 8)
    limbs = _as_dict(site_counts(six, rank="limb", by="sex"), "female")
    # female with sites reported: c0, c3 (c2 has none reported); upper limb: c0
    assert limbs["upper_limb"] == (1, 2) and limbs["lower_limb"] == (1, 2)
    with pytest.raises(ValueError, match=r"rank='toe'; expected one of"):
        site_counts(six, rank="toe")


def test_feature_indicator_is_missing_where_not_reported_or_not_tested(six):
    assert feature_indicator(six, "hand").tolist() == [True, True, pd.NA, False, False, False]
    assert feature_indicator(six, "aca+").tolist() == [True, False, pd.NA, pd.NA, pd.NA, pd.NA]


def test_ssc_patients_are_those_with_the_condition_or_a_stated_subset(six):
    # c0 (condition and subset), c1 (diffuse, condition not listed), c3 (condition, no
    # subset), c4 (limited, condition not listed); c2 and c5 are not_applicable
    assert ssc_patients(six).tolist() == [True, True, False, True, True, False]
    counts = _as_dict(ssc_subset_counts(six))
    assert counts["limited"] == (2, 4) and counts["diffuse"] == (1, 4)
    assert counts[NOT_CLASSIFIED] == (1, 4)  # c3: SSc with no subset stays in the denominator
    assert "not_applicable" not in counts
    assert sum(events for events, _ in counts.values()) == 4


COUNT_COLUMNS = ("events_exposed", "total_exposed", "events_comparator", "total_comparator")


def _cohorts():
    rows = [  # cohort_id, exposure, comparator, counts, pool, pool_note
        ("fwd", "limited", "diffuse", (8, 25, 3, 19), "yes", ""),
        ("back", "diffuse", "limited", (4, 30, 12, 40), "yes", ""),
        ("other", "limited", "sine", (1, 5, 1, 5), "yes", ""),
        ("nocounts", "limited", "diffuse", (None,) * 4, "yes", ""),
        ("overlap", "limited", "diffuse", (5, 9, 2, 9), "no", "overlaps fwd"),
    ]
    frame = pd.DataFrame(
        [
            {"cohort_id": c, "source_id": c, "comparison": "ssc_subset", "exposure": e,
             "comparator": k, **dict(zip(COUNT_COLUMNS, n, strict=True)), "pool": p,
             "pool_note": note}
            for c, e, k, n, p, note in rows
        ]
    )  # fmt: skip
    return frame.astype({name: "Int64" for name in COUNT_COLUMNS})


def test_cohort_table_turns_reversed_rows_around_and_says_why_rows_are_left_out():
    included, excluded = cohort_table(
        _cohorts(), comparison="ssc_subset", groups=("limited", "diffuse")
    )
    counts = included.set_index("cohort_id")[["events_a", "total_a", "events_b", "total_b"]]
    assert counts.loc["fwd"].tolist() == [8, 25, 3, 19]
    assert counts.loc["back"].tolist() == [12, 40, 4, 30]  # limited first
    assert included["events_a"].dtype == np.int64
    reasons = excluded.set_index("cohort_id")["reason"].to_dict()
    assert reasons == {
        "other": "compares limited vs sine, not limited vs diffuse",
        "nocounts": "counts not available",
        "overlap": "overlaps fwd",
    }
    flipped, _ = cohort_table(_cohorts(), comparison="ssc_subset", groups=("diffuse", "limited"))
    assert flipped.set_index("cohort_id").loc["fwd", ["events_a", "total_a"]].tolist() == [3, 19]
    with pytest.raises(ValueError, match=r"comparison='aca' is not in the data; expected one of"):
        cohort_table(_cohorts(), comparison="aca", groups=("positive", "negative"))
