"""The journal forest plot: counts, labels, favours, every pooled row, tests, the RD axis."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import casestats
from casestats.plotting import forest_plot

COUNTS = {"events_a": [30, 45, 8, 60, 5], "total_a": [120, 200, 40, 300, 22],
          "events_b": [20, 30, 9, 40, 2], "total_b": [110, 190, 38, 310, 20]}  # fmt: skip
GROUPS = ("limited", "diffuse")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def cohort():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.SmallSampleWarning)
        return casestats.disease_association(casestats.load_dataset("ssc_calcinosis_cohorts"))


def _texts(ax, gid=None):
    return [t.get_text() for t in ax.texts if gid is None or t.get_gid() == gid]


def _labels(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


def _covers_every_interval(ax, frame):
    lo, hi = ax.get_xlim()
    values = frame[["estimate", "ci_low", "ci_high", "pi_low", "pi_high"]].to_numpy(float)
    finite = values[np.isfinite(values) & ((values > 0) if ax.get_xscale() == "log" else True)]
    assert lo <= finite.min() and finite.max() <= hi


def test_cohort_plot_counts_citations_favours_and_both_pooled_rows(cohort):
    ax = cohort.plot()
    labels = _labels(ax)
    assert not any("_" in label for label in labels)  # no internal ids with underscores
    assert labels[0] == "Arch Rheumatol 2023"  # no first author on the page read: the journal
    # no authors, no year: the abstract's own number, never the id (which names a city)
    assert labels[1] == "EULAR abstract AB0690"
    assert "random effects (REML)" in labels and "Mantel-Haenszel" in labels
    assert labels.index("prediction interval") == labels.index("random effects (REML)") + 1
    texts = _texts(ax)
    assert {"limited", "diffuse", "9/115", "17/141", "17/140", "20/160"} <= set(texts)
    assert "0.89 [0.44, 1.80]" in texts  # the Mantel-Haenszel row
    # an association, not a treatment: the axis says where calcinosis is commoner (OR > 1:
    # in limited), not what is "favoured"
    assert _texts(ax, "favours") == ["← more calcinosis in diffuse", "more calcinosis in limited →"]
    assert _texts(cohort.plot(favours=("limited", "diffuse")), "favours")[0] == "← favours limited"
    (tests,) = _texts(ax, "pooled tests")
    mh = cohort.mantel_haenszel
    assert f"random effects (REML): z = {cohort.random_effects.statistic:.2f}" in tests
    assert f"CMH p = {mh.pvalue_uncorrected:.3f} ({mh.pvalue:.3f} corrected)" in tests
    assert len([p for p in ax.patches if p.get_gid() == "pooled"]) == 2
    _covers_every_interval(ax, cohort.to_frame())


def test_favours_sit_either_side_of_the_reference(cohort):
    ax = cohort.plot()
    ax.figure.canvas.draw()
    one = ax.transData.transform((1.0, 0.0))[0]
    left, right = (t.get_window_extent() for t in ax.texts if t.get_gid() == "favours")
    assert left.x1 <= one <= right.x0


def test_hksj_prints_t_with_its_df():
    res = casestats.meta_odds_ratios(**COUNTS, hksj=True, groups=GROUPS)
    ax = res.plot()
    assert _texts(ax, "pooled tests") == [f"Test for overall effect: t(4) = {res.statistic:.2f}, "
                                          f"p = {res.pvalue:.3f}"]  # fmt: skip
    assert {"limited", "diffuse", "30/120", "148/682"} <= set(_texts(ax))
    assert _texts(ax, "favours") == []  # off unless asked


def test_risk_difference_axis_is_linear_with_a_reference_at_zero():
    res = casestats.meta_risk_differences(**COUNTS, groups=GROUPS)
    ax = res.plot(favours=GROUPS)
    assert ax.get_xscale() == "linear"
    (reference,) = [line for line in ax.lines if line.get_gid() == "reference"]
    assert list(reference.get_xdata()) == [0.0, 0.0]
    assert "RD [95% CI]" in _texts(ax)
    assert "−0.04 [−0.22, 0.15]" in _texts(ax)  # a true minus sign
    frame = res.to_frame()
    _covers_every_interval(ax, frame[frame["group"].isin(["study", "pooled"])])
    lo, hi = ax.get_xlim()
    assert lo < 0 < hi


@pytest.mark.filterwarnings("ignore::casestats.SmallSampleWarning")
@pytest.mark.parametrize(("measure", "header"), [("OR", "OR"), ("RR", "RR"), ("HR", "HR")])
def test_each_measure_heads_its_column(measure, header):
    res = casestats.meta_estimates([1.5, 2.2, 0.9], lower=[1.0, 1.1, 0.5], upper=[2.3, 4.4, 1.6],
                                   measure=measure, labels=["A 2001", "B 2002", "C 2003"])
    ax = res.plot()
    assert f"{header} [95% CI]" in _texts(ax) and ax.get_xscale() == "log"
    assert "events/total" not in _texts(ax)  # reported estimates have no counts
    _covers_every_interval(ax, res.to_frame())


def test_columns_choose_the_text_columns_and_reject_unknown_names():
    res = casestats.meta_odds_ratios(**COUNTS, groups=GROUPS)
    ax = res.plot(columns=("estimate",))
    texts = _texts(ax)
    assert "OR [95% CI]" in texts and "limited" not in texts and "weight" not in texts
    with pytest.raises(ValueError, match="'counts', 'estimate', 'weight'"):
        res.plot(columns=("counts", "p"))


def test_margins_stay_fixed_when_the_figure_is_resized():
    ax = casestats.meta_odds_ratios(**COUNTS, groups=GROUPS).plot()
    fig = ax.figure
    widths = []
    for mm in (85, 175):
        fig.set_size_inches(mm / 25.4, fig.get_size_inches()[1])
        fig.canvas.draw()
        box = ax.get_position()
        widths.append(box.x0 * mm / 25.4)  # left margin in inches
    assert widths[0] == pytest.approx(widths[1])


def test_favours_needs_two_texts():
    frame = pd.DataFrame({"group": ["study"], "level": ["A"], "estimate": [1.0],
                          "ci_low": [0.5], "ci_high": [2.0]})  # fmt: skip
    with pytest.raises(ValueError, match="two texts"):
        forest_plot(frame, favours=("limited",))


def test_small_cmh_p_values_print_as_below_a_thousandth():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.SmallSampleWarning)
        aca = casestats.disease_association(casestats.load_dataset("ssc_calcinosis_cohorts"),
                                            exposure="aca", groups=("positive", "negative"))
    (tests,) = _texts(aca.plot(), "pooled tests")
    assert "CMH p < 0.001 (< 0.001 corrected)" in tests and "0.000" not in tests


# ---------------------------------------------------------------- subgroups
SUB_COUNTS = {"events_a": [12, 30, 5, 40, 3, 22, 9],
              "total_a": [60, 90, 50, 150, 25, 80, 40],
              "events_b": [10, 8, 9, 10, 0, 15, 6],
              "total_b": [70, 85, 48, 160, 20, 75, 44]}  # fmt: skip
SUB_LABELS = ["Smith 2001", "Lee 2005", "Garcia 2009", "Müller 2012", "Tanaka 2015",
              "Rossi 2018", "Silva 2021"]  # fmt: skip
SUB_BY = ["radiograph", "examination", "radiograph", "examination", "radiograph",
          "examination", "examination"]  # fmt: skip


def _subgroups(**kwargs):
    res = casestats.meta_odds_ratios(**SUB_COUNTS, labels=SUB_LABELS, groups=GROUPS,
                                     **kwargs.pop("meta", {}))  # fmt: skip
    return casestats.subgroup_analysis(res, SUB_BY, **kwargs)


def test_subgroup_plot_rows_run_by_subgroup_then_overall():
    sub = _subgroups()
    ax = sub.plot()
    assert _labels(ax) == [
        "radiograph", "Smith 2001", "Garcia 2009", "Tanaka 2015", "Subtotal (k = 3, I² = 42%)",
        "examination", "Lee 2005", "Müller 2012", "Rossi 2018", "Silva 2021",
        "Subtotal (k = 4, I² = 60%)", "random effects (REML)", "prediction interval",
    ]  # fmt: skip
    # one lighter diamond per subgroup at its subtotal row, the overall diamond filled
    diamonds = [p for p in ax.patches if p.get_gid() == "subgroup pooled"]
    assert len(diamonds) == 2 and len([p for p in ax.patches if p.get_gid() == "pooled"]) == 1
    ys = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)}
    for diamond, name, j in zip(diamonds, ("Subtotal (k = 3, I² = 42%)",
                                           "Subtotal (k = 4, I² = 60%)"), (0, 1), strict=True):
        xy = diamond.get_xy()
        assert xy[:, 1].mean() == pytest.approx(ys[name])
        assert xy[:, 0].min() == pytest.approx(sub.ci_low[j])
        assert xy[:, 0].max() == pytest.approx(sub.ci_high[j])
    # the squares sit on the study rows, in subgroup order
    squares = next(c for c in ax.collections if c.get_gid() == "studies").get_offsets()
    assert list(squares[:, 1]) == [ys[name] for name in ("Smith 2001", "Garcia 2009",
                                   "Tanaka 2015", "Lee 2005", "Müller 2012", "Rossi 2018",
                                   "Silva 2021")]  # fmt: skip
    texts = _texts(ax)
    assert f"{sub.estimate[0]:.2f} [{sub.ci_low[0]:.2f}, {sub.ci_high[0]:.2f}]" in texts


def test_subgroup_plot_prints_the_test_for_differences_and_its_approach():
    sub = _subgroups()
    (text,) = _texts(sub.plot(), "subgroup differences")
    assert text.replace("\n    ", " ") == (
        f"Test for subgroup differences (separate τ² per subgroup): Q = {sub.q_between:.2f}, "
        f"df = 1, p = {sub.q_between_pvalue:.3f}")  # fmt: skip
    common = _subgroups(tau2="common", meta={"hksj": True})
    (text,) = _texts(common.plot(), "subgroup differences")
    assert text.startswith(f"Test for subgroup differences (common τ²): F(1, {common.df}) = ")
    # the overall test and heterogeneity stay
    overall = common.overall
    (tests,) = _texts(common.plot(), "pooled tests")
    assert tests.startswith(f"Test for overall effect: t(6) = {overall.statistic:.2f}")


@pytest.mark.parametrize("mm", [85, 175])
def test_subgroup_plot_text_stays_clear_of_the_data_and_inside_the_figure(mm):
    columns = ("estimate",) if mm == 85 else ("counts", "estimate", "weight")
    ax = _subgroups().plot(favours=GROUPS, columns=columns)
    fig = ax.figure
    fig.set_size_inches(mm / 25.4, fig.get_size_inches()[1])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box, page = ax.get_window_extent(renderer), fig.bbox
    for label in ax.get_yticklabels():
        extent = label.get_window_extent(renderer)
        assert extent.x1 <= box.x0 and extent.x0 >= page.x0 - 0.5
    for text in ax.texts:
        extent = text.get_window_extent(renderer)
        assert page.x0 - 0.5 <= extent.x0 and extent.x1 <= page.x1 + 0.5, text.get_text()
        assert extent.y0 >= page.y0 - 0.5, text.get_text()
        if text.get_gid() in ("heterogeneity", "pooled tests", "subgroup differences", "favours"):
            assert extent.y1 <= box.y0, text.get_text()  # under the axes
        elif text.get_gid() is None and extent.y0 < box.y1 - 1:  # column texts on a row
            assert extent.x1 <= box.x0 + 0.5 or extent.x0 >= box.x1 - 0.5, text.get_text()


def test_forest_plot_needs_a_subgroup_for_every_study_once_some_have_one():
    frame = pd.DataFrame({"group": ["study", "study"], "level": ["A 2001", "B 2002"],
                          "estimate": [1.0, 2.0], "ci_low": [0.5, 1.0], "ci_high": [2.0, 4.0],
                          "subgroup": ["x", None]})  # fmt: skip
    with pytest.raises(ValueError, match=r"missing for \['B 2002'\]"):
        forest_plot(frame)


@pytest.mark.parametrize("mm", [85, 120, 175])
def test_risk_difference_tick_labels_do_not_touch_at_any_journal_width(mm):
    res = casestats.meta_risk_differences(**COUNTS, groups=GROUPS)
    ax = res.plot(favours=GROUPS, columns=("estimate",) if mm == 85 else _COLUMNS_ALL)
    fig = ax.figure
    fig.set_size_inches(mm / 25.4, fig.get_size_inches()[1])
    fig.canvas.draw()
    lo, hi = ax.get_xlim()
    shown = [t for t, x in zip(ax.get_xticklabels(), ax.get_xticks(), strict=True)
             if lo <= x <= hi and t.get_text()]  # fmt: skip
    assert shown, "at least the reference is marked"
    boxes = sorted((t.get_window_extent() for t in shown), key=lambda b: b.x0)
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert right.x0 - left.x1 >= 2.0  # pixels at 100 dpi
    if mm == 175:
        assert len(shown) >= 3


_COLUMNS_ALL = ("counts", "estimate", "weight")


def test_favours_and_direction_are_one_idea_given_once(cohort):
    with pytest.raises(ValueError, match="not both"):
        cohort.plot(favours=("a", "b"), direction=("c", "d"))


def test_a_proportion_axis_is_fitted_to_the_data():
    import casestats

    with pytest.warns(casestats.SmallSampleWarning):
        res = casestats.meta_proportions([6, 31, 60], [142, 154, 120], labels=["a", "b", "c"])
    ax = res.plot()
    lo, hi = ax.get_xlim()
    frame = res.to_frame()
    top = np.nanmax(frame[["ci_high", "pi_high"]].to_numpy(float))
    # the axis ends at the first 10 % step past every interval, not at 100 %
    assert lo == 0.0 and top < hi <= top + 0.12 and hi < 1.0
    _covers_every_interval(ax, frame)
