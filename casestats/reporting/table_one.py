"""Table 1: who the patients of a case series are, by group, with tests.

A publication's first table describes the patients before any analysis. Pooled
case reports leave many fields empty, so every percentage here is over the
patients whose source reported the field, and the patients whose source did
not are a row of their own ("not reported"), never part of a percentage.
Multi-valued fields (conditions, sites, treatments) count patients, one row
per term; terms beyond ``top`` are gathered into an explicit "other" row, so
no patient and no term disappears.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.schema import load_schema

if TYPE_CHECKING:
    from casestats.caseseries import CaseSeries

__all__ = ["MIN_GROUP_SIZE", "TableOne", "table_one"]

#: The fields of the default Table 1, in order.
DEFAULT_VARIABLES = (
    "age_years", "sex", "subtype", "subtype_basis", "ssc_subset", "conditions",
    "autoantibodies", "sites", "calcium_status", "phosphate_status", "pth_status",
    "renal_function", "treatments", "outcome",
)  # fmt: skip

_VARIABLE_LABELS = {
    "age_years": "Age, years",
    "sex": "Sex",
    "subtype": "Subtype",
    "subtype_basis": "Subtype basis",
    "ssc_subset": "Systemic sclerosis subset",
    "conditions": "Underlying conditions",
    "autoantibodies": "Autoantibodies, positive/tested",
    "sites": "Lesion region",
    "calcium_status": "Serum calcium",
    "phosphate_status": "Serum phosphate",
    "pth_status": "Parathyroid hormone",
    "renal_function": "Renal function",
    "treatments": "Treatments",
    "outcome": "Outcome",
    "largest_size_mm": "Largest lesion, mm",
}

#: A group with fewer patients reporting a field than this gets a caution, not a p-value.
MIN_GROUP_SIZE = 5

_STATISTICS = ("median_iqr", "mean_sd")
_MISSING = ("ifany", "always", "no")
_MULTI_KINDS = ("term_list", "site_list")
_NOT_REPORTED = "not reported"

#: Footnote text of each test token.
TEST_NAMES = {
    "chi2": "Pearson's chi-square test without continuity correction",
    "fisher": "Fisher's exact test (Freeman-Halton for more than two columns)",
    "monte-carlo": "Fisher's exact test with a Monte Carlo p-value",
    "wilcoxon": "Wilcoxon rank-sum test (normal approximation, corrected for ties and "
    "with continuity correction)",
    "kruskal": "Kruskal-Wallis test (corrected for ties)",
}

_EXTRA = (
    "variable", "label", "level_label", "kind", "value", "q1", "q3", "sd", "test", "note",
)  # fmt: skip


@dataclass(frozen=True, eq=False, repr=False)
class TableOne(Result):
    """A Table 1: patients described per group, with optional tests.

    Attributes
    ----------
    rows : pandas.DataFrame
        The tidy table (what :meth:`to_frame` returns).
    by : str or None
        The grouping field.
    groups : tuple of (str, int)
        The columns of the table in order, each with its number of patients.
    footnotes : tuple of str
        Denominators, tests, corrections and cautions, as printed under the table.
    n : int
        Patients in the series.
    confidence_level : float
        Level of the Wilson intervals of the n (%) rows.
    """

    rows: pd.DataFrame
    by: str | None
    groups: tuple[tuple[str, int], ...]
    footnotes: tuple[str, ...]
    n: int
    confidence_level: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """One row per variable, level and group; p-values on the rows they test."""
        return self.rows.copy()

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Wilson intervals of every n (%) row (NaN for numbers), in to_frame order."""
        from casestats.stats.intervals import proportion_interval

        frame = self.rows
        index = frame["variable"] + ":" + frame["level"].astype(str) + ":" + frame["group"]
        if confidence_level is None:
            low, high = frame["ci_low"], frame["ci_high"]
        else:
            low, high = _wilson(frame, confidence_level, proportion_interval)
        return ConfidenceInterval(
            pd.Series(np.asarray(low, dtype=float), index=index),
            pd.Series(np.asarray(high, dtype=float), index=index),
        )

    def _repr_fields(self) -> dict:
        return {"by": self.by or "", "n": self.n, "columns": len(self.groups)}

    def _summary_lines(self) -> list[str]:
        from casestats.reporting.render import text_table

        return [text_table(self.to_table()), "", *self.footnotes]

    def to_table(self) -> pd.DataFrame:
        """The table as a reader sees it: one text column per group, levels indented."""
        return self._shown.copy()

    @functools.cached_property
    def _shown(self) -> pd.DataFrame:
        # laid out once: the report writes it as HTML and as Markdown
        from casestats.reporting.table_one_export import display_table

        return display_table(self)

    def to_markdown(self) -> str:
        """The table and its footnotes as Markdown."""
        from casestats.reporting.render import markdown_table

        notes = "\n".join(f"{i}. {note}" for i, note in enumerate(self.footnotes, start=1))
        return markdown_table(self.to_table()) + "\n\n" + notes + "\n"

    def to_html(self, caption: str = "Table 1. Patient characteristics") -> str:
        """The table as a styled HTML fragment (``<table>`` with caption and footnotes)."""
        from casestats.reporting.table_one_export import html_table

        return html_table(self, caption)

    def to_docx(self, path) -> None:
        """Write the table, its caption and footnotes to a Word document (.docx)."""
        from casestats.reporting.table_one_export import write_docx

        write_docx(self, path)

    def to_csv(self, path) -> None:
        """Write the reader's table (:meth:`to_table`) as CSV."""
        self.to_table().to_csv(path, index=False, lineterminator="\n")

    def to_excel(self, path) -> None:
        """Write the reader's table and, on a second sheet, the footnotes."""
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            self.to_table().to_excel(writer, sheet_name="Table 1", index=False)
            notes = pd.DataFrame({"footnote": list(self.footnotes)})
            notes.to_excel(writer, sheet_name="Footnotes", index=False)

    def save(self, path) -> None:
        """Write the table in the format its suffix names (.html .docx .md .csv .xlsx)."""
        from pathlib import Path

        path = Path(path)
        writers = {".html": None, ".docx": self.to_docx, ".md": None, ".csv": self.to_csv}
        writers[".xlsx"] = self.to_excel
        suffix = path.suffix.lower()
        if suffix not in writers:
            raise ValueError(
                f"cannot save Table 1 as {path.name!r}: the suffix must be one of {sorted(writers)}"
            )
        if suffix == ".html":
            path.write_text(self.to_html(), encoding="utf-8")
        elif suffix == ".md":
            path.write_text(self.to_markdown(), encoding="utf-8")
        else:
            writers[suffix](path)


