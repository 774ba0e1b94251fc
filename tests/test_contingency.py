"""casestats.stats.contingency against R (tests/reference/core.json) and properties."""

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casestats.results import TIDY_COLUMNS
from casestats.stats.contingency import (
    COMPARISON_TESTS,
    ComparisonResult,
    ContingencyResult,
    _score_difference_interval,
    compare_proportions,
    contingency_test,
)

CORE = json.loads((Path(__file__).parent / "reference" / "core.json").read_text())
# Closed forms (chi-square, Fisher p as a finite sum, Wald/Woolf, Newcombe): 1e-10 relative.
RTOL = 1e-10
# The conditional MLE and its exact limits are roots; R was re-run with
# uniroot(tol = 1e-14) on the log odds ratio and we solve with brentq at 1e-14,
# so 1e-9 relative is ample while still far tighter than fisher.test (~1e-4).
RTOL_ROOT = 1e-9


def _f(value):
    if isinstance(value, list):
        return np.array([_f(v) for v in value], dtype=float)
    if value in ("NA", "NaN"):
        return np.nan
    return float(value)


def _compare(case, **kwargs):
    return compare_proportions(
        events_a=case["events_a"],
        total_a=case["total_a"],
        events_b=case["events_b"],
        total_b=case["total_b"],
        confidence_level=case["confidence_level"],
        **kwargs,
    )


TABLES = CORE["two_by_two"]
IDS = [f"{c['events_a']}/{c['total_a']}-{c['events_b']}/{c['total_b']}" for c in TABLES]


@pytest.mark.parametrize("case", TABLES, ids=IDS)
def test_fisher_matches_r(case):
    for alternative, expected in zip(
        ("two-sided", "less", "greater"), case["fisher_p"], strict=True
    ):
        res = _compare(case, test="fisher", alternative=alternative)
        assert res.test == "fisher" and np.isnan(res.statistic)
        np.testing.assert_allclose(res.pvalue, expected, rtol=RTOL)


@pytest.mark.parametrize("case", TABLES, ids=IDS)
def test_conditional_odds_ratio_matches_tight_r(case):
    res = _compare(case, test="fisher")
    np.testing.assert_allclose(res.odds_ratio, _f(case["cmle"]), rtol=RTOL_ROOT)
    np.testing.assert_allclose(res.confidence_interval(), _f(case["cmle_ci"]), rtol=RTOL_ROOT)
    less = _compare(case, test="fisher", alternative="less").confidence_interval()
    np.testing.assert_allclose(less, _f(case["cmle_ci_less"]), rtol=RTOL_ROOT)
    greater = _compare(case, test="fisher", alternative="greater").confidence_interval()
    np.testing.assert_allclose(greater, _f(case["cmle_ci_greater"]), rtol=RTOL_ROOT)
    # and fisher.test itself, at the precision its default uniroot reaches
    # (tol ~1e-4 absolute on the odds-ratio scale, hence atol for small limits)
    np.testing.assert_allclose(
        res.odds_ratio, _f(case["fisher_test_estimate"]), rtol=1e-3, atol=1e-4
    )
    np.testing.assert_allclose(
        res.confidence_interval(), _f(case["fisher_test_conf_int"]), rtol=1e-3, atol=1e-4
    )


@pytest.mark.parametrize("case", TABLES, ids=IDS)
@pytest.mark.parametrize(
    ("test", "key"), [("chi2", "chi2"), ("chi2-yates", "chi2_yates"), ("n-1", "n_minus_1")]
)
def test_chi_square_matches_r(case, test, key):
    res = _compare(case, test=test)
    assert res.test == test and res.reason == "requested"
    np.testing.assert_allclose([res.statistic, res.pvalue], _f(case[key]), rtol=RTOL)


@pytest.mark.parametrize("case", TABLES, ids=IDS)
def test_one_sided_chi_square_matches_prop_test(case):
    less = _compare(case, test="chi2", alternative="less")
    greater = _compare(case, test="chi2", alternative="greater")
    np.testing.assert_allclose(less.pvalue, case["chi2_p_less"], rtol=RTOL)
    np.testing.assert_allclose(greater.pvalue, case["chi2_p_greater"], rtol=RTOL)


