"""Small-study effects: funnel-plot asymmetry tests and trim-and-fill.

With fewer than 10 studies these tests cannot tell chance asymmetry from
small-study effects (Sterne et al. 2011, BMJ 343:d4002): they warn
(:class:`~casestats.exceptions.SmallSampleWarning`), and refuse below 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import check_choice, check_confidence_level, fail
from casestats.stats._meta_input import Studies, back_transform, check_study_count, iv_studies
from casestats.stats.meta_regression import fit_model

__all__ = [
    "AsymmetryTestResult",
    "TrimFillResult",
    "begg_test",
    "egger_test",
    "peters_test",
    "trim_and_fill",
]

EGGER_MODELS = ("rma", "lm")
_MIN_STUDIES, _ADVISED_STUDIES = 3, 10


@dataclass(frozen=True, eq=False, repr=False)
class AsymmetryTestResult(Result):
    """A test of funnel-plot asymmetry.

    Attributes
    ----------
    test : str
        ``"egger"``, ``"peters"`` or ``"begg"``.
    statistic, pvalue : float
        The predictor's z (or t, with ``df``) for the regression tests;
        Kendall's tau for Begg's test.
    df : int or None
        Residual df of a t-test.
    limit_estimate, ci_low, ci_high : float
        Regression tests: the intercept, the effect expected of a study of
        infinite size (standard error or 1 / n of 0), on the natural scale,
        with its interval; NaN for Begg's test.
    method : str
        What ran, e.g. ``"rma-sei"``, ``"lm-sei"``, ``"lm-ninv"``, ``"kendall-exact"``.
    """

    test: str
    statistic: float
    pvalue: float
    df: int | None
    limit_estimate: float
    ci_low: float
    ci_high: float
    limit_mu: float
    limit_se: float
    confidence_level: float
    method: str
    description: str
    k: int
    measure: str
    labels: tuple[str, ...]
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    center: float

    def _repr_fields(self) -> dict:
        return {"test": self.test, "statistic": self.statistic, "pvalue": self.pvalue,
                "k": self.k}  # fmt: skip

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Interval of the limit estimate (NaN for Begg's test)."""
        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level)
        if self.df is not None:
            crit = stats.t.isf((1 - level) / 2, self.df)
        else:
            crit = stats.norm.isf((1 - level) / 2)
        back = back_transform(self.measure)
        half = crit * self.limit_se
        return ConfidenceInterval(float(back(self.limit_mu - half)),
                                  float(back(self.limit_mu + half)))  # fmt: skip

    def to_frame(self) -> pd.DataFrame:
        """One ``asymmetry`` row: the test, and the limit estimate with its interval."""
        row = {"group": "asymmetry", "level": self.test, "estimate": self.limit_estimate,
               "ci_low": self.ci_low, "ci_high": self.ci_high,
               "confidence_level": self.confidence_level, "statistic": self.statistic,
               "pvalue": self.pvalue, "method": self.method, "df": self.df, "k": self.k,
               "note": self.description}  # fmt: skip
        frame = tidy_frame([row], extra=["df", "k", "note"])
        frame["df"] = frame["df"].astype("Int64")
        return frame

    def _summary_lines(self) -> list[str]:
        name = {"egger": "Egger's regression test", "peters": "Peters' test",
                "begg": "Begg's rank correlation test"}[self.test]  # fmt: skip
        stat = {"begg": "Kendall's tau"}.get(self.test, "z" if self.df is None
                                              else f"t (df = {self.df})")  # fmt: skip
        lines = [f"{name} for funnel-plot asymmetry, {self.k} studies: {self.description}",
                 f"  {stat} = {self.statistic:.4g}, p = {self.pvalue:.3g}"]
        if math.isfinite(self.limit_estimate):
            pct = f"{100 * self.confidence_level:g}%"
            lines.append(f"  limit estimate (infinitely large study) = {self.limit_estimate:.4g}, "
                         f"{pct} CI {self.ci_low:.4g} to {self.ci_high:.4g}")  # fmt: skip
        return lines

    def plot(self, ax=None, **kwargs):
        """Funnel plot of the studies around the pooled estimate."""
        from casestats.plotting.funnel import funnel_plot

        frame = pd.DataFrame({"group": "study", "level": self.labels, "estimate": self.yi,
                              "se": np.sqrt(self.vi)})  # fmt: skip
        return funnel_plot(frame, center=self.center, measure=self.measure,
                           confidence_level=self.confidence_level, ax=ax, **kwargs)  # fmt: skip


