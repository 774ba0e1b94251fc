"""Exact and Monte Carlo machinery for count tables with fixed margins.

The conditional (noncentral hypergeometric) distribution of a 2x2 table (or of
``sum(a)`` over strata with a common odds ratio), with Fisher's p-value, the
conditional maximum-likelihood odds ratio and its exact interval; the
enumeration of 2 x C tables for the Fisher-Freeman-Halton test; and R's Monte
Carlo p-value for R x C tables.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special, stats

from casestats.results import ConfidenceInterval
from casestats.stats._checks import log_choose
from casestats.stats._logsumexp import logsumexp

#: Largest number of tables that :func:`casestats.contingency_test` enumerates for an exact p.
EXACT_MAX_TABLES: int = 1_000_000

# R's fisher.test counts tables whose probability is within this relative
# tolerance of the observed one as "as extreme", so ties survive rounding.
_RELATIVE_TIE = 1 + 1e-7


class ConditionalOddsRatio:
    """The distribution of the top-left cell given all margins, as a function of the odds ratio.

    Work is on theta = log(odds ratio) with log-probabilities throughout, so
    tables with hundreds of patients and odds ratios far from 1 stay finite.
    """

    def __init__(self, a: int, b: int, c: int, d: int):
        events = a + c
        non_events = b + d
        row_a = a + b
        self.observed = a
        self.low = max(0, row_a - non_events)
        self.high = min(row_a, events)
        self.support = np.arange(self.low, self.high + 1)
        self.log_null = stats.hypergeom.logpmf(self.support, events + non_events, events, row_a)

    @classmethod
    def stratified(cls, a, b, c, d) -> ConditionalOddsRatio:
        """The distribution of ``sum(a)`` over independent strata with a common odds ratio.

        The null (odds ratio 1) distribution is the convolution of the strata's
        hypergeometric distributions; tilting it by ``exp(theta * s)`` gives the
        distribution at any common odds ratio, as R's ``mantelhaen.test(exact=TRUE)``.
        Each stratum's probabilities are scaled by their largest before the
        convolution, so only tables less likely than about 1e-300 relative to
        the most likely one are lost.
        """
        self = cls.__new__(cls)
        dist, log_scale, low = np.ones(1), 0.0, 0
        for cells in zip(a, b, c, d, strict=True):
            one = cls(*(int(x) for x in cells))
            peak = float(one.log_null.max())
            dist = np.convolve(dist, np.exp(one.log_null - peak))
            dist /= dist.max()
            log_scale += peak
            low += one.low
        with np.errstate(divide="ignore"):
            log_null = np.log(dist)
        self.observed = int(np.sum(a))
        self.low, self.high = low, low + dist.size - 1
        self.support = np.arange(self.low, self.high + 1)
        self.log_null = log_null - special.logsumexp(log_null)
        return self

    def log_pmf(self, theta: float) -> np.ndarray:
        weights = self.log_null + theta * self.support
        return weights - logsumexp(weights)

    def mean(self, theta: float) -> float:
        return float(np.exp(self.log_pmf(theta)) @ self.support)

    def log_cdf(self, theta: float) -> float:
        """log P(X <= observed)."""
        return float(logsumexp(self.log_pmf(theta)[self.support <= self.observed]))

    def log_sf(self, theta: float) -> float:
        """log P(X >= observed)."""
        return float(logsumexp(self.log_pmf(theta)[self.support >= self.observed]))

    def pvalue(self, alternative: str) -> float:
        if alternative == "less":
            return min(1.0, float(np.exp(self.log_cdf(0.0))))
        if alternative == "greater":
            return min(1.0, float(np.exp(self.log_sf(0.0))))
        log_p = self.log_pmf(0.0)
        observed = log_p[self.observed - self.low]
        extreme = log_p <= observed + np.log(_RELATIVE_TIE)
        return min(1.0, float(np.exp(logsumexp(log_p[extreme]))))

    @staticmethod
    def _solve(func) -> float:
        """Root in theta of an increasing or decreasing function, bracketing outward from 0."""
        low, high = -1.0, 1.0
        while np.sign(func(low)) == np.sign(func(high)):
            low, high = 2 * low, 2 * high
            if high > 1e3:  # pragma: no cover - the callers exclude the boundary cases
                raise RuntimeError("no sign change while solving for the odds ratio")
        return optimize.brentq(
            func, low, high, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500
        )

    def estimate(self) -> float:
        if self.low == self.high:
            return np.nan
        if self.observed == self.low:
            return 0.0
        if self.observed == self.high:
            return np.inf
        return float(np.exp(self._solve(lambda t: self.mean(t) - self.observed)))

    def lower(self, alpha: float) -> float:
        if self.observed == self.low:
            return 0.0
        return float(np.exp(self._solve(lambda t: self.log_sf(t) - np.log(alpha))))

    def upper(self, alpha: float) -> float:
        if self.observed == self.high:
            return np.inf
        return float(np.exp(self._solve(lambda t: self.log_cdf(t) - np.log(alpha))))

    def interval(self, confidence_level: float, alternative: str) -> ConfidenceInterval:
        if self.low == self.high:
            return ConfidenceInterval(0.0, np.inf)
        alpha = 1 - confidence_level
        if alternative == "less":
            return ConfidenceInterval(0.0, self.upper(alpha))
        if alternative == "greater":
            return ConfidenceInterval(self.lower(alpha), np.inf)
        return ConfidenceInterval(self.lower(alpha / 2), self.upper(alpha / 2))


def count_tables_two_rows(first_row_total: int, columns: np.ndarray) -> float:
    """Number of 2 x C tables with the given margins, or inf once it passes the exact limit.

    The count is the coefficient of x**r in the product of (1 + x + ... + x**size)
    over the columns; each factor is applied as a running-window sum, so the work
    is linear in the row total rather than quadratic as with a convolution.
    """
    columns = np.asarray(columns, dtype=np.int64)
    # a table and its row-swapped twin pair up, so count with the smaller row total
    r = int(min(first_row_total, columns.sum() - first_row_total))
    cap = float(EXACT_MAX_TABLES + 1)
    counts = np.zeros(r + 1)
    counts[0] = 1.0
    for size in columns:
        running = np.cumsum(counts)
        shifted = np.zeros_like(running)
        if size + 1 <= r:
            shifted[size + 1 :] = running[: r - size]
        counts = np.minimum(running - shifted, cap)  # capped: exactness is only needed below it
    return float(counts[r]) if counts[r] < cap else np.inf


def fisher_two_rows(table: np.ndarray) -> float:
    """Exact Fisher-Freeman-Halton p-value of a 2 x C table by full enumeration."""
    columns = table.sum(axis=0)
    first = int(table[0].sum())
    remaining = np.cumsum(columns[::-1])[::-1]  # capacity of columns j..C-1
    partial = np.zeros(1, dtype=np.int64)
    log_weight = np.zeros(1)
    for j, size in enumerate(columns[:-1]):
        cell = np.arange(int(size) + 1)
        partial = (partial[:, None] + cell[None, :]).ravel()
        log_weight = (log_weight[:, None] + log_choose(size, cell)[None, :]).ravel()
        # Keep only partial rows that the remaining columns can still complete.
        feasible = (partial <= first) & (first - partial <= remaining[j + 1])
        partial, log_weight = partial[feasible], log_weight[feasible]
    log_weight = log_weight + log_choose(columns[-1], first - partial)
    log_weight -= log_choose(columns.sum(), first)
    observed = float(np.sum(log_choose(columns, table[0])) - log_choose(columns.sum(), first))
    extreme = log_weight <= observed + np.log(_RELATIVE_TIE)
    return min(1.0, float(np.exp(logsumexp(log_weight[extreme]))))


def monte_carlo(table: np.ndarray, n_resamples: int, rng: np.random.Generator) -> int:
    """How many of `n_resamples` random tables are no more probable than observed.

    R's ``simulate.p.value`` then reports ``(1 + hits) / (n_resamples + 1)``.
    """
    sampler = stats.random_table(table.sum(axis=1), table.sum(axis=0))
    # The table probability is monotone in -sum(log x!) once the margins are fixed.
    observed = -np.sum(special.gammaln(table + 1))
    # R divides the (negative) observed statistic by 1 + 64 eps so ties are counted.
    threshold = observed / (1 + 64 * np.finfo(float).eps)
    hits = 0
    chunk = 20_000
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        sims = sampler.rvs(size=size, random_state=rng)
        simulated = -special.gammaln(sims + 1).sum(axis=(1, 2))
        hits += int(np.count_nonzero(simulated <= threshold))
    return hits
