"""Heterogeneity intervals, subgroups, meta-regression, influence and small-study tests
against metafor 3.8 (tests/reference/meta_diagnostics.json, from
tests/reference/reference_meta_diagnostics.R).

Tolerances: 1e-10 (relative and absolute) for closed forms and for DL fits; 1e-6
for iterative fits (REML, ML, PM tau² and Q-profile roots), which both sides
solve to about 1e-12.
"""

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from casestats import SmallSampleWarning, meta_odds_ratios, meta_proportions
from casestats.stats.heterogeneity import heterogeneity_intervals
from casestats.stats.influence import influence, leave_one_out
from casestats.stats.meta_regression import meta_regression
from casestats.stats.small_study import begg_test, egger_test, peters_test, trim_and_fill
from casestats.stats.subgroups import subgroup_analysis

REFERENCE = json.loads((Path(__file__).parent / "reference" / "meta_diagnostics.json").read_text())
DATA = REFERENCE["data"]
CLOSED, ITERATIVE = 1e-10, 1e-6


def tol(method):
    return CLOSED if method.lower() == "dl" else ITERATIVE


def close(got, expected, tolerance):
    got = np.asarray(got, dtype=float)
    expected = np.asarray([math.nan if e is None else e for e in np.atleast_1d(expected)],
                          dtype=float).reshape(got.shape)  # fmt: skip
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return function(*args, **kwargs)


def or_result(name, method="reml", hksj=False):
    d = DATA[name]
    return quiet(meta_odds_ratios, events_a=d["ea"], total_a=d["na"], events_b=d["eb"],
                 total_b=d["nb"], method=method, hksj=hksj)  # fmt: skip


def prop_result(method):
    d = DATA["prop10"]
    return quiet(meta_proportions, d["x"], d["n"], method=method)


def result_for(case):
    name, method, test = case.rsplit("_", 2)
    if name == "prop10":
        return prop_result(method.lower())
    return or_result(name, method.lower(), hksj=test == "knha")


# ---------------------------------------------------------------- Q-profile


@pytest.mark.parametrize("case", sorted(REFERENCE["q_profile"]))
def test_q_profile_matches_confint(case):
    ref = REFERENCE["q_profile"][case]
    name, method = case.split("_", 1)
    if method == "REML_year":
        fitted = meta_regression(or_result("or12"), {"year": DATA["or12"]["year"]})
        res, method = fitted, "reml"
    elif name == "homogeneous":
        res = quiet(meta_odds_ratios, events_a=[30, 45, 8, 60, 5], total_a=[120, 200, 40, 300, 22],
                    events_b=[12, 20, 3, 25, 1], total_b=[80, 150, 35, 180, 18], method="dl")
    else:
        res = prop_result(method.lower()) if name == "prop10" else or_result(name, method.lower())
    for level_name, level in (("level95", 0.95), ("level80", 0.80)):
        if level_name not in ref:
            continue
        ci = heterogeneity_intervals(res, confidence_level=level)
        frame = ci.to_frame().set_index("level")
        for ours, theirs in (("tau2", "tau2"), ("tau", "tau"), ("i2", "I2"), ("h2", "H2")):
            close(frame.loc[ours, ["estimate", "ci_low", "ci_high"]].to_numpy(float),
                  ref[level_name][theirs], ITERATIVE)  # fmt: skip
    # Recomputing at another level reproduces a fresh fit at that level.
    again = heterogeneity_intervals(res).confidence_interval(0.8)
    fresh = heterogeneity_intervals(res, confidence_level=0.8).confidence_interval()
    pd.testing.assert_series_equal(again.high, fresh.high)


def test_q_profile_empty_interval_says_so():
    # Identical odds ratios: Q = 0 lies below even the lower chi² quantile.
    res = quiet(meta_odds_ratios, events_a=[10, 20, 30], total_a=[100, 200, 300],
                events_b=[5, 10, 15], total_b=[100, 200, 300], method="dl")  # fmt: skip
    ci = heterogeneity_intervals(res)
    assert (ci.tau2_low, ci.tau2_high) == (0.0, 0.0) and "empty" in ci.note


@pytest.mark.parametrize("method", ["glmm", "mh"])
def test_non_inverse_variance_fits_are_refused(method):
    if method == "glmm":
        res = prop_result("glmm")
    else:
        res = or_result("or12", "mh")
    for function in (heterogeneity_intervals, leave_one_out, influence, egger_test, trim_and_fill):
        with pytest.raises(ValueError, match=f"method={method!r}.*method='reml'"):
            function(res)


# ---------------------------------------------------------------- meta-regression


