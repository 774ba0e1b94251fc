"""Validated study-level counts: the counterpart of :class:`~casestats.CaseSeries`.

A systematic review or a clinic audit gives, per study, two groups and how
many patients in each had calcinosis. :func:`read_cohorts` reads such a table
from CSV, XLSX, JSON or a DataFrame under the user's own column names (as
metafor's ``rma(ai=, n1i=, ci=, n2i=, data=)`` does), checks every row, and
returns a :class:`CohortTable`, or raises
:class:`~casestats.CaseSeriesValidationError` listing every problem, located.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from casestats.exceptions import CaseSeriesValidationError
from casestats.problems import Problem, ValidationReport

__all__ = ["COHORT_COLUMNS", "COHORT_DICTIONARY", "CohortTable", "read_cohorts"]

#: Canonical columns of :attr:`CohortTable.data`, first in this order.
COHORT_COLUMNS = ("study", "events_a", "total_a", "events_b", "total_b", "pool", "overlaps")
#: Canonical columns of a reported estimate, in :attr:`CohortTable.data` when the table has them.
ESTIMATE_COLUMNS = ("measure", "estimate", "lower", "upper")
#: The measures a reported estimate may be, as :func:`casestats.meta_estimates` pools them.
REPORTED_MEASURES = ("OR", "RR", "HR", "RD")

#: The columns of a cohort table as the template lays them out: name, meaning, example.
COHORT_DICTIONARY = (
    ("study", "A label for the study or clinic, used once per row.", "Leeds 2024"),
    ("events_a", "Patients in group a with calcinosis.", "12"),
    ("total_a", "All patients in group a.", "60"),
    ("events_b", "Patients in group b with calcinosis.", "5"),
    ("total_b", "All patients in group b.", "40"),
    ("pool", "Whether to pool the study: yes or no; empty means yes.", "yes"),
    (
        "overlaps",
        "Studies sharing patients with this one, separated by semicolons.",
        "Leeds 2019",
    ),
    ("source_id", "Key into the Sources sheet (the paper or clinic).", "own_clinic"),
    ("note", "Anything else: how groups were defined, where the counts stand.", ""),
    ("measure", "For a study that printed an effect instead of counts: OR, RR, HR or RD.", "OR"),
    ("estimate", "The printed estimate (an adjusted odds ratio, say).", "2.6"),
    ("lower", "Lower limit of its printed 95% confidence interval.", "1.0"),
    ("upper", "Upper limit of its printed 95% confidence interval.", "6.8"),
)

#: Title of a user's own table when no ``title=`` is given.
DEFAULT_TITLE = "your cohorts"

_POOL_WORDS = dict.fromkeys(("yes", "y", "true", "1"), True) | dict.fromkeys(
    ("no", "n", "false", "0"), False
)
_COUNTS = ("events_a", "total_a", "events_b", "total_b")


class CohortTable:
    """Study-level counts of two groups, validated, with their sources.

    Build one with :func:`read_cohorts`.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per study: ``study``, ``events_a``, ``total_a``, ``events_b``,
        ``total_b`` (nullable integers; empty only in rows not pooled),
        ``pool`` (bool), ``overlaps`` (tuple of study labels this study shares
        patients with), then, where the table has them, ``measure``,
        ``estimate``, ``lower`` and ``upper`` (a reported estimate and its 95%
        limits, floats), then the user's other columns as read.
    groups : tuple of str
        Names of group a and group b, as the results show them.
    title : str
        What the table is called in reports ("your cohorts" by default).
    sources : pandas.DataFrame or None
        The sources table, one row per ``source_id``.
    report : ValidationReport
        What validation found (notes and warnings; never errors).
    metadata : dict
        Dataset metadata (licence, citation...), empty for a user's table.
    """

    def __init__(
        self, data, *, groups, title, sources=None, report=None, metadata=None, columns=None
    ):
        self.data = data.reset_index(drop=True)
        self.groups = tuple(groups)
        self.title = title
        self.sources = sources
        self.report = report if report is not None else ValidationReport(())
        self.metadata = dict(metadata or {})
        # canonical column -> the name it was read from, for to_frame
        self._columns = dict(columns or {})

    def to_frame(self) -> pd.DataFrame:
        """The table under the column names it was read with, as it was typed.

        Counts are nullable integers; ``pool`` reads ``yes``/``no`` and
        ``overlaps`` is the semicolon-separated text, where the input had
        those columns. Columns that a dataset's dictionary
        (``metadata["columns"]``) types as numbers become numbers. For the
        bundled ``ssc_calcinosis_cohorts`` this is the dataset's own table.

        Examples
        --------
        >>> import casestats
        >>> cohorts = casestats.load_dataset("ssc_calcinosis_cohorts")
        >>> frame = cohorts.to_frame()
        >>> frame.loc[frame["comparison"] == "aca", "cohort_id"].tolist()[:2]
        ['baron2016_aca', 'aca1992_scleroderma']
        """
        frame = self.data.copy()
        if "pool" in self._columns:
            frame["pool"] = np.where(frame["pool"], "yes", "no")
        else:
            frame = frame.drop(columns="pool")
        if "overlaps" in self._columns:
            frame["overlaps"] = frame["overlaps"].map("; ".join)
        else:
            frame = frame.drop(columns="overlaps")
        frame = frame.rename(columns=self._columns)
        for column in self.metadata.get("columns", ()):
            dtype = {"integer": "Int64", "number": "float64"}.get(column.get("type", ""))
            name = column.get("name")
            if dtype and name in frame and frame[name].dtype == object:
                frame[name] = pd.to_numeric(frame[name].replace("", None)).astype(dtype)
        order = [c["name"] for c in self.metadata.get("columns", ()) if c.get("name") in frame]
        return frame[order + [c for c in frame.columns if c not in order]]

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        pooled = int(self.data["pool"].sum())
        a, b = self.groups
        return f"CohortTable({self.title!r}: {len(self)} studies, {pooled} pooled, {a} vs {b})"

    def study_labels(self) -> dict[str, str]:
        """Each study's label as papers cite it ("Steen 1984"), from the sources table.

        See :func:`casestats.sources.citation_labels`; studies whose source
        gives neither author nor journal and year are left out.

        Examples
        --------
        >>> import casestats
        >>> labels = casestats.load_dataset("ssc_calcinosis_cohorts").study_labels()
        >>> labels["steen1984_aca"], labels["ab0690_ssc_subset"]
        ('Steen 1984', 'EULAR abstract AB0690')
        """
        from casestats.sources import citation_labels

        if self.sources is None:
            return {}
        return citation_labels(self.data, self.sources)

    def reported_estimates(self) -> pd.DataFrame:
        """The rows that print an estimate with both 95% limits, in table order.

        Many studies print only an adjusted odds ratio with its interval. These
        rows are kept apart from the counts: :meth:`pooled` never includes
        them, and this table is what :func:`casestats.meta_estimates` pools,
        one measure at a time, when the user decides to.

        Returns
        -------
        pandas.DataFrame
            ``study``, ``measure``, ``estimate``, ``lower``, ``upper``,
            ``overlaps``, then the other columns as read. Empty when the table
            has no reported estimates (or no such columns).

        Examples
        --------
        >>> import casestats
        >>> cohorts = casestats.load_dataset("ssc_calcinosis_cohorts")
        >>> rows = cohorts.reported_estimates()
        >>> ulcers = rows[(rows["comparison"] == "digital_ulcers") & (rows["measure"] == "OR")
        ...               & rows["population"].str.contains("SSc")]
        >>> ulcers[["study", "estimate", "lower", "upper", "adjustment"]]
                                   study  estimate  lower  upper    adjustment
        0  valenzuela2016_digital_ulcers      3.90   2.70   5.50  multivariate
        6      samoes2023_digital_ulcers      2.63   1.02   6.78  multivariate
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")  # two studies: too few for tau² (it says so)
        ...     res = casestats.meta_estimates(ulcers["estimate"], lower=ulcers["lower"],
        ...         upper=ulcers["upper"], measure="OR", labels=ulcers["study"], method="dl")
        >>> round(res.estimate, 2), res.k
        (3.71, 2)
        """
        if "estimate" not in self.data:
            return pd.DataFrame(columns=["study", *ESTIMATE_COLUMNS, "overlaps"])
        have = self.data[["estimate", "lower", "upper"]].notna().all(axis=1)
        rows = self.data[have]
        first = ["study", *ESTIMATE_COLUMNS, "overlaps"]
        return rows[first + [c for c in rows.columns if c not in first]].reset_index(drop=True)

    def pooled(self) -> pd.DataFrame:
        """The rows marked to pool that count both groups, with integer counts, in table order.

        Examples
        --------
        >>> table = read_cohorts(pd.DataFrame({"study": ["A", "B"], "events_a": [3, 1],
        ...     "total_a": [10, 12], "events_b": [1, 0], "total_b": [9, 8],
        ...     "pool": ["yes", "no"]}))
        >>> table.pooled()["study"].tolist()
        ['A']
        """
        complete = self.data[list(_COUNTS)].notna().all(axis=1)
        rows = self.data[self.data["pool"] & complete].copy()
        for column in _COUNTS:
            rows[column] = rows[column].astype("int64")
        return rows.reset_index(drop=True)


def read_cohorts(
    source,
    *,
    study: str = "study",
    events_a: str = "events_a",
    total_a: str = "total_a",
    events_b: str = "events_b",
    total_b: str = "total_b",
    groups: tuple[str, str] | None = None,
    pool: str | None = None,
    overlaps: str | None = None,
    measure: str | None = None,
    estimate: str | None = None,
    lower: str | None = None,
    upper: str | None = None,
    sources=None,
    title: str = DEFAULT_TITLE,
) -> CohortTable:
    """Read and validate study-level counts of two groups.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A CSV, XLSX (sheet ``Cohorts`` or the first) or JSON file, or a DataFrame.
    study, events_a, total_a, events_b, total_b : str
        The names of the columns holding the study label and the four counts
        (patients with calcinosis and patients in group a, then in group b).
    groups : (str, str), optional
        Names of group a and group b; by default the names of the
        ``events_a`` and ``events_b`` columns.
    pool : str, optional
        A column saying whether each study is pooled (yes/no, true/false,
        1/0; empty means yes). By default the column ``pool`` if there is
        one; without it every study is pooled.
    overlaps : str, optional
        A column naming, separated by semicolons, the studies that share
        patients with this one. By default the column ``overlaps`` if there
        is one; without it no studies overlap.
    measure, estimate, lower, upper : str, optional
        Columns of a reported estimate, for studies that print an effect
        with its 95% interval instead of counts: the measure (OR, RR, HR or
        RD), the estimate and its limits. By default the columns of those
        names if the table has them. An estimate needs its measure, and both
        limits or neither (a paper may print an OR with a p-value only).
        :meth:`CohortTable.reported_estimates` gives the rows with both
        limits; they are never pooled with the counts.
    sources : str, pathlib.Path or pandas.DataFrame, optional
        A sources table, as for :func:`casestats.read_cases`.
    title : str, default "your cohorts"
        What reports call this table.

    Returns
    -------
    CohortTable

    Raises
    ------
    CaseSeriesValidationError
        Listing every problem at once: missing columns (naming the ones
        needed), counts that are empty, negative, fractional or not numbers,
        events above the total, a repeated study, an unreadable pool flag, an
        overlap naming a study that is not in the table, an unknown measure,
        an estimate outside its own interval.

    Examples
    --------
    >>> import pandas as pd
    >>> clinics = pd.DataFrame({
    ...     "clinic": ["Leeds", "Pisa", "Lyon"],
    ...     "limited_calcinosis": [12, 9, 15], "limited_total": [60, 41, 70],
    ...     "diffuse_calcinosis": [5, 4, 6], "diffuse_total": [40, 30, 38]})
    >>> table = read_cohorts(clinics, study="clinic",
    ...     events_a="limited_calcinosis", total_a="limited_total",
    ...     events_b="diffuse_calcinosis", total_b="diffuse_total",
    ...     groups=("limited", "diffuse"))
    >>> table
    CohortTable('your cohorts': 3 studies, 3 pooled, limited vs diffuse)
    >>> table.data[["study", "events_a", "total_a", "events_b", "total_b", "pool"]]
       study  events_a  total_a  events_b  total_b  pool
    0  Leeds        12       60         5       40  True
    1   Pisa         9       41         4       30  True
    2   Lyon        15       70         6       38  True
    """
    from casestats.io._raw import read_raw

    raw = read_raw(source, sources=sources)
    names = dict(
        zip(COHORT_COLUMNS[:5], (study, events_a, total_a, events_b, total_b), strict=True)
    )
    optional = {"pool": pool, "overlaps": overlaps, "measure": measure, "estimate": estimate,
                "lower": lower, "upper": upper}  # fmt: skip
    for name in optional:
        if optional[name] is None and name in raw.frame:
            optional[name] = name
    checker = _Checker(raw, names, {k: v for k, v in optional.items() if v is not None})
    data = checker.run()
    report = ValidationReport(tuple(checker.problems), source=raw.source, n_rows=len(raw.frame))
    if not report.ok:
        raise CaseSeriesValidationError(report)
    if groups is None:
        groups = (events_a, events_b)
    if len(groups) != 2 or not all(isinstance(g, str) and g for g in groups):
        raise ValueError(f"groups must be two names, like ('limited', 'diffuse'); got {groups!r}")
    columns = {**names, **{k: v for k, v in optional.items() if v is not None}}
    return CohortTable(
        data, groups=groups, title=title, sources=raw.sources, report=report, columns=columns
    )


class _Checker:
    """One pass over a raw table of cohort rows, collecting every problem."""

    def __init__(self, raw, names: dict[str, str], optional: dict[str, str]):
        self.raw = raw
        self.names = names  # canonical -> the user's column name
        self.optional = optional
        self.problems: list[Problem] = list(raw.problems)
        self.frame: pd.DataFrame = raw.frame

    def problem(self, code, i, column, value="", expected="", hint="", *, severity="error") -> None:
        row = None if i is None else int(self.raw.row_numbers[i])
        position = self.raw.headers.index(column) if column in self.raw.headers else None
        cell = "" if row is None or position is None else self.raw.cell_address(row, position)
        label = "" if i is None or self.names["study"] not in self.frame else self._label(i)
        self.problems.append(
            Problem(
                severity,
                code,
                row=row,
                cell=cell,
                column=column,
                case_id=label,
                value=str(value),
                expected=expected,
                hint=hint,
            )
        )

    def _label(self, i: int) -> str:
        return self.frame[self.names["study"]].iat[i].strip()

    def run(self) -> pd.DataFrame:
        wanted = {**self.names, **self.optional}
        missing = [column for column in wanted.values() if column not in self.frame]
        for column in missing:
            self.problem(
                "missing_column",
                None,
                column,
                expected=f"a column named {column!r}",
                hint=f"the table needs {', '.join(map(repr, wanted.values()))}; "
                f"name yours with study=, events_a=, total_a=, events_b=, total_b=",
            )
        if missing:
            return pd.DataFrame()
        if self.frame.empty:
            self.problem("no_rows", None, "", expected="one row per study")
            return pd.DataFrame()
        pool = self._pool()
        counts = {name: self._counts(name) for name in _COUNTS}
        self._complete_groups(counts, pool)
        self._events_within_totals(counts)
        labels = self._studies()
        overlaps = self._overlaps(labels)
        data = pd.DataFrame({"study": labels, **counts, "pool": pool, "overlaps": overlaps,
                             **self._estimates()})  # fmt: skip
        extra = self.frame.drop(columns=list(wanted.values()))
        for column in set(extra.columns) & set(COHORT_COLUMNS + ESTIMATE_COLUMNS):
            self.problem(
                "duplicate_header",
                None,
                column,
                column,
                f"no other column named {column!r}",
                f"{column!r} is the name casestats gives to the {column} column: rename yours",
            )
        return pd.concat([data, extra.reset_index(drop=True)], axis=1)

    def _pool(self) -> np.ndarray:
        if "pool" not in self.optional:
            return np.ones(len(self.frame), dtype=bool)
        column = self.optional["pool"]
        out = np.ones(len(self.frame), dtype=bool)
        for i, value in enumerate(self.frame[column]):
            word = value.strip().casefold()
            if word and word not in _POOL_WORDS:
                self.problem(
                    "unknown_term",
                    i,
                    column,
                    value,
                    "yes or no (also true/false, 1/0)",
                    "empty means yes",
                )
            out[i] = _POOL_WORDS.get(word, True)
        return out

    def _complete_groups(self, counts: dict[str, pd.Series], pool: np.ndarray) -> None:
        """A pooled study has both counts of a group or neither, and at least one group."""
        typed = {
            name: (self.frame[self.names[name]].str.strip() != "").to_numpy() for name in _COUNTS
        }
        empty_groups = np.zeros(len(self.frame), dtype=int)
        for events, total in (("events_a", "total_a"), ("events_b", "total_b")):
            for have, lack in ((events, total), (total, events)):
                # a study left out of the pooling may keep what the paper gave
                for i in np.flatnonzero(typed[have] & ~typed[lack] & pool):
                    self.problem(
                        "missing_value",
                        i,
                        self.names[lack],
                        "",
                        f"a count of patients, since {self.names[have]} has one",
                        "fill in the count, or empty both counts of the group",
                    )
            empty_groups += ~typed[events] & ~typed[total]
        for i in np.flatnonzero((empty_groups == 2) & pool):
            self.problem(
                "missing_value",
                i,
                self.names["events_a"],
                "",
                "the counts of at least one group",
                "fill in the counts, or mark the study not to pool",
            )
        for i in np.flatnonzero((empty_groups == 1) & pool):
            self.problem(
                "one_group_only",
                i,
                self.names["events_b" if not typed["events_b"][i] else "events_a"],
                "",
                "counts for both groups, to compare them",
                "this study counts one group only, so comparisons leave it out",
                severity="warning",
            )

    def _counts(self, name: str) -> pd.Series:
        column = self.names[name]
        out = pd.Series(pd.NA, index=range(len(self.frame)), dtype="Int64")
        for i, value in enumerate(self.frame[column]):
            text = value.strip()
            if not text:
                continue
            number = _count(text)
            if number is None:
                self.problem(
                    "not_a_number",
                    i,
                    column,
                    value,
                    "a whole number of patients",
                    _count_hint(text),
                )
            else:
                out.iat[i] = number
        return out

    def _events_within_totals(self, counts: dict[str, pd.Series]) -> None:
        for events, total in (("events_a", "total_a"), ("events_b", "total_b")):
            above = (counts[events] > counts[total]).fillna(False).to_numpy(dtype=bool)
            for i in np.flatnonzero(above):
                self.problem(
                    "events_above_total",
                    i,
                    self.names[events],
                    counts[events].iat[i],
                    f"at most {counts[total].iat[i]}, the count in {self.names[total]}",
                    "are the columns swapped?",
                )

    def _studies(self) -> list[str]:
        column = self.names["study"]
        labels = [v.strip() for v in self.frame[column]]
        first: dict[str, int] = {}
        for i, label in enumerate(labels):
            if not label:
                self.problem("missing_value", i, column, "", "a study label")
            elif label in first:
                row = self.raw.row_numbers[first[label]]
                self.problem(
                    "duplicate_study",
                    i,
                    column,
                    label,
                    "a study label used once",
                    f"row {row} has the same study",
                )
            else:
                first[label] = i
        return labels

    def _estimates(self) -> dict[str, pd.Series]:
        """The reported-estimate columns, checked row by row (see :meth:`_estimate_row`)."""
        given = [name for name in ESTIMATE_COLUMNS if name in self.optional]
        if not given:
            return {}
        for name in set(ESTIMATE_COLUMNS) - set(given):
            self.problem("missing_column", None, name, expected=f"a column named {name!r}",
                         hint=f"reported estimates need {', '.join(ESTIMATE_COLUMNS)}; name "
                         "yours with measure=, estimate=, lower=, upper=")  # fmt: skip
        if len(given) < len(ESTIMATE_COLUMNS):
            return {}
        rows = range(len(self.frame))
        out = {"measure": pd.Series("", index=rows, dtype=object)}
        out |= {name: pd.Series(np.nan, index=rows) for name in ESTIMATE_COLUMNS[1:]}
        # the columns as lists once: indexing the frame per cell was most of the time
        cells = {name: self.frame[self.optional[name]].tolist() for name in ESTIMATE_COLUMNS}
        for i in rows:
            read = self._estimate_row(i, {name: cells[name][i].strip() for name in cells})
            for name, value in read.items():
                out[name].iat[i] = value
        return out

    def _estimate_row(self, i: int, text: dict[str, str]) -> dict:
        """One row's measure and numbers, or {} after reporting what is wrong with them.

        The measure goes with the estimate, the limits in pairs around it; an
        estimate printed with a p-value only is kept without limits.
        """
        column = {name: self.optional[name] for name in ESTIMATE_COLUMNS}
        filled = [name for name in ESTIMATE_COLUMNS if text[name]]
        if not filled:
            return {}
        needed = {"measure", "estimate"} | ({"lower", "upper"} if text["lower"] or text["upper"]
                                            else set())  # fmt: skip
        for name in sorted(needed - set(filled), key=ESTIMATE_COLUMNS.index):
            self.problem("missing_value", i, column[name], "",
                         f"a {name}, since {column[filled[0]]} has one",
                         "a reported estimate needs its measure, and both 95% limits or "
                         "neither")  # fmt: skip
        word = text["measure"].upper()
        if text["measure"] and word not in REPORTED_MEASURES:
            self.problem("unknown_term", i, column["measure"], text["measure"],
                         f"one of {', '.join(REPORTED_MEASURES)}")  # fmt: skip
        numbers = {name: _number(text[name]) for name in ESTIMATE_COLUMNS[1:] if text[name]}
        for name, number in numbers.items():
            if number is None:
                self.problem("not_a_number", i, column[name], text[name], "a number",
                             "write the number alone (no CI text, no %)")  # fmt: skip
        if needed - set(filled) or None in numbers.values():
            return {}
        est = numbers["estimate"]
        low, high = numbers.get("lower", est), numbers.get("upper", est)
        if word in ("OR", "RR", "HR") and min(low, est) <= 0:
            name = "lower" if low <= 0 else "estimate"
            self.problem("out_of_range", i, column[name], text[name],
                         "a ratio and limits above 0")  # fmt: skip
        elif not low <= est <= high:
            self.problem("contradiction", i, column["estimate"], text["estimate"],
                         f"a value between {text['lower']} and {text['upper']}",
                         "the estimate is outside its own interval: columns swapped?")  # fmt: skip
        return {"measure": word, **numbers}

    def _overlaps(self, labels: list[str]) -> list[tuple[str, ...]]:
        if "overlaps" not in self.optional:
            return [()] * len(labels)
        column = self.optional["overlaps"]
        known = set(labels)
        out = []
        for i, value in enumerate(self.frame[column]):
            named = tuple(filter(None, (t.strip() for t in re.split(r"[;\n]", value))))
            for other in named:
                if other not in known or other == labels[i]:
                    hint = (
                        "a study cannot overlap itself"
                        if other == labels[i]
                        else (f"studies in the table: {', '.join(sorted(known)[:10])}")
                    )
                    self.problem(
                        "unknown_study",
                        i,
                        column,
                        other,
                        "the label of another study in the table",
                        hint,
                    )
            out.append(named)
        return out


def _count(text: str) -> int | None:
    """A non-negative whole number written as such (12, 12.0); None otherwise."""
    if not re.fullmatch(r"\d+(?:\.0*)?", text):
        return None
    return int(float(text))


def _number(text: str) -> float | None:
    """A finite decimal number (3.9, 0.14, 1e-3); None otherwise."""
    if not re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", text):
        return None
    return float(text)


def _count_hint(text: str) -> str:
    if re.fullmatch(r"-\d+(?:\.\d*)?", text):
        return "a count cannot be negative"
    if re.fullmatch(r"\d*\.\d+", text):
        return "a count of patients is a whole number; was a percentage typed?"
    if text.endswith("%"):
        return "give the number of patients, not the percentage"
    return "write the number of patients alone"
