"""Subgroup analysis of a meta-analysis: one pooled estimate per subgroup and the test
for subgroup differences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import check_choice, check_confidence_level, fail
from casestats.stats._meta_input import back_transform, iv_studies
from casestats.stats._tau2 import cochran_q_test, i2
from casestats.stats.meta_regression import fit_model

__all__ = ["SubgroupResult", "subgroup_analysis"]

TAU2_CHOICES = ("separate", "common")


@dataclass(frozen=True, eq=False, repr=False)
class SubgroupResult(Result):
    """Pooled estimate per subgroup and the test for subgroup differences.

    Attributes
    ----------
    subgroups : tuple of str
        Subgroup names, in order of first appearance.
    k : tuple of int
        Studies per subgroup.
    estimate, ci_low, ci_high : tuple of float
        Pooled estimate per subgroup (natural scale, e.g. odds ratio).
    mu, se : tuple of float
        The same on the analysis scale (e.g. log odds ratio) and its standard error.
    statistic, pvalue : tuple of float
        z-test (t under Knapp-Hartung) of each subgroup's effect.
    tau2, i2, q, q_df, q_pvalue : tuple
        Within-subgroup tau², I² and Cochran's Q with its df and p.
    q_between, q_between_df, q_between_pvalue : float, int, float
        Test for subgroup differences (chi-square; with a common tau² under
        Knapp-Hartung, an F statistic with (``q_between_df``, ``df``) df).
    subgroup_df : tuple of int or None
        The t degrees of freedom behind each subgroup's interval (None: normal).
    by : tuple of str
        The subgroup of each pooled study, in the order of ``overall.labels``.
    overall : meta-analysis result
        The analysis of all studies that was split (its studies and pooled row
        are drawn by :meth:`plot`).
    tau2_model : {"separate", "common"}
        How tau² was estimated: separately within each subgroup, or one tau²
        shared by all (the residual tau² of the meta-regression on the subgroup).
    """

    subgroups: tuple[str, ...]
    k: tuple[int, ...]
    estimate: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    mu: tuple[float, ...]
    se: tuple[float, ...]
    statistic: tuple[float, ...]
    pvalue: tuple[float, ...]
    tau2: tuple[float, ...]
    i2: tuple[float, ...]
    q: tuple[float, ...]
    q_df: tuple[int, ...]
    q_pvalue: tuple[float, ...]
    q_between: float
    q_between_df: int
    q_between_pvalue: float
    df: int | None
    tau2_model: str
    method: str
    hksj: bool
    confidence_level: float
    measure: str
    scale: str
    subgroup_df: tuple[int | None, ...] = ()
    by: tuple[str, ...] = ()
    overall: Result | None = None

    def _repr_fields(self) -> dict:
        return {"tau2_model": self.tau2_model, "method": self.method,
                "q_between": self.q_between, "q_between_pvalue": self.q_between_pvalue}  # fmt: skip

    def _crit(self, level: float, j: int) -> float:
        df = self.subgroup_df[j]
        if df is None:
            return float(stats.norm.isf((1 - level) / 2))
        return float(stats.t.isf((1 - level) / 2, df))

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Interval of each subgroup's pooled estimate (Series indexed by subgroup)."""
        level = self.confidence_level if confidence_level is None else confidence_level
        level = check_confidence_level(level)
        back = back_transform(self.measure)
        low, high = [], []
        for j, (mu, se) in enumerate(zip(self.mu, self.se, strict=True)):
            half = self._crit(level, j) * se
            low.append(float(back(mu - half)))
            high.append(float(back(mu + half)))
        index = pd.Index(self.subgroups, name="subgroup")
        return ConfidenceInterval(pd.Series(low, index=index), pd.Series(high, index=index))

    def to_frame(self) -> pd.DataFrame:
        """``subgroup`` rows, then the ``subgroup differences`` test row."""
        token = f"{self.method}-knha" if self.hksj else self.method
        rows = [{"group": "subgroup", "level": name, "estimate": self.estimate[j],
                 "ci_low": self.ci_low[j], "ci_high": self.ci_high[j],
                 "confidence_level": self.confidence_level, "statistic": self.statistic[j],
                 "pvalue": self.pvalue[j], "method": token, "k": self.k[j], "mu": self.mu[j],
                 "se": self.se[j], "tau2": self.tau2[j], "i2": self.i2[j], "q": self.q[j],
                 "q_df": self.q_df[j], "q_pvalue": self.q_pvalue[j]}
                for j, name in enumerate(self.subgroups)]  # fmt: skip
        rows.append({"group": "subgroup differences", "level": f"{self.tau2_model} tau²",
                     "statistic": self.q_between, "pvalue": self.q_between_pvalue,
                     "method": "f" if self.df is not None else "chi-square",
                     "q_df": self.q_between_df, "note": _TAU2_NOTES[self.tau2_model]})  # fmt: skip
        frame = tidy_frame(rows, extra=["k", "mu", "se", "tau2", "i2", "q", "q_df", "q_pvalue",
                                        "note"])  # fmt: skip
        for name in ("k", "q_df"):
            frame[name] = frame[name].astype("Int64")
        return frame

    def _summary_lines(self) -> list[str]:
        pct = f"{100 * self.confidence_level:g}%"
        lines = [f"Subgroup analysis ({self.scale}), tau² by {self.method.upper()}, "
                 f"{_TAU2_NOTES[self.tau2_model]}"]  # fmt: skip
        for j, name in enumerate(self.subgroups):
            lines.append(f"  {name}: k = {self.k[j]}, {self.estimate[j]:.4g} ({pct} CI "
                         f"{self.ci_low[j]:.4g} to {self.ci_high[j]:.4g}), p = "
                         f"{self.pvalue[j]:.3g}; tau² = {self.tau2[j]:.3g}, "
                         f"I² = {self.i2[j]:.0f}%")  # fmt: skip
        test = (f"F({self.q_between_df}, {self.df})" if self.df is not None
                else f"Q (df = {self.q_between_df})")  # fmt: skip
        lines.append(f"  test for subgroup differences: {test} = {self.q_between:.4g}, "
                     f"p = {self.q_between_pvalue:.3g}")  # fmt: skip
        return lines

    def test_text(self) -> str:
        """The test for subgroup differences in words, naming how tau² was estimated."""
        test = (f"F({self.q_between_df}, {self.df}) = {self.q_between:.2f}" if self.df is not None
                else f"Q = {self.q_between:.2f}, df = {self.q_between_df}")  # fmt: skip
        p = self.q_between_pvalue
        p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
        return f"Test for subgroup differences ({_TAU2_SHORT[self.tau2_model]}): {test}, {p_text}"

    def plot(self, ax=None, **kwargs):
        """Forest plot by subgroup: each subgroup's studies and diamond, then the overall.

        Each subgroup is headed by its name, its studies follow and its pooled
        estimate is drawn as a diamond labelled with k and I²; the overall
        pooled estimate (and its prediction interval) of the analysis that was
        split comes last, and the test for subgroup differences, naming the
        approach (separate or common tau²), is printed under the plot with the
        overall test. Keywords go to :func:`casestats.plotting.forest_plot`
        (``favours``, ``columns``, ``labels``...).
        """
        from casestats.plotting import forest_plot

        if self.overall is None:
            fail("SubgroupResult.plot", "a result made by subgroup_analysis", "no studies")
        whole = self.overall.to_frame()
        studies = whole[whole["group"] == "study"].assign(subgroup=list(self.by))
        pooled = whole[whole["group"] == "pooled"]
        own = self.to_frame()
        subtotals = own[own["group"] == "subgroup"].assign(group="subgroup")
        test = own[own["group"] == "subgroup differences"].assign(test=self.test_text())
        frame = pd.concat([studies, subtotals, pooled, test], ignore_index=True)
        heterogeneity = getattr(self.overall, "heterogeneity", None)
        return forest_plot(
            frame, scale=self.overall.scale, ax=ax,
            heterogeneity=None if heterogeneity is None
            else "Overall heterogeneity: " + heterogeneity.text(), **kwargs,
        )  # fmt: skip