@pytest.mark.parametrize("case", sorted(REFERENCE["meta_regression"]))
def test_meta_regression_matches_rma_mods(case):
    ref = REFERENCE["meta_regression"][case]
    name, method, test = case.rsplit("_", 2)
    d = DATA[name]
    if name == "prop10":
        res = prop_result(method.lower())
        mods = pd.DataFrame({"age": d["age"]})
    else:
        res = or_result(name, "reml")
        mods = pd.DataFrame({"year": d["year"], "ascertainment": d["ascertainment"]})
    reg = meta_regression(res, mods, method=method.lower(), hksj=test == "knha")
    t = tol(method)
    assert len(reg.terms) == len(ref["terms"])
    for ours, theirs in (("coef", "beta"), ("se", "se"), ("ci_low", "ci_lb"), ("ci_high", "ci_ub"),
                         ("statistic", "zval"), ("pvalue", "pval")):  # fmt: skip
        close(getattr(reg, ours), ref[theirs], t)
    for ours, theirs in (("qm", "QM"), ("qm_pvalue", "QMp"), ("qe", "QE"), ("qe_pvalue", "QEp"),
                         ("tau2", "tau2"), ("i2", "I2"), ("h2", "H2"), ("r2", "R2")):  # fmt: skip
        close(getattr(reg, ours), ref[theirs], t)
    assert reg.qm_df == ref["QMdf"][0]
    if test == "knha":
        assert reg.df == ref["QMdf"][1]


def test_meta_regression_without_moderators_reproduces_the_meta_analysis():
    from casestats.stats._tau2 import _tau2
    from casestats.stats.meta_regression import tau2_general

    res = or_result("or12", "pm")
    y, v = np.asarray(res.yi), np.asarray(res.vi)
    for method in ("reml", "ml", "dl", "pm"):
        assert tau2_general(y, v, np.ones((y.size, 1)), method) == pytest.approx(
            _tau2(y, v, method), rel=1e-9, abs=1e-12)


def test_tools_without_moderators_refuse_a_meta_regression():
    reg = meta_regression(or_result("or12"), {"year": DATA["or12"]["year"]})
    for function in (leave_one_out, influence, egger_test, begg_test, trim_and_fill):
        with pytest.raises(ValueError, match="without moderators"):
            function(reg)
    with pytest.raises(ValueError, match="a meta-analysis result"):
        leave_one_out([0.1, 0.2, 0.3])


def test_meta_regression_reports_every_bad_moderator_at_once():
    res = or_result("or6", "dl")
    with pytest.raises(ValueError, match=r"row 1 .*'year'.*row 4 .*'year'"):
        meta_regression(res, {"year": [1998, None, 2009, 2012, math.nan, 2020]})
    with pytest.raises(ValueError, match="one row per pooled study"):
        meta_regression(res, [1, 2, 3])
    with pytest.raises(ValueError, match="linearly independent"):
        meta_regression(res, {"a": [1.0] * 6})
    with pytest.raises(ValueError, match="method must be one of"):
        meta_regression(res, {"year": DATA["or6"]["year"]}, method="hs")


# ---------------------------------------------------------------- subgroups


@pytest.mark.parametrize("case", sorted(REFERENCE["subgroups"]))
def test_subgroups_match_metafor(case):
    ref = REFERENCE["subgroups"][case]
    method, test = case.split("_")
    res = or_result("or12", method.lower(), hksj=test == "knha")
    t = tol(method)
    by = DATA["or12"]["ascertainment"]
    separate = subgroup_analysis(res, by)
    assert list(separate.subgroups) == ref["subgroups"]
    s = ref["separate"]
    close(separate.mu, s["beta"], t)
    close(separate.se, s["se"], t)
    close(np.log(separate.ci_low), s["ci_lb"], t)
    close(np.log(separate.ci_high), s["ci_ub"], t)
    close(separate.pvalue, s["pval"], t)
    close(separate.tau2, s["tau2"], t)
    close(separate.i2, s["I2"], t)
    close(separate.q, s["QE"], CLOSED)
    close(separate.q_between, s["Q_between"], t)
    close(separate.q_between_pvalue, s["Q_between_p"], t)
    common = subgroup_analysis(res, by, tau2="common")
    c = ref["common"]
    close(common.mu, c["beta"], t)
    close(common.se, c["se"], t)
    close(np.log(common.ci_low), c["ci_lb"], t)
    close(common.pvalue, c["pval"], t)
    close(common.tau2[0], c["tau2"], t)
    close(common.q_between, c["QM"], t)
    close(common.q_between_pvalue, c["QMp"], t)


