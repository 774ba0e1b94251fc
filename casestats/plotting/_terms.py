"""Schema terms as figures show them: their labels and their order.

Read from the schema's CSV files, not through the schema package, so that drawing a
figure does not load the domain layer. Values that are not schema terms pass through.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).parents[1] / "schema" / "data"

# The anatomy table's label, "limb (side not stated)", reads like laterality; the row
# means the source names a limb without saying which.
LIMB_UNSPECIFIED = "limb (upper or lower not stated)"


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, list[str]], dict[str, str], dict[str, str]]:
    """Terms per vocabulary in schema order, the label of each term, and anatomy ranks."""
    order: dict[str, list[str]] = {}
    labels: dict[str, set[str]] = {}
    with open(_DATA / "vocabularies.csv", newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["vocabulary"] != "missing":
                order.setdefault(row["vocabulary"], []).append(row["term"])
                labels.setdefault(row["term"], set()).add(row["label"])
    with open(_DATA / "anatomy.csv", newline="", encoding="utf-8") as file:
        anatomy = list(csv.DictReader(file))
    order["anatomy"] = [row["term"] for row in anatomy]
    for row in anatomy:
        labels.setdefault(row["term"], set()).add(row["label"])
    # A term spelled alike in two vocabularies with different labels keeps its spelling.
    single = {term: next(iter(names)) for term, names in labels.items() if len(names) == 1}
    single["limb_unspecified"] = LIMB_UNSPECIFIED
    return order, single, {row["term"]: row["rank"] for row in anatomy}


def term_order(values: Iterable[object]) -> list[object] | None:
    """`values` in the order of the first vocabulary holding all of them, else None."""
    values = list(values)
    if not values or not all(isinstance(v, str) for v in values):
        return None
    for terms in _tables()[0].values():
        position = {term: i for i, term in enumerate(terms)}
        if all(v in position for v in values):
            return sorted(values, key=position.__getitem__)
    return None


def term_labels(values: Iterable[object]) -> dict[object, str]:
    """The schema label of each value that is a term.

    Next to region-rank sites, a limb-rank site counts the patients whose region is
    not stated, and its label says so ("upper limb, region not stated").
    """
    _, labels, ranks = _tables()
    values = [v for v in values if isinstance(v, str)]
    found = {v: labels[v] for v in values if v in labels}
    if any(ranks.get(v) == "region" for v in values):
        for v in values:
            if ranks.get(v) == "limb" and v not in ("generalized", "limb_unspecified"):
                found[v] = f"{found[v]}, region not stated"
    return found
