"""Pearson's goodness-of-fit test of category counts against a reference mix."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import check_choice
from casestats.stats._resampling import (
    check_n_resamples,
    generator,
    pvalue_interval,
)

__all__ = ["GOODNESS_OF_FIT_METHODS", "GoodnessOfFitResult", "goodness_of_fit"]

GOODNESS_OF_FIT_METHODS = ("auto", "chi2", "monte-carlo")

# R's chisq.test counts a simulated statistic as "at least as large" within this
# relative margin, so that ties computed in another order are not lost.
_ALMOST_ONE = 1 - 64 * np.finfo(float).eps


@dataclass(frozen=True, eq=False, repr=False)
class GoodnessOfFitResult(Result):
    """Pearson's test that counts follow a reference mix.

    Attributes
    ----------
    labels : tuple of str
        The categories, in input order.
    observed : numpy.ndarray
        Counts per category.
    reference : numpy.ndarray
        Reference proportions, rescaled to sum to one.
    expected : numpy.ndarray
        Expected counts, ``observed.sum() * reference``.
    statistic : float
        Pearson's statistic, over the categories with a positive reference
        share (infinite when a category of share 0 was observed).
    df : int
        Categories with a positive share, minus one.
    pvalue : float
    method : str
        ``"chi2"`` (asymptotic) or ``"monte-carlo"``.
    reason : str
        Why that method ran.
    n_resamples : int or None
        Monte Carlo samples (None for ``"chi2"``).
    n_exceed : int or None
        Monte Carlo samples whose statistic reached the observed one.
    confidence_level : float
        Level of :meth:`confidence_interval`.
    """

    labels: tuple[str, ...]
    observed: np.ndarray = field(repr=False)
    reference: np.ndarray = field(repr=False)
    expected: np.ndarray = field(repr=False)
    statistic: float
    df: int
    pvalue: float
    method: str
    reason: str
    n_resamples: int | None = None
    n_exceed: int | None = None
    confidence_level: float = 0.95

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Monte Carlo error of the p-value (Clopper-Pearson); NaN for ``"chi2"``.

        As R coin's ``pvalue()`` of an approximate test: the interval of the
        p-value that infinitely many resamples would give.
        """
        level = self.confidence_level if confidence_level is None else confidence_level
        if self.n_resamples is None:
            return ConfidenceInterval(np.nan, np.nan)
        return ConfidenceInterval(*pvalue_interval(self.n_exceed, self.n_resamples, level))

    def to_frame(self) -> pd.DataFrame:
        """One row per category (observed share, ``expected``) and one row for the test."""
        n = int(self.observed.sum())
        rows = [
            {"level": label, "events": int(k), "total": n, "estimate": k / n if n else np.nan,
             "expected": e, "reference": p}
            for label, k, e, p in zip(
                self.labels, self.observed, self.expected, self.reference, strict=True
            )
        ]  # fmt: skip
        low, high = self.confidence_interval()
        rows.append(
            {
                "level": "test",
                "total": n,
                "statistic": self.statistic,
                "pvalue": self.pvalue,
                "method": self.method,
                "df": self.df,
                "n_resamples": self.n_resamples,
                "pvalue_low": low,
                "pvalue_high": high,
                "note": self.reason,
            }
        )
        extra = ["expected", "reference", "df", "n_resamples", "pvalue_low", "pvalue_high", "note"]
        frame = tidy_frame(rows, extra=extra)
        frame["n_resamples"] = frame["n_resamples"].astype("Int64")
        frame["df"] = frame["df"].astype("Int64")
        return frame

    def _repr_fields(self) -> dict:
        return {"method": self.method, "statistic": self.statistic, "df": self.df,
                "pvalue": self.pvalue}  # fmt: skip

    def _summary_lines(self) -> list[str]:
        lines = [
            f"Goodness of fit to a reference mix, {len(self.labels)} categories, "
            f"N = {int(self.observed.sum())}",
            f"  method {self.method} ({self.reason})",
            f"  Pearson chi-square {self.statistic:.4g} on {self.df} df, p = {self.pvalue:.4g}",
        ]
        if self.n_resamples is not None:
            low, high = self.confidence_interval()
            lines.append(
                f"  {self.n_resamples} resamples; p-value {self.confidence_level:.0%} "
                f"interval {low:.4g} to {high:.4g}"
            )
        for label, k, e in zip(self.labels, self.observed, self.expected, strict=True):
            lines.append(f"  {label}: observed {int(k)}, expected {e:.3g}")
        return lines