_TAU2_SHORT = {"separate": "separate τ² per subgroup", "common": "common τ²"}

_TAU2_NOTES = {
    "separate": "separate tau² per subgroup (fixed-effect test of the subgroup estimates)",
    "common": "common tau² (meta-regression on the subgroup)",
}


def _subgroup_labels(by, labels) -> tuple[np.ndarray, list[str]]:
    values = pd.Series(list(by) if not isinstance(by, pd.Series) else by.to_list(), dtype=object)
    if len(values) != len(labels):
        fail("by", f"one subgroup per pooled study ({len(labels)}, in the order of "
             "result.labels)", f"{len(values)} values")  # fmt: skip
    missing = [f"row {i} ({labels[i]!r})" for i in np.flatnonzero(values.isna().to_numpy())]
    if missing:
        fail("by", "a subgroup for every study", "missing at " + ", ".join(missing))
    names = list(dict.fromkeys(values.astype(str)))
    if len(names) < 2:
        fail("by", "at least two subgroups", names)
    return values.astype(str).to_numpy(), names


def subgroup_analysis(
    result,
    by: Sequence,
    *,
    tau2: str = "separate",
    confidence_level: float | None = None,
) -> SubgroupResult:
    """Pooled estimate per subgroup and the test for subgroup differences.

    Parameters
    ----------
    result : MetaProportionResult or MetaOddsRatioResult
        An inverse-variance meta-analysis; its method and Knapp-Hartung choice
        are used within the subgroups.
    by : sequence
        The subgroup of each pooled study, in the order of ``result.labels``.
    tau2 : {"separate", "common"}, default "separate"
        ``"separate"``: each subgroup is pooled on its own (its own tau²) and the
        subgroup estimates are compared by a fixed-effect Q test, as the R
        package meta's ``subgroup`` does by default and as metafor's manual
        shows (``rma(estimates, sei = se, method = "FE")``). ``"common"``: one
        tau² shared by the subgroups, the meta-regression
        ``rma(yi, vi, mods = ~ factor(by))`` whose moderator test is the test
        for subgroup differences.
    confidence_level : float, optional
        The result's level by default.

    Returns
    -------
    SubgroupResult

    Notes
    -----
    A subgroup of one study has tau² = 0 under ``"separate"``. Separate tau²
    are imprecise in small subgroups; a common tau² borrows strength but
    assumes the same spread in every subgroup. Within-subgroup Q uses the
    weights ``1 / vi``; I² uses each subgroup's tau² (the common one under
    ``"common"``, with the subgroup's typical within-study variance).

    Examples
    --------
    >>> from casestats import meta_odds_ratios
    >>> res = meta_odds_ratios(
    ...     events_a=[12, 30, 5, 40, 3, 22], total_a=[60, 90, 50, 150, 25, 80],
    ...     events_b=[10, 8, 9, 10, 0, 15], total_b=[70, 85, 48, 160, 20, 75])
    >>> sub = subgroup_analysis(res, ["exam", "x-ray", "exam", "x-ray", "exam", "x-ray"])
    >>> sub.subgroups, sub.q_between_df
    (('exam', 'x-ray'), 1)
    """
    studies = iv_studies(result, "subgroup_analysis", confidence_level)
    check_choice(tau2, TAU2_CHOICES, "tau2")
    groups, names = _subgroup_labels(by, studies.labels)
    y, v, level = studies.y, studies.v, studies.level
    members = [groups == name for name in names]
    if tau2 == "separate":
        fits = [fit_model(y[m], v[m], np.ones((m.sum(), 1)), studies.method, studies.hksj)
                for m in members]  # fmt: skip
        mu = np.array([f.beta[0] for f in fits])
        se = np.array([f.se[0] for f in fits])
        tau2s = [f.tau2 for f in fits]
        dfs = [f.df for f in fits]
        w = 1 / se**2
        q_between = float((w * (mu - (w * mu).sum() / w.sum()) ** 2).sum())
        q_p, test_df = float(stats.chi2.sf(q_between, len(names) - 1)), None
    else:
        dummies = np.column_stack([m.astype(float) for m in members])
        cells = fit_model(y, v, dummies, studies.method, studies.hksj)
        contrast = fit_model(y, v, np.column_stack([np.ones(y.size), dummies[:, 1:]]),
                             studies.method, studies.hksj)  # fmt: skip
        mu, se = cells.beta, cells.se
        tau2s = [cells.tau2] * len(names)
        dfs = [cells.df] * len(names)
        q_between, q_p, test_df = contrast.qm, contrast.qm_pvalue, contrast.df
    crits = [stats.norm.isf((1 - level) / 2) if d is None else stats.t.isf((1 - level) / 2, d)
             for d in dfs]  # fmt: skip
    half = np.asarray(crits) * se
    stat = mu / se
    pvals = [2 * (stats.norm.sf(abs(z)) if d is None else stats.t.sf(abs(z), d))
             for z, d in zip(stat, dfs, strict=True)]  # fmt: skip
    qs = [cochran_q_test(y[m], v[m]) for m in members]
    return SubgroupResult(
        subgroups=tuple(names), k=tuple(int(m.sum()) for m in members),
        estimate=tuple(float(studies.back(e)) for e in mu),
        ci_low=tuple(float(e) for e in studies.back(mu - half)),
        ci_high=tuple(float(e) for e in studies.back(mu + half)),
        mu=tuple(map(float, mu)), se=tuple(map(float, se)), statistic=tuple(map(float, stat)),
        pvalue=tuple(map(float, pvals)), tau2=tuple(map(float, tau2s)),
        i2=tuple(i2(t, v[m]) for t, m in zip(tau2s, members, strict=True)),
        q=tuple(float(q[0]) for q in qs), q_df=tuple(int(q[1]) for q in qs),
        q_pvalue=tuple(float(q[2]) for q in qs), q_between=float(q_between),
        q_between_df=len(names) - 1, q_between_pvalue=float(q_p), df=test_df, tau2_model=tau2,
        method=studies.method, hksj=studies.hksj, confidence_level=level,
        measure=studies.measure, scale=studies.scale, subgroup_df=tuple(dfs),
        by=tuple(groups), overall=result,
    )  # fmt: skip
