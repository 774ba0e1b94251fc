"""Leave-one-out meta-analyses and case-deletion influence diagnostics.

Both refit the meta-analysis without each study in turn, with the same tau²
method and Knapp-Hartung choice, as metafor's ``leave1out`` and
``influence.rma.uni``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import check_confidence_level
from casestats.stats._meta_input import back_transform, check_study_count, iv_studies
from casestats.stats._tau2 import cochran_q_test, i2
from casestats.stats.meta_regression import ModelFit, fit_model

__all__ = ["InfluenceResult", "LeaveOneOutResult", "influence", "leave_one_out"]


def _intercept_fit(y, v, method, hksj) -> ModelFit:
    return fit_model(y, v, np.ones((y.size, 1)), method, hksj)


def _without(studies, i):
    keep = np.arange(studies.k) != i
    return studies.y[keep], studies.v[keep]


@dataclass(frozen=True, eq=False, repr=False)
class LeaveOneOutResult(Result):
    """The meta-analysis refitted without each study in turn.

    Attributes
    ----------
    labels : tuple of str
        The study left out in each row.
    estimate, ci_low, ci_high : tuple of float
        Pooled estimate without that study (natural scale) and its interval.
    mu, se, statistic, pvalue : tuple of float
        Analysis-scale estimate, its standard error and z-test (t, ``k - 2`` df,
        under Knapp-Hartung).
    q, q_pvalue, tau2, i2, h2 : tuple of float
        Heterogeneity of the remaining studies.
    full_estimate, full_ci_low, full_ci_high : float
        The estimate from all studies, for reference.
    """

    labels: tuple[str, ...]
    estimate: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    mu: tuple[float, ...]
    se: tuple[float, ...]
    statistic: tuple[float, ...]
    pvalue: tuple[float, ...]
    q: tuple[float, ...]
    q_pvalue: tuple[float, ...]
    tau2: tuple[float, ...]
    i2: tuple[float, ...]
    h2: tuple[float, ...]
    full_estimate: float
    full_ci_low: float
    full_ci_high: float
    method: str
    hksj: bool
    confidence_level: float
    measure: str

    @property
    def k(self) -> int:
        return len(self.labels)

    def _repr_fields(self) -> dict:
        return {"method": self.method, "k": self.k, "full_estimate": self.full_estimate,
                "min": min(self.estimate), "max": max(self.estimate)}  # fmt: skip

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Interval of each leave-one-out estimate (Series indexed by the study left out)."""
        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level)
        if self.hksj:
            crit = stats.t.isf((1 - level) / 2, self.k - 2)
        else:
            crit = stats.norm.isf((1 - level) / 2)
        mu, se = np.asarray(self.mu), np.asarray(self.se)
        back = back_transform(self.measure)
        index = pd.Index(self.labels, name="omitted")
        return ConfidenceInterval(pd.Series(back(mu - crit * se), index=index),
                                  pd.Series(back(mu + crit * se), index=index))  # fmt: skip

    def to_frame(self) -> pd.DataFrame:
        """One ``omitted`` row per study left out, then the ``pooled`` row of all studies."""
        token = f"{self.method}-knha" if self.hksj else self.method
        rows = [{"group": "omitted", "level": lab, "estimate": self.estimate[i],
                 "ci_low": self.ci_low[i], "ci_high": self.ci_high[i],
                 "confidence_level": self.confidence_level, "statistic": self.statistic[i],
                 "pvalue": self.pvalue[i], "method": token, "mu": self.mu[i], "se": self.se[i],
                 "q": self.q[i], "q_pvalue": self.q_pvalue[i], "tau2": self.tau2[i],
                 "i2": self.i2[i], "h2": self.h2[i]}
                for i, lab in enumerate(self.labels)]  # fmt: skip
        rows.append({"group": "pooled", "level": "all studies", "estimate": self.full_estimate,
                     "ci_low": self.full_ci_low, "ci_high": self.full_ci_high,
                     "confidence_level": self.confidence_level, "method": token})  # fmt: skip
        return tidy_frame(rows, extra=["mu", "se", "q", "q_pvalue", "tau2", "i2", "h2"])

    def _summary_lines(self) -> list[str]:
        pct = f"{100 * self.confidence_level:g}%"
        lines = [f"Leave-one-out analysis of {self.k} studies, tau² by {self.method.upper()}"
                 f"{', Knapp-Hartung' if self.hksj else ''}; all studies: "
                 f"{self.full_estimate:.4g} ({self.full_ci_low:.4g} to {self.full_ci_high:.4g})"]
        for i, lab in enumerate(self.labels):
            lines.append(f"  without {lab}: {self.estimate[i]:.4g} ({pct} CI {self.ci_low[i]:.4g}"
                         f" to {self.ci_high[i]:.4g}), p = {self.pvalue[i]:.3g}, "
                         f"tau² = {self.tau2[i]:.3g}, I² = {self.i2[i]:.0f}%")  # fmt: skip
        return lines

    def plot(self, ax=None, **kwargs):
        """Leave-one-out plot: each estimate without one study, the all-studies diamond below."""
        from casestats.plotting.diagnostics import leave_one_out_plot

        return leave_one_out_plot(self.to_frame(), measure=self.measure, ax=ax, **kwargs)