def test_subgroup_input_errors():
    res = or_result("or6", "dl")
    with pytest.raises(ValueError, match="at least two subgroups"):
        subgroup_analysis(res, ["x"] * 6)
    with pytest.raises(ValueError, match="row 2"):
        subgroup_analysis(res, ["x", "y", None, "x", "y", "x"])
    with pytest.raises(ValueError, match="tau2 must be one of 'separate', 'common'"):
        subgroup_analysis(res, ["x", "y"] * 3, tau2="pooled")


# ---------------------------------------------------------------- leave-one-out and influence


@pytest.mark.parametrize("case", sorted(REFERENCE["influence"]))
def test_leave_one_out_and_influence_match_metafor(case):
    ref = REFERENCE["influence"][case]
    res = result_for(case)
    t = tol(case.split("_")[1])
    loo = leave_one_out(res)
    lref = ref["leave1out"]
    close(loo.mu, lref["estimate"], t)
    for ours, theirs in (("se", "se"), ("statistic", "zval"), ("pvalue", "pval"), ("q", "Q"),
                         ("q_pvalue", "Qp"), ("tau2", "tau2"), ("i2", "I2"), ("h2", "H2")):
        close(getattr(loo, ours), lref[theirs], t)
    inv = (lambda x: np.log(x / (1 - x))) if res.measure == "PLO" else np.log
    close(inv(np.asarray(loo.ci_low)), lref["ci_lb"], t)
    close(inv(np.asarray(loo.ci_high)), lref["ci_ub"], t)
    inf = influence(res)
    iref = ref["influence"]
    for ours, theirs in (("rstudent", "rstudent"), ("dffits", "dffits"), ("cook_d", "cook_d"),
                         ("cov_r", "cov_r"), ("tau2_del", "tau2_del"), ("q_del", "QE_del"),
                         ("hat", "hat"), ("weight", "weight"), ("dfbetas", "dfbetas")):  # fmt: skip
        close(getattr(inf, ours), iref[theirs], t)
    assert list(inf.influential) == iref["is_infl"]


# ---------------------------------------------------------------- small-study effects


@pytest.mark.parametrize("case", sorted(c for c in REFERENCE["small_study"] if c.startswith("or")))
def test_small_study_tests_match_metafor(case):
    ref = REFERENCE["small_study"][case]
    res = result_for(case)
    t = tol(case.split("_")[1])
    egger = quiet(egger_test, res)
    close([egger.statistic, egger.pvalue], [ref["egger_rma"]["zval"], ref["egger_rma"]["pval"]], t)
    close(np.log([egger.limit_estimate, egger.ci_low, egger.ci_high]),
          [ref["egger_rma"][n] for n in ("est", "ci_lb", "ci_ub")], t)  # fmt: skip
    assert egger.df == ref["egger_rma"]["dfs"]
    lm = quiet(egger_test, res, model="lm")
    close([lm.statistic, lm.pvalue], [ref["egger_lm"]["zval"], ref["egger_lm"]["pval"]], CLOSED)
    close(np.log([lm.limit_estimate, lm.ci_low, lm.ci_high]),
          [ref["egger_lm"][n] for n in ("est", "ci_lb", "ci_ub")], CLOSED)  # fmt: skip
    peters = quiet(peters_test, res)
    close([peters.statistic, peters.pvalue], [ref["peters"]["tval"], ref["peters"]["pval"]],
          CLOSED)  # fmt: skip
    close(peters.limit_mu, ref["peters"]["coef"][0], CLOSED)
    assert peters.df == ref["peters"]["df"]
    begg = quiet(begg_test, res)
    close([begg.statistic, begg.pvalue], [ref["ranktest"]["tau"], ref["ranktest"]["pval"]], CLOSED)
    for key, side in (("trimfill", None), ("trimfill_right", "right")):
        tf = quiet(trim_and_fill, res, side=side)
        r = ref[key]
        assert (tf.k0, tf.side) == (r["k0"], r["side"])
        close([tf.mu, tf.se, tf.statistic, tf.pvalue, tf.tau2],
              [r["beta"], r["se"], r["zval"], r["pval"], r["tau2"]], t)  # fmt: skip
        close(np.log([tf.ci_low, tf.ci_high]), [r["ci_lb"], r["ci_ub"]], t)
        close(tf.se_k0, r["se_k0"], CLOSED)
        close(tf.yi, r["yi"], t)
        close(tf.vi, r["vi"], CLOSED)


