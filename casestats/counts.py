"""Case records and cohort rows turned into count tables.

Every analysis in casestats ends in a count table: how many *patients* (not
lesion mentions) have a feature, out of how many patients whose source
reported that field. This module is the one place that decides numerators and
denominators; the statistics layer never sees a case record.

Count tables are tidy DataFrames with columns ``group``, ``level``,
``events`` and ``total`` (see :data:`casestats.results.TIDY_COLUMNS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from casestats.schema import load_schema

__all__ = [
    "AGE_BANDS",
    "NOT_CLASSIFIED",
    "category_counts",
    "cohort_table",
    "feature_indicator",
    "group_labels",
    "site_counts",
    "ssc_patients",
    "ssc_subset_counts",
]

#: Age bands for ``by="age_band"``: (label, lower bound in years, upper bound exclusive).
AGE_BANDS = (
    ("<18", 0.0, 18.0),
    ("18-39", 18.0, 40.0),
    ("40-59", 40.0, 60.0),
    ("60-79", 60.0, 80.0),
    ("80+", 80.0, np.inf),
)

#: The level that counts patients whose source did not classify them.
NOT_CLASSIFIED = "not classified"

#: The condition that makes a patient one with systemic sclerosis.
SSC_CONDITION = "systemic_sclerosis"

#: Term fields that hold one value per patient, so they can define groups.
_SINGLE_VALUED_KINDS = ("term",)

#: Why a schema field of each other kind cannot define groups.
_NOT_A_GROUP = {
    "term_list": "holds several terms per patient",
    "antibody_list": "holds several antibodies per patient",
    "site_list": "holds several sites per patient",
    "age": "is a number: use by='age_band'",
    "number": "is a number, not a category",
    "text": "is free text, not a category",
    "identifier": "identifies patients or sources, not groups",
}


def group_labels(cases, by: str | None) -> pd.Series:
    """The group of each patient, indexed by ``case_id``.

    Parameters
    ----------
    cases : CaseSeries
    by : str or None
        Any single-valued column of the cases: a term field of the schema
        (``"ssc_subset"``, ``"subtype"``, ``"sex"`` ...), a column of your own
        (``"origin"``, ``"raynaud"``, the ``"series"`` column of
        :func:`casestats.concat`), ``"age_band"`` (:data:`AGE_BANDS`), or None
        for one group called ``"all"``.

    Returns
    -------
    pandas.Series
        Group label per patient; missing where the cell is empty or a "not
        reported" marker (such patients belong to no group).

    Raises
    ------
    ValueError
        For a column the cases do not have, or one that is multi-valued
        (sites, conditions...), numeric (use ``"age_band"`` for ages) or free
        text; the message lists the columns `by` accepts.

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> group_labels(cases, "sex").value_counts().index.tolist()
    ['female', 'male']
    """
    index = pd.Index(cases.column("case_id").to_numpy(dtype=object), name="case_id")
    if by is None:
        return pd.Series("all", index=index, dtype=object, name="group")
    if by == "age_band":
        age = pd.Series(cases.to_frame()["age_years"].to_numpy(), index=index)
        labels = pd.Series(pd.NA, index=index, dtype=object, name="group")
        for label, low, high in AGE_BANDS:
            labels[(age >= low) & (age < high)] = label
        return labels
    _check_by(cases, by)
    values = pd.Series(cases.column(by).to_numpy(dtype=object), index=index)
    return values.where(cases.reported(by).to_numpy(), pd.NA).rename("group")


def _check_by(cases, by) -> None:
    """Refuse a `by` that is not a single-valued column of `cases`, listing those that are."""
    fields = load_schema().fields
    columns = list(cases._data.columns)
    allowed = [
        c for c in columns if c not in fields or fields[c].kind in _SINGLE_VALUED_KINDS
    ] + ["age_band"]
    if by in allowed:
        return
    if by not in columns:
        why = "is not a column of the cases"
    else:
        kind = fields[by].kind
        why = _NOT_A_GROUP.get(kind, f"is of kind {kind!r}, not a category")
    raise ValueError(f"by={by!r} {why}; by takes a single-valued column: {allowed}")


def _group_codes(groups: pd.Series, keep=None) -> tuple[np.ndarray, np.ndarray]:
    """Integer group of each patient (-1: no group), with the sorted group names."""
    values = groups.to_numpy(dtype=object)
    if keep is not None:
        values = np.where(keep, values, None)
    return pd.factorize(values, sort=True)


def _frame(names, levels, events: np.ndarray, totals: np.ndarray) -> pd.DataFrame:
    """The tidy count table of an events array (groups x levels) and group totals."""
    levels = np.asarray(list(levels), dtype=object)
    return pd.DataFrame(
        {
            "group": np.repeat(np.asarray(names, dtype=object), len(levels)),
            "level": np.tile(levels, len(names)),
            "events": events.ravel().astype(np.int64),
            "total": np.repeat(totals, len(levels)).astype(np.int64),
        }
    )


def category_counts(cases, field: str, *, by: str | None = None) -> pd.DataFrame:
    """Patients per value of a single-valued term field, within each group.

    Patients whose source did not report `field` are counted under
    :data:`NOT_CLASSIFIED`, so the shares of one group add up to one.

    Parameters
    ----------
    cases : CaseSeries
    field : str
        A single-valued term field, e.g. ``"subtype"``.
    by : str, optional
        Grouping: any single-valued column, as in :func:`group_labels`.

    Returns
    -------
    pandas.DataFrame
        Columns ``group, level, events, total``; one row per group and
        vocabulary term (zero counts included) plus ``"not classified"``.

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> table = category_counts(cases, "subtype")
    >>> int(table["events"].sum()) == len(cases)
    True
    """
    schema = load_schema()
    if field not in schema.fields or schema.fields[field].kind not in _SINGLE_VALUED_KINDS:
        terms = sorted(n for n, f in schema.fields.items() if f.kind in _SINGLE_VALUED_KINDS)
        raise ValueError(f"field={field!r} is not a single-valued term field; one of {terms}")
    levels = [*schema.terms(schema.fields[field].vocabulary), NOT_CLASSIFIED]
    # empty cells and markers such as "NR" alike: the source did not classify the case
    values = np.where(
        cases.reported(field).to_numpy(), cases.column(field).to_numpy(dtype=object), NOT_CLASSIFIED
    )
    level_codes = pd.Index(levels, dtype=object).get_indexer(pd.unique(values))
    codes = level_codes[pd.factorize(values)[0]]
    groups, names = _group_codes(group_labels(cases, by))
    counted = groups >= 0
    cells = groups[counted] * len(levels) + codes[counted]
    events = np.bincount(cells, minlength=len(names) * len(levels)).reshape(-1, len(levels))
    return _frame(names, levels, events, np.bincount(groups[counted], minlength=len(names)))


def site_counts(
    cases, *, rank: str = "site", by: str | None = None, unit: str = "patients"
) -> pd.DataFrame:
    """Patients with at least one lesion at each anatomical site.

    The denominator of each group is its patients whose source reported the
    lesion sites; a patient with lesions on both elbows, or on a finger and a
    palm rolled up to ``hand``, counts once.

    Parameters
    ----------
    cases : CaseSeries
    rank : {"site", "region", "limb"}
        Rank of the anatomical hierarchy to count at (finger pad -> hand ->
        upper limb).
    by : str, optional
        Grouping: any single-valued column, as in :func:`group_labels`.
    unit : {"patients", "mentions"}
        ``"mentions"`` counts each recorded site (and side) once, for
        comparison with publications that count lesions; its ``total`` is the
        number of mentions in the group, and no test treats it as patients.

    Returns
    -------
    pandas.DataFrame
        Columns ``group, level, events, total``; sites seen in the data only.

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> table = site_counts(cases, rank="limb")
    >>> bool((table["events"] <= table["total"]).all())
    True
    """
    if rank not in ("site", "region", "limb"):
        raise ValueError(f"rank={rank!r}; expected one of ['limb', 'region', 'site']")
    if unit not in ("patients", "mentions"):
        raise ValueError(f"unit={unit!r}; expected one of ['mentions', 'patients']")
    reported = cases.reported("sites").to_numpy()
    groups, names = _group_codes(group_labels(cases, by), keep=reported)
    counted = groups >= 0
    totals = np.bincount(groups[counted], minlength=len(names))
    if unit == "patients":
        indicators = cases.site_indicators(rank)
        matrix = indicators.to_numpy()
        events = np.zeros((len(names), matrix.shape[1]), dtype=np.int64)
        for k in range(len(names)):
            events[k] = matrix[groups == k].sum(axis=0)
        return _frame(names, indicators.columns, events, totals)
    sites = cases.sites()
    levels = _anatomical_order(pd.unique(sites[rank]))
    rows = cases.column("case_id").to_numpy(dtype=object)
    mention_group = groups[pd.Index(rows).get_indexer(sites["case_id"].to_numpy(dtype=object))]
    level_codes = pd.Index(levels, dtype=object).get_indexer(sites[rank].to_numpy(dtype=object))
    counted = mention_group >= 0
    cells = mention_group[counted] * len(levels) + level_codes[counted]
    events = np.bincount(cells, minlength=len(names) * len(levels)).reshape(-1, len(levels))
    mentions = np.bincount(mention_group[counted], minlength=len(names))
    keep = mentions > 0  # a group whose patients report sites but list none has no mentions
    return _frame(np.asarray(names)[keep], levels, events[keep], mentions[keep])


def _anatomical_order(terms) -> list[str]:
    """Terms in the order of the anatomy table (head to foot), unknown ones last."""
    order = {term: i for i, term in enumerate(load_schema().terms("site"))}
    return sorted(terms, key=lambda t: (order.get(t, len(order)), t))


def feature_indicator(cases, feature: str) -> pd.Series:
    """Whether each patient has a feature, missing where the source did not say.

    Parameters
    ----------
    cases : CaseSeries
    feature : str
        An anatomical term at any rank (``"finger"``, ``"hand"``,
        ``"upper_limb"``: a lesion there or below), a condition term
        (``"raynaud_phenomenon"``), or an autoantibody with its result
        (``"aca+"``, ``"anti_scl70+"``).

    Returns
    -------
    pandas.Series of boolean (nullable)
        Indexed by ``case_id``; ``<NA>`` where the field was not reported (for
        antibodies: where that antibody was not tested).

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> feature_indicator(cases, "upper_limb").dtype
    BooleanDtype
    """
    schema = load_schema()
    index = pd.Index(cases.column("case_id").to_numpy(dtype=object), name="case_id")
    anatomy = schema.terms("site")
    if feature in anatomy:
        indicators = cases.site_indicators("site")
        # a lesion anywhere below the feature counts (finger_pad is in finger, hand...)
        below = [t for t in indicators.columns if feature in schema.ancestors(t)]
        has = indicators[below].to_numpy().any(axis=1)
        reported = cases.reported("sites").to_numpy()
        values = pd.Series(has, index=index, dtype="boolean")
        return values.where(reported, pd.NA)
    if feature in schema.terms("condition"):
        conditions = cases.conditions()
        hits = set(conditions.loc[conditions["condition"] == feature, "case_id"])
        return _indicator(index, hits, _reported(cases, "conditions"))
    if feature[-1:] in ("+", "-") and feature[:-1] in schema.terms("autoantibody"):
        antibodies = cases.autoantibodies()
        tested = antibodies[antibodies["antibody"] == feature[:-1]]
        wanted = "positive" if feature.endswith("+") else "negative"
        hits = set(tested.loc[tested["result"] == wanted, "case_id"])
        reported = pd.Series(index.isin(tested["case_id"]), index=index)
        return _indicator(index, hits, reported)
    raise ValueError(
        f"feature={feature!r} is neither an anatomy term, a condition term nor an "
        "autoantibody with its result such as 'aca+'"
    )


def _reported(cases, field: str) -> pd.Series:
    """Whether each patient's source reported `field`, indexed by case_id."""
    ids = cases.column("case_id").to_numpy(dtype=object)
    return pd.Series(cases.reported(field).to_numpy(), index=ids)


