"""Wording helpers shared by every message: plurals and indefinite articles."""

from __future__ import annotations

__all__ = ["article", "plural"]


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """``"1 patient"``, ``"2 patients"``, ``"0 analyses"`` (give irregular plurals).

    Examples
    --------
    >>> plural(1, "patient"), plural(3, "warning"), plural(2, "analysis", "analyses")
    ('1 patient', '3 warnings', '2 analyses')
    """
    return f"{n} {noun if n == 1 else plural_form or noun + 's'}"


def article(word: str) -> str:
    """The word with "a" or "an" before it, by its first letter.

    Examples
    --------
    >>> article("autoantibody term"), article("sex term")
    ('an autoantibody term', 'a sex term')
    """
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
