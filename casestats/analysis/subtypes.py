"""Subtype frequency: the share of each calcinosis cutis subtype, with intervals."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casestats.analysis._shared import caveat_lines, table_interval, with_intervals
from casestats.caseseries import CASE_REPORT_CAVEAT, CaseSeries
from casestats.counts import NOT_CLASSIFIED, category_counts
from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats.contingency import ContingencyResult, contingency_test
from casestats.stats.goodness_of_fit import GoodnessOfFitResult, goodness_of_fit
from casestats.stats.intervals import multinomial_intervals

__all__ = ["SubtypeFrequency", "subtype_frequency"]


@dataclass(frozen=True, eq=False, repr=False)
class SubtypeFrequency(Result):
    """Share of each subtype, with per-category and simultaneous intervals.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per group and subtype (``"not classified"`` included): events,
        total, estimate, per-category interval, and the simultaneous interval
        (``simultaneous_low``, ``simultaneous_high``) over the categories of
        the group.
    by : str or None
        The grouping.
    method : str
        Per-category interval method.
    simultaneous_method : str
        Simultaneous interval method (as chosen by
        :func:`casestats.multinomial_intervals`).
    confidence_level : float
    test : ContingencyResult or None
        With `by`: classified subtypes x groups, tested for independence.
    goodness_of_fit : GoodnessOfFitResult or None
        With a `reference` mix: the test of the classified cases against it.
    caveat : str
    """

    table: pd.DataFrame = field(repr=False)
    by: str | None
    method: str
    simultaneous_method: str
    confidence_level: float
    test: ContingencyResult | None = None
    goodness_of_fit: GoodnessOfFitResult | None = None
    caveat: str = CASE_REPORT_CAVEAT

    @property
    def n(self) -> int:
        """Patients counted (in a group when `by` is given)."""
        return int(self.table.groupby("group", sort=False)["total"].first().sum())

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Per-category limits: Series indexed by level, or by (group, level) with `by`."""
        return table_interval(
            self.table, self.method, self.confidence_level, confidence_level, self.by is not None
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per group and subtype, in the shared column vocabulary."""
        rows = self.table.to_dict("records")
        return tidy_frame(rows, extra=["simultaneous_low", "simultaneous_high"])

    def _repr_fields(self) -> dict:
        return {"by": self.by, "n": self.n, "k": self.table["level"].nunique(),
                "method": self.method}  # fmt: skip

    def _summary_lines(self) -> list[str]:
        lines = [
            f"Subtype frequency ({self.method} intervals, {self.confidence_level:.0%}; "
            f"simultaneous: {self.simultaneous_method})"
        ]
        for row in self.table.itertuples():
            group = "" if self.by is None else f"{row.group}: "
            lines.append(
                f"  {group}{row.level}: {row.events}/{row.total} = {row.estimate:.1%} "
                f"[{row.ci_low:.1%}, {row.ci_high:.1%}]"
            )
        if self.test is not None:
            lines.append(f"  subtypes by {self.by}: {self.test.method}, p = {self.test.pvalue:.3g}")
        if self.goodness_of_fit is not None:
            gof = self.goodness_of_fit
            lines.append(f"  vs reference mix: {gof.method}, p = {gof.pvalue:.3g}")
        return lines + caveat_lines(self.caveat)

    def plot(self, ax=None, **kwargs):
        """Bars of each subtype's share with its interval; returns the Axes."""
        from casestats.plotting import interval_bars

        hue = None if self.by is None else "group"
        return interval_bars(self.to_frame(), x="level", hue=hue, ax=ax, **kwargs)


def subtype_frequency(
    cases: CaseSeries,
    *,
    by: str | None = None,
    method: str = "wilson",
    confidence_level: float = 0.95,
    reference: dict[str, float] | None = None,
    n_resamples: int = 100_000,
    rng: int | np.random.Generator = 0,
) -> SubtypeFrequency:
    """Count and share of each calcinosis subtype, with intervals.

    Parameters
    ----------
    cases : CaseSeries
    by : str, optional
        Group the patients by any single-valued column: a term field
        (``"ssc_subset"``, ``"sex"``...), a column of your own (``"origin"``),
        :func:`casestats.concat`'s ``"series"``, or ``"age_band"``; patients
        whose source did not report it belong to no group.
    method : str
        Per-category interval (see :func:`casestats.proportion`); Wilson by
        default.
    confidence_level : float
    reference : dict, optional
        A reference mix ``{subtype: proportion}`` to test the classified cases
        against (the proportions are rescaled to sum to one): Pearson's
        goodness-of-fit test (:func:`casestats.goodness_of_fit`), with a Monte
        Carlo p-value when an expected count is below 5.
    n_resamples : int
        Monte Carlo samples of the tests that need them.
    rng : int or numpy.random.Generator
        Seed or generator of those samples.

    Returns
    -------
    SubtypeFrequency

    Notes
    -----
    The denominator is every patient of the group, so the shares add up to
    one and ``"not classified"`` shows how many sources named no subtype.
    Simultaneous intervals cover all categories of a group at once, which is
    what a statement about the whole mix needs.

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> result = casestats.subtype_frequency(cases)
    >>> frame = result.to_frame()
    >>> int(frame["events"].sum()) == len(cases)
    True
    >>> frame.sort_values("events")["level"].iloc[-1]
    'dystrophic'
    """
    counts = category_counts(cases, "subtype", by=by)
    table = with_intervals(counts, method, confidence_level)
    simultaneous, simultaneous_method = [], ""
    for _, group in table.groupby("group", sort=False):
        limits = multinomial_intervals(
            group["events"].to_numpy(), confidence_level=confidence_level
        )
        simultaneous.append(limits.to_frame()[["ci_low", "ci_high"]].to_numpy())
        simultaneous_method = limits.method
    table[["simultaneous_low", "simultaneous_high"]] = np.vstack(simultaneous)
    classified = counts[counts["level"] != NOT_CLASSIFIED]
    test = None
    if by is not None:
        wide = classified.pivot(index="group", columns="level", values="events")
        wide = wide.loc[wide.sum(axis=1) > 0, wide.sum(axis=0) > 0]
        if wide.shape[0] >= 2 and wide.shape[1] >= 2:
            test = contingency_test(wide, n_resamples=n_resamples, rng=rng)
    return SubtypeFrequency(
        table=table,
        by=by,
        method=method,
        simultaneous_method=simultaneous_method,
        confidence_level=confidence_level,
        test=test,
        goodness_of_fit=None
        if reference is None
        else _goodness_of_fit(classified, reference, n_resamples, rng),
        caveat=cases.caveat,
    )


def _goodness_of_fit(classified: pd.DataFrame, reference: dict, n_resamples, rng):
    observed = classified.groupby("level", sort=False)["events"].sum()
    unknown = sorted(set(reference) - set(observed.index))
    if unknown:
        raise ValueError(
            f"reference names unknown subtypes {unknown}; known: {list(observed.index)}"
        )
    return goodness_of_fit(
        observed.to_numpy(),
        reference=[reference.get(level, 0.0) for level in observed.index],
        labels=observed.index.tolist(),
        n_resamples=n_resamples,
        rng=rng,
    )
