"""disease_association pools cohorts on the measure asked for, and the report says why
small-study and influence diagnostics are or are not shown."""

import warnings

import pytest

import casestats
from casestats.reporting.sections import _diagnostics_text

MINE = {"study": ["Leeds 2011", "Lyon 2014", "Lund 2019"], "events_a": [12, 9, 15],
        "total_a": [40, 35, 52], "events_b": [5, 6, 7], "total_b": [30, 33, 41]}  # fmt: skip
ARMS = {k: MINE[k] for k in ("events_a", "total_a", "events_b", "total_b")}


def _own(measure):
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.SmallSampleWarning)
        return casestats.disease_association(pd.DataFrame(MINE), groups=("limited", "diffuse"),
                                             measure=measure)  # fmt: skip


@pytest.mark.parametrize(("measure", "pool"), [
    ("risk_ratio", casestats.meta_risk_ratios),
    ("risk_difference", casestats.meta_risk_differences),
])
def test_measure_pools_by_random_effects_and_mantel_haenszel_on_that_scale(measure, pool):
    res = _own(measure)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.SmallSampleWarning)
        random = pool(**ARMS, labels=MINE["study"])
        mh = pool(**ARMS, labels=MINE["study"], method="mh")
    # the stats layer is checked against metafor in test_meta_comparisons; here the wiring
    assert res.random_effects.estimate == random.estimate
    frame = res.to_frame().set_index("level")
    assert frame.loc["Mantel-Haenszel", "estimate"] == mh.estimate
    assert frame.loc["Mantel-Haenszel", "measure"] == measure
    # the CMH test of no association stays, whatever the measure
    assert frame.loc["Mantel-Haenszel", "pvalue"] == res.mantel_haenszel.pvalue
    abbreviation = {"risk_ratio": "RR", "risk_difference": "RD"}[measure]
    assert f"pooled {abbreviation} (Mantel-Haenszel) {mh.estimate:.3g}" in str(res)
    assert res.plot().get_xscale() == ("log" if measure == "risk_ratio" else "linear")


def test_odds_ratio_stays_the_default_and_unknown_measures_list_the_allowed():
    assert _own("odds_ratio").mantel_haenszel_pooled is None
    with pytest.raises(ValueError, match="'odds_ratio', 'risk_ratio', 'risk_difference'"):
        _own("RR")


def test_report_explains_missing_diagnostics_below_ten_studies_and_runs_them_from_ten():
    res = _own("odds_ratio").random_effects
    assert "not shown: 3 studies are pooled" in _diagnostics_text(res)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.SmallSampleWarning)
        twelve = casestats.meta_odds_ratios(
            events_a=[12, 30, 5, 40, 3, 22, 9, 14, 7, 25, 11, 6],
            total_a=[60, 90, 50, 150, 25, 80, 40, 70, 30, 100, 55, 28],
            events_b=[10, 8, 9, 10, 1, 15, 6, 9, 4, 12, 7, 5],
            total_b=[70, 85, 48, 160, 20, 75, 44, 66, 33, 98, 50, 30])  # fmt: skip
        egger = casestats.egger_test(twelve)
    text = _diagnostics_text(twelve)
    assert f"Egger's test {egger.statistic:.2f}" in text and "(12 studies)" in text