@pytest.mark.parametrize("case", TABLES, ids=IDS)
def test_effect_measures_match_r(case):
    res = _compare(case)
    assert res.zero_cell_correction == case["zero_cell_correction"]
    np.testing.assert_allclose(res.expected.ravel(), case["expected"], rtol=RTOL)
    np.testing.assert_allclose(
        [res.odds_ratio_sample, *res.odds_ratio_sample_ci], case["odds_ratio_sample"], rtol=RTOL
    )
    np.testing.assert_allclose([res.risk_ratio, *res.risk_ratio_ci], case["risk_ratio"], rtol=RTOL)
    np.testing.assert_allclose(
        [res.risk_difference, *res.risk_difference_ci],
        case["risk_difference"],
        rtol=RTOL,
        atol=1e-15,
    )
    if "epiR_rr_wald" in case:  # epiR::epi.2by2, independent of the formulas above
        np.testing.assert_allclose(
            [res.risk_ratio, *res.risk_ratio_ci], case["epiR_rr_wald"], rtol=RTOL
        )
        np.testing.assert_allclose(
            [res.odds_ratio_sample, *res.odds_ratio_sample_ci], case["epiR_or_wald"], rtol=RTOL
        )


@pytest.mark.parametrize("case", TABLES, ids=IDS)
def test_auto_picks_by_expected_counts(case):
    res = _compare(case)
    smallest = min(case["expected"])
    if smallest < 5:
        assert res.test == "fisher" and "< 5" in res.reason
    else:
        assert res.test == "chi2" and ">= 5" in res.reason
        np.testing.assert_allclose(res.pvalue, _f(case["chi2"])[1], rtol=RTOL)


def test_frame_and_repr():
    res = compare_proportions(
        events_a=0, total_a=20, events_b=3, total_b=25, groups=("lcSSc", "dcSSc")
    )
    assert isinstance(res, ComparisonResult)
    frame = res.to_frame()
    assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert frame["measure"].tolist() == [
        "proportion",
        "proportion",
        "odds_ratio_cmle",
        "odds_ratio_sample",
        "risk_ratio",
        "risk_difference",
        "test",
    ]
    assert frame["level"].tolist()[:2] == ["lcSSc", "dcSSc"]
    assert set(frame["group_a"]) == {"lcSSc"} and set(frame["group_b"]) == {"dcSSc"}
    assert not {"a", "b"} & set(frame["group"])
    sample = frame.set_index("measure").loc["odds_ratio_sample", "method"]
    assert sample == "wald-haldane"
    assert "0.5 added" in str(res) and "fisher" in str(res) and "lcSSc 0/20" in str(res)
    with pytest.raises(AttributeError):
        res.pvalue = 0.0
    with pytest.raises(ValueError):
        res.expected[0, 0] = 1.0


@pytest.mark.parametrize("case", TABLES, ids=IDS)
def test_confidence_interval_recomputes_at_the_reference_level(case):
    # Built at 0.5, asked at the level R used: the exact limits must match R's.
    res = compare_proportions(
        events_a=case["events_a"],
        total_a=case["total_a"],
        events_b=case["events_b"],
        total_b=case["total_b"],
        confidence_level=0.5,
    )
    again = res.confidence_interval(case["confidence_level"])
    np.testing.assert_allclose(again, _f(case["cmle_ci"]), rtol=RTOL_ROOT)


