"""One contract for every result class: tidy frame and dtypes, confidence_interval at any
level, one-line repr and multi-line summary, plot(**kwargs), immutability, inputs untouched."""

import dataclasses
import math
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import casestats
from casestats.results import TIDY_COLUMNS, Result

EVENTS_A = np.array([30, 45, 8, 60, 5])
TOTAL_A = np.array([120, 200, 40, 300, 22])
EVENTS_B = np.array([12, 20, 3, 25, 1])
TOTAL_B = np.array([80, 150, 35, 180, 18])
TABLE = np.array([[12, 5, 9], [4, 8, 2]])
SPARSE = np.array([[2, 7, 3], [1, 4, 2], [5, 0, 6]])
LOGISTIC_DATA = pd.DataFrame(
    {
        "calcinosis": [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0],
        "limited": [1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1],
        "age": [50, 61, 45, 70, 39, 58, 66, 47, 52, 60, 41, 55],
    }
)
ARRAYS = (EVENTS_A, TOTAL_A, EVENTS_B, TOTAL_B, TABLE, SPARSE)


def _cases():
    return casestats.load_dataset("calcinosis_case_reports")


def _cohorts():
    return casestats.load_dataset("ssc_calcinosis_cohorts")


def _two_arms(**kwargs):
    return dict(events_a=EVENTS_A, total_a=TOTAL_A, events_b=EVENTS_B, total_b=TOTAL_B, **kwargs)


# name -> (builder, has a plot)
BUILDERS = {
    "proportion": (lambda: casestats.proportion(3, 10), False),
    "multinomial": (lambda: casestats.multinomial_intervals(TABLE[0]), True),
    "multinomial_sison_glaz": (lambda: casestats.multinomial_intervals([5, 8, 2, 9, 4, 6, 3]),
                               True),
    "compare": (lambda: casestats.compare_proportions(
        events_a=30, total_a=120, events_b=12, total_b=80, groups=("lcSSc", "dcSSc")), True),
    "contingency": (lambda: casestats.contingency_test(TABLE), False),
    "contingency_monte_carlo": (lambda: casestats.contingency_test(SPARSE, n_resamples=2000),
                                False),
    "mantel_haenszel": (lambda: casestats.mantel_haenszel(**_two_arms()), True),
    "meta_or": (lambda: casestats.meta_odds_ratios(**_two_arms()), True),
    "meta_or_hksj": (lambda: casestats.meta_odds_ratios(**_two_arms(hksj=True)), True),
    "meta_or_mh": (lambda: casestats.meta_odds_ratios(**_two_arms(method="mh")), True),
    "meta_prop": (lambda: casestats.meta_proportions(EVENTS_A, TOTAL_A), True),
    "heterogeneity_intervals": (lambda: casestats.heterogeneity_intervals(
        casestats.meta_odds_ratios(**_two_arms(method="dl"))), False),
    "subgroups": (lambda: casestats.subgroup_analysis(
        casestats.meta_odds_ratios(**_two_arms()), ["x", "y", "x", "y", "x"]), True),
    "subgroups_common": (lambda: casestats.subgroup_analysis(
        casestats.meta_odds_ratios(**_two_arms()), ["x", "y", "x", "y", "x"], tau2="common"),
        True),
    "meta_regression": (lambda: casestats.meta_regression(
        casestats.meta_odds_ratios(**_two_arms(hksj=True)), {"year": [1990, 1995, 2001, 2010,
                                                                      2020]}), True),
    "leave_one_out": (lambda: casestats.leave_one_out(casestats.meta_proportions(
        EVENTS_A, TOTAL_A, method="reml")), True),
    "egger": (lambda: casestats.egger_test(casestats.meta_odds_ratios(**_two_arms())), True),
    "trim_and_fill": (lambda: casestats.trim_and_fill(casestats.meta_odds_ratios(**_two_arms())),
                      True),
    "logistic": (lambda: casestats.logistic(
        LOGISTIC_DATA, outcome="calcinosis", predictors=["limited", "age"]), True),
    "goodness_of_fit": (lambda: casestats.goodness_of_fit(
        TABLE[0], reference=[0.5, 0.2, 0.3], method="monte-carlo", n_resamples=999), False),
    "profile_test": (lambda: casestats.profile_test(
        np.eye(4)[[0, 1, 1, 2, 3, 3, 0, 2]], list("aabbaabb"), n_resamples=99), False),
    "compare_levels": (lambda: casestats.compare_levels(
        TABLE.T, [30, 20], labels=["x", "y", "z"], groups=["u", "v"]), False),
    "subtypes": (lambda: casestats.subtype_frequency(_cases()), True),
    "sites": (lambda: casestats.site_distribution(_cases(), rank="limb"), True),
    "case_association": (lambda: casestats.disease_association(_cases(), outcome="hand"), True),
    "cohort_association": (lambda: casestats.disease_association(_cohorts()), True),
}  # fmt: skip


STATS = sorted(BUILDERS)
INTEGER_COLUMNS = ("events", "total")
FLOAT_COLUMNS = ("estimate", "ci_low", "ci_high", "confidence_level", "statistic", "pvalue",
                 "pvalue_adjusted")  # fmt: skip


