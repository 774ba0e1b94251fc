"""One test per level (site, category) across groups, adjusted over the levels."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casestats.results import ConfidenceInterval, Result, tidy_frame

__all__ = ["LevelComparisonResult", "compare_levels"]


@dataclass(frozen=True, eq=False, repr=False)
class LevelComparisonResult(Result):
    """Per-level comparisons across groups, Benjamini-Hochberg adjusted.

    Attributes
    ----------
    labels : tuple of str
        The levels (rows of `events`).
    groups : tuple of str
        The groups (columns of `events`).
    events, total : numpy.ndarray
        Counts, levels x groups.
    tests : tuple of str
        Test of each level: ``"fisher"``, ``"chi2"`` (two groups, chosen by
        expected counts as :func:`casestats.compare_proportions`), the method
        of :func:`casestats.contingency_test` (more groups), or ``""`` for a
        level with nothing to compare (no events, or only events).
    statistic, pvalue, pvalue_adjusted : numpy.ndarray
        Per level; NaN where not tested. The adjustment
        (Benjamini-Hochberg) runs over the tested levels.
    odds_ratio, odds_ratio_low, odds_ratio_high : numpy.ndarray
        Two groups only: conditional maximum-likelihood odds ratio of the
        first group vs the second, with its exact interval (NaN otherwise).
    confidence_level : float
    method : str
        The adjustment, ``"fdr_bh"``.
    """

    labels: tuple[str, ...]
    groups: tuple[str, ...]
    events: np.ndarray = field(repr=False)
    total: np.ndarray = field(repr=False)
    tests: tuple[str, ...]
    statistic: np.ndarray = field(repr=False)
    pvalue: np.ndarray = field(repr=False)
    pvalue_adjusted: np.ndarray = field(repr=False)
    odds_ratio: np.ndarray = field(repr=False)
    odds_ratio_low: np.ndarray = field(repr=False)
    odds_ratio_high: np.ndarray = field(repr=False)
    confidence_level: float = 0.95
    method: str = "fdr_bh"

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Odds ratio interval of each level (two groups), Series indexed by level."""
        if confidence_level is None or confidence_level == self.confidence_level:
            low, high = self.odds_ratio_low, self.odds_ratio_high
        else:
            low, high = _odds_ratio_limits(self.events, self.total, confidence_level)
        index = pd.Index(self.labels, name="level")
        return ConfidenceInterval(pd.Series(low, index=index), pd.Series(high, index=index))

    def to_frame(self) -> pd.DataFrame:
        """One row per level: odds ratio (two groups), test, p-value and adjusted p-value."""
        rows = [
            {
                "group": " vs ".join(self.groups),
                "level": label,
                "events": int(self.events[i].sum()),
                "total": int(self.total[i].sum()),
                "estimate": self.odds_ratio[i],
                "ci_low": self.odds_ratio_low[i],
                "ci_high": self.odds_ratio_high[i],
                "confidence_level": self.confidence_level,
                "statistic": self.statistic[i],
                "pvalue": self.pvalue[i],
                "pvalue_adjusted": self.pvalue_adjusted[i],
                "method": self.tests[i] or None,
                "adjustment": self.method,
            }
            for i, label in enumerate(self.labels)
        ]
        return tidy_frame(rows, extra=["adjustment"])

    def _repr_fields(self) -> dict:
        return {"method": self.method, "k": len(self.labels), "groups": " vs ".join(self.groups)}

    def _summary_lines(self) -> list[str]:
        lines = [f"Per-level comparison of {' vs '.join(self.groups)} "
                 "(Benjamini-Hochberg over the levels tested)"]  # fmt: skip
        for i, label in enumerate(self.labels):
            if not self.tests[i]:
                lines.append(f"  {label}: not tested (nothing to compare)")
                continue
            lines.append(
                f"  {label}: {self.tests[i]} p = {self.pvalue[i]:.3g}, "
                f"adjusted {self.pvalue_adjusted[i]:.3g}"
            )
        return lines


def _check_counts(events, total) -> tuple[np.ndarray, np.ndarray]:
    events = np.asarray(events)
    total = np.broadcast_to(np.asarray(total), events.shape) if np.ndim(total) == 1 else total
    total = np.asarray(total)
    problems = []
    if events.ndim != 2 or events.shape[1] < 2:
        problems.append(f"events must be levels x groups (at least 2 groups), got {events.shape}")
    elif total.shape != events.shape:
        problems.append(f"total must be one per group or levels x groups, got {total.shape}")
    else:
        for name, values in (("events", events), ("total", total)):
            if (
                not np.issubdtype(values.dtype, np.number)
                or (values < 0).any()
                or (values != np.round(values)).any()
            ):
                problems.append(f"{name} must be non-negative integers")
        if not problems and (events > total).any():
            row, col = np.argwhere(events > total)[0]
            problems.append(
                f"events > total at level {row}, group {col}: "
                f"{events[row, col]} > {total[row, col]}"
            )
    if problems:
        raise ValueError("; ".join(problems))
    return events.astype(np.int64), total.astype(np.int64)


