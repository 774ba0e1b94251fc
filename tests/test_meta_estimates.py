"""Generic inverse-variance pooling of reported estimates against metafor 3.8.

Reference: ``tests/reference/reference_meta_measures.R`` (R 4.2, metafor 3.8-1),
``rma(yi = log(estimate), sei = SE from the 95% CI or as reported)``.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from casestats.exceptions import SmallSampleWarning
from casestats.stats.meta_estimates import meta_estimates

GEN = json.loads((Path(__file__).parent / "reference" / "meta_measures.json").read_text())[
    "generic"
]
CLOSED = 1e-10
ITERATIVE = 1e-7
TOLERANCE = {"DL": CLOSED, "REML": ITERATIVE, "PM": ITERATIVE, "ML": ITERATIVE}


def _reported(**kwargs):
    d = GEN["data"]
    return meta_estimates(d["estimate"], lower=d["lower"], upper=d["upper"], se=d["se"], **kwargs)


def _close(actual, expected, rel):
    assert actual == pytest.approx(expected, rel=rel, abs=rel * 1e-3)


def _check(res, ref, rel, log=True):
    back = math.log if log else (lambda x: x)
    _close(res.mu, ref["beta"], rel)
    _close(res.se, ref["se"], rel)
    _close(res.tau2, ref["tau2"], rel)
    _close(res.i2, ref["I2"], rel)
    _close(res.heterogeneity.q, ref["QE"], CLOSED)
    _close(back(res.ci_low), ref["ci_lb"], rel)
    _close(back(res.ci_high), ref["ci_ub"], rel)
    _close(back(res.pi_low), ref["pi_lb"], rel)
    _close(back(res.pi_high), ref["pi_ub"], rel)
    _close(res.statistic, ref["zval"], rel)
    _close(res.pvalue, ref["pval"], rel)
    np.testing.assert_allclose(res.weights, ref["weights"], rtol=rel)


@pytest.mark.parametrize("method", ["REML", "DL", "PM", "ML"])
@pytest.mark.parametrize("test", ["z", "knha"])
def test_reported_odds_ratios_match_rma(method, test):
    res = _reported(method=method.lower(), hksj=test == "knha")
    _check(res, GEN[f"{method}_{test}"], TOLERANCE[method])
    assert res.measure == "GEN" and res.effect_measure == "OR"
    np.testing.assert_allclose(res.yi, GEN["yi"], rtol=CLOSED)
    np.testing.assert_allclose(res.vi, GEN["vi"], rtol=CLOSED)
    assert res.inputs == ("95% CI",) * 5 + ("SE",)


def test_level_of_the_reported_interval_is_used():
    d = GEN["data"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        res = meta_estimates(d["estimate"][:5], lower=d["lower"][:5], upper=d["upper"][:5],
                             ci_level=0.9, method="dl")  # fmt: skip
    _check(res, GEN["ci90_DL_z"], CLOSED)
    assert res.inputs == ("90% CI",) * 5


def test_reported_risk_differences_pool_on_the_identity_scale():
    d = GEN["rd"]["data"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        res = meta_estimates(d["estimate"], lower=d["lower"], upper=d["upper"], measure="RD")
    _check(res, GEN["rd"], ITERATIVE, log=False)
    assert not res.log_scale and res.scale == "risk difference"


def test_result_says_what_was_pooled():
    res = _reported(labels=[f"Registry {c}" for c in "ABCDEF"])
    text = str(res)
    assert "reported odds ratios: 5 from their 95% CI, 1 from its SE (no counts)" in text
    frame = res.to_frame()
    assert frame["method"].tolist()[:6] == ["reported-ci"] * 5 + ["reported-se"]
    assert set(frame["measure"]) == {"odds_ratio"}
    assert "1 from its SE" in frame["note"].iloc[-1]
    assert res.events == () and res.total == ()
    assert res.study_estimate[0] == 2.1


def test_every_bad_row_is_reported_at_once():
    with pytest.raises(ValueError) as info:
        meta_estimates(
            [2.0, -1.0, 3.0, 1.5, 2.0],
            lower=[1.0, 0.5, 3.5, None, 1.0],
            upper=[4.0, 2.0, 6.0, None, 4.0],
            se=[None, None, None, None, -0.2],
        )
    message = str(info.value)
    assert "row 1 (study 2): estimate must be positive, got -1.0" in message
    assert "row 2 (study 3): lower < estimate < upper" in message
    assert "row 3 (study 4): needs se, or both lower and upper" in message
    assert "row 4 (study 5): se must be positive" in message


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"measure": "SMD"}, "'OR', 'RR', 'HR', 'RD'"),
        ({"method": "mh"}, "'reml', 'dl', 'pm', 'ml'"),
        ({"ci_level": 95}, "ci_level must be a number strictly between 0 and 1"),
        ({"lower": [1.0]}, "lower must be one value per study"),
    ],
)
def test_bad_options_raise(kwargs, message):
    args = {"lower": [1.0, 1.0, 1.0, 1.0, 1.0], "upper": [4.0] * 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        meta_estimates([2.0] * 5, **args)
