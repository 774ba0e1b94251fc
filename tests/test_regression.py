"""Tests of casestats.stats.regression against R glm and a Firth reference (pooling.json)."""

from __future__ import annotations

import dataclasses
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from casestats.exceptions import SeparationWarning
from casestats.results import TIDY_COLUMNS
from casestats.stats.regression import LogisticResult, logistic

REFERENCE = json.loads((Path(__file__).parent / "reference" / "pooling.json").read_text())
ML = REFERENCE["logistic_ml"]
SEPARATED = REFERENCE["logistic_firth_separated"]
FORCED = REFERENCE["logistic_firth_forced"]
AGE_SEPARATED = REFERENCE["logistic_firth_complete_age"]
ML_DATA = pd.DataFrame(ML["data"])
SEP_DATA = pd.DataFrame(SEPARATED["data"])

# glm ran with epsilon 1e-14 and the profile limits by uniroot to 1e-13:
# both sides are converged iterations, so 1e-8 leaves room for the last digits.
ITERATIVE = 1e-8
# The Firth reference maximises the penalised likelihood with BFGS
# (reltol 1e-15) inside uniroot (tol 1e-12): a looser optimiser than Newton.
FIRTH = 1e-6
# MASS::confint interpolates a spline on a grid of the profile.
MASS_GRID = 2e-3


def _fit(**kwargs) -> LogisticResult:
    return logistic(ML_DATA, outcome="calcinosis", predictors=["lcssc", "age", "aca"], **kwargs)


def test_maximum_likelihood_matches_glm():
    res = _fit()
    assert not res.firth and not res.separation
    assert res.terms == tuple(ML["terms"])
    np.testing.assert_allclose(res.coef, ML["coef"], rtol=ITERATIVE)
    np.testing.assert_allclose(res.se, ML["se"], rtol=ITERATIVE)
    np.testing.assert_allclose(res.pvalue, ML["wald_p"], rtol=ITERATIVE)
    np.testing.assert_allclose(np.log(res.ci_low), ML["profile_low"], rtol=ITERATIVE)
    np.testing.assert_allclose(np.log(res.ci_high), ML["profile_high"], rtol=ITERATIVE)
    np.testing.assert_allclose(np.log(res.ci_low), ML["mass_confint_low"], rtol=MASS_GRID)
    np.testing.assert_allclose(np.log(res.ci_high), ML["mass_confint_high"], rtol=MASS_GRID)
    assert res.loglik == pytest.approx(ML["loglik"], rel=1e-12)


def test_separation_switches_to_firth_and_matches_reference():
    with pytest.warns(SeparationWarning, match="Firth"):
        res = logistic(SEP_DATA, outcome="calcinosis", predictors=["ulcers", "age"])
    assert res.firth and res.separation
    assert "separation detected" in res.reason
    # Maximum likelihood drifts to a huge coefficient and SE (R's glm: ml_se_ulcers);
    # Firth's estimate is finite with a modest SE.
    with pytest.warns(SeparationWarning):
        ml = logistic(SEP_DATA, outcome="calcinosis", predictors=["ulcers", "age"], firth=False)
    assert ml.se[1] > 1000 and res.se[1] < 10
    np.testing.assert_allclose(res.coef, SEPARATED["coef"], rtol=FIRTH)
    np.testing.assert_allclose(res.se, SEPARATED["se"], rtol=FIRTH)
    np.testing.assert_allclose(np.log(res.ci_low), SEPARATED["profile_low"], rtol=FIRTH)
    np.testing.assert_allclose(np.log(res.ci_high), SEPARATED["profile_high"], rtol=FIRTH)
    np.testing.assert_allclose(res.pvalue, SEPARATED["lr_p"], rtol=FIRTH)
    assert res.loglik == pytest.approx(SEPARATED["penalised_loglik"], rel=FIRTH)


