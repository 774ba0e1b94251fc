"""The case-series schema, read from the versioned tables in ``schema/data/``.

The schema is data, not code: the fields of a case record
(``fields.csv``), the controlled vocabularies with their synonyms
(``vocabularies.csv``), the anatomical hierarchy of lesion sites
(``anatomy.csv``), the standard codes of the condition (``codes.csv``) and
the word prefixes a typo suggestion may never change (``contrasts.csv``).
Adding a synonym or a site is an edit to one of those files.

:func:`load_schema` reads them once and returns a :class:`Schema`.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LATERALITY", "MISSING", "RANKS", "Field", "Schema", "load_schema"]

#: Ranks of the anatomical hierarchy, finest first.
RANKS = ("site", "region", "limb")

#: Name of the vocabulary of "not reported" markers (kept verbatim, counted as missing).
MISSING = "missing"

#: Vocabulary name under which the anatomy terms are looked up.
SITE = "site"

#: Vocabulary of the sides a site can have (left, right, bilateral, midline).
LATERALITY = "laterality"


@dataclass(frozen=True)
class Field:
    """One column of the case-series schema (a row of ``fields.csv``).

    ``kind`` is one of identifier, age, term, term_list, antibody_list,
    site_list, number, text, and tells validation how to read a cell.
    """

    name: str
    kind: str
    vocabulary: str
    required: bool
    unit: str
    description: str
    example: str


def _key(text: str) -> str:
    """Look-up key of a term or synonym: case, spaces, hyphens and underscores ignored."""
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def _read(name: str) -> list[dict[str, str]]:
    with resources.files("casestats.schema").joinpath("data", name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


class Schema:
    """Fields, vocabularies, anatomy and codes of the case-series schema.

    Use :func:`load_schema` rather than building one.

    Attributes
    ----------
    version : str
        Version of the schema tables (``schema/data/VERSION``).
    fields : dict of str to Field
        The fields in their canonical column order.

    Examples
    --------
    >>> schema = load_schema()
    >>> schema.canonical("ssc_subset", "CREST")
    'limited'
    >>> schema.canonical("site", "olecranon")
    'elbow'
    >>> schema.lineage("finger_pad")
    {'site': 'finger_pad', 'region': 'hand', 'limb': 'upper_limb'}
    """

    def __init__(self):
        self.version = (
            resources.files("casestats.schema").joinpath("data", "VERSION").read_text().strip()
        )
        self.fields = {
            row["name"]: Field(
                name=row["name"],
                kind=row["kind"],
                vocabulary=row["vocabulary"],
                required=row["required"] == "yes",
                unit=row["unit"],
                description=row["description"],
                example=row["example"],
            )
            for row in _read("fields.csv")
        }
        self._vocab_rows = _read("vocabularies.csv")
        self._anatomy_rows = _read("anatomy.csv")
        self._code_rows = _read("codes.csv")
        self._terms: dict[str, list[str]] = {}
        self._labels: dict[tuple[str, str], str] = {}
        self._lookup: dict[str, dict[str, str]] = {}
        for row in self._vocab_rows:
            self._add(row["vocabulary"], row["term"], row["label"], row["synonyms"])
        for row in self._anatomy_rows:
            self._add(SITE, row["term"], row["label"], row["synonyms"])
        self._parent = {row["term"]: row["parent"] for row in self._anatomy_rows}
        self._rank = {row["term"]: row["rank"] for row in self._anatomy_rows}

    def _add(self, vocabulary: str, term: str, label: str, synonyms: str) -> None:
        self._terms.setdefault(vocabulary, []).append(term)
        self._labels[vocabulary, term] = label
        lookup = self._lookup.setdefault(vocabulary, {})
        for name in [term, label, *filter(None, synonyms.split("|"))]:
            # A term's own spelling wins over another term's synonym.
            if name == term or _key(name) not in lookup:
                lookup[_key(name)] = term

    def terms(self, vocabulary: str) -> list[str]:
        """The canonical terms of a vocabulary, in table order (``"site"`` for anatomy)."""
        try:
            return list(self._terms[vocabulary])
        except KeyError:
            raise ValueError(
                f"unknown vocabulary {vocabulary!r}; known: {sorted(self._terms)}"
            ) from None

    def canonical(self, vocabulary: str, text: str) -> str | None:
        """The canonical term that `text` names (term, label or synonym), or None."""
        self.terms(vocabulary)
        return self._lookup[vocabulary].get(_key(text))

    def is_missing(self, text: str) -> bool:
        """Whether `text` is one of the "not reported" markers (``NR``, ``unknown``...)."""
        return _key(text) in self._lookup[MISSING]

    def label(self, vocabulary: str, term: str) -> str:
        """The readable label of a canonical term (the term itself if it has none)."""
        return self._labels.get((vocabulary, term), term)

    def lineage(self, site: str) -> dict[str, str]:
        """The site and its ancestors, by rank: ``{"site": ..., "region": ..., "limb": ...}``.

        Ranks finer than the term's own are absent (``"hand"`` has no site).
        """
        out = {}
        for term in self.ancestors(site):
            # finger_pad and finger are both sites: the finest one stands for the rank
            out.setdefault(self._rank[term], term)
        return out

    def ancestors(self, site: str) -> list[str]:
        """The anatomy term and every term above it, finest first.

        Examples
        --------
        >>> load_schema().ancestors("finger_pad")
        ['finger_pad', 'finger', 'hand', 'upper_limb']
        """
        if site not in self._rank:
            raise ValueError(f"unknown anatomy term {site!r}")
        chain, term = [], site
        while term:
            chain.append(term)
            term = self._parent[term]
        return chain

    def rollup_map(self, level: str) -> dict[str, str]:
        """Every anatomy term mapped to its ancestor at `level`.

        A term coarser than `level` maps to itself (an "upper limb" lesion
        stays "upper_limb" when counting by region), so no patient is lost.
        """
        if level not in RANKS:
            raise ValueError(f"level must be one of {RANKS}, got {level!r}")
        out = {}
        for term in self._rank:
            lineage = self.lineage(term)
            out[term] = lineage.get(level) or next(lineage[r] for r in RANKS if r in lineage)
        return out

    @property
    def anatomy(self) -> pd.DataFrame:
        """The anatomical hierarchy: term, label, parent, rank, synonyms."""
        import pandas as pd

        return pd.DataFrame(self._anatomy_rows, dtype=object)

    @property
    def vocabularies(self) -> pd.DataFrame:
        """Every vocabulary term with its label, synonyms and code."""
        import pandas as pd

        return pd.DataFrame(self._vocab_rows, dtype=object)

    @property
    def codes(self) -> pd.DataFrame:
        """Standard codes of the condition itself (ICD-10, HPO)."""
        import pandas as pd

        return pd.DataFrame(self._code_rows, dtype=object)

    def vocabulary(self, field: str) -> pd.DataFrame:
        """The terms a field accepts, each with its label and synonyms.

        Parameters
        ----------
        field : str
            A field with a controlled vocabulary (``"sites"``, ``"sex"``...),
            or a vocabulary's own name (``"laterality"``).

        Examples
        --------
        >>> load_schema().vocabulary("sex")["term"].tolist()
        ['female', 'male']
        """
        import pandas as pd

        controlled = {n: f.vocabulary for n, f in self.fields.items() if f.vocabulary}
        name = controlled.get(field, field)
        if name not in self._terms or name == MISSING:
            raise ValueError(
                f"{field!r} has no controlled vocabulary; fields that have one: "
                f"{', '.join(controlled)}"
            )
        rows = (
            self._anatomy_rows
            if name == SITE
            else [r for r in self._vocab_rows if r["vocabulary"] == name]
        )
        table = pd.DataFrame(rows, dtype=object)[["term", "label", "synonyms"]]
        table["synonyms"] = table["synonyms"].str.replace("|", "; ", regex=False)
        return table

    def describe(self) -> pd.DataFrame:
        """The fields as a data dictionary (name, kind, vocabulary, required, unit, description)."""
        import pandas as pd

        return pd.DataFrame([f.__dict__ for f in self.fields.values()], dtype=object)


@functools.cache
def load_schema() -> Schema:
    """The case-series schema (read once, then cached).

    Returns
    -------
    Schema

    Examples
    --------
    >>> load_schema().fields["age_years"].kind
    'age'
    """
    return Schema()