def _wls(y, X, w):
    """Weighted least squares with the residual variance estimated (R's lm(weights=))."""
    xw = X * w[:, None]
    inv = np.linalg.inv(X.T @ xw)
    beta = inv @ (xw.T @ y)
    df = y.size - X.shape[1]
    sigma2 = float((w * (y - X @ beta) ** 2).sum() / df)
    return beta, np.sqrt(np.diag(sigma2 * inv)), df


def _regression_test(studies: Studies, result, test, predictor, x, model, weights, note):
    y, v, level = studies.y, studies.v, studies.level
    X = np.column_stack([np.ones(y.size), x])
    if model == "rma":
        fit = fit_model(y, v, X, studies.method, studies.hksj)
        beta, se, df = fit.beta, fit.se, fit.df
    else:
        beta, se, df = _wls(y, X, weights)
    stat = float(beta[1] / se[1])
    crit = stats.norm.isf((1 - level) / 2) if df is None else stats.t.isf((1 - level) / 2, df)
    if df is None:
        pvalue = float(2 * stats.norm.sf(abs(stat)))
    else:
        pvalue = float(2 * stats.t.sf(abs(stat), df))
    back = studies.back
    return AsymmetryTestResult(
        test=test, statistic=stat, pvalue=pvalue, df=df,
        limit_estimate=float(back(beta[0])), ci_low=float(back(beta[0] - crit * se[0])),
        ci_high=float(back(beta[0] + crit * se[0])), limit_mu=float(beta[0]),
        limit_se=float(se[0]), confidence_level=level, method=f"{model}-{predictor}",
        description=note, k=studies.k, measure=studies.measure, labels=studies.labels,
        yi=tuple(map(float, y)), vi=tuple(map(float, v)), center=float(result.mu),
    )  # fmt: skip


def egger_test(result, *, model: str = "rma") -> AsymmetryTestResult:
    """Egger's regression test for funnel-plot asymmetry (metafor's ``regtest``).

    Parameters
    ----------
    result : MetaProportionResult or MetaOddsRatioResult
        An inverse-variance meta-analysis (at least 3 studies).
    model : {"rma", "lm"}, default "rma"
        ``"rma"``: the mixed-effects meta-regression of the effects on their
        standard errors, with the result's tau² method and Knapp-Hartung choice
        (metafor's default, ``regtest(res)``). ``"lm"``: Egger's original
        weighted linear regression with a multiplicative dispersion, t with
        ``k - 2`` df (``regtest(res, model = "lm")``).

    Returns
    -------
    AsymmetryTestResult
        The test of the standard-error slope; the intercept is the limit
        estimate, the effect of a study with standard error 0.

    Warns
    -----
    SmallSampleWarning
        With fewer than 10 studies.

    Examples
    --------
    >>> import warnings
    >>> from casestats import meta_odds_ratios
    >>> res = meta_odds_ratios(
    ...     events_a=[12, 30, 5, 40, 3, 22], total_a=[60, 90, 50, 150, 25, 80],
    ...     events_b=[10, 8, 9, 10, 0, 15], total_b=[70, 85, 48, 160, 20, 75])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     egger = egger_test(res)
    >>> egger.method, round(egger.pvalue, 3)
    ('rma-sei', 0.877)
    """
    check_choice(model, EGGER_MODELS, "model")
    studies = iv_studies(result, "egger_test")
    check_study_count(studies.k, "egger_test", minimum=_MIN_STUDIES, advised=_ADVISED_STUDIES)
    sei = np.sqrt(studies.v)
    note = ("mixed-effects meta-regression on the standard error" if model == "rma"
            else "weighted linear regression on the standard error")  # fmt: skip
    return _regression_test(studies, result, "egger", "sei", sei, model, 1 / studies.v, note)