def _check_inputs(events, reference, labels) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    counts = np.asarray(events)
    shares = np.asarray(reference, dtype=float)
    problems = []
    if counts.ndim != 1 or len(counts) < 2:
        problems.append(f"events must be one count per category (at least 2), got {counts!r}")
    elif (
        not np.issubdtype(counts.dtype, np.number)
        or (counts < 0).any()
        or (counts != np.round(counts)).any()
    ):
        problems.append(f"events must be non-negative integers, got {counts.tolist()}")
    if shares.shape != counts.shape:
        problems.append(f"reference has {shares.size} values for {counts.size} categories")
    elif (~np.isfinite(shares)).any() or (shares < 0).any() or shares.sum() <= 0:
        problems.append(
            f"reference must be non-negative proportions, not all 0, got {shares.tolist()}"
        )
    names = tuple(str(i) for i in range(counts.size)) if labels is None else tuple(labels)
    if len(names) != counts.size:
        problems.append(f"labels has {len(names)} names for {counts.size} categories")
    if problems:
        raise ValueError("; ".join(problems))
    return counts.astype(np.int64), shares / shares.sum(), tuple(str(n) for n in names)


def goodness_of_fit(
    events,
    *,
    reference,
    labels=None,
    method: str = "auto",
    n_resamples: int = 100_000,
    rng=0,
    confidence_level: float = 0.95,
) -> GoodnessOfFitResult:
    """Test whether category counts follow a reference mix (Pearson's chi-square).

    Parameters
    ----------
    events : array-like of int
        Count per category.
    reference : array-like of float
        Reference share of each category (rescaled to sum to one).
    labels : sequence of str, optional
        Category names.
    method : {"auto", "chi2", "monte-carlo"}
        ``"chi2"``: the chi-square approximation with ``categories - 1``
        degrees of freedom. ``"monte-carlo"``: as R ``chisq.test(x, p=,
        simulate.p.value=TRUE, B=n_resamples)``, p = (1 + #{multinomial
        samples with a statistic at least the observed}) / (B + 1).
        ``"auto"``: chi-square when every expected count is at least 5, else
        Monte Carlo.
    n_resamples : int
        Monte Carlo samples.
    rng : int or numpy.random.Generator
        Seed or generator of the Monte Carlo samples.
    confidence_level : float
        Level of the Monte Carlo error interval of the p-value.

    Returns
    -------
    GoodnessOfFitResult

    Notes
    -----
    Categories with reference share 0 carry no expected count: they are left
    out of the statistic if unobserved; if observed, the mix is impossible
    (statistic infinite, p = 0).

    Examples
    --------
    >>> res = goodness_of_fit([40, 25, 20, 15], reference=[0.35, 0.3, 0.2, 0.15])
    >>> res.method, round(res.statistic, 4), res.df
    ('chi2', 1.5476, 3)
    """
    check_choice(method, GOODNESS_OF_FIT_METHODS, "method")
    n_resamples = check_n_resamples(n_resamples)
    counts, shares, names = _check_inputs(events, reference, labels)
    n = int(counts.sum())
    expected = n * shares
    keep = shares > 0
    df = int(keep.sum()) - 1
    common = {"labels": names, "observed": counts, "reference": shares, "expected": expected,
              "df": df, "confidence_level": confidence_level}  # fmt: skip
    if (counts[~keep] > 0).any():
        return GoodnessOfFitResult(statistic=np.inf, pvalue=0.0, method="chi2",
                                   reason="a category of reference share 0 was observed",
                                   **common)  # fmt: skip
    statistic = float(((counts[keep] - expected[keep]) ** 2 / expected[keep]).sum())
    if method == "auto":
        small = expected[keep].min() < 5
        method = "monte-carlo" if small else "chi2"
        reason = "an expected count is below 5" if small else "every expected count is 5 or more"
    else:
        reason = "chosen by the caller"
    if method == "chi2":
        from scipy import stats

        pvalue = float(stats.chi2.sf(statistic, df)) if df > 0 else 1.0
        return GoodnessOfFitResult(statistic=statistic, pvalue=pvalue, method="chi2",
                                   reason=reason, **common)  # fmt: skip
    simulated = generator(rng).multinomial(n, shares[keep], size=n_resamples)
    sim_stat = ((simulated - expected[keep]) ** 2 / expected[keep]).sum(axis=1)
    hits = int(np.count_nonzero(sim_stat >= _ALMOST_ONE * statistic))
    return GoodnessOfFitResult(
        statistic=statistic,
        pvalue=(1 + hits) / (n_resamples + 1),
        method="monte-carlo",
        reason=reason,
        n_resamples=n_resamples,
        n_exceed=hits,
        **common,
    )
