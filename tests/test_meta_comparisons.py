"""Risk ratios, risk differences and ML odds ratios against metafor 3.8 (meta_measures.json).

The reference is ``tests/reference/reference_meta_measures.R`` (R 4.2, metafor
3.8-1): ``escalc`` + ``rma`` for the inverse-variance methods, ``rma.mh`` for
Mantel-Haenszel.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from casestats.exceptions import CasestatsWarning, SmallSampleWarning
from casestats.stats.meta_comparisons import (
    MetaRiskDifferenceResult,
    MetaRiskRatioResult,
    meta_odds_ratios,
    meta_risk_differences,
    meta_risk_ratios,
)

REFERENCE = json.loads((Path(__file__).parent / "reference" / "meta_measures.json").read_text())
MEASURES = REFERENCE["measures"]
# Closed forms (DL, MH, Q): rounding error only. REML, ML and PM iterate
# (metafor to threshold 1e-12, casestats to 1e-13).
CLOSED = 1e-10
ITERATIVE = 1e-7
TOLERANCE = {"DL": CLOSED, "REML": ITERATIVE, "PM": ITERATIVE, "ML": ITERATIVE}
FUNCTIONS = {"OR": meta_odds_ratios, "RR": meta_risk_ratios, "RD": meta_risk_differences}


def _fit(code, name, **kwargs):
    d = MEASURES[code][name]["data"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return FUNCTIONS[code](
            events_a=d["ea"], total_a=d["na"], events_b=d["eb"], total_b=d["nb"], **kwargs
        )


def _close(actual, expected, rel):
    # abs guards quantities that are exactly zero in R (tau² = 0, I² = 0).
    assert actual == pytest.approx(expected, rel=rel, abs=rel * 1e-3)


def _natural(code, value):
    return value if code == "RD" else math.log(value)


CASES = [
    (code, name, method, test)
    for code in ("RR", "RD", "OR")
    for name in sorted(MEASURES[code])
    for method in (["ML"] if code == "OR" else ["REML", "DL", "PM", "ML"])
    for test in ("z", "knha")
]


@pytest.mark.parametrize("code, name, method, test", CASES)
def test_inverse_variance_matches_rma(code, name, method, test):
    ref = MEASURES[code][name][f"{method}_{test}"]
    rel = TOLERANCE[method]
    res = _fit(code, name, method=method.lower(), hksj=test == "knha")
    assert res.measure == code
    np.testing.assert_allclose(res.yi, MEASURES[code][name]["yi"], rtol=CLOSED)
    np.testing.assert_allclose(res.vi, MEASURES[code][name]["vi"], rtol=CLOSED)
    _close(res.mu, ref["beta"], rel)
    _close(res.se, ref["se"], rel)
    _close(res.tau2, ref["tau2"], rel)
    _close(res.i2, ref["I2"], rel)
    _close(res.heterogeneity.q, ref["QE"], CLOSED)
    _close(res.heterogeneity.pvalue, ref["QEp"], CLOSED)
    for ours, theirs in ((res.ci_low, "ci_lb"), (res.ci_high, "ci_ub"),
                         (res.pi_low, "pi_lb"), (res.pi_high, "pi_ub")):  # fmt: skip
        _close(_natural(code, ours), ref[theirs], rel)
    _close(res.statistic, ref["zval"], rel)
    _close(res.pvalue, ref["pval"], rel)
    np.testing.assert_allclose(res.weights, ref["weights"], rtol=rel)


@pytest.mark.parametrize("code", ["RR", "RD"])
@pytest.mark.parametrize("name", sorted(MEASURES["RR"]))
def test_mantel_haenszel_matches_rma_mh(code, name):
    ref = MEASURES[code][name]["MH"]
    res = _fit(code, name, method="mh")
    _close(res.mu, ref["beta"], CLOSED)
    _close(res.se, ref["se"], CLOSED)
    _close(_natural(code, res.ci_low), ref["ci_lb"], CLOSED)
    _close(_natural(code, res.ci_high), ref["ci_ub"], CLOSED)
    _close(res.statistic, ref["zval"], CLOSED)
    _close(res.pvalue, ref["pval"], CLOSED)
    _close(res.heterogeneity.q, ref["QE"], CLOSED)
    _close(res.heterogeneity.pvalue, ref["QEp"], CLOSED)
    _close(res.i2, ref["I2"], CLOSED)
    assert res.heterogeneity.df == ref["k_yi"] - 1
    assert res.tau2 == 0.0


def test_double_zero_study_dropped_for_ratios_kept_for_differences():
    labels = [f"S{i}" for i in range(1, 8)]
    rr = _fit("RR", "with_double_zero", labels=labels)
    rd = _fit("RD", "with_double_zero", labels=labels)
    assert rr.excluded == ("S7",) and rr.k == 6
    assert rd.excluded == () and rd.k == 7
    assert rd.corrected[-1] and rd.yi[-1] == pytest.approx(0.5 / 31 - 0.5 / 26, rel=1e-14)
    assert "S7" in rd.to_frame()["level"].tolist()
    assert "excluded (no information on the risk ratio): S7" in str(rr)


def test_frames_name_their_measure_and_scale():
    rr, rd = _fit("RR", "heterogeneous"), _fit("RD", "heterogeneous", method="dl")
    assert isinstance(rr, MetaRiskRatioResult) and isinstance(rd, MetaRiskDifferenceResult)
    assert set(rr.to_frame()["measure"]) == {"risk_ratio"}
    assert set(rd.to_frame()["measure"]) == {"risk_difference"}
    assert rr.log_scale and not rd.log_scale
    # The risk difference stays on the identity scale, study rows included.
    frame = rd.to_frame()
    np.testing.assert_allclose(frame["estimate"].iloc[:-1], rd.yi, rtol=1e-14)
    assert frame["estimate"].iloc[-1] == rd.mu
    low, high = rd.confidence_interval(0.8)
    assert low == pytest.approx(rd.mu - 1.2815515655446004 * rd.se, rel=1e-12)
    assert high == pytest.approx(rd.mu + 1.2815515655446004 * rd.se, rel=1e-12)
    assert "risk difference" in str(rd)


def test_plots_use_a_log_axis_for_ratios_and_a_linear_one_for_differences():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = _fit("RR", "heterogeneous").plot()
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "risk ratio (log scale)"
    assert any(t.get_text().startswith("RR [95% CI]") for t in ax.texts)
    assert not any(t.get_text().startswith("OR [") for t in ax.texts)
    plt.close(ax.figure)
    ax = _fit("RD", "heterogeneous").plot()
    assert ax.get_xscale() == "linear" and ax.get_xlabel() == "risk difference"
    assert any(t.get_text().startswith("RD [95% CI]") for t in ax.texts)
    plt.close(ax.figure)


def test_mantel_haenszel_risk_ratio_of_zero_is_nan_not_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        with pytest.warns(CasestatsWarning, match="risk ratio is 0"):
            res = meta_risk_ratios(events_a=[0, 0], total_a=[10, 12], events_b=[3, 2],
                                   total_b=[10, 12], method="mh")  # fmt: skip
    assert res.estimate == 0.0
    assert math.isnan(res.ci_low) and math.isnan(res.heterogeneity.q)


@pytest.mark.parametrize("func", [meta_risk_ratios, meta_risk_differences])
def test_options_are_checked_as_for_odds_ratios(func):
    counts = {"events_a": [1, 2], "total_a": [5, 6], "events_b": [1, 0], "total_b": [5, 7]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        with pytest.raises(ValueError, match="'reml', 'dl', 'pm', 'ml', 'mh'"):
            func(**counts, method="peto")
        with pytest.raises(ValueError, match="hksj"):
            func(**counts, method="mh", hksj=True)
