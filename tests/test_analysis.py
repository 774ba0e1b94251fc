"""The three analyses, on hand-checked small series and on the bundled data."""

import warnings

import numpy as np
import pandas as pd
import pytest

import casestats
from casestats.caseseries import CASE_REPORT_CAVEAT
from casestats.stats.goodness_of_fit import GoodnessOfFitResult
from casestats.stats.level_comparison import LevelComparisonResult
from casestats.stats.meta_analysis import MetaOddsRatioResult
from casestats.stats.permutation import ProfileTestResult
from casestats.stats.stratified import MantelHaenszelResult

SOURCES = pd.DataFrame({"source_id": ["s"], "kind": ["case_report"]})


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


def _wilson(k, n, z):
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def test_subtype_interval_is_recomputed_at_another_level(small):
    result = casestats.subtype_frequency(small)
    low, high = result.confidence_interval()
    assert low.index.tolist() == result.to_frame()["level"].tolist()
    assert low["dystrophic"] == result.to_frame().set_index("level").loc["dystrophic", "ci_low"]
    low90, high90 = result.confidence_interval(0.90)
    expected = _wilson(6, 10, 1.6448536269514722)  # z of a two-sided 90% interval
    assert (low90["dystrophic"], high90["dystrophic"]) == pytest.approx(expected, rel=1e-12)
    grouped = casestats.subtype_frequency(small, by="ssc_subset").confidence_interval(0.9)
    assert grouped.low.index.names == ["group", "level"]
    assert "\n" not in repr(result) and "n=10" in repr(result)


def test_subtype_reference_mix_test(small):
    result = casestats.subtype_frequency(
        small,
        reference={"dystrophic": 0.6, "metastatic": 0.2, "idiopathic": 0.1, "iatrogenic": 0.1},
        n_resamples=20_000,
        rng=np.random.default_rng(2),
    )
    gof = result.goodness_of_fit
    assert isinstance(gof, GoodnessOfFitResult)
    # 9 classified: observed 6, 2, 1, 0 against expected 5.4, 1.8, 0.9, 0.9 (calciphylaxis has
    # share 0 and no case, so it leaves the test): 0.36/5.4 + 0.04/1.8 + 0.01/0.9 + 0.81/0.9 = 1
    assert gof.statistic == pytest.approx(1.0, rel=1e-12)
    assert gof.df == 3 and gof.method == "monte-carlo"  # expected counts below 5
    assert gof.observed.tolist() == [6, 2, 1, 0, 0]
    assert "vs reference mix: monte-carlo" in str(result)
    with pytest.raises(ValueError, match="unknown subtypes"):
        casestats.subtype_frequency(small, reference={"dystrofic": 1.0})


def test_sites_count_patients_not_mentions(small):
    frame = casestats.site_distribution(small, rank="region").to_frame().set_index("level")
    # c0 (two finger lesions), c1 (finger pad), c5 (hand), c7 (finger): 4 patients, 9 reported
    assert frame.loc["hand", ["events", "total"]].tolist() == [4, 9]
    assert frame.loc["elbow", "events"] == 3
    limb = casestats.site_distribution(small, rank="limb").to_frame().set_index("level")
    assert limb.loc["upper_limb", "events"] == 6
    mentions = casestats.site_distribution(small, rank="region", unit="mentions").to_frame()
    assert mentions.set_index("level").loc["hand", "events"] == 5


