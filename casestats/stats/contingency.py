"""Two-group comparisons (2x2) and tests of independence for R x C count tables.

The 2x2 layer follows what a reviewer expects: Fisher's exact test when any
expected count is below 5, Pearson's chi-square otherwise, and the result says
which ran and why. Effect measures come together: the conditional maximum
likelihood odds ratio with its exact interval (as R ``fisher.test``), the
sample odds ratio and risk ratio with Wald intervals on the log scale, and the
risk difference with Newcombe's hybrid score interval.

Zero cells: the sample odds ratio and the risk ratio add 0.5 to every cell
(Haldane-Anscombe) only when some cell is zero, and the result records it in
``zero_cell_correction`` and in the method text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats.intervals import _as_counts, _check_events_total, proportion_interval

__all__ = [
    "COMPARISON_TESTS",
    "CONTINGENCY_METHODS",
    "EXACT_MAX_TABLES",
    "ComparisonResult",
    "ContingencyResult",
    "compare_proportions",
    "contingency_test",
]

#: Tests accepted by :func:`compare_proportions`.
COMPARISON_TESTS: tuple[str, ...] = ("auto", "fisher", "chi2", "chi2-yates", "n-1")
#: Methods accepted by :func:`contingency_test`.
CONTINGENCY_METHODS: tuple[str, ...] = ("auto", "fisher", "chi2", "monte-carlo")
ALTERNATIVES: tuple[str, ...] = ("two-sided", "less", "greater")
#: Largest number of tables that :func:`contingency_test` enumerates for an exact p-value.
EXACT_MAX_TABLES: int = 1_000_000

# R's fisher.test counts tables whose probability is within this relative
# tolerance of the observed one as "as extreme", so ties survive rounding.
_RELATIVE_TIE = 1 + 1e-7


def _allowed(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; allowed: {', '.join(map(repr, allowed))}")
    return value


def _expected(table: np.ndarray) -> np.ndarray:
    total = table.sum()
    return np.outer(table.sum(axis=1), table.sum(axis=0)) / total


# --------------------------------------------------------------------------------------
# Fisher's noncentral hypergeometric distribution for a 2x2 table


class _ConditionalOddsRatio:
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

    def log_pmf(self, theta: float) -> np.ndarray:
        weights = self.log_null + theta * self.support
        return weights - special.logsumexp(weights)

    def mean(self, theta: float) -> float:
        return float(np.exp(self.log_pmf(theta)) @ self.support)

    def log_cdf(self, theta: float) -> float:
        """log P(X <= observed)."""
        return float(special.logsumexp(self.log_pmf(theta)[self.support <= self.observed]))

    def log_sf(self, theta: float) -> float:
        """log P(X >= observed)."""
        return float(special.logsumexp(self.log_pmf(theta)[self.support >= self.observed]))

    def pvalue(self, alternative: str) -> float:
        if alternative == "less":
            return min(1.0, float(np.exp(self.log_cdf(0.0))))
        if alternative == "greater":
            return min(1.0, float(np.exp(self.log_sf(0.0))))
        log_p = self.log_pmf(0.0)
        observed = log_p[self.observed - self.low]
        extreme = log_p <= observed + np.log(_RELATIVE_TIE)
        return min(1.0, float(np.exp(special.logsumexp(log_p[extreme]))))

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


# --------------------------------------------------------------------------------------
# compare_proportions


@dataclass(frozen=True, eq=False, repr=False)
class ComparisonResult(Result):
    """Comparison of the proportion with an outcome in group a and group b.

    Attributes
    ----------
    events_a, total_a, events_b, total_b : int
        The counts.
    test : str
        Test that ran: ``"fisher"``, ``"chi2"``, ``"chi2-yates"`` or ``"n-1"``.
    reason : str
        Why that test ran.
    alternative : str
        ``"two-sided"``, ``"less"`` (a below b) or ``"greater"``.
    confidence_level : float
        Level of every interval.
    statistic : float
        Chi-square statistic (NaN for Fisher's test).
    pvalue : float
        P-value of the test.
    proportion_a, proportion_b : float
        Observed proportions, with Wilson intervals ``proportion_a_ci``, ``proportion_b_ci``.
    odds_ratio : float
        Conditional maximum-likelihood odds ratio (as R ``fisher.test``), with
        the exact interval ``odds_ratio_ci`` (one-sided for one-sided alternatives).
    odds_ratio_sample : float
        Sample (cross-product) odds ratio, with the Woolf interval ``odds_ratio_sample_ci``.
    risk_ratio : float
        ``proportion_a / proportion_b`` with a Wald interval on the log scale.
    risk_difference : float
        ``proportion_a - proportion_b`` with Newcombe's hybrid score interval (method 10).
    zero_cell_correction : bool
        Whether 0.5 was added to every cell for the sample odds ratio and risk ratio.
    expected : numpy.ndarray
        Expected counts under independence, rows (a, b) by columns (events, non-events).
    """

    events_a: int
    total_a: int
    events_b: int
    total_b: int
    test: str
    reason: str
    alternative: str
    confidence_level: float
    statistic: float
    pvalue: float
    proportion_a: float
    proportion_a_ci: ConfidenceInterval
    proportion_b: float
    proportion_b_ci: ConfidenceInterval
    odds_ratio: float
    odds_ratio_ci: ConfidenceInterval
    odds_ratio_sample: float
    odds_ratio_sample_ci: ConfidenceInterval
    risk_ratio: float
    risk_ratio_ci: ConfidenceInterval
    risk_difference: float
    risk_difference_ci: ConfidenceInterval
    zero_cell_correction: bool
    expected: np.ndarray = field(repr=False)

    def confidence_interval(self) -> ConfidenceInterval:
        """The exact interval of the conditional maximum-likelihood odds ratio."""
        return self.odds_ratio_ci

    @property
    def _wald_note(self) -> str:
        return " with 0.5 added to every cell (zero cell)" if self.zero_cell_correction else ""

    def to_frame(self) -> pd.DataFrame:
        """One row per measure (column ``measure``) and one row for the test."""
        level = self.confidence_level
        rows = [
            {
                "group": "a",
                "events": self.events_a,
                "total": self.total_a,
                "estimate": self.proportion_a,
                "ci_low": self.proportion_a_ci.low,
                "ci_high": self.proportion_a_ci.high,
                "confidence_level": level,
                "method": "wilson",
                "measure": "proportion_a",
            },
            {
                "group": "b",
                "events": self.events_b,
                "total": self.total_b,
                "estimate": self.proportion_b,
                "ci_low": self.proportion_b_ci.low,
                "ci_high": self.proportion_b_ci.high,
                "confidence_level": level,
                "method": "wilson",
                "measure": "proportion_b",
            },
        ]
        measures = [
            ("odds_ratio_cmle", self.odds_ratio, self.odds_ratio_ci, "conditional MLE, exact"),
            (
                "odds_ratio_sample",
                self.odds_ratio_sample,
                self.odds_ratio_sample_ci,
                "Woolf (Wald, log scale)" + self._wald_note,
            ),
            (
                "risk_ratio",
                self.risk_ratio,
                self.risk_ratio_ci,
                "Wald, log scale" + self._wald_note,
            ),
            (
                "risk_difference",
                self.risk_difference,
                self.risk_difference_ci,
                "Newcombe hybrid score",
            ),
        ]
        for measure, estimate, ci, method in measures:
            rows.append(
                {
                    "group": "a vs b",
                    "estimate": estimate,
                    "ci_low": ci.low,
                    "ci_high": ci.high,
                    "confidence_level": level,
                    "method": method,
                    "measure": measure,
                }
            )
        rows.append(
            {
                "group": "a vs b",
                "statistic": self.statistic,
                "pvalue": self.pvalue,
                "method": self.test,
                "measure": "test",
                "note": f"{self.reason}; alternative {self.alternative}",
            }
        )
        return tidy_frame(rows, extra=["measure", "note"])

    def _summary_lines(self) -> list[str]:
        level = f"{self.confidence_level:.0%}"

        def fmt(name, estimate, ci):
            return f"  {name:<22}{estimate:.4g} ({level} CI {ci.low:.4g} to {ci.high:.4g})"

        if np.isnan(self.statistic):
            test = f"{self.test}: p = {self.pvalue:.4g}"
        else:
            test = f"{self.test}: statistic {self.statistic:.4g}, p = {self.pvalue:.4g}"
        return [
            f"Comparison of proportions: a {self.events_a}/{self.total_a} vs "
            f"b {self.events_b}/{self.total_b}",
            f"  test {test} ({self.alternative}; {self.reason})",
            fmt("proportion a", self.proportion_a, self.proportion_a_ci),
            fmt("proportion b", self.proportion_b, self.proportion_b_ci),
            fmt("odds ratio (CMLE)", self.odds_ratio, self.odds_ratio_ci),
            fmt("odds ratio (sample)", self.odds_ratio_sample, self.odds_ratio_sample_ci)
            + self._wald_note,
            fmt("risk ratio", self.risk_ratio, self.risk_ratio_ci) + self._wald_note,
            fmt("risk difference", self.risk_difference, self.risk_difference_ci),
        ]


def _chi_square_2x2(table: np.ndarray, expected: np.ndarray, test: str, alternative: str):
    with np.errstate(divide="ignore", invalid="ignore"):
        deviation = np.abs(table - expected)
        if test == "chi2-yates":
            # As R: the correction never exceeds the deviation itself.
            deviation = deviation - min(0.5, float(deviation[0, 0]))
        statistic = float(np.sum(deviation**2 / expected))
    if test == "n-1":
        total = table.sum()
        statistic *= (total - 1) / total
    if np.isnan(statistic):
        return np.nan, np.nan
    if alternative == "two-sided":
        return statistic, float(stats.chi2.sf(statistic, 1))
    # One-sided: the signed root of the statistic is standard normal (as R prop.test).
    difference = table[0, 0] / table[0].sum() - table[1, 0] / table[1].sum()
    z = np.sign(difference) * np.sqrt(statistic)
    pvalue = stats.norm.cdf(z) if alternative == "less" else stats.norm.sf(z)
    return statistic, float(pvalue)


def _log_wald(estimate: float, se: float, z: float) -> ConfidenceInterval:
    return ConfidenceInterval(float(estimate * np.exp(-z * se)), float(estimate * np.exp(z * se)))


def compare_proportions(
    *,
    events_a: int,
    total_a: int,
    events_b: int,
    total_b: int,
    test: str = "auto",
    confidence_level: float = 0.95,
    alternative: str = "two-sided",
) -> ComparisonResult:
    """Compare the proportion with an outcome between two groups (a 2x2 table).

    Parameters
    ----------
    events_a, total_a : int
        Patients with the outcome, and all patients, in group a.
    events_b, total_b : int
        The same for group b (the reference for ratios and differences).
    test : {"auto", "fisher", "chi2", "chi2-yates", "n-1"}
        ``"auto"`` (default) runs Fisher's exact test when any expected count
        is below 5, else Pearson's chi-square without continuity correction,
        and records why. ``"chi2-yates"`` applies Yates' correction (R's
        ``chisq.test`` default); ``"n-1"`` is Campbell's (2007) N-1 chi-square,
        ``statistic * (N - 1) / N``.
    confidence_level : float
        Level of every interval.
    alternative : {"two-sided", "less", "greater"}
        ``"less"``: the proportion (odds) in a is below b. One-sided chi-square
        p-values use the signed square root of the statistic (as R
        ``prop.test``); the conditional odds ratio interval is one-sided too
        (as R ``fisher.test``); the other intervals are always two-sided.

    Returns
    -------
    ComparisonResult

    Raises
    ------
    ValueError
        For a group with total 0, negative or non-integer counts, events > total,
        or an unknown test or alternative.

    Notes
    -----
    Fisher's two-sided p-value sums the probabilities of all tables no more
    likely than the observed one (within a relative 1e-7, as R). The
    conditional MLE and its interval solve the noncentral hypergeometric
    equations to about 1e-12 relative (R's ``fisher.test`` stops near 1e-4).
    When every patient or no patient has the outcome, the conditional odds ratio
    is undefined: NaN with interval (0, inf) and Fisher's p-value is 1.

    Examples
    --------
    >>> res = compare_proportions(events_a=7, total_a=12, events_b=3, total_b=25)
    >>> res.test, res.reason
    ('fisher', 'smallest expected count 3.24 < 5')
    >>> round(res.pvalue, 4), round(res.odds_ratio, 3)
    (0.0057, 9.446)
    >>> [round(v, 3) for v in res.confidence_interval()]
    [1.527, 78.347]
    """
    _allowed(test, COMPARISON_TESTS, "test")
    _allowed(alternative, ALTERNATIVES, "alternative")
    level = float(confidence_level)
    if not 0 < level < 1:
        raise ValueError(
            f"confidence_level must lie strictly between 0 and 1, got {confidence_level!r}"
        )
    x, n = _check_events_total([events_a, events_b], [total_a, total_b])
    a, c = (int(v) for v in x)
    n_a, n_b = (int(v) for v in n)
    b, d = n_a - a, n_b - c
    table = np.array([[a, b], [c, d]], dtype=float)
    expected = _expected(table)
    smallest = float(expected.min())

    if test == "auto":
        if smallest < 5:
            test, reason = "fisher", f"smallest expected count {smallest:.3g} < 5"
        else:
            test, reason = "chi2", f"all expected counts >= 5 (smallest {smallest:.3g})"
    else:
        reason = "requested"

    conditional = _ConditionalOddsRatio(a, b, c, d)
    if test == "fisher":
        statistic, pvalue = np.nan, conditional.pvalue(alternative)
    else:
        statistic, pvalue = _chi_square_2x2(table, expected, test, alternative)

    z = stats.norm.isf((1 - level) / 2)
    zero_cell = bool((table == 0).any())
    cells = table + 0.5 if zero_cell else table
    ca, cb, cc, cd = cells.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        or_sample = (ca * cd) / (cb * cc)
        or_se = np.sqrt(1 / ca + 1 / cb + 1 / cc + 1 / cd)
        rr = (ca / (ca + cb)) / (cc / (cc + cd))
        rr_se = np.sqrt(1 / ca - 1 / (ca + cb) + 1 / cc - 1 / (cc + cd))

    low, high = proportion_interval(x, n, method="wilson", confidence_level=level)
    p_a, p_b = a / n_a, c / n_b
    # Newcombe (1998) method 10: combine the two Wilson intervals' distances.
    rd = p_a - p_b
    rd_ci = ConfidenceInterval(
        float(rd - np.hypot(p_a - low[0], high[1] - p_b)),
        float(rd + np.hypot(high[0] - p_a, p_b - low[1])),
    )
    expected.setflags(write=False)
    return ComparisonResult(
        events_a=a,
        total_a=n_a,
        events_b=c,
        total_b=n_b,
        test=test,
        reason=reason,
        alternative=alternative,
        confidence_level=level,
        statistic=float(statistic),
        pvalue=float(pvalue),
        proportion_a=p_a,
        proportion_a_ci=ConfidenceInterval(float(low[0]), float(high[0])),
        proportion_b=p_b,
        proportion_b_ci=ConfidenceInterval(float(low[1]), float(high[1])),
        odds_ratio=conditional.estimate(),
        odds_ratio_ci=conditional.interval(level, alternative),
        odds_ratio_sample=float(or_sample),
        odds_ratio_sample_ci=_log_wald(or_sample, or_se, z),
        risk_ratio=float(rr),
        risk_ratio_ci=_log_wald(rr, rr_se, z),
        risk_difference=float(rd),
        risk_difference_ci=rd_ci,
        zero_cell_correction=zero_cell,
        expected=expected,
    )


# --------------------------------------------------------------------------------------
# contingency_test (R x C)


@dataclass(frozen=True, eq=False, repr=False)
class ContingencyResult(Result):
    """Test of independence of rows and columns of a count table.

    Attributes
    ----------
    table : numpy.ndarray
        The table tested (all-zero rows and columns removed).
    row_labels, column_labels : tuple of str
        Labels of the tested rows and columns.
    method : str
        ``"fisher"`` (exact), ``"chi2"`` or ``"monte-carlo"``.
    reason : str
        Why that method ran.
    statistic : float
        Pearson chi-square statistic (computed for every method, NaN when an
        expected count is 0).
    df : int
        Degrees of freedom of the chi-square test.
    pvalue : float
        P-value of the method that ran.
    n_resamples : int or None
        Monte Carlo resamples (None for the other methods).
    seed : int or None
        Seed of the Monte Carlo generator (None for the other methods).
    expected : numpy.ndarray
        Expected counts under independence.
    notes : tuple of str
        What was changed in the input (dropped rows or columns).
    """

    table: np.ndarray = field(repr=False)
    row_labels: tuple
    column_labels: tuple
    method: str
    reason: str
    statistic: float
    df: int
    pvalue: float
    n_resamples: int | None
    seed: int | None
    expected: np.ndarray = field(repr=False)
    notes: tuple = ()

    def to_frame(self) -> pd.DataFrame:
        """One row: the test (extra columns ``df``, ``n_resamples``, ``seed``, ``note``)."""
        note = "; ".join((self.reason, *self.notes))
        return tidy_frame(
            [
                {
                    "total": int(self.table.sum()),
                    "statistic": self.statistic,
                    "pvalue": self.pvalue,
                    "method": self.method,
                    "df": self.df,
                    "n_resamples": self.n_resamples,
                    "seed": self.seed,
                    "note": note,
                }
            ],
            extra=["df", "n_resamples", "seed", "note"],
        )

    def _summary_lines(self) -> list[str]:
        rows, cols = self.table.shape
        lines = [
            f"Test of independence, {rows} x {cols} table, N = {int(self.table.sum())}",
            f"  method {self.method} ({self.reason}): p = {self.pvalue:.4g}",
            f"  Pearson chi-square {self.statistic:.4g} on {self.df} df",
        ]
        if self.method == "monte-carlo":
            lines.append(f"  {self.n_resamples} resamples, seed {self.seed}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return lines


def _count_tables_two_rows(first_row_total: int, columns: np.ndarray) -> float:
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


def _log_choose(n, k):
    return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)


def _fisher_two_rows(table: np.ndarray) -> float:
    """Exact Fisher-Freeman-Halton p-value of a 2 x C table by full enumeration."""
    columns = table.sum(axis=0)
    first = int(table[0].sum())
    remaining = np.cumsum(columns[::-1])[::-1]  # capacity of columns j..C-1
    partial = np.zeros(1, dtype=np.int64)
    log_weight = np.zeros(1)
    for j, size in enumerate(columns[:-1]):
        cell = np.arange(int(size) + 1)
        partial = (partial[:, None] + cell[None, :]).ravel()
        log_weight = (log_weight[:, None] + _log_choose(size, cell)[None, :]).ravel()
        # Keep only partial rows that the remaining columns can still complete.
        feasible = (partial <= first) & (first - partial <= remaining[j + 1])
        partial, log_weight = partial[feasible], log_weight[feasible]
    log_weight = log_weight + _log_choose(columns[-1], first - partial)
    log_weight -= _log_choose(columns.sum(), first)
    observed = float(np.sum(_log_choose(columns, table[0])) - _log_choose(columns.sum(), first))
    extreme = log_weight <= observed + np.log(_RELATIVE_TIE)
    return min(1.0, float(np.exp(special.logsumexp(log_weight[extreme]))))


def _monte_carlo(table: np.ndarray, n_resamples: int, seed: int) -> float:
    """Share of random tables no more probable than observed (R ``simulate.p.value``)."""
    rng = np.random.default_rng(seed)
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
    return (1 + hits) / (n_resamples + 1)


def _as_table(table) -> tuple[np.ndarray, tuple, tuple]:
    if isinstance(table, pd.DataFrame):
        rows = tuple(str(v) for v in table.index)
        cols = tuple(str(v) for v in table.columns)
        try:
            values = table.to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise ValueError("table must hold counts (non-negative integers)") from None
    else:
        values = np.asarray(table)
        if values.ndim != 2:
            raise ValueError(f"table must be two-dimensional, got {values.ndim} dimension(s)")
        rows = tuple(str(i) for i in range(values.shape[0]))
        cols = tuple(str(j) for j in range(values.shape[1]))
    return _as_counts(values, "table counts"), rows, cols


def contingency_test(
    table, *, method: str = "auto", n_resamples: int = 100_000, seed: int = 0
) -> ContingencyResult:
    """Test independence of the rows and columns of an R x C count table.

    Parameters
    ----------
    table : pandas.DataFrame or 2-D array-like of int
        Counts; a DataFrame keeps its index and column labels.
    method : {"auto", "fisher", "chi2", "monte-carlo"}
        ``"fisher"``: exact Fisher(-Freeman-Halton) test by enumerating every
        table with the observed margins; available for tables with two rows
        or two columns and at most :data:`EXACT_MAX_TABLES` tables.
        ``"chi2"``: Pearson's chi-square without continuity correction (also
        for 2x2, unlike R's ``chisq.test`` default). ``"monte-carlo"``: as R
        ``fisher.test(simulate.p.value=TRUE, B=n_resamples)``, p =
        (1 + #{simulated tables no more probable than observed}) / (B + 1).
        ``"auto"``: exact when feasible (as above), else chi-square when every
        expected count is at least 5, else Monte Carlo.
    n_resamples : int
        Number of Monte Carlo tables.
    seed : int
        Seed of the Monte Carlo generator (numpy ``default_rng``).

    Returns
    -------
    ContingencyResult

    Raises
    ------
    ValueError
        For negative or non-integer counts, fewer than two non-empty rows or
        columns, or ``method="fisher"`` on a table too large to enumerate.

    Notes
    -----
    Rows and columns that are entirely zero carry no information about
    association; they are dropped before testing and listed in ``notes``.

    Examples
    --------
    >>> res = contingency_test([[3, 1, 0], [2, 6, 8]])
    >>> res.method, round(res.pvalue, 4)
    ('fisher', 0.0372)
    """
    _allowed(method, CONTINGENCY_METHODS, "method")
    values, rows, cols = _as_table(table)
    notes = []
    keep_rows = values.sum(axis=1) > 0
    keep_cols = values.sum(axis=0) > 0
    if not keep_rows.all():
        dropped = [r for r, keep in zip(rows, keep_rows, strict=True) if not keep]
        notes.append(f"dropped all-zero rows: {', '.join(dropped)}")
    if not keep_cols.all():
        dropped = [c for c, keep in zip(cols, keep_cols, strict=True) if not keep]
        notes.append(f"dropped all-zero columns: {', '.join(dropped)}")
    values = values[keep_rows][:, keep_cols]
    rows = tuple(r for r, keep in zip(rows, keep_rows, strict=True) if keep)
    cols = tuple(c for c, keep in zip(cols, keep_cols, strict=True) if keep)
    if min(values.shape) < 2:
        raise ValueError(
            f"need at least two non-empty rows and two non-empty columns, got {values.shape[0]} x "
            f"{values.shape[1]} after dropping all-zero rows and columns"
        )

    expected = _expected(values)
    statistic = float(np.sum((values - expected) ** 2 / expected))
    df = (values.shape[0] - 1) * (values.shape[1] - 1)
    two_row = values if values.shape[0] == 2 else values.T if values.shape[1] == 2 else None
    n_tables = (
        _count_tables_two_rows(int(two_row[0].sum()), two_row.sum(axis=0))
        if two_row is not None
        else np.inf
    )
    exact_ok = n_tables <= EXACT_MAX_TABLES
    smallest = float(expected.min())

    if method == "auto":
        if exact_ok:
            method, reason = "fisher", f"exact: {n_tables:.0f} tables enumerated"
        elif smallest >= 5:
            method, reason = "chi2", f"all expected counts >= 5 (smallest {smallest:.3g})"
        else:
            method = "monte-carlo"
            reason = (
                f"smallest expected count {smallest:.3g} < 5 and too large for exact enumeration"
            )
    else:
        reason = "requested"
    if method == "fisher" and not exact_ok:
        raise ValueError(
            "exact test needs a table with two rows or two columns and at most "
            f"{EXACT_MAX_TABLES} tables with its margins; use method='monte-carlo'"
        )

    resamples = used_seed = None
    if method == "fisher":
        pvalue = _fisher_two_rows(two_row)
    elif method == "chi2":
        pvalue = float(stats.chi2.sf(statistic, df))
    else:
        if int(n_resamples) < 1:
            raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}")
        resamples, used_seed = int(n_resamples), int(seed)
        pvalue = _monte_carlo(values, resamples, used_seed)
    expected.setflags(write=False)
    values.setflags(write=False)
    return ContingencyResult(
        table=values,
        row_labels=rows,
        column_labels=cols,
        method=method,
        reason=reason,
        statistic=statistic,
        df=df,
        pvalue=pvalue,
        n_resamples=resamples,
        seed=used_seed,
        expected=expected,
        notes=tuple(notes),
    )
