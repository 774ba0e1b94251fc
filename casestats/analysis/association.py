"""Disease association: a feature compared between two groups, in case reports or cohorts."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from casestats._text import plural
from casestats.analysis._shared import caveat_lines
from casestats.caseseries import CASE_REPORT_CAVEAT, CaseSeries
from casestats.counts import cohort_table, feature_indicator, group_labels
from casestats.exceptions import SmallSampleWarning
from casestats.results import ConfidenceInterval, Result
from casestats.sources import citation_labels
from casestats.stats.contingency import ComparisonResult, compare_proportions

#: The default comparison: limited vs diffuse cutaneous systemic sclerosis.
SSC_GROUPS = ("limited", "diffuse")

if TYPE_CHECKING:
    from casestats.stats.meta_analysis import MetaOddsRatioResult
    from casestats.stats.stratified import MantelHaenszelResult

__all__ = ["CaseAssociation", "CohortAssociation", "disease_association"]


@dataclass(frozen=True, eq=False, repr=False)
class CaseAssociation(Result):
    """A feature compared between two groups of patients inside a case series.

    Attributes
    ----------
    exposure : str
        The field that defines the groups.
    groups : (str, str)
        The two groups: patients with ``exposure == groups[0]`` vs
        ``groups[1]`` (the reference of the odds ratio).
    outcome : str
        The feature compared.
    comparison : ComparisonResult
        The 2x2 comparison (test chosen by expected counts).
    n_not_reported : int
        Patients left out because their source did not report the exposure,
        or (in the two groups) the feature.
    caveat : str
    """

    exposure: str
    groups: tuple[str, str]
    outcome: str
    comparison: ComparisonResult
    n_not_reported: int
    caveat: str = CASE_REPORT_CAVEAT

    @property
    def method(self) -> str:
        """The 2x2 test that ran (``"fisher"``, ``"chi2"``...)."""
        return self.comparison.test

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Exact interval of the conditional maximum-likelihood odds ratio."""
        c = self.comparison
        if confidence_level is None or confidence_level == c.confidence_level:
            return c.odds_ratio_ci
        again = compare_proportions(
            events_a=c.events_a,
            total_a=c.total_a,
            events_b=c.events_b,
            total_b=c.total_b,
            test=c.test,
            alternative=c.alternative,
            groups=self.groups,
            confidence_level=confidence_level,
        )
        return again.odds_ratio_ci

    def to_frame(self) -> pd.DataFrame:
        """One row per measure, as :meth:`ComparisonResult.to_frame`, with the groups' names."""
        return self.comparison.to_frame()

    def _repr_fields(self) -> dict:
        c = self.comparison
        return {"outcome": self.outcome, "groups": " vs ".join(self.groups),
                "method": self.method, "odds_ratio": c.odds_ratio, "pvalue": c.pvalue}  # fmt: skip

    def _summary_lines(self) -> list[str]:
        a, b = self.groups
        c = self.comparison
        lines = [
            f"{self.outcome} in {self.exposure} {a} vs {b} (case series)",
            f"  {a}: {c.events_a}/{c.total_a}, {b}: {c.events_b}/{c.total_b} "
            f"({self.n_not_reported} patients left out: not reported)",
            f"  odds ratio {c.odds_ratio:.3g} "
            f"[{c.odds_ratio_ci.low:.3g}, {c.odds_ratio_ci.high:.3g}], "
            f"{c.test} p = {c.pvalue:.3g} ({c.reason})",
        ]
        return lines + caveat_lines(self.caveat)

    def plot(self, ax=None, **kwargs):
        """Bars of the feature's share in each group with its interval; returns the Axes."""
        from casestats.plotting import interval_bars

        frame = self.to_frame()
        shares = frame[frame["measure"].isin(["proportion_a", "proportion_b"])]
        ax = interval_bars(shares.assign(level=shares["group"]), x="level", hue=None, ax=ax,
                           **kwargs)  # fmt: skip
        ax.set_xlabel(self.exposure)
        ax.set_ylabel(f"patients with {self.outcome}")
        return ax


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
        cohort, no counts, other groups).
    mantel_haenszel : MantelHaenszelResult
        The Mantel-Haenszel pooled odds ratio.
    random_effects : MetaOddsRatioResult
        The random-effects pooled odds ratio, with heterogeneity.
    exposure : str
        The comparison key.
    groups : (str, str), optional
        The two groups compared; odds ratios are ``groups[0]`` vs ``groups[1]``.
        Default ``("limited", "diffuse")``; for a table of your own, its groups
        (by default the names of its `events_a` and `events_b` columns).
    outcome : str
    method : str
        The random-effects estimator (``"reml"``, ``"dl"``...).
    measure : {"odds_ratio", "risk_ratio", "risk_difference"}
        What is pooled. ``random_effects`` is on that measure; for risk ratios
        and differences ``mantel_haenszel_pooled`` holds the Mantel-Haenszel
        estimate on it, while ``mantel_haenszel`` (odds ratio) keeps the CMH
        test, which tests no association whatever the measure.
    mantel_haenszel_pooled : MetaRiskRatioResult or MetaRiskDifferenceResult, optional
        The Mantel-Haenszel risk ratio or difference (None for odds ratios).
    title : str
        What the cohorts are called: "published cohorts" for the bundled dataset,
        the :class:`~casestats.CohortTable`'s title ("your cohorts") for a user's.
    """

    studies: pd.DataFrame = field(repr=False)
    excluded: pd.DataFrame = field(repr=False)
    mantel_haenszel: MantelHaenszelResult
    random_effects: MetaOddsRatioResult
    exposure: str
    groups: tuple[str, str]
    outcome: str
    method: str
    title: str = "published cohorts"
    measure: str = "odds_ratio"
    mantel_haenszel_pooled: Result | None = None

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Interval of the random-effects pooled odds ratio."""
        re = self.random_effects
        if confidence_level is None or confidence_level == re.confidence_level:
            return re.confidence_interval()
        _, again, _ = _pool(self.studies, self.method, confidence_level, self.measure)
        return again.confidence_interval()

    def to_frame(self) -> pd.DataFrame:
        """Forest-plot rows: each study, the random-effects and the Mantel-Haenszel pooled rows.

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
        shown = self.mantel_haenszel_pooled or mh
        pooled_mh = {
            "group": "pooled",
            "level": "Mantel-Haenszel",
            "estimate": shown.estimate,
            "ci_low": shown.confidence_interval().low,
            "ci_high": shown.confidence_interval().high,
            "confidence_level": mh.confidence_level,
            "pvalue": mh.pvalue,
            "method": "mh",
            "measure": self.measure,
        }
        frame = pd.concat([frame, pd.DataFrame([pooled_mh])], ignore_index=True)
        # the pooled rows have no counts: keep the count columns integer, with missing values
        return frame.astype({"events": "Int64", "total": "Int64"})

    @property
    def reported_pvalues(self) -> bool:
        """Whether any study has the p-value its paper printed (a user's own counts have none)."""
        return bool(self.studies["reported_p"].fillna("").astype(str).str.strip().any())

    def _repr_fields(self) -> dict:
        re = self.random_effects
        return {"outcome": self.outcome, "groups": " vs ".join(self.groups),
                "method": self.method, "estimate": re.estimate, "k": re.k}  # fmt: skip

    def _summary_lines(self) -> list[str]:
        a, b = self.groups
        re = self.random_effects
        mh = self.mantel_haenszel
        lines = [f"{self.outcome}, {a} vs {b}: {plural(re.k, 'study', 'studies')} ({self.title})"]
        papers = self.reported_pvalues
        for row in self.studies.itertuples():
            paper = f" (paper: {row.reported_p or 'not printed'})" if papers else ""
            lines.append(
                f"  {row.study}: {row.events_a}/{row.total_a} vs {row.events_b}/{row.total_b}, "
                f"{row.test} p = {row.pvalue:.3g}{paper}"
            )
        lines.append(
            # the pooled effect's own test first: the heterogeneity p is a different question
            f"  pooled {_ABBREVIATIONS[self.measure]} ({re.method_label}) {re.estimate:.3g} "
            f"[{re.ci_low:.3g}, {re.ci_high:.3g}], p = {re.pvalue:.3g}; "
            f"heterogeneity {re.heterogeneity.text()}"
        )
        cmh = f"CMH p = {mh.pvalue_uncorrected:.3g} (no continuity correction)"
        if mh.correction:
            cmh += f", {mh.pvalue:.3g} (continuity-corrected)"
        shown = self.mantel_haenszel_pooled or mh
        ci = shown.confidence_interval()
        lines.append(
            f"  pooled {_ABBREVIATIONS[self.measure]} (Mantel-Haenszel) {shown.estimate:.3g} "
            f"[{ci.low:.3g}, {ci.high:.3g}], {cmh}"
        )
        if len(self.excluded):
            lines.append(f"  {len(self.excluded)} rows not pooled (see .excluded)")
        return lines

    def plot(self, ax=None, *, sources=None, **kwargs):
        """Forest plot: per-arm counts, the random-effects and Mantel-Haenszel pooled ORs.

        Studies are labelled "First author year" where their source in
        `sources` (a sources table with ``source_id``, ``first_author``,
        ``year`` and ``journal``; by default the bundled dataset's, for the
        published cohorts) names them, else by the study's id. Under the axis,
        an odds ratio below 1 (less calcinosis in ``groups[0]``) is marked as
        favouring ``groups[0]``. Keywords go to
        :func:`casestats.plotting.forest_plot`. Returns the Axes.
        """
        from casestats.plotting import forest_plot

        a, b = self.groups
        frame = self.to_frame().assign(group_a=a, group_b=b)
        frame["test"] = ""
        frame.loc[frame["level"] == "Mantel-Haenszel", "test"] = self._cmh_text()
        re = self.random_effects
        if sources is None and self.title == "published cohorts":
            sources = _bundled_sources()
        if sources is not None:
            kwargs.setdefault("labels", citation_labels(self.studies, sources))
        if "favours" not in kwargs:
            # an association, not a treatment: say where the outcome is commoner
            kwargs.setdefault("direction", (f"more {self.outcome} in {b}",
                                            f"more {self.outcome} in {a}"))  # fmt: skip
        heterogeneity = "Heterogeneity: " + re.heterogeneity.text()
        return forest_plot(frame[frame["group"].isin(["study", "pooled"])], scale=re.scale,
                           heterogeneity=heterogeneity, ax=ax, **kwargs)  # fmt: skip

    def _cmh_text(self) -> str:
        mh = self.mantel_haenszel
        def p(value: float) -> str:
            return "< 0.001" if value < 0.001 else f"{value:.3f}"

        text = f"CMH p {'' if mh.pvalue_uncorrected < 0.001 else '= '}{p(mh.pvalue_uncorrected)}"
        return text + (f" ({p(mh.pvalue)} corrected)" if mh.correction else "")


def _bundled_sources() -> pd.DataFrame:
    from casestats.datasets import _dataset_sources

    # only the sources table: loading and validating the whole dataset cost a figure 0.3 s
    return _dataset_sources("ssc_calcinosis_cohorts")


#: What a cohort comparison can pool, spelled as the results' ``measure`` column.
MEASURES = ("odds_ratio", "risk_ratio", "risk_difference")
_POOLING = {"risk_ratio": "meta_risk_ratios", "risk_difference": "meta_risk_differences"}
_ABBREVIATIONS = {"odds_ratio": "OR", "risk_ratio": "RR", "risk_difference": "RD"}


def disease_association(
    data,
    *,
    exposure: str = "ssc_subset",
    groups: tuple[str, str] | None = None,
    outcome: str = "calcinosis",
    test: str = "auto",
    method: str = "reml",
    measure: str = "odds_ratio",
    confidence_level: float = 0.95,
    study: str | None = None,
    events_a: str | None = None,
    total_a: str | None = None,
    events_b: str | None = None,
    total_b: str | None = None,
) -> CaseAssociation | CohortAssociation:
    """Compare group ``groups[0]`` with ``groups[1]``: in a case series or across cohorts.

    Parameters
    ----------
    data : CaseSeries, CohortTable or pandas.DataFrame
        Individual cases; study-level counts of your own (a
        :class:`~casestats.CohortTable`, or a DataFrame whose columns
        `study`, `events_a`, `total_a`, `events_b`, `total_b` name, read with
        :func:`casestats.read_cohorts`); or the ``ssc_calcinosis_cohorts``
        dataset (one row per study and comparison), or rows of its ``.to_frame()``.
    exposure : str
        Case series: any single-valued column (``"ssc_subset"``, or one of your own such as
        ``"raynaud"``). Cohorts: the
        ``comparison`` key (``"ssc_subset"``, ``"aca"``, ``"digital_ulcers"``...).
    groups : (str, str)
        The two groups compared; odds ratios are ``groups[0]`` vs ``groups[1]``.
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
    measure : {"odds_ratio", "risk_ratio", "risk_difference"}, default "odds_ratio"
        Cohorts: what is pooled, spelled as the ``measure`` column of the
        results (:func:`casestats.meta_odds_ratios`,
        :func:`~casestats.meta_risk_ratios`,
        :func:`~casestats.meta_risk_differences`), by random effects and by
        Mantel-Haenszel. The odds ratio is the default because the cohorts'
        calcinosis definitions and follow-up differ, and the odds ratio is
        the measure that case-control style sampling leaves unbiased; the
        risk difference shows what the difference means in patients.
    confidence_level : float
    study, events_a, total_a, events_b, total_b : str, optional
        For a DataFrame of your own counts, the names of its columns, as metafor's
        ``rma(ai=, n1i=, ci=, n2i=, data=)`` takes them: the study label, then
        patients with calcinosis and patients in each group. Every study is
        pooled unless a ``pool`` column says otherwise.

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

    Counts of your own, in the columns you named:

    >>> import pandas as pd
    >>> mine = pd.DataFrame({"clinic": ["Leeds", "Lyon", "Lund"],
    ...     "limited_calcinosis": [12, 9, 15], "limited_total": [40, 35, 52],
    ...     "diffuse_calcinosis": [5, 6, 7], "diffuse_total": [30, 33, 41]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", casestats.SmallSampleWarning)
    ...     own = casestats.disease_association(mine, study="clinic",
    ...         events_a="limited_calcinosis", total_a="limited_total",
    ...         events_b="diffuse_calcinosis", total_b="diffuse_total",
    ...         groups=("limited", "diffuse"))
    >>> own.title, own.studies["study"].tolist()
    ('your cohorts', ['Leeds', 'Lyon', 'Lund'])
    """
    from casestats.cohorts import CohortTable, read_cohorts

    columns = {"study": study, "events_a": events_a, "total_a": total_a,
               "events_b": events_b, "total_b": total_b}  # fmt: skip
    named = {key: value for key, value in columns.items() if value is not None}
    from casestats.stats._checks import check_choice

    check_choice(measure, MEASURES, "measure")
    if isinstance(data, CaseSeries):
        groups = tuple(groups or SSC_GROUPS)
        return _case_association(data, exposure, groups, outcome, test, confidence_level)
    if isinstance(data, pd.DataFrame) and (named or "comparison" not in data.columns):
        # counts of one's own: validated (every problem located) before anything is pooled
        data = read_cohorts(data, groups=groups, **named)
    if isinstance(data, CohortTable) and "comparison" not in data.data:
        return _table_association(data, outcome, test, method, confidence_level, measure)
    if isinstance(data, CohortTable):
        # the bundled dataset: one row per study and comparison, picked by `exposure`
        data = data.to_frame()
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"data must be a CaseSeries, a CohortTable or a DataFrame, not {type(data).__name__}"
        )
    return _cohort_association(data, exposure, tuple(groups or SSC_GROUPS), outcome, test,
                               method, confidence_level, measure)  # fmt: skip


