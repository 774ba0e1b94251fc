"""casestats.stats.multiple_testing against R p.adjust (tests/reference/core.json)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casestats.stats.multiple_testing import ADJUST_METHODS, adjust_pvalues

CORE = json.loads((Path(__file__).parent / "reference" / "core.json").read_text())


def _floats(values):
    values = values if isinstance(values, list) else [values]
    return np.array([np.nan if v in ("NA", "NaN") else v for v in values], dtype=float)


@pytest.mark.parametrize("case", CORE["p_adjust"], ids=lambda c: str(len(_floats(c["p"]))))
@pytest.mark.parametrize("method", ADJUST_METHODS)
def test_matches_r_p_adjust(case, method):
    # Products and running minima of the inputs: exact up to rounding.
    got = adjust_pvalues(_floats(case["p"]), method=method)
    np.testing.assert_allclose(got, _floats(case[method]), rtol=1e-12, equal_nan=True)


def test_series_keeps_index_and_nan():
    p = pd.Series(
        [0.01, np.nan, 0.04, 0.03], index=["finger", "elbow", "knee", "forearm"], name="p"
    )
    out = adjust_pvalues(p, method="holm")
    assert isinstance(out, pd.Series)
    assert out.index.equals(p.index) and out.name == "p"
    assert np.isnan(out["elbow"])
    # the family has three members, not four
    np.testing.assert_allclose(out[["finger", "knee", "forearm"]], [0.03, 0.06, 0.06])
    assert np.isnan(p["elbow"]) and p["finger"] == 0.01  # input untouched


def test_shape_is_kept():
    p = np.array([[0.01, 0.2], [0.03, 0.04]])
    out = adjust_pvalues(p, method="bonferroni")
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[0.04, 0.8], [0.12, 0.16]])


def test_empty_and_all_nan():
    assert adjust_pvalues([]).shape == (0,)
    assert np.isnan(adjust_pvalues([np.nan, np.nan])).all()


@pytest.mark.parametrize("bad", [[0.1, 1.2], [-0.01], ["a"]])
def test_invalid_pvalues(bad):
    with pytest.raises(ValueError):
        adjust_pvalues(bad)


def test_unknown_method_lists_allowed():
    with pytest.raises(ValueError, match="fdr_bh"):
        adjust_pvalues([0.1], method="BH")


@settings(max_examples=200, deadline=None)
@given(
    p=st.lists(st.floats(0, 1), min_size=1, max_size=30),
    method=st.sampled_from(ADJUST_METHODS),
)
def test_properties(p, method):
    p = np.array(p)
    out = adjust_pvalues(p, method=method)
    assert np.all((out >= p - 1e-15) & (out <= 1))
    # adjustment keeps the order of the p-values
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(out[order]) >= -1e-15)
