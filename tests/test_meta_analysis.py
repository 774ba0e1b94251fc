"""Tests of casestats.stats.meta_analysis against metafor (tests/reference/pooling.json)."""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casestats.exceptions import CasestatsWarning, SmallSampleWarning
from casestats.results import TIDY_COLUMNS
from casestats.stats.meta_analysis import (
    MetaOddsRatioResult,
    MetaProportionResult,
    meta_odds_ratios,
    meta_proportions,
)

REFERENCE = json.loads((Path(__file__).parent / "reference" / "pooling.json").read_text())
OR_SETS = REFERENCE["meta_odds_ratios"]
PROP_SETS = REFERENCE["meta_proportions"]
MH_SETS = REFERENCE["mantel_haenszel"]

# Closed forms (DL, MH, Q): rounding error only.
CLOSED = 1e-10
# REML, ML and PM iterate; metafor ran with threshold 1e-12, casestats to 1e-13.
ITERATIVE = 1e-7
# The GLMM: lme4 (nAGQ = 25, bobyqa rhoend 1e-12) or R's integrate() + nlminb
# against our quadrature, optimiser and finite-difference Hessian for the SE.
GLMM = 1e-5
TOLERANCE = {"DL": CLOSED, "REML": ITERATIVE, "PM": ITERATIVE, "ML": ITERATIVE}


