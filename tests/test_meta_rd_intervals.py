"""Miettinen-Nurminen risk difference interval against an independent R implementation.

Reference: tests/reference/reference_mn_interval.R, written from Miettinen & Nurminen
(1985, Stat Med 4:213-226): the restricted MLE as the root of the profile score
equation (uniroot), the variance times N / (N - 1), the limits by uniroot; frozen in
tests/reference/mn_interval.json. casestats solves the restricted MLE in closed form
(a cubic), so the two share only the definition. Tolerance 1e-6 (iterative on both
sides; observed agreement is about 1e-15).
"""

import json
from pathlib import Path

import numpy as np
import pytest

from casestats import compare_proportions

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "mn_interval.json").read_text()
)["miettinen_nurminen"]


def _id(ref):
    return "-".join(map(str, ref["counts"])) + f"@{ref['confidence_level']:g}"


@pytest.mark.parametrize("ref", REFERENCE, ids=_id)
def test_miettinen_nurminen_matches_independent_r(ref):
    a, n_a, c, n_b = ref["counts"]
    res = compare_proportions(events_a=a, total_a=n_a, events_b=c, total_b=n_b,
                              risk_difference_method="miettinen-nurminen",
                              confidence_level=ref["confidence_level"])  # fmt: skip
    assert res.risk_difference == pytest.approx(ref["estimate"], abs=1e-12)
    np.testing.assert_allclose(tuple(res.risk_difference_ci),
                               (ref["ci_low"], ref["ci_high"]), rtol=0, atol=1e-6)  # fmt: skip


def test_reference_covers_newcombe_1998_examples():
    # The eight contrasts of Newcombe (1998, Stat Med 17:873-890) Table II, (a)-(h),
    # including the zero-count and all-events edges, are in the frozen output.
    tables = {tuple(r["counts"]) for r in REFERENCE}
    newcombe = {(56, 70, 48, 80), (9, 10, 3, 10), (6, 7, 2, 7), (5, 56, 0, 29),
                (0, 10, 0, 20), (0, 10, 0, 10), (10, 10, 0, 20), (10, 10, 0, 10)}  # fmt: skip
    assert newcombe <= tables
