"""Check that a case dataset can be shared: nothing that identifies a patient.

:func:`check_publishable` scans the text of a case series (or any DataFrame)
for what de-identification rules such as HIPAA's Safe Harbor and the UK's
anonymisation guidance remove before data leave the clinic: names, initials
next to dates, dates finer than the year, ages over 89, places below the
country, record numbers and contact details. It works column by column with
vectorised regular expressions, so a registry-sized table takes seconds.

The patterns are heuristics tuned to miss little while leaving the prose of
published case reports alone (``"diagnosed 1994"``, ``"5-6 years"``,
``"ANA 1:1280"`` pass). A flag is a prompt to look, not proof; an empty report
is not a guarantee either.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

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

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_INITIALS = r"\b[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?"
_ANY_DATE_OR_YEAR = (
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b(?:19|20)\d{2}\b"
)

# (code, pattern, what is expected instead, hint). Patterns are searched in
# every text cell; the first match becomes the problem's value.
_PATTERNS: list[tuple[str, re.Pattern, str, str]] = [
    (
        "possible_name",
        re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+[A-Z][a-zA-Z'-]+"),
        "no names",
        "replace the name by a role (the patient, her physician)",
    ),
    (
        "possible_name",
        re.compile(r"\b(?:[Pp]atient|[Pp]t\.?|[Cc]ase)\s+[A-Z]\.\s?[A-Z]\.?"),
        "no initials",
        "refer to the patient by case_id, not initials",
    ),
    (
        "full_date",
        re.compile(
            # not inside decimals or ranges such as "95% CI 0.41-0.59"
            r"(?<![\d.,])(?:\d{4}-\d{1,2}-\d{1,2}"
            r"|\d{1,2}(?P<sep>[/.-])\d{1,2}(?P=sep)(?:\d{4}|\d{2}))(?![\d.,]?\d)"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{2,4}}\b"
            rf"|\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,\s+\d{{4}}\b"
        ),
        "the year at most",
        "keep the year only, or give intervals (months since onset)",
    ),
    (
        "fine_location",
        re.compile(
            r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b"  # UK postcode
            r"|\b[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b"  # US state and ZIP code
            r"|\b(?:ZIP|zip)(?:\s*code)?:?\s*\d{5}\b"
            r"|\b[Ww]ard\s+\d+[A-Z]?\b"
            r"|\b\d+[A-Za-z]?\s+(?:[A-Z][a-z]+\s+)+(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Drive"
            r"|Boulevard|Blvd\.?)"
        ),
        "the country at most",
        "remove the address, postcode or ward",
    ),
    (
        "record_number",
        re.compile(
            r"\b(?:MRN|NHS|CHI|UR|IP)\s*(?:no\.?|number|#)?\s*[:#]?\s*\d[\d -]{3,}\d"
            r"|\b(?:hospital|record|medical record|patient|case file|chart)\s+(?:no\.?|number|#|ID)"
            r"\s*[:#]?\s*[A-Z]{0,3}\d[\d -]{2,}"
            r"|\b\d{3} \d{3} \d{4}\b",  # the NHS number's printed form
            re.IGNORECASE,
        ),
        "no record numbers",
        "use the case_id only",
    ),
    (
        "contact_details",
        re.compile(
            r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"
            r"|(?:\+\d{1,3}[\s.-]?)?\(?\b\d{2,5}\)?[\s.-]\d{3,4}[\s.-]\d{3,4}\b"
            r"|\b(?:tel|phone|mobile|fax)\.?:?\s*\+?\d[\d\s().-]{6,}\d",
            re.IGNORECASE,
        ),
        "no e-mail addresses or telephone numbers",
        "remove the contact details",
    ),
]

# Initials (J.S.) are flagged only with a date or year in the same cell.
_INITIALS_RE = re.compile(_INITIALS)
_DATED_RE = re.compile(_ANY_DATE_OR_YEAR)

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
    cases : CaseSeries or pandas.DataFrame
        For a :class:`~casestats.CaseSeries`, the free-text fields of the
        schema (notes, lesion description, imaging, histology, country,
        evidence) and every column outside the schema are scanned; for a
        DataFrame, every text column. ``age_years`` is checked in both.

    Returns
    -------
    ValidationReport
        One error per cell and kind of finding, codes in
        :data:`PRIVACY_CODES`: ``possible_name``, ``full_date``,
        ``age_over_89``, ``fine_location``, ``record_number``,
        ``contact_details``. ``row`` counts records from 1; ``value`` is the
        text that matched. ``.ok`` is False when anything was found.

    Notes
    -----
    Names are found by titles (``Dr. Smith``), ``patient J.S.``, initials in
    a cell that also holds a date, and columns named like ``name`` or
    ``initials``. Dates finer than the year are ISO, day/month/year and
    spelled-out forms (``12 March 2019``, ``March 12, 2019``); a month and
    year (``Jan 2003``, often a study period) and years alone pass.
    Places are UK and US postcodes, ward numbers, street addresses and
    columns named like ``city`` or ``address``. Record numbers need a label
    (``MRN 12345``, ``hospital no. 4471``) or the NHS number's ``3 3 4``
    layout. Contact details are e-mail addresses and telephone numbers.

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
    frame, text_columns, source = _text_columns(cases)
    n = len(frame)
    ids = (
        frame["case_id"].astype(object).fillna("").astype(str)
        if "case_id" in frame
        else pd.Series([""] * n, index=frame.index, dtype=object)
    )
    problems: list[Problem] = []

    def flag(mask, column: str, code: str, values, expected: str, hint: str) -> None:
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            problems.append(
                Problem(
                    "error",
                    code,
                    row=int(i) + 1,
                    column=str(column),
                    case_id=ids.iat[i],
                    value=str(values.iat[i])[:200],
                    expected=expected,
                    hint=hint,
                )
            )

    if "age_years" in frame:
        ages = pd.to_numeric(frame["age_years"].astype(object), errors="coerce")
        flag(
            (ages > 89).to_numpy(dtype=bool),
            "age_years",
            "age_over_89",
            frame["age_years"],
            "90+ for any age over 89",
            "ages over 89 can identify a person: write 90+",
        )
    for column in text_columns:
        text = frame[column].astype(object).fillna("").astype(str)
        filled = (text.str.strip() != "").to_numpy(dtype=bool)
        if not filled.any():
            continue
        key = re.sub(r"[\s.-]+", "_", str(column).strip().casefold())
        for code, pattern in _COLUMN_RES.items():
            if pattern.fullmatch(key):
                flag(
                    filled,
                    column,
                    code,
                    text,
                    PRIVACY_CODES[code],
                    f"the column {column!r} holds identifying data: drop it before sharing",
                )
                break
        else:
            _scan(text, column, flag)
    problems.sort(key=lambda p: (p.row or 0, _position(p.column, frame), p.code))
    return ValidationReport(tuple(problems), source=source, n_rows=n)


def _scan(text: pd.Series, column, flag) -> None:
    """Flag each pattern's matches in one column, once per cell and code."""
    seen = {code: np.zeros(len(text), dtype=bool) for code in PRIVACY_CODES}
    for code, pattern, expected, hint in _PATTERNS:
        # the whole match is the first group (patterns may hold groups of their own)
        found = text.str.extract(f"({pattern.pattern})", flags=pattern.flags).iloc[:, 0]
        mask = found.notna().to_numpy(dtype=bool) & ~seen[code]
        flag(mask, column, code, found, expected, hint)
        seen[code] |= mask
    initials = text.str.extract(f"({_INITIALS_RE.pattern})", expand=False)
    dated = text.str.contains(_DATED_RE, regex=True).to_numpy(dtype=bool)
    mask = initials.notna().to_numpy(dtype=bool) & dated & ~seen["possible_name"]
    flag(
        mask,
        column,
        "possible_name",
        initials,
        "no initials next to dates",
        "initials with a date can identify a patient: remove the initials",
    )


def _position(column: str, frame: pd.DataFrame) -> int:
    """Position of a column in the frame, for sorting problems in file order."""
    return frame.columns.get_loc(column) if column in frame.columns else -1


def _text_columns(cases) -> tuple[pd.DataFrame, list, str]:
    """The frame to check, the columns to scan as text, and the report's source."""
    if isinstance(cases, pd.DataFrame):
        frame = cases
        text = [
            c
            for c in frame.columns
            if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
        ]
        return frame, text, "<DataFrame>"
    from casestats.caseseries import CaseSeries
    from casestats.schema import load_schema

    if not isinstance(cases, CaseSeries):
        raise TypeError(
            f"cases must be a CaseSeries or a pandas DataFrame, not {type(cases).__name__}"
        )
    frame = cases.data
    fields = load_schema().fields
    text = [c for c in frame.columns if c not in fields or fields[c].kind == "text"]
    return frame, text, "<CaseSeries>"
