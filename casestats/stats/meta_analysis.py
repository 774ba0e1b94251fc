"""Random-effects meta-analysis of proportions and of odds ratios.

Proportions are pooled on the logit scale, by default with a binomial-normal
generalised linear mixed model (GLMM) fitted by maximum likelihood; odds
ratios on the log scale by inverse-variance random-effects methods or the
Mantel-Haenszel fixed-effect estimator. Heterogeneity is reported as tau²
(truncated at zero), I², and Cochran's Q with its p-value.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from casestats.exceptions import CasestatsWarning, SmallSampleWarning
from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats.intervals import proportion_interval
from casestats.stats.stratified import (
    _as_counts,
    _check_level,
    _labels,
    _two_arm_counts,
    mantel_haenszel,
)

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
# Iterative tau² estimators stop when a step changes tau² by less than this.
_TAU2_TOL = 1e-13
_MAX_ITER = 1000
# The GLMM likelihood integrates each study's random effect numerically: a
# trapezoid rule on _GLMM_POINTS points spanning the region where the
# (log-concave) integrand is within a factor exp(_GLMM_DROP) of its mode. The
# trapezoid rule converges geometrically for such smooth, decaying integrands
# and, unlike Gauss-Hermite nodes placed by the Laplace curvature, stays
# accurate when the posterior of a random effect is skewed (0 events, large
# tau²), where 21-25 adaptive Gauss-Hermite nodes (lme4's nAGQ) are off by ~1e-3.
_GLMM_POINTS = 401
_GLMM_DROP = 45.0


def _check_method(method: str, allowed: tuple[str, ...]) -> str:
    if method not in allowed:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(map(repr, allowed))}")
    return method


# --------------------------------------------------------------------------
# inverse-variance machinery (shared by proportions and odds ratios)
# --------------------------------------------------------------------------


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


def _i2(tau2, v):
    """Higgins-Thompson I² (percent) from the typical within-study variance, as metafor."""
    k = v.size
    if k < 2:
        return 0.0
    w = 1.0 / v
    typical = (k - 1) * w.sum() / (w.sum() ** 2 - (w**2).sum())
    return float(100 * tau2 / (typical + tau2))


def _heterogeneity(y, v):
    k = y.size
    if k < 2:
        return 0.0, 0, float("nan")
    q = _cochran_q(y, v)
    return q, k - 1, float(stats.chi2.sf(q, k - 1))


@dataclass
class _Pooled:
    mu: float
    se: float
    tau2: float
    crit: float
    pi_crit: float
    weights: np.ndarray
    note: str = ""


def _iv_pool(y, v, method, hksj, level) -> _Pooled:
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
    return _Pooled(mu, se, tau2, crit, pi_crit, 100 * w / w.sum(), note)


# --------------------------------------------------------------------------
# binomial-normal GLMM for proportions
# --------------------------------------------------------------------------


def _log_binom(x, n):
    return special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)


def _conditional_modes(x, n, mu, tau2):
    """Mode of the random effect of each study given (mu, tau²), by safeguarded Newton."""
    # The mode solves x - n expit(mu + u) - u / tau² = 0 and lies in this bracket.
    lo, hi = tau2 * (x - n), tau2 * x
    u = np.clip(np.zeros_like(x), lo, hi)
    for _ in range(200):
        p = special.expit(mu + u)
        grad = x - n * p - u / tau2
        lo = np.where(grad > 0, u, lo)
        hi = np.where(grad < 0, u, hi)
        curvature = n * p * (1 - p) + 1 / tau2
        step = grad / curvature
        new = u + step
        outside = (new <= lo) | (new >= hi)
        new = np.where(outside, (lo + hi) / 2, new)
        if np.all(np.abs(new - u) <= 1e-14 * (1 + np.abs(u))):
            return new
        u = new
    return u


def _glmm_log_integrand(x, n, mu, u, tau2):
    """log of binomial likelihood times the N(0, tau²) kernel (constants left out)."""
    eta = mu + u
    return x * eta - n * np.logaddexp(0.0, eta) - u**2 / (2 * tau2)


def _glmm_study_loglik(x, n, mu, tau):
    """Per-study marginal log-likelihoods by adaptive quadrature.

    Also returns the posterior mean of ``x - n expit(mu + u)`` (the score in mu).
    """
    if tau == 0:
        p = special.expit(mu)
        loglik = _log_binom(x, n) + special.xlogy(x, p) + special.xlog1py(n - x, -p)
        return loglik, x - n * p
    tau2 = tau * tau
    mode = _conditional_modes(x, n, mu, tau2)
    p_mode = special.expit(mu + mode)
    scale = 1.0 / np.sqrt(n * p_mode * (1 - p_mode) + 1 / tau2)
    peak = _glmm_log_integrand(x, n, mu, mode, tau2)
    # The integrand is log-concave: walk out from the mode on each side until
    # it has fallen by _GLMM_DROP, which bounds the neglected mass.
    limits = []
    for side in (-1.0, 1.0):
        reach = scale.copy()
        for _ in range(200):
            inside = _glmm_log_integrand(x, n, mu, mode + side * reach, tau2) > peak - _GLMM_DROP
            if not inside.any():
                break
            reach = np.where(inside, 1.5 * reach, reach)
        limits.append(mode + side * reach)
    grid = np.linspace(0.0, 1.0, _GLMM_POINTS)
    u = limits[0][:, None] + (limits[1] - limits[0])[:, None] * grid[None, :]
    step = (limits[1] - limits[0]) / (_GLMM_POINTS - 1)
    log_f = _glmm_log_integrand(x[:, None], n[:, None], mu, u, tau2)
    # Trapezoid rule; the end points carry a negligible e^-_GLMM_DROP share.
    log_f[:, [0, -1]] += np.log(0.5)
    log_int = special.logsumexp(log_f, axis=1)
    loglik = _log_binom(x, n) + log_int + np.log(step) - 0.5 * np.log(2 * np.pi * tau2)
    post = np.exp(log_f - log_int[:, None])
    score = (post * (x[:, None] - n[:, None] * special.expit(mu + u))).sum(axis=1)
    return loglik, score


def _glmm_loglik(x, n, mu, tau):
    return float(_glmm_study_loglik(x, n, mu, tau)[0].sum())


def _glmm_mu_given_tau(x, n, tau, start):
    """Maximise the marginal likelihood over mu for fixed tau (it is concave in mu)."""

    def score(mu):
        return float(_glmm_study_loglik(x, n, mu, tau)[1].sum())

    lo, hi = start - 1.0, start + 1.0
    while score(lo) < 0:
        lo -= 2 * (hi - lo)
    while score(hi) > 0:
        hi += 2 * (hi - lo)
    return float(optimize.brentq(score, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps))


def _glmm_fit(x, n):
    """ML estimates (mu, tau) of the binomial-normal model and the SE of mu."""
    pooled = (x.sum() + 0.5) / (n.sum() + 1.0)
    start = float(special.logit(pooled))
    cache: dict[float, float] = {}

    def profile(tau):
        mu = _glmm_mu_given_tau(x, n, tau, cache.get("mu", start))
        cache["mu"] = mu
        return -_glmm_loglik(x, n, mu, tau)

    upper = 10.0
    best = optimize.minimize_scalar(
        profile, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-10, "maxiter": 500}
    )
    tau = float(best.x)
    # The bounded search never lands exactly on the boundary: check tau = 0 itself.
    if profile(0.0) <= best.fun + 1e-12:
        tau = 0.0
    mu = _glmm_mu_given_tau(x, n, tau, start)
    se = _glmm_se(x, n, mu, tau)
    return mu, tau, se


def _glmm_se(x, n, mu, tau):
    """SE of mu from the inverse observed information in (mu, tau), as lme4's vcov."""
    if tau == 0:
        p = special.expit(mu)
        return float(1 / np.sqrt((n * p * (1 - p)).sum()))
    h = 1e-4 * max(1.0, abs(mu)), 1e-4 * max(tau, 1e-3)
    theta = np.array([mu, tau])

    def f(t):
        return _glmm_loglik(x, n, t[0], t[1])

    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei = np.eye(2)[i] * h[i]
            ej = np.eye(2)[j] * h[j]
            hess[i, j] = (
                f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)
            ) / (4 * h[i] * h[j])
    cov = np.linalg.inv(-hess)
    return float(np.sqrt(cov[0, 0]))


