"""Check that a case dataset can be shared: nothing that identifies a patient.

:func:`check_publishable` scans the text of a case series (or any DataFrame)
for what de-identification rules such as HIPAA's Safe Harbor and the UK's
anonymisation guidance remove before data leave the clinic: names, initials
next to dates, dates finer than the year, ages over 89, places below the
country, record numbers and contact details. It reads every column, and the
sources table, running its rules once per distinct value of a column behind
cheap tests that let most values skip most rules, so a registry-sized table
takes seconds. The rules live in ``casestats/_privacy_rules.py``, the word
lists that tell a name from an eponym or a country in
``casestats/_privacy_words.py``.

The patterns are heuristics tuned to miss little while leaving the prose of
published case reports alone (``"diagnosed 1994"``, ``"5-6 years"``,
``"ANA 1:1280"`` pass). A flag is a prompt to look, not proof; an empty report
is not a guarantee either.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from casestats._privacy_rules import (
    DATED,
    GATES,
    INITIALS,
    RULES,
    Known,
    _base_words,
    prepare,
)
from casestats.io._table import cell_address, column_letter
from casestats.problems import Problem, ValidationReport

__all__ = ["PRIVACY_CODES", "check_publishable"]

#: Problem codes of :func:`check_publishable`, with what each one flags.
PRIVACY_CODES: dict[str, str] = {
    "possible_name": "a person's name, a name column, or initials next to a date",
    "full_date": "a date more precise than the year",
    "age_over_89": "an age over 89 not recoded as 90+",
    "fine_location": "a place below country level (address, city, postcode, ward)",
    "record_number": "a medical record, NHS or hospital number",
    "contact_details": "an e-mail address or telephone number",
}

# Columns whose every filled cell identifies someone, by normalised name.
_COLUMNS = {
    "possible_name": (
        r"(?:patient_?|first_?|last_?|full_?|sur|family_?|given_?|)names?|initials|patient",
    ),
    "fine_location": (
        r"(?:home_?|street_?|postal_?|)address|city|town|village|street|post_?code|zip(?:_?code)?"
        r"|hospital|hospital_?ward|ward|clinic|county|district|municipality|residence",
    ),
    "record_number": (
        r"mrn|nhs(?:_?(?:no|number))?|(?:hospital|record|medical_?record|chart|patient)"
        r"_?(?:no|number|num|id)|chi(?:_?number)?",
    ),
    "contact_details": (r"e_?mail|phone|telephone|tel|mobile|fax|contact",),
    "full_date": (r"(?:date_?of_?birth|dob|birth_?date|admission_?date|visit_?date|date)",),
}
_COLUMN_RES = {code: re.compile(rf"(?:{'|'.join(p)})") for code, p in _COLUMNS.items()}


def check_publishable(cases) -> ValidationReport:
    """Flag what should not be in a shared case dataset.

    Parameters
    ----------
    cases : CaseSeries, CohortTable or pandas.DataFrame
        Every column is scanned, ``case_id`` included, and so is the sources
        table (``.sources``, or a DataFrame's ``attrs["sources"]``). A
        :class:`~casestats.CohortTable` holds counts, not patients, and is
        checked as a table of counts. ``age_years`` and every column named
        like ``age`` (``age_at_onset``) are also read as numbers.

    Returns
    -------
    ValidationReport
        One error per cell and kind of finding, codes in
        :data:`PRIVACY_CODES`: ``possible_name``, ``full_date``,
        ``age_over_89``, ``fine_location``, ``record_number``,
        ``contact_details``. ``value`` is the text that matched. For cases
        read from a file by :func:`~casestats.read_cases`, findings are
        located as :func:`~casestats.validate` locates problems: ``row`` is
        the spreadsheet row (header = row 1) of a CSV or XLSX file or the
        record number of a JSON file, ``cell`` the address (``Cases!D2``,
        ``D2`` in a CSV), ``column`` the header as typed, and sources
        findings of a spreadsheet are at ``Sources!B3``. Otherwise ``row``
        counts records from 1 and sources findings have ``cell``
        ``"sources row N"``. ``.ok`` is False when anything was found.

    Notes
    -----
    Names are found by titles (``Dr. Müller``), ``patient J.S.``, initials in
    a cell that also holds a date, a word after a relative or a cue
    (``mother Fatima``, ``named``, ``seen by``), names inside a ``case_id``
    (``JohnSmith_1941``), columns named like ``name`` or ``initials``, and
    in case-level tables two or more capitalised words in a row of which no
    two are known, or one frequent given name. *Known* words are eponyms
    (Raynaud, Sjögren), countries and nationalities, months, the words of
    the schema's tables and common English words, plus every word that the
    same column also writes in lower case; a name followed by initials, et
    al. or a year is read as a citation. Dates finer than the year are ISO,
    day/month/year, compact (``19410312``), spelled-out in English, French,
    German and Spanish (``12-Mar-1941``, ``Jan 3rd 2020``, ``3 March``); a
    month and year passes (``Jan 2003``, often a study period) except after
    ``born``. Ages over 89 are read in ``age_years`` and in prose (``a
    101-year-old``, ``aged 93``), in any script's digits. Places are
    postcodes (UK, US, and before a town: ``10117 Berlin``), wards, street
    addresses in English, French, German, Dutch, Spanish and Italian, and in
    case-level tables named hospitals and towns after ``lives in`` and the
    like. Record numbers need a label (``MRN``, ``SSN``, ``hospital ID``) or
    the NHS or US social security layout. Contact details are e-mail
    addresses (also ``jdoe at example dot com``) and telephone numbers.

    DOIs, links and PMIDs are blanked before the search. Tables of published
    counts (``attrs["metadata"]["kind"]`` other than ``"cases"``) and sources
    tables name authors, institutions and study towns by design: there the
    untitled-name, hospital and town rules are not applied, and the
    ``pmid`` and ``pmcid`` columns of a sources table are not read.

    Examples
    --------
    >>> import casestats, pandas as pd
    >>> check_publishable(casestats.load_dataset("calcinosis_case_reports")).ok
    True
    >>> frame = pd.DataFrame({"case_id": ["1", "2"], "age_years": ["93", "90+"],
    ...                       "notes": ["seen by Dr. Jones on 12/03/2019", "MRN 0044721"]})
    >>> report = check_publishable(frame)
    >>> report.problems[["code", "row", "column", "value"]]
                code  row     column       value
    0  age_over_89    1  age_years          93
    1    full_date    1      notes  12/03/2019
    2  possible_name    1      notes   Dr. Jones
    3  record_number    2      notes  MRN 0044721
    """
    frame, sources, case_level, source, cells = _tables(cases)
    if cells is not None and len(cells.headers) != frame.shape[1]:
        cells = None  # columns added after reading: no longer the file's
    authors = _authors(sources)
    problems = _check_table(frame, _CaseCells(frame, cells), case_level=case_level,
                            authors=authors)  # fmt: skip
    if sources is not None:
        where = _SourceCells(sources, spreadsheet=cells is not None and any(cells.column_letters))
        problems += _check_table(sources, where, case_level=False, sources=True, authors=authors)
    return ValidationReport(
        tuple(problems), source=source if cells is None else cells.source, n_rows=len(frame)
    )


class _CaseCells:
    """Where row ``i``, column ``j`` of the cases is: ``(row, cell, column)`` as validate says.

    With the file's cells (a :class:`~casestats.io.RawTable` kept by ``read_cases``): the
    spreadsheet row or record number, ``Cases!D2`` or ``D2``, and the header as typed.
    Otherwise the record number from 1 and the column name.
    """

    def __init__(self, frame: pd.DataFrame, cells) -> None:
        self.columns = [str(c) for c in frame.columns]
        self.cells = cells

    def __call__(self, i: int, j: int) -> tuple[int, str, str]:
        if self.cells is None:
            return i + 1, "", self.columns[j]
        row = int(self.cells.row_numbers[i])
        return row, self.cells.cell_address(row, j), self.cells.headers[j]


class _SourceCells:
    """Where row ``i``, column ``j`` of the sources table is: ``Sources!B3`` in a spreadsheet.

    The same address as validate's source-kind problems (the header is row 1), else
    ``"sources row N"``, N counting records from 1.
    """

    def __init__(self, sources: pd.DataFrame, *, spreadsheet: bool) -> None:
        self.columns = [str(c) for c in sources.columns]
        self.spreadsheet = spreadsheet

    def __call__(self, i: int, j: int) -> tuple[int, str, str]:
        if not self.spreadsheet:
            return i + 1, f"sources row {i + 1}", self.columns[j]
        return i + 2, cell_address("Sources", column_letter(j), i + 2), self.columns[j]


def _check_table(frame: pd.DataFrame, locate, *, case_level: bool, authors, sources=False) -> list:
    """The problems of one table, in file order (row, then column), located by `locate`.

    In a sources table publication dates are expected, so ``full_date`` is not raised there.
    """
    columns = [str(c) for c in frame.columns]
    ids = (
        _as_text(frame.iloc[:, columns.index("case_id")])
        if "case_id" in columns and not sources
        else pd.Series([""] * len(frame), index=frame.index, dtype=object)
    )
    found: list[tuple] = []

    def flag(mask, position: int, code: str, values, expected: str, hint: str) -> None:
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            found.append((int(i), position, code, str(values[i])[:200], expected, hint))

    for position, column in enumerate(columns):
        if sources and column in ("pmid", "pmcid"):
            continue
        text = _as_text(frame.iloc[:, position])
        key = re.sub(r"[\s.-]+", "_", column.strip().casefold())
        if _AGE_COLUMN.search(key) and not sources:
            ages = pd.to_numeric(text.map(prepare), errors="coerce").to_numpy()
            flag(ages > 89, position, "age_over_89", text.to_numpy(), *_AGE_MESSAGE)
        code = next((c for c, p in _COLUMN_RES.items() if p.fullmatch(key)), None)
        if code is None or sources:
            scope = "id" if column == "case_id" and not sources else "text"
            skip = ("full_date",) if sources else ()
            _scan(text, position, flag, authors=authors, case_level=case_level, scope=scope,
                  skip=skip)  # fmt: skip
        elif (filled := (text.str.strip() != "").to_numpy(dtype=bool)).any():
            hint = f"the column {column!r} holds identifying data: drop it before sharing"
            flag(filled, position, code, text.to_numpy(), PRIVACY_CODES[code], hint)
    found.sort(key=lambda f: f[:3])
    problems = []
    for i, position, code, value, expected, hint in found:
        row, cell, column = locate(i, position)
        problems.append(Problem("error", code, row=row, cell=cell, column=column,
                                case_id=ids.iat[i], value=value, expected=expected,
                                hint=hint))  # fmt: skip
    return problems


# age_years, age, age_at_onset, age_as_reported: a number there is an age
_AGE_COLUMN = re.compile(r"(?:^|_)age(?:_|s?$)")
_AGE_MESSAGE = ("90+ for any age over 89", "ages over 89 can identify a person: write 90+")


def _as_text(column: pd.Series) -> pd.Series:
    """A column as text, blanks for missing cells, whatever its dtype."""
    values = column.astype(object)
    return values.where(values.notna(), "").astype(str)


def _scan(text: pd.Series, position: int, flag, *, authors, case_level, scope, skip) -> None:
    """Run the rules on each distinct value once; flag every row that holds it."""
    codes, uniques = pd.factorize(text)
    uniques = np.asarray(uniques, dtype=object)
    prepared = [prepare(u) for u in uniques]
    # an id's lower-case parts (maria_gonzalez) are not common words
    known = _known([] if scope == "id" else prepared, authors)
    rules = [
        r
        for r in RULES
        if (r.scope == "id") == (scope == "id") or r.scope == "all"
        if (case_level or r.scope != "cases") and r.code not in skip
    ]
    done: dict[str, np.ndarray] = {}
    gates: dict[str, np.ndarray] = {}
    for rule in rules:
        if rule.gate not in gates:
            gates[rule.gate] = np.array([bool(GATES[rule.gate](t)) for t in prepared], dtype=bool)
        hits = np.full(len(uniques), None, dtype=object)
        skip = done.get(rule.code)
        todo = gates[rule.gate] if skip is None else gates[rule.gate] & (skip == None)  # noqa: E711
        for k in np.flatnonzero(todo):
            span = rule.find(prepared[k], known)
            if span is not None:
                hits[k] = uniques[k][span[0] : span[1]]
        if (hits != None).any():  # noqa: E711
            flag(hits[codes] != None, position, rule.code, hits[codes], rule.expected, rule.hint)  # noqa: E711
        done[rule.code] = hits if skip is None else np.where(hits != None, hits, skip)  # noqa: E711
    names = done.get("possible_name", np.full(len(uniques), None, dtype=object))
    initials = np.full(len(uniques), None, dtype=object)
    for k in np.flatnonzero(names == None):  # noqa: E711
        if (m := INITIALS.search(prepared[k])) and DATED.search(prepared[k]):
            initials[k] = m.group()
    flag(initials[codes] != None, position, "possible_name", initials[codes],  # noqa: E711
         "no initials next to dates",
         "initials with a date can identify a patient: remove the initials")  # fmt: skip


def _known(texts: list[str], authors: frozenset[str]) -> Known:
    """The known words of one column, whose distinct values are ``texts``."""
    if not Known.BASE:
        Known.BASE = _base_words()
    return Known(texts, authors)


def _authors(sources: pd.DataFrame | None) -> frozenset[str]:
    """Words of the sources' author and citation columns: authors are not patients."""
    if sources is None:
        return frozenset()
    columns = [c for c in ("first_author", "citation") if c in sources]
    text = " ".join(" ".join(_as_text(sources[c])) for c in columns)
    return frozenset(w.casefold() for w in re.findall(r"[^\W\d_]{2,}", text))


def _tables(cases) -> tuple[pd.DataFrame, pd.DataFrame | None, bool, str, object]:
    """The table to check, its sources table, whether it is case-level, the report's source,
    and where its cells stood in the file (a RawTable without cells, or None)."""
    if isinstance(cases, pd.DataFrame):
        kind = cases.attrs.get("metadata", {}).get("kind", "cases")
        return cases, cases.attrs.get("sources"), kind == "cases", "<DataFrame>", None
    from casestats.caseseries import CaseSeries
    from casestats.cohorts import CohortTable

    if isinstance(cases, CohortTable):  # published or own counts: no patient rows
        return cases.to_frame(), cases.sources, False, "<CohortTable>", None
    if not isinstance(cases, CaseSeries):
        raise TypeError(
            "cases must be a CaseSeries, a CohortTable or a pandas DataFrame, "
            f"not {type(cases).__name__}"
        )
    return cases.data, cases.sources, True, "<CaseSeries>", cases._cells