def test_site_tests_by_group_are_stats_results_and_seeded(small):
    result = casestats.site_distribution(small, rank="region", by="ssc_subset", rng=1)
    assert isinstance(result.comparison, LevelComparisonResult)
    assert isinstance(result.overall, ProfileTestResult)
    frame = result.to_frame()
    tested = frame.dropna(subset=["pvalue"])
    assert not tested.empty
    assert (tested["pvalue_adjusted"] >= tested["pvalue"] - 1e-15).all()
    # groups diffuse (c3, c5), limited (c0, c1, c2; c4 has no sites), not_applicable (c6-c8)
    assert result.overall.sizes == (3, 2, 3) or sorted(result.overall.sizes) == [2, 3, 3]
    assert result.overall.method == "permutation" and result.overall.n_resamples == 4999
    again = casestats.site_distribution(
        small, rank="region", by="ssc_subset", rng=np.random.default_rng(1)
    )
    assert result.overall.pvalue == again.overall.pvalue
    # elbow: c1, c2 of limited, none of diffuse, c8 of not_applicable -> Fisher on 2 x 3
    elbow = frame[frame["level"] == "elbow"].set_index("group")
    assert elbow["events"].to_dict() == {"diffuse": 0, "limited": 2, "not_applicable": 1}
    fisher = casestats.contingency_test([[0, 2, 1], [2, 1, 2]])
    assert elbow["pvalue"].iloc[0] == pytest.approx(fisher.pvalue, rel=1e-12)
    assert set(result.laterality.columns) == {"level", "laterality", "patients"}
    low, _ = result.confidence_interval(0.8)
    assert low.index.names == ["group", "level"] and len(low) == len(frame)


def test_case_association_inside_the_series(small):
    result = casestats.disease_association(small, outcome="hand")
    c = result.comparison
    # limited: c0, c1, c2, c4(sites not reported) -> hand in c0, c1 of 3; diffuse: c3, c5 -> c5
    assert (c.events_a, c.total_a, c.events_b, c.total_b) == (2, 3, 1, 2)
    assert c.test == "fisher" and result.method == "fisher"
    assert result.groups == ("limited", "diffuse")
    frame = result.to_frame()
    assert {"limited", "diffuse", "limited vs diffuse"} == set(frame["level"])
    stored = result.confidence_interval()
    assert stored == c.odds_ratio_ci
    narrower = result.confidence_interval(0.5)
    assert stored.low < narrower.low < narrower.high < stored.high
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
    assert isinstance(result.mantel_haenszel, MantelHaenszelResult)
    assert isinstance(result.random_effects, MetaOddsRatioResult)
    assert result.groups == ("limited", "diffuse") and result.method == "reml"
    stored = result.confidence_interval()
    with pytest.warns(casestats.SmallSampleWarning):
        narrower = result.confidence_interval(0.5)
    assert stored.low < narrower.low < result.random_effects.estimate < narrower.high


def test_bundled_case_results_carry_the_caveat():
    cases = casestats.load_dataset("calcinosis_case_reports")
    for result in (casestats.subtype_frequency(cases), casestats.site_distribution(cases)):
        assert "published literature" in str(result)


# Issue 13: a natural DataFrame of one's own cohort counts, named as metafor names them.
OWN = pd.DataFrame({"clinic": ["Leeds", "Lyon", "Lund"],
                    "limited_calcinosis": [12, 9, 15], "limited_total": [40, 35, 52],
                    "diffuse_calcinosis": [5, 6, 7], "diffuse_total": [30, 33, 41]})  # fmt: skip
OWN_COLUMNS = dict(study="clinic", events_a="limited_calcinosis", total_a="limited_total",
                   events_b="diffuse_calcinosis", total_b="diffuse_total")  # fmt: skip


def test_own_cohorts_in_their_own_columns_are_pooled_like_the_same_counts():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.CasestatsWarning)
        own = casestats.disease_association(OWN, **OWN_COLUMNS, groups=("limited", "diffuse"))
        direct = casestats.meta_odds_ratios(
            events_a=OWN["limited_calcinosis"], total_a=OWN["limited_total"],
            events_b=OWN["diffuse_calcinosis"], total_b=OWN["diffuse_total"],
        )  # fmt: skip
    assert own.title == "your cohorts" and "your cohorts" in own.summary()
    assert "published" not in own.summary()
    assert own.random_effects.estimate == pytest.approx(direct.estimate, rel=1e-12)
    assert own.studies["study"].tolist() == ["Leeds", "Lyon", "Lund"]
    assert own.excluded.empty


def test_own_cohorts_with_a_count_above_its_total_get_a_located_error():
    bad = OWN.assign(limited_calcinosis=[12, 50, 15])
    with pytest.raises(casestats.CaseSeriesValidationError) as err:
        casestats.disease_association(bad, **OWN_COLUMNS)
    text = str(err.value)
    assert "row 2" in text and "limited_calcinosis" in text and "50" in text