def _compare(events, total, confidence_level):
    from casestats.stats.contingency import compare_proportions

    return compare_proportions(
        events_a=int(events[0]),
        total_a=int(total[0]),
        events_b=int(events[1]),
        total_b=int(total[1]),
        confidence_level=confidence_level,
    )


def _odds_ratio_limits(events, total, confidence_level):
    """Exact odds ratio limits per level at another level (NaN beyond two groups)."""
    low, high = np.full(len(events), np.nan), np.full(len(events), np.nan)
    if events.shape[1] != 2:
        return low, high
    for i, (e, t) in enumerate(zip(events, total, strict=True)):
        if 0 < e.sum() < t.sum():
            low[i], high[i] = _compare(e, t, confidence_level).odds_ratio_ci
    return low, high


def compare_levels(
    events, total, *, labels=None, groups=None, confidence_level: float = 0.95
) -> LevelComparisonResult:
    """Compare groups at each level, with Benjamini-Hochberg adjustment over the levels.

    Parameters
    ----------
    events : 2-D array-like of int
        Levels x groups: subjects of each group with the level (a site with
        a lesion, say). A subject may count at several levels.
    total : array-like of int
        Subjects of each group (one per group), or levels x groups.
    labels : sequence of str, optional
        Level names.
    groups : sequence of str, optional
        Group names.
    confidence_level : float
        Level of the odds ratio intervals (two groups).

    Returns
    -------
    LevelComparisonResult

    Notes
    -----
    Two groups: :func:`casestats.compare_proportions` (Fisher's exact test
    when an expected count is below 5, else Pearson's chi-square without
    correction). More groups: :func:`casestats.contingency_test` of the
    2 x groups table. A level where no subject or every subject has it is not
    tested. The p-values are adjusted with Benjamini-Hochberg over the family
    of tested levels (R ``p.adjust(p, "BH")``).

    Examples
    --------
    >>> res = compare_levels([[5, 1], [2, 4], [0, 3]], [40, 35],
    ...                      labels=["finger", "elbow", "knee"], groups=["lc", "dc"])
    >>> res.tests
    ('fisher', 'fisher', 'fisher')
    """
    from casestats.stats.contingency import contingency_test
    from casestats.stats.multiple_testing import adjust_pvalues

    events, total = _check_counts(events, total)
    n_levels, n_groups = events.shape
    names = tuple(str(i) for i in range(n_levels)) if labels is None else tuple(map(str, labels))
    arms = tuple(str(i) for i in range(n_groups)) if groups is None else tuple(map(str, groups))
    if len(names) != n_levels or len(arms) != n_groups:
        raise ValueError(
            f"labels has {len(names)} names for {n_levels} levels and groups {len(arms)} "
            f"for {n_groups} groups"
        )
    statistic, pvalue = np.full(n_levels, np.nan), np.full(n_levels, np.nan)
    odds_ratio, low, high = (np.full(n_levels, np.nan) for _ in range(3))
    tests = [""] * n_levels
    for i, (e, t) in enumerate(zip(events, total, strict=True)):
        if not 0 < e.sum() < t.sum():
            continue  # nothing to compare at this level
        if n_groups == 2:
            c = _compare(e, t, confidence_level)
            statistic[i], pvalue[i], tests[i] = c.statistic, c.pvalue, c.test
            odds_ratio[i], (low[i], high[i]) = c.odds_ratio, c.odds_ratio_ci
        else:
            c = contingency_test(np.vstack([e, t - e]))
            statistic[i], pvalue[i], tests[i] = c.statistic, c.pvalue, c.method
    return LevelComparisonResult(
        labels=names,
        groups=arms,
        events=events,
        total=total,
        tests=tuple(tests),
        statistic=statistic,
        pvalue=pvalue,
        pvalue_adjusted=np.asarray(adjust_pvalues(pvalue), dtype=float),
        odds_ratio=odds_ratio,
        odds_ratio_low=low,
        odds_ratio_high=high,
        confidence_level=confidence_level,
    )
