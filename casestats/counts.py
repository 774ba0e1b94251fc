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

#: Term fields that hold one value per patient, so they can define groups.
_SINGLE_VALUED_KINDS = ("term",)


def group_labels(cases, by: str | None) -> pd.Series:
    """The group of each patient, indexed by ``case_id``.

    Parameters
    ----------
    cases : CaseSeries
    by : str or None
        A single-valued term field of the schema (``"ssc_subset"``,
        ``"subtype"``, ``"sex"`` ...), ``"age_band"`` (:data:`AGE_BANDS`), or
        None for one group called ``"all"``.

    Returns
    -------
    pandas.Series
        Group label per patient; missing where the source did not report the
        field (such patients belong to no group).

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> group_labels(cases, "sex").value_counts().index.tolist()
    ['female', 'male']
    """
    data = cases.data.set_index("case_id")
    if by is None:
        return pd.Series("all", index=data.index, dtype=object, name="group")
    if by == "age_band":
        age = cases.to_frame().set_index("case_id")["age_years"]
        labels = pd.Series(pd.NA, index=data.index, dtype=object, name="group")
        for label, low, high in AGE_BANDS:
            labels[(age >= low) & (age < high)] = label
        return labels
    fields = load_schema().fields
    if by not in fields or fields[by].kind not in _SINGLE_VALUED_KINDS:
        allowed = sorted(n for n, f in fields.items() if f.kind in _SINGLE_VALUED_KINDS)
        raise ValueError(
            f"by={by!r} is not a single-valued field; expected one of {allowed + ['age_band']}"
        )
    values = data[by].astype(object)
    return values.where(values != "", pd.NA).rename("group")


def _count(members: pd.DataFrame, groups: pd.Series, levels) -> pd.DataFrame:
    """Patients per (group, level) out of the patients of each group.

    `members` has one row per case_id x level (duplicates allowed: a patient
    counts once); `groups` gives each patient's group (missing: no group).
    """
    groups = groups.dropna()
    totals = groups.value_counts()
    members = members.drop_duplicates()
    # Hash-join on plain object arrays: pandas' Arrow-backed strings fall back
    # to a Python loop in isin/reindex, which dominated at 10^6 patients.
    ids = pd.Index(groups.index.to_numpy(dtype=object))
    where = ids.get_indexer(members["case_id"].to_numpy(dtype=object))
    found = where >= 0
    events = (
        pd.DataFrame(
            {
                "group": groups.to_numpy(dtype=object)[where[found]],
                "level": members["level"].to_numpy(dtype=object)[found],
            }
        )
        .groupby(["group", "level"])
        .size()
    )
    order = [g for g in pd.unique(groups.sort_values()) if g in totals.index]
    rows = [
        {"group": g, "level": lvl, "events": int(events.get((g, lvl), 0)), "total": int(totals[g])}
        for g in order
        for lvl in levels
    ]
    return pd.DataFrame(rows, columns=["group", "level", "events", "total"])


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
        Grouping, as in :func:`group_labels`.

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
    group_labels(cases, field)  # checks that the field is single-valued
    data = cases.data
    values = data[field].astype(object).where(data[field] != "", NOT_CLASSIFIED)
    members = pd.DataFrame({"case_id": data["case_id"].to_numpy(), "level": values.to_numpy()})
    schema = load_schema()
    levels = [*schema.terms(schema.fields[field].vocabulary), NOT_CLASSIFIED]
    return _count(members, group_labels(cases, by), levels)


