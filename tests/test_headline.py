"""The README's headline numbers: the flagship pooled estimates, checked against R.

The reference values (tests/reference/headline.json) come from metafor on the bundled cohort
counts (tests/reference/reference_headline.R). Three things must hold: the dataset still holds
the counts R was given, casestats reproduces R's estimates, and the README prints them rounded.
"""

import csv
import json
import warnings
from pathlib import Path

import pytest

import casestats

ROOT = Path(__file__).resolve().parents[1]
R = json.loads((ROOT / "tests" / "reference" / "headline.json").read_text(encoding="utf-8"))
README = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
# REML and the GLMM are iterative fits: agreement to about 1e-6 relative is what both converge to.
RTOL = 1e-6


def _rows() -> dict[str, dict[str, str]]:
    path = ROOT / "datasets" / "ssc_calcinosis_cohorts" / "cohorts.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["cohort_id"]: row for row in csv.DictReader(handle)}


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.CasestatsWarning)
        return function(*args, **kwargs)


@pytest.mark.parametrize("name", ["limited_vs_diffuse", "aca_positive_vs_negative"])
def test_the_dataset_holds_the_counts_r_was_given(name):
    rows = _rows()
    for study in R[name]["data"]:
        row = rows[study["cohort_id"]]
        counts = [int(row[c]) for c in ("events_exposed", "total_exposed",
                                         "events_comparator", "total_comparator")]  # fmt: skip
        assert counts == [study["ai"], study["n1i"], study["ci"], study["n2i"]]


def test_the_dataset_holds_the_prevalence_counts_r_was_given():
    rows = _rows()
    for study in R["prevalence"]["data"]:
        row = rows[study["cohort_id"]]
        assert [int(row["events_exposed"]), int(row["total_exposed"])] == [study["xi"], study["ni"]]


def _pooled(name):
    cohorts = casestats.load_dataset("ssc_calcinosis_cohorts")
    if name == "limited_vs_diffuse":
        return _quiet(casestats.disease_association, cohorts)
    return _quiet(
        casestats.disease_association, cohorts, exposure="aca", groups=("positive", "negative")
    )


@pytest.mark.parametrize("name", ["limited_vs_diffuse", "aca_positive_vs_negative"])
def test_pooled_odds_ratios_match_metafor(name):
    result = _pooled(name)
    pooled = result.studies[["events_a", "total_a", "events_b", "total_b"]].to_numpy().tolist()
    assert sorted(pooled) == sorted([s["ai"], s["n1i"], s["ci"], s["n2i"]] for s in R[name]["data"])
    re, mh = result.random_effects, result.mantel_haenszel
    reml, rmh = R[name]["reml"], R[name]["mh"]
    assert re.estimate == pytest.approx(reml["estimate"], rel=RTOL)
    assert (re.ci_low, re.ci_high) == pytest.approx((reml["ci_low"], reml["ci_high"]), rel=RTOL)
    assert re.heterogeneity.i2 == pytest.approx(reml["I2"], rel=RTOL)  # both in percent
    assert mh.estimate == pytest.approx(rmh["estimate"], rel=1e-10)  # closed form
    ci = mh.confidence_interval()
    assert (ci.low, ci.high) == pytest.approx((rmh["ci_low"], rmh["ci_high"]), rel=1e-10)


def test_pooled_prevalence_matches_rma_glmm():
    data = R["prevalence"]["data"]
    result = _quiet(
        casestats.meta_proportions, [s["xi"] for s in data], [s["ni"] for s in data]
    )
    assert result.method == "glmm"
    ref = R["prevalence"]
    assert result.estimate == pytest.approx(ref["estimate"], rel=RTOL)
    # the interval comes from each side's numerical Hessian (lme4's and casestats'): with seven
    # studies they agree to 5e-7 on the proportion scale, within the 1e-6 for iterative fits
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (ref["ci_low"], ref["ci_high"]), abs=1e-6
    )


def _or(x: float, digits: int) -> str:
    return f"{x:.{digits}f}"


def test_the_readme_prints_the_r_values():
    ssc, aca, prev = R["limited_vs_diffuse"], R["aca_positive_vs_negative"], R["prevalence"]
    expected = [
        "pooled OR (REML) {} ({}-{}), I² = {:.0f}%".format(
            *(_or(ssc["reml"][k], 2) for k in ("estimate", "ci_low", "ci_high")), ssc["reml"]["I2"]
        ),
        "Mantel-Haenszel {} ({}-{})".format(
            *(_or(ssc["mh"][k], 2) for k in ("estimate", "ci_low", "ci_high"))
        ),
        "OR {} ({}-{}), MH {} ({}-{})".format(
            *(_or(aca["reml"][k], 1) for k in ("estimate", "ci_low", "ci_high")),
            *(_or(aca["mh"][k], 1) for k in ("estimate", "ci_low", "ci_high")),
        ),
        "{:.1f}% ({:.1f}-{:.1f}%)".format(
            *(100 * prev[k] for k in ("estimate", "ci_low", "ci_high"))
        ),
    ]
    for text in expected:
        assert text in README, text
