"""Confidence intervals for one proportion and simultaneous intervals for a category mix.

The default is the Wilson score interval, which keeps close to nominal coverage
for small samples and for 0/n or n/n (Brown, Cai & DasGupta 2001). The Wald
interval is available only because reviewers sometimes ask to see it.

Degenerate input has one defined answer: a total of zero raises ``ValueError``
("no denominator") rather than returning NaN, because a proportion of 0/0 in
a report is almost always an upstream counting error. Negative counts,
non-integer counts and events greater than the total also raise ``ValueError``
naming the offending value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import (
    as_counts,
    check_choice,
    check_confidence_level,
    check_events_total,
    fail,
)

__all__ = [
    "PROPORTION_METHODS",
    "MULTINOMIAL_METHODS",
    "SISON_GLAZ_MIN_CATEGORIES",
    "MultinomialResult",
    "ProportionResult",
    "multinomial_intervals",
    "proportion",
    "proportion_interval",
]

#: Methods accepted by :func:`proportion` and :func:`proportion_interval`.
PROPORTION_METHODS: tuple[str, ...] = (
    "wilson",
    "clopper-pearson",
    "jeffreys",
    "agresti-coull",
    "wald",
)

#: Methods accepted by :func:`multinomial_intervals`.
MULTINOMIAL_METHODS: tuple[str, ...] = ("auto", "sison-glaz", "goodman")
#: From this many categories ``method="auto"`` picks Sison-Glaz, below it Goodman.
SISON_GLAZ_MIN_CATEGORIES: int = 7


def proportion_interval(
    events, total, *, method: str = "wilson", confidence_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised two-sided confidence limits for binomial proportions.

    Parameters
    ----------
    events, total : array-like of int
        Counts, broadcast against each other. ``0 <= events <= total`` and
        ``total > 0``.
    method : {"wilson", "clopper-pearson", "jeffreys", "agresti-coull", "wald"}
        Interval method; see :func:`proportion`.
    confidence_level : float
        Two-sided confidence level.

    Returns
    -------
    low, high : numpy.ndarray
        Limits with the broadcast shape of the inputs. 0/n always gives
        ``low == 0.0`` and n/n ``high == 1.0``.

    Examples
    --------
    >>> low, high = proportion_interval([0, 3], [10, 10])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0, 0.1078], [0.2775, 0.6032])
    """
    check_choice(method, PROPORTION_METHODS)
    level = check_confidence_level(confidence_level)
    x, n = check_events_total(events, total)
    alpha = 1.0 - level
    z = stats.norm.isf(alpha / 2)
    p = x / n
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wilson":
            z2 = z * z
            centre = (x + z2 / 2) / (n + z2)
            half = z * np.sqrt(n) / (n + z2) * np.sqrt(p * (1 - p) + z2 / (4 * n))
            low, high = centre - half, centre + half
        elif method == "clopper-pearson":
            low = special.betaincinv(x, n - x + 1, alpha / 2)
            high = special.betaincinv(x + 1, n - x, 1 - alpha / 2)
        elif method == "jeffreys":
            low = special.betaincinv(x + 0.5, n - x + 0.5, alpha / 2)
            high = special.betaincinv(x + 0.5, n - x + 0.5, 1 - alpha / 2)
        elif method == "agresti-coull":
            n_tilde = n + z * z
            p_tilde = (x + z * z / 2) / n_tilde
            half = z * np.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
            low, high = p_tilde - half, p_tilde + half
        else:  # wald
            half = z * np.sqrt(p * (1 - p) / n)
            low, high = p - half, p + half
    # The edges are set, not computed: rounding would otherwise leave 1e-17
    # where the interval must touch 0 or 1 (and beta quantiles are NaN there).
    low = np.where(x == 0, 0.0, np.clip(low, 0.0, 1.0))
    high = np.where(x == n, 1.0, np.clip(high, 0.0, 1.0))
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