def _case_association(cases, exposure, groups, outcome, test, confidence_level):
    a, b = groups
    if outcome == "calcinosis":
        raise ValueError(
            "every patient of a calcinosis case series has calcinosis: compare a feature "
            "instead, e.g. outcome='finger' (a site), 'aca+' (an antibody) or a condition"
        )
    labels = group_labels(cases, exposure)
    feature = feature_indicator(cases, outcome)
    usable = labels.isin([a, b]).to_numpy() & feature.notna().to_numpy()
    g, f = labels[usable], feature[usable].astype(bool)
    missing = [level for level in (a, b) if not (g == level).any()]
    if missing:
        raise ValueError(
            f"no patient with {exposure} = {missing[0]!r} reports {outcome!r}; "
            f"groups present: {sorted(labels.dropna().unique())}"
        )
    comparison = compare_proportions(
        events_a=int(f[g == a].sum()),
        total_a=int((g == a).sum()),
        events_b=int(f[g == b].sum()),
        total_b=int((g == b).sum()),
        test=test,
        groups=(a, b),
        confidence_level=confidence_level,
    )
    not_reported = labels.isna() | (labels.isin([a, b]) & feature.isna().to_numpy())
    return CaseAssociation(
        exposure=exposure,
        groups=groups,
        outcome=outcome,
        comparison=comparison,
        n_not_reported=int(not_reported.sum()),
        caveat=cases.caveat,
    )