def _build(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.CasestatsWarning)
        return BUILDERS[name][0]()


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_tidy_frame_repr_and_immutability(name):
    result = _build(name)
    assert isinstance(result, Result)
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame)
    assert list(frame.columns[: len(TIDY_COLUMNS)]) == list(TIDY_COLUMNS)
    text = repr(result)
    assert isinstance(text, str) and text and "object at 0x" not in text
    field = dataclasses.fields(result)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, field, None)


@pytest.mark.parametrize("name", STATS)
def test_tidy_dtypes(name):
    frame = _build(name).to_frame()
    for column in INTEGER_COLUMNS:
        assert pd.api.types.is_integer_dtype(frame[column]), (column, frame[column].dtype)
    for column in FLOAT_COLUMNS:
        assert pd.api.types.is_float_dtype(frame[column]), (column, frame[column].dtype)
    methods = frame["method"].dropna()
    assert len(methods) and all(isinstance(m, str) for m in methods)
    # method is the short token: no spaces, no prose.
    assert all(" " not in m for m in methods), sorted(set(methods))
    assert not {"a", "b"} & set(frame["group"].dropna()), "arms are named, never a/b"


def _width(interval):
    low, high = interval
    return np.asarray(high, dtype=float) - np.asarray(low, dtype=float)


@pytest.mark.parametrize("name", STATS)
def test_confidence_interval_at_any_level(name):
    result = _build(name)
    stored = result.confidence_interval()
    assert type(stored).__name__ == "ConfidenceInterval"
    level = getattr(result, "confidence_level", 0.95)
    again = result.confidence_interval(level)
    for got, expected in zip(again, stored, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-9)
    if isinstance(stored.low, pd.Series):
        assert isinstance(stored.high, pd.Series)
        assert stored.low.index.equals(stored.high.index)
        assert stored.low.dtype == float
    else:
        assert isinstance(stored.low, float) and isinstance(stored.high, float)
    narrow = _width(result.confidence_interval(0.8))
    wide = _width(stored)
    finite = np.isfinite(wide) & (wide > 0)
    assert finite.any() or name == "contingency"  # an exact p-value has no sampling error
    assert np.all(narrow[finite] < wide[finite])
    with pytest.raises(ValueError, match="confidence_level must be"):
        result.confidence_interval(95)


@pytest.mark.parametrize("name", STATS)
def test_repr_is_one_line_and_summary_is_a_report(name):
    result = _build(name)
    assert "\n" not in repr(result) and repr(result).startswith(type(result).__name__ + "(")
    assert len(repr(result)) < 200
    summary = result.summary()
    assert summary == str(result) and summary.count("\n") >= 1


@pytest.mark.parametrize("name", sorted(n for n, (_, plots) in BUILDERS.items() if plots))
def test_plot_returns_axes_and_leaves_no_figure_open(name):
    result = _build(name)
    kwargs = {"color": "C3"}
    ax = result.plot(**kwargs)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(plt.get_fignums()) == 1
    plt.close(ax.figure)
    assert plt.get_fignums() == []
    _, given = plt.subplots()
    assert result.plot(ax=given, **kwargs) is given
    plt.close(given.figure)


def test_every_stats_result_class_is_covered():
    import casestats.stats.contingency as contingency
    import casestats.stats.heterogeneity as heterogeneity
    import casestats.stats.intervals as intervals
    import casestats.stats.meta_analysis as meta_analysis
    import casestats.stats.meta_regression as meta_regression
    import casestats.stats.regression as regression
    import casestats.stats.small_study as small_study
    import casestats.stats.stratified as stratified
    import casestats.stats.subgroups as subgroups

    # influence.InfluenceResult has no interval: tests/test_meta_diagnostics.py checks the rest.
    classes = {
        obj
        for module in (contingency, heterogeneity, intervals, meta_analysis, meta_regression,
                       regression, small_study, stratified, subgroups)
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Result) and not obj.__name__.startswith("_")
        and obj.__module__ == module.__name__
    }  # fmt: skip
    built = {type(_build(name)) for name in STATS}
    assert classes <= built, sorted(c.__name__ for c in classes - built)


def test_inputs_are_not_modified():
    arrays = [a.copy() for a in ARRAYS]
    frame = LOGISTIC_DATA.copy()
    for name in STATS:
        _build(name)
    for before, after in zip(arrays, ARRAYS, strict=True):
        np.testing.assert_array_equal(before, after)
    pd.testing.assert_frame_equal(frame, LOGISTIC_DATA)
    cases = _cases()
    data = cases.data
    casestats.site_distribution(cases, by="sex")
    pd.testing.assert_frame_equal(data, cases.data)


def test_nan_stays_float():
    # A pooled OR of 0 has no interval: NaN, still a float column.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.CasestatsWarning)
        res = casestats.mantel_haenszel(
            events_a=[0, 0], total_a=[10, 12], events_b=[3, 2], total_b=[10, 12]
        )
    assert math.isnan(res.confidence_interval(0.8).low)
    assert pd.api.types.is_float_dtype(res.to_frame()["ci_low"])
