"""The patients x items profile test: Pearson's chi-square with one item (R), and speed."""

import json
from pathlib import Path

import numpy as np
import pytest

from casestats.stats.permutation import profile_test

REFERENCE = json.loads((Path(__file__).parent / "reference" / "analysis.json").read_text())


def _one_item(events, total):
    """Subjects of a 2 x groups table as one 0/1 item and a group label each."""
    item = np.concatenate(
        [np.r_[np.ones(k), np.zeros(n - k)] for k, n in zip(events, total, strict=True)]
    )
    groups = np.repeat([f"g{i}" for i in range(len(total))], total)
    return item[:, None], groups


@pytest.mark.parametrize("case", REFERENCE["profile_one_site"], ids=lambda c: str(c["total"]))
def test_one_item_is_pearson_chi_square_of_r(case):
    x, groups = _one_item(case["events"], case["total"])
    res = profile_test(x, groups, method="chi2")
    assert res.statistic == pytest.approx(case["statistic"], rel=1e-10)
    assert res.df == case["df"]
    assert res.pvalue == pytest.approx(case["pvalue"], rel=1e-10)


def test_permutation_p_with_one_item_is_within_binomial_error_of_r_simulated_p():
    # R's chisq.test(simulate.p.value=TRUE) draws tables with both margins fixed:
    # the permutation distribution of the labels. Both are estimates; allow 4 SE of each.
    case = REFERENCE["profile_one_site"][0]
    x, groups = _one_item(case["events"], case["total"])
    n = 20_000
    res = profile_test(x, groups, n_resamples=n, rng=11)
    assert res.method == "permutation"
    p = case["pvalue_simulated"]
    se = np.sqrt(p * (1 - p) / n) + np.sqrt(p * (1 - p) / case["simulated_resamples"])
    assert abs(res.pvalue - p) < 4 * se


def test_auto_switches_to_chi_square_above_2000_subjects():
    case = REFERENCE["profile_one_site"][1]  # 2500 subjects
    x, groups = _one_item(case["events"], case["total"])
    res = profile_test(x, groups)
    assert res.method == "chi2" and res.pvalue == pytest.approx(case["pvalue"], rel=1e-10)


def test_several_items_with_a_singular_covariance_match_the_definition_in_r():
    case = REFERENCE["profile_sites"]  # R: sum_k n_k m_k' ginv(S) m_k
    res = profile_test(case["indicators"], case["groups"], method="chi2")
    assert res.rank == case["rank"] == 4
    assert res.statistic == pytest.approx(case["statistic"], rel=1e-10)
    assert res.df == case["df"]
    assert res.pvalue == pytest.approx(case["pvalue_asymptotic"], rel=1e-8)


def test_vectorised_permutations_reproduce_the_former_loop():
    # A regression check, not an oracle: the p-values below came from the
    # pre-vectorisation loop (casestats/analysis.py at dd425bb, one
    # rng.permutation and one statistic per resample) on this seeded matrix.
    g = np.random.default_rng(17)
    x = (g.random((60, 4)) < [0.2, 0.5, 0.3, 0.1]).astype(int)
    x[:25, 1] |= g.random(25) < 0.3
    groups = np.array(["a"] * 25 + ["b"] * 20 + ["c"] * 15)
    first = profile_test(x, groups, n_resamples=999, rng=1)
    assert first.statistic == pytest.approx(12.683826831244051, rel=1e-12)
    assert first.pvalue == 0.114
    assert profile_test(x, groups, n_resamples=4999, rng=7).pvalue == 0.1298
    # the same stream whether given as a seed or a generator
    again = profile_test(x, groups, n_resamples=999, rng=np.random.default_rng(1))
    assert again.pvalue == first.pvalue
    low, high = first.confidence_interval()
    assert low < first.pvalue < high


def test_bad_input_is_reported_in_one_message():
    with pytest.raises(ValueError, match="one label per subject"):
        profile_test([[1, 0], [0, 1], [1, 1]], ["a", "b"])
    with pytest.raises(ValueError, match="at least 2 distinct"):
        profile_test([[1], [0]], ["a", "a"])
    with pytest.raises(ValueError, match="method must be one of 'auto', 'permutation', 'chi2'"):
        profile_test([[1], [0]], ["a", "b"], method="exact")


def test_frame_is_one_tidy_row():
    res = profile_test([[1, 0], [1, 1], [0, 1], [0, 0]], ["a", "a", "b", "b"], n_resamples=99)
    frame = res.to_frame()
    assert (
        len(frame) == 1 and frame["total"].iloc[0] == 4 and frame["method"].iloc[0] == "permutation"
    )
    assert "permutation" in res.summary() and repr(res).count("\n") == 0
