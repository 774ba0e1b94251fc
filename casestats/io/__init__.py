"""Read and write case series: CSV, XLSX, JSON and pandas DataFrames.

:func:`read_cases` validates and returns a :class:`~casestats.CaseSeries` or
raises :class:`~casestats.CaseSeriesValidationError` listing every problem;
:func:`validate` returns the same report without raising; :func:`write_cases`
writes a case series back without losing anything; :func:`to_phenopackets`
and :func:`write_phenopackets` export it to GA4GH Phenopackets v2.
"""

from __future__ import annotations

from dataclasses import replace

from casestats.exceptions import CaseSeriesValidationError
from casestats.io._phenopackets import PhenopacketExport, to_phenopackets, write_phenopackets
from casestats.io._raw import read_raw
from casestats.io._table import FORMATS, LIMITS, RawTable
from casestats.io._template import write_template
from casestats.io._write import write_cases

__all__ = [
    "FORMATS",
    "LIMITS",
    "PhenopacketExport",
    "RawTable",
    "read_cases",
    "read_raw",
    "to_phenopackets",
    "validate",
    "write_cases",
    "write_phenopackets",
    "write_template",
]


def read_cases(source, *, sources=None):
    """Read and validate a case series.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A ``.csv`` / ``.tsv`` / ``.txt``, ``.xlsx`` (sheet ``Cases``, or the
        first sheet) or ``.json`` file, or a DataFrame with one row per patient.
    sources : str, pathlib.Path or pandas.DataFrame, optional
        The sources table (``source_id``, citation columns). By default the
        ``Sources`` sheet, the JSON ``"sources"`` key, or ``<stem>.sources.csv``
        beside a CSV file.

    Returns
    -------
    CaseSeries

    Raises
    ------
    CaseSeriesValidationError
        When anything is an error; ``err.report`` lists every problem, located.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"case_id": ["007"], "source_id": ["x"], "sex": ["F"]})
    >>> sources = pd.DataFrame({"source_id": ["x"], "kind": ["own_patients"]})
    >>> cases = read_cases(frame, sources=sources)
    >>> cases.data.loc[0, ["case_id", "sex"]].tolist()
    ['007', 'female']
    >>> cases.report.problems.loc[0, ["code", "column", "value", "hint"]].tolist()
    ['normalised', 'sex', 'F', "read as 'female' (synonym)"]
    """
    from casestats.caseseries import CaseSeries
    from casestats.validation import check_table, normalise_id

    raw = read_raw(source, sources=sources)
    report, canonical = check_table(raw)
    if not report.ok:
        raise CaseSeriesValidationError(report)
    table = raw.sources
    if table is not None and "source_id" in table:
        # the same normal form as the cases' source_id (no-break spaces, NFC, invisibles)
        table = table.assign(source_id=table["source_id"].map(normalise_id))
    cases = CaseSeries(canonical, sources=table, report=report)
    # where each row and column stood in the file, for check_publishable (not the cells)
    cases._cells = replace(raw, frame=raw.frame.iloc[:0], sources=None, problems=())
    return cases


def validate(source, *, sources=None):
    """Check a case series and return the report, without raising.

    Parameters
    ----------
    source, sources
        As for :func:`read_cases`.

    Returns
    -------
    ValidationReport
        ``report.ok`` is False when there are errors; ``report.problems`` is a
        tidy DataFrame (severity, code, row, cell, column, case_id, value,
        expected, hint).

    Examples
    --------
    >>> import pandas as pd
    >>> report = validate(pd.DataFrame({"case_id": ["1"], "age_years": ["~87"]}))
    >>> report.problems[["code", "column", "value"]]
               code     column value
    0  missing_column  source_id
    1    not_a_number  age_years   ~87
    >>> report.problems.loc[1, "hint"]
    "write 87, and keep '~87' in notes"

    """
    from casestats.validation import check_table

    try:
        raw = read_raw(source, sources=sources)
    except CaseSeriesValidationError as err:
        return err.report
    return check_table(raw)[0]
