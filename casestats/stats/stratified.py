"""Stratified 2x2 analysis: Mantel-Haenszel odds ratio, CMH and Breslow-Day tests,
and optionally the exact conditional analysis of a common odds ratio.

Each stratum (or study) is a 2x2 table given by four counts: ``events_a`` of
``total_a`` in arm a and ``events_b`` of ``total_b`` in arm b, the arms named
by ``groups=``. The pooled odds ratio compares arm a with arm b.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from casestats.exceptions import CasestatsWarning
from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import (
    check_confidence_level,
    check_groups,
    check_labels,
    two_arm_counts,
)
from casestats.stats._exact import ConditionalOddsRatio
from casestats.stats._twobytwo import (
    DEFAULT_GROUPS,
    LAYOUT_EXTRA,
    Heterogeneity,
    forest_frame,
    nullable_integers,
    sample_odds_ratios,
    table_row,
)

__all__ = ["MantelHaenszelResult", "mantel_haenszel"]


def _tilde_a(n1, n2, m1, psi):
    """Expected a of a table with fixed margins whose odds ratio equals psi.

    Solves ``a (n2 - m1 + a) = psi (n1 - a)(m1 - a)`` for the root inside the
    admissible range ``[max(0, m1 - n2), min(n1, m1)]``.
    """
    lo = np.maximum(0.0, m1 - n2)
    hi = np.minimum(n1, m1)
    qa = 1.0 - psi
    qb = n2 - m1 + psi * (n1 + m1)
    qc = -psi * n1 * m1
    out = np.empty_like(n1)
    for i in range(n1.size):
        if abs(qa) < 1e-12:
            root = -qc[i] / qb[i]
        else:
            disc = np.sqrt(qb[i] ** 2 - 4 * qa * qc[i])
            # The numerically stable pair of quadratic roots.
            q = -0.5 * (qb[i] + np.copysign(disc, qb[i]))
            candidates = np.array([q / qa, qc[i] / q if q != 0 else np.nan])
            inside = candidates[
                (candidates >= lo[i] - 1e-9 * (1 + hi[i]))
                & (candidates <= hi[i] + 1e-9 * (1 + hi[i]))
            ]
            root = inside[0]
        out[i] = min(max(root, lo[i]), hi[i])
    return out


@dataclass(frozen=True, eq=False, repr=False)
class MantelHaenszelResult(Result):
    """Pooled Mantel-Haenszel odds ratio with the CMH and Breslow-Day tests.

    Attributes
    ----------
    estimate : float
        Mantel-Haenszel pooled odds ratio (arm a vs arm b).
    ci_low, ci_high : float
        Robins-Breslow-Greenland interval at `confidence_level`.
    se_log : float
        Robins-Breslow-Greenland standard error of the log odds ratio.
    statistic, pvalue : float
        Cochran-Mantel-Haenszel chi-square (1 df) and its p-value, with the
        continuity correction if `correction`.
    statistic_uncorrected, pvalue_uncorrected : float
        The CMH test without continuity correction.
    correction : bool
        Whether `statistic` used the 0.5 continuity correction.
    breslow_day, breslow_day_pvalue : float
        Breslow-Day homogeneity statistic and p-value (chi-square, `df`).
    tarone, tarone_pvalue : float
        Breslow-Day statistic with Tarone's adjustment and its p-value.
    df : int
        Degrees of freedom of the homogeneity tests (informative strata - 1).
    heterogeneity : Heterogeneity
        The Tarone-adjusted Breslow-Day test, as meta-analyses show theirs.
    labels : tuple of str
        Stratum labels, in input order.
    groups : tuple of str
        Names of arm a and arm b.
    excluded : tuple of str
        Strata that contribute nothing (an empty row or column margin).
    method : str
        ``"mh"``.
    exact : bool
        Whether the exact conditional analysis ran; then:
    exact_estimate, exact_ci_low, exact_ci_high : float
        Conditional maximum-likelihood common odds ratio and its exact
        interval at `confidence_level` (NaN unless `exact`).
    exact_statistic, exact_pvalue : float
        ``S = sum(events_a)`` over the informative strata and its exact
        two-sided p-value for a common odds ratio of 1 (NaN unless `exact`).
    """

    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    se_log: float
    statistic: float
    pvalue: float
    statistic_uncorrected: float
    pvalue_uncorrected: float
    correction: bool
    breslow_day: float
    breslow_day_pvalue: float
    tarone: float
    tarone_pvalue: float
    df: int
    heterogeneity: Heterogeneity
    labels: tuple[str, ...]
    groups: tuple[str, str]
    excluded: tuple[str, ...]
    events_a: tuple[int, ...]
    total_a: tuple[int, ...]
    events_b: tuple[int, ...]
    total_b: tuple[int, ...]
    method: str = "mh"
    exact: bool = False
    exact_estimate: float = math.nan
    exact_ci_low: float = math.nan
    exact_ci_high: float = math.nan
    exact_statistic: float = math.nan
    exact_pvalue: float = math.nan

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Robins-Breslow-Greenland interval of the pooled odds ratio, at any level."""
        if confidence_level is None:
            return ConfidenceInterval(self.ci_low, self.ci_high)
        z = stats.norm.isf((1 - check_confidence_level(confidence_level)) / 2)
        return _log_interval(self.estimate, self.se_log, z)

    @property
    def n_strata(self) -> int:
        """Number of strata given (including excluded ones)."""
        return len(self.labels)

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame in the 2x2 layout: strata, the pooled row, the homogeneity tests.

        Stratum rows (``group="stratum"``) carry the sample odds ratio with a
        Wald interval (+0.5 to every cell only in strata with a zero cell). The
        pooled row tests with the continuity correction as asked; a ``"test"``
        row gives the CMH test without it, and with ``exact=True`` another
        ``"test"`` row the exact conditional estimate, interval and p-value
        (``statistic`` is ``S = sum(a)``).
        """
        a, na, c, nb = (np.array(v, dtype=float) for v in
                        (self.events_a, self.total_a, self.events_b, self.total_b))  # fmt: skip
        z = stats.norm.isf((1 - self.confidence_level) / 2)
        est, low, high, zero = sample_odds_ratios(a, na - a, c, nb - c, z)
        level = self.confidence_level
        rows = [
            table_row(
                "stratum", label, self.groups, counts, estimate=est[i], ci_low=low[i],
                ci_high=high[i], confidence_level=level, measure="odds_ratio",
                method="wald-haldane" if zero[i] else "wald",
            )
            for i, (label, counts) in enumerate(zip(self.labels, zip(
                self.events_a, self.total_a, self.events_b, self.total_b, strict=True),
                strict=True))
        ]  # fmt: skip
        totals = (sum(self.events_a), sum(self.total_a), sum(self.events_b), sum(self.total_b))
        rows.append(table_row(
            "pooled", "Mantel-Haenszel", self.groups, totals, estimate=self.estimate,
            ci_low=self.ci_low, ci_high=self.ci_high, confidence_level=level,
            statistic=self.statistic, pvalue=self.pvalue, measure="odds_ratio",
            method="mh", df=1,
            note=f"CMH test {'with' if self.correction else 'without'} continuity correction",
        ))  # fmt: skip
        rows.append(table_row(
            "test", "CMH without continuity correction", self.groups, totals,
            statistic=self.statistic_uncorrected, pvalue=self.pvalue_uncorrected,
            measure="odds_ratio", method="cmh", df=1,
        ))  # fmt: skip
        if self.exact:
            rows.append(table_row(
                "test", "exact conditional", self.groups, totals, estimate=self.exact_estimate,
                ci_low=self.exact_ci_low, ci_high=self.exact_ci_high, confidence_level=level,
                statistic=self.exact_statistic, pvalue=self.exact_pvalue, measure="odds_ratio",
                method="exact-conditional", note="conditional MLE, exact CI and exact p",
            ))  # fmt: skip
        rows.append(
            {"group": "heterogeneity", "level": "Breslow-Day", "statistic": self.breslow_day,
             "pvalue": self.breslow_day_pvalue, "method": "breslow-day", "df": self.df}
        )  # fmt: skip
        rows.append(self.heterogeneity.row())
        return nullable_integers(tidy_frame(rows, extra=[*LAYOUT_EXTRA, "note"]))

    def plot(self, ax=None, **kwargs):
        """Forest plot of the strata and the pooled odds ratio; returns the Axes."""
        from casestats.plotting import forest_plot

        return forest_plot(
            forest_frame(self.to_frame()),
            scale="odds ratio",
            heterogeneity=self.heterogeneity.text(),
            ax=ax,
            **kwargs,
        )

    def _summary_lines(self) -> list[str]:
        pct = f"{100 * self.confidence_level:g}%"
        a, b = self.groups
        cmh = "with" if self.correction else "without"
        lines = [
            f"Mantel-Haenszel pooled odds ratio, {a} vs {b}, over {self.n_strata} strata",
            f"  OR = {self.estimate:.4g}, {pct} CI {self.ci_low:.4g} to {self.ci_high:.4g}"
            " (Robins-Breslow-Greenland)",
            f"  CMH chi2 = {self.statistic:.4g} (df = 1), p = {self.pvalue:.4g}"
            f" ({cmh} continuity correction)",
        ]
        if self.correction:
            lines.append(
                f"  CMH chi2 = {self.statistic_uncorrected:.4g} (df = 1),"
                f" p = {self.pvalue_uncorrected:.4g} (without continuity correction)"
            )
        lines += [
            f"  Breslow-Day chi2 = {self.breslow_day:.4g} (df = {self.df}),"
            f" p = {self.breslow_day_pvalue:.4g}",
            f"  Tarone-adjusted chi2 = {self.tarone:.4g} (df = {self.df}),"
            f" p = {self.tarone_pvalue:.4g}",
        ]
        if self.exact:
            lines.append(
                f"  exact conditional OR = {self.exact_estimate:.4g}, {pct} CI "
                f"{self.exact_ci_low:.4g} to {self.exact_ci_high:.4g}; "
                f"S = {self.exact_statistic:g}, exact p = {self.exact_pvalue:.4g}"
            )
        if self.excluded:
            lines.append(f"  strata without information: {', '.join(self.excluded)}")
        return lines


def _log_interval(estimate: float, se_log: float, z: float) -> ConfidenceInterval:
    if not 0 < estimate < math.inf:
        return ConfidenceInterval(math.nan, math.nan)
    log = math.log(estimate)
    return ConfidenceInterval(math.exp(log - z * se_log), math.exp(log + z * se_log))


def _pooled_odds_ratio(a, b, c, d, n):
    """Mantel-Haenszel odds ratio and the Robins-Breslow-Greenland SE of its log."""
    r, s = a * d / n, b * c / n
    p, q = (a + d) / n, (b + c) / n
    sum_r, sum_s = r.sum(), s.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = float(sum_r / sum_s)
        var_log = (
            (p * r).sum() / (2 * sum_r**2)
            + (p * s + q * r).sum() / (2 * sum_r * sum_s)
            + (q * s).sum() / (2 * sum_s**2)
        )
    return estimate, float(np.sqrt(var_log))


def _cmh_test(a, n1, n2, m1, n, correction: bool) -> tuple[float, float]:
    """Cochran-Mantel-Haenszel chi-square (1 df) and p; R skips Yates when |delta| < 0.5."""
    expected = n1 * m1 / n
    variance = n1 * n2 * m1 * (n - m1) / (n**2 * (n - 1))
    delta = float((a - expected).sum())
    yates = 0.5 if correction and abs(delta) >= 0.5 else 0.0
    statistic = float((abs(delta) - yates) ** 2 / variance.sum())
    return statistic, float(stats.chi2.sf(statistic, 1))


def _breslow_day(a, n1, n2, m1, estimate: float) -> tuple[float, float, float, float]:
    """Breslow-Day statistic and p, then with Tarone's adjustment; NaN without a finite OR."""
    df = a.size - 1
    if not (0 < estimate < math.inf and df > 0):
        return (math.nan,) * 4
    a_tilde = _tilde_a(n1, n2, m1, estimate)
    var_tilde = 1.0 / (
        1 / a_tilde + 1 / (n1 - a_tilde) + 1 / (m1 - a_tilde) + 1 / (n2 - m1 + a_tilde)
    )
    breslow_day = float(((a - a_tilde) ** 2 / var_tilde).sum())
    tarone = breslow_day - float((a.sum() - a_tilde.sum()) ** 2 / var_tilde.sum())
    return (
        breslow_day,
        float(stats.chi2.sf(breslow_day, df)),
        tarone,
        float(stats.chi2.sf(tarone, df)),
    )


