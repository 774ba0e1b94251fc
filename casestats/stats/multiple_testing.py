"""Adjusted p-values for a family of tests (as R ``p.adjust``).

Missing p-values (NaN) stay missing and are left out of the family, so a site
that could not be tested does not inflate the correction for the others. This
matches R ``p.adjust(p, method, n = sum(!is.na(p)))``, which is R's default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from casestats.stats._checks import check_choice, fail

__all__ = ["ADJUST_METHODS", "adjust_pvalues"]

#: Methods accepted by :func:`adjust_pvalues`.
ADJUST_METHODS: tuple[str, ...] = ("fdr_bh", "fdr_by", "holm", "hochberg", "hommel", "bonferroni")


def _step_up(p: np.ndarray, factors) -> np.ndarray:
    """Running minimum from the largest p-value of ``factor(rank) * p`` (BH, BY, Hochberg)."""
    m = p.size
    order = np.argsort(p, kind="stable")[::-1]
    ranks = m - np.arange(m)  # rank of each p-value in increasing order
    out = np.empty(m)
    out[order] = np.minimum(1.0, np.minimum.accumulate(factors(ranks, m) * p[order]))
    return out


def _hommel(p: np.ndarray) -> np.ndarray:
    """Hommel's (1988) adjustment, step for step as R's ``p.adjust``."""
    n = p.size
    if n == 1:
        return p.copy()
    order = np.argsort(p, kind="stable")
    p = p[order]
    i = np.arange(1, n + 1)
    q = np.full(n, np.min(n * p / i))
    pa = q.copy()
    # R loops over (n - 1):2, which for n = 2 runs upwards over 1 and 2.
    for m in range(n - 1, 1, -1) if n > 2 else (1, 2):
        i1 = np.arange(n - m + 1)
        i2 = np.arange(n - m + 1, n)
        q1 = np.min(m * p[i2] / np.arange(2, m + 1)) if i2.size else np.inf
        q[i1] = np.minimum(m * p[i1], q1)
        q[i2] = q[n - m]
        pa = np.maximum(pa, q)
    out = np.empty(n)
    out[order] = np.maximum(pa, p)
    return out


def _adjust(p: np.ndarray, method: str) -> np.ndarray:
    m = p.size
    if m == 0:
        return p.copy()
    if method == "bonferroni":
        return np.minimum(1.0, m * p)
    if method == "holm":
        order = np.argsort(p, kind="stable")
        stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
        out = np.empty(m)
        out[order] = np.minimum(1.0, stepped)
        return out
    if method == "hommel":
        return _hommel(p)
    if method == "hochberg":
        return _step_up(p, lambda ranks, m: m + 1.0 - ranks)
    if method == "fdr_by":
        harmonic = np.sum(1.0 / np.arange(1, m + 1))
        return _step_up(p, lambda ranks, m: harmonic * m / ranks)
    return _step_up(p, lambda ranks, m: m / ranks)  # fdr_bh


def adjust_pvalues(pvalues, *, method: str = "fdr_bh"):
    """Adjust p-values for multiple testing.

    Parameters
    ----------
    pvalues : array-like or pandas.Series
        P-values in [0, 1], any shape. NaN marks an untested hypothesis: it
        stays NaN and does not count towards the family size.
    method : {"fdr_bh", "fdr_by", "holm", "hochberg", "hommel", "bonferroni"}
        ``"fdr_bh"`` (default): Benjamini-Hochberg false discovery rate;
        ``"fdr_by"``: Benjamini-Yekutieli, valid under any dependence;
        ``"holm"``: Holm's step-down family-wise error rate;
        ``"hochberg"``: Hochberg's step-up and ``"hommel"``: Hommel's
        family-wise error rate (both assume independence or positive
        dependence); ``"bonferroni"``: multiply by the family size. Same results
        as R ``p.adjust`` with methods ``"BH"``, ``"BY"``, ``"holm"``,
        ``"hochberg"``, ``"hommel"`` and ``"bonferroni"``.

    Returns
    -------
    numpy.ndarray or pandas.Series
        Adjusted p-values, capped at 1, with the shape of the input; a Series
        in gives a Series out with the same index and name.

    Raises
    ------
    ValueError
        For an unknown method or p-values outside [0, 1].

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03, 0.2]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.2]
    >>> adjust_pvalues([0.01, float("nan"), 0.03], method="holm").round(4).tolist()
    [0.02, nan, 0.03]
    """
    check_choice(method, ADJUST_METHODS)
    series = pvalues if isinstance(pvalues, pd.Series) else None
    try:
        p = np.asarray(pvalues if series is None else series.to_numpy(dtype=float), dtype=float)
    except (TypeError, ValueError):
        p = None
    if p is None:  # outside the except block, so numpy's error is not chained on
        fail("pvalues", "numbers", repr(pvalues))
    present = ~np.isnan(p)
    outside = present & ((p < 0) | (p > 1))
    if np.any(outside):
        fail("pvalues", "in [0, 1]", ", ".join(repr(float(v)) for v in p[outside]))
    adjusted = np.full(p.shape, np.nan)
    adjusted[present] = _adjust(p[present], method)
    if series is not None:
        return pd.Series(adjusted, index=series.index, name=series.name)
    return adjusted
