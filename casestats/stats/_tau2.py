"""Inverse-variance pooling: tau² estimators, Cochran's Q, I² and the pooled estimate.

Shared by the meta-analyses of proportions (observed logits) and of odds ratios
(log odds ratios). ``y`` holds the study estimates, ``v`` their within-study
variances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

# Iterative tau² estimators stop when a step changes tau² by less than this.
_TAU2_TOL = 1e-13
_MAX_ITER = 1000


def _weighted_mean(y, w):
    return float((w * y).sum() / w.sum())


def _cochran_q(y, v):
    w = 1.0 / v
    mu = _weighted_mean(y, w)
    return float((w * (y - mu) ** 2).sum())


def _tau2_dl(y, v):
    k = y.size
    w = 1.0 / v
    q = _cochran_q(y, v)
    c = w.sum() - (w**2).sum() / w.sum()
    # Truncated at zero: statsmodels 0.15 combine_effects(method_re="dl")
    # is not, which yields negative weights and a NaN standard error.
    return max(0.0, (q - (k - 1)) / c)


def _tau2_pm(y, v):
    k = y.size

    def excess(tau2):
        return _cochran_q(y, v + tau2) - (k - 1)

    if excess(0.0) <= 0:
        return 0.0
    upper = max(1.0, float(np.var(y, ddof=1)))
    while excess(upper) > 0:
        upper *= 2
    return float(optimize.brentq(excess, 0.0, upper, xtol=1e-15, rtol=4 * np.finfo(float).eps))


def _tau2_likelihood(y, v, *, restricted: bool):
    """(RE)ML tau² by Fisher scoring, truncated at zero, as metafor iterates it."""
    tau2 = max(0.0, float(np.var(y, ddof=1)) - float(v.mean()))
    for _ in range(_MAX_ITER):
        w = 1.0 / (v + tau2)
        sw, sw2 = w.sum(), (w**2).sum()
        mu = (w * y).sum() / sw
        ypy = (w**2 * (y - mu) ** 2).sum()
        if restricted:
            trace_p = sw - sw2 / sw
            trace_pp = sw2 - 2 * (w**3).sum() / sw + sw2**2 / sw**2
            step = (ypy - trace_p) / trace_pp
        else:
            step = (ypy - sw) / sw2
        new = max(0.0, tau2 + step)
        if abs(new - tau2) < _TAU2_TOL * (1 + tau2):
            return new
        tau2 = new
    raise RuntimeError("tau² iteration did not converge")


def _tau2(y, v, method: str) -> float:
    if y.size == 1:
        return 0.0
    if method == "dl":
        return _tau2_dl(y, v)
    if method == "pm":
        return _tau2_pm(y, v)
    return _tau2_likelihood(y, v, restricted=method == "reml")


def i2(tau2, v):
    """Higgins-Thompson I² (percent) from the typical within-study variance, as metafor."""
    k = v.size
    if k < 2:
        return 0.0
    w = 1.0 / v
    typical = (k - 1) * w.sum() / (w.sum() ** 2 - (w**2).sum())
    return float(100 * tau2 / (typical + tau2))


def cochran_q_test(y, v):
    """Cochran's Q from the inverse-variance fixed-effect fit, its df and p."""
    k = y.size
    if k < 2:
        return 0.0, 0, float("nan")
    q = _cochran_q(y, v)
    return q, k - 1, float(stats.chi2.sf(q, k - 1))


@dataclass
class Pooled:
    mu: float
    se: float
    tau2: float
    crit: float
    pi_crit: float
    weights: np.ndarray
    note: str = ""


def iv_pool(y, v, method, hksj, level) -> Pooled:
    tau2 = _tau2(y, v, method)
    w = 1.0 / (v + tau2)
    mu = _weighted_mean(y, w)
    se = float(np.sqrt(1.0 / w.sum()))
    z = float(stats.norm.isf((1 - level) / 2))
    crit = pi_crit = z
    note = ""
    k = y.size
    if hksj and k > 1:
        # Knapp-Hartung without the ad hoc truncation of the scale factor (as metafor).
        se = float(np.sqrt((w * (y - mu) ** 2).sum() / ((k - 1) * w.sum())))
        crit = pi_crit = float(stats.t.isf((1 - level) / 2, k - 1))
        note = f", Knapp-Hartung (t, df = {k - 1})"
    elif hksj:
        note = ", Knapp-Hartung not applicable to one study"
    return Pooled(mu, se, tau2, crit, pi_crit, 100 * w / w.sum(), note)
