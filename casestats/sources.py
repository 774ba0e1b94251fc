"""What kind of source each case comes from, and the caveat that is true of it.

A sources table may carry a ``kind`` column saying what each source is. The
caveat a result prints depends on it: pooled published case reports describe
the literature (unusual presentations are more likely to be published),
while a clinic's own patients describe its referral pattern. A series mixing
kinds says which caveat applies to which cases.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

import pandas as pd

from casestats.problems import Problem

if TYPE_CHECKING:
    from casestats.caseseries import CaseSeries

__all__ = [
    "CASE_REPORT_CAVEAT",
    "COHORT_CAVEAT",
    "NOT_STATED",
    "OWN_PATIENTS_CAVEAT",
    "REGISTRY_CAVEAT",
    "SOURCE_KINDS",
    "UNKNOWN_KIND_CAVEAT",
    "canonical_kind",
    "check_source_kinds",
    "citation_labels",
    "series_caveat",
    "source_kinds",
]

#: Said by every result computed from pooled published case reports.
CASE_REPORT_CAVEAT = (
    "Pooled case reports describe the published literature, not the population of "
    "patients: unusual presentations are more likely to be published."
)

#: Said of a clinic's own, unpublished patients.
OWN_PATIENTS_CAVEAT = (
    "Patients seen at one's own clinic reflect its referral pattern, not the population "
    "of patients."
)

#: Said of an unpublished registry extract.
REGISTRY_CAVEAT = (
    "A registry extract describes the patients its centres enrolled, not the population "
    "of patients."
)

#: Said of a published cohort or cross-sectional study.
COHORT_CAVEAT = (
    "A published cohort describes the patients its centres saw and chose to report, not "
    "the population of patients."
)

#: Said where the sources table does not say what its sources are.
UNKNOWN_KIND_CAVEAT = (
    "The sources do not say whether they are published reports or one's own patients "
    "(no kind): if published, unusual presentations are more likely to be among them."
)

#: The kinds of source: name -> (what it means, the caveat its cases carry).
SOURCE_KINDS = {
    "case_report": (
        "a published case report (one or a few patients, each described)",
        CASE_REPORT_CAVEAT,
    ),
    "case_series": ("a published case series of a clinic or centre", CASE_REPORT_CAVEAT),
    "cohort_study": (
        "a published cohort or cross-sectional study (study-level counts)",
        COHORT_CAVEAT,
    ),
    "own_patients": ("one's own patients, unpublished", OWN_PATIENTS_CAVEAT),
    "registry_extract": ("an unpublished extract from a registry or database", REGISTRY_CAVEAT),
}

#: The kind of a source whose ``kind`` is empty, or of a table without the column.
NOT_STATED = "not_stated"

#: How people write the kinds, as read after casefolding and joining words with "_".
_SYNONYMS = {
    "published_case_report": "case_report",
    "report": "case_report",
    "published_case_series": "case_series",
    "series": "case_series",
    "cohort": "cohort_study",
    "published_cohort": "cohort_study",
    "cross_sectional_study": "cohort_study",
    "own": "own_patients",
    "own_unpublished_patients": "own_patients",
    "own_patients_unpublished": "own_patients",
    "unpublished": "own_patients",
    "clinic": "own_patients",
    "registry": "registry_extract",
    "database": "registry_extract",
}

_LABELS = {
    "case_report": "published case reports",
    "case_series": "published case series",
    "cohort_study": "published cohort studies",
    "own_patients": "own patients",
    "registry_extract": "registry extracts",
    NOT_STATED: "sources of no stated kind",
}


def _key(value: str) -> str:
    return "_".join(value.strip().casefold().replace("-", " ").split())


def canonical_kind(value) -> str | None:
    """The kind a cell names (``"Own patients"`` -> ``"own_patients"``), None if unknown.

    Examples
    --------
    >>> canonical_kind("Published case report"), canonical_kind(""), canonical_kind("blog")
    ('case_report', 'not_stated', None)
    """
    key = _key(str(value))
    if not key:
        return NOT_STATED
    key = _SYNONYMS.get(key, key)
    return key if key in SOURCE_KINDS else None


def check_source_kinds(sources: pd.DataFrame | None, *, table=None) -> list[Problem]:
    """Every problem with the ``kind`` column of a sources table, located.

    A table without the column gets one note (its sources are of no stated
    kind); an unknown kind is an error; a synonym or an empty cell a note.
    Cells are located where the user typed them: ``Sources!B5`` in a
    workbook, ``cases.sources.csv!B5`` for a CSV sidecar (blank lines
    counted), ``sources row 3`` (the record number) in JSON or a DataFrame.
    ``table`` is the sources table as read (``RawTable.sources_table``);
    without it, the frame is taken as a sheet ``Sources`` with the header in
    row 1. The source_id is in every hint.

    Examples
    --------
    >>> table = pd.DataFrame({"source_id": ["a", "b"], "kind": ["own patients", "blog"]})
    >>> [(p.severity, p.cell, p.value) for p in check_source_kinds(table)]
    [('info', 'Sources!B2', 'own patients'), ('error', 'Sources!B3', 'blog')]
    """
    if sources is None:
        return []
    allowed = ", ".join(SOURCE_KINDS)
    if "kind" not in sources:
        return [
            Problem(
                "info",
                "no_source_kind",
                column="kind",
                expected=f"a kind column in the sources table ({allowed})",
                hint="without it, results cannot say whether the cases were published",
            )
        ]
    locate = _locator(sources, table)
    ids = sources["source_id"] if "source_id" in sources else pd.Series([""] * len(sources))
    problems = []
    for i, (value, source_id) in enumerate(zip(sources["kind"], ids, strict=True)):
        text = "" if pd.isna(value) else str(value)
        kind = canonical_kind(text)
        where = dict(cell=locate(i), column="kind", value=text)
        of = f"source {str(source_id).strip()!r}: " if str(source_id).strip() else ""
        if kind is None:
            close = difflib.get_close_matches(_key(text), list(SOURCE_KINDS), n=1)
            fix = f"did you mean {close[0]!r}? Or leave it empty" if close else (
                "use one of these kinds, or leave it empty if the kind is not known")
            problems.append(Problem("error", "unknown_term", **where,
                                    expected=f"one of {allowed}", hint=of + fix))  # fmt: skip
        elif kind == NOT_STATED:
            problems.append(Problem("info", "missing_value", **where,
                                    expected=f"one of {allowed}",
                                    hint=f"{of}a source of no stated kind"))  # fmt: skip
        elif kind != text:
            problems.append(Problem("info", "normalised", **where, expected="the canonical form",
                                    hint=f"{of}read as {kind!r}"))  # fmt: skip
    return problems


def _locator(sources: pd.DataFrame, table):
    """A function from a row position of ``sources`` to where the user finds its kind cell."""
    from pathlib import Path

    from casestats.io._table import cell_address, column_letter

    position = list(sources.columns).index("kind")
    if table is None:
        letter = column_letter(position)
        return lambda i: cell_address("Sources", letter, i + 2)
    rows = table.row_numbers
    if not table.column_letters[position]:  # JSON or a DataFrame: no cell addresses
        return lambda i: f"sources row {int(rows[i])}"
    prefix = "" if table.sheet else f"{Path(table.source).name}!"
    return lambda i: prefix + table.cell_address(int(rows[i]), position)


def source_kinds(sources: pd.DataFrame | None) -> dict[str, str]:
    """The kind of each source_id, canonical (unknown kinds as typed)."""
    if sources is None or "source_id" not in sources:
        return {}
    kinds = sources["kind"] if "kind" in sources else pd.Series([""] * len(sources))
    return {
        str(sid).strip(): canonical_kind("" if pd.isna(k) else k) or str(k)
        for sid, k in zip(sources["source_id"], kinds, strict=True)
    }


def series_caveat(cases: CaseSeries) -> str:
    """The caveat that is true of a series, saying which cases each part covers.

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> series_caveat(cases) == CASE_REPORT_CAVEAT
    True
    """
    kinds = source_kinds(cases.sources)
    try:
        ids = cases.column("source_id")
    except KeyError:
        ids = pd.Series([""] * len(cases), dtype=object)
    per_case = ids.map(lambda s: kinds.get(s, NOT_STATED))
    caveats = per_case.map(lambda k: SOURCE_KINDS.get(k, ("", UNKNOWN_KIND_CAVEAT))[1])
    if caveats.nunique() <= 1:
        return caveats.iat[0] if len(caveats) else UNKNOWN_KIND_CAVEAT
    parts = []
    for caveat in pd.unique(caveats):
        these = per_case[caveats == caveat]
        labels = " and ".join(_LABELS.get(k, k) for k in pd.unique(these))
        parts.append(f"{len(these)} of {len(per_case)} cases ({labels}): {caveat}")
    return " ".join(parts)


def citation_labels(studies: pd.DataFrame, sources: pd.DataFrame) -> dict[str, str]:
    """Each study's label as papers cite it, from a sources table.

    "Surname year" from ``first_author`` and ``year``; for a source whose
    authors were not shown, the words its ``first_author`` cell gives in
    brackets ("EULAR abstract AB0690"), else "Journal year"; studies with
    neither are left out (they keep their ids). Two papers with one citation
    keep their studies' ids apart; the rows of one source (its comparisons) share
    its label.

    Parameters
    ----------
    studies : pandas.DataFrame
        ``study`` and, where the studies are not the sources, ``source_id``.
    sources : pandas.DataFrame
        ``source_id``, ``first_author``, ``year``, ``journal``.

    Examples
    --------
    >>> studies = pd.DataFrame({"study": ["s1", "s2"], "source_id": ["a", "b"]})
    >>> sources = pd.DataFrame({"source_id": ["a", "b"], "year": ["1984", ""],
    ...     "first_author": ["Steen VD", "not shown (EULAR abstract AB0690; a centre)"],
    ...     "journal": ["Arthritis Rheum", ""]})
    >>> citation_labels(studies, sources)
    {'s1': 'Steen 1984', 's2': 'EULAR abstract AB0690'}
    """
    by_id = sources.drop_duplicates("source_id").set_index("source_id")
    ids = studies["source_id"] if "source_id" in studies else studies["study"]
    labels: dict[str, str] = {}
    source_of: dict[str, str] = {}
    for study, source in zip(studies["study"], ids, strict=True):
        if source not in by_id.index:
            continue
        row = by_id.loc[source]
        author = str(row.get("first_author", "") or "").split(" (")[0].strip()
        described = ""
        if author.lower().startswith(("not shown", "not identified")):
            aside = re.search(r"\(([^;)]+)", str(row.get("first_author", "")))
            described, author = (aside.group(1).strip() if aside else ""), ""
        # "Sampaio-Barros MM" -> "Sampaio-Barros": papers cite the surname
        words = author.split()
        surname = " ".join(words[:-1]) if len(words) > 1 and words[-1].isupper() else author
        year = re.match(r"\d{4}", str(row.get("year", "") or ""))
        journal = re.split(r"[\d(]|\bpp\.", str(row.get("journal", "") or ""))[0].strip()
        if journal.lower().startswith("not shown"):
            journal = ""
        name = surname or described or (journal if year else "")
        if name:
            labels[study] = f"{name} {year.group()}" if year else name
            source_of[study] = source
    # two papers cited alike ("Smith 2019" twice) keep their studies' ids apart; rows of one
    # paper (its comparisons) share its citation
    papers = pd.Series(source_of).groupby(pd.Series(labels)).nunique()
    return {k: (v if papers[v] == 1 else f"{v} ({k})") for k, v in labels.items()}
