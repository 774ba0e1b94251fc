"""One contract for every result class: tidy frame, immutability, repr, plot, inputs untouched."""

import dataclasses
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
LOGISTIC_DATA = pd.DataFrame(
    {
        "calcinosis": [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0],
        "limited": [1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1],
        "age": [50, 61, 45, 70, 39, 58, 66, 47, 52, 60, 41, 55],
    }
)


def _cases():
    return casestats.load_dataset("calcinosis_case_reports")


def _cohorts():
    return casestats.load_dataset("ssc_calcinosis_cohorts")


# name -> (builder, inputs the builder must leave untouched, has a plot)
BUILDERS = {
    "proportion": (lambda: casestats.proportion(3, 10), False),
    "multinomial": (lambda: casestats.multinomial_intervals(TABLE[0]), False),
    "compare": (lambda: casestats.compare_proportions(
        events_a=30, total_a=120, events_b=12, total_b=80), False),
    "contingency": (lambda: casestats.contingency_test(TABLE), False),
    "mantel_haenszel": (lambda: casestats.mantel_haenszel(
        events_a=EVENTS_A, total_a=TOTAL_A, events_b=EVENTS_B, total_b=TOTAL_B), False),
    "meta_or": (lambda: casestats.meta_odds_ratios(
        events_a=EVENTS_A, total_a=TOTAL_A, events_b=EVENTS_B, total_b=TOTAL_B), True),
    "meta_prop": (lambda: casestats.meta_proportions(EVENTS_A, TOTAL_A), True),
    "logistic": (lambda: casestats.logistic(
        LOGISTIC_DATA, outcome="calcinosis", predictors=["limited", "age"]), False),
    "goodness_of_fit": (lambda: casestats.goodness_of_fit(
        TABLE[0], reference=[0.5, 0.2, 0.3], n_resamples=999), False),
    "profile_test": (lambda: casestats.profile_test(
        np.eye(4)[[0, 1, 1, 2, 3, 3, 0, 2]], list("aabbaabb"), n_resamples=99), False),
    "compare_levels": (lambda: casestats.compare_levels(
        TABLE.T, [30, 20], labels=["x", "y", "z"], groups=["u", "v"]), False),
    "subtypes": (lambda: casestats.subtype_frequency(_cases()), True),
    "sites": (lambda: casestats.site_distribution(_cases(), rank="limb"), True),
    "case_association": (lambda: casestats.disease_association(_cases(), outcome="hand"), True),
    "cohort_association": (lambda: casestats.disease_association(_cohorts()), True),
}  # fmt: skip


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


@pytest.mark.parametrize("name", sorted(n for n, (_, plots) in BUILDERS.items() if plots))
def test_plot_returns_axes_and_leaves_no_figure_open(name):
    result = _build(name)
    ax = result.plot()
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(plt.get_fignums()) == 1
    plt.close(ax.figure)
    assert plt.get_fignums() == []


def test_inputs_are_not_modified():
    arrays = [a.copy() for a in (EVENTS_A, TOTAL_A, EVENTS_B, TOTAL_B)]
    frame = LOGISTIC_DATA.copy()
    for name in ("mantel_haenszel", "meta_or", "meta_prop", "logistic"):
        _build(name)
    for before, after in zip(arrays, (EVENTS_A, TOTAL_A, EVENTS_B, TOTAL_B), strict=True):
        np.testing.assert_array_equal(before, after)
    pd.testing.assert_frame_equal(frame, LOGISTIC_DATA)
    cases = _cases()
    data = cases.data
    casestats.site_distribution(cases, by="sex")
    pd.testing.assert_frame_equal(data, cases.data)