def _pool(studies: pd.DataFrame, method: str, confidence_level: float,
          measure: str = "odds_ratio"):  # fmt: skip
    """Mantel-Haenszel odds ratio (with CMH test), random effects and MH on `measure`."""
    from casestats.stats import meta_comparisons
    from casestats.stats.meta_analysis import meta_odds_ratios
    from casestats.stats.stratified import mantel_haenszel

    counts = {c: studies[c].to_numpy() for c in ("events_a", "total_a", "events_b", "total_b")}
    labels = studies["study"].tolist()
    mh = mantel_haenszel(**counts, labels=labels, confidence_level=confidence_level)
    if measure == "odds_ratio":
        random = meta_odds_ratios(
            **counts, method=method, labels=labels, confidence_level=confidence_level
        )
        return mh, random, None
    pool = getattr(meta_comparisons, _POOLING[measure])
    random = pool(**counts, method=method, labels=labels, confidence_level=confidence_level)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)  # said once, by the random effects
        mh_pooled = pool(**counts, method="mh", labels=labels, confidence_level=confidence_level)
    return mh, random, mh_pooled


def _cohort_association(cohorts, exposure, groups, outcome, test, method, confidence_level,
                        measure):  # fmt: skip
    # Cohort rows all count patients with calcinosis; which definitions may be
    # pooled together is the dataset's decision (its pool and pool_note columns).
    if outcome != "calcinosis":
        raise ValueError(
            f"outcome={outcome!r}: cohort rows count patients with calcinosis, so the outcome "
            "is 'calcinosis'; compare sites or antibodies within a case series instead"
        )
    included, excluded = cohort_table(cohorts, comparison=exposure, groups=groups)
    if included.empty:
        raise ValueError(
            f"no poolable rows compare {groups[0]} with {groups[1]} for {exposure!r}; "
            f"excluded: {excluded['reason'].tolist()}"
        )
    studies = _with_study_tests(included, groups, test, confidence_level)
    mh, random, mh_pooled = _pool(studies, method, confidence_level, measure)
    return CohortAssociation(
        studies=studies,
        excluded=excluded,
        mantel_haenszel=mh,
        random_effects=random,
        exposure=exposure,
        groups=groups,
        outcome=outcome,
        method=method,
        measure=measure,
        mantel_haenszel_pooled=mh_pooled,
    )