def test_small_study_on_proportions_matches_metafor():
    ref = REFERENCE["small_study"]["prop10_ML_z"]
    res = prop_result("ml")
    egger = egger_test(res)  # 10 studies: no warning
    close([egger.statistic, egger.pvalue], [ref["egger_rma"]["zval"], ref["egger_rma"]["pval"]],
          ITERATIVE)  # fmt: skip
    begg = begg_test(res)
    close([begg.statistic, begg.pvalue], [ref["ranktest"]["tau"], ref["ranktest"]["pval"]], CLOSED)
    tf = trim_and_fill(res)
    assert (tf.k0, tf.side) == (ref["trimfill"]["k0"], ref["trimfill"]["side"])
    close([tf.mu, tf.se, tf.tau2], [ref["trimfill"][n] for n in ("beta", "se", "tau2")], ITERATIVE)
    with pytest.raises(ValueError, match="meta-analysis of odds ratios"):
        peters_test(res)


def test_few_studies_warn_and_fewer_than_three_are_refused():
    res = or_result("or6", "dl")
    for function in (egger_test, peters_test, begg_test, trim_and_fill):
        with pytest.warns(SmallSampleWarning, match="fewer than 10 studies"):
            function(res)
    two = quiet(meta_odds_ratios, events_a=[3, 5], total_a=[20, 30], events_b=[1, 2],
                total_b=[20, 30], method="dl")  # fmt: skip
    for function in (egger_test, peters_test, begg_test, trim_and_fill, leave_one_out, influence):
        with pytest.raises(ValueError, match="at least 3"):
            function(two)


# ---------------------------------------------------------------- contract of the two results
# without an interval (the others are in tests/test_results_contract.py)


@pytest.mark.parametrize("build", [lambda r: influence(r), lambda r: quiet(begg_test, r)],
                         ids=["influence", "begg"])  # fmt: skip
def test_results_without_interval_keep_the_contract(build):
    import dataclasses

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from casestats.results import TIDY_COLUMNS

    result = build(or_result("or12"))
    frame = result.to_frame()
    assert list(frame.columns[: len(TIDY_COLUMNS)]) == list(TIDY_COLUMNS)
    assert "\n" not in repr(result) and result.summary().count("\n") >= 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.method = "x"
    ax = result.plot(color="C3")
    assert isinstance(ax, matplotlib.axes.Axes)
    plt.close(ax.figure)


def test_funnel_and_leave_one_out_plots_draw_what_they_say():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = or_result("or12")
    tf = quiet(trim_and_fill, res)
    ax = tf.plot()
    gids = {a.get_gid() for a in ax.get_children()}
    assert {"studies", "filled studies", "pseudo ci", "center"} <= gids
    filled = next(a for a in ax.collections if a.get_gid() == "filled studies")
    assert len(filled.get_offsets()) == tf.k0 == 6
    assert ax.yaxis_inverted() and ax.get_xlabel() == "log odds ratio"
    plt.close(ax.figure)
    ax = leave_one_out(res).plot()
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names[0] == "without study 1" and names[-1] == "all studies"
    plt.close(ax.figure)
    reg = meta_regression(res, {"year": DATA["or12"]["year"],
                                "ascertainment": DATA["or12"]["ascertainment"]})  # fmt: skip
    with pytest.raises(ValueError, match="exactly one moderator"):
        reg.plot()


def test_frames_name_the_approach_and_the_test():
    res = or_result("or12", "reml", hksj=True)
    sub = subgroup_analysis(res, DATA["or12"]["ascertainment"], tau2="common")
    row = sub.to_frame().iloc[-1]
    assert row["group"] == "subgroup differences" and row["method"] == "f"
    assert "common tau²" in row["note"]
    reg = meta_regression(res, {"year": DATA["or12"]["year"]})
    frame = reg.to_frame()
    assert list(frame["group"]) == ["coefficient", "coefficient", "moderators", "residual"]
    assert set(frame["method"].iloc[:2]) == {"reml-knha"} and frame["df"].iloc[0] == 10
    ci = reg.confidence_interval(0.9)
    assert list(ci.low.index) == ["intercept", "year"]
    assert "Knapp-Hartung" in reg.summary()


def test_reported_ratios_are_shown_as_ratios():
    # pooled reported ORs ("GEN") are log ORs inside: the diagnostics must back-transform them
    import casestats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.SmallSampleWarning)
        fit = casestats.meta_estimates([1.8, 2.5, 1.2, 3.0], lower=[1.1, 1.4, 0.7, 1.5],
                                       upper=[2.9, 4.4, 2.1, 6.0], measure="OR")
        frame = casestats.leave_one_out(fit).to_frame()
    assert (frame["estimate"] > 1.1).all()
    assert frame["estimate"].between(1.7, 2.3).all()
