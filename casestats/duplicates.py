"""Possible duplicate patients: one patient published twice (an abstract, then the article).

Case reports are often published more than once, and a pooled case series that counts
such a patient twice overstates the evidence. :func:`possible_duplicates` lists every
pair of records from different sources that agree on enough of the things a re-published
patient keeps: sex, age, lesion sites, underlying conditions, country, publication year
and authors. It flags pairs for a curator to resolve; it decides nothing.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casestats.results import ConfidenceInterval, Result, tidy_frame

if TYPE_CHECKING:
    import pandas as pd

    from casestats.caseseries import CaseSeries

__all__ = ["CasePair", "DuplicateCandidates", "possible_duplicates"]

#: The reasons, in the order they are reported.
REASONS: tuple[str, ...] = (
    "same_sex",
    "age_within_1y",
    "shared_sites",
    "shared_conditions",
    "same_country",
    "years_close",
    "shared_authors",
)
#: Publication years at most this far apart count as close.
YEARS_CLOSE = 3
_INITIALS = re.compile(r"^[A-Z]{1,4}$")


@dataclass(frozen=True)
class CasePair:
    """Two records that may be the same patient, with the reasons they agree on."""

    case_a: str
    case_b: str
    source_a: str
    source_b: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, eq=False, repr=False)
class DuplicateCandidates(Result):
    """Pairs of records that may describe the same patient.

    Attributes
    ----------
    pairs : tuple of CasePair
        The flagged pairs, most reasons first.
    n_cases : int
        Records compared.
    min_reasons : int
        Reasons a pair needed to be listed.
    """

    pairs: tuple[CasePair, ...]
    n_cases: int
    min_reasons: int
    method: str = "rule"

    def _repr_fields(self) -> dict:
        return {"pairs": len(self.pairs), "n_cases": self.n_cases, "min_reasons": self.min_reasons}

    def to_frame(self) -> pd.DataFrame:
        """One row per pair: ``group`` and ``level`` hold the two case_ids."""
        rows = []
        for pair in self.pairs:
            row = {
                "group": pair.case_a,
                "level": pair.case_b,
                "method": self.method,
                "source_a": pair.source_a,
                "source_b": pair.source_b,
                "n_reasons": len(pair.reasons),
                "reasons": "; ".join(pair.reasons),
            }
            row.update({reason: reason in pair.reasons for reason in REASONS})
            rows.append(row)
        return tidy_frame(rows, extra=["source_a", "source_b", "n_reasons", "reasons", *REASONS])

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Not defined: a list of pairs estimates nothing."""
        raise TypeError("possible_duplicates lists pairs; it has no confidence interval")

    def _summary_lines(self) -> list[str]:
        lines = [
            f"Possible duplicate patients: {len(self.pairs)} pair(s) among {self.n_cases} "
            f"records (at least {self.min_reasons} reasons, records from different sources)"
        ]
        lines += [f"  {p.case_a} ~ {p.case_b}: {', '.join(p.reasons)}" for p in self.pairs]
        return lines


def _terms(value: str) -> set[str]:
    # Sites carry their laterality in brackets; the part itself is what a re-report keeps.
    return {t.split("(")[0].strip() for t in value.split(";") if t.strip()} - {"", "none"}


def _age(value: str) -> float | None:
    try:
        return float(value.rstrip("+"))
    except ValueError:
        return None


def _surnames(first_author: str, citation: str) -> set[str]:
    """Author surnames from the citation's author list (``Surname AB, Surname C.``)."""
    first = first_author.strip()
    if not first or first.startswith("("):
        return set()
    names = [first]
    head = citation.split(". ", 1)[0]
    if first.split()[0] in head:
        names = [n.strip() for n in head.split(",") if n.strip() and "et al" not in n]
    surnames = set()
    for name in names:
        tokens = name.split()
        if len(tokens) > 1 and _INITIALS.match(tokens[-1]):
            tokens = tokens[:-1]
        surnames.add(" ".join(tokens).casefold())
    return surnames


