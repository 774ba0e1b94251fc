"""Argument checks shared by the resampling tests (Monte Carlo and permutation)."""

from __future__ import annotations

import numpy as np


def generator(rng) -> np.random.Generator:
    """A numpy Generator from an int seed or a Generator (used as given)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ValueError(f"rng={rng!r}; expected a non-negative int seed or a numpy Generator")


def check_n_resamples(n_resamples) -> int:
    """`n_resamples` as a positive int, or a clear error."""
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise ValueError(f"n_resamples={n_resamples!r}; expected a positive int")
    if n_resamples < 1:
        raise ValueError(f"n_resamples={n_resamples!r}; expected a positive int")
    return int(n_resamples)


def pvalue_interval(hits: int, n_resamples: int, confidence_level: float):
    """Clopper-Pearson interval of the p-value a resampling test estimates."""
    from casestats.stats.intervals import proportion_interval

    low, high = proportion_interval(
        hits, n_resamples, method="clopper-pearson", confidence_level=confidence_level
    )
    return float(low), float(high)