def mantel_haenszel(
    *,
    events_a: Sequence[int],
    total_a: Sequence[int],
    events_b: Sequence[int],
    total_b: Sequence[int],
    labels: Sequence[str] | None = None,
    groups: tuple[str, str] = DEFAULT_GROUPS,
    correction: bool = True,
    exact: bool = False,
    confidence_level: float = 0.95,
) -> MantelHaenszelResult:
    """Mantel-Haenszel pooled odds ratio across strata, with CMH and Breslow-Day tests.

    Parameters
    ----------
    events_a, total_a : array-like of int
        Events and totals in arm a, one entry per stratum.
    events_b, total_b : array-like of int
        Events and totals in arm b, one entry per stratum.
    labels : sequence of str, optional
        Stratum labels; ``"stratum 1"``, ``"stratum 2"`` ... by default.
    groups : (str, str), default ("group a", "group b")
        Names of arm a and arm b, shown in the frame and the summary.
    correction : bool, default True
        Apply the 0.5 continuity correction to the Cochran-Mantel-Haenszel
        statistic (as R's ``mantelhaen.test`` and ``metafor::rma.mh`` do by
        default). It is skipped when ``|sum(a - E[a])| < 0.5``, as in R. The
        uncorrected test is always reported too.
    exact : bool, default False
        Also run the exact conditional analysis of R's
        ``mantelhaen.test(exact=TRUE)``: the conditional maximum-likelihood
        common odds ratio, its exact interval and the exact two-sided p-value
        (the ``exact_*`` fields), from the distribution of ``sum(a)`` given
        every stratum's margins. The Mantel-Haenszel fields are kept.
    confidence_level : float, default 0.95
        Level of the Robins-Breslow-Greenland (and the exact) interval.

    Returns
    -------
    MantelHaenszelResult

    Warns
    -----
    CasestatsWarning
        When the pooled odds ratio is 0 or infinite (no interval).

    Notes
    -----
    With ``a, b, c, d`` the cells of stratum ``i`` (events and non-events in
    a, then in b) and ``n`` its size, the pooled odds ratio is
    ``sum(a d / n) / sum(b c / n)``; its log has the Robins-Breslow-Greenland
    variance. The CMH test compares ``sum(a)`` with its hypergeometric
    expectation. The Breslow-Day test compares each ``a`` with the value
    expected under the pooled odds ratio given the margins; Tarone's
    adjustment subtracts ``(sum(a) - sum(E))^2 / sum(var)``, which makes the
    statistic chi-square with ``K - 1`` degrees of freedom.

    A stratum with an empty row or column margin (or fewer than two
    subjects) carries no information about the odds ratio: it contributes
    nothing to any sum, is left out of ``K`` and is listed in ``excluded``.
    R's ``mantelhaen.test`` instead stops with an error on strata of size < 2.
    When the pooled odds ratio is 0 or infinite the interval and the
    Breslow-Day statistics are NaN (``metafor::rma.mh`` gives NA).

    The exact analysis convolves the strata's hypergeometric distributions
    and solves the conditional equations on the log odds ratio to about
    1e-14 relative; R's ``mantelhaen.test`` stops its root search near 1e-4,
    so its estimate and limits agree with these to 3 or 4 digits and its
    p-value to rounding. When ``sum(a)`` is at the edge of its range the
    estimate and one limit are 0 or infinite, as in R.

    Examples
    --------
    >>> res = mantel_haenszel(
    ...     events_a=[30, 45, 8], total_a=[120, 200, 40],
    ...     events_b=[12, 20, 3], total_b=[80, 150, 35], groups=("lcSSc", "dcSSc"),
    ... )
    >>> round(res.estimate, 4), res.df
    (1.9519, 2)
    >>> [round(v, 3) for v in res.confidence_interval(0.9)]
    [1.358, 2.806]
    >>> exact = mantel_haenszel(events_a=[2, 0, 3, 1], total_a=[10, 8, 12, 6],
    ...                         events_b=[0, 1, 0, 0], total_b=[9, 10, 11, 7], exact=True)
    >>> round(exact.exact_estimate, 3), round(exact.exact_pvalue, 4)
    (6.422, 0.1122)
    """
    ea, na, eb, nb = two_arm_counts(events_a, total_a, events_b, total_b)
    level = check_confidence_level(confidence_level)
    labels = check_labels(labels, ea.size, "labels", "stratum")
    groups = check_groups(groups)

    a, b, c, d = ea, na - ea, eb, nb - eb
    n = na + nb
    informative = (na > 0) & (nb > 0) & (a + c > 0) & (b + d > 0) & (n >= 2)
    if not informative.any():
        raise ValueError(
            "no stratum has both groups and both outcomes; the odds ratio is undefined"
        )
    a, b, c, d, n = (x[informative] for x in (a, b, c, d, n))
    n1, n2, m1 = a + b, c + d, a + c

    estimate, se_log = _pooled_odds_ratio(a, b, c, d, n)
    if not 0 < estimate < math.inf:
        warnings.warn(
            f"the Mantel-Haenszel odds ratio is {estimate:g}: its interval and the "
            "Breslow-Day tests are undefined (NaN)",
            CasestatsWarning,
            stacklevel=2,
        )
    ci = _log_interval(estimate, se_log, stats.norm.isf((1 - level) / 2))
    statistic, pvalue = _cmh_test(a, n1, n2, m1, n, correction)
    uncorrected, p_uncorrected = _cmh_test(a, n1, n2, m1, n, False)
    breslow_day, bd_p, tarone, tarone_p = _breslow_day(a, n1, n2, m1, estimate)
    df = int(a.size - 1)
    exact_fields = {}
    if exact:
        conditional = ConditionalOddsRatio.stratified(a, b, c, d)
        exact_ci = conditional.interval(level, "two-sided")
        exact_fields = {
            "exact": True,
            "exact_estimate": conditional.estimate(),
            "exact_ci_low": float(exact_ci.low),
            "exact_ci_high": float(exact_ci.high),
            "exact_statistic": float(conditional.observed),
            "exact_pvalue": conditional.pvalue("two-sided"),
        }
    return MantelHaenszelResult(
        estimate=estimate,
        ci_low=ci.low,
        ci_high=ci.high,
        confidence_level=level,
        se_log=se_log,
        statistic=statistic,
        pvalue=pvalue,
        statistic_uncorrected=uncorrected,
        pvalue_uncorrected=p_uncorrected,
        correction=bool(correction),
        breslow_day=breslow_day,
        breslow_day_pvalue=bd_p,
        tarone=tarone,
        tarone_pvalue=tarone_p,
        df=df,
        heterogeneity=Heterogeneity(
            "Breslow-Day (Tarone)", tarone, df, tarone_p, i2=math.nan, tau2=math.nan
        ),
        labels=tuple(labels),
        groups=groups,
        excluded=tuple(lab for lab, keep in zip(labels, informative, strict=True) if not keep),
        events_a=tuple(int(x) for x in ea),
        total_a=tuple(int(x) for x in na),
        events_b=tuple(int(x) for x in eb),
        total_b=tuple(int(x) for x in nb),
        **exact_fields,
    )
