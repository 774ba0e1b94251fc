"""Reading terms as clinicians type them: sides written as words, and typos.

Two rules, both on the schema's own tables:

* :func:`split_side` finds a side written as words before or after a site
  (``L elbow``, ``both hands``, ``elbow, left``), with the spellings of the
  ``laterality`` vocabulary.
* :func:`close_term` says which term a mistyped value was meant to be, and
  prefers no answer to a wrong one. A value and a spelling of a term match
  only word by word: the same number of words, each pair equal or a typo of
  each other (same first letter, same digits, at most one slip in a word of
  up to nine letters and two in a longer one, where a slip is a missing,
  extra or swapped letter, or a letter replaced by a neighbouring key or, in
  words of six letters or more, by another vowel), and no word may trade one
  of the meaningful prefixes of ``contrasts.csv`` for another (hypo/hyper).
  So ``dermatomyosits`` finds dermatomyositis, while ``acute renal failure``
  never finds *chronic* renal failure and ``hypoparathyroidism`` never finds
  hyperparathyroidism. When two terms are equally close there is no suggestion.
"""

from __future__ import annotations

import functools

from casestats.schema import LATERALITY, Schema, _key, _read

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = set("aeiouy")


@functools.cache
def _neighbours() -> dict[str, set[str]]:
    """Keys next to each letter on a QWERTY keyboard (rows staggered to the right)."""
    where = {c: (r, i) for r, row in enumerate(_ROWS) for i, c in enumerate(row)}
    out: dict[str, set[str]] = {}
    for c, (r, i) in where.items():
        near = {(r, i - 1), (r, i + 1), (r - 1, i), (r - 1, i + 1), (r + 1, i - 1), (r + 1, i)}
        out[c] = {d for d, at in where.items() if at in near}
    return out


@functools.cache
def _prefixes() -> tuple[str, ...]:
    return tuple(sorted((row["prefix"] for row in _read("contrasts.csv")), key=len, reverse=True))


def _prefix(word: str) -> str:
    return next((p for p in _prefixes() if word.startswith(p) and len(word) > len(p) + 2), "")


def _slip(a: str, b: str, vowels: bool) -> bool:
    """Whether typing `b` for `a` is a slip: a neighbouring key, or (`vowels`) another vowel."""
    return b in _neighbours().get(a, ()) or (vowels and a in _VOWELS and b in _VOWELS)


def _distance(a: str, b: str, limit: int) -> int:
    """Slips between two words (optimal string alignment), or limit + 1 when over it.

    A letter replaced by one that is no slip costs two (a deletion and an insertion).
    One vowel for another is a slip in words of six letters or more only: in short
    words it changes the word (molar, malar).
    """
    vowels = min(len(a), len(b)) >= 6
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else (1 if _slip(ca, cb, vowels) else 2)
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, previous2[j - 2] + 1)
            current.append(best)
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _word_cost(typed: str, known: str) -> int | None:
    if typed == known:
        return 0
    longest = max(len(typed), len(known))
    limit = 0 if longest <= 3 else (1 if longest <= 9 else 2)
    if typed[0] != known[0] or [c for c in typed if c.isdigit()] != [
        c for c in known if c.isdigit()
    ]:
        return None
    prefixes = _prefix(typed), _prefix(known)
    if all(prefixes) and prefixes[0] != prefixes[1]:
        return None
    cost = _distance(typed, known, limit)
    return cost if cost <= limit else None


def _cost(typed: list[str], known: list[str]) -> int | None:
    if "".join(typed) == "".join(known):
        return 0  # only the spaces differ: "dermato myositis"
    if len(typed) != len(known):
        return None
    total = 0
    for a, b in zip(typed, known, strict=True):
        cost = _word_cost(a, b)
        if cost is None:
            return None
        total += cost
    return total if total <= 2 else None


def close_term(schema: Schema, vocabulary: str, text: str) -> str | None:
    """The one term of `vocabulary` that `text` is a typo of, or None.

    Examples
    --------
    >>> from casestats.schema import load_schema
    >>> schema = load_schema()
    >>> close_term(schema, "condition", "dermatomyosits")
    'dermatomyositis'
    >>> close_term(schema, "condition", "chronic renal failur")
    'chronic_kidney_disease'
    >>> close_term(schema, "condition", "acute kidney disease") is None
    True
    """
    words = _key(text).split()
    if not words:
        return None
    best, terms = 3, set()
    for name, term in schema._lookup[vocabulary].items():
        cost = _cost(words, name.split())
        if cost is None or cost > best:
            continue
        if cost < best:
            best, terms = cost, set()
        terms.add(term)
    return terms.pop() if len(terms) == 1 else None


def split_side(schema: Schema, text: str) -> tuple[str, str | None]:
    """A site written with its side as words: (the site's text, the side term).

    The side may stand before the site (``R index finger``, ``both hands``,
    ``left and right elbow``) or after it, with or without a comma
    (``elbow, left``, ``knee bilateral``). Without side words the text comes
    back whole with None.

    Examples
    --------
    >>> from casestats.schema import load_schema
    >>> split_side(load_schema(), "Lt knee")
    ('knee', 'left')
    >>> split_side(load_schema(), "elbow, left")
    ('elbow', 'left')
    """
    words = text.replace(",", " ").split()
    for n in (3, 2, 1):  # the longest side first: "left and right elbow"
        if len(words) <= n:
            continue
        side = schema.canonical(LATERALITY, " ".join(words[:n]))
        if side is not None:
            return " ".join(words[n:]), side
        side = schema.canonical(LATERALITY, " ".join(words[-n:]))
        if side is not None:
            return " ".join(words[:-n]), side
    return text, None


def comma_in_terms(schema: Schema, vocabulary: str) -> bool:
    """Whether a spelling of some term of `vocabulary` holds a comma (then commas cannot
    separate items)."""
    return any("," in name for name in schema._lookup[vocabulary])
