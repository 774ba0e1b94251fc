"""Table 1: who the patients of a case series are, with missing counts.

A publication's first table describes the patients before any analysis:
age, sex, subtype, underlying disease, antibodies, lesions, laboratory
findings, treatment and outcome. Every percentage here is over the patients
whose source reported the field (the denominator is printed), and every row
says how many patients' sources did not report it, because pooled case
reports leave many fields empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from casestats.schema import load_schema

if TYPE_CHECKING:
    from casestats.caseseries import CaseSeries

__all__ = ["TABLE_ONE_COLUMNS", "format_table", "table_one"]

#: Columns of :func:`table_one`, in order.
TABLE_ONE_COLUMNS = ("characteristic", "level", "value", "n_reported", "n_missing")

_LABS = (
    ("Serum calcium", "calcium_status"),
    ("Serum phosphate", "phosphate_status"),
    ("Parathyroid hormone", "pth_status"),
    ("Renal function", "renal_function"),
)


def table_one(cases: CaseSeries, *, top: int = 8) -> pd.DataFrame:
    """Describe the patients of a case series as a publication "Table 1".

    Parameters
    ----------
    cases : CaseSeries
    top : int
        Underlying conditions and treatments are many; only the `top` most
        frequent are listed (ties broken alphabetically).

    Returns
    -------
    pandas.DataFrame
        Columns ``characteristic, level, value, n_reported, n_missing``;
        one row per characteristic and level. ``value`` is text as a paper
        prints it: ``"45 (20–59)"`` for a median (IQR), ``"29/42 (69%)"``
        for a count over the patients whose source reported the field.
        ``n_reported`` is that denominator, ``n_missing`` the patients whose
        source did not report it.

    Notes
    -----
    Ages written ``90+`` count as 90 in the median (so the median is then a
    lower bound); the ``aged 90+`` row says how many there are. Multi-valued
    fields (conditions, antibodies, sites, treatments) count patients, not
    mentions, so their shares do not sum to 100%.

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> table = table_one(cases)
    >>> table.loc[table["characteristic"] == "Sex", ["level", "value", "n_missing"]]
        level        value  n_missing
    5  female  39/66 (59%)         13
    6    male  27/66 (41%)         13
    """
    n = len(cases)
    missing = [f for f in _FIELDS if f not in cases.data.columns]
    if missing:
        # a spreadsheet without a column reports that field for nobody
        cases = _with_empty_columns(cases, missing)
    rows = [{"characteristic": "Patients", "level": "", "value": str(n), "n_reported": n}]
    rows += _age_rows(cases)
    rows += _term_rows(cases, "Sex", "sex")
    rows += _term_rows(cases, "Subtype", "subtype")
    rows += _term_rows(cases, "Subtype basis", "subtype_basis")
    rows += _term_rows(cases, "Systemic sclerosis subset", "ssc_subset")
    rows += _list_rows(cases, "Underlying conditions", "conditions", cases.conditions(), top=top)
    rows += _antibody_rows(cases)
    rows += _site_rows(cases)
    for label, field in _LABS:
        rows += _term_rows(cases, label, field)
    rows += _list_rows(cases, "Treatments", "treatments", cases.treatments(), top=top)
    rows += _term_rows(cases, "Outcome", "outcome")
    table = pd.DataFrame(rows, columns=list(TABLE_ONE_COLUMNS))
    table["n_reported"] = table["n_reported"].astype(int)
    table["n_missing"] = n - table["n_reported"]
    return table


_FIELDS = (
    "age_years",
    "sex",
    "subtype",
    "subtype_basis",
    "ssc_subset",
    "conditions",
    "autoantibodies",
    "sites",
    *(field for _, field in _LABS),
    "treatments",
    "outcome",
)


def _with_empty_columns(cases: CaseSeries, fields: list[str]) -> CaseSeries:
    from casestats.caseseries import CaseSeries

    data = cases.data.assign(**{field: "" for field in fields})
    return CaseSeries(data, sources=cases.sources, report=cases.report, metadata=cases.metadata)


def format_table(table: pd.DataFrame) -> str:
    """Table 1 as aligned plain text for a terminal.

    Each characteristic is printed once, its levels indented below it, with
    the number of patients whose source did not report it.

    Examples
    --------
    >>> import casestats
    >>> text = format_table(table_one(casestats.load_dataset("calcinosis_case_reports")))
    >>> text.splitlines()[0].split()
    ['Characteristic', 'Value', 'Not', 'reported']
    """
    lines = []
    previous = None
    for row in table.itertuples(index=False):
        if row.characteristic != previous:
            missing = str(row.n_missing) if row.n_missing else ""
            if row.level:
                lines.append((row.characteristic, "", missing))
                lines.append(("  " + row.level, row.value, ""))
            else:
                lines.append((row.characteristic, row.value, missing))
            previous = row.characteristic
        else:
            lines.append(("  " + row.level, row.value, ""))
    header = ("Characteristic", "Value", "Not reported")
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(3)]
    out = []
    for first, second, third in [header, *lines]:
        out.append(f"{first:<{widths[0]}}  {second:>{widths[1]}}  {third:>{widths[2]}}".rstrip())
    out.insert(1, "-" * len(out[0]))
    return "\n".join(out)


# -- formatting ---------------------------------------------------------------


def _number(x: float) -> str:
    """Ages of infants need decimals (0.04 years); adults do not."""
    if abs(x) >= 10 or float(x).is_integer():
        return f"{x:.0f}"
    return f"{x:.2g}"


def _share(events: int, total: int) -> str:
    return f"{events}/{total} ({events / total:.0%})" if total else "not reported"


def _median_iqr(values: np.ndarray) -> str:
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return f"{_number(median)} ({_number(q1)}–{_number(q3)})"


def _row(characteristic: str, level: str, value: str, n_reported: int) -> dict:
    return {
        "characteristic": characteristic,
        "level": level,
        "value": value,
        "n_reported": n_reported,
    }


# -- sections -----------------------------------------------------------------


def _age_rows(cases: CaseSeries) -> list[dict]:
    text = cases.data["age_years"][cases.reported("age_years")]
    ages = pd.to_numeric(text.replace("90+", "90")).to_numpy(dtype=float)
    name, n = "Age, years", len(ages)
    if n == 0:
        return [_row(name, "", "not reported", 0)]
    return [
        _row(name, "median (IQR)", _median_iqr(ages), n),
        _row(name, "range", f"{_number(ages.min())}–{_number(ages.max())}", n),
        _row(name, "under 18", _share(int((ages < 18).sum()), n), n),
        _row(name, "aged 90+", _share(int((text == "90+").sum()), n), n),
    ]


def _term_rows(cases: CaseSeries, name: str, field: str) -> list[dict]:
    schema = load_schema()
    vocabulary = schema.fields[field].vocabulary
    values = cases.data[field][cases.reported(field)]
    n = len(values)
    if n == 0:
        return [_row(name, "", "not reported", 0)]
    counts = values.value_counts()
    # vocabulary order (as a paper would list them), then anything else seen
    order = [t for t in schema.terms(vocabulary) if t in counts.index]
    order += sorted(set(counts.index) - set(order))
    return [
        _row(name, schema.label(vocabulary, term), _share(int(counts[term]), n), n)
        for term in order
    ]


def _list_rows(cases, name: str, field: str, long: pd.DataFrame, *, top: int) -> list[dict]:
    schema = load_schema()
    vocabulary = schema.fields[field].vocabulary
    n = int(cases.reported(field).sum())
    if n == 0:
        return [_row(name, "", "not reported", 0)]
    column = long.columns[1]
    patients = long.drop_duplicates(["case_id", column])[column].value_counts()
    ranked = sorted(patients.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [_row(name, schema.label(vocabulary, term), _share(int(k), n), n) for term, k in ranked]


def _antibody_rows(cases: CaseSeries) -> list[dict]:
    """Positive over tested, per antibody: each antibody has its own denominator."""
    schema = load_schema()
    name = "Autoantibodies (positive/tested)"
    long = cases.autoantibodies().drop_duplicates(["case_id", "antibody", "result"])
    n_tested = int(cases.reported("autoantibodies").sum())
    if n_tested == 0:
        return [_row(name, "", "not reported", 0)]
    # the tested patients are this characteristic's denominator: the rest were never tested
    rows = [_row(name, "patients tested", str(n_tested), n_tested)]
    for antibody in sorted(long["antibody"].unique()):
        these = long[long["antibody"] == antibody]
        tested = these["case_id"].nunique()
        positive = these.loc[these["result"] == "positive", "case_id"].nunique()
        label = schema.label("autoantibody", antibody)
        rows.append(_row(name, label, _share(positive, tested), tested))
    return rows


def _site_rows(cases: CaseSeries) -> list[dict]:
    name = "Lesion sites per patient"
    per_patient = cases.sites().groupby("case_id")["site"].nunique().to_numpy(dtype=float)
    n = len(per_patient)
    if n == 0:
        return [_row(name, "", "not reported", 0)]
    return [
        _row(name, "median (IQR)", _median_iqr(per_patient), n),
        _row(name, "range", f"{per_patient.min():.0f}–{per_patient.max():.0f}", n),
        _row(name, "more than one site", _share(int((per_patient > 1).sum()), n), n),
    ]
