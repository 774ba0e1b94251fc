"""Site distribution: which body sites carry the lesions, counted in patients."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casestats.analysis._shared import caveat_lines, table_interval, with_intervals
from casestats.caseseries import CASE_REPORT_CAVEAT, CaseSeries
from casestats.counts import group_labels, site_counts
from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats.level_comparison import LevelComparisonResult, compare_levels
from casestats.stats.permutation import ProfileTestResult, profile_test

__all__ = ["SiteDistribution", "site_distribution"]

_PLOT_KINDS = ("bars", "body", "heatmap")


@dataclass(frozen=True, eq=False, repr=False)
class SiteDistribution(Result):
    """Patients with a lesion at each site, per group, with tests across groups.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per group and site: events (patients with a lesion there),
        total (patients of the group with sites reported), share and interval;
        with `by`, the per-site test (``test``, ``pvalue``) and its
        Benjamini-Hochberg adjustment over the sites (``pvalue_adjusted``).
    laterality : pandas.DataFrame
        Patients per site and recorded side (left, right, bilateral, not stated).
    rank : str
        Anatomical rank counted at (``"site"``, ``"region"``, ``"limb"``).
    unit : str
        ``"patients"`` or ``"mentions"``.
    by : str or None
        The grouping.
    method : str
        Interval method of each share.
    confidence_level : float
    comparison : LevelComparisonResult or None
        With `by` (patients): the per-site comparison across groups.
    overall : ProfileTestResult or None
        With `by` (patients): the test that the site pattern differs between
        groups, over patients.
    caveat : str
    """

    table: pd.DataFrame = field(repr=False)
    laterality: pd.DataFrame = field(repr=False)
    rank: str
    unit: str
    by: str | None
    method: str
    confidence_level: float
    comparison: LevelComparisonResult | None = None
    overall: ProfileTestResult | None = None
    caveat: str = CASE_REPORT_CAVEAT

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Per-site limits: Series indexed by level, or by (group, level) with `by`."""
        return table_interval(
            self.table, self.method, self.confidence_level, confidence_level, self.by is not None
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per group and site, in the shared column vocabulary (plus ``test``)."""
        return tidy_frame(self.table.to_dict("records"), extra=["test"])

    def _repr_fields(self) -> dict:
        fields = {"rank": self.rank, "unit": self.unit, "by": self.by, "method": self.method}
        if self.overall is not None:
            fields["pvalue"] = self.overall.pvalue
        return fields

    def _summary_lines(self) -> list[str]:
        lines = [
            f"Site distribution by {self.rank} ({self.unit}; {self.method} intervals, "
            f"{self.confidence_level:.0%})"
        ]
        top = self.table.sort_values(["group", "estimate"], ascending=[True, False])
        for group, rows in top.groupby("group", sort=False):
            shown = ", ".join(f"{r.level} {r.events}/{r.total}" for r in rows.head(5).itertuples())
            lines.append(f"  {group}: {shown}")
        if self.overall is not None:
            lines.append(
                f"  overall difference between groups: {self.overall.method} test over "
                f"patients, p = {self.overall.pvalue:.3g}"
            )
        return lines + caveat_lines(self.caveat)

    def plot(self, ax=None, *, kind: str = "heatmap", **kwargs):
        """Draw the shares: ``"heatmap"`` (annotated k/n), ``"bars"`` or ``"body"``.

        Returns the Axes; `kwargs` reach the figure function of `kind`.
        """
        from casestats import plotting

        frame = self.to_frame()
        if kind == "heatmap":
            return plotting.share_heatmap(frame, ax=ax, **kwargs)
        if kind == "bars":
            hue = None if self.by is None else "group"
            return plotting.interval_bars(frame, x="level", hue=hue, ax=ax, **kwargs)
        if kind == "body":
            if self.by is not None:
                raise ValueError("kind='body' draws one group: use by=None")
            return plotting.body_map(frame, ax=ax, **kwargs)
        raise ValueError(f"kind={kind!r}; expected one of {list(_PLOT_KINDS)}")


def site_distribution(
    cases: CaseSeries,
    *,
    rank: str = "site",
    by: str | None = None,
    unit: str = "patients",
    method: str = "wilson",
    confidence_level: float = 0.95,
    n_resamples: int = 4999,
    rng: int | np.random.Generator = 0,
) -> SiteDistribution:
    """Which body sites carry the lesions, counted in patients.

    Parameters
    ----------
    cases : CaseSeries
    rank : {"site", "region", "limb"}
        Rank of the anatomical hierarchy (finger pad -> hand -> upper limb).
        A lesion recorded only at a coarser rank stays at that rank.
    by : str, optional
        Compare groups of any single-valued column: a term field
        (``"ssc_subset"``, ``"subtype"``...), a column of your own
        (``"origin"``), :func:`casestats.concat`'s ``"series"``, or
        ``"age_band"`` (see :func:`casestats.counts.group_labels`).
    unit : {"patients", "mentions"}
        Patients with at least one lesion at the site (the default, and the
        only unit the tests use), or recorded site mentions.
    method : str
        Interval method for each share (Wilson by default).
    confidence_level : float
    n_resamples : int
        Permutations of the overall test (small series).
    rng : int or numpy.random.Generator
        Seed or generator of the permutations.

    Returns
    -------
    SiteDistribution

    Notes
    -----
    Per site, the groups are compared with :func:`casestats.compare_levels`
    (two groups: Fisher or chi-square by expected counts; more groups:
    :func:`casestats.contingency_test`), and the p-values are adjusted with
    Benjamini-Hochberg over the family of sites in the table. A sites x
    groups table is not a contingency table (a patient can have lesions at
    several sites), so the overall test works on patients
    (:func:`casestats.profile_test`): the statistic is the between-group
    variation of the patients' site-indicator vectors, scaled by their
    covariance, chi-square with (groups - 1) x rank degrees of freedom for
    large series; up to 2000 patients its p-value comes from permuting group
    labels.

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> result = casestats.site_distribution(cases, rank="limb")
    >>> frame = result.to_frame().sort_values("events", ascending=False)
    >>> frame["level"].iloc[0]
    'lower_limb'
    """
    counts = site_counts(cases, rank=rank, by=by, unit=unit)
    table = with_intervals(counts, method, confidence_level)
    table["test"] = None
    table["pvalue"] = np.nan
    table["pvalue_adjusted"] = np.nan
    comparison = overall = None
    if by is not None and unit == "patients" and table["group"].nunique() >= 2:
        comparison = _site_tests(table, confidence_level)
        overall = _overall_site_test(cases, rank, by, n_resamples=n_resamples, rng=rng)
    return SiteDistribution(
        table=table,
        laterality=_laterality(cases, rank),
        rank=rank,
        unit=unit,
        by=by,
        method=method,
        confidence_level=confidence_level,
        comparison=comparison,
        overall=overall,
        caveat=cases.caveat,
    )


def _laterality(cases: CaseSeries, rank: str) -> pd.DataFrame:
    sides = cases.sites()
    lateral = sides.assign(
        level=sides[rank], laterality=sides["laterality"].fillna("not stated")
    ).drop_duplicates(["case_id", "level", "laterality"])
    return lateral.groupby(["level", "laterality"]).size().rename("patients").reset_index()


def _site_tests(table: pd.DataFrame, confidence_level: float) -> LevelComparisonResult:
    """Per-site comparison across groups, written into `table` too."""
    sites = pd.unique(table["level"])
    groups = pd.unique(table["group"])
    wide = table.pivot(index="level", columns="group", values=["events", "total"])
    wide = wide.reindex(index=sites)
    result = compare_levels(
        wide["events"][groups].to_numpy(),
        wide["total"][groups].to_numpy(),
        labels=sites,
        groups=groups,
        confidence_level=confidence_level,
    )
    tested = pd.Series(result.tests, index=result.labels)
    tested = tested[tested != ""]
    pvalues = pd.Series(result.pvalue, index=result.labels)
    adjusted = pd.Series(result.pvalue_adjusted, index=result.labels)
    table["test"] = table["level"].map(tested)
    table["pvalue"] = table["level"].map(pvalues)
    table["pvalue_adjusted"] = table["level"].map(adjusted)
    return result


def _overall_site_test(cases, rank: str, by: str, *, n_resamples: int, rng) -> ProfileTestResult:
    groups = group_labels(cases, by)
    keep = cases.reported("sites").to_numpy() & groups.notna().to_numpy()
    indicators = cases.site_indicators(rank).to_numpy()[keep]
    return profile_test(indicators, groups.to_numpy()[keep], n_resamples=n_resamples, rng=rng)