def _wilson(frame: pd.DataFrame, level: float, interval) -> tuple[np.ndarray, np.ndarray]:
    shares = frame["kind"].isin(["category", "multi", "antibody"]) & (frame["total"].fillna(0) > 0)
    shares &= frame["events"].notna() & (frame["level"] != "not_reported")
    low = np.full(len(frame), np.nan)
    high = np.full(len(frame), np.nan)
    if shares.any():
        lo, hi = interval(
            frame.loc[shares, "events"].to_numpy(dtype=float),
            frame.loc[shares, "total"].to_numpy(dtype=float),
            method="wilson",
            confidence_level=level,
        )
        low[shares.to_numpy()], high[shares.to_numpy()] = lo, hi
    return low, high


def table_one(
    cases: CaseSeries,
    *,
    by: str | None = None,
    variables: Sequence[str] | None = None,
    statistic: str | Mapping[str, str] = "median_iqr",
    overall: bool = True,
    tests: bool = False,
    missing: str = "ifany",
    labels: Mapping[str, str] | None = None,
    top: int | None = None,
) -> TableOne:
    """Describe the patients of a case series as a publication's Table 1.

    Parameters
    ----------
    cases : CaseSeries
    by : str, optional
        A single-valued field (``"subtype"``, ``"sex"``, or a column of your own)
        whose values become the table's columns. Patients who do not report it
        appear in the overall column only.
    variables : sequence of str, optional
        Fields to describe, in order; the schema's clinical fields by default.
        Your own columns are numbers when every reported value is a number,
        categories otherwise.
    statistic : {"median_iqr", "mean_sd"} or mapping of field to one of them
        Summary of numeric fields: median (interquartile range) or mean (SD).
    overall : bool
        Add a column of all patients (always there when `by` is None).
    tests : bool
        Add a p-value per variable (per term for multi-valued fields): Pearson's
        chi-square when every expected count is at least 5, else Fisher's exact
        test; Wilcoxon rank-sum for numbers in two groups, Kruskal-Wallis for more.
        A group with fewer than :data:`MIN_GROUP_SIZE` patients reporting the
        field gets a caution instead of a p-value.
    missing : {"ifany", "always", "no"}
        When to show the "not reported" row of a field.
    labels : mapping of str to str, optional
        Display text for fields or terms (``{"systemic_sclerosis": "SSc"}``);
        the schema's labels otherwise.
    top : int, optional
        Show only the `top` most frequent terms of each multi-valued field; the
        rest become one "other (k terms)" row counting the patients who have any.

    Returns
    -------
    TableOne

    Raises
    ------
    ValueError
        For an unknown field, a multi-valued `by`, or an unknown option; the
        message lists what is allowed.

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> table = table_one(cases, by="subtype", variables=["sex"], tests=True)
    >>> table.to_table().iloc[:3, :3]
      Characteristic Overall (N = 220) dystrophic (N = 68)
    0            Sex
    1         female         116 (58%)            56 (85%)
    2           male          84 (42%)            10 (15%)
    """
    labels = dict(labels or {})
    variables = _check(cases, by, variables, statistic, missing, top)
    columns = _columns(cases, by, overall, labels)
    stats = {v: statistic.get(v, "median_iqr") if isinstance(statistic, Mapping) else statistic
             for v in variables}  # fmt: skip
    rows = []
    for variable in variables:
        kind = _kind(cases, variable)
        build = _BUILDERS[kind]
        new = build(cases, variable, columns, labels, stats[variable], top)
        new = _with_missing_row(cases, variable, kind, columns, new, missing, labels)
        if tests and by is not None:
            new = _tested(cases, variable, kind, columns, new)
        rows += new
    frame = tidy_frame(rows, extra=_EXTRA)
    low, high = _wilson_default(frame)
    frame["ci_low"], frame["ci_high"] = low, high
    frame.loc[frame["ci_low"].notna(), "confidence_level"] = 0.95
    frame["confidence_level"] = frame["confidence_level"].astype(float)
    from casestats.reporting.table_one_export import footnotes

    return TableOne(
        rows=frame,
        by=by,
        groups=tuple((name, int(mask.sum())) for name, _, mask in columns),
        footnotes=footnotes(frame, cases, by, tests, top),
        n=len(cases),
    )


