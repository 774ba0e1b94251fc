"""Combine case series: a clinic's own patients beside the published ones."""

from __future__ import annotations

import dataclasses

import pandas as pd

from casestats.caseseries import CaseSeries
from casestats.exceptions import CaseSeriesValidationError
from casestats.problems import Problem, ValidationReport

__all__ = ["SERIES_COLUMN", "concat"]

#: The column of a combined series that says which input each case came from.
SERIES_COLUMN = "series"


def concat(series, *, keys=None) -> CaseSeries:
    """Combine case series into one, recording where each case came from.

    Parameters
    ----------
    series : sequence of CaseSeries
        The series to combine, in order.
    keys : sequence of str, optional
        A label for each series, one per series, all different. By default
        each series' title (``metadata["title"]``), else ``"series 1"``,
        ``"series 2"``...

    Returns
    -------
    CaseSeries
        The cases of every input, in order, with a ``series`` column holding
        the label of the input each came from (an input that already has a
        ``series`` column, such as an earlier combination, keeps its labels).
        Columns are the union of the inputs' columns; a column that an input
        lacks is empty (not reported) for its cases. The sources are merged:
        a source listed in several inputs with identical rows appears once.
        The caveat follows from the sources' kinds, so combining published
        case reports with one's own patients says which caveat applies to
        which cases. ``metadata`` holds the combined ``title`` and each
        input's metadata under ``metadata["series"][label]``.

    Raises
    ------
    CaseSeriesValidationError
        Listing every case_id used by two inputs (the row in each, and which
        inputs) and every source_id whose rows differ between inputs (the
        column and both values). Rename the case_ids of one input (a prefix
        such as ``"mine-"``), or make the sources agree.
    TypeError
        If an input is not a CaseSeries.

    Examples
    --------
    >>> import pandas as pd
    >>> import casestats
    >>> bundled = casestats.load_dataset("calcinosis_case_reports")
    >>> mine = casestats.read_cases(
    ...     pd.DataFrame({"case_id": ["mine-1", "mine-2"], "source_id": ["clinic", "clinic"],
    ...                   "subtype": ["dystrophic", "idiopathic"]}),
    ...     sources=pd.DataFrame({"source_id": ["clinic"], "kind": ["own_patients"]}))
    >>> both = casestats.concat([bundled, mine], keys=["published", "mine"])
    >>> both.data["series"].value_counts().to_dict()
    {'published': 220, 'mine': 2}
    >>> print(both.caveat)  # doctest: +NORMALIZE_WHITESPACE
    220 of 222 cases (published case reports and published case series): Pooled case reports
    describe the published literature, not the population of patients: unusual presentations
    are more likely to be published. 2 of 222 cases (own patients): Patients seen at one's own
    clinic reflect its referral pattern, not the population of patients.
    """
    series = list(series)
    for position, item in enumerate(series):
        if not isinstance(item, CaseSeries):
            raise TypeError(
                f"concat takes CaseSeries (from read_cases or load_dataset); item {position} "
                f"is a {type(item).__name__}"
            )
    if not series:
        raise ValueError("concat needs at least one CaseSeries")
    labels = _labels(series, keys)
    problems = _colliding_ids(series, labels)
    sources, conflicts = _merged_sources(series, labels)
    problems += conflicts
    if problems:
        report = ValidationReport(tuple(problems), source=" + ".join(labels),
                                  n_rows=sum(map(len, series)))  # fmt: skip
        raise CaseSeriesValidationError(report)
    frames = []
    for item, label in zip(series, labels, strict=True):
        frame = item.data
        if SERIES_COLUMN not in frame:
            frame[SERIES_COLUMN] = label
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True).fillna("")
    metadata = {
        "title": " + ".join(labels),
        "series": {label: item.metadata for item, label in zip(series, labels, strict=True)},
    }
    return CaseSeries(data, sources=sources, report=_report(series, labels), metadata=metadata)


def _labels(series: list[CaseSeries], keys) -> list[str]:
    if keys is None:
        labels = [s.metadata.get("title") or f"series {k + 1}" for k, s in enumerate(series)]
    else:
        labels = [str(key) for key in keys]
        if len(labels) != len(series):
            raise ValueError(f"keys has {len(labels)} labels for {len(series)} series")
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(
            f"the series need different labels; {repeated} is used twice: give keys=[...]"
        )
    return labels


def _colliding_ids(series: list[CaseSeries], labels: list[str]) -> list[Problem]:
    """One error per case_id of a later input that an earlier input already used."""
    first: dict[str, tuple[str, int]] = {}
    problems = []
    for item, label in zip(series, labels, strict=True):
        for i, case_id in enumerate(item.column("case_id")):
            row = i + 2  # as the table is written out: header = row 1
            if case_id in first:
                where, other_row = first[case_id]
                problems.append(
                    Problem(
                        "error",
                        "duplicate_case_id",
                        row=row,
                        column="case_id",
                        case_id=case_id,
                        value=case_id,
                        expected="a case_id used by one input only",
                        hint=f"in {label!r} row {row} and in {where!r} row {other_row}; "
                        "rename one input's case_ids (a prefix such as 'mine-')",
                    )
                )
            else:
                first[case_id] = (label, row)
    return problems


def _merged_sources(series, labels) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The inputs' sources, identical rows merged; a row that differs is a problem."""
    tables = [(s.sources, label) for s, label in zip(series, labels, strict=True)]
    tables = [(t, label) for t, label in tables if t is not None]
    if not tables:
        return None, []
    text = [t.fillna("").astype(str).assign(_series=label) for t, label in tables]
    merged = pd.concat(text, ignore_index=True).fillna("")  # a column one table lacks: empty
    problems = []
    columns = [c for c in merged.columns if c not in ("source_id", "_series")]
    for source_id, rows in merged.groupby("source_id", sort=False):
        if len(rows) < 2:
            continue
        first = rows.iloc[0]
        for _, row in rows.iloc[1:].iterrows():
            for column in columns:
                if row[column] != first[column]:
                    problems.append(
                        Problem(
                            "error",
                            "conflicting_source",
                            column=column,
                            case_id="",
                            value=row[column],
                            expected=f"{first[column]!r}, as in {first['_series']!r}",
                            hint=f"source {source_id!r} differs between {first['_series']!r} "
                            f"and {row['_series']!r}; make the rows agree or rename one",
                        )
                    )
    unique = merged.drop_duplicates("source_id").drop(columns="_series")
    return unique.reset_index(drop=True), problems


def _report(series, labels) -> ValidationReport | None:
    """The inputs' validation reports in one, each problem saying which input it is from."""
    reports = [(s.report, label) for s, label in zip(series, labels, strict=True)]
    if all(report is None for report, _ in reports):
        return None
    items = tuple(
        dataclasses.replace(p, hint=f"in {label!r}; {p.hint}" if p.hint else f"in {label!r}")
        for report, label in reports
        if report is not None
        for p in report.items
    )
    return ValidationReport(items, source=" + ".join(labels), n_rows=sum(map(len, series)))