def leave_one_out(result, *, confidence_level: float | None = None) -> LeaveOneOutResult:
    """Refit the meta-analysis without each study in turn (metafor's ``leave1out``).

    Parameters
    ----------
    result : MetaProportionResult or MetaOddsRatioResult
        An inverse-variance meta-analysis with at least 3 studies.
    confidence_level : float, optional
        The result's level by default.

    Returns
    -------
    LeaveOneOutResult

    Examples
    --------
    >>> from casestats import meta_odds_ratios
    >>> res = meta_odds_ratios(
    ...     events_a=[12, 30, 5, 40, 3, 22], total_a=[60, 90, 50, 150, 25, 80],
    ...     events_b=[10, 8, 9, 10, 0, 15], total_b=[70, 85, 48, 160, 20, 75])
    >>> loo = leave_one_out(res)
    >>> [round(e, 2) for e in loo.estimate]
    [2.41, 1.83, 2.92, 1.75, 2.07, 2.42]
    """
    studies = iv_studies(result, "leave_one_out", confidence_level)
    check_study_count(studies.k, "leave_one_out", minimum=3)
    level, back = studies.level, studies.back
    cols: dict[str, list[float]] = {n: [] for n in ("mu", "se", "lo", "hi", "z", "p", "q", "qp",
                                                    "tau2", "i2")}  # fmt: skip
    for i in range(studies.k):
        y, v = _without(studies, i)
        fit = _intercept_fit(y, v, studies.method, studies.hksj)
        mu, se = float(fit.beta[0]), float(fit.se[0])
        crit = fit.crit(level)
        q, _, qp = cochran_q_test(y, v)
        z = mu / se
        for name, value in (("mu", mu), ("se", se), ("lo", back(mu - crit * se)),
                            ("hi", back(mu + crit * se)), ("z", z),
                            ("p", float(fit.pvalues(np.array([z]))[0])), ("q", q), ("qp", qp),
                            ("tau2", fit.tau2), ("i2", i2(fit.tau2, v))):  # fmt: skip
            cols[name].append(float(value))
    return LeaveOneOutResult(
        labels=studies.labels, estimate=tuple(float(back(m)) for m in cols["mu"]),
        ci_low=tuple(cols["lo"]), ci_high=tuple(cols["hi"]), mu=tuple(cols["mu"]),
        se=tuple(cols["se"]), statistic=tuple(cols["z"]), pvalue=tuple(cols["p"]),
        q=tuple(cols["q"]), q_pvalue=tuple(cols["qp"]), tau2=tuple(cols["tau2"]),
        i2=tuple(cols["i2"]), h2=tuple(100 / (100 - e) for e in cols["i2"]),
        full_estimate=float(result.estimate), full_ci_low=float(result.ci_low),
        full_ci_high=float(result.ci_high), method=studies.method, hksj=studies.hksj,
        confidence_level=level, measure=studies.measure,
    )  # fmt: skip


# --------------------------------------------------------------------------
# influence diagnostics
# --------------------------------------------------------------------------

_DIAGNOSTICS = ("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "q_del", "hat", "weight",
                "dfbetas")  # fmt: skip


@dataclass(frozen=True, eq=False, repr=False)
class InfluenceResult(Result):
    """Case-deletion diagnostics of each study (metafor's ``influence.rma.uni``).

    Attributes
    ----------
    labels : tuple of str
        Studies.
    rstudent : tuple of float
        Externally studentised residual: ``(yi - mu(-i)) / sqrt(vi + tau²(-i) +
        se(-i)²)`` (the first two scaled under Knapp-Hartung).
    dffits, cook_d, cov_r, dfbetas : tuple of float
        Change in the fitted value (standardised), Cook's distance, covariance
        ratio and the standardised change of the pooled estimate.
    tau2_del, q_del : tuple of float
        tau² and Cochran's Q without the study.
    hat, weight : tuple of float
        Leverage and weight (percent) of the study in the full fit.
    influential : tuple of bool
        metafor's rule: ``|dffits| > 3 sqrt(1 / (k - 1))``, or the chi²(1)
        cdf of Cook's distance above 0.5, or ``hat > 3 / k``, or
        ``|dfbetas| > 1``.
    """

    labels: tuple[str, ...]
    rstudent: tuple[float, ...]
    dffits: tuple[float, ...]
    cook_d: tuple[float, ...]
    cov_r: tuple[float, ...]
    tau2_del: tuple[float, ...]
    q_del: tuple[float, ...]
    hat: tuple[float, ...]
    weight: tuple[float, ...]
    dfbetas: tuple[float, ...]
    influential: tuple[bool, ...]
    method: str
    hksj: bool

    @property
    def k(self) -> int:
        return len(self.labels)

    def _repr_fields(self) -> dict:
        return {"method": self.method, "k": self.k, "influential": sum(self.influential),
                "max_cook_d": max(self.cook_d)}  # fmt: skip

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Diagnostics have no interval."""
        raise NotImplementedError("influence diagnostics have no confidence interval")

    def to_frame(self) -> pd.DataFrame:
        """One ``study`` row per study with the diagnostics as columns."""
        token = f"{self.method}-knha" if self.hksj else self.method
        rows = [{"group": "study", "level": lab, "statistic": self.rstudent[i], "method": token,
                 **{name: getattr(self, name)[i] for name in _DIAGNOSTICS},
                 "influential": self.influential[i]}
                for i, lab in enumerate(self.labels)]  # fmt: skip
        return tidy_frame(rows, extra=[*_DIAGNOSTICS, "influential"])

    def _summary_lines(self) -> list[str]:
        lines = [f"Influence diagnostics of {self.k} studies, tau² by {self.method.upper()} "
                 "(* = influential by metafor's rule)",
                 f"  {'study':<20} {'rstudent':>8} {'dffits':>7} {'cook.d':>7} {'cov.r':>6} "
                 f"{'tau2.del':>8} {'QE.del':>7} {'hat':>5} {'weight':>6}"]  # fmt: skip
        for i, lab in enumerate(self.labels):
            lines.append(f"  {lab[:20]:<20} {self.rstudent[i]:>8.3f} {self.dffits[i]:>7.3f} "
                         f"{self.cook_d[i]:>7.3f} {self.cov_r[i]:>6.3f} {self.tau2_del[i]:>8.4f} "
                         f"{self.q_del[i]:>7.3f} {self.hat[i]:>5.3f} {self.weight[i]:>6.2f}"
                         f"{' *' if self.influential[i] else ''}")  # fmt: skip
        return lines

    def plot(self, ax=None, **kwargs):
        """Cook's distance per study; influential studies in a second colour."""
        from casestats.plotting.diagnostics import influence_plot

        return influence_plot(self.to_frame(), ax=ax, **kwargs)