def _wilson_default(frame):
    from casestats.stats.intervals import proportion_interval

    return _wilson(frame, 0.95, proportion_interval)


# -- checks -------------------------------------------------------------------


def _check(cases, by, variables, statistic, missing, top) -> list[str]:
    fields = load_schema().fields
    if missing not in _MISSING:
        raise ValueError(f"missing must be one of {list(_MISSING)}, got {missing!r}")
    chosen = dict(statistic) if isinstance(statistic, Mapping) else {"": statistic}
    bad = {k: v for k, v in chosen.items() if v not in _STATISTICS}
    if bad:
        raise ValueError(f"statistic must be one of {list(_STATISTICS)}, got {bad}")
    if top is not None and (not isinstance(top, int) or top < 1):
        raise ValueError(f"top must be a positive integer or None, got {top!r}")
    columns = list(cases.data.columns)
    if by is not None:
        if by not in columns:
            raise ValueError(f"by={by!r} is not a column of the cases; columns: {columns}")
        kind = fields[by].kind if by in fields else "term"
        if kind in (*_MULTI_KINDS, "antibody_list", "identifier", "text", "age", "number"):
            raise ValueError(
                f"by={by!r} must be a single-valued category (a field of kind 'term' or a column "
                f"of your own); {by!r} is of kind {kind!r}"
            )
    if variables is None:
        variables = [v for v in DEFAULT_VARIABLES if v in columns and v != by]
    unknown = [v for v in variables if v not in columns]
    if unknown:
        raise ValueError(f"unknown variables {unknown}; columns of the cases: {columns}")
    return list(variables)