def test_firth_under_complete_separation_by_an_uncentred_covariate():
    # The linear predictor reaches ~40 here: p * (1 - p) weights underflowed to a
    # singular information matrix (LinAlgError) before the weights used expit(-eta).
    data = pd.DataFrame(AGE_SEPARATED["data"])
    with pytest.warns(SeparationWarning, match="Firth"):
        res = logistic(data, outcome="calcinosis", predictors=["age"])
    assert res.firth and res.separation
    # Both sides are Newton/brglm2 fits and root finding at 1e-12 on a tiny problem.
    tight = 1e-10
    np.testing.assert_allclose(res.coef, AGE_SEPARATED["coef"], rtol=tight)
    np.testing.assert_allclose(res.se, AGE_SEPARATED["se"], rtol=tight)
    np.testing.assert_allclose(np.log(res.ci_low), AGE_SEPARATED["profile_low"], rtol=tight)
    np.testing.assert_allclose(np.log(res.ci_high), AGE_SEPARATED["profile_high"], rtol=tight)
    np.testing.assert_allclose(res.pvalue, AGE_SEPARATED["lr_p"], rtol=tight)
    assert res.loglik == pytest.approx(AGE_SEPARATED["penalised_loglik"], rel=tight)


def test_firth_on_request_without_separation():
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeparationWarning)
        res = _fit(firth=True)
    assert res.firth and not res.separation
    assert "requested" in res.reason
    np.testing.assert_allclose(res.coef, FORCED["coef"], rtol=FIRTH)
    np.testing.assert_allclose(np.log(res.ci_low), FORCED["profile_low"], rtol=FIRTH)
    np.testing.assert_allclose(np.log(res.ci_high), FORCED["profile_high"], rtol=FIRTH)
    np.testing.assert_allclose(res.pvalue, FORCED["lr_p"], rtol=FIRTH)


def test_firth_false_keeps_ml_and_says_it_is_unreliable():
    with pytest.warns(SeparationWarning):
        res = logistic(SEP_DATA, outcome="calcinosis", predictors=["ulcers"], firth=False)
    assert not res.firth and res.separation
    assert "unreliable" in res.reason
    assert np.isnan(res.ci_low[1])


def test_to_frame_and_repr():
    res = _fit()
    frame = res.to_frame()
    assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert frame["level"].tolist() == ["(Intercept)", "lcssc", "age", "aca"]
    assert frame["estimate"].tolist() == pytest.approx(np.exp(ML["coef"]).tolist(), rel=1e-8)
    assert (frame["ci_low"] < frame["estimate"]).all()
    assert (frame["method"] == "ml").all()
    assert res.method_description.startswith("maximum likelihood")
    low, high = res.confidence_interval()
    assert low["lcssc"] == res.ci_low[1] and high["lcssc"] == res.ci_high[1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.firth = True
    assert "no separation detected" in str(res)


@pytest.mark.parametrize("firth", [False, True])
def test_confidence_interval_recomputes_profile_limits_at_another_level(firth):
    # Built at 0.5 and asked at 0.95, the limits must match R's 0.95 profile limits.
    ref = FORCED if firth else ML
    res = _fit(firth=firth, confidence_level=0.5)
    low, high = res.confidence_interval(0.95)
    assert low.index.tolist() == ref["terms"]
    rtol = FIRTH if firth else ITERATIVE
    np.testing.assert_allclose(np.log(low), ref["profile_low"], rtol=rtol)
    np.testing.assert_allclose(np.log(high), ref["profile_high"], rtol=rtol)


def test_text_predictor_is_treatment_coded_and_missing_rows_dropped():
    data = ML_DATA.assign(
        subset=np.where(ML_DATA["lcssc"] == 1, "limited", "diffuse").astype(object)
    )
    data.loc[0, "age"] = np.nan
    res = logistic(data, outcome="calcinosis", predictors=["subset", "age"])
    assert res.terms == ("(Intercept)", "subset[T.limited]", "age")
    assert res.n == 59 and res.n_dropped == 1
    reference = logistic(data.dropna(), outcome="calcinosis", predictors=["lcssc", "age"])
    assert res.coef[1] == pytest.approx(reference.coef[1], rel=1e-10)


def test_input_is_not_modified():
    before = ML_DATA.copy()
    _fit()
    pd.testing.assert_frame_equal(ML_DATA, before)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"outcome": "age", "predictors": ["lcssc"]}, "0/1"),
        ({"outcome": "calcinosis", "predictors": ["sex"]}, "not in data"),
        ({"outcome": "calcinosis", "predictors": ["lcssc"], "firth": "yes"}, "'auto', True, False"),
        ({"outcome": "calcinosis", "predictors": []}, "at least one"),
        ({"outcome": "calcinosis", "predictors": ["lcssc", "lcssc2"]}, "collinear"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    data = ML_DATA.assign(lcssc2=2 * ML_DATA["lcssc"])
    with pytest.raises(ValueError, match=message):
        logistic(data, **kwargs)