def test_degenerate_margin():
    res = compare_proportions(events_a=0, total_a=20, events_b=0, total_b=25)
    assert res.test == "fisher" and res.pvalue == 1.0
    assert np.isnan(res.odds_ratio)
    assert res.confidence_interval() == (0.0, np.inf)
    chi = compare_proportions(events_a=0, total_a=20, events_b=0, total_b=25, test="chi2")
    assert np.isnan(chi.statistic) and np.isnan(chi.pvalue)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(events_a=1, total_a=0, events_b=1, total_b=5), "no denominator"),
        (dict(events_a=6, total_a=5, events_b=1, total_b=5), "6"),
        (dict(events_a=-1, total_a=5, events_b=1, total_b=5), "-1"),
        (dict(events_a=1.5, total_a=5, events_b=1, total_b=5), "1.5"),
        (dict(events_a=1, total_a=5, events_b=1, total_b=5, test="exact"), "chi2-yates"),
        (dict(events_a=1, total_a=5, events_b=1, total_b=5, alternative="two.sided"), "two-sided"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        compare_proportions(**kwargs)


counts = st.integers(0, 60)


@settings(max_examples=150, deadline=None)
@given(a=counts, b=counts, c=counts, d=counts, test=st.sampled_from(COMPARISON_TESTS))
def test_properties(a, b, c, d, test):
    if a + b == 0 or c + d == 0:
        return
    res = compare_proportions(events_a=a, total_a=a + b, events_b=c, total_b=c + d, test=test)
    swapped = compare_proportions(events_a=c, total_a=c + d, events_b=a, total_b=a + b, test=test)
    if not np.isnan(res.pvalue):
        assert 0 <= res.pvalue <= 1
        np.testing.assert_allclose(res.pvalue, swapped.pvalue, rtol=1e-9)
    for ci in (res.proportion_a_ci, res.proportion_b_ci):
        assert 0 <= ci.low <= ci.high <= 1
    assert (
        -1 <= res.risk_difference_ci.low <= res.risk_difference <= res.risk_difference_ci.high <= 1
    )
    # swapping the groups inverts the odds ratios and their intervals
    np.testing.assert_allclose(res.odds_ratio_sample, 1 / swapped.odds_ratio_sample, rtol=1e-12)
    if 0 < res.odds_ratio < np.inf:
        np.testing.assert_allclose(res.odds_ratio, 1 / swapped.odds_ratio, rtol=1e-8)
        low, high = res.confidence_interval()
        assert low <= res.odds_ratio <= high
        np.testing.assert_allclose(
            [low, high],
            [1 / swapped.confidence_interval().high, 1 / swapped.confidence_interval().low],
            rtol=1e-8,
        )


# ------------------------------------------------------------------------------- R x C


@pytest.mark.parametrize(
    "case", CORE["rxc"], ids=lambda c: f"{len(c['table'])}x{len(c['table'][0])}"
)
def test_rxc_matches_r(case):
    table = np.array(case["table"])
    chi = contingency_test(table, method="chi2")
    np.testing.assert_allclose(
        [chi.statistic, chi.df, chi.pvalue],
        [case["chi2_statistic"], case["chi2_df"], case["chi2_pvalue"]],
        rtol=RTOL,
    )
    np.testing.assert_allclose(chi.expected, case["expected"], rtol=RTOL)
    if "fisher_pvalue" in case:
        exact = contingency_test(table, method="fisher")
        np.testing.assert_allclose(exact.pvalue, case["fisher_pvalue"], rtol=RTOL)
        reference = case["fisher_pvalue"]
    else:
        with pytest.raises(ValueError, match="monte-carlo"):
            contingency_test(table, method="fisher")
        reference = case["fisher_pvalue_network"]
    mc = contingency_test(table, method="monte-carlo", n_resamples=100_000, rng=1)
    assert mc.n_resamples == 100_000 and mc.rng == 1
    # Monte Carlo error: binomial SE of a proportion from 1e5 draws; 5 SE bound.
    se = np.sqrt(reference * (1 - reference) / 100_000)
    assert abs(mc.pvalue - reference) <= 5 * se + 1e-5
    low, high = mc.confidence_interval(0.99999)
    assert low <= reference <= high


def test_rxc_auto_choices():
    two_row = contingency_test([[3, 1, 0], [2, 6, 8]])
    assert two_row.method == "fisher" and "tables enumerated" in two_row.reason
    large = contingency_test([[20, 15, 30], [25, 18, 40], [22, 35, 28]])
    assert large.method == "chi2"
    sparse = contingency_test([[2, 7, 3], [1, 4, 2], [5, 0, 6]])
    assert sparse.method == "monte-carlo" and sparse.n_resamples == 100_000 and sparse.rng == 0
    assert "< 5" in sparse.reason
    again = contingency_test([[2, 7, 3], [1, 4, 2], [5, 0, 6]])
    assert again.pvalue == sparse.pvalue  # seeded
    generator = contingency_test(sparse.table, rng=np.random.default_rng(0))
    assert generator.pvalue == sparse.pvalue and generator.rng is None
    with pytest.raises(ValueError, match="rng must be an int seed or a numpy Generator"):
        contingency_test(sparse.table, rng="seed")


def test_rxc_two_by_two_agrees_with_compare_proportions():
    res = contingency_test([[9, 11], [3, 22]], method="fisher")
    two = compare_proportions(events_a=9, total_a=20, events_b=3, total_b=25, test="fisher")
    np.testing.assert_allclose(res.pvalue, two.pvalue, rtol=1e-12)


def test_rxc_dataframe_labels_and_dropped_zero_lines():
    frame = pd.DataFrame(
        [[3, 0, 1, 0], [0, 0, 0, 0], [2, 0, 6, 8]],
        index=["lcSSc", "unknown", "dcSSc"],
        columns=["finger", "toe", "elbow", "knee"],
    )
    res = contingency_test(frame)
    assert isinstance(res, ContingencyResult)
    assert res.row_labels == ("lcSSc", "dcSSc")
    assert res.column_labels == ("finger", "elbow", "knee")
    assert any("unknown" in n for n in res.notes) and any("toe" in n for n in res.notes)
    np.testing.assert_allclose(res.pvalue, contingency_test([[3, 1, 0], [2, 6, 8]]).pvalue)
    out = res.to_frame()
    assert tuple(out.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert len(out) == 1 and "dropped" in out.loc[0, "note"]
    assert "dropped" in str(res)
    assert frame.loc["unknown"].sum() == 0 and frame.shape == (3, 4)  # input untouched


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ([[1, 2, 3]], "two non-empty rows"),
        ([[0, 0], [1, 2]], "two non-empty rows"),
        ([[1, -1], [2, 3]], "-1"),
        ([1, 2, 3], "two-dimensional"),
        ([[1, 2], [3, 4.5]], "4.5"),
    ],
)
def test_rxc_bad_input(table, match):
    with pytest.raises(ValueError, match=match):
        contingency_test(table)