def site_counts(
    cases, *, level: str = "site", by: str | None = None, unit: str = "patients"
) -> pd.DataFrame:
    """Patients with at least one lesion at each anatomical site.

    The denominator of each group is its patients whose source reported the
    lesion sites; a patient with lesions on both elbows, or on a finger and a
    palm rolled up to ``hand``, counts once.

    Parameters
    ----------
    cases : CaseSeries
    level : {"site", "region", "limb"}
        Rank of the anatomical hierarchy to count at (finger pad -> hand ->
        upper limb).
    by : str, optional
        Grouping, as in :func:`group_labels`.
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
    >>> table = site_counts(cases, level="limb")
    >>> bool((table["events"] <= table["total"]).all())
    True
    """
    if level not in ("site", "region", "limb"):
        raise ValueError(f"level={level!r}; expected one of ['limb', 'region', 'site']")
    if unit not in ("patients", "mentions"):
        raise ValueError(f"unit={unit!r}; expected one of ['mentions', 'patients']")
    groups = group_labels(cases, by)
    groups = groups.where(_reported(cases, "sites").reindex(groups.index, fill_value=False))
    sites = cases.sites()
    members = pd.DataFrame({"case_id": sites["case_id"], "level": sites[level]})
    levels = _anatomical_order(pd.unique(members["level"]))
    if unit == "patients":
        return _count(members, groups, levels)
    mentions = sites.assign(level=sites[level], group=groups.reindex(sites["case_id"]).to_numpy())
    mentions = mentions.dropna(subset=["group"])
    events = mentions.groupby(["group", "level"]).size()
    totals = mentions.groupby("group").size()
    rows = [
        {"group": g, "level": lvl, "events": int(events.get((g, lvl), 0)), "total": int(totals[g])}
        for g in totals.index
        for lvl in levels
    ]
    return pd.DataFrame(rows, columns=["group", "level", "events", "total"])


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
    index = pd.Index(cases.data["case_id"], name="case_id")
    anatomy = schema.terms("site")
    if feature in anatomy:
        sites = cases.sites()
        # a lesion anywhere below the feature counts (finger_pad is in finger, hand...)
        below = [term for term in anatomy if feature in schema.ancestors(term)]
        hits = set(sites.loc[sites["site"].isin(below), "case_id"])
        return _indicator(index, hits, _reported(cases, "sites"))
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
    return pd.Series(cases.reported(field).to_numpy(), index=cases.data["case_id"])


def _indicator(index: pd.Index, hits: set, reported: pd.Series) -> pd.Series:
    values = pd.Series(index.isin(list(hits)), index=index, dtype="boolean")
    return values.where(reported.reindex(index, fill_value=False).to_numpy(), pd.NA)


#: Cohort-row columns that hold the four counts of a 2x2 comparison.
_COUNT_COLUMNS = ("events_exposed", "total_exposed", "events_comparator", "total_comparator")


def cohort_table(
    cohorts: pd.DataFrame, *, comparison: str, levels: tuple[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The published 2x2 counts of one comparison, ready to pool.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Rows in the form of the ``ssc_calcinosis_cohorts`` dataset.
    comparison : str
        The comparison key, e.g. ``"ssc_subset"``.
    levels : (str, str)
        The exposure level and the comparator level, e.g.
        ``("limited", "diffuse")``. Rows recorded the other way round are
        turned around.

    Returns
    -------
    (included, excluded) : tuple of DataFrames
        `included`: one row per study with ``study``, ``cohort_id``,
        ``source_id``, ``events_a``, ``total_a``, ``events_b``, ``total_b``
        (a = ``levels[0]``) and the paper's reported figures; `excluded`:
        the rows of this comparison left out, with ``reason``.

    Examples
    --------
    >>> import casestats
    >>> cohorts = casestats.load_dataset("ssc_calcinosis_cohorts")
    >>> included, excluded = cohort_table(
    ...     cohorts, comparison="ssc_subset", levels=("limited", "diffuse"))
    >>> bool(included["cohort_id"].is_unique)
    True
    """
    rows = cohorts[cohorts["comparison"] == comparison]
    if rows.empty:
        known = sorted(cohorts["comparison"].dropna().unique())
        raise ValueError(f"comparison={comparison!r} is not in the data; expected one of {known}")
    a, b = levels
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