def _kind(cases, variable: str) -> str:
    field = load_schema().fields.get(variable)
    if field is None:
        values = cases.data[variable][cases.reported(variable)]
        numeric = pd.to_numeric(values, errors="coerce")
        return "number" if len(values) and numeric.notna().all() else "category"
    return {
        "age": "number", "number": "number", "term": "category", "term_list": "multi",
        "site_list": "multi", "antibody_list": "antibody",
    }.get(field.kind, "category")  # fmt: skip


def _term_label(vocabulary: str, term: str, labels: Mapping[str, str]) -> str:
    if term in labels:
        return labels[term]
    return load_schema().label(vocabulary, term) if vocabulary else term


def _vocabulary(variable: str) -> str:
    field = load_schema().fields.get(variable)
    return field.vocabulary if field is not None else ""


def _columns(cases, by, overall, labels) -> list[tuple[str, str, np.ndarray]]:
    """The table's columns: (display name, raw group value, patient mask)."""
    n = len(cases)
    columns = []
    if overall or by is None:
        columns.append(("Overall", "overall", np.ones(n, dtype=bool)))
    if by is None:
        return columns
    values = cases.data[by].to_numpy(dtype=object)
    reported = cases.reported(by).to_numpy(dtype=bool)
    seen = set(values[reported])
    vocabulary = _vocabulary(by)
    order = [t for t in load_schema().terms(vocabulary) if t in seen] if vocabulary else []
    order += sorted(seen - set(order))
    for term in order:
        columns.append((_term_label(vocabulary, term, labels), term, reported & (values == term)))
    return columns


# -- rows ---------------------------------------------------------------------


def _row(variable, labels, kind, level, level_label, group, **values) -> dict:
    return {
        "variable": variable,
        "label": labels.get(variable, _VARIABLE_LABELS.get(variable, variable.replace("_", " "))),
        "kind": kind,
        "level": level,
        "level_label": level_label,
        "group": group,
        **values,
    }


def _percent(events: int, total: int) -> str:
    return f"{100 * events / total:.0f}%" if total else "–"


def _number(x: float) -> str:
    """Ages of infants need decimals (0.04 years); adults do not."""
    if abs(x) >= 10 or float(x).is_integer():
        return f"{x:.0f}"
    return f"{x:.2g}"


def _numbers(cases, variable: str) -> np.ndarray:
    values = cases.data[variable].where(cases.reported(variable), "")
    return pd.to_numeric(values.replace("90+", "90"), errors="coerce").to_numpy(dtype=float)


def _number_rows(cases, variable, columns, labels, statistic, top) -> list[dict]:
    values = _numbers(cases, variable)
    rows = []
    name = "median (IQR)" if statistic == "median_iqr" else "mean (SD)"
    for group, _, mask in columns:
        x = values[mask & ~np.isnan(values)]
        row = _row(variable, labels, "number", statistic, name, group, total=len(x))
        if len(x) == 0:
            row.update(value="–")
        elif statistic == "median_iqr":
            q1, median, q3 = np.percentile(x, [25, 50, 75])
            value = f"{_number(median)} ({_number(q1)}–{_number(q3)})"
            row.update(estimate=median, q1=q1, q3=q3, value=value)
        else:
            sd = float(np.std(x, ddof=1)) if len(x) > 1 else np.nan
            value = f"{_number(x.mean())} ({'–' if np.isnan(sd) else _number(sd)})"
            row.update(estimate=float(x.mean()), sd=sd, value=value)
        rows.append(row)
    return rows