@dataclass(frozen=True, eq=False, repr=False)
class ProportionResult(Result):
    """A binomial proportion with its confidence interval.

    Attributes
    ----------
    events, total : int
        The counts.
    estimate : float
        ``events / total``.
    method : str
        Interval method.
    confidence_level : float
        Level of the stored interval.
    ci_low, ci_high : float
        The interval at `confidence_level`.
    """

    events: int
    total: int
    estimate: float
    method: str
    confidence_level: float
    ci_low: float
    ci_high: float

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """The interval, recomputed when another `confidence_level` is given."""
        if confidence_level is None or confidence_level == self.confidence_level:
            return ConfidenceInterval(self.ci_low, self.ci_high)
        low, high = proportion_interval(
            self.events, self.total, method=self.method, confidence_level=confidence_level
        )
        return ConfidenceInterval(float(low), float(high))

    def to_frame(self) -> pd.DataFrame:
        """One row: events, total, estimate and interval."""
        return tidy_frame(
            [
                {
                    "events": self.events,
                    "total": self.total,
                    "estimate": self.estimate,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "confidence_level": self.confidence_level,
                    "method": self.method,
                }
            ]
        )

    def _summary_lines(self) -> list[str]:
        return [
            f"Proportion {self.events}/{self.total} = {self.estimate:.4g}",
            f"{self.confidence_level:.0%} CI ({self.method}): "
            f"{self.ci_low:.4g} to {self.ci_high:.4g}",
        ]


def proportion(
    events: int, total: int, *, method: str = "wilson", confidence_level: float = 0.95
) -> ProportionResult:
    """A binomial proportion with a confidence interval.

    Parameters
    ----------
    events : int
        Number of patients with the outcome.
    total : int
        Number of patients, ``total > 0``.
    method : {"wilson", "clopper-pearson", "jeffreys", "agresti-coull", "wald"}
        ``"wilson"`` (default) is the score interval (R ``prop.test(correct=FALSE)``);
        ``"clopper-pearson"`` the exact interval (R ``binom.test``);
        ``"jeffreys"`` the equal-tailed Beta(x+1/2, n-x+1/2) interval with the
        lower limit 0 at x = 0 and upper limit 1 at x = n (Brown, Cai & DasGupta
        2001); ``"agresti-coull"`` the adjusted Wald interval; ``"wald"`` the
        plain normal approximation, shown only on request.
        Every method is clipped to [0, 1].
    confidence_level : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    ProportionResult

    Raises
    ------
    ValueError
        For a total of 0, negative or non-integer counts, or events > total.

    Examples
    --------
    >>> res = proportion(3, 10)
    >>> res.estimate
    0.3
    >>> [round(v, 4) for v in res.confidence_interval()]
    [0.1078, 0.6032]
    >>> round(proportion(3, 10, method="clopper-pearson").confidence_interval().low, 4)
    0.0667
    """
    if np.ndim(events) or np.ndim(total):
        fail("events and total", "single counts (proportion_interval takes arrays)",
             f"{events!r} and {total!r}")  # fmt: skip
    x, n = check_events_total(events, total)
    level = check_confidence_level(confidence_level)
    low, high = proportion_interval(x, n, method=method, confidence_level=level)
    return ProportionResult(
        events=int(x),
        total=int(n),
        estimate=float(x / n),
        method=method,
        confidence_level=level,
        ci_low=float(low),
        ci_high=float(high),
    )


# --------------------------------------------------------------------------------------
# Simultaneous intervals for multinomial proportions