def peters_test(result) -> AsymmetryTestResult:
    """Peters' regression test for funnel-plot asymmetry of odds ratios.

    The log odds ratios are regressed on the inverse of the total sample size,
    weighted by ``1 / (1 / (events) + 1 / (non-events))`` over both arms, by
    weighted least squares (Peters et al. 2006, JAMA 295:676-680; as
    ``meta::metabias(method = "Peters")``). Unlike Egger's test, the predictor
    is not a function of the log odds ratio itself.

    Parameters
    ----------
    result : MetaOddsRatioResult
        An inverse-variance meta-analysis of odds ratios (it carries the
        per-study counts); at least 3 studies.

    Returns
    -------
    AsymmetryTestResult

    Warns
    -----
    SmallSampleWarning
        With fewer than 10 studies.

    Examples
    --------
    >>> import warnings
    >>> from casestats import meta_odds_ratios
    >>> res = meta_odds_ratios(
    ...     events_a=[12, 30, 5, 40, 3, 22], total_a=[60, 90, 50, 150, 25, 80],
    ...     events_b=[10, 8, 9, 10, 0, 15], total_b=[70, 85, 48, 160, 20, 75])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     peters = peters_test(res)
    >>> peters.method, peters.df
    ('lm-ninv', 4)
    """
    studies = iv_studies(result, "peters_test")
    if studies.measure != "OR" or not getattr(result, "events_b", ()):
        fail("the result given to peters_test", "a meta-analysis of odds ratios with per-study "
             "counts (meta_odds_ratios)", f"measure {studies.measure!r}")  # fmt: skip
    check_study_count(studies.k, "peters_test", minimum=_MIN_STUDIES, advised=_ADVISED_STUDIES)
    ea, na = np.asarray(result.events, float), np.asarray(result.total, float)
    eb, nb = np.asarray(result.events_b, float), np.asarray(result.total_b, float)
    n = na + nb
    events, non_events = ea + eb, n - ea - eb
    weights = 1 / (1 / events + 1 / non_events)
    note = "weighted linear regression of the log odds ratio on 1 / total sample size"
    return _regression_test(studies, result, "peters", "ninv", 1 / n, "lm", weights, note)


def begg_test(result) -> AsymmetryTestResult:
    """Begg and Mazumdar's rank correlation test for funnel-plot asymmetry (``ranktest``).

    Kendall's tau between the standardised deviates ``(yi - mu_FE) / sqrt(vi -
    var(mu_FE))`` (fixed-effect ``mu_FE``) and the variances ``vi``; the p-value
    is exact without ties (R's ``cor.test(method = "kendall", exact = TRUE)``),
    otherwise from the normal approximation with the tie-corrected variance.

    Parameters
    ----------
    result : MetaProportionResult or MetaOddsRatioResult
        An inverse-variance meta-analysis (at least 3 studies).

    Returns
    -------
    AsymmetryTestResult
        ``statistic`` is Kendall's tau.

    Warns
    -----
    SmallSampleWarning
        With fewer than 10 studies: the test has low power.

    Examples
    --------
    >>> import warnings
    >>> from casestats import meta_odds_ratios
    >>> res = meta_odds_ratios(
    ...     events_a=[12, 30, 5, 40, 3, 22], total_a=[60, 90, 50, 150, 25, 80],
    ...     events_b=[10, 8, 9, 10, 0, 15], total_b=[70, 85, 48, 160, 20, 75])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     begg = begg_test(res)
    >>> round(begg.statistic, 4), round(begg.pvalue, 4)
    (-0.3333, 0.4694)
    """
    studies = iv_studies(result, "begg_test")
    check_study_count(studies.k, "begg_test", minimum=_MIN_STUDIES, advised=_ADVISED_STUDIES)
    y, v = studies.y, studies.v
    w = 1 / v
    theta = (w * y).sum() / w.sum()
    deviates = (y - theta) / np.sqrt(v - 1 / w.sum())
    ties = len(np.unique(deviates)) < y.size or len(np.unique(v)) < y.size
    how = "asymptotic" if ties else "exact"
    tau, pvalue = stats.kendalltau(deviates, v, method=how)
    nan = math.nan
    return AsymmetryTestResult(
        test="begg", statistic=float(tau), pvalue=float(pvalue), df=None, limit_estimate=nan,
        ci_low=nan, ci_high=nan, limit_mu=nan, limit_se=nan, confidence_level=studies.level,
        method=f"kendall-{how}",
        description=f"Kendall's tau of standardised effects and variances ({how} p-value)",
        k=studies.k, measure=studies.measure, labels=studies.labels,
        yi=tuple(map(float, y)), vi=tuple(map(float, v)), center=float(result.mu),
    )  # fmt: skip


# --------------------------------------------------------------------------
# trim and fill
# --------------------------------------------------------------------------

SIDES = ("left", "right")