def _with_study_tests(included, groups, test, confidence_level) -> pd.DataFrame:
    """The study rows with each study's own 2x2 test (chosen by expected counts)."""
    tests = [
        compare_proportions(
            events_a=r.events_a,
            total_a=r.total_a,
            events_b=r.events_b,
            total_b=r.total_b,
            test=test,
            groups=groups,
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
    return studies


def _table_association(table, outcome, test, method, confidence_level, measure):
    """Pool a CohortTable: the user's own cohorts, every study marked to pool."""
    if outcome != "calcinosis":
        raise ValueError(f"outcome={outcome!r}: a cohort table counts patients with calcinosis")
    included = table.pooled()
    if included.empty:
        raise ValueError(f"no study of {table.title} is marked to pool with both groups counted")
    left_out = table.data[~table.data["study"].isin(included["study"])]
    complete = left_out[["events_a", "total_a", "events_b", "total_b"]].notna().all(axis=1)
    reason = np.where(complete, "marked not to pool", "counts of one group missing")
    excluded = left_out.assign(reason=reason).reset_index(drop=True)
    studies = _with_study_tests(included, table.groups, test, confidence_level)
    mh, random, mh_pooled = _pool(studies, method, confidence_level, measure)
    return CohortAssociation(
        studies=studies,
        excluded=excluded,
        mantel_haenszel=mh,
        random_effects=random,
        exposure="group",
        groups=table.groups,
        outcome=outcome,
        method=method,
        title=table.title,
        measure=measure,
        mantel_haenszel_pooled=mh_pooled,
    )
