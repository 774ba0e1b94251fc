"""The synthetic case-series generator: seeded, valid, and shaped like real series."""

from __future__ import annotations

import pandas as pd
import pytest

import casestats
from casestats.counts import feature_indicator
from casestats.synthetic import simulate_cases, simulate_sources


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return simulate_cases(3000, seed=7)


@pytest.fixture(scope="module")
def cases(frame):
    return casestats.read_cases(frame, sources=simulate_sources(frame))


def test_same_seed_same_frame_other_seed_other_frame():
    pd.testing.assert_frame_equal(simulate_cases(300, seed=3), simulate_cases(300, seed=3))
    assert not simulate_cases(300, seed=3).equals(simulate_cases(300, seed=4))


def test_every_cell_is_text_and_ids_are_unique(frame):
    assert frame.map(lambda v: isinstance(v, str)).all().all()
    assert frame["case_id"].is_unique


def test_output_validates_without_errors_or_warnings(frame):
    report = casestats.validate(frame, sources=simulate_sources(frame))
    assert report.ok
    assert report.count("warning") == 0, str(report)


def test_sources_table_lists_every_source_once(frame):
    sources = simulate_sources(frame)
    assert sources["source_id"].is_unique
    assert set(sources["source_id"]) == set(frame["source_id"])


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_series(n):
    assert len(simulate_cases(n, seed=1)) == n


def test_negative_size_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        simulate_cases(-1)


def test_limited_ssc_has_more_finger_pad_lesions_than_other_patients(cases):
    finger_pad = feature_indicator(cases, "finger_pad")
    subset = cases.data.set_index("case_id")["ssc_subset"]
    limited = finger_pad[subset == "limited"].dropna().mean()
    others = finger_pad[subset != "limited"].dropna().mean()
    assert limited > others + 0.2


def test_antibodies_follow_the_ssc_subset(cases):
    aca = feature_indicator(cases, "aca+")
    subset = cases.data.set_index("case_id")["ssc_subset"]
    assert aca[subset == "limited"].mean() > aca[subset == "diffuse"].mean() + 0.3
    # only patients with systemic sclerosis were tested
    assert aca[subset == "not_applicable"].isna().all()


def test_structure_is_multi_site_and_has_unreported_fields(cases):
    per_patient = cases.sites().groupby("case_id").size()
    assert per_patient.min() >= 1
    assert (per_patient >= 2).mean() > 0.3
    for field, share in [("age_years", 0.10), ("sex", 0.05), ("sites", 0.08)]:
        assert abs(1 - cases.reported(field).mean() - share) < 0.03, field


def test_dystrophic_calcinosis_leads_the_subtype_mix(frame):
    shares = frame["subtype"].value_counts(normalize=True)
    assert shares.index[0] == "dystrophic"
    assert 0.55 < shares["dystrophic"] < 0.7
