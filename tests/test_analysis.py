"""The three analyses, on hand-checked small series and on the bundled data."""

import numpy as np
import pandas as pd
import pytest

import casestats
from casestats.caseseries import CASE_REPORT_CAVEAT

SOURCES = pd.DataFrame({"source_id": ["s"]})


def _series(rows):
    frame = pd.DataFrame(rows)
    frame.insert(0, "source_id", "s")
    frame.insert(0, "case_id", [f"c{i}" for i in range(len(frame))])
    return casestats.read_cases(frame.astype(str).replace("nan", ""), sources=SOURCES)


@pytest.fixture
def small():
    # 10 patients: 6 dystrophic, 2 metastatic, 1 idiopathic, 1 not classified
    subtypes = ["dystrophic"] * 6 + ["metastatic"] * 2 + ["idiopathic", ""]
    sites = [
        "finger_pad (left); finger (right)",  # two mentions, one hand
        "finger_pad; elbow",
        "elbow (bilateral)",
        "knee",
        "",  # not reported: leaves the denominator
        "hand; forearm",
        "thigh",
        "finger",
        "elbow",
        "buttock",
    ]
    subset = [
        "limited",
        "limited",
        "limited",
        "diffuse",
        "limited",
        "diffuse",
        "not_applicable",
        "not_applicable",
        "not_applicable",
        "",
    ]
    conditions = ["systemic_sclerosis"] * 6 + ["chronic_kidney_disease"] * 3 + [""]
    return _series(
        {"subtype": subtypes, "sites": sites, "ssc_subset": subset, "conditions": conditions}
    )


def test_subtype_counts_and_wilson_interval(small):
    frame = casestats.subtype_frequency(small).to_frame().set_index("level")
    assert frame.loc["dystrophic", ["events", "total"]].tolist() == [6, 10]
    assert frame.loc["not classified", "events"] == 1
    assert frame["events"].sum() == 10
    # Wilson 95% interval of 6/10 by hand: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    z = 1.959963984540054
    p, n = 0.6, 10
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert frame.loc["dystrophic", "ci_low"] == pytest.approx(centre - half, rel=1e-12)
    assert frame.loc["dystrophic", "ci_high"] == pytest.approx(centre + half, rel=1e-12)
    # simultaneous intervals are wider than the per-category ones
    row = frame.loc["dystrophic"]
    assert row["simultaneous_high"] - row["simultaneous_low"] > row["ci_high"] - row["ci_low"]


def test_subtype_reference_mix_test(small):
    result = casestats.subtype_frequency(
        small,
        reference={"dystrophic": 0.6, "metastatic": 0.2, "idiopathic": 0.1, "iatrogenic": 0.1},
    )
    assert 0 < result.goodness_of_fit["pvalue"] <= 1
    assert "Monte Carlo" in result.goodness_of_fit["method"]
    with pytest.raises(ValueError, match="unknown subtypes"):
        casestats.subtype_frequency(small, reference={"dystrofic": 1.0})


def test_sites_count_patients_not_mentions(small):
    frame = casestats.site_distribution(small, level="region").to_frame().set_index("level")
    # c0 (two finger lesions), c1 (finger pad), c5 (hand), c7 (finger): 4 patients, 9 reported
    assert frame.loc["hand", ["events", "total"]].tolist() == [4, 9]
    assert frame.loc["elbow", "events"] == 3
    limb = casestats.site_distribution(small, level="limb").to_frame().set_index("level")
    assert limb.loc["upper_limb", "events"] == 6
    mentions = casestats.site_distribution(small, level="region", unit="mentions").to_frame()
    assert mentions.set_index("level").loc["hand", "events"] == 5


def test_site_tests_by_group_are_adjusted_and_overall_test_is_seeded(small):
    result = casestats.site_distribution(small, level="region", by="ssc_subset", seed=1)
    frame = result.to_frame()
    tested = frame.dropna(subset=["pvalue"])
    assert not tested.empty
    assert (tested["pvalue_adjusted"] >= tested["pvalue"] - 1e-15).all()
    again = casestats.site_distribution(small, level="region", by="ssc_subset", seed=1)
    assert result.overall["pvalue"] == again.overall["pvalue"]
    assert 0 < result.overall["pvalue"] <= 1
    assert set(result.laterality.columns) == {"level", "laterality", "patients"}


def test_case_association_inside_the_series(small):
    result = casestats.disease_association(small, outcome="hand")
    c = result.comparison
    # limited: c0, c1, c2, c4(sites not reported) -> hand in c0, c1 of 3; diffuse: c3, c5 -> c5
    assert (c.events_a, c.total_a, c.events_b, c.total_b) == (2, 3, 1, 2)
    assert c.test == "fisher"
    assert result.n_not_reported == 2  # c4 (sites) and c9 (subset)
    assert CASE_REPORT_CAVEAT in str(result)
    with pytest.raises(ValueError, match="every patient"):
        casestats.disease_association(small)


def test_cohort_association_reproduces_a_published_p_value():
    cohorts = casestats.load_dataset("ssc_calcinosis_cohorts")
    with pytest.warns(casestats.SmallSampleWarning):
        result = casestats.disease_association(cohorts, test="chi2")
    studies = result.studies.set_index("cohort_id")
    # AB0690 (EULAR abstract, Bucharest): lcSSc 8/25 vs dcSSc 3/19 calcinosis, printed p = 0.219.
    # Pearson chi-square without correction on these counts gives 0.2187 (half a unit of the
    # last printed digit is 0.0005).
    assert studies.loc["ab0690_ssc_subset", "pvalue"] == pytest.approx(0.219, abs=5e-4)
    excluded = set(result.excluded["cohort_id"])
    assert "ss25_ssc_subset" in excluded  # comparator mixes subsets
    frame = result.to_frame()
    assert frame["group"].tolist().count("pooled") == 2
    assert {"reported_p", "weight", "tau2"} <= set(frame.columns)


def test_bundled_case_results_carry_the_caveat():
    cases = casestats.load_dataset("calcinosis_case_reports")
    for result in (casestats.subtype_frequency(cases), casestats.site_distribution(cases)):
        assert "published literature" in str(result)
