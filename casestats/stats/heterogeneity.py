"""Confidence intervals for tau², tau, I² and H² by the Q-profile method.

The generalised Q statistic ``Q(tau²) = sum (yi - mu(tau²))² / (vi + tau²)``
(residuals of the weighted fit, ``mu`` re-estimated at each tau²) follows a
chi-square distribution with ``k - p`` df at the true tau² and decreases in
tau²; the interval holds the tau² values where it lies between the two
quantiles (Viechtbauer 2007, Stat Med 26:37-52), as ``metafor::confint`` does
for ``rma.uni`` fits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import check_confidence_level
from casestats.stats._meta_input import iv_studies
from casestats.stats.meta_regression import MetaRegressionResult, _weighted_projection

__all__ = ["HeterogeneityIntervalResult", "heterogeneity_intervals"]

_PARAMETERS = ("tau2", "tau", "i2", "h2")


def _generalised_q(tau2, y, v, X) -> float:
    proj, _ = _weighted_projection(1.0 / (v + tau2), X)
    return float(y @ proj @ y)


def q_profile(y, v, X, tau2_hat: float, level: float) -> tuple[float, float, str]:
    """The Q-profile interval of tau² and a note when a bound sits at the search limit."""
    k, p = X.shape
    upper_limit = max(100.0, 10 * tau2_hat)  # metafor's default search range [0, 100 or 10 tau²]
    crit_high = float(stats.chi2.isf((1 - level) / 2, k - p))
    crit_low = float(stats.chi2.ppf((1 - level) / 2, k - p))
    q_at_0 = _generalised_q(0.0, y, v, X)
    q_at_max = _generalised_q(upper_limit, y, v, X)
    note = ""

    def root(target):
        return float(optimize.brentq(lambda t: _generalised_q(t, y, v, X) - target, 0.0,
                                     upper_limit, xtol=1e-14, rtol=4 * np.finfo(float).eps))

    if q_at_0 < crit_low:
        # Even tau² = 0 fits too well: the interval is empty; metafor reports {0, 0}.
        return 0.0, 0.0, "the interval is empty (Q at tau² = 0 is below its lower quantile)"
    if q_at_max > crit_low:
        high, note = upper_limit, f"the upper bound is beyond the search limit {upper_limit:g}"
    else:
        high = root(crit_low)
    if q_at_max > crit_high:
        return upper_limit, upper_limit, f"both bounds are beyond the search limit {upper_limit:g}"
    low = 0.0 if q_at_0 < crit_high else root(crit_high)
    return low, high, note


@dataclass(frozen=True, eq=False, repr=False)
class HeterogeneityIntervalResult(Result):
    """tau², tau, I² (percent) and H² with their Q-profile confidence intervals.

    Attributes
    ----------
    tau2, tau, i2, h2 : float
        The fit's estimates; ``*_low`` and ``*_high`` their bounds, also in
        ``to_frame()`` (one row per parameter).
    typical_variance : float
        The typical within-study variance that turns tau² into I² and H².
    k, df : int
        Studies and the Q-profile's degrees of freedom (``k - p``).
    note : str
        Says when the interval is empty or a bound hit the search limit.
    """

    tau2: float
    tau2_low: float
    tau2_high: float
    typical_variance: float
    confidence_level: float
    method: str
    k: int
    df: int
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    design: tuple[tuple[float, ...], ...]
    note: str = ""

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    @property
    def i2(self) -> float:
        return 100 * self.tau2 / (self.typical_variance + self.tau2)

    @property
    def h2(self) -> float:
        return 1 + self.tau2 / self.typical_variance

    def _from_tau2(self, low: float, high: float) -> dict[str, tuple[float, float, float]]:
        vt = self.typical_variance
        return {
            "tau2": (self.tau2, low, high),
            "tau": (self.tau, math.sqrt(low), math.sqrt(high)),
            "i2": (self.i2, 100 * low / (vt + low), 100 * high / (vt + high)),
            "h2": (self.h2, 1 + low / vt, 1 + high / vt),
        }

    def _bounds(self, level: float):
        if level == self.confidence_level:
            return self.tau2_low, self.tau2_high
        X = np.asarray(self.design)
        low, high, _ = q_profile(np.asarray(self.yi), np.asarray(self.vi), X, self.tau2, level)
        return low, high

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Q-profile intervals of tau², tau, I² and H² (Series indexed by parameter)."""
        level = self.confidence_level if confidence_level is None else confidence_level
        values = self._from_tau2(*self._bounds(check_confidence_level(level)))
        index = pd.Index(_PARAMETERS, name="parameter")
        return ConfidenceInterval(pd.Series([values[p][1] for p in _PARAMETERS], index=index),
                                  pd.Series([values[p][2] for p in _PARAMETERS], index=index))

    def to_frame(self) -> pd.DataFrame:
        """One ``heterogeneity`` row per parameter: tau2, tau, i2 (percent), h2."""
        values = self._from_tau2(self.tau2_low, self.tau2_high)
        rows = [{"group": "heterogeneity", "level": name, "estimate": values[name][0],
                 "ci_low": values[name][1], "ci_high": values[name][2],
                 "confidence_level": self.confidence_level, "method": "q-profile",
                 "df": self.df, "note": self.note or None}
                for name in _PARAMETERS]  # fmt: skip
        frame = tidy_frame(rows, extra=["df", "note"])
        frame["df"] = frame["df"].astype("int64")
        return frame

    def _repr_fields(self) -> dict:
        return {"tau2": self.tau2, "tau2_low": self.tau2_low, "tau2_high": self.tau2_high,
                "i2": self.i2, "k": self.k}  # fmt: skip

    def _summary_lines(self) -> list[str]:
        pct = f"{100 * self.confidence_level:g}%"
        values = self._from_tau2(self.tau2_low, self.tau2_high)
        names = {"tau2": "tau²", "tau": "tau", "i2": "I² (%)", "h2": "H²"}
        lines = [f"Heterogeneity of {self.k} studies, tau² by {self.method.upper()}; "
                 f"{pct} Q-profile intervals (df = {self.df})"]  # fmt: skip
        lines += [f"  {names[p]:<7} {values[p][0]:.4g}  ({values[p][1]:.4g} to {values[p][2]:.4g})"
                  for p in _PARAMETERS]  # fmt: skip
        if self.note:
            lines.append(f"  note: {self.note}")
        return lines