def _category_rows(cases, variable, columns, labels, statistic, top) -> list[dict]:
    reported = cases.reported(variable).to_numpy(dtype=bool)
    values = cases.data[variable].to_numpy(dtype=object)
    seen = set(values[reported])
    vocabulary = _vocabulary(variable)
    order = [t for t in load_schema().terms(vocabulary) if t in seen] if vocabulary else []
    order += sorted(seen - set(order))
    rows = []
    for term in order:
        label = _term_label(vocabulary, term, labels)
        for group, _, mask in columns:
            total = int((mask & reported).sum())
            k = int((mask & reported & (values == term)).sum())
            value = f"{k} ({_percent(k, total)})" if total else "–"
            share = k / total if total else np.nan
            rows.append(_row(variable, labels, "category", term, label, group,
                             events=k, total=total, estimate=share, value=value))  # fmt: skip
    return rows


def _long_terms(cases, variable: str) -> pd.DataFrame:
    """case_id, term: one row per patient and term (sites at the region rank)."""
    if variable == "sites":
        sites = cases.sites()
        region = load_schema().rollup_map("region")
        return pd.DataFrame({"case_id": sites["case_id"], "term": sites["site"].map(region)})
    long = cases._long(variable)
    return long.rename(columns={"value": "term"})


def _multi_rows(cases, variable, columns, labels, statistic, top) -> list[dict]:
    long = _long_terms(cases, variable).drop_duplicates()
    ids = cases.data["case_id"].to_numpy(dtype=object)
    reported = cases.reported(variable).to_numpy(dtype=bool)
    counts = long["term"].value_counts()
    ranked = sorted(counts.index, key=lambda t: (-counts[t], t))
    shown = ranked if top is None else ranked[:top]
    rest = ranked[len(shown) :]
    vocabulary = _vocabulary(variable)
    units = [(t, _term_label(vocabulary, t, labels), {t}) for t in shown]
    if rest:
        k_patients = long.loc[long["term"].isin(rest), "case_id"].nunique()
        label = f"other ({len(rest)} terms, {k_patients} patients)"
        units.append(("other", label, set(rest)))
    rows = []
    for term, label, members in units:
        having = np.isin(ids, long.loc[long["term"].isin(members), "case_id"].to_numpy())
        for group, _, mask in columns:
            total = int((mask & reported).sum())
            k = int((mask & having).sum())
            share = k / total if total else np.nan
            value = f"{k} ({_percent(k, total)})" if total else "–"
            note = ", ".join(sorted(members)) if term == "other" else None
            rows.append(_row(variable, labels, "multi", term, label, group, events=k,
                             total=total, estimate=share, value=value, note=note))  # fmt: skip
    return rows


def _antibody_rows(cases, variable, columns, labels, statistic, top) -> list[dict]:
    """Positive over tested, per antibody: each antibody has its own denominator."""
    long = cases.autoantibodies().drop_duplicates(["case_id", "antibody", "result"])
    ids = cases.data["case_id"].to_numpy(dtype=object)
    rows = []
    for antibody in sorted(long["antibody"].unique()):
        these = long[long["antibody"] == antibody]
        tested = np.isin(ids, these["case_id"].to_numpy())
        positive = np.isin(ids, these.loc[these["result"] == "positive", "case_id"].to_numpy())
        label = _term_label("autoantibody", antibody, labels)
        for group, _, mask in columns:
            total, k = int((mask & tested).sum()), int((mask & positive).sum())
            value = f"{k}/{total} ({_percent(k, total)})" if total else "–"
            share = k / total if total else np.nan
            rows.append(_row(variable, labels, "antibody", antibody, label, group,
                             events=k, total=total, estimate=share, value=value))  # fmt: skip
    return rows


_BUILDERS = {
    "number": _number_rows,
    "category": _category_rows,
    "multi": _multi_rows,
    "antibody": _antibody_rows,
}


