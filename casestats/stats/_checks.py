"""Argument checks and small shared helpers of the statistics layer.

Every check raises :class:`ValueError` through :func:`fail`, so all messages
read alike: ``<name> must be <expected>, got <value>``. Checks of arrays name
every offending entry at once, with its position.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special

# Offending entries listed in one message before "..." takes over.
_SHOWN = 5


def fail(name: str, expected: str, got: object) -> None:
    """Raise the one ValueError template: ``<name> must be <expected>, got <got>``."""
    raise ValueError(f"{name} must be {expected}, got {got}")


def _same(value, option) -> bool:
    # True == 1 in Python, but firth=1 is not firth=True.
    if isinstance(value, bool) != isinstance(option, bool):
        return False
    try:
        return bool(value == option)
    except (TypeError, ValueError):
        return False


def check_choice(value, allowed: Sequence, name: str = "method"):
    """Return `value` if it is one of `allowed`; the error lists the allowed values."""
    if not any(_same(value, option) for option in allowed):
        fail(name, f"one of {', '.join(map(repr, allowed))}", repr(value))
    return value


def check_confidence_level(confidence_level) -> float:
    """The confidence level as a float strictly between 0 and 1."""
    try:
        level = float(confidence_level)
    except (TypeError, ValueError):
        level = float("nan")
    if not 0.0 < level < 1.0:
        fail("confidence_level", "a number strictly between 0 and 1", repr(confidence_level))
    return level


def _plain(value):
    # numpy scalars print as np.float64(...) under numpy 2; users typed a number.
    value = value.item() if isinstance(value, np.generic) else value
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _where(values: np.ndarray, bad: np.ndarray) -> str:
    """``-2 at position 1, 2.5 at position 3`` for the flagged entries."""
    flat = np.asarray(values, dtype=object).reshape(-1)
    positions = np.flatnonzero(np.asarray(bad).reshape(-1))
    if flat.size == 1:
        return repr(_plain(flat[0]))
    parts = [f"{_plain(flat[i])!r} at position {i}" for i in positions[:_SHOWN]]
    if positions.size > _SHOWN:
        parts.append(f"... ({positions.size} in all)")
    return ", ".join(parts)


def as_counts(values, name: str) -> np.ndarray:
    """Counts (finite, non-negative whole numbers) as a float array of the same shape."""
    raw = np.asarray(values, dtype=object)
    if raw.size == 0:
        fail(name, "a non-empty array of counts", "an empty one")
    numeric = np.empty(raw.shape, dtype=float)
    for index, value in np.ndenumerate(raw):
        try:
            numeric[index] = float(value)
        except (TypeError, ValueError):
            numeric[index] = np.nan
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(numeric) | (numeric < 0) | (numeric != np.round(numeric))
    if bad.any():
        fail(name, "non-negative whole numbers", _where(raw, bad))
    return numeric


def check_events_total(
    events, total, events_name: str = "events", total_name: str = "total"
) -> tuple[np.ndarray, np.ndarray]:
    """Events and totals as broadcast float arrays, with ``0 <= events <= total`` and total > 0."""
    x = as_counts(events, events_name)
    n = as_counts(total, total_name)
    try:
        x, n = np.broadcast_arrays(x, n)
    except ValueError:
        fail(f"{events_name} and {total_name}", "the same length", f"{x.size} and {n.size}")
    if np.any(n == 0):
        fail(total_name, "positive (a proportion of total 0 has no denominator)",
             _where(n, n == 0))  # fmt: skip
    over = x > n
    if np.any(over):
        fail(events_name, f"at most {total_name}", _where(x, over))
    return x, n


def two_arm_counts(events_a, total_a, events_b, total_b):
    """The four one-dimensional count arrays of a set of 2x2 tables, checked together."""
    ea, na = (as_counts(v, name).reshape(-1) for v, name in ((events_a, "events_a"),
                                                            (total_a, "total_a")))  # fmt: skip
    eb, nb = (as_counts(v, name).reshape(-1) for v, name in ((events_b, "events_b"),
                                                            (total_b, "total_b")))  # fmt: skip
    sizes = (ea.size, na.size, eb.size, nb.size)
    if len(set(sizes)) != 1:
        fail("events_a, total_a, events_b and total_b", "of the same length",
             ", ".join(map(str, sizes)))  # fmt: skip
    for events, total, arm in ((ea, na, "a"), (eb, nb, "b")):
        if np.any(events > total):
            fail(f"events_{arm}", f"at most total_{arm}", _where(events, events > total))
    return ea, na, eb, nb


def check_labels(labels, k: int, name: str, prefix: str) -> list[str]:
    """`k` row labels as strings; ``"<prefix> 1"`` ... when `labels` is None."""
    if labels is None:
        return [f"{prefix} {i + 1}" for i in range(k)]
    labels = [str(label) for label in labels]
    if len(labels) != k:
        fail(name, f"{k} labels (one per table)", len(labels))
    return labels


def check_groups(groups, name: str = "groups") -> tuple[str, str]:
    """The names of the two arms of a 2x2 comparison."""
    if isinstance(groups, str) or len(groups) != 2:
        fail(name, "two names (arm a, arm b)", repr(groups))
    first, second = (str(g) for g in groups)
    if first == second:
        fail(name, "two different names", repr(groups))
    return first, second


def zero_cell_corrected(a, b, c, d):
    """The cells with 0.5 added to all four where any is zero (Haldane-Anscombe).

    Returns the four corrected arrays and the boolean mask of corrected tables.
    """
    a, b, c, d = (np.asarray(v, dtype=float) for v in (a, b, c, d))
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    shift = np.where(zero, 0.5, 0.0)
    return a + shift, b + shift, c + shift, d + shift, zero


def log_choose(n, k):
    """log of the binomial coefficient n choose k, elementwise."""
    return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