@dataclass(frozen=True, eq=False, repr=False)
class TrimFillResult(Result):
    """Trim-and-fill: the studies estimated missing and the pooled estimate with them.

    Attributes
    ----------
    k0 : int
        Number of studies estimated missing (L0 estimator), ``se_k0`` its SE.
    side : {"left", "right"}
        Side of the funnel on which studies were filled.
    estimate, ci_low, ci_high, mu, se, statistic, pvalue, tau2 : float
        The meta-analysis of observed plus filled studies (natural scale; ``mu``
        and ``se`` on the analysis scale), by the original tau² method.
    original_estimate : float
        The original pooled estimate (natural scale).
    labels, yi, vi, filled : tuple
        All studies, the filled ones last (``filled`` True, labelled
        ``"filled 1"`` ...).
    """

    k0: int
    se_k0: float
    side: str
    estimate: float
    ci_low: float
    ci_high: float
    mu: float
    se: float
    statistic: float
    pvalue: float
    tau2: float
    df: int | None
    original_estimate: float
    confidence_level: float
    method: str
    hksj: bool
    measure: str
    labels: tuple[str, ...]
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    filled: tuple[bool, ...]

    def _repr_fields(self) -> dict:
        return {"k0": self.k0, "side": self.side, "estimate": self.estimate,
                "original_estimate": self.original_estimate}  # fmt: skip

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Interval of the filled-in pooled estimate (natural scale)."""
        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level)
        if self.df is not None:
            crit = stats.t.isf((1 - level) / 2, self.df)
        else:
            crit = stats.norm.isf((1 - level) / 2)
        back = back_transform(self.measure)
        return ConfidenceInterval(float(back(self.mu - crit * self.se)),
                                  float(back(self.mu + crit * self.se)))  # fmt: skip

    def to_frame(self) -> pd.DataFrame:
        """``study`` and ``filled`` rows (analysis scale), then the ``pooled`` row."""
        back = back_transform(self.measure)
        token = f"{self.method}-knha" if self.hksj else self.method
        rows = [{"group": "filled" if f else "study", "level": lab, "estimate": float(back(y)),
                 "yi": y, "se": math.sqrt(v)}
                for lab, y, v, f in zip(self.labels, self.yi, self.vi, self.filled, strict=True)]
        rows.append({"group": "pooled", "level": f"trim and fill ({self.k0} filled, "
                     f"{self.side})", "estimate": self.estimate, "ci_low": self.ci_low,
                     "ci_high": self.ci_high, "confidence_level": self.confidence_level,
                     "statistic": self.statistic, "pvalue": self.pvalue, "method": token,
                     "yi": self.mu, "se": self.se, "tau2": self.tau2, "k0": self.k0,
                     "se_k0": self.se_k0})  # fmt: skip
        frame = tidy_frame(rows, extra=["yi", "se", "tau2", "k0", "se_k0"])
        frame["k0"] = frame["k0"].astype("Int64")
        return frame

    def _summary_lines(self) -> list[str]:
        pct = f"{100 * self.confidence_level:g}%"
        return [
            f"Trim and fill (L0): {self.k0} studies estimated missing on the {self.side} "
            f"(SE {self.se_k0:.3g}); tau² by {self.method.upper()}",
            f"  with filled studies: {self.estimate:.4g}, {pct} CI {self.ci_low:.4g} to "
            f"{self.ci_high:.4g}, p = {self.pvalue:.3g}; original estimate "
            f"{self.original_estimate:.4g}",
            "  a sensitivity analysis: filled studies are mirror images, not data",
        ]

    def plot(self, ax=None, **kwargs):
        """Funnel plot around the filled-in estimate; filled studies drawn open."""
        from casestats.plotting.funnel import funnel_plot

        frame = self.to_frame()
        frame = frame[frame["group"] != "pooled"].assign(estimate=lambda f: f["yi"])
        return funnel_plot(frame, center=self.mu, measure=self.measure,
                           confidence_level=self.confidence_level, ax=ax, **kwargs)  # fmt: skip


def _l0(y, v, method: str) -> tuple[int, float, float]:
    """Iterate the L0 estimator on effects sorted ascending (missing on the left)."""
    k = y.size
    k0, previous = 0, -1
    for _ in range(1000):
        if k0 == previous:
            break
        previous = k0
        beta = float(fit_model(y[: k - k0], v[: k - k0], np.ones((k - k0, 1)), method,
                               False).beta[0])  # fmt: skip
        centred = y - beta
        ranks = np.empty(k)
        ranks[np.argsort(np.abs(centred), kind="stable")] = np.arange(1, k + 1)
        s_r = float(ranks[centred > 0].sum())
        l0 = (4 * s_r - k * (k + 1)) / (2 * k - 1)
        var_sr = (k * (k + 1) * (2 * k + 1) + 10 * l0**3 + 27 * l0**2 + 17 * l0
                  - 18 * k * l0**2 - 18 * k * l0 + 6 * k**2 * l0) / 24  # fmt: skip
        # R takes sqrt of a negative variance to NaN, and metafor reports that NaN.
        se_k0 = 4 * math.sqrt(var_sr) / (2 * k - 1) if var_sr >= 0 else math.nan
        k0 = max(0, round(l0))
    else:  # pragma: no cover - the L0 iteration settles in a few steps
        raise RuntimeError("trim and fill did not converge")
    return k0, se_k0 if math.isnan(se_k0) else max(0.0, se_k0), beta


def trim_and_fill(result, *, side: str | None = None) -> TrimFillResult:
    """Duval and Tweedie's trim-and-fill (L0 estimator), as metafor's ``trimfill``.

    Parameters
    ----------
    result : MetaProportionResult or MetaOddsRatioResult
        An inverse-variance meta-analysis (at least 3 studies).
    side : {"left", "right"}, optional
        Side on which studies are presumed missing. By default chosen as
        metafor does: the left when the slope of the effects on their standard
        errors (meta-regression with the result's tau² method) is positive.

    Returns
    -------
    TrimFillResult

    Warns
    -----
    SmallSampleWarning
        With fewer than 10 studies.

    Notes
    -----
    The studies are trimmed and the pooled estimate refitted until the L0
    estimate of the number missing settles; the ``k0`` most extreme studies
    are then mirrored about the trimmed estimate and all are pooled by the
    original tau² method and Knapp-Hartung choice. (metafor's ``trimfill``
    fits the filled-in studies with a z-test unless ``test="knha"`` is passed
    to it again; casestats keeps the result's choice.) Trim-and-fill assumes
    asymmetry is due to missing studies; read it as a sensitivity analysis.

    Examples
    --------
    >>> import warnings
    >>> from casestats import meta_odds_ratios
    >>> res = meta_odds_ratios(
    ...     events_a=[12, 30, 5, 40, 3, 22], total_a=[60, 90, 50, 150, 25, 80],
    ...     events_b=[10, 8, 9, 10, 0, 15], total_b=[70, 85, 48, 160, 20, 75])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     tf = trim_and_fill(res)
    >>> tf.k0, tf.side
    (1, 'left')
    """
    studies = iv_studies(result, "trim_and_fill")
    check_study_count(studies.k, "trim_and_fill", minimum=_MIN_STUDIES, advised=_ADVISED_STUDIES)
    y, v, k = studies.y, studies.v, studies.k
    if side is None:
        slope = fit_model(y, v, np.column_stack([np.ones(k), np.sqrt(v)]), studies.method,
                          False).beta[1]  # fmt: skip
        side = "right" if slope < 0 else "left"
    check_choice(side, SIDES, "side")
    sign = -1.0 if side == "right" else 1.0
    order = np.argsort(sign * y, kind="stable")
    ys, vs = sign * y[order], v[order]
    k0, se_k0, beta = _l0(ys, vs, studies.method)
    fill_y = sign * (2 * beta - ys[k - k0:])
    all_y = np.concatenate([y, fill_y])
    all_v = np.concatenate([v, vs[k - k0:]])
    fit = fit_model(all_y, all_v, np.ones((all_y.size, 1)), studies.method, studies.hksj)
    mu, se = float(fit.beta[0]), float(fit.se[0])
    crit = fit.crit(studies.level)
    z = mu / se
    back = studies.back
    return TrimFillResult(
        k0=int(k0), se_k0=float(se_k0), side=side, estimate=float(back(mu)),
        ci_low=float(back(mu - crit * se)), ci_high=float(back(mu + crit * se)), mu=mu, se=se,
        statistic=float(z), pvalue=float(fit.pvalues(np.array([z]))[0]), tau2=fit.tau2,
        df=fit.df, original_estimate=float(result.estimate), confidence_level=studies.level,
        method=studies.method, hksj=studies.hksj, measure=studies.measure,
        labels=studies.labels + tuple(f"filled {j + 1}" for j in range(k0)),
        yi=tuple(map(float, all_y)), vi=tuple(map(float, all_v)),
        filled=(False,) * k + (True,) * k0,
    )  # fmt: skip