def _with_missing_row(cases, variable, kind, columns, rows, missing, labels) -> list[dict]:
    """The "not reported" row: counts only, never a percentage."""
    unreported = ~cases.reported(variable).to_numpy(dtype=bool)
    if missing == "no" or (missing == "ifany" and not unreported.any()):
        return rows
    for group, _, mask in columns:
        k = int((mask & unreported).sum())
        rows.append(_row(variable, labels, kind, "not_reported", _NOT_REPORTED, group,
                         events=k, total=int(mask.sum()), value=str(k)))  # fmt: skip
    return rows


# -- tests --------------------------------------------------------------------


def _tested(cases, variable, kind, columns, rows) -> list[dict]:
    """Add the test of each tested unit (the variable, or each term) to its rows."""
    groups = [(g, mask) for g, raw, mask in columns if raw != "overall"]
    if kind == "number":
        values = _numbers(cases, variable)
        samples = [values[mask & ~np.isnan(values)] for _, mask in groups]
        return _apply(rows, None, _test_numbers(samples))
    frame = pd.DataFrame(rows)
    tested = frame[(frame["level"] != "not_reported") & frame["group"].isin([g for g, _ in groups])]
    if kind == "category":
        table = tested.pivot_table(index="group", columns="level", values="events",
                                   aggfunc="sum", sort=False)  # fmt: skip
        return _apply(rows, None, _test_counts(table.to_numpy(dtype=int)))
    for level, part in tested.groupby("level", sort=False):
        events = part["events"].to_numpy(dtype=int)
        table = np.column_stack([events, part["total"].to_numpy(dtype=int) - events])
        rows = _apply(rows, level, _test_counts(table))
    return rows


def _apply(rows, level, outcome: dict) -> list[dict]:
    for row in rows:
        if row["level"] != "not_reported" and (level is None or row["level"] == level):
            row.update(outcome)
    return rows


def _caution(sizes) -> dict | None:
    present = [s for s in sizes if s > 0]
    if len(present) < 2:
        return {"note": "not tested: fewer than two groups report it"}
    if min(present) < MIN_GROUP_SIZE:
        return {
            "note": f"not tested: a group has fewer than {MIN_GROUP_SIZE} patients reporting it"
        }
    return None


def _test_numbers(samples: list[np.ndarray]) -> dict:
    from scipy import stats

    caution = _caution([len(s) for s in samples])
    if caution:
        return caution
    samples = [s for s in samples if len(s)]
    if len(samples) == 2:
        res = stats.mannwhitneyu(*samples, use_continuity=True, alternative="two-sided",
                                 method="asymptotic")  # fmt: skip
        return {"test": "wilcoxon", "method": "wilcoxon", "statistic": float(res.statistic),
                "pvalue": float(res.pvalue)}  # fmt: skip
    if np.ptp(np.concatenate(samples)) == 0:
        return {"note": "not tested: every value is the same"}
    res = stats.kruskal(*samples)
    return {"test": "kruskal", "method": "kruskal", "statistic": float(res.statistic),
            "pvalue": float(res.pvalue)}  # fmt: skip


def _test_counts(table: np.ndarray) -> dict:
    """Chi-square when every expected count is >= 5, else Fisher (exact or Monte Carlo)."""
    from casestats.stats.contingency import contingency_test

    table = np.asarray(table, dtype=int)
    caution = _caution(table.sum(axis=1))
    if caution:
        return caution
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return {"note": "not tested: every patient has the same value"}
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    method = "chi2" if expected.min() >= 5 else "fisher"
    try:
        res = contingency_test(table, method=method)
    except ValueError:  # too many tables to enumerate exactly
        res = contingency_test(table, method="monte-carlo")
    statistic = getattr(res, "statistic", None)
    return {"test": res.method, "method": res.method, "pvalue": float(res.pvalue),
            "statistic": float(statistic) if statistic is not None else np.nan}  # fmt: skip
