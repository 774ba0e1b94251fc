"""Per-level comparisons with BH adjustment, against R fisher.test / chisq.test / p.adjust."""

import json
from pathlib import Path

import numpy as np
import pytest

from casestats.stats.level_comparison import compare_levels

REFERENCE = json.loads((Path(__file__).parent / "reference" / "analysis.json").read_text())
CASES = REFERENCE["level_comparison"]


def test_two_groups_fisher_or_chi_square_and_bh_match_r():
    case = CASES["two_groups"]
    res = compare_levels(case["events"], case["total"], labels=case["labels"], groups=["lc", "dc"])
    assert list(res.tests) == case["test"]
    np.testing.assert_allclose(res.pvalue, case["pvalue"], rtol=1e-10)
    np.testing.assert_allclose(res.pvalue_adjusted, case["pvalue_adjusted"], rtol=1e-10)
    frame = res.to_frame()
    assert frame["group"].unique().tolist() == ["lc vs dc"]
    low, high = res.confidence_interval()
    assert low.index.tolist() == case["labels"]
    wider_low, wider_high = res.confidence_interval(0.99)
    assert (wider_low <= low).all() and (wider_high >= high).all()


def test_three_groups_fisher_freeman_halton_and_bh_match_r():
    case = CASES["three_groups"]
    res = compare_levels(case["events"], case["total"], labels=case["labels"])
    np.testing.assert_allclose(res.pvalue, case["pvalue"], rtol=1e-10)
    np.testing.assert_allclose(res.pvalue_adjusted, case["pvalue_adjusted"], rtol=1e-10)
    assert np.isnan(res.confidence_interval().low).all()


def test_a_level_with_nothing_to_compare_is_left_out_of_the_family():
    res = compare_levels([[0, 0], [5, 1], [2, 4]], [10, 10])
    assert res.tests[0] == "" and np.isnan(res.pvalue[0])
    # BH over the two tested levels only: the larger p stays, the smaller is doubled
    p = res.pvalue[1:]
    assert res.pvalue_adjusted[1:] == pytest.approx([min(1, min(2 * p.min(), p.max())), p.max()])


def test_events_over_total_names_the_cell():
    with pytest.raises(ValueError, match="level 1, group 0: 12 > 10"):
        compare_levels([[1, 1], [12, 1]], [10, 10])