def _sison_glaz_coverage(c: int, counts: np.ndarray, n: int) -> float:
    """Edgeworth approximation of P(|N_i - x_i| <= c for all i) (Sison & Glaz 1995).

    Each N_i is Poisson(x_i) truncated to [x_i - c, x_i + c]; the coverage is the
    product of the truncation probabilities times P(sum N_i = n) for the truncated
    variables, divided by the Poisson(n) probability of n.
    """
    lam = counts
    upper = lam + c
    lower = np.maximum(lam - c, 0.0)

    def window(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        # P(lo <= Y <= hi) for Y ~ Poisson(lam); empty windows have probability 0.
        below = np.where(lo >= 1, stats.poisson.cdf(lo - 1, lam), 0.0)
        inside = np.where(hi >= 0, stats.poisson.cdf(hi, lam), 0.0) - below
        return np.where(hi >= lo, inside, 0.0)

    mass = window(lower, upper)
    # Factorial moments of the truncated Poisson:
    # E[Y(Y-1)...(Y-r+1)] = lam^r P(window shifted by r) / P(window).
    mu = [lam**r * window(np.maximum(lower - r, 0.0), upper - r) / mass for r in (1, 2, 3, 4)]
    m1, m2, m3, m4 = mu
    mean = m1
    var = m2 + m1 - m1**2
    third = m3 + m2 * (3 - 3 * m1) + (m1 - 3 * m1**2 + 2 * m1**3)
    fourth = (
        m4
        + m3 * (6 - 4 * m1)
        + m2 * (7 - 12 * m1 + 6 * m1**2)
        + m1
        - 4 * m1**2
        + 6 * m1**3
        - 3 * m1**4
    )
    cumulant4 = fourth - 3 * var**2
    s1, s2, s3, s4 = mean.sum(), var.sum(), third.sum(), cumulant4.sum()
    z = (n - s1) / np.sqrt(s2)
    g1 = s3 / s2**1.5
    g2 = s4 / s2**2
    poly = (
        1
        + g1 * (z**3 - 3 * z) / 6
        + g2 * (z**4 - 6 * z**2 + 3) / 24
        + g1**2 * (z**6 - 15 * z**4 + 45 * z**2 - 15) / 72
    )
    density = poly * np.exp(-(z**2) / 2) / np.sqrt(2 * np.pi)
    return float(np.prod(mass) * density / np.sqrt(s2) / stats.poisson.pmf(n, n))


def _first_c_above(counts: np.ndarray, n: int, level: float) -> int:
    """Smallest c whose coverage exceeds `level` (after one below it).

    Coverage grows with c, so bisection finds it in about log2(n) steps instead
    of the c ~ sqrt(n) steps of a linear scan; should the approximation ever
    not be monotone there, the linear scan decides.
    """
    low, high = 1, n
    while low < high:
        middle = (low + high) // 2
        if _sison_glaz_coverage(middle, counts, n) > level:
            high = middle
        else:
            low = middle + 1
    if low == 1 or _sison_glaz_coverage(low - 1, counts, n) < level:
        return low
    previous = 0.0
    for c in range(1, n + 1):  # pragma: no cover - a non-monotone coverage
        current = _sison_glaz_coverage(c, counts, n)
        if current > level and previous < level:
            return c
        previous = current
    raise ValueError("Sison-Glaz search did not reach the confidence level")  # pragma: no cover


def _sison_glaz(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    n = int(counts.sum())
    c = _first_c_above(counts, n, level)
    current = _sison_glaz_coverage(c, counts, n)
    previous = _sison_glaz_coverage(c - 1, counts, n) if c > 1 else 0.0
    # Interpolating between c - 1 and c spreads the width so the coverage is met exactly.
    delta = (level - previous) / (current - previous)
    p = counts / n
    width = (c - 1) / n
    low = np.clip(p - width, 0.0, 1.0)
    high = np.clip(p + width + 2 * delta / n, 0.0, 1.0)
    return low, high


def _goodman(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    n = counts.sum()
    k = counts.size
    a = stats.chi2.isf((1 - level) / k, 1)
    root = np.sqrt(a * (a + 4 * counts * (n - counts) / n))
    low = (a + 2 * counts - root) / (2 * (n + a))
    high = (a + 2 * counts + root) / (2 * (n + a))
    # At 0 or n events the limits equal the estimate in exact arithmetic; rounding
    # must not leave the estimate outside its own interval.
    low = np.where(counts == 0, 0.0, low)
    high = np.where(counts == n, 1.0, high)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


@dataclass(frozen=True, eq=False, repr=False)
class MultinomialResult(Result):
    """Simultaneous confidence intervals for the shares of several categories.

    Attributes
    ----------
    labels : tuple of str
        Category labels.
    events : tuple of int
        Count per category.
    total : int
        Sum of the counts.
    estimates, ci_low, ci_high : tuple of float
        Share of each category and its simultaneous interval.
    method : str
        The method that ran: ``"sison-glaz"`` or ``"goodman"``.
    reason : str
        Why that method ran.
    confidence_level : float
        Joint coverage of all intervals together.
    """

    labels: tuple[str, ...]
    events: tuple[int, ...]
    total: int
    estimates: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    method: str
    reason: str
    confidence_level: float

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Simultaneous limits as two Series indexed by label, recomputed at another level."""
        if confidence_level is None or confidence_level == self.confidence_level:
            low, high = self.ci_low, self.ci_high
        else:
            level = check_confidence_level(confidence_level)
            low, high = _MULTINOMIAL[self.method](np.array(self.events, dtype=float), level)
        index = pd.Index(self.labels, name="level")
        return ConfidenceInterval(
            pd.Series(low, index=index, dtype=float, name="ci_low"),
            pd.Series(high, index=index, dtype=float, name="ci_high"),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per category (``level`` is the category label)."""
        rows = [
            {
                "level": label,
                "events": count,
                "total": self.total,
                "estimate": est,
                "ci_low": low,
                "ci_high": high,
                "confidence_level": self.confidence_level,
                "method": self.method,
            }
            for label, count, est, low, high in zip(
                self.labels, self.events, self.estimates, self.ci_low, self.ci_high, strict=True
            )
        ]
        return tidy_frame(rows)

    def plot(self, ax=None, **kwargs):
        """The shares with their simultaneous intervals as bars; returns the Axes."""
        from casestats.plotting import interval_bars

        return interval_bars(self.to_frame(), x="level", ax=ax, **kwargs)

    def _summary_lines(self) -> list[str]:
        lines = [
            f"Simultaneous {self.confidence_level:.0%} intervals ({self.method}), "
            f"{len(self.events)} categories, total {self.total}",
            f"  {self.reason}",
        ]
        width = max(len(str(label)) for label in self.labels)
        for label, count, est, low, high in zip(
            self.labels, self.events, self.estimates, self.ci_low, self.ci_high, strict=True
        ):
            lines.append(
                f"  {str(label):<{width}}  {count:>5}  {est:.3f} ({low:.3f} to {high:.3f})"
            )
        return lines


_MULTINOMIAL = {"sison-glaz": _sison_glaz, "goodman": _goodman}


def multinomial_intervals(
    counts, *, method: str = "auto", confidence_level: float = 0.95, labels=None
) -> MultinomialResult:
    """Simultaneous confidence intervals for multinomial proportions.

    Parameters
    ----------
    counts : array-like of int or pandas.Series
        Count per category; a Series supplies the labels from its index.
    method : {"auto", "sison-glaz", "goodman"}
        ``"auto"`` (default): Goodman below
        :data:`SISON_GLAZ_MIN_CATEGORIES` (7) categories, Sison-Glaz from 7 on;
        the result's ``reason`` says which ran. ``"sison-glaz"``: Sison & Glaz
        (1995), the Edgeworth approximation of R ``MultinomialCI::multinomialCI``
        and statsmodels ``multinomial_proportions_confint``; statsmodels
        documents it as reliable for about 7 or more categories, where it is
        narrower than Goodman's. ``"goodman"``: Goodman (1965), Wilson-type
        intervals at the Bonferroni-adjusted level ``chi2(1 - alpha/k, 1)``,
        conservative for few categories and wide for many.
    confidence_level : float
        Joint (simultaneous) confidence level.
    labels : sequence of str, optional
        Category labels; default ``"0"``, ``"1"``, ... or the Series index.

    Returns
    -------
    MultinomialResult

    Raises
    ------
    ValueError
        For fewer than two categories, a zero total, or negative or
        non-integer counts.

    Examples
    --------
    >>> res = multinomial_intervals([20, 5, 3, 2], labels=["dys", "met", "idio", "iat"])
    >>> res.method, res.reason
    ('goodman', 'auto: 4 categories, below 7 (Sison-Glaz needs about 7 or more)')
    >>> round(res.ci_high[0], 4)
    0.8357
    >>> res = multinomial_intervals([20, 5, 3, 2], method="sison-glaz")
    >>> [round(v, 4) for v in res.ci_low]
    [0.5333, 0.0333, 0.0, 0.0]
    """
    check_choice(method, MULTINOMIAL_METHODS)
    level = check_confidence_level(confidence_level)
    if isinstance(counts, pd.Series):
        if labels is None:
            labels = [str(v) for v in counts.index]
        counts = counts.to_numpy()
    values = as_counts(counts, "counts").reshape(-1)
    if values.size < 2:
        fail("counts", "at least two categories", values.size)
    if values.sum() == 0:
        fail("counts", "of positive sum (the total is the denominator)", "all zero")
    labels = tuple(str(i) for i in range(values.size)) if labels is None else tuple(labels)
    if len(labels) != values.size:
        fail("labels", f"{values.size} labels (one per category)", len(labels))
    k = values.size
    if method != "auto":
        reason = "requested"
    elif k >= SISON_GLAZ_MIN_CATEGORIES:
        method, reason = "sison-glaz", f"auto: {k} categories, at least 7"
    else:
        method = "goodman"
        reason = f"auto: {k} categories, below 7 (Sison-Glaz needs about 7 or more)"
    low, high = _MULTINOMIAL[method](values, level)
    total = int(values.sum())
    return MultinomialResult(
        labels=labels,
        events=tuple(int(v) for v in values),
        total=total,
        estimates=tuple(float(v) for v in values / total),
        ci_low=tuple(float(v) for v in low),
        ci_high=tuple(float(v) for v in high),
        method=method,
        reason=reason,
        confidence_level=level,
    )
