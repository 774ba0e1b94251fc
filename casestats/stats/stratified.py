"""Stratified 2x2 analysis: Mantel-Haenszel odds ratio, CMH and Breslow-Day tests.

Each stratum (or study) is a 2x2 table given by four counts: ``events_a`` of
``total_a`` in group a and ``events_b`` of ``total_b`` in group b. The pooled
odds ratio compares group a with group b.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from casestats.results import ConfidenceInterval, Result, tidy_frame

__all__ = ["MantelHaenszelResult", "mantel_haenszel"]


def _as_counts(values, name: str) -> np.ndarray:
    """Validate one array of counts (non-negative integers) and return it as float."""
    array = np.atleast_1d(np.asarray(values))
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    try:
        numeric = array.astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers, got {array.tolist()!r}") from None
    if not np.all(np.isfinite(numeric)):
        raise ValueError(f"{name} must be finite, got {array.tolist()!r}")
    if np.any(numeric < 0):
        raise ValueError(f"{name} must be non-negative, got {array.tolist()!r}")
    if np.any(numeric != np.round(numeric)):
        raise ValueError(f"{name} must be whole numbers, got {array.tolist()!r}")
    return numeric


def _two_arm_counts(events_a, total_a, events_b, total_b):
    """Validate the four count arrays of a set of 2x2 tables."""
    ea = _as_counts(events_a, "events_a")
    na = _as_counts(total_a, "total_a")
    eb = _as_counts(events_b, "events_b")
    nb = _as_counts(total_b, "total_b")
    sizes = {ea.size, na.size, eb.size, nb.size}
    if len(sizes) != 1:
        raise ValueError(
            "events_a, total_a, events_b and total_b must have the same length, got "
            f"{ea.size}, {na.size}, {eb.size}, {nb.size}"
        )
    if np.any(ea > na):
        raise ValueError("events_a must not exceed total_a")
    if np.any(eb > nb):
        raise ValueError("events_b must not exceed total_b")
    return ea, na, eb, nb


def _labels(labels, k: int, name: str, prefix: str) -> list[str]:
    if labels is None:
        return [f"{prefix} {i + 1}" for i in range(k)]
    labels = [str(label) for label in labels]
    if len(labels) != k:
        raise ValueError(f"{name} has {len(labels)} labels for {k} tables")
    return labels


def _check_level(confidence_level: float) -> float:
    level = float(confidence_level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence_level must lie strictly between 0 and 1, got {level}")
    return level


def _sample_odds_ratios(a, b, c, d, z):
    """Sample odds ratios with Wald intervals, +0.5 to all cells only where a cell is zero.

    Tables with a whole empty row or column have no odds ratio (NaN).
    """
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    shift = np.where(zero, 0.5, 0.0)
    a_, b_, c_, d_ = a + shift, b + shift, c + shift, d + shift
    with np.errstate(divide="ignore", invalid="ignore"):
        log_or = np.log(a_ * d_ / (b_ * c_))
        se = np.sqrt(1 / a_ + 1 / b_ + 1 / c_ + 1 / d_)
    empty_margin = (a + b == 0) | (c + d == 0) | (a + c == 0) | (b + d == 0)
    log_or = np.where(empty_margin, np.nan, log_or)
    return np.exp(log_or), np.exp(log_or - z * se), np.exp(log_or + z * se), zero


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
        Mantel-Haenszel pooled odds ratio (group a vs group b).
    ci_low, ci_high : float
        Robins-Breslow-Greenland interval at `confidence_level`.
    se_log : float
        Robins-Breslow-Greenland standard error of the log odds ratio.
    statistic, pvalue : float
        Cochran-Mantel-Haenszel chi-square (1 df) and its p-value.
    correction : bool
        Whether the CMH statistic used the 0.5 continuity correction.
    breslow_day, breslow_day_pvalue : float
        Breslow-Day homogeneity statistic and p-value (chi-square, `df`).
    tarone, tarone_pvalue : float
        Breslow-Day statistic with Tarone's adjustment and its p-value.
    df : int
        Degrees of freedom of the homogeneity tests (informative strata - 1).
    strata : tuple of str
        Stratum labels, in input order.
    excluded : tuple of str
        Strata that contribute nothing (an empty row or column margin).
    """

    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    se_log: float
    statistic: float
    pvalue: float
    correction: bool
    breslow_day: float
    breslow_day_pvalue: float
    tarone: float
    tarone_pvalue: float
    df: int
    strata: tuple[str, ...]
    excluded: tuple[str, ...]
    events_a: tuple[int, ...]
    total_a: tuple[int, ...]
    events_b: tuple[int, ...]
    total_b: tuple[int, ...]
    method: str = "Mantel-Haenszel"

    def confidence_interval(self) -> ConfidenceInterval:
        """The Robins-Breslow-Greenland interval of the pooled odds ratio."""
        return ConfidenceInterval(self.ci_low, self.ci_high)

    @property
    def n_strata(self) -> int:
        """Number of strata given (including excluded ones)."""
        return len(self.strata)

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: one row per stratum, the pooled row, then the two homogeneity tests.

        Stratum rows (``group="stratum"``) carry the sample odds ratio with a
        Wald interval (+0.5 to every cell only in strata with a zero cell).
        """
        a = np.array(self.events_a, dtype=float)
        na = np.array(self.total_a, dtype=float)
        c = np.array(self.events_b, dtype=float)
        nb = np.array(self.total_b, dtype=float)
        z = stats.norm.isf((1 - self.confidence_level) / 2)
        est, low, high, zero = _sample_odds_ratios(a, na - a, c, nb - c, z)
        rows = []
        for i, label in enumerate(self.strata):
            rows.append(
                {
                    "group": "stratum",
                    "level": label,
                    "events": self.events_a[i],
                    "total": self.total_a[i],
                    "estimate": est[i],
                    "ci_low": low[i],
                    "ci_high": high[i],
                    "confidence_level": self.confidence_level,
                    "method": "sample odds ratio, Wald"
                    + (" (+0.5 Haldane-Anscombe)" if zero[i] else ""),
                    "events_b": self.events_b[i],
                    "total_b": self.total_b[i],
                }
            )
        rows.append(
            {
                "group": "pooled",
                "level": "Mantel-Haenszel",
                "events": sum(self.events_a),
                "total": sum(self.total_a),
                "estimate": self.estimate,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "confidence_level": self.confidence_level,
                "statistic": self.statistic,
                "pvalue": self.pvalue,
                "method": self._test_name(),
                "events_b": sum(self.events_b),
                "total_b": sum(self.total_b),
                "df": 1,
            }
        )
        for level, statistic, pvalue in (
            ("Breslow-Day", self.breslow_day, self.breslow_day_pvalue),
            ("Breslow-Day (Tarone)", self.tarone, self.tarone_pvalue),
        ):
            rows.append(
                {
                    "group": "homogeneity",
                    "level": level,
                    "statistic": statistic,
                    "pvalue": pvalue,
                    "method": f"{level} test of a common odds ratio",
                    "df": self.df,
                }
            )
        frame = tidy_frame(rows, extra=["events_b", "total_b", "df"])
        for name in ("events_b", "total_b", "df"):
            frame[name] = frame[name].astype("Int64")
        return frame

    def _test_name(self) -> str:
        correction = "with" if self.correction else "without"
        return (
            "Mantel-Haenszel odds ratio (Robins-Breslow-Greenland CI); "
            f"CMH test {correction} continuity correction"
        )

    def _summary_lines(self) -> list[str]:
        pct = f"{100 * self.confidence_level:g}%"
        lines = [
            f"Mantel-Haenszel pooled odds ratio over {self.n_strata} strata",
            f"  OR = {self.estimate:.4g}, {pct} CI {self.ci_low:.4g} to {self.ci_high:.4g}"
            " (Robins-Breslow-Greenland)",
            f"  CMH chi2 = {self.statistic:.4g} (df = 1), p = {self.pvalue:.4g}"
            f" ({'with' if self.correction else 'without'} continuity correction)",
            f"  Breslow-Day chi2 = {self.breslow_day:.4g} (df = {self.df}),"
            f" p = {self.breslow_day_pvalue:.4g}",
            f"  Tarone-adjusted chi2 = {self.tarone:.4g} (df = {self.df}),"
            f" p = {self.tarone_pvalue:.4g}",
        ]
        if self.excluded:
            lines.append(f"  strata without information: {', '.join(self.excluded)}")
        return lines


def mantel_haenszel(
    *,
    events_a: Sequence[int],
    total_a: Sequence[int],
    events_b: Sequence[int],
    total_b: Sequence[int],
    strata: Sequence[str] | None = None,
    correction: bool = True,
    confidence_level: float = 0.95,
) -> MantelHaenszelResult:
    """Mantel-Haenszel pooled odds ratio across strata, with CMH and Breslow-Day tests.

    Parameters
    ----------
    events_a, total_a : array-like of int
        Events and totals in group a, one entry per stratum.
    events_b, total_b : array-like of int
        Events and totals in group b, one entry per stratum.
    strata : sequence of str, optional
        Stratum labels; ``"stratum 1"``, ``"stratum 2"`` ... by default.
    correction : bool, default True
        Apply the 0.5 continuity correction to the Cochran-Mantel-Haenszel
        statistic (as R's ``mantelhaen.test`` and ``metafor::rma.mh`` do by
        default). It is skipped when ``|sum(a - E[a])| < 0.5``, as in R.
    confidence_level : float, default 0.95
        Level of the Robins-Breslow-Greenland interval.

    Returns
    -------
    MantelHaenszelResult

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
    When the pooled odds ratio is 0 or infinite the Breslow-Day statistics
    are NaN.

    Examples
    --------
    >>> res = mantel_haenszel(
    ...     events_a=[30, 45, 8], total_a=[120, 200, 40],
    ...     events_b=[12, 20, 3], total_b=[80, 150, 35],
    ... )
    >>> round(res.estimate, 4)
    1.9519
    >>> res.df
    2
    """
    ea, na, eb, nb = _two_arm_counts(events_a, total_a, events_b, total_b)
    level = _check_level(confidence_level)
    labels = _labels(strata, ea.size, "strata", "stratum")

    a, b, c, d = ea, na - ea, eb, nb - eb
    n = na + nb
    informative = (na > 0) & (nb > 0) & (a + c > 0) & (b + d > 0) & (n >= 2)
    if not informative.any():
        raise ValueError(
            "no stratum has both groups and both outcomes; the odds ratio is undefined"
        )
    a, b, c, d, n = (x[informative] for x in (a, b, c, d, n))
    n1, n2, m1 = a + b, c + d, a + c

    r = a * d / n
    s = b * c / n
    p = (a + d) / n
    q = (b + c) / n
    sum_r, sum_s = r.sum(), s.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = sum_r / sum_s
        var_log = (
            (p * r).sum() / (2 * sum_r**2)
            + (p * s + q * r).sum() / (2 * sum_r * sum_s)
            + (q * s).sum() / (2 * sum_s**2)
        )
    se_log = float(np.sqrt(var_log))
    z = stats.norm.isf((1 - level) / 2)
    if 0 < estimate < np.inf:
        ci_low = float(np.exp(np.log(estimate) - z * se_log))
        ci_high = float(np.exp(np.log(estimate) + z * se_log))
    else:
        ci_low = ci_high = float("nan")

    expected = n1 * m1 / n
    variance = n1 * n2 * m1 * (n - m1) / (n**2 * (n - 1))
    delta = float((a - expected).sum())
    yates = 0.5 if correction and abs(delta) >= 0.5 else 0.0
    statistic = (abs(delta) - yates) ** 2 / variance.sum()
    pvalue = float(stats.chi2.sf(statistic, 1))

    df = int(a.size - 1)
    if 0 < estimate < np.inf and df > 0:
        a_tilde = _tilde_a(n1, n2, m1, estimate)
        var_tilde = 1.0 / (
            1 / a_tilde + 1 / (n1 - a_tilde) + 1 / (m1 - a_tilde) + 1 / (n2 - m1 + a_tilde)
        )
        breslow_day = float(((a - a_tilde) ** 2 / var_tilde).sum())
        tarone = breslow_day - float((a.sum() - a_tilde.sum()) ** 2 / var_tilde.sum())
        bd_p = float(stats.chi2.sf(breslow_day, df))
        tarone_p = float(stats.chi2.sf(tarone, df))
    else:
        breslow_day = tarone = bd_p = tarone_p = float("nan")

    return MantelHaenszelResult(
        estimate=float(estimate),
        ci_low=ci_low,
        ci_high=ci_high,
        confidence_level=level,
        se_log=se_log,
        statistic=float(statistic),
        pvalue=pvalue,
        correction=bool(correction),
        breslow_day=breslow_day,
        breslow_day_pvalue=bd_p,
        tarone=tarone,
        tarone_pvalue=tarone_p,
        df=df,
        strata=tuple(labels),
        excluded=tuple(lab for lab, keep in zip(labels, informative, strict=True) if not keep),
        events_a=tuple(int(x) for x in ea),
        total_a=tuple(int(x) for x in na),
        events_b=tuple(int(x) for x in eb),
        total_b=tuple(int(x) for x in nb),
    )