def test_rxc_unknown_method():
    with pytest.raises(ValueError, match="monte-carlo"):
        contingency_test([[1, 2], [3, 4]], method="exact")


def test_monte_carlo_is_fast_enough():
    # Not a timing assertion on CI hardware: a generous bound that catches a non-vectorised loop.
    start = time.perf_counter()
    contingency_test(np.full((4, 6), 5), method="monte-carlo")
    assert time.perf_counter() - start < 10


@settings(max_examples=40, deadline=None)
@given(
    table=st.lists(st.lists(st.integers(0, 8), min_size=3, max_size=3), min_size=2, max_size=3),
    method=st.sampled_from(["auto", "chi2", "monte-carlo"]),
)
def test_rxc_pvalue_in_unit_interval(table, method):
    arr = np.array(table)
    if (arr.sum(axis=0) > 0).sum() < 2 or (arr.sum(axis=1) > 0).sum() < 2:
        return
    res = contingency_test(arr, method=method, n_resamples=2000)
    assert 0 <= res.pvalue <= 1


RD_INTERVALS = json.loads((Path(__file__).parent / "reference" / "meta_measures.json").read_text())[
    "risk_difference_intervals"
]


def _rd(counts, method, **kwargs):
    a, n_a, c, n_b = counts
    return compare_proportions(events_a=a, total_a=n_a, events_b=c, total_b=n_b,
                               risk_difference_method=method, **kwargs)  # fmt: skip


@pytest.mark.parametrize("ref", RD_INTERVALS, ids=lambda r: "-".join(map(str, r["counts"])))
def test_wald_risk_difference_matches_epir(ref):
    # tests/reference/reference_meta_measures.R: epiR 2.0.57 epi.2by2 ARisk.strata.wald.
    res = _rd(ref["counts"], "wald")
    assert res.risk_difference == pytest.approx(ref["estimate"], rel=1e-12)
    np.testing.assert_allclose(res.risk_difference_ci, ref["wald"], rtol=1e-10, atol=1e-12)
    assert res.to_frame().set_index("measure").loc["risk_difference", "method"] == "wald"


@pytest.mark.parametrize("ref", RD_INTERVALS, ids=lambda r: "-".join(map(str, r["counts"])))
def test_score_interval_without_small_sample_factor_is_mees_as_epir(ref):
    # epiR's ARisk.strata.score is Mee's (1984) interval, found by bisection to ~1e-7;
    # Miettinen-Nurminen differs from it only by the N / (N - 1) variance factor.
    a, n_a, c, n_b = ref["counts"]
    mee = _score_difference_interval(a, n_a, c, n_b, 0.95, small_sample=False)
    np.testing.assert_allclose(mee, ref["mee_score"], atol=2e-6)


@pytest.mark.parametrize(
    "counts, expected",
    [((56, 70, 48, 80), (0.0528, 0.3382)), ((5, 56, 0, 29), (-0.0326, 0.1933))],
)
def test_miettinen_nurminen_matches_newcombe_1998_table_ii(counts, expected):
    # Newcombe RG (1998), Statist. Med. 17:873-890, Table II, method 6
    # (Miettinen-Nurminen), examples (a) and (d), printed to 4 decimals.
    low, high = _rd(counts, "miettinen-nurminen").risk_difference_ci
    assert (round(low, 4), round(high, 4)) == expected


def test_risk_difference_methods_at_the_edges():
    # No events in either arm: Wald collapses to a point, the score intervals do not.
    assert tuple(_rd((0, 10, 0, 20), "wald").risk_difference_ci) == (0.0, 0.0)
    low, high = _rd((0, 10, 0, 20), "miettinen-nurminen").risk_difference_ci
    assert low < 0 < high
    # All events in a, none in b: the upper limit is 1.
    assert _rd((10, 10, 0, 20), "miettinen-nurminen").risk_difference_ci.high == 1.0
    newcombe = _rd((7, 12, 3, 25), "newcombe")
    assert newcombe.risk_difference_method == "newcombe"
    with pytest.raises(ValueError, match="'newcombe', 'miettinen-nurminen', 'wald'"):
        _rd((7, 12, 3, 25), "agresti-caffo")