# --------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------


def _format_p(p: float) -> str:
    if not np.isfinite(p):
        return "p = NA"
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


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
    tau2: float
    i2: float
    q: float
    q_df: int
    q_pvalue: float
    method: str
    method_label: str
    studies: tuple[str, ...]
    events: tuple[int, ...]
    totals: tuple[int, ...]
    study_estimate: tuple[float, ...]
    study_ci_low: tuple[float, ...]
    study_ci_high: tuple[float, ...]
    weights: tuple[float, ...]

    scale = ""

    @property
    def k(self) -> int:
        """Number of studies pooled."""
        return len(self.studies)

    def confidence_interval(self) -> ConfidenceInterval:
        """Interval of the pooled estimate on the natural scale."""
        return ConfidenceInterval(self.ci_low, self.ci_high)

    def prediction_interval(self) -> ConfidenceInterval:
        """Interval expected to hold the true effect of a new study (natural scale)."""
        return ConfidenceInterval(self.pi_low, self.pi_high)

    def heterogeneity_text(self) -> str:
        """One line for a forest plot, e.g. ``I² = 41%, τ² = 0.12, Q = 6.8 (df = 4), p = 0.15``."""
        p = _format_p(self.q_pvalue)
        return (
            f"I² = {self.i2:.0f}%, τ² = {self.tau2:.2g}, Q = {self.q:.1f} (df = {self.q_df}), {p}"
        )

    def plot(self, ax=None, **kwargs):
        """Forest plot of the studies and the pooled estimate; returns the Axes."""
        from casestats.plotting import forest_plot

        return forest_plot(
            self.to_frame(),
            scale=self.scale,
            heterogeneity=self.heterogeneity_text(),
            ax=ax,
            **kwargs,
        )

    def _study_rows(self) -> list[dict]:
        rows = []
        for i, label in enumerate(self.studies):
            rows.append(
                {
                    "group": "study",
                    "level": label,
                    "events": self.events[i],
                    "total": self.totals[i],
                    "estimate": self.study_estimate[i],
                    "ci_low": self.study_ci_low[i],
                    "ci_high": self.study_ci_high[i],
                    "confidence_level": self.confidence_level,
                    "method": self._study_method(i),
                    "weight": self.weights[i],
                }
            )
        return rows

    def _pooled_row(self) -> dict:
        return {
            "group": "pooled",
            "level": self.method_label,
            "events": sum(self.events),
            "total": sum(self.totals),
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "confidence_level": self.confidence_level,
            "method": self.method,
            "weight": 100.0,
            "pi_low": self.pi_low,
            "pi_high": self.pi_high,
            "tau2": self.tau2,
            "i2": self.i2,
            "q": self.q,
            "q_df": self.q_df,
            "q_pvalue": self.q_pvalue,
        }

    def _study_method(self, i: int) -> str:
        raise NotImplementedError

    def _summary_lines(self) -> list[str]:
        pct = f"{100 * self.confidence_level:g}%"
        lines = [
            f"Meta-analysis of {self.k} {'study' if self.k == 1 else 'studies'}"
            f" ({self.scale}): {self.method}",
            f"  pooled {self.scale} = {self.estimate:.4g}, {pct} CI {self.ci_low:.4g}"
            f" to {self.ci_high:.4g}",
            f"  prediction interval {self.pi_low:.4g} to {self.pi_high:.4g}",
            f"  {self.heterogeneity_text()}",
        ]
        return lines