def _indicator(index: pd.Index, hits: set, reported: pd.Series) -> pd.Series:
    values = pd.Series(index.isin(list(hits)), index=index, dtype="boolean")
    return values.where(reported.reindex(index, fill_value=False).to_numpy(), pd.NA)


#: Cohort-row columns that hold the four counts of a 2x2 comparison.
_COUNT_COLUMNS = ("events_exposed", "total_exposed", "events_comparator", "total_comparator")


def cohort_table(
    cohorts: pd.DataFrame, *, comparison: str, groups: tuple[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The published 2x2 counts of one comparison, ready to pool.

    Parameters
    ----------
    cohorts : CohortTable or pandas.DataFrame
        The ``ssc_calcinosis_cohorts`` dataset, or rows in its form (its
        ``.to_frame()``).
    comparison : str
        The comparison key, e.g. ``"ssc_subset"``.
    groups : (str, str)
        The exposure group and the comparator group, e.g.
        ``("limited", "diffuse")``. Rows recorded the other way round are
        turned around.

    Returns
    -------
    (included, excluded) : tuple of DataFrames
        `included`: one row per study with ``study``, ``cohort_id``,
        ``source_id``, ``events_a``, ``total_a``, ``events_b``, ``total_b``
        (a = ``groups[0]``) and the paper's reported figures; `excluded`:
        the rows of this comparison left out, with ``reason``.

    Examples
    --------
    >>> import casestats
    >>> cohorts = casestats.load_dataset("ssc_calcinosis_cohorts")
    >>> included, excluded = cohort_table(
    ...     cohorts, comparison="ssc_subset", groups=("limited", "diffuse"))
    >>> bool(included["cohort_id"].is_unique)
    True
    """
    if not isinstance(cohorts, pd.DataFrame):
        cohorts = cohorts.to_frame()
    rows = cohorts[cohorts["comparison"] == comparison]
    if rows.empty:
        known = sorted(cohorts["comparison"].dropna().unique())
        raise ValueError(f"comparison={comparison!r} is not in the data; expected one of {known}")
    a, b = groups
    forward = (rows["exposure"] == a) & (rows["comparator"] == b)
    backward = (rows["exposure"] == b) & (rows["comparator"] == a)
    counts = rows[list(_COUNT_COLUMNS)]
    flipped = pd.DataFrame(
        np.where(
            backward.to_numpy()[:, None],
            counts[[_COUNT_COLUMNS[2], _COUNT_COLUMNS[3], _COUNT_COLUMNS[0], _COUNT_COLUMNS[1]]],
            counts,
        ),
        index=rows.index,
        columns=["events_a", "total_a", "events_b", "total_b"],
    )
    table = pd.concat([rows.drop(columns=list(_COUNT_COLUMNS)), flipped], axis=1)
    reason = pd.Series("", index=rows.index, dtype=object)
    other = ~(forward | backward)
    reason[other] = (
        "compares "
        + rows.loc[other, "exposure"].fillna("?").astype(str)
        + " vs "
        + rows.loc[other, "comparator"].fillna("?").astype(str)
        + f", not {a} vs {b}"
    )
    reason[(reason == "") & flipped.isna().any(axis=1)] = "counts not available"
    # the curators' own reason (overlap, adjusted only...) says most; keep both
    note = rows["pool_note"].fillna("").astype(str)
    not_pooled = rows["pool"] != "yes"
    reason[not_pooled] = np.where(
        reason[not_pooled] == "", note[not_pooled], reason[not_pooled] + "; " + note[not_pooled]
    )
    reason = reason.str.rstrip("; ")
    reason[not_pooled & (reason == "")] = "marked not to pool"
    keep = reason == ""
    included = table[keep].copy()
    for column in ("events_a", "total_a", "events_b", "total_b"):
        included[column] = included[column].astype("int64")
    included.insert(0, "study", included["source_id"])
    excluded = table[~keep].assign(reason=reason[~keep])
    return included.reset_index(drop=True), excluded.reset_index(drop=True)


def ssc_patients(cases) -> pd.Series:
    """Whether each patient has systemic sclerosis, indexed by ``case_id``.

    A patient has it when the source lists the condition, or states a
    cutaneous subset (``ssc_subset`` reported and not ``"not_applicable"``):
    a subset implies the disease even where the conditions were not listed.

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> int(ssc_patients(cases).sum())
    15
    """
    index = pd.Index(cases.column("case_id").to_numpy(dtype=object), name="case_id")
    conditions = cases.conditions()
    listed = index.isin(conditions.loc[conditions["condition"] == SSC_CONDITION, "case_id"])
    subset = cases.column("ssc_subset").to_numpy(dtype=object)
    stated = cases.reported("ssc_subset").to_numpy() & (subset != "not_applicable")
    return pd.Series(listed | stated, index=index, name="systemic_sclerosis")


def ssc_subset_counts(cases) -> pd.DataFrame:
    """Patients with systemic sclerosis by cutaneous subset: the one SSc denominator.

    The denominator is every patient of :func:`ssc_patients`; those whose
    source stated no subset are counted under :data:`NOT_CLASSIFIED`, so the
    shares add up to one. The report and the analysis scripts both count
    "SSc patients" here.

    Returns
    -------
    pandas.DataFrame
        Columns ``group`` (``"systemic_sclerosis"``), ``level`` (each subset
        term, then ``"not classified"``), ``events``, ``total``.

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> ssc_subset_counts(cases).query("events > 0")[["level", "events", "total"]].values.tolist()
    [['limited', 7, 15], ['diffuse', 3, 15], ['overlap', 1, 15], ['not classified', 4, 15]]
    """
    ssc = ssc_patients(cases).to_numpy()
    subset = cases.column("ssc_subset").to_numpy(dtype=object)
    stated = cases.reported("ssc_subset").to_numpy() & (subset != "not_applicable")
    values = np.where(stated, subset, NOT_CLASSIFIED)[ssc]
    terms = [t for t in load_schema().terms("ssc_subset") if t != "not_applicable"]
    levels = [*terms, NOT_CLASSIFIED]
    events = np.array([[int((values == level).sum()) for level in levels]])
    return _frame([SSC_CONDITION], levels, events, np.array([int(ssc.sum())]))
