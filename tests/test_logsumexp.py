"""The statistics layer's logsumexp gives scipy's bits, without scipy's per-call cost."""

import numpy as np
import pytest
from scipy import special

from casestats.stats._logsumexp import logsumexp


@pytest.mark.parametrize(
    "shape, axis", [((400,), None), ((400,), 0), ((5, 401), 1), ((3, 7), None)]
)
def test_same_bits_as_scipy(shape, axis):
    rng = np.random.default_rng(0)
    for scale in (0.1, 10.0, 1e3):
        a = rng.normal(0.0, scale, size=shape)
        a[..., :3] = a[..., :1]  # ties at the maximum are kept out of the sum together
        assert np.array_equal(logsumexp(a, axis=axis), special.logsumexp(a, axis=axis))


def test_infinite_and_empty_input_go_to_scipy():
    assert logsumexp(np.array([-np.inf, -np.inf])) == -np.inf
    assert logsumexp(np.array([0.0, np.inf])) == np.inf
    assert logsumexp(np.array([])) == -np.inf
    assert logsumexp(np.log([1.0, 2.0, 3.0])) == pytest.approx(np.log(6.0), rel=1e-15)
