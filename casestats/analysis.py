"""The three calcinosis analyses: subtype frequency, site distribution, disease association.

Each is a thin composition of the two layers: :mod:`casestats.counts` turns
case records (or published cohort rows) into count tables, and the statistics
layer turns count tables into intervals, tests and pooled estimates. Results
computed from pooled case reports carry :data:`~casestats.CASE_REPORT_CAVEAT`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casestats.caseseries import CASE_REPORT_CAVEAT, CaseSeries
from casestats.counts import (
    NOT_CLASSIFIED,
    category_counts,
    cohort_table,
    feature_indicator,
    group_labels,
    site_counts,
)
from casestats.results import Result, tidy_frame
from casestats.stats.contingency import (
    ComparisonResult,
    ContingencyResult,
    compare_proportions,
    contingency_test,
)
from casestats.stats.intervals import multinomial_intervals, proportion_interval
from casestats.stats.multiple_testing import adjust_pvalues

__all__ = [
    "CaseAssociation",
    "CohortAssociation",
    "SiteDistribution",
    "SubtypeFrequency",
    "disease_association",
    "site_distribution",
    "subtype_frequency",
]

# Up to this many patients the overall site test is a permutation test; above
# it the chi-square approximation of the same statistic is accurate and cheap.
PERMUTATION_MAX_PATIENTS = 2000


def _with_intervals(counts: pd.DataFrame, method: str, confidence_level: float) -> pd.DataFrame:
    """Estimate and per-row interval for a count table (rows with total 0 stay empty)."""
    out = counts.copy()
    total = out["total"].to_numpy()
    has = total > 0
    estimate = np.full(len(out), np.nan)
    low, high = estimate.copy(), estimate.copy()
    if has.any():
        events = out["events"].to_numpy()[has]
        estimate[has] = events / total[has]
        low[has], high[has] = proportion_interval(
            events, total[has], method=method, confidence_level=confidence_level
        )
    return out.assign(
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        confidence_level=confidence_level,
        method=method,
    )


def _caveat_lines(caveat: str) -> list[str]:
    return [f"  caveat: {caveat}"] if caveat else []


# ---------------------------------------------------------------------------
# Subtype frequency


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
        Simultaneous interval method (Sison-Glaz).
    confidence_level : float
    test : ContingencyResult or None
        With `by`: classified subtypes x groups, tested for independence.
    goodness_of_fit : dict or None
        With a `reference` mix: statistic, pvalue and method of the test of
        the classified cases against it.
    caveat : str
    """

    table: pd.DataFrame = field(repr=False)
    by: str | None
    method: str
    simultaneous_method: str
    confidence_level: float
    test: ContingencyResult | None = None
    goodness_of_fit: dict | None = None
    caveat: str = CASE_REPORT_CAVEAT

    def to_frame(self) -> pd.DataFrame:
        """One row per group and subtype, in the shared column vocabulary."""
        rows = self.table.to_dict("records")
        return tidy_frame(rows, extra=["simultaneous_low", "simultaneous_high"])

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
            lines.append(f"  vs reference mix: {gof['method']}, p = {gof['pvalue']:.3g}")
        return lines + _caveat_lines(self.caveat)

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
    seed: int = 0,
) -> SubtypeFrequency:
    """Count and share of each calcinosis subtype, with intervals.

    Parameters
    ----------
    cases : CaseSeries
    by : str, optional
        Group the patients by a single-valued field (``"ssc_subset"``,
        ``"sex"``...) or ``"age_band"``; patients whose source did not report
        it belong to no group.
    method : str
        Per-category interval (see :func:`casestats.proportion`); Wilson by
        default.
    confidence_level : float
    reference : dict, optional
        A reference mix ``{subtype: proportion}`` to test the classified cases
        against (the proportions are rescaled to sum to one): Pearson's
        goodness-of-fit test, with a Monte Carlo p-value when an expected
        count is below 5.
    n_resamples, seed : int
        Monte Carlo settings for the tests that need them.

    Returns
    -------
    SubtypeFrequency

    Notes
    -----
    The denominator is every patient of the group, so the shares add up to
    one and ``"not classified"`` shows how many sources named no subtype.
    Simultaneous intervals (Sison & Glaz 1995) cover all categories of a
    group at once, which is what a statement about the whole mix needs.

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
    table = _with_intervals(counts, method, confidence_level)
    simultaneous = []
    for _, group in table.groupby("group", sort=False):
        limits = multinomial_intervals(
            group["events"].to_numpy(), method="sison-glaz", confidence_level=confidence_level
        ).to_frame()
        simultaneous.append(limits[["ci_low", "ci_high"]].to_numpy())
    table[["simultaneous_low", "simultaneous_high"]] = np.vstack(simultaneous)
    classified = counts[counts["level"] != NOT_CLASSIFIED]
    test = None
    if by is not None:
        wide = classified.pivot(index="group", columns="level", values="events")
        wide = wide.loc[wide.sum(axis=1) > 0, wide.sum(axis=0) > 0]
        if wide.shape[0] >= 2 and wide.shape[1] >= 2:
            test = contingency_test(wide, n_resamples=n_resamples, rng=seed)
    gof = None
    if reference is not None:
        observed = classified.groupby("level", sort=False)["events"].sum()
        gof = _goodness_of_fit(observed, reference, n_resamples=n_resamples, seed=seed)
    return SubtypeFrequency(
        table=table,
        by=by,
        method=method,
        simultaneous_method="sison-glaz",
        confidence_level=confidence_level,
        test=test,
        goodness_of_fit=gof,
        caveat=cases.metadata.get("caveat", CASE_REPORT_CAVEAT),
    )


def _goodness_of_fit(observed: pd.Series, reference: dict, *, n_resamples: int, seed: int) -> dict:
    unknown = sorted(set(reference) - set(observed.index))
    if unknown:
        raise ValueError(
            f"reference names unknown subtypes {unknown}; known: {list(observed.index)}"
        )
    expected_share = np.array([reference.get(level, 0.0) for level in observed.index], dtype=float)
    if (expected_share < 0).any() or expected_share.sum() <= 0:
        raise ValueError("reference proportions must be non-negative and not all zero")
    expected_share /= expected_share.sum()
    counts = observed.to_numpy()
    n = counts.sum()
    keep = expected_share > 0
    if (counts[~keep] > 0).any():
        return {"statistic": np.inf, "pvalue": 0.0, "method": "observed a subtype with share 0"}
    expected = n * expected_share[keep]
    statistic = float(((counts[keep] - expected) ** 2 / expected).sum())
    if expected.min() >= 5:
        from scipy import stats

        pvalue = float(stats.chi2.sf(statistic, keep.sum() - 1))
        return {"statistic": statistic, "pvalue": pvalue, "method": "chi-square goodness of fit"}
    rng = np.random.default_rng(seed)
    simulated = rng.multinomial(n, expected_share[keep], size=n_resamples)
    sim_stat = ((simulated - expected) ** 2 / expected).sum(axis=1)
    pvalue = (1 + np.count_nonzero(sim_stat >= statistic * (1 - 1e-7))) / (n_resamples + 1)
    return {
        "statistic": statistic,
        "pvalue": float(pvalue),
        "method": f"Monte Carlo goodness of fit ({n_resamples} resamples, seed {seed})",
    }


# ---------------------------------------------------------------------------
# Site distribution


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
    overall : dict or None
        With `by`: the overall test that the site pattern differs between
        groups (statistic, df, pvalue, method).
    level, unit, by, method, confidence_level, caveat
    """

    table: pd.DataFrame = field(repr=False)
    laterality: pd.DataFrame = field(repr=False)
    level: str
    unit: str
    by: str | None
    method: str
    confidence_level: float
    overall: dict | None = None
    caveat: str = CASE_REPORT_CAVEAT

    def to_frame(self) -> pd.DataFrame:
        """One row per group and site, in the shared column vocabulary (plus ``test``)."""
        return tidy_frame(self.table.to_dict("records"), extra=["test"])

    def _summary_lines(self) -> list[str]:
        lines = [
            f"Site distribution by {self.level} ({self.unit}; {self.method} intervals, "
            f"{self.confidence_level:.0%})"
        ]
        top = self.table.sort_values(["group", "estimate"], ascending=[True, False])
        for group, rows in top.groupby("group", sort=False):
            shown = ", ".join(f"{r.level} {r.events}/{r.total}" for r in rows.head(5).itertuples())
            lines.append(f"  {group}: {shown}")
        if self.overall is not None:
            lines.append(
                f"  overall difference between groups: {self.overall['method']}, "
                f"p = {self.overall['pvalue']:.3g}"
            )
        return lines + _caveat_lines(self.caveat)

    def plot(self, kind: str = "heatmap", ax=None, **kwargs):
        """Draw the shares: ``"heatmap"`` (annotated k/n), ``"bars"`` or ``"body"``.

        Returns the Axes.
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
        raise ValueError(f"kind={kind!r}; expected one of ['bars', 'body', 'heatmap']")


def site_distribution(
    cases: CaseSeries,
    *,
    level: str = "site",
    by: str | None = None,
    unit: str = "patients",
    method: str = "wilson",
    confidence_level: float = 0.95,
    n_resamples: int = 4999,
    seed: int = 0,
) -> SiteDistribution:
    """Which body sites carry the lesions, counted in patients.

    Parameters
    ----------
    cases : CaseSeries
    level : {"site", "region", "limb"}
        Rank of the anatomical hierarchy (finger pad -> hand -> upper limb).
        A lesion recorded only at a coarser rank stays at that rank.
    by : str, optional
        Compare groups (``"ssc_subset"``, ``"subtype"``...).
    unit : {"patients", "mentions"}
        Patients with at least one lesion at the site (the default, and the
        only unit the tests use), or recorded site mentions.
    method : str
        Interval method for each share (Wilson by default).
    confidence_level : float
    n_resamples, seed : int
        Permutation settings of the overall test (small series).

    Returns
    -------
    SiteDistribution

    Notes
    -----
    Per site, the groups are compared with :func:`casestats.compare_proportions`
    (two groups; Fisher or chi-square by expected counts) or
    :func:`casestats.contingency_test` (more groups), and the p-values are
    adjusted with Benjamini-Hochberg over the family of sites in the table.
    A sites x groups table is not a contingency table (a patient can have
    lesions at several sites), so the overall test works on patients: the
    statistic is the between-group variation of the patients' site-indicator
    vectors, scaled by their covariance (a multivariate score statistic,
    chi-square with (groups - 1) x rank degrees of freedom for large series);
    up to 2000 patients its p-value comes from permuting group labels.

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> result = casestats.site_distribution(cases, level="limb")
    >>> frame = result.to_frame().sort_values("events", ascending=False)
    >>> frame["level"].iloc[0]
    'lower_limb'
    """
    counts = site_counts(cases, level=level, by=by, unit=unit)
    table = _with_intervals(counts, method, confidence_level)
    table["test"] = None
    table["pvalue"] = np.nan
    table["pvalue_adjusted"] = np.nan
    overall = None
    if by is not None and unit == "patients" and table["group"].nunique() >= 2:
        _site_tests(table)
        overall = _overall_site_test(cases, level, by, n_resamples=n_resamples, seed=seed)
    sides = cases.sites()
    lateral = sides.assign(
        level=sides[level], laterality=sides["laterality"].fillna("not stated")
    ).drop_duplicates(["case_id", "level", "laterality"])
    lateral = lateral.groupby(["level", "laterality"]).size().rename("patients").reset_index()
    return SiteDistribution(
        table=table,
        laterality=lateral,
        level=level,
        unit=unit,
        by=by,
        method=method,
        confidence_level=confidence_level,
        overall=overall,
        caveat=cases.metadata.get("caveat", CASE_REPORT_CAVEAT),
    )


def _site_tests(table: pd.DataFrame) -> None:
    """Per-site comparison across groups, BH-adjusted over the sites (in place)."""
    pvalues = {}
    tests = {}
    for site, rows in table.groupby("level", sort=False):
        events = rows["events"].to_numpy()
        totals = rows["total"].to_numpy()
        if events.sum() == 0 or events.sum() == totals.sum():
            continue  # nothing to compare at this site
        if len(rows) == 2:
            result = compare_proportions(
                events_a=int(events[0]),
                total_a=int(totals[0]),
                events_b=int(events[1]),
                total_b=int(totals[1]),
            )
            pvalues[site], tests[site] = result.pvalue, result.test
        else:
            result = contingency_test(np.vstack([events, totals - events]))
            pvalues[site], tests[site] = result.pvalue, result.method
    if not pvalues:
        return
    sites = list(pvalues)
    adjusted = dict(zip(sites, adjust_pvalues(np.array([pvalues[s] for s in sites])), strict=True))
    table["pvalue"] = table["level"].map(pvalues)
    table["pvalue_adjusted"] = table["level"].map(adjusted)
    table["test"] = table["level"].map(tests)


def _overall_site_test(cases, level: str, by: str, *, n_resamples: int, seed: int) -> dict:
    groups = group_labels(cases, by)
    keep = cases.reported("sites").to_numpy() & groups.notna().to_numpy()
    x = cases.site_indicators(level).to_numpy()[keep].astype(float)
    groups = groups[keep]
    patients = groups.index
    codes, labels = pd.factorize(groups.to_numpy())
    k = len(labels)
    onehot = np.eye(k)[codes]
    centred = x - x.mean(axis=0)
    covariance = centred.T @ centred / len(x)
    inverse = np.linalg.pinv(covariance, hermitian=True)
    rank = np.linalg.matrix_rank(covariance, hermitian=True)
    sizes = onehot.sum(axis=0)

    def statistic(member):
        means = (member.T @ centred) / sizes[:, None]
        return float(np.einsum("ks,st,kt,k->", means, inverse, means, sizes))

    observed = statistic(onehot)
    df = (k - 1) * rank
    if len(patients) <= PERMUTATION_MAX_PATIENTS:
        rng = np.random.default_rng(seed)
        exceed = sum(
            statistic(onehot[rng.permutation(len(patients))]) >= observed * (1 - 1e-9)
            for _ in range(n_resamples)
        )
        pvalue = (1 + exceed) / (n_resamples + 1)
        method = f"permutation test over patients ({n_resamples} resamples, seed {seed})"
    else:
        from scipy import stats

        pvalue = float(stats.chi2.sf(observed, df))
        method = "multivariate score test over patients (chi-square)"
    return {"statistic": observed, "df": int(df), "pvalue": float(pvalue), "method": method}


# ---------------------------------------------------------------------------
# Disease association


@dataclass(frozen=True, eq=False, repr=False)
class CaseAssociation(Result):
    """A feature compared between two groups of patients inside a case series.

    Attributes
    ----------
    exposure, levels, outcome
        What was compared: patients with ``exposure == levels[0]`` (a) vs
        ``levels[1]`` (b), outcome the feature.
    comparison : ComparisonResult
        The 2x2 comparison (test chosen by expected counts).
    n_not_reported : int
        Patients left out because their source did not report the exposure,
        or (in the two groups) the feature.
    caveat : str
    """

    exposure: str
    levels: tuple[str, str]
    outcome: str
    comparison: ComparisonResult
    n_not_reported: int
    caveat: str = CASE_REPORT_CAVEAT

    def confidence_interval(self):
        """Exact interval of the conditional maximum-likelihood odds ratio."""
        return self.comparison.confidence_interval()

    def to_frame(self) -> pd.DataFrame:
        """One row per measure (as :meth:`ComparisonResult.to_frame`)."""
        return self.comparison.to_frame()

    def _summary_lines(self) -> list[str]:
        a, b = self.levels
        c = self.comparison
        lines = [
            f"{self.outcome} in {self.exposure} {a} vs {b} (case series)",
            f"  {a}: {c.events_a}/{c.total_a}, {b}: {c.events_b}/{c.total_b} "
            f"({self.n_not_reported} patients left out: not reported)",
            f"  odds ratio {c.odds_ratio:.3g} "
            f"[{c.odds_ratio_ci.low:.3g}, {c.odds_ratio_ci.high:.3g}], "
            f"{c.test} p = {c.pvalue:.3g} ({c.reason})",
        ]
        return lines + _caveat_lines(self.caveat)


@dataclass(frozen=True, eq=False, repr=False)
class CohortAssociation(Result):
    """Published cohort comparisons, per study and pooled.

    Attributes
    ----------
    studies : pandas.DataFrame
        One row per pooled study: counts, the 2x2 test that ran (chosen by
        expected counts) and its p-value beside the paper's reported p and test.
    excluded : pandas.DataFrame
        Rows of the comparison left out, with the reason (overlap with another
        cohort, no counts, other levels).
    mantel_haenszel : MantelHaenszelResult
    random_effects : MetaOddsRatioResult
    exposure, levels, outcome
    """

    studies: pd.DataFrame = field(repr=False)
    excluded: pd.DataFrame = field(repr=False)
    mantel_haenszel: object
    random_effects: object
    exposure: str
    levels: tuple[str, str]
    outcome: str

    def confidence_interval(self):
        """Interval of the random-effects pooled odds ratio."""
        return self.random_effects.confidence_interval()

    def to_frame(self) -> pd.DataFrame:
        """Forest-plot rows: each study, the random-effects and the Mantel-Haenszel pooled OR.

        Study rows carry the 2x2 test p-value (``pvalue``, ``method``) and the
        paper's own (``reported_p``, ``reported_test``).
        """
        frame = self.random_effects.to_frame()
        studies = self.studies.set_index("study")
        is_study = frame["group"] == "study"
        labels = frame.loc[is_study, "level"]
        frame.loc[is_study, "pvalue"] = labels.map(studies["pvalue"]).to_numpy()
        frame.loc[is_study, "method"] = labels.map(studies["test"]).to_numpy()
        frame["reported_p"] = labels.map(studies["reported_p"])
        frame["reported_test"] = labels.map(studies["reported_test"])
        mh = self.mantel_haenszel
        pooled_mh = {
            "group": "pooled",
            "level": "Mantel-Haenszel",
            "estimate": mh.estimate,
            "ci_low": mh.confidence_interval().low,
            "ci_high": mh.confidence_interval().high,
            "confidence_level": mh.confidence_level,
            "pvalue": mh.pvalue,
            "method": "Mantel-Haenszel (Robins-Breslow-Greenland interval)",
        }
        return pd.concat([frame, pd.DataFrame([pooled_mh])], ignore_index=True)

    def _summary_lines(self) -> list[str]:
        a, b = self.levels
        re = self.random_effects
        mh = self.mantel_haenszel
        lines = [f"{self.outcome}: {self.exposure} {a} vs {b}, {re.k} published cohorts"]
        for row in self.studies.itertuples():
            lines.append(
                f"  {row.study}: {row.events_a}/{row.total_a} vs {row.events_b}/{row.total_b}, "
                f"{row.test} p = {row.pvalue:.3g} (paper: {row.reported_p or 'not printed'})"
            )
        lines.append(
            f"  pooled OR ({re.method_label}) {re.estimate:.3g} "
            f"[{re.ci_low:.3g}, {re.ci_high:.3g}]; {re.heterogeneity.text()}"
        )
        lines.append(
            f"  pooled OR (Mantel-Haenszel) {mh.estimate:.3g} "
            f"[{mh.confidence_interval().low:.3g}, {mh.confidence_interval().high:.3g}]"
        )
        if len(self.excluded):
            lines.append(f"  {len(self.excluded)} rows not pooled (see .excluded)")
        return lines

    def plot(self, ax=None, **kwargs):
        """Forest plot of the studies and the random-effects estimate; returns the Axes."""
        return self.random_effects.plot(ax=ax, **kwargs)


def disease_association(
    data,
    *,
    exposure: str = "ssc_subset",
    levels: tuple[str, str] = ("limited", "diffuse"),
    outcome: str = "calcinosis",
    test: str = "auto",
    method: str = "reml",
    confidence_level: float = 0.95,
):
    """Compare group ``levels[0]`` with ``levels[1]``: in a case series or across cohorts.

    Parameters
    ----------
    data : CaseSeries or pandas.DataFrame
        Individual cases, or published cohort rows in the form of the
        ``ssc_calcinosis_cohorts`` dataset.
    exposure : str
        Case series: a single-valued field (``"ssc_subset"``). Cohorts: the
        ``comparison`` key (``"ssc_subset"``, ``"aca"``, ``"digital_ulcers"``...).
    levels : (str, str)
        The two groups compared (a, b); odds ratios are a vs b.
    outcome : str
        Cohorts: ``"calcinosis"``. Case series: every patient has calcinosis,
        so the outcome is a feature: an anatomy term at any rank
        (``"finger"``, ``"hand"``), a condition, or an antibody with its
        result (``"aca+"``).
    test : str
        2x2 test (see :func:`casestats.compare_proportions`); ``"auto"`` picks
        Fisher's exact test when an expected count is below 5.
    method : str
        Random-effects estimator for cohorts (see
        :func:`casestats.meta_odds_ratios`).
    confidence_level : float

    Returns
    -------
    CaseAssociation or CohortAssociation

    Examples
    --------
    >>> import casestats
    >>> import warnings
    >>> cohorts = casestats.load_dataset("ssc_calcinosis_cohorts")
    >>> with warnings.catch_warnings():  # few studies: a SmallSampleWarning
    ...     warnings.simplefilter("ignore", casestats.SmallSampleWarning)
    ...     result = casestats.disease_association(cohorts)
    >>> result.studies["cohort_id"].tolist()
    ['archrheumatol2023_ssc_subset', 'ab0690_ssc_subset']
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> inside = casestats.disease_association(cases, outcome="hand")
    >>> inside.comparison.test
    'fisher'
    """
    a, b = levels
    if isinstance(data, CaseSeries):
        if outcome == "calcinosis":
            raise ValueError(
                "every patient of a calcinosis case series has calcinosis: compare a feature "
                "instead, e.g. outcome='finger' (a site), 'aca+' (an antibody) or a condition"
            )
        groups = group_labels(data, exposure)
        feature = feature_indicator(data, outcome)
        usable = groups.isin([a, b]).to_numpy() & feature.notna().to_numpy()
        g, f = groups[usable], feature[usable].astype(bool)
        missing = [level for level in (a, b) if not (g == level).any()]
        if missing:
            raise ValueError(
                f"no patient with {exposure} = {missing[0]!r} reports {outcome!r}; "
                f"groups present: {sorted(groups.dropna().unique())}"
            )
        comparison = compare_proportions(
            events_a=int(f[g == a].sum()),
            total_a=int((g == a).sum()),
            events_b=int(f[g == b].sum()),
            total_b=int((g == b).sum()),
            test=test,
            confidence_level=confidence_level,
        )
        return CaseAssociation(
            exposure=exposure,
            levels=(a, b),
            outcome=outcome,
            comparison=comparison,
            n_not_reported=int(
                (groups.isna() | (groups.isin([a, b]) & feature.isna().to_numpy())).sum()
            ),
            caveat=data.metadata.get("caveat", CASE_REPORT_CAVEAT),
        )
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a CaseSeries or a DataFrame of cohort rows")
    return _cohort_association(data, exposure, (a, b), outcome, test, method, confidence_level)


def _cohort_association(cohorts, exposure, levels, outcome, test, method, confidence_level):
    from casestats.stats.meta_analysis import meta_odds_ratios
    from casestats.stats.stratified import mantel_haenszel

    # Cohort rows all count patients with calcinosis; which definitions may be
    # pooled together is the dataset's decision (its pool and pool_note columns).
    if outcome != "calcinosis":
        raise ValueError(
            f"outcome={outcome!r}: cohort rows count patients with calcinosis, so the outcome "
            "is 'calcinosis'; compare sites or antibodies within a case series instead"
        )
    included, excluded = cohort_table(cohorts, comparison=exposure, levels=levels)
    if included.empty:
        raise ValueError(
            f"no poolable rows compare {levels[0]} with {levels[1]} for {exposure!r}; "
            f"excluded: {excluded['reason'].tolist()}"
        )
    tests = [
        compare_proportions(
            events_a=r.events_a,
            total_a=r.total_a,
            events_b=r.events_b,
            total_b=r.total_b,
            test=test,
            confidence_level=confidence_level,
        )
        for r in included.itertuples()
    ]
    studies = included.assign(
        test=[t.test for t in tests],
        reason=[t.reason for t in tests],
        pvalue=[t.pvalue for t in tests],
        odds_ratio=[t.odds_ratio for t in tests],
    )
    for column in ("reported_p", "reported_test"):
        if column not in studies:
            studies[column] = ""
    counts = {c: studies[c].to_numpy() for c in ("events_a", "total_a", "events_b", "total_b")}
    labels = studies["study"].tolist()
    mh = mantel_haenszel(**counts, labels=labels, confidence_level=confidence_level)
    random = meta_odds_ratios(
        **counts, method=method, labels=labels, confidence_level=confidence_level
    )
    return CohortAssociation(
        studies=studies,
        excluded=excluded,
        mantel_haenszel=mh,
        random_effects=random,
        exposure=exposure,
        levels=levels,
        outcome=outcome,
    )
