"""Adjusted p-values for a family of tests (as R ``p.adjust``).

Missing p-values (NaN) stay missing and are left out of the family, so a site
that could not be tested does not inflate the correction for the others. This
matches R ``p.adjust(p, method, n = sum(!is.na(p)))``, which is R's default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ADJUST_METHODS", "adjust_pvalues"]

#: Methods accepted by :func:`adjust_pvalues`.
ADJUST_METHODS: tuple[str, ...] = ("fdr_bh", "holm", "bonferroni")


def _adjust(p: np.ndarray, method: str) -> np.ndarray:
    m = p.size
    if m == 0:
        return p.copy()
    if method == "bonferroni":
        return np.minimum(1.0, m * p)
    if method == "holm":
        order = np.argsort(p, kind="stable")
        factors = m - np.arange(m)
        stepped = np.maximum.accumulate(factors * p[order])
    else:  # fdr_bh: step up from the largest p-value
        order = np.argsort(p, kind="stable")[::-1]
        ranks = m - np.arange(m)
        stepped = np.minimum.accumulate(m / ranks * p[order])
    out = np.empty(m)
    out[order] = np.minimum(1.0, stepped)
    return out


def adjust_pvalues(pvalues, *, method: str = "fdr_bh"):
    """Adjust p-values for multiple testing.

    Parameters
    ----------
    pvalues : array-like or pandas.Series
        P-values in [0, 1], any shape. NaN marks an untested hypothesis: it
        stays NaN and does not count towards the family size.
    method : {"fdr_bh", "holm", "bonferroni"}
        ``"fdr_bh"`` (default): Benjamini-Hochberg false discovery rate;
        ``"holm"``: Holm's step-down family-wise error rate;
        ``"bonferroni"``: multiply by the family size. Same results as R
        ``p.adjust`` with methods ``"BH"``, ``"holm"`` and ``"bonferroni"``.

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
    if method not in ADJUST_METHODS:
        raise ValueError(
            f"unknown method {method!r}; allowed: {', '.join(map(repr, ADJUST_METHODS))}"
        )
    series = pvalues if isinstance(pvalues, pd.Series) else None
    try:
        p = np.asarray(pvalues if series is None else series.to_numpy(dtype=float), dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"pvalues must be numbers: {err}") from None
    present = ~np.isnan(p)
    outside = present & ((p < 0) | (p > 1))
    if np.any(outside):
        raise ValueError(f"p-values must lie in [0, 1], got {p[outside][0]!r}")
    adjusted = np.full(p.shape, np.nan)
    adjusted[present] = _adjust(p[present], method)
    if series is not None:
        return pd.Series(adjusted, index=series.index, name=series.name)
    return adjusted