def _reasons(a: dict, b: dict) -> tuple[str, ...]:
    age_a, age_b = _age(a["age_years"]), _age(b["age_years"])
    checks = {
        "same_sex": bool(a["sex"]) and a["sex"] == b["sex"],
        "age_within_1y": age_a is not None and age_b is not None and abs(age_a - age_b) <= 1,
        "shared_sites": bool(_terms(a["sites"]) & _terms(b["sites"])),
        "shared_conditions": bool(_terms(a["conditions"]) & _terms(b["conditions"])),
        "same_country": bool(a["country"]) and a["country"] == b["country"],
        "years_close": a["year"] is not None
        and b["year"] is not None
        and abs(a["year"] - b["year"]) <= YEARS_CLOSE,
        "shared_authors": bool(a["authors"] & b["authors"]),
    }
    return tuple(reason for reason in REASONS if checks[reason])


def possible_duplicates(cases: CaseSeries, *, min_reasons: int = 4) -> DuplicateCandidates:
    """List pairs of records that may be one patient published twice.

    Two records are compared when they come from different sources and do not
    contradict each other on sex (both reported and different rules a pair out).
    A pair is listed when at least `min_reasons` of these agree: same sex, ages
    within one year, a shared lesion site (laterality ignored), a shared
    underlying condition, same country, publication years at most
    :data:`YEARS_CLOSE` apart, a shared author surname.

    Parameters
    ----------
    cases : CaseSeries
        The records, with their sources table (for years and authors).
    min_reasons : int
        How many reasons a pair needs to be listed, 1 to 7.

    Returns
    -------
    DuplicateCandidates
        The pairs, most reasons first; resolve each one by reading both sources.

    Examples
    --------
    >>> import casestats
    >>> from casestats.duplicates import possible_duplicates
    >>> found = possible_duplicates(casestats.load_dataset("calcinosis_case_reports"))
    >>> found.to_frame().columns[12:16].tolist()
    ['source_a', 'source_b', 'n_reasons', 'reasons']
    """
    if isinstance(min_reasons, bool) or not isinstance(min_reasons, int):
        raise TypeError(
            f"min_reasons must be an integer from 1 to {len(REASONS)}, got {min_reasons!r}"
        )
    if not 1 <= min_reasons <= len(REASONS):
        raise ValueError(f"min_reasons must be from 1 to {len(REASONS)}, got {min_reasons}")
    records = _records(cases)
    pairs = []
    for a, b in itertools.combinations(records, 2):
        if a["source_id"] == b["source_id"]:
            continue  # one paper's patients are distinct by construction
        if a["sex"] and b["sex"] and a["sex"] != b["sex"]:
            continue
        reasons = _reasons(a, b)
        if len(reasons) >= min_reasons:
            ids = (a["case_id"], b["case_id"], a["source_id"], b["source_id"])
            pairs.append(CasePair(*ids, reasons))
    pairs.sort(key=lambda p: (-len(p.reasons), p.case_a, p.case_b))
    return DuplicateCandidates(pairs=tuple(pairs), n_cases=len(records), min_reasons=min_reasons)


def _records(cases: CaseSeries) -> list[dict]:
    data = cases.data
    sources = cases.sources
    by_source: dict[str, tuple[int | None, set[str]]] = {}
    if sources is not None:
        for row in sources.fillna("").astype(str).to_dict("records"):
            year = row.get("year", "").strip()
            by_source[row["source_id"]] = (
                int(year) if year.isdigit() else None,
                _surnames(row.get("first_author", ""), row.get("citation", "")),
            )
    fields = ("case_id", "source_id", "sex", "age_years", "sites", "conditions", "country")
    records = []
    for row in data.fillna("").astype(str).to_dict("records"):
        record = {name: row.get(name, "").strip() for name in fields}
        record["year"], record["authors"] = by_source.get(record["source_id"], (None, set()))
        records.append(record)
    return records
