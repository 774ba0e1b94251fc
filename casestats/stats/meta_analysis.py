"""Random-effects meta-analysis of proportions and of odds ratios.

Proportions are pooled on the logit scale, by default with a binomial-normal
generalised linear mixed model (GLMM) fitted by maximum likelihood; odds
ratios on the log scale by inverse-variance random-effects methods or the
Mantel-Haenszel fixed-effect estimator. Heterogeneity is reported as tau²
(truncated at zero), I², and Cochran's Q with its p-value, in one
:class:`~casestats.stats._twobytwo.Heterogeneity`. The inverse-variance
machinery lives in :mod:`casestats.stats._tau2`, the GLMM in
:mod:`casestats.stats._glmm`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from casestats.exceptions import CasestatsWarning, SmallSampleWarning
from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import (
    check_choice,
    check_confidence_level,
    check_events_total,
    check_groups,
    check_labels,
    fail,
    two_arm_counts,
    zero_cell_corrected,
)
from casestats.stats._glmm import glmm_fit
from casestats.stats._tau2 import Pooled, cochran_q_test, i2, iv_pool
from casestats.stats._twobytwo import (
    DEFAULT_GROUPS,
    LAYOUT_EXTRA,
    Heterogeneity,
    nullable_integers,
    table_row,
)
from casestats.stats.intervals import proportion_interval
from casestats.stats.stratified import mantel_haenszel

__all__ = [
    "MetaOddsRatioResult",
    "MetaProportionResult",
    "meta_odds_ratios",
    "meta_proportions",
]

PROPORTION_METHODS = ("glmm", "reml", "dl", "pm", "ml")
ODDS_RATIO_METHODS = ("reml", "dl", "pm", "mh")
_METHOD_NAMES = {
    "glmm": "binomial-normal GLMM (ML, adaptive quadrature)",
    "reml": "REML",
    "dl": "DerSimonian-Laird",
    "pm": "Paule-Mandel",
    "ml": "ML",
    "mh": "Mantel-Haenszel",
}


# --------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------


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

    def _back(self, value):
        return special.expit(value) if self.scale == "proportion" else np.exp(value)

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
        """Forest plot of the studies and the pooled estimate; returns the Axes."""
        from casestats.plotting import forest_plot

        frame = self.to_frame()
        return forest_plot(
            frame[frame["group"].isin(["study", "pooled"])],
            scale=self.scale,
            heterogeneity=self.heterogeneity.text(),
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


_POOLED_EXTRA = ["weight", "pi_low", "pi_high", "tau2", "i2", "q", "q_df", "q_pvalue", "note"]


@dataclass(frozen=True, eq=False, repr=False)
class MetaProportionResult(_MetaResult):
    """Pooled proportion from a random-effects meta-analysis on the logit scale.

    Attributes
    ----------
    estimate, ci_low, ci_high : float
        Pooled proportion and its interval (back-transformed from the logit).
    pi_low, pi_high : float
        Prediction interval for the proportion in a new study.
    mu, se : float
        Pooled logit and its standard error.
    statistic, pvalue : float
        z-test of a pooled logit of 0 (t with k - 1 df under Knapp-Hartung), as metafor.
    heterogeneity : Heterogeneity
        tau² (logit scale), I² in percent and Cochran's Q from the
        inverse-variance fixed-effect fit, its df and p (also ``tau2``, ``i2``).
    method : str
        ``"glmm"``, ``"reml"``, ``"dl"``, ``"pm"`` or ``"ml"``; ``method_label``
        names the pooled row and ``method_description`` says it in words.
    labels : tuple of str
        Study labels; ``events`` and ``total`` the counts per study.
    weights : tuple of float
        Study weights in percent (see :func:`meta_proportions`).
    measure : str
        What was pooled, in metafor's codes: ``"PLO"`` here (logit of a
        proportion); ``"OR"``, ``"RR"``, ``"RD"`` or ``"GEN"`` (generic) for
        the other meta-analysis results.
    yi, vi : tuple of float
        The analysis-scale study estimates (here the observed logits, 0.5
        added in studies with 0 or all events) and their sampling variances,
        for exactly the studies pooled, in ``labels`` order.
    """

    scale = "proportion"

    def _study_method(self, i: int) -> str:
        return "clopper-pearson"

    def to_frame(self) -> pd.DataFrame:
        """Forest-plot frame: one ``study`` row per study, then the ``pooled`` row."""
        rows = [
            {"group": "study", "level": label, "events": self.events[i],
             "total": self.total[i], **self._study_values(i)}
            for i, label in enumerate(self.labels)
        ]  # fmt: skip
        rows.append({"group": "pooled", "level": self.method_label, "events": sum(self.events),
                     "total": sum(self.total), **self._pooled_values()})  # fmt: skip
        return nullable_integers(tidy_frame(rows, extra=_POOLED_EXTRA), names=("q_df",))


@dataclass(frozen=True, eq=False, repr=False)
class MetaOddsRatioResult(_MetaResult):
    """Pooled odds ratio (arm a vs arm b) across studies.

    Attributes as :class:`MetaProportionResult`, on the odds-ratio scale
    (``mu`` is the pooled log odds ratio, ``statistic`` tests log OR = 0,
    ``measure`` is ``"OR"``, ``yi`` and ``vi`` the log odds ratios and their
    variances, 0.5 added to every cell of studies with a zero cell);
    plus the arm-b counts, the arms' names ``groups``, which studies had 0.5
    added to their cells (``corrected``) and the labels of studies excluded
    for having no information on the odds ratio.
    """

    events_b: tuple[int, ...] = ()
    total_b: tuple[int, ...] = ()
    groups: tuple[str, str] = DEFAULT_GROUPS
    corrected: tuple[bool, ...] = ()
    excluded: tuple[str, ...] = ()

    scale = "odds ratio"

    def _study_method(self, i: int) -> str:
        return "wald-haldane" if self.corrected[i] else "wald"

    def to_frame(self) -> pd.DataFrame:
        """The 2x2 layout: ``study`` rows, then the ``pooled`` row (heterogeneity columns)."""
        rows = [
            table_row("study", label, self.groups, counts, measure="odds_ratio",
                      **self._study_values(i))
            for i, (label, counts) in enumerate(zip(self.labels, zip(
                self.events, self.total, self.events_b, self.total_b, strict=True), strict=True))
        ]  # fmt: skip
        totals = (sum(self.events), sum(self.total), sum(self.events_b), sum(self.total_b))
        pooled = self._pooled_values()
        if self.hksj and self.k > 1:
            pooled["df"] = self.k - 1
        rows.append(table_row("pooled", self.method_label, self.groups, totals,
                              measure="odds_ratio", **pooled))  # fmt: skip
        frame = tidy_frame(rows, extra=[*LAYOUT_EXTRA, *_POOLED_EXTRA])
        return nullable_integers(frame, names=("events_b", "total_b", "df", "q_df"))

    def _summary_lines(self) -> list[str]:
        lines = super()._summary_lines()
        lines.insert(1, f"  {self.groups[0]} vs {self.groups[1]}")
        if self.excluded:
            lines.append(
                f"  excluded (no information on the odds ratio): {', '.join(self.excluded)}"
            )
        return lines


def _warn_small(k: int) -> None:
    if k < 5:
        warnings.warn(
            f"only {k} {'study' if k == 1 else 'studies'}: tau² and the prediction interval "
            "are very imprecise with fewer than 5 studies",
            SmallSampleWarning,
            stacklevel=3,
        )


def _pooled_test(pooled: Pooled, k: int, hksj: bool) -> tuple[float, float]:
    """z (or t with k - 1 df under Knapp-Hartung) of the pooled estimate being 0, and p."""
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = float(pooled.mu / pooled.se)
    if not math.isfinite(statistic):
        return math.nan, math.nan
    if hksj and k > 1:
        return statistic, float(2 * stats.t.sf(abs(statistic), k - 1))
    return statistic, float(2 * stats.norm.sf(abs(statistic)))


def _pooled_fields(pooled: Pooled, back, k: int, hksj: bool) -> dict:
    """The result fields of the pooled estimate, back-transformed by `back`."""
    mu, se = pooled.mu, pooled.se
    half_pi = pooled.pi_crit * math.sqrt(se**2 + pooled.tau2)
    statistic, pvalue = _pooled_test(pooled, k, hksj)
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


# --------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------


def _pool_logits(x, n, y, v, method: str, level: float) -> tuple[Pooled, str]:
    """The pooled logit by the GLMM or an inverse-variance method, and the row label."""
    if method != "glmm":
        return iv_pool(y, v, method, False, level), f"random effects ({_METHOD_NAMES[method]})"
    if x.size > 1 and (np.all(x == 0) or np.all(x == n)):
        raise ValueError(
            "the GLMM has no finite estimate when every study has 0 (or all) events; "
            "use an inverse-variance method (e.g. method='reml'), which adds 0.5"
        )
    if x.size == 1:
        # The binomial ML standard error of one logit equals the inverse-variance one.
        return iv_pool(y, v, "dl", False, level), "random effects (GLMM)"
    mu, tau, se = glmm_fit(x, n)
    z = float(stats.norm.isf((1 - level) / 2))
    w = 1.0 / (v + tau * tau)
    return Pooled(mu, se, tau * tau, z, z, 100 * w / w.sum()), "random effects (GLMM)"


def meta_proportions(
    events: Sequence[int],
    total: Sequence[int],
    *,
    method: str = "glmm",
    labels: Sequence[str] | None = None,
    confidence_level: float = 0.95,
) -> MetaProportionResult:
    """Random-effects meta-analysis of proportions on the logit scale.

    Parameters
    ----------
    events, total : array-like of int
        Events and totals per study (``0 <= events <= total``, ``total > 0``).
    method : {"glmm", "reml", "dl", "pm", "ml"}, default "glmm"
        ``"glmm"``: binomial-normal random-intercept model (logit link),
        fitted by maximum likelihood, the random effects integrated out by
        adaptive quadrature centred at their conditional modes (the model of
        ``metafor::rma.glmm(measure="PLO", method="ML")``; see Notes). The others
        are inverse-variance methods on the observed logits with tau² by
        REML, DerSimonian-Laird, Paule-Mandel or ML.
    labels : sequence of str, optional
        Study labels (``"study 1"`` ... by default).
    confidence_level : float, default 0.95
        Level of the confidence and prediction intervals.

    Returns
    -------
    MetaProportionResult

    Warns
    -----
    SmallSampleWarning
        With fewer than 5 studies.

    Notes
    -----
    The inverse-variance methods need a finite logit for each study: 0.5 is
    added to events and non-events only in studies with 0 or all events
    (the GLMM needs no correction). Q, its p-value and the typical
    within-study variance behind I² (Higgins-Thompson, as metafor) always
    come from these inverse-variance logits; for the GLMM, I² uses the GLMM
    tau². The prediction interval is ``mu ± z sqrt(se² + tau²)`` on the
    logit scale (metafor's default, normal quantile). Study weights are
    ``1 / (v_i + tau²)`` in percent; for the GLMM they are not the weights
    of the fit (which has none) but the inverse-variance weights under the
    GLMM tau², a guide for the forest plot. Per-study intervals are
    Clopper-Pearson. The pooled row's z-test (of a logit of 0, i.e. a
    proportion of 1/2) is the one metafor prints.

    The GLMM integrates each random effect by a trapezoid rule over the
    region, centred on its conditional mode, where the integrand is within
    exp(-45) of its peak; this is exact to rounding for these smooth
    one-dimensional integrals. lme4's adaptive Gauss-Hermite quadrature
    (``nAGQ`` up to 25) agrees to about 1e-8 on ordinary data but is off by
    about 1e-3 when a study with 0 events meets a large tau², where the
    posterior of its random effect is skewed. The standard error of the
    pooled logit comes from the inverse observed information in (mu, tau),
    as lme4's ``vcov``.

    A single study gives tau² = 0 and the pooled estimate equal to that
    study (Q = 0 with df = 0 and a NaN p-value). The GLMM has no finite
    estimate when every study has 0 events (or every study all events);
    that raises ValueError.

    Examples
    --------
    >>> res = meta_proportions([30, 45, 8, 60, 5], [120, 200, 40, 300, 22], method="dl")
    >>> round(res.estimate, 4), res.tau2
    (0.2176, 0.0)
    >>> res.heterogeneity.text()
    'I² = 0%, τ² = 0, Q = 1.4 (df = 4), p = 0.84'
    >>> [round(v, 4) for v in res.confidence_interval(0.8)]
    [0.198, 0.2386]
    """
    check_choice(method, PROPORTION_METHODS)
    level = check_confidence_level(confidence_level)
    if np.ndim(events) != 1 or np.shape(events) != np.shape(total):
        fail("events and total", "one-dimensional and of the same length",
             f"shapes {np.shape(events)} and {np.shape(total)}")  # fmt: skip
    x, n = check_events_total(events, total)
    labels = check_labels(labels, x.size, "labels", "study")
    k = x.size
    _warn_small(k)

    edge = (x == 0) | (x == n)
    shift = np.where(edge, 0.5, 0.0)
    y = np.log((x + shift) / (n - x + shift))
    v = 1.0 / (x + shift) + 1.0 / (n - x + shift)
    pooled, label = _pool_logits(x, n, y, v, method, level)
    q, q_df, q_p = cochran_q_test(y, v)
    low, high = proportion_interval(x, n, method="clopper-pearson", confidence_level=level)
    return MetaProportionResult(
        **_pooled_fields(pooled, special.expit, k, False),
        confidence_level=level,
        heterogeneity=Heterogeneity("Cochran's Q", q, q_df, q_p, i2(pooled.tau2, v), pooled.tau2),
        method=method,
        hksj=False,
        method_label=label,
        method_description=f"logit, {_METHOD_NAMES[method]}{pooled.note}",
        labels=tuple(labels),
        events=tuple(int(e) for e in x),
        total=tuple(int(t) for t in n),
        study_estimate=tuple(float(e) for e in x / n),
        study_ci_low=tuple(float(e) for e in low),
        study_ci_high=tuple(float(e) for e in high),
        measure="PLO",
        yi=tuple(float(e) for e in y),
        vi=tuple(float(e) for e in v),
    )


def _pool_mantel_haenszel(a, b, c, d, y, v, level) -> tuple[Pooled, Heterogeneity]:
    """The MH fixed-effect estimate, with Q around it and I² = (Q - df) / Q (as rma.mh)."""
    k = a.size
    z = float(stats.norm.isf((1 - level) / 2))
    s = b * c / (a + b + c + d)
    with warnings.catch_warnings():
        # The infinite case is warned about once, below, in meta-analysis terms.
        warnings.simplefilter("ignore", CasestatsWarning)
        mh = mantel_haenszel(
            events_a=a, total_a=a + b, events_b=c, total_b=c + d, confidence_level=level
        )
    if not 0 < mh.estimate < math.inf:
        # Q around a log odds ratio of -inf or inf is not a heterogeneity statistic.
        warnings.warn(
            f"the Mantel-Haenszel odds ratio is {mh.estimate:g}: its interval, Q and I² "
            "are undefined (NaN)",
            CasestatsWarning,
            stacklevel=3,
        )
        mu = -math.inf if mh.estimate == 0 else math.inf
        with np.errstate(invalid="ignore"):  # no table has b c > 0 when the OR is infinite
            pooled = Pooled(mu, math.nan, 0.0, z, z, 100 * s / s.sum())
        return pooled, Heterogeneity("Cochran's Q", math.nan, k - 1, math.nan, math.nan, 0.0)
    mu = math.log(mh.estimate)
    pooled = Pooled(mu, mh.se_log, 0.0, z, z, 100 * s / s.sum())
    if k == 1:
        return pooled, Heterogeneity("Cochran's Q", 0.0, 0, math.nan, 0.0, 0.0)
    q = float(((y - mu) ** 2 / v).sum())
    i2_mh = max(0.0, 100 * (q - (k - 1)) / q) if q > 0 else 0.0
    het = Heterogeneity("Cochran's Q", q, k - 1, float(stats.chi2.sf(q, k - 1)), i2_mh, 0.0)
    return pooled, het


def meta_odds_ratios(
    *,
    events_a: Sequence[int],
    total_a: Sequence[int],
    events_b: Sequence[int],
    total_b: Sequence[int],
    method: str = "reml",
    hksj: bool = False,
    labels: Sequence[str] | None = None,
    groups: tuple[str, str] = DEFAULT_GROUPS,
    confidence_level: float = 0.95,
) -> MetaOddsRatioResult:
    """Pooled odds ratio (arm a vs arm b) across studies.

    Parameters
    ----------
    events_a, total_a, events_b, total_b : array-like of int
        Counts per study in arms a and b.
    method : {"reml", "dl", "pm", "mh"}, default "reml"
        Random-effects inverse-variance pooling of log odds ratios with tau²
        by REML (Fisher scoring to 1e-13), DerSimonian-Laird (truncated at
        zero) or Paule-Mandel (root finding); or the Mantel-Haenszel
        fixed-effect estimator (tau² = 0) with the Robins-Breslow-Greenland
        interval.
    hksj : bool, default False
        Hartung-Knapp-Sidik-Jonkman (Knapp-Hartung) standard error with
        t(k - 1) quantiles for the confidence and prediction intervals and
        the test. Not available with ``method="mh"``.
    labels : sequence of str, optional
        Study labels.
    groups : (str, str), default ("group a", "group b")
        Names of arm a and arm b, shown in the frame and the summary.
    confidence_level : float, default 0.95
        Level of the confidence and prediction intervals.

    Returns
    -------
    MetaOddsRatioResult

    Warns
    -----
    SmallSampleWarning
        With fewer than 5 studies pooled.
    CasestatsWarning
        With ``method="mh"``, when the pooled odds ratio is 0 or infinite.

    Notes
    -----
    Log odds ratios use 0.5 added to all four cells only in studies with a
    zero cell. Studies with no events in either arm, or only events in both,
    carry no information on the odds ratio: they are excluded and listed in
    ``excluded`` (as metafor's ``drop00=TRUE``). Q is Cochran's statistic
    from the inverse-variance fixed-effect fit (for ``"mh"``, around the MH
    estimate, with ``I² = (Q - df) / Q``, as ``metafor::rma.mh``); otherwise
    I² is Higgins-Thompson from tau². The prediction interval uses the
    normal quantile (t(k - 1) with HKSJ), as metafor. When the MH odds ratio
    is 0 or infinite, its interval, Q and I² are NaN (``rma.mh`` gives NA).

    Examples
    --------
    >>> res = meta_odds_ratios(
    ...     events_a=[30, 45, 8, 60, 5], total_a=[120, 200, 40, 300, 22],
    ...     events_b=[12, 20, 3, 25, 1], total_b=[80, 150, 35, 180, 18],
    ...     method="dl", groups=("lcSSc", "dcSSc"),
    ... )
    >>> round(res.estimate, 4), res.tau2
    (1.8096, 0.0)
    """
    check_choice(method, ODDS_RATIO_METHODS)
    level = check_confidence_level(confidence_level)
    if hksj and method == "mh":
        fail("method", "an inverse-variance method ('reml', 'dl' or 'pm') with hksj=True",
             repr(method))  # fmt: skip
    groups = check_groups(groups)
    ea, na, eb, nb = two_arm_counts(events_a, total_a, events_b, total_b)
    labels = check_labels(labels, ea.size, "labels", "study")
    a, b, c, d = ea, na - ea, eb, nb - eb
    keep = (na > 0) & (nb > 0) & (a + c > 0) & (b + d > 0)
    if not keep.any():
        raise ValueError("no study has both arms and both outcomes; the odds ratio is undefined")
    excluded = tuple(lab for lab, k_ in zip(labels, keep, strict=True) if not k_)
    a, b, c, d = a[keep], b[keep], c[keep], d[keep]
    kept_labels = [lab for lab, k_ in zip(labels, keep, strict=True) if k_]
    k = a.size
    _warn_small(k)

    a_, b_, c_, d_, zero = zero_cell_corrected(a, b, c, d)
    y = np.log(a_ * d_ / (b_ * c_))
    v = 1 / a_ + 1 / b_ + 1 / c_ + 1 / d_
    z = float(stats.norm.isf((1 - level) / 2))

    if method == "mh":
        pooled, het = _pool_mantel_haenszel(a, b, c, d, y, v, level)
        label = "fixed effect (Mantel-Haenszel)"
        description = "log odds ratio, Mantel-Haenszel (Robins-Breslow-Greenland CI)"
    else:
        pooled = iv_pool(y, v, method, hksj, level)
        het = Heterogeneity("Cochran's Q", *cochran_q_test(y, v), i2(pooled.tau2, v), pooled.tau2)
        label = f"random effects ({_METHOD_NAMES[method]}{', HKSJ' if hksj and k > 1 else ''})"
        description = f"log odds ratio, {_METHOD_NAMES[method]}{pooled.note}"

    return MetaOddsRatioResult(
        **_pooled_fields(pooled, np.exp, k, hksj),
        confidence_level=level,
        heterogeneity=het,
        method=method,
        hksj=bool(hksj),
        method_label=label,
        method_description=description,
        labels=tuple(kept_labels),
        events=tuple(int(e) for e in a),
        total=tuple(int(e) for e in a + b),
        study_estimate=tuple(float(e) for e in np.exp(y)),
        study_ci_low=tuple(float(e) for e in np.exp(y - z * np.sqrt(v))),
        study_ci_high=tuple(float(e) for e in np.exp(y + z * np.sqrt(v))),
        measure="OR",
        yi=tuple(float(e) for e in y),
        vi=tuple(float(e) for e in v),
        events_b=tuple(int(e) for e in c),
        total_b=tuple(int(e) for e in c + d),
        groups=groups,
        corrected=tuple(bool(e) for e in zero),
        excluded=excluded,
    )
