"""Goodness of fit to a reference mix, against R chisq.test (tests/reference/analysis.json)."""

import json
from pathlib import Path

import numpy as np
import pytest

from casestats.stats.goodness_of_fit import goodness_of_fit

REFERENCE = json.loads((Path(__file__).parent / "reference" / "analysis.json").read_text())
CASES = REFERENCE["goodness_of_fit"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: str(c["observed"]))
def test_statistic_df_and_asymptotic_p_match_r(case):
    res = goodness_of_fit(case["observed"], reference=case["reference"], method="chi2")
    assert res.statistic == pytest.approx(case["statistic"], rel=1e-10, abs=1e-12)
    assert res.df == case["df"]
    assert res.pvalue == pytest.approx(case["pvalue_asymptotic"], rel=1e-10)
    assert np.isnan(res.confidence_interval().low)


@pytest.mark.parametrize("case", [c for c in CASES if c["pvalue_exact"] != "NA"])
def test_monte_carlo_p_is_within_binomial_error_of_the_exact_p(case):
    # The exact p enumerates every multinomial outcome in R; the Monte Carlo p
    # estimates it with binomial standard error sqrt(p (1 - p) / B).
    n = 50_000
    res = goodness_of_fit(case["observed"], reference=case["reference"], n_resamples=n, rng=3)
    assert res.method == "monte-carlo" and res.n_resamples == n
    exact = case["pvalue_exact"]
    assert abs(res.pvalue - exact) < 4 * np.sqrt(exact * (1 - exact) / n)
    # R's own simulated p agrees with the exact one too (B = 200000)
    assert abs(case["pvalue_simulated"] - exact) < 4 * np.sqrt(exact * (1 - exact) / 200_000)
    low, high = res.confidence_interval(0.999)
    assert low < exact < high


def test_auto_picks_monte_carlo_only_for_small_expected_counts():
    small, large = CASES[1], CASES[2]
    assert goodness_of_fit(small["observed"], reference=small["reference"]).method == "monte-carlo"
    assert goodness_of_fit(large["observed"], reference=large["reference"]).method == "chi2"


def test_rng_accepts_a_seed_or_a_generator():
    args = dict(reference=[0.4, 0.3, 0.2, 0.1], n_resamples=2000)
    by_seed = goodness_of_fit([9, 1, 0, 2], rng=5, **args)
    by_generator = goodness_of_fit([9, 1, 0, 2], rng=np.random.default_rng(5), **args)
    assert by_seed.pvalue == by_generator.pvalue
    with pytest.raises(ValueError, match="rng="):
        goodness_of_fit([9, 1, 0, 2], rng="five", **args)


def test_a_category_of_share_zero_that_was_observed_makes_the_mix_impossible():
    res = goodness_of_fit([3, 1, 2], reference=[0.5, 0.5, 0])
    assert res.statistic == np.inf and res.pvalue == 0.0
    unobserved = goodness_of_fit([3, 1, 0], reference=[0.5, 0.5, 0])
    assert unobserved.df == 1


def test_bad_input_names_every_problem_and_the_allowed_methods():
    with pytest.raises(ValueError, match="non-negative integers.*3 values for 2"):
        goodness_of_fit([1.5, 2], reference=[0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match=r"method must be one of 'auto', 'chi2', 'monte-carlo'"):
        goodness_of_fit([1, 2], reference=[0.5, 0.5], method="exact")


def test_frame_has_a_row_per_category_and_one_for_the_test():
    frame = goodness_of_fit([40, 25, 20, 15], reference=[7, 6, 4, 3], labels="abcd").to_frame()
    assert frame["level"].tolist() == ["a", "b", "c", "d", "test"]
    assert frame["expected"].iloc[:4].tolist() == pytest.approx([35, 30, 20, 15])
    assert frame["events"].dtype == "Int64" and frame["df"].iloc[-1] == 3