def influence(result) -> InfluenceResult:
    """Case-deletion influence diagnostics of each study (metafor's ``influence``).

    Parameters
    ----------
    result : MetaProportionResult or MetaOddsRatioResult
        An inverse-variance meta-analysis with at least 3 studies.

    Returns
    -------
    InfluenceResult

    Notes
    -----
    Each study is deleted and the model refitted with the same tau² method
    (Viechtbauer & Cheung 2010, Res Synth Methods 1:112-125). Cook's distance
    uses the full fit's variance of the pooled estimate; the covariance ratio
    is the deleted fit's variance over the full one; DFFITS and DFBETAS are
    scaled by the deleted fit's tau² (and Knapp-Hartung factor).

    Examples
    --------
    >>> from casestats import meta_odds_ratios
    >>> res = meta_odds_ratios(
    ...     events_a=[12, 30, 5, 40, 3, 22], total_a=[60, 90, 50, 150, 25, 80],
    ...     events_b=[10, 8, 9, 10, 0, 15], total_b=[70, 85, 48, 160, 20, 75])
    >>> inf = influence(res)
    >>> [round(d, 3) for d in inf.cook_d]
    [0.047, 0.218, 0.485, 0.346, 0.025, 0.053]
    """
    studies = iv_studies(result, "influence")
    k = studies.k
    check_study_count(k, "influence", minimum=3)
    y, v = studies.y, studies.v
    full = _intercept_fit(y, v, studies.method, studies.hksj)
    mu, vb = float(full.beta[0]), float(full.vb[0, 0])
    w = 1.0 / (v + full.tau2)
    hat = w / w.sum()
    out: dict[str, list[float]] = {name: [] for name in _DIAGNOSTICS}
    for i in range(k):
        yd, vd = _without(studies, i)
        fit = _intercept_fit(yd, vd, studies.method, studies.hksj)
        mu_d, vb_d, tau2_d, s2w = float(fit.beta[0]), float(fit.vb[0, 0]), fit.tau2, fit.s2w
        out["rstudent"].append((y[i] - mu_d) / np.sqrt(v[i] * s2w + vb_d + tau2_d * s2w))
        out["dffits"].append((mu - mu_d) / np.sqrt(s2w * hat[i] * (tau2_d + v[i])))
        vb_all = 1.0 / (1.0 / (v + tau2_d)).sum()  # all studies weighted by the deleted tau²
        out["dfbetas"].append((mu - mu_d) / np.sqrt(s2w * vb_all))
        out["cook_d"].append((mu - mu_d) ** 2 / vb)
        out["cov_r"].append(vb_d / vb)
        out["tau2_del"].append(tau2_d)
        out["q_del"].append(cochran_q_test(yd, vd)[0])
    out["hat"] = list(hat)
    out["weight"] = list(100 * hat)
    flag = ((np.abs(out["dffits"]) > 3 * np.sqrt(1 / (k - 1)))
            | (stats.chi2.cdf(out["cook_d"], 1) > 0.5) | (hat > 3 / k)
            | (np.abs(out["dfbetas"]) > 1))  # fmt: skip
    return InfluenceResult(
        labels=studies.labels, **{name: tuple(map(float, out[name])) for name in _DIAGNOSTICS},
        influential=tuple(bool(f) for f in flag), method=studies.method, hksj=studies.hksj,
    )  # fmt: skip