_POOLED_EXTRA = ["weight", "pi_low", "pi_high", "tau2", "i2", "q", "q_df", "q_pvalue"]


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
    tau2, i2 : float
        Between-study variance (logit scale) and I² in percent.
    q, q_df, q_pvalue : float, int, float
        Cochran's Q from the inverse-variance fixed-effect fit, its df and p.
    weights : tuple of float
        Study weights in percent (see :func:`meta_proportions`).
    """

    scale = "proportion"

    def _study_method(self, i: int) -> str:
        return "Clopper-Pearson"

    def to_frame(self) -> pd.DataFrame:
        """Forest-plot frame: one ``study`` row per study, then the ``pooled`` row."""
        frame = tidy_frame([*self._study_rows(), self._pooled_row()], extra=_POOLED_EXTRA)
        frame["q_df"] = frame["q_df"].astype("Int64")
        return frame


@dataclass(frozen=True, eq=False, repr=False)
class MetaOddsRatioResult(_MetaResult):
    """Pooled odds ratio (group a vs group b) across studies.

    Attributes as :class:`MetaProportionResult`, on the odds-ratio scale
    (``mu`` is the pooled log odds ratio); plus the group-b counts and the
    labels of studies excluded for having no information on the odds ratio.
    """

    events_b: tuple[int, ...] = ()
    totals_b: tuple[int, ...] = ()
    corrected: tuple[bool, ...] = ()
    excluded: tuple[str, ...] = ()

    scale = "odds ratio"

    def _study_method(self, i: int) -> str:
        note = " (+0.5 Haldane-Anscombe)" if self.corrected[i] else ""
        return "sample odds ratio, Wald" + note

    def to_frame(self) -> pd.DataFrame:
        """Forest-plot frame: ``study`` rows (with events_b, total_b), then the ``pooled`` row."""
        rows = self._study_rows()
        for i, row in enumerate(rows):
            row["events_b"] = self.events_b[i]
            row["total_b"] = self.totals_b[i]
        pooled = self._pooled_row()
        pooled["events_b"] = sum(self.events_b)
        pooled["total_b"] = sum(self.totals_b)
        frame = tidy_frame([*rows, pooled], extra=["events_b", "total_b", *_POOLED_EXTRA])
        for name in ("events_b", "total_b", "q_df"):
            frame[name] = frame[name].astype("Int64")
        return frame

    def _summary_lines(self) -> list[str]:
        lines = super()._summary_lines()
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


# --------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------


def meta_proportions(
    events: Sequence[int],
    totals: Sequence[int],
    *,
    method: str = "glmm",
    studies: Sequence[str] | None = None,
    confidence_level: float = 0.95,
) -> MetaProportionResult:
    """Random-effects meta-analysis of proportions on the logit scale.

    Parameters
    ----------
    events, totals : array-like of int
        Events and totals per study (``0 <= events <= totals``, ``totals > 0``).
    method : {"glmm", "reml", "dl", "pm", "ml"}, default "glmm"
        ``"glmm"``: binomial-normal random-intercept model (logit link),
        fitted by maximum likelihood, the random effects integrated out by
        adaptive quadrature centred at their conditional modes (the model of
        ``metafor::rma.glmm(measure="PLO", method="ML")``; see Notes). The others
        are inverse-variance methods on the observed logits with tau² by
        REML, DerSimonian-Laird, Paule-Mandel or ML.
    studies : sequence of str, optional
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
    Clopper-Pearson.

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
    >>> res.heterogeneity_text()
    'I² = 0%, τ² = 0, Q = 1.4 (df = 4), p = 0.84'
    """
    _check_method(method, PROPORTION_METHODS)
    level = _check_level(confidence_level)
    x = _as_counts(events, "events")
    n = _as_counts(totals, "totals")
    if x.size != n.size:
        raise ValueError(f"events and totals must have the same length, got {x.size} and {n.size}")
    if np.any(n == 0):
        raise ValueError("every study needs totals > 0")
    if np.any(x > n):
        raise ValueError("events must not exceed totals")
    labels = _labels(studies, x.size, "studies", "study")
    k = x.size
    _warn_small(k)

    edge = (x == 0) | (x == n)
    shift = np.where(edge, 0.5, 0.0)
    y = np.log((x + shift) / (n - x + shift))
    v = 1.0 / (x + shift) + 1.0 / (n - x + shift)
    z = float(stats.norm.isf((1 - level) / 2))

    if method == "glmm":
        if k > 1 and (np.all(x == 0) or np.all(x == n)):
            raise ValueError(
                "the GLMM has no finite estimate when every study has 0 (or all) events; "
                "use an inverse-variance method (e.g. method='reml'), which adds 0.5"
            )
        if k == 1:
            # The binomial ML standard error of one logit equals the inverse-variance one.
            pooled = _iv_pool(y, v, "dl", False, level)
        else:
            mu, tau, se = _glmm_fit(x, n)
            tau2 = tau * tau
            w = 1.0 / (v + tau2)
            pooled = _Pooled(mu, se, tau2, z, z, 100 * w / w.sum())
        label = "random effects (GLMM)"
    else:
        pooled = _iv_pool(y, v, method, False, level)
        label = f"random effects ({_METHOD_NAMES[method]})"

    q, q_df, q_p = _heterogeneity(y, v)
    low, high = proportion_interval(x, n, method="clopper-pearson", confidence_level=level)
    mu, se, tau2 = pooled.mu, pooled.se, pooled.tau2
    half_pi = pooled.pi_crit * math.sqrt(se**2 + tau2)
    return MetaProportionResult(
        estimate=float(special.expit(mu)),
        ci_low=float(special.expit(mu - pooled.crit * se)),
        ci_high=float(special.expit(mu + pooled.crit * se)),
        pi_low=float(special.expit(mu - half_pi)),
        pi_high=float(special.expit(mu + half_pi)),
        confidence_level=level,
        mu=float(mu),
        se=float(se),
        tau2=float(tau2),
        i2=_i2(tau2, v),
        q=q,
        q_df=q_df,
        q_pvalue=q_p,
        method=f"logit, {_METHOD_NAMES[method]}{pooled.note}",
        method_label=label,
        studies=tuple(labels),
        events=tuple(int(e) for e in x),
        totals=tuple(int(t) for t in n),
        study_estimate=tuple(float(e) for e in x / n),
        study_ci_low=tuple(float(e) for e in low),
        study_ci_high=tuple(float(e) for e in high),
        weights=tuple(float(e) for e in pooled.weights),
    )


def meta_odds_ratios(
    *,
    events_a: Sequence[int],
    total_a: Sequence[int],
    events_b: Sequence[int],
    total_b: Sequence[int],
    method: str = "reml",
    hksj: bool = False,
    studies: Sequence[str] | None = None,
    confidence_level: float = 0.95,
) -> MetaOddsRatioResult:
    """Pooled odds ratio (group a vs group b) across studies.

    Parameters
    ----------
    events_a, total_a, events_b, total_b : array-like of int
        Counts per study in groups a and b.
    method : {"reml", "dl", "pm", "mh"}, default "reml"
        Random-effects inverse-variance pooling of log odds ratios with tau²
        by REML (Fisher scoring to 1e-13), DerSimonian-Laird (truncated at
        zero) or Paule-Mandel (root finding); or the Mantel-Haenszel
        fixed-effect estimator (tau² = 0) with the Robins-Breslow-Greenland
        interval.
    hksj : bool, default False
        Hartung-Knapp-Sidik-Jonkman (Knapp-Hartung) standard error with
        t(k - 1) quantiles for the confidence and prediction intervals.
        Not available with ``method="mh"``.
    studies : sequence of str, optional
        Study labels.
    confidence_level : float, default 0.95
        Level of the confidence and prediction intervals.

    Returns
    -------
    MetaOddsRatioResult

    Warns
    -----
    SmallSampleWarning
        With fewer than 5 studies pooled.

    Notes
    -----
    Log odds ratios use 0.5 added to all four cells only in studies with a
    zero cell. Studies with no events in either arm, or only events in both,
    carry no information on the odds ratio: they are excluded and listed in
    ``excluded`` (as metafor's ``drop00=TRUE``). Q is Cochran's statistic
    from the inverse-variance fixed-effect fit (for ``"mh"``, around the MH
    estimate, with ``I² = (Q - df) / Q``, as ``metafor::rma.mh``); otherwise
    I² is Higgins-Thompson from tau². The prediction interval uses the
    normal quantile (t(k - 1) with HKSJ), as metafor.

    Examples
    --------
    >>> res = meta_odds_ratios(
    ...     events_a=[30, 45, 8, 60, 5], total_a=[120, 200, 40, 300, 22],
    ...     events_b=[12, 20, 3, 25, 1], total_b=[80, 150, 35, 180, 18],
    ...     method="dl",
    ... )
    >>> round(res.estimate, 4), res.tau2
    (1.8096, 0.0)
    """
    _check_method(method, ODDS_RATIO_METHODS)
    level = _check_level(confidence_level)
    if hksj and method == "mh":
        raise ValueError("hksj=True needs an inverse-variance method ('reml', 'dl' or 'pm')")
    ea, na, eb, nb = _two_arm_counts(events_a, total_a, events_b, total_b)
    labels = _labels(studies, ea.size, "studies", "study")
    a, b, c, d = ea, na - ea, eb, nb - eb
    keep = (na > 0) & (nb > 0) & (a + c > 0) & (b + d > 0)
    if not keep.any():
        raise ValueError("no study has both arms and both outcomes; the odds ratio is undefined")
    excluded = tuple(lab for lab, k_ in zip(labels, keep, strict=True) if not k_)
    a, b, c, d = a[keep], b[keep], c[keep], d[keep]
    kept_labels = [lab for lab, k_ in zip(labels, keep, strict=True) if k_]
    k = a.size
    _warn_small(k)

    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    shift = np.where(zero, 0.5, 0.0)
    a_, b_, c_, d_ = a + shift, b + shift, c + shift, d + shift
    y = np.log(a_ * d_ / (b_ * c_))
    v = 1 / a_ + 1 / b_ + 1 / c_ + 1 / d_
    z = float(stats.norm.isf((1 - level) / 2))

    if method == "mh":
        mh = mantel_haenszel(
            events_a=a, total_a=a + b, events_b=c, total_b=c + d, confidence_level=level
        )
        s = b * c / (a + b + c + d)
        if not 0 < mh.estimate < math.inf:
            # Q around a log odds ratio of -inf or inf is not a heterogeneity statistic.
            warnings.warn(
                f"the Mantel-Haenszel odds ratio is {mh.estimate:g}: its interval, Q and I² "
                "are undefined (NaN)",
                CasestatsWarning,
                stacklevel=2,
            )
            mu = -math.inf if mh.estimate == 0 else math.inf
            pooled = _Pooled(mu, math.nan, 0.0, z, z, 100 * s / s.sum())
            q, q_df, q_p, i2 = math.nan, k - 1, math.nan, math.nan
        elif k > 1:
            mu, se = math.log(mh.estimate), mh.se_log
            pooled = _Pooled(mu, se, 0.0, z, z, 100 * s / s.sum())
            q = float(((y - mu) ** 2 / v).sum())
            q_df, q_p = k - 1, float(stats.chi2.sf(q, k - 1))
            i2 = max(0.0, 100 * (q - q_df) / q) if q > 0 else 0.0
        else:
            mu, se = math.log(mh.estimate), mh.se_log
            pooled = _Pooled(mu, se, 0.0, z, z, 100 * s / s.sum())
            q, q_df, q_p, i2 = 0.0, 0, float("nan"), 0.0
        label = "fixed effect (Mantel-Haenszel)"
        method_text = "log odds ratio, Mantel-Haenszel (Robins-Breslow-Greenland CI)"
    else:
        pooled = _iv_pool(y, v, method, hksj, level)
        q, q_df, q_p = _heterogeneity(y, v)
        i2 = _i2(pooled.tau2, v)
        label = f"random effects ({_METHOD_NAMES[method]}{', HKSJ' if hksj and k > 1 else ''})"
        method_text = f"log odds ratio, {_METHOD_NAMES[method]}{pooled.note}"

    mu, se, tau2 = pooled.mu, pooled.se, pooled.tau2
    half_pi = pooled.pi_crit * math.sqrt(se**2 + tau2)
    return MetaOddsRatioResult(
        estimate=math.exp(mu),
        ci_low=math.exp(mu - pooled.crit * se),
        ci_high=math.exp(mu + pooled.crit * se),
        pi_low=math.exp(mu - half_pi),
        pi_high=math.exp(mu + half_pi),
        confidence_level=level,
        mu=float(mu),
        se=float(se),
        tau2=float(tau2),
        i2=float(i2),
        q=float(q),
        q_df=int(q_df),
        q_pvalue=float(q_p),
        method=method_text,
        method_label=label,
        studies=tuple(kept_labels),
        events=tuple(int(e) for e in a),
        totals=tuple(int(e) for e in a + b),
        study_estimate=tuple(float(e) for e in np.exp(y)),
        study_ci_low=tuple(float(e) for e in np.exp(y - z * np.sqrt(v))),
        study_ci_high=tuple(float(e) for e in np.exp(y + z * np.sqrt(v))),
        weights=tuple(float(e) for e in pooled.weights),
        events_b=tuple(int(e) for e in c),
        totals_b=tuple(int(e) for e in c + d),
        corrected=tuple(bool(e) for e in zero),
        excluded=excluded,
    )