def _or(name, **kwargs) -> MetaOddsRatioResult:
    d = OR_SETS[name]["data"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return meta_odds_ratios(
            events_a=d["ea"], total_a=d["na"], events_b=d["eb"], total_b=d["nb"], **kwargs
        )


def _prop(name, **kwargs) -> MetaProportionResult:
    d = PROP_SETS[name]["data"]
    return meta_proportions(d["x"], d["n"], **kwargs)


def _close(actual, expected, rel):
    # abs guards quantities that are exactly zero in R (tau² = 0, I² = 0).
    assert actual == pytest.approx(expected, rel=rel, abs=rel * 1e-3)


@pytest.mark.parametrize("name", sorted(OR_SETS))
@pytest.mark.parametrize("method", ["REML", "DL", "PM"])
@pytest.mark.parametrize("hksj", [False, True])
def test_odds_ratios_match_metafor(name, method, hksj):
    ref = OR_SETS[name][f"{method}_{'knha' if hksj else 'z'}"]
    rel = TOLERANCE[method]
    res = _or(name, method=method.lower(), hksj=hksj)
    _close(res.mu, ref["beta"], rel)
    _close(res.se, ref["se"], rel)
    _close(res.tau2, ref["tau2"], rel)
    _close(res.i2, ref["I2"], rel)
    _close(res.heterogeneity.q, ref["QE"], CLOSED)
    _close(res.heterogeneity.pvalue, ref["QEp"], CLOSED)
    _close(math.log(res.ci_low), ref["ci_lb"], rel)
    _close(math.log(res.ci_high), ref["ci_ub"], rel)
    _close(math.log(res.pi_low), ref["pi_lb"], rel)
    _close(math.log(res.pi_high), ref["pi_ub"], rel)
    _close(res.statistic, ref["zval"], rel)
    _close(res.pvalue, ref["pval"], rel)
    np.testing.assert_allclose(res.weights, ref["weights"], rtol=rel)
    np.testing.assert_allclose(np.log(res.study_estimate), OR_SETS[name]["yi"], rtol=CLOSED)


@pytest.mark.parametrize("name", sorted(OR_SETS))
def test_mantel_haenszel_option_matches_rma_mh(name):
    ref = MH_SETS[name]["rma_mh"]
    res = _or(name, method="mh")
    _close(res.mu, ref["beta"], CLOSED)
    _close(res.se, ref["se"], CLOSED)
    _close(math.log(res.ci_low), ref["ci_lb"], CLOSED)
    _close(res.heterogeneity.q, ref["QE"], CLOSED)
    _close(res.heterogeneity.pvalue, ref["QEp"], CLOSED)
    _close(res.i2, ref["I2"], CLOSED)
    assert res.tau2 == 0.0
    assert res.k == ref["k"] - len(res.excluded)
    _close(res.statistic, ref["zval"], CLOSED)
    _close(res.pvalue, ref["pval"], CLOSED)


def test_homogeneous_studies_give_zero_tau2_and_finite_se():
    # Q < k - 1 here: an untruncated DerSimonian-Laird (statsmodels 0.15
    # combine_effects) gives a negative tau², negative weights and a NaN SE.
    for method in ("dl", "reml", "pm"):
        res = _or("homogeneous", method=method)
        assert res.heterogeneity.q < res.heterogeneity.df
        assert res.tau2 == 0.0
        assert res.i2 == 0.0
        assert math.isfinite(res.se) and res.se > 0
        assert min(res.weights) > 0


def test_double_zero_study_is_excluded_and_listed():
    res = _or("with_double_zero", labels=[f"S{i}" for i in range(1, 8)])
    assert res.excluded == ("S7",)
    assert res.k == 6
    assert "S7" not in res.to_frame()["level"].tolist()
    assert "excluded" in str(res)


def test_zero_cell_study_is_corrected_and_said_so():
    res = _or("heterogeneous")
    frame = res.to_frame()
    assert res.corrected == (False, False, False, False, True, False)
    assert frame.loc[4, "method"] == "wald-haldane" and frame.loc[0, "method"] == "wald"
    assert frame.loc[4, "estimate"] == pytest.approx((3.5 * 20.5) / (22.5 * 0.5), rel=1e-14)


@pytest.mark.parametrize("zero_arm", ["a", "b"])
def test_mantel_haenszel_odds_ratio_of_zero_or_infinity_gives_nan_heterogeneity(zero_arm):
    # metafor::rma.mh returns NA for beta, QE and I2 on these tables; casestats
    # raised "math domain error" (OR 0) or claimed Q = inf with I² = 0% (OR inf).
    empty, full = {"events": [0, 0], "total": [10, 12]}, {"events": [3, 2], "total": [10, 12]}
    arms = {"a": empty, "b": full} if zero_arm == "a" else {"a": full, "b": empty}
    counts = {f"{key}_{arm}": arms[arm][key] for arm in "ab" for key in ("events", "total")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        with pytest.warns(CasestatsWarning, match="undefined"):
            res = meta_odds_ratios(**counts, method="mh")
    assert res.estimate == (0.0 if zero_arm == "a" else math.inf)
    het = res.heterogeneity
    for value in (het.q, het.pvalue, het.i2, res.ci_low, res.ci_high):
        assert math.isnan(value)


def test_hksj_rejected_with_mantel_haenszel():
    with pytest.raises(ValueError, match="hksj"):
        _or("heterogeneous", method="mh", hksj=True)


@pytest.mark.parametrize("name", sorted(PROP_SETS))
@pytest.mark.parametrize("method", ["REML", "DL", "PM", "ML"])
def test_proportions_inverse_variance_match_metafor(name, method):
    ref = PROP_SETS[name][method]
    rel = TOLERANCE[method]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        res = _prop(name, method=method.lower())
    _close(res.mu, ref["beta"], rel)
    _close(res.se, ref["se"], rel)
    _close(res.tau2, ref["tau2"], rel)
    _close(res.i2, ref["I2"], rel)
    _close(res.heterogeneity.q, ref["QE"], CLOSED)
    _close(res.heterogeneity.pvalue, ref["QEp"], CLOSED)
    _close(res.ci_low, 1 / (1 + math.exp(-ref["ci_lb"])), rel)
    _close(res.ci_high, 1 / (1 + math.exp(-ref["ci_ub"])), rel)
    _close(res.pi_low, 1 / (1 + math.exp(-ref["pi_lb"])), rel)
    _close(res.pi_high, 1 / (1 + math.exp(-ref["pi_ub"])), rel)
    _close(res.statistic, ref["zval"], rel)
    _close(res.pvalue, ref["pval"], rel)
    np.testing.assert_allclose(res.weights, ref["weights"], rtol=rel)


@pytest.mark.parametrize("name", ["homogeneous", "heterogeneous", "with_zero"])
def test_glmm_matches_rma_glmm(name):
    ref = PROP_SETS[name]["GLMM"]
    res = _prop(name)
    assert res.method == "glmm"
    assert res.method_description.endswith("GLMM (ML, adaptive quadrature)")
    _close(res.mu, ref["beta"], GLMM)
    _close(res.se, ref["se"], GLMM)
    _close(res.tau2, ref["tau2"], GLMM)
    _close(res.i2, ref["I2"], GLMM)
    _close(math.log(res.ci_low / (1 - res.ci_low)), ref["ci_lb"], GLMM)
    _close(math.log(res.pi_high / (1 - res.pi_high)), ref["pi_ub"], GLMM)
    _close(res.statistic, ref["zval"], GLMM)


@pytest.mark.parametrize("name", ["heterogeneous", "with_zero", "skewed"])
def test_glmm_matches_direct_integration_in_r(name):
    # R's integrate() + nlminb, independent of Gauss-Hermite quadrature. On
    # "skewed" (0-event studies, tau² ~ 14) lme4's nAGQ = 25 is off by ~1e-3,
    # so only this reference is used there.
    ref = PROP_SETS[name]["GLMM_integrate"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        res = _prop(name)
    _close(res.mu, ref["beta"], GLMM)
    _close(res.tau2, ref["tau2"], GLMM)


def test_glmm_homogeneous_set_sits_on_the_boundary():
    res = _prop("homogeneous")
    assert res.tau2 == 0.0
    # With tau² = 0 the GLMM is the common-proportion binomial model.
    assert res.estimate == pytest.approx(148 / 682, rel=1e-10)


def test_continuity_correction_only_for_edge_studies():
    # DerSimonian-Laird by hand on logits with 0.5 added only to the 0-event study.
    x = np.array(PROP_SETS["with_zero"]["data"]["x"], dtype=float)
    n = np.array(PROP_SETS["with_zero"]["data"]["n"], dtype=float)
    shift = np.where((x == 0) | (x == n), 0.5, 0.0)
    y = np.log((x + shift) / (n - x + shift))
    v = 1 / (x + shift) + 1 / (n - x + shift)
    w = 1 / v
    q = (w * (y - (w * y).sum() / w.sum()) ** 2).sum()
    tau2 = max(0.0, (q - (x.size - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    w_star = 1 / (v + tau2)
    res = _prop("with_zero", method="dl")
    assert res.tau2 == pytest.approx(tau2, rel=1e-12)
    assert res.mu == pytest.approx((w_star * y).sum() / w_star.sum(), rel=1e-12)
    # Per-study intervals are Clopper-Pearson: exact 0 at 0 events.
    assert res.study_ci_low[0] == 0.0
    assert res.study_estimate[0] == 0.0


def test_forest_frame_contract():
    res = _prop("heterogeneous", labels=list("ABCDEF"))
    frame = res.to_frame()
    assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    for column in ("weight", "pi_low", "pi_high", "tau2", "i2", "q", "q_df", "q_pvalue"):
        assert column in frame.columns
    assert frame["group"].tolist() == ["study"] * 6 + ["pooled"]
    assert frame["level"].tolist()[:6] == list("ABCDEF")
    assert frame["weight"].iloc[:6].sum() == pytest.approx(100.0)
    pooled = frame.iloc[-1]
    assert pooled["level"] == "random effects (GLMM)"
    assert pooled["pi_low"] <= pooled["ci_low"] <= pooled["estimate"] <= pooled["ci_high"]
    assert res.scale == "proportion"
    odds = _or("heterogeneous", groups=("lcSSc", "dcSSc")).to_frame()
    assert list(odds.columns[len(TIDY_COLUMNS) : len(TIDY_COLUMNS) + 6]) == [
        "measure",
        "group_a",
        "group_b",
        "events_b",
        "total_b",
        "df",
    ]
    assert set(odds["group_a"]) == {"lcSSc"} and set(odds["group_b"]) == {"dcSSc"}
    assert odds.iloc[-1]["level"] == "random effects (REML)"
    assert _or("heterogeneous").scale == "odds ratio"


def test_heterogeneity_text_and_intervals():
    res = _or("heterogeneous", method="dl")
    het = res.heterogeneity
    text = het.text()
    assert text.startswith(f"I² = {het.i2:.0f}%, τ² = {het.tau2:.2g}, Q = {het.q:.1f} (df = 5)")
    assert text in str(res)
    assert res.confidence_interval() == (res.ci_low, res.ci_high)
    assert res.prediction_interval() == (res.pi_low, res.pi_high)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.mu = 1.0
    assert "Meta-analysis of 6 studies" in str(res)


@pytest.mark.parametrize("hksj", [False, True])
def test_confidence_interval_recomputes_at_another_level(hksj):
    # metafor: exp(beta -/+ crit se) with the normal, or t(k - 1) under Knapp-Hartung.
    ref = OR_SETS["heterogeneous"][f"REML_{'knha' if hksj else 'z'}"]
    res = _or("heterogeneous", hksj=hksj)
    crit = 1.2815515655446004 if not hksj else 1.4758840488244813  # qnorm(.9), qt(.9, 5)
    low, high = res.confidence_interval(0.8)
    assert math.log(low) == pytest.approx(ref["beta"] - crit * ref["se"], rel=ITERATIVE)
    assert math.log(high) == pytest.approx(ref["beta"] + crit * ref["se"], rel=ITERATIVE)


def test_fewer_than_five_studies_warn():
    with pytest.warns(SmallSampleWarning, match="4 studies"):
        meta_proportions([3, 15, 8, 40], [30, 40, 60, 100])
    with pytest.warns(SmallSampleWarning):
        meta_odds_ratios(events_a=[3, 5], total_a=[10, 12], events_b=[2, 1], total_b=[11, 9])


@pytest.mark.parametrize("method", ["glmm", "reml", "dl"])
def test_single_study_is_that_study(method):
    with pytest.warns(SmallSampleWarning, match="1 study"):
        res = meta_proportions([12], [40], method=method)
    assert res.tau2 == 0.0
    assert res.estimate == pytest.approx(0.3, rel=1e-12)
    assert res.se == pytest.approx(math.sqrt(1 / 12 + 1 / 28), rel=1e-12)
    het = res.heterogeneity
    assert het.q == 0.0 and het.df == 0 and math.isnan(het.pvalue)
    assert het.text().endswith("(df = 0), p = NA")
    assert str(res).startswith("Meta-analysis of 1 study ")


def test_plot_returns_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for res in (_prop("heterogeneous"), _or("heterogeneous")):
        ax = res.plot()
        assert isinstance(ax, matplotlib.axes.Axes)
        plt.close(ax.figure)


def test_glmm_without_any_event_raises():
    with pytest.raises(ValueError, match="reml"):
        meta_proportions([0, 0, 0, 0, 0], [10, 12, 8, 20, 15])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: meta_proportions([1, 2], [10, 10], method="fe"), "'glmm', 'reml'"),
        (lambda: meta_proportions([11, 2], [10, 10]), "events must be at most total, got 11"),
        (lambda: meta_proportions([1, 2], [0, 10]), "total must be positive"),
        (lambda: meta_proportions([1, 2], [10]), "same length"),
        (lambda: meta_proportions([1, -2], [10, 10]), "non-negative"),
        (
            lambda: meta_odds_ratios(
                events_a=[1], total_a=[5], events_b=[1], total_b=[5], method="peto"
            ),
            "'reml', 'dl', 'pm', 'ml', 'mh'",
        ),
        (lambda: meta_proportions([1, 2], [10, 10], confidence_level=95), "confidence_level"),
    ],
)
def test_bad_arguments_raise(call, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        with pytest.raises(ValueError, match=message):
            call()


counts = st.lists(
    st.integers(1, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    min_size=2,
    max_size=7,
)


@settings(max_examples=40, deadline=None)
@given(counts, st.sampled_from(["glmm", "reml", "dl", "pm", "ml"]))
def test_proportion_results_are_coherent(studies, method):
    x, n = zip(*studies, strict=True)
    if method == "glmm" and (all(e == 0 for e in x) or all(e == t for e, t in studies)):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        res = meta_proportions(list(x), list(n), method=method)
    assert res.tau2 >= 0.0
    assert 0.0 <= res.i2 < 100.0
    assert 0.0 <= res.pi_low <= res.ci_low <= res.estimate <= res.ci_high <= res.pi_high <= 1.0
    assert 0.0 <= res.heterogeneity.pvalue <= 1.0
    assert sum(res.weights) == pytest.approx(100.0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(1, 30), st.integers(0, 30), st.integers(1, 30)),
        min_size=2,
        max_size=6,
    ),
    st.sampled_from(["reml", "dl", "pm", "mh"]),
)
def test_swapping_arms_inverts_the_pooled_odds_ratio(rows, method):
    ea = [r[0] for r in rows]
    na = [r[0] + r[1] for r in rows]
    eb = [r[2] for r in rows]
    nb = [r[2] + r[3] for r in rows]
    if all(a + b == 0 for a, b in zip(ea, eb, strict=True)):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CasestatsWarning)
        res = meta_odds_ratios(events_a=ea, total_a=na, events_b=eb, total_b=nb, method=method)
        swapped = meta_odds_ratios(events_a=eb, total_a=nb, events_b=ea, total_b=na, method=method)
    if not 0 < res.estimate < math.inf:
        assert swapped.estimate == (math.inf if res.estimate == 0 else 0.0)
        return
    assert swapped.estimate == pytest.approx(1 / res.estimate, rel=1e-6)
    assert swapped.tau2 == pytest.approx(res.tau2, rel=1e-6, abs=1e-10)
    assert res.ci_low <= res.estimate <= res.ci_high


@pytest.mark.parametrize("name", sorted(OR_SETS))
@pytest.mark.parametrize("method", ["reml", "mh"])
def test_odds_ratio_result_carries_metafor_yi_vi(name, method):
    # The contract the study-level analyses (subgroups, funnel, influence) read.
    res = _or(name, method=method)
    assert res.measure == "OR"
    np.testing.assert_allclose(res.yi, OR_SETS[name]["yi"], rtol=CLOSED)
    np.testing.assert_allclose(res.vi, OR_SETS[name]["vi"], rtol=CLOSED)
    assert len(res.yi) == len(res.vi) == res.k


@pytest.mark.parametrize("name", sorted(PROP_SETS))
def test_proportion_result_carries_metafor_yi_vi(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        res = _prop(name, method="dl")
    assert res.measure == "PLO"
    np.testing.assert_allclose(res.yi, PROP_SETS[name]["yi"], rtol=CLOSED)
    np.testing.assert_allclose(res.vi, PROP_SETS[name]["vi"], rtol=CLOSED)


KNHA = json.loads((Path(__file__).parent / "reference" / "meta_measures.json").read_text())[
    "proportions_knha"
]


@pytest.mark.parametrize("name", sorted(KNHA))
@pytest.mark.parametrize("method", ["REML", "DL", "PM", "ML"])
def test_proportions_knapp_hartung_match_rma_knha(name, method):
    # tests/reference/reference_meta_measures.R: rma(yi, vi, method, test = "knha").
    ref = KNHA[name][method]
    rel = TOLERANCE[method]
    d = KNHA[name]["data"]
    res = meta_proportions(d["x"], d["n"], method=method.lower(), hksj=True)
    _close(res.mu, ref["beta"], rel)
    _close(res.se, ref["se"], rel)
    _close(res.tau2, ref["tau2"], rel)
    _close(res.ci_low, 1 / (1 + math.exp(-ref["ci_lb"])), rel)
    _close(res.ci_high, 1 / (1 + math.exp(-ref["ci_ub"])), rel)
    _close(res.pi_low, 1 / (1 + math.exp(-ref["pi_lb"])), rel)
    _close(res.pi_high, 1 / (1 + math.exp(-ref["pi_ub"])), rel)
    _close(res.statistic, ref["zval"], rel)
    _close(res.pvalue, ref["pval"], rel)
    pooled = res.to_frame().iloc[-1]
    assert pooled["df"] == len(d["x"]) - 1 and "HKSJ" in pooled["level"]
    assert f"t (df = {len(d['x']) - 1})" in str(res)


def test_knapp_hartung_refused_for_the_glmm():
    with pytest.raises(ValueError, match="the GLMM has none"):
        meta_proportions([3, 15, 8, 40, 2], [30, 40, 60, 100, 35], hksj=True)
