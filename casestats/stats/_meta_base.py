"""The common part of the meta-analysis results and of the pooling functions.

:class:`_MetaResult` holds what every pooled analysis reports (the pooled
estimate on the natural scale, its analysis-scale ``mu`` and ``se``, the test,
the prediction interval, heterogeneity, and the study-level ``yi``/``vi`` in
metafor's ``measure`` codes); the pooling modules
(:mod:`~casestats.stats.meta_analysis`, :mod:`~casestats.stats.meta_comparisons`,
:mod:`~casestats.stats.meta_estimates`) subclass it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from casestats.exceptions import SmallSampleWarning
from casestats.results import ConfidenceInterval, Result
from casestats.stats._checks import check_confidence_level
from casestats.stats._meta_input import back_transform
from casestats.stats._tau2 import Pooled
from casestats.stats._twobytwo import Heterogeneity

METHOD_NAMES = {
    "glmm": "binomial-normal GLMM (ML, adaptive quadrature)",
    "reml": "REML",
    "dl": "DerSimonian-Laird",
    "pm": "Paule-Mandel",
    "ml": "ML",
    "mh": "Mantel-Haenszel",
}


@dataclass(frozen=True, eq=False, repr=False)
class _MetaResult(Result):
    """Common part of the meta-analysis results (natural-scale estimates)."""

    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    confidence_level: float
    mu: float
    se: float
    statistic: float
    pvalue: float
    heterogeneity: Heterogeneity
    method: str
    hksj: bool
    method_label: str
    method_description: str
    labels: tuple[str, ...]
    events: tuple[int, ...]
    total: tuple[int, ...]
    study_estimate: tuple[float, ...]
    study_ci_low: tuple[float, ...]
    study_ci_high: tuple[float, ...]
    weights: tuple[float, ...]
    measure: str
    yi: tuple[float, ...]
    vi: tuple[float, ...]

    scale = ""

    @property
    def k(self) -> int:
        """Number of studies pooled."""
        return len(self.labels)

    @property
    def tau2(self) -> float:
        """Between-study variance on the analysis (logit or log) scale."""
        return self.heterogeneity.tau2

    @property
    def i2(self) -> float:
        """I² in percent."""
        return self.heterogeneity.i2

    def _crit(self, level: float) -> float:
        # Knapp-Hartung uses t(k - 1) for both intervals; everything else the normal.
        if self.hksj and self.k > 1:
            return float(stats.t.isf((1 - level) / 2, self.k - 1))
        return float(stats.norm.isf((1 - level) / 2))

    @property
    def effect_code(self) -> str:
        """The measure ``mu`` and ``yi`` are on: "PLO" (logits), "OR", "RR", "HR" (logs), "RD"."""
        return self.measure

    @property
    def log_scale(self) -> bool:
        """Whether ``mu`` and ``yi`` are logs (or logits) of the natural-scale estimate."""
        return self.effect_code != "RD"

    def _back(self, value):
        return back_transform(self.effect_code)(value)

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Interval of the pooled estimate (natural scale), recomputed at any level."""
        if confidence_level is None:
            return ConfidenceInterval(self.ci_low, self.ci_high)
        half = self._crit(check_confidence_level(confidence_level)) * self.se
        return ConfidenceInterval(
            float(self._back(self.mu - half)), float(self._back(self.mu + half))
        )

    def prediction_interval(self) -> ConfidenceInterval:
        """Interval expected to hold the true effect of a new study (natural scale)."""
        return ConfidenceInterval(self.pi_low, self.pi_high)

    def plot(self, ax=None, **kwargs):
        """Forest plot of the studies and the pooled estimate; returns the Axes.

        Ratios are drawn on a log axis, risk differences on a linear axis with
        a reference at 0, proportions on a 0-100 % axis; the counts of each arm,
        the prediction interval and the pooled test (z, or t under
        Knapp-Hartung) are shown. Keywords go to
        :func:`casestats.plotting.forest_plot` (``favours``, ``labels``...).
        """
        from casestats.plotting import forest_plot

        frame = self.to_frame()
        return forest_plot(
            frame[frame["group"].isin(["study", "pooled"])],
            scale=self.scale,
            heterogeneity="Heterogeneity: " + self.heterogeneity.text(),
            ax=ax,
            **kwargs,
        )

    def _study_method(self, i: int) -> str:
        raise NotImplementedError

    def _study_values(self, i: int) -> dict:
        return {
            "estimate": self.study_estimate[i],
            "ci_low": self.study_ci_low[i],
            "ci_high": self.study_ci_high[i],
            "confidence_level": self.confidence_level,
            "method": self._study_method(i),
            "weight": self.weights[i],
        }

    def _pooled_values(self) -> dict:
        het = self.heterogeneity
        return {
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "confidence_level": self.confidence_level,
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "method": self.method,
            "weight": 100.0,
            "pi_low": self.pi_low,
            "pi_high": self.pi_high,
            "tau2": het.tau2,
            "i2": het.i2,
            "q": het.q,
            "q_df": het.df,
            "q_pvalue": het.pvalue,
            "note": self.method_description,
        }

    def _test_text(self) -> str:
        name = f"t (df = {self.k - 1})" if self.hksj and self.k > 1 else "z"
        return f"{name} = {self.statistic:.3g}, p = {self.pvalue:.3g}"

    def _summary_lines(self) -> list[str]:
        pct = f"{100 * self.confidence_level:g}%"
        return [
            f"Meta-analysis of {self.k} {'study' if self.k == 1 else 'studies'} "
            f"({self.scale}): {self.method_description}",
            f"  pooled {self.scale} = {self.estimate:.4g}, {pct} CI "
            f"{self.ci_low:.4g} to {self.ci_high:.4g}; {self._test_text()}",
            f"  prediction interval {self.pi_low:.4g} to {self.pi_high:.4g}",
            f"  {self.heterogeneity.text()}",
        ]


POOLED_EXTRA = ["weight", "pi_low", "pi_high", "tau2", "i2", "q", "q_df", "q_pvalue", "note"]


def warn_small(k: int, stacklevel: int = 3) -> None:
    if k < 5:
        warnings.warn(
            f"only {k} {'study' if k == 1 else 'studies'}: tau² and the prediction interval "
            "are very imprecise with fewer than 5 studies",
            SmallSampleWarning,
            stacklevel=stacklevel,
        )


def pooled_test(pooled: Pooled, k: int, hksj: bool) -> tuple[float, float]:
    """z (or t with k - 1 df under Knapp-Hartung) of the pooled estimate being 0, and p."""
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = float(pooled.mu / pooled.se)
    if not math.isfinite(statistic):
        return math.nan, math.nan
    if hksj and k > 1:
        return statistic, float(2 * stats.t.sf(abs(statistic), k - 1))
    return statistic, float(2 * stats.norm.sf(abs(statistic)))


def pooled_fields(pooled: Pooled, back, k: int, hksj: bool) -> dict:
    """The result fields of the pooled estimate, back-transformed by `back`."""
    mu, se = pooled.mu, pooled.se
    half_pi = pooled.pi_crit * math.sqrt(se**2 + pooled.tau2)
    statistic, pvalue = pooled_test(pooled, k, hksj)
    return {
        "estimate": float(back(mu)),
        "ci_low": float(back(mu - pooled.crit * se)),
        "ci_high": float(back(mu + pooled.crit * se)),
        "pi_low": float(back(mu - half_pi)),
        "pi_high": float(back(mu + half_pi)),
        "mu": float(mu),
        "se": float(se),
        "statistic": statistic,
        "pvalue": pvalue,
        "weights": tuple(float(e) for e in pooled.weights),
    }

