"""What the heterogeneity, influence and small-study tools read from a meta result.

Every such tool takes a fitted meta-analysis first (as metafor's ``leave1out(res)``)
and refits the studies it pooled: their analysis-scale effects ``yi`` and sampling
variances ``vi``, with the result's tau² method, Knapp-Hartung choice and level.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import special

from casestats.exceptions import SmallSampleWarning
from casestats.stats._checks import check_confidence_level, fail

#: tau² methods whose fits can be refitted from (yi, vi) alone.
IV_METHODS = ("reml", "dl", "pm", "ml")

# Analysis scale -> natural scale, and the names of both scales.
_BACK = {"PLO": special.expit, "OR": np.exp, "RR": np.exp, "HR": np.exp}
SCALE_NAMES = {
    "PLO": ("logit proportion", "proportion"),
    "OR": ("log odds ratio", "odds ratio"),
    "RR": ("log risk ratio", "risk ratio"),
    "HR": ("log hazard ratio", "hazard ratio"),
    "RD": ("risk difference", "risk difference"),
}


@dataclass(frozen=True)
class Studies:
    """The inverse-variance inputs of a meta result, as arrays."""

    y: np.ndarray
    v: np.ndarray
    labels: tuple[str, ...]
    method: str
    hksj: bool
    level: float
    measure: str

    @property
    def k(self) -> int:
        return int(self.y.size)

    def back(self, value):
        """Natural-scale value(s) of analysis-scale `value`."""
        return back_transform(self.measure)(value)

    @property
    def scale(self) -> str:
        """Name of the analysis scale, e.g. ``"log odds ratio"``."""
        return SCALE_NAMES.get(self.measure, ("effect", "effect"))[0]


def back_transform(measure: str):
    """The function from the analysis scale of `measure` to its natural scale."""
    return _BACK.get(measure, _identity)


def _identity(value):
    return value


def iv_studies(result, what: str, confidence_level: float | None = None) -> Studies:
    """The studies of an inverse-variance meta result; a clear error for anything else."""
    for name in ("yi", "vi", "method", "labels", "measure"):
        if not hasattr(result, name):
            fail(f"the first argument of {what}", "a meta-analysis result "
                 "(from meta_proportions or meta_odds_ratios)", type(result).__name__)  # fmt: skip
    if hasattr(result, "terms"):
        # A meta-regression carries yi and vi too, but refitting them without its
        # moderators would silently answer another question.
        fail(f"the first argument of {what}", "a meta-analysis without moderators",
             "a meta-regression result")  # fmt: skip
    method = result.method
    if method not in IV_METHODS:
        name = {"glmm": "binomial-normal GLMM", "mh": "Mantel-Haenszel"}.get(method, method)
        fail(f"the result given to {what}",
             f"an inverse-variance fit (method {', '.join(map(repr, IV_METHODS))}); "
             f"this one was pooled by method={method!r} ({name}), which has no "
             "inverse-variance weights to refit: pool again with method='reml'",
             repr(method))  # fmt: skip
    level = result.confidence_level if confidence_level is None else confidence_level
    return Studies(
        y=np.asarray(result.yi, dtype=float),
        v=np.asarray(result.vi, dtype=float),
        labels=tuple(result.labels),
        method=method,
        hksj=bool(getattr(result, "hksj", False)),
        level=check_confidence_level(level),
        measure=result.effect_code,  # pooled reported estimates: the measure they report
    )


def check_study_count(k: int, what: str, *, minimum: int, advised: int | None = None) -> None:
    """Refuse fewer than `minimum` studies; warn below `advised`, saying why."""
    if k < minimum:
        fail(f"the number of studies for {what}", f"at least {minimum}", k)
    if advised is not None and k < advised:
        warnings.warn(
            f"{what} with {k} studies: tests for funnel-plot asymmetry have too little power "
            f"to tell chance from small-study effects with fewer than {advised} studies "
            "(Sterne et al. 2011, BMJ 343:d4002); read the result as descriptive",
            SmallSampleWarning,
            stacklevel=3,
        )


def h2_from_i2(i2: float) -> float:
    """H² = 1 / (1 - I²), with I² in percent (metafor's (vt + tau²) / vt)."""
    return math.inf if i2 >= 100 else 100.0 / (100.0 - i2)
