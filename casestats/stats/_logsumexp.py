"""``scipy.special.logsumexp`` for finite real arrays, without its per-call overhead.

scipy's version checks and converts its input for every array library; on the
small arrays of a root search (the conditional odds ratio's pmf, the GLMM's
quadrature) that costs more than the arithmetic. This one takes the same steps
in the same order (the maxima kept out of the sum and added back by log1p), so
it returns the same bits, and hands anything else (empty, infinite or NaN
input) to scipy.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def logsumexp(a, axis: int | None = None):
    """``log(sum(exp(a), axis))``, bit for bit as ``scipy.special.logsumexp(a, axis)``."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 0 or a.size == 0 or not np.isfinite(a).all():
        return special.logsumexp(a, axis=axis)
    axis = tuple(range(a.ndim)) if axis is None else axis
    top = a.max(axis=axis, keepdims=True)
    at_top = a == top
    count = at_top.sum(axis=axis, keepdims=True, dtype=a.dtype)
    rest = np.exp(np.where(at_top, -np.inf, a) - top).sum(axis=axis, keepdims=True)
    rest = np.where(rest == 0, rest, rest / count)
    out = np.squeeze(np.log1p(rest) + np.log(count) + top, axis=axis)
    return out[()] if out.ndim == 0 else out
