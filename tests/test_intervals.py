"""casestats.stats.intervals against R (tests/reference/core.json), and oracle-free properties."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from casestats.results import TIDY_COLUMNS
from casestats.stats.intervals import (
    PROPORTION_METHODS,
    MultinomialResult,
    ProportionResult,
    multinomial_intervals,
    proportion,
    proportion_interval,
)

REFERENCE = Path(__file__).parent / "reference" / "core.json"


def _decode(value):
    """R non-finite values arrive as strings."""
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, str) and value in {"NA", "NaN", "Inf", "-Inf"}:
        return float("nan") if value in {"NA", "NaN"} else float(value)
    return value


CORE = json.loads(REFERENCE.read_text())
# Closed forms (score formula, beta quantiles): R and scipy agree to rounding;
# 1e-10 relative leaves room for the 15 significant digits stored in the JSON.
RTOL = 1e-10


@pytest.mark.parametrize("case", CORE["proportions"], ids=lambda c: f"{c['events']}/{c['total']}")
@pytest.mark.parametrize("method", PROPORTION_METHODS)
def test_proportion_matches_r(case, method):
    res = proportion(
        case["events"], case["total"], method=method, confidence_level=case["confidence_level"]
    )
    expected = _decode(case[method])
    np.testing.assert_allclose(res.confidence_interval(), expected, rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("method", PROPORTION_METHODS)
def test_proportion_interval_is_vectorised_and_matches_r(method):
    # proportion() calls proportion_interval(); comparing the two would test nothing.
    cases = [c for c in CORE["proportions"] if c["confidence_level"] == 0.95]
    events = np.array([c["events"] for c in cases])
    totals = np.array([c["total"] for c in cases])
    low, high = proportion_interval(events.reshape(-1, 1), totals.reshape(-1, 1), method=method)
    assert low.shape == (len(cases), 1)
    expected = np.array([_decode(c[method]) for c in cases])
    np.testing.assert_allclose(low[:, 0], expected[:, 0], rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(high[:, 0], expected[:, 1], rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("method", PROPORTION_METHODS)
def test_edges_are_exact(method):
    for n in (1, 2, 7, 50, 1000):
        assert proportion(0, n, method=method).confidence_interval().low == 0.0
        assert proportion(n, n, method=method).confidence_interval().high == 1.0


def test_confidence_interval_recomputes_at_another_level():
    res = proportion(3, 10, method="clopper-pearson")
    ref = next(c for c in CORE["proportions"] if c["confidence_level"] == 0.9)
    np.testing.assert_allclose(res.confidence_interval(0.9), ref["clopper-pearson"], rtol=RTOL)
    assert res.confidence_interval() == (res.ci_low, res.ci_high)


def test_result_contract():
    res = proportion(3, 10)
    frame = res.to_frame()
    assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert len(frame) == 1
    assert frame.loc[0, "method"] == "wilson" and frame.loc[0, "events"] == 3
    assert "3/10" in str(res)
    with pytest.raises(AttributeError):
        res.estimate = 0.5  # frozen
    assert isinstance(res, ProportionResult)


@pytest.mark.parametrize(
    ("events", "total", "match"),
    [
        (0, 0, "no denominator"),
        (-1, 10, "-1"),
        (2.5, 10, "2.5"),
        (11, 10, "11"),
        (3, float("nan"), "nan"),
    ],
)
def test_degenerate_input_raises(events, total, match):
    with pytest.raises(ValueError, match=match):
        proportion(events, total)


def test_unknown_method_lists_allowed():
    with pytest.raises(ValueError, match="clopper-pearson"):
        proportion(1, 2, method="exact")
    with pytest.raises(ValueError, match="confidence_level"):
        proportion(1, 2, confidence_level=95)


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 2000),
    frac=st.floats(0, 1),
    level=st.floats(0.5, 0.999),
    method=st.sampled_from(PROPORTION_METHODS),
)
def test_interval_properties(n, frac, level, method):
    x = round(frac * n)
    low, high = proportion(x, n, method=method, confidence_level=level).confidence_interval()
    assert 0.0 <= low <= high <= 1.0
    if method != "wald" or 0 < x < n:
        assert low <= x / n <= high


@pytest.mark.parametrize("n", [1, 2, 5, 10, 17, 30, 60])
def test_clopper_pearson_coverage_at_least_nominal(n):
    # Exact coverage: sum the binomial pmf over the x whose interval covers p.
    x = np.arange(n + 1)
    low, high = proportion_interval(x, n, method="clopper-pearson")
    for p in np.linspace(0.001, 0.999, 199):
        covered = (low <= p) & (p <= high)
        assert stats.binom.pmf(x[covered], n, p).sum() >= 0.95 - 1e-12


# ------------------------------------------------------------------------- multinomial

# Sison-Glaz: no R package for it is in Debian's archive (DescTools, MultinomialCI).
# These are the examples of Sison & Glaz (1995), with limits computed by
# R MultinomialCI::multinomialCI as recorded in statsmodels' test suite
# (statsmodels/stats/tests/results/results_multinomial_proportions.py). The lower
# limits (p - c/n) agree exactly; the upper limits carry the Edgeworth interpolation
# term 2*delta/n, where the R values differ from ours (and from statsmodels, which
# agrees with ours to 1e-12) by up to 1e-4, the precision statsmodels also accepts.
SISON_GLAZ = [
    (
        [56, 72, 73, 59, 62, 87, 58],
        [
            [0.07922912, 0.1643361],
            [0.11349036, 0.1985973],
            [0.11563169, 0.2007386],
            [0.08565310, 0.1707601],
            [0.09207709, 0.1771840],
            [0.14561028, 0.2307172],
            [0.08351178, 0.1686187],
        ],
    ),
    ([5] * 50, [[0, 0.05304026]] * 50),
    (
        [1] * 10 + [12] * 10 + [5] * 10 + [3] * 10 + [4] * 10,
        [[0, 0.04120118]] * 10
        + [[0.012, 0.08520118]] * 10
        + [[0, 0.05720118]] * 10
        + [[0, 0.04920118]] * 10
        + [[0, 0.05320118]] * 10,
    ),
]


@pytest.mark.parametrize(("counts", "expected"), SISON_GLAZ)
def test_sison_glaz_published_examples(counts, expected):
    res = multinomial_intervals(counts, method="sison-glaz")
    expected = np.array(expected)
    np.testing.assert_allclose(res.ci_low, expected[:, 0], atol=1e-8)
    np.testing.assert_allclose(res.ci_high, expected[:, 1], atol=1.5e-4)


@pytest.mark.parametrize("level", [0.95, 0.9])
@pytest.mark.parametrize(("counts", "expected"), SISON_GLAZ)
def test_sison_glaz_matches_statsmodels(counts, expected, level):
    # statsmodels implements the same Edgeworth expansion independently; the upper
    # limits (where R's MultinomialCI rounds) agree to rounding error.
    from statsmodels.stats.proportion import multinomial_proportions_confint

    res = multinomial_intervals(counts, method="sison-glaz", confidence_level=level)
    reference = multinomial_proportions_confint(
        np.array(counts), alpha=1 - level, method="sison-glaz"
    )
    np.testing.assert_allclose(res.ci_low, reference[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.ci_high, reference[:, 1], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("counts", "method"),
    [([20, 5, 3, 2], "goodman"), ([4] * 6, "goodman"), ([4] * 7, "sison-glaz"),
     ([5] * 50, "sison-glaz")],
)  # fmt: skip
def test_default_is_goodman_below_seven_categories(counts, method):
    # statsmodels documents Sison-Glaz as reliable from about 7 categories on.
    res = multinomial_intervals(counts)
    assert res.method == method
    assert f"{len(counts)} categories" in res.reason and res.reason in str(res)
    explicit = multinomial_intervals(counts, method=method)
    assert res.ci_high == explicit.ci_high and explicit.reason == "requested"


def test_multinomial_confidence_interval_recomputes_at_another_level():
    res = multinomial_intervals([56, 72, 73, 59, 62, 87, 58], confidence_level=0.5)
    again = res.confidence_interval(0.95)
    expected = np.array(SISON_GLAZ[0][1])
    np.testing.assert_allclose(again.low, expected[:, 0], atol=1e-8)
    assert res.confidence_interval().low.tolist() == list(res.ci_low)


@pytest.mark.parametrize("case", CORE["goodman"], ids=lambda c: str(len(c["counts"])))
def test_goodman_matches_r(case):
    res = multinomial_intervals(
        case["counts"], method="goodman", confidence_level=case["confidence_level"]
    )
    np.testing.assert_allclose(res.ci_low, case["low"], rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(res.ci_high, case["high"], rtol=RTOL)


def test_multinomial_series_labels_and_frame():
    counts = pd.Series(
        [20, 5, 3, 2], index=["dystrophic", "metastatic", "idiopathic", "iatrogenic"]
    )
    res = multinomial_intervals(counts)
    assert isinstance(res, MultinomialResult)
    frame = res.to_frame()
    assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert frame["level"].tolist() == list(counts.index)
    assert (frame["total"] == 30).all()
    assert frame["events"].tolist() == [20, 5, 3, 2]
    low, high = res.confidence_interval()
    assert low.index.tolist() == list(counts.index)
    assert low.tolist() == frame["ci_low"].tolist() and high.tolist() == frame["ci_high"].tolist()
    assert "dystrophic" in str(res)
    assert counts.tolist() == [20, 5, 3, 2]  # input untouched


def test_sison_glaz_is_narrower_than_goodman_for_many_categories():
    counts = [5] * 50
    sg = multinomial_intervals(counts, method="sison-glaz")
    gm = multinomial_intervals(counts, method="goodman")
    assert np.mean(np.subtract(sg.ci_high, sg.ci_low)) < np.mean(np.subtract(gm.ci_high, gm.ci_low))


@pytest.mark.parametrize(
    ("counts", "match"),
    [([3], "two categories"), ([0, 0, 0], "positive sum"), ([1, -2, 3], "-2"), ([1, 2.5], "2.5")],
)
def test_multinomial_degenerate(counts, match):
    with pytest.raises(ValueError, match=match):
        multinomial_intervals(counts)


def test_multinomial_bad_arguments():
    with pytest.raises(ValueError, match="sison-glaz"):
        multinomial_intervals([1, 2], method="wald")
    with pytest.raises(ValueError, match="labels"):
        multinomial_intervals([1, 2], labels=["a"])


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(0, 40), min_size=2, max_size=8).filter(lambda c: sum(c) > 0),
    method=st.sampled_from(["auto", "sison-glaz", "goodman"]),
)
def test_multinomial_properties(counts, method):
    res = multinomial_intervals(counts, method=method)
    low, high = np.array(res.ci_low), np.array(res.ci_high)
    est = np.array(res.estimates)
    assert np.all((0 <= low) & (low <= est) & (est <= high) & (high <= 1))
    assert math.isclose(sum(res.estimates), 1.0)
