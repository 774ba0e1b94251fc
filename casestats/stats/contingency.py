"""Two-group comparisons (2x2) and tests of independence for R x C count tables.

The 2x2 layer follows what a reviewer expects: Fisher's exact test when any
expected count is below 5, Pearson's chi-square otherwise, and the result says
which ran and why. Effect measures come together: the conditional maximum
likelihood odds ratio with its exact interval (as R ``fisher.test``), the
sample odds ratio and risk ratio with Wald intervals on the log scale, and the
risk difference with Newcombe's hybrid score interval. The exact machinery
lives in :mod:`casestats.stats._exact`.

Zero cells: the sample odds ratio and the risk ratio add 0.5 to every cell
(Haldane-Anscombe) only when some cell is zero, and the result records it in
``zero_cell_correction`` and in the method token (``"wald-haldane"``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import (
    as_counts,
    check_choice,
    check_confidence_level,
    check_events_total,
    check_groups,
    fail,
    zero_cell_corrected,
)
from casestats.stats._exact import (
    EXACT_MAX_TABLES,
    ConditionalOddsRatio,
    count_tables_two_rows,
    fisher_two_rows,
    monte_carlo,
)
from casestats.stats._twobytwo import DEFAULT_GROUPS, LAYOUT_EXTRA, nullable_integers, table_row
from casestats.stats.intervals import proportion_interval

__all__ = [
    "COMPARISON_TESTS",
    "CONTINGENCY_METHODS",
    "EXACT_MAX_TABLES",
    "RISK_DIFFERENCE_METHODS",
    "ComparisonResult",
    "ContingencyResult",
    "compare_proportions",
    "contingency_test",
]

#: Tests accepted by :func:`compare_proportions`.
COMPARISON_TESTS: tuple[str, ...] = ("auto", "fisher", "chi2", "chi2-yates", "n-1")
#: Risk-difference intervals accepted by :func:`compare_proportions`.
RISK_DIFFERENCE_METHODS: tuple[str, ...] = ("newcombe", "miettinen-nurminen", "wald")
#: Methods accepted by :func:`contingency_test`.
CONTINGENCY_METHODS: tuple[str, ...] = ("auto", "fisher", "chi2", "monte-carlo")
ALTERNATIVES: tuple[str, ...] = ("two-sided", "less", "greater")


def _expected(table: np.ndarray) -> np.ndarray:
    total = table.sum()
    return np.outer(table.sum(axis=1), table.sum(axis=0)) / total


# --------------------------------------------------------------------------------------
# compare_proportions


@dataclass(frozen=True, eq=False, repr=False)
class ComparisonResult(Result):
    """Comparison of the proportion with an outcome in arm a and arm b.

    Attributes
    ----------
    events_a, total_a, events_b, total_b : int
        The counts.
    groups : tuple of str
        Names of arm a and arm b.
    test : str
        Test that ran: ``"fisher"``, ``"chi2"``, ``"chi2-yates"`` or ``"n-1"``
        (also ``method``).
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
        ``proportion_a - proportion_b``, with the interval ``risk_difference_ci``
        by ``risk_difference_method``.
    zero_cell_correction : bool
        Whether 0.5 was added to every cell for the sample odds ratio and risk ratio.
    expected : numpy.ndarray
        Expected counts under independence, rows (a, b) by columns (events, non-events).
    risk_difference_method : str
        ``"newcombe"`` (hybrid score, method 10 of Newcombe 1998),
        ``"miettinen-nurminen"`` or ``"wald"``.
    """

    events_a: int
    total_a: int
    events_b: int
    total_b: int
    groups: tuple[str, str]
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
    risk_difference_method: str = "newcombe"

    @property
    def method(self) -> str:
        """The test that ran (the short token, as :attr:`test`)."""
        return self.test

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """The exact interval of the conditional maximum-likelihood odds ratio, at any level."""
        if confidence_level is None:
            return self.odds_ratio_ci
        a, c = self.events_a, self.events_b
        conditional = ConditionalOddsRatio(a, self.total_a - a, c, self.total_b - c)
        return conditional.interval(check_confidence_level(confidence_level), self.alternative)

    def _wald(self) -> str:
        return "wald-haldane" if self.zero_cell_correction else "wald"

    def to_frame(self) -> pd.DataFrame:
        """The 2x2 layout: a row per arm, a row per effect measure, and the test row."""
        level = self.confidence_level
        counts = (self.events_a, self.total_a, self.events_b, self.total_b)
        rows = [
            {"group": "arm", "level": name, "events": events, "total": total,
             "estimate": estimate, "ci_low": ci.low, "ci_high": ci.high,
             "confidence_level": level, "method": "wilson", "measure": "proportion",
             "group_a": self.groups[0], "group_b": self.groups[1]}
            for name, events, total, estimate, ci in (
                (self.groups[0], self.events_a, self.total_a, self.proportion_a,
                 self.proportion_a_ci),
                (self.groups[1], self.events_b, self.total_b, self.proportion_b,
                 self.proportion_b_ci),
            )
        ]  # fmt: skip
        label = f"{self.groups[0]} vs {self.groups[1]}"
        measures = [
            ("odds_ratio_cmle", self.odds_ratio, self.odds_ratio_ci, "conditional-mle"),
            ("odds_ratio_sample", self.odds_ratio_sample, self.odds_ratio_sample_ci,
             self._wald()),
            ("risk_ratio", self.risk_ratio, self.risk_ratio_ci, self._wald()),
            ("risk_difference", self.risk_difference, self.risk_difference_ci,
             self.risk_difference_method),
        ]  # fmt: skip
        for measure, estimate, ci, method in measures:
            rows.append(table_row("table", label, self.groups, counts, estimate=estimate,
                                  ci_low=ci.low, ci_high=ci.high, confidence_level=level,
                                  method=method, measure=measure))  # fmt: skip
        rows.append(table_row("test", label, self.groups, counts, statistic=self.statistic,
                              pvalue=self.pvalue, method=self.test, measure="test",
                              df=None if self.test == "fisher" else 1,
                              note=f"{self.reason}; alternative {self.alternative}"))  # fmt: skip
        return nullable_integers(tidy_frame(rows, extra=[*LAYOUT_EXTRA, "note"]))

    def plot(self, ax=None, **kwargs):
        """The two arms' proportions with their Wilson intervals; returns the Axes."""
        from casestats.plotting import interval_bars

        frame = self.to_frame()
        return interval_bars(frame[frame["group"] == "arm"], x="level", hue=None, ax=ax, **kwargs)

    def _summary_lines(self) -> list[str]:
        level = f"{self.confidence_level:.0%}"
        note = " with 0.5 added to every cell (zero cell)" if self.zero_cell_correction else ""
        a, b = self.groups

        def fmt(name, estimate, ci):
            return f"  {name:<22}{estimate:.4g} ({level} CI {ci.low:.4g} to {ci.high:.4g})"

        if np.isnan(self.statistic):
            test = f"{self.test}: p = {self.pvalue:.4g}"
        else:
            test = f"{self.test}: statistic {self.statistic:.4g}, p = {self.pvalue:.4g}"
        return [
            f"Comparison of proportions: {a} {self.events_a}/{self.total_a} vs "
            f"{b} {self.events_b}/{self.total_b}",
            f"  test {test} ({self.alternative}; {self.reason})",
            fmt(f"proportion {a}", self.proportion_a, self.proportion_a_ci),
            fmt(f"proportion {b}", self.proportion_b, self.proportion_b_ci),
            fmt("odds ratio (CMLE)", self.odds_ratio, self.odds_ratio_ci),
            fmt("odds ratio (sample)", self.odds_ratio_sample, self.odds_ratio_sample_ci) + note,
            fmt("risk ratio", self.risk_ratio, self.risk_ratio_ci) + note,
            fmt("risk difference", self.risk_difference, self.risk_difference_ci)
            + f" ({self.risk_difference_method})",
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


def _choose_test(test: str, smallest: float) -> tuple[str, str]:
    """The 2x2 test to run and why: Fisher below an expected count of 5 unless asked."""
    if test != "auto":
        return test, "requested"
    if smallest < 5:
        return "fisher", f"smallest expected count {smallest:.3g} < 5"
    return "chi2", f"all expected counts >= 5 (smallest {smallest:.3g})"


def _wald_ratios(table: np.ndarray, z: float) -> dict:
    """Sample odds ratio (Woolf) and risk ratio with log-scale Wald intervals."""
    ca, cb, cc, cd, zero = zero_cell_corrected(*table.ravel())
    with np.errstate(divide="ignore", invalid="ignore"):
        odds_ratio = float(ca * cd / (cb * cc))
        or_se = np.sqrt(1 / ca + 1 / cb + 1 / cc + 1 / cd)
        risk_ratio = float((ca / (ca + cb)) / (cc / (cc + cd)))
        rr_se = np.sqrt(1 / ca - 1 / (ca + cb) + 1 / cc - 1 / (cc + cd))
    return {
        "odds_ratio_sample": odds_ratio,
        "odds_ratio_sample_ci": _log_wald(odds_ratio, or_se, z),
        "risk_ratio": risk_ratio,
        "risk_ratio_ci": _log_wald(risk_ratio, rr_se, z),
        "zero_cell_correction": bool(zero),
    }


def _restricted_proportions(p_a, n_a, p_b, n_b, delta):
    """The ML proportions of the two arms under p_a - p_b = delta (closed-form cubic root).

    Miettinen and Nurminen (1985), Appendix; Farrington and Manning (1990), eq. 12.
    """
    theta = n_b / n_a
    a = 1 + theta
    b = -(1 + theta + p_a + theta * p_b + delta * (theta + 2))
    c = delta**2 + delta * (2 * p_a + theta + 1) + p_a + theta * p_b
    d = -p_a * delta * (1 + delta)
    v = (b / (3 * a)) ** 3 - b * c / (6 * a * a) + d / (2 * a)
    u = math.copysign(math.sqrt(max(0.0, (b / (3 * a)) ** 2 - c / (3 * a))), v)
    cosine = 1.0 if u == 0 else max(-1.0, min(1.0, v / u**3))
    w = (math.pi + math.acos(cosine)) / 3
    restricted_a = min(1.0, max(0.0, 2 * u * math.cos(w) - b / (3 * a)))
    return restricted_a, min(1.0, max(0.0, restricted_a - delta))


def _score_difference_interval(x_a, n_a, x_b, n_b, level: float, *, small_sample: bool = True):
    """Score interval of p_a - p_b: Miettinen-Nurminen, or Mee's without `small_sample`.

    The limits are the differences delta at which the score statistic
    ``(p_a - p_b - delta)^2 / V(delta)`` reaches the chi-square(1) quantile, V
    the variance at the restricted ML proportions, times ``N / (N - 1)`` for
    Miettinen-Nurminen (Mee, 1984, omits that factor).
    """
    p_a, p_b = x_a / n_a, x_b / n_b
    rd = p_a - p_b
    crit = float(stats.chi2.isf(1 - level, 1))
    factor = (n_a + n_b) / (n_a + n_b - 1) if small_sample else 1.0

    def excess(delta):
        r_a, r_b = _restricted_proportions(p_a, n_a, p_b, n_b, delta)
        variance = factor * (r_a * (1 - r_a) / n_a + r_b * (1 - r_b) / n_b)
        if variance <= 0:
            return math.inf if rd != delta else -crit
        return (rd - delta) ** 2 / variance - crit

    def limit(edge):
        if rd == edge or excess(edge) <= 0:
            return float(edge)
        return float(optimize.brentq(excess, edge, rd, xtol=1e-15, rtol=4 * np.finfo(float).eps))

    return ConfidenceInterval(limit(-1.0), limit(1.0))


def _risk_difference_interval(x, n, low, high, level: float, method: str) -> ConfidenceInterval:
    """The interval of p_a - p_b by `method`; `low`, `high` are the arms' Wilson limits."""
    p_a, p_b = float(x[0] / n[0]), float(x[1] / n[1])
    rd = p_a - p_b
    if method == "newcombe":
        # Combine the two Wilson intervals' distances from their estimates.
        return ConfidenceInterval(
            float(rd - np.hypot(p_a - low[0], high[1] - p_b)),
            float(rd + np.hypot(high[0] - p_a, p_b - low[1])),
        )
    if method == "wald":
        half = stats.norm.isf((1 - level) / 2) * math.sqrt(
            p_a * (1 - p_a) / n[0] + p_b * (1 - p_b) / n[1]
        )
        return ConfidenceInterval(float(rd - half), float(rd + half))
    return _score_difference_interval(int(x[0]), int(n[0]), int(x[1]), int(n[1]), level)


def _proportions(x, n, level: float, rd_method: str) -> dict:
    """Both arms' Wilson intervals and the risk difference with its interval."""
    low, high = proportion_interval(x, n, method="wilson", confidence_level=level)
    p_a, p_b = float(x[0] / n[0]), float(x[1] / n[1])
    return {
        "proportion_a": p_a,
        "proportion_a_ci": ConfidenceInterval(float(low[0]), float(high[0])),
        "proportion_b": p_b,
        "proportion_b_ci": ConfidenceInterval(float(low[1]), float(high[1])),
        "risk_difference": p_a - p_b,
        "risk_difference_ci": _risk_difference_interval(x, n, low, high, level, rd_method),
        "risk_difference_method": rd_method,
    }


def compare_proportions(
    *,
    events_a: int,
    total_a: int,
    events_b: int,
    total_b: int,
    groups: tuple[str, str] = DEFAULT_GROUPS,
    test: str = "auto",
    confidence_level: float = 0.95,
    alternative: str = "two-sided",
    risk_difference_method: str = "newcombe",
) -> ComparisonResult:
    """Compare the proportion with an outcome between two arms (a 2x2 table).

    Parameters
    ----------
    events_a, total_a : int
        Patients with the outcome, and all patients, in arm a.
    events_b, total_b : int
        The same for arm b (the reference for ratios and differences).
    groups : (str, str), default ("group a", "group b")
        Names of arm a and arm b, shown in the frame and the summary.
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
    risk_difference_method : {"newcombe", "miettinen-nurminen", "wald"}
        Interval of the risk difference. ``"newcombe"`` (default) is the
        hybrid score interval (method 10 of Newcombe, 1998), from the arms'
        Wilson intervals: a closed form that never leaves [-1, 1], stays
        informative with zero events, and had near-nominal coverage in
        Newcombe's evaluation and in Fagerland, Lydersen and Laake (2015),
        who recommend it; it also kept earlier results unchanged.
        ``"miettinen-nurminen"`` inverts the score test of
        Miettinen and Nurminen (1985), the other interval those authors
        recommend (SAS ``RISKDIFF(CL=MN)``); it needs a root search.
        ``"wald"`` is ``rd ± z SE``, for comparison with papers that used
        it: it undercovers with small counts and has zero width when
        neither arm has events.

    Returns
    -------
    ComparisonResult

    Raises
    ------
    ValueError
        For an arm with total 0, negative or non-integer counts, events > total,
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
    >>> res = compare_proportions(events_a=7, total_a=12, events_b=3, total_b=25,
    ...                           groups=("lcSSc", "dcSSc"))
    >>> res.test, res.reason
    ('fisher', 'smallest expected count 3.24 < 5')
    >>> round(res.pvalue, 4), round(res.odds_ratio, 3)
    (0.0057, 9.446)
    >>> [round(v, 3) for v in res.confidence_interval()]
    [1.527, 78.347]
    >>> mn = compare_proportions(events_a=56, total_a=70, events_b=48, total_b=80,
    ...                          risk_difference_method="miettinen-nurminen")
    >>> [round(v, 4) for v in mn.risk_difference_ci]
    [0.0528, 0.3382]
    """
    check_choice(test, COMPARISON_TESTS, "test")
    check_choice(alternative, ALTERNATIVES, "alternative")
    check_choice(risk_difference_method, RISK_DIFFERENCE_METHODS, "risk_difference_method")
    level = check_confidence_level(confidence_level)
    groups = check_groups(groups)
    for name, value in (("events_a", events_a), ("total_a", total_a),
                        ("events_b", events_b), ("total_b", total_b)):  # fmt: skip
        if np.ndim(value):
            fail(name, "a single count", repr(value))
    arm_a = check_events_total(events_a, total_a, "events_a", "total_a")
    arm_b = check_events_total(events_b, total_b, "events_b", "total_b")
    x, n = np.array([arm_a[0], arm_b[0]]), np.array([arm_a[1], arm_b[1]])
    a, c = (int(v) for v in x)
    n_a, n_b = (int(v) for v in n)
    table = np.array([[a, n_a - a], [c, n_b - c]], dtype=float)
    expected = _expected(table)
    test, reason = _choose_test(test, float(expected.min()))
    conditional = ConditionalOddsRatio(a, n_a - a, c, n_b - c)
    if test == "fisher":
        statistic, pvalue = np.nan, conditional.pvalue(alternative)
    else:
        statistic, pvalue = _chi_square_2x2(table, expected, test, alternative)
    expected.setflags(write=False)
    return ComparisonResult(
        events_a=a,
        total_a=n_a,
        events_b=c,
        total_b=n_b,
        groups=groups,
        test=test,
        reason=reason,
        alternative=alternative,
        confidence_level=level,
        statistic=float(statistic),
        pvalue=float(pvalue),
        odds_ratio=conditional.estimate(),
        odds_ratio_ci=conditional.interval(level, alternative),
        expected=expected,
        **_proportions(x, n, level, risk_difference_method),
        **_wald_ratios(table, stats.norm.isf((1 - level) / 2)),
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
    n_extreme : int or None
        Simulated tables no more probable than the observed one (Monte Carlo only).
    rng : int or None
        The integer seed of the Monte Carlo generator (None for a Generator
        passed in, and for the other methods).
    expected : numpy.ndarray
        Expected counts under independence.
    notes : tuple of str
        What was changed in the input (dropped rows or columns).
    """

    table: np.ndarray = field(repr=False)
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    method: str
    reason: str
    statistic: float
    df: int
    pvalue: float
    n_resamples: int | None
    n_extreme: int | None
    rng: int | None
    expected: np.ndarray = field(repr=False)
    notes: tuple[str, ...] = ()

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Interval of the p-value: Clopper-Pearson on the Monte Carlo share, else (p, p).

        The exact and chi-square p-values carry no sampling error; the Monte
        Carlo one estimates the exact p-value from `n_resamples` tables.
        """
        level = 0.95 if confidence_level is None else check_confidence_level(confidence_level)
        if self.method != "monte-carlo":
            return ConfidenceInterval(self.pvalue, self.pvalue)
        low, high = proportion_interval(
            self.n_extreme, self.n_resamples, method="clopper-pearson", confidence_level=level
        )
        return ConfidenceInterval(float(low), float(high))

    def to_frame(self) -> pd.DataFrame:
        """One row: the test (extra columns ``df``, ``n_resamples``, ``rng``, ``note``)."""
        note = "; ".join((self.reason, *self.notes))
        ci = self.confidence_interval()
        frame = tidy_frame(
            [
                {
                    "total": int(self.table.sum()),
                    "ci_low": ci.low if self.method == "monte-carlo" else None,
                    "ci_high": ci.high if self.method == "monte-carlo" else None,
                    "confidence_level": 0.95 if self.method == "monte-carlo" else None,
                    "statistic": self.statistic,
                    "pvalue": self.pvalue,
                    "method": self.method,
                    "df": self.df,
                    "n_resamples": self.n_resamples,
                    "rng": self.rng,
                    "note": note,
                }
            ],
            extra=["df", "n_resamples", "rng", "note"],
        )
        for name in ("estimate", "ci_low", "ci_high", "confidence_level"):
            frame[name] = frame[name].astype(float)
        return nullable_integers(frame, names=("df", "n_resamples", "rng"))

    def _summary_lines(self) -> list[str]:
        rows, cols = self.table.shape
        lines = [
            f"Test of independence, {rows} x {cols} table, N = {int(self.table.sum())}",
            f"  method {self.method} ({self.reason}): p = {self.pvalue:.4g}",
            f"  Pearson chi-square {self.statistic:.4g} on {self.df} df",
        ]
        if self.method == "monte-carlo":
            low, high = self.confidence_interval()
            seed = "a Generator" if self.rng is None else f"seed {self.rng}"
            lines.append(
                f"  {self.n_resamples} resamples ({seed}); 95% CI of p {low:.4g} to {high:.4g}"
            )
        lines.extend(f"  note: {note}" for note in self.notes)
        return lines


def _as_table(table) -> tuple[np.ndarray, tuple, tuple]:
    if isinstance(table, pd.DataFrame):
        rows = tuple(str(v) for v in table.index)
        cols = tuple(str(v) for v in table.columns)
        values = table.to_numpy(dtype=object)
    else:
        values = np.asarray(table, dtype=object)
        if values.ndim != 2:
            fail("table", "two-dimensional", f"{values.ndim} dimension(s)")
        rows = tuple(str(i) for i in range(values.shape[0]))
        cols = tuple(str(j) for j in range(values.shape[1]))
    return as_counts(values, "table counts"), rows, cols


def _drop_empty(values, rows, cols):
    """Drop all-zero rows and columns, which carry no information on association."""
    notes = []
    keep_rows = values.sum(axis=1) > 0
    keep_cols = values.sum(axis=0) > 0
    for keep, labels, what in ((keep_rows, rows, "rows"), (keep_cols, cols, "columns")):
        if not keep.all():
            dropped = [label for label, k in zip(labels, keep, strict=True) if not k]
            notes.append(f"dropped all-zero {what}: {', '.join(dropped)}")
    values = values[keep_rows][:, keep_cols]
    if min(values.shape) < 2:
        shape = f"{values.shape[0]} x {values.shape[1]}"
        fail("table", "at least two non-empty rows and two non-empty columns",
             f"{shape} after dropping all-zero rows and columns")  # fmt: skip
    rows = tuple(r for r, k in zip(rows, keep_rows, strict=True) if k)
    cols = tuple(c for c, k in zip(cols, keep_cols, strict=True) if k)
    return values, rows, cols, notes


def _choose_method(method: str, n_tables: float, smallest: float) -> tuple[str, str]:
    """Exact when feasible, else chi-square with expected counts >= 5, else Monte Carlo."""
    exact_ok = n_tables <= EXACT_MAX_TABLES
    if method == "fisher" and not exact_ok:
        raise ValueError(
            "exact test needs a table with two rows or two columns and at most "
            f"{EXACT_MAX_TABLES} tables with its margins; use method='monte-carlo'"
        )
    if method != "auto":
        return method, "requested"
    if exact_ok:
        return "fisher", f"exact: {n_tables:.0f} tables enumerated"
    if smallest >= 5:
        return "chi2", f"all expected counts >= 5 (smallest {smallest:.3g})"
    return "monte-carlo", (
        f"smallest expected count {smallest:.3g} < 5 and too large for exact enumeration"
    )


def contingency_test(
    table, *, method: str = "auto", n_resamples: int = 100_000, rng=0
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
    rng : int or numpy.random.Generator, default 0
        Seed or generator of the Monte Carlo draws (numpy ``default_rng``);
        the default seed makes the p-value reproducible.

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
    check_choice(method, CONTINGENCY_METHODS)
    values, rows, cols, notes = _drop_empty(*_as_table(table))
    expected = _expected(values)
    statistic = float(np.sum((values - expected) ** 2 / expected))
    df = (values.shape[0] - 1) * (values.shape[1] - 1)
    two_row = values if values.shape[0] == 2 else values.T if values.shape[1] == 2 else None
    n_tables = (
        count_tables_two_rows(int(two_row[0].sum()), two_row.sum(axis=0))
        if two_row is not None
        else np.inf
    )
    method, reason = _choose_method(method, n_tables, float(expected.min()))
    resamples = extreme = seed = None
    if method == "fisher":
        pvalue = fisher_two_rows(two_row)
    elif method == "chi2":
        pvalue = float(stats.chi2.sf(statistic, df))
    else:
        if isinstance(n_resamples, bool) or int(n_resamples) != n_resamples or n_resamples < 1:
            fail("n_resamples", "a positive integer", repr(n_resamples))
        if not isinstance(rng, np.random.Generator | int | np.integer) or isinstance(rng, bool):
            fail("rng", "an int seed or a numpy Generator", repr(rng))
        resamples = int(n_resamples)
        seed = None if isinstance(rng, np.random.Generator) else int(rng)
        extreme = monte_carlo(values, resamples, np.random.default_rng(rng))
        pvalue = (1 + extreme) / (resamples + 1)
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
        n_extreme=extreme,
        rng=seed,
        expected=expected,
        notes=tuple(notes),
    )