def heterogeneity_intervals(
    result, *, confidence_level: float | None = None
) -> HeterogeneityIntervalResult:
    """Q-profile confidence intervals for tau², tau, I² and H².

    Parameters
    ----------
    result : MetaProportionResult, MetaOddsRatioResult or MetaRegressionResult
        An inverse-variance fit (any tau² method); for a meta-regression the
        interval is for the residual tau². GLMM and Mantel-Haenszel fits are
        refused: the Q-profile needs the inverse-variance model.
    confidence_level : float, optional
        The result's level by default.

    Returns
    -------
    HeterogeneityIntervalResult

    Notes
    -----
    As ``confint(rma(...))`` in metafor (``type = "QP"``): the point estimate is
    the fit's tau² (whatever its estimator), the bounds solve
    ``Q(tau²) = chi²_{k-p}`` quantiles on ``[0, max(100, 10 tau²)]``; a lower
    bound below zero is 0, and when even ``Q(0)`` falls below the lower
    quantile both bounds are 0 (the interval is empty; ``note`` says so).
    I² and H² follow from the bounds of tau² through the typical within-study
    variance, so they carry the same coverage.

    Examples
    --------
    >>> from casestats import meta_odds_ratios
    >>> res = meta_odds_ratios(
    ...     events_a=[12, 30, 5, 40, 3, 22], total_a=[60, 90, 50, 150, 25, 80],
    ...     events_b=[10, 8, 9, 10, 0, 15], total_b=[70, 85, 48, 160, 20, 75])
    >>> ci = heterogeneity_intervals(res)
    >>> round(ci.tau2, 4), round(ci.tau2_low, 4), round(ci.tau2_high, 4)
    (0.6395, 0.0786, 5.564)
    """
    if isinstance(result, MetaRegressionResult):
        y, v = np.asarray(result.yi), np.asarray(result.vi)
        X = np.asarray(result.design)
        tau2, method = result.tau2, result.method
        level = check_confidence_level(
            result.confidence_level if confidence_level is None else confidence_level)
    else:
        studies = iv_studies(result, "heterogeneity_intervals", confidence_level)
        y, v, X = studies.y, studies.v, np.ones((studies.k, 1))
        tau2, method, level = float(result.tau2), studies.method, studies.level
    k, p = X.shape
    if k - p < 1:
        raise ValueError(f"the Q-profile needs more studies than coefficients; got k = {k}")
    p0, _ = _weighted_projection(1.0 / v, X)
    low, high, note = q_profile(y, v, X, tau2, level)
    return HeterogeneityIntervalResult(
        tau2=float(tau2), tau2_low=low, tau2_high=high,
        typical_variance=float((k - p) / np.trace(p0)), confidence_level=level, method=method,
        k=k, df=k - p, yi=tuple(map(float, y)), vi=tuple(map(float, v)),
        design=tuple(tuple(map(float, row)) for row in X), note=note,
    )  # fmt: skip
