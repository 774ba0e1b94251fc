"""Generic inverse-variance meta-analysis of reported estimates.

Much of the literature prints an adjusted odds ratio (or risk or hazard
ratio) with its 95% confidence interval and no counts. Such a study enters
the pooling through its estimate on the analysis scale (the log for ratio
measures) and a standard error recovered from the interval, or through a
reported standard error. The result says what was pooled
(``effect_measure``, and per study ``inputs``) and carries ``measure="GEN"``
(metafor's code for generic effects), so that the caller keeps such rows
apart from count-based ones unless it pools them on purpose.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from casestats.results import tidy_frame
from casestats.stats._checks import (
    check_choice,
    check_confidence_level,
    check_labels,
    fail,
)
from casestats.stats._meta_base import (
    METHOD_NAMES,
    POOLED_EXTRA,
    _MetaResult,
    pooled_fields,
    warn_small,
)
from casestats.stats._tau2 import cochran_q_test, i2, iv_pool
from casestats.stats._twobytwo import Heterogeneity, nullable_integers

__all__ = ["ESTIMATE_MEASURES", "ESTIMATE_METHODS", "MetaEstimateResult", "meta_estimates"]

#: What a reported estimate may be; all but "RD" are ratios, pooled on the log scale.
ESTIMATE_MEASURES: tuple[str, ...] = ("OR", "RR", "HR", "RD")
#: Methods accepted by :func:`meta_estimates`.
ESTIMATE_METHODS: tuple[str, ...] = ("reml", "dl", "pm", "ml")
_NAMES = {"OR": "odds ratio", "RR": "risk ratio", "HR": "hazard ratio", "RD": "risk difference"}


@dataclass(frozen=True, eq=False, repr=False)
class MetaEstimateResult(_MetaResult):
    """Pooled reported estimates (generic inverse variance).

    Attributes as :class:`~casestats.stats.meta_analysis.MetaProportionResult`
    (``events`` and ``total`` are empty: there are no counts), on the scale
    of `effect_measure`: ``mu`` and ``yi`` are log ratios for ratio measures,
    differences for ``"RD"``; ``vi`` their variances. ``measure`` is
    ``"GEN"``. Plus:

    Attributes
    ----------
    effect_measure : str
        What the studies reported: ``"OR"``, ``"RR"``, ``"HR"`` or ``"RD"``.
    inputs : tuple of str
        Per study, where its standard error came from: ``"95% CI"`` (the
        level of the reported interval) or ``"SE"``.
    ci_level : float
        Level of the reported intervals.
    """

    effect_measure: str = "OR"
    inputs: tuple[str, ...] = ()
    ci_level: float = 0.95

    @property
    def scale(self) -> str:
        """The reported measure in words, e.g. ``"odds ratio"``."""
        return _NAMES[self.effect_measure]

    @property
    def effect_code(self) -> str:
        """The reported measure: its estimates are pooled on its own (log or RD) scale."""
        return self.effect_measure

    def _study_method(self, i: int) -> str:
        return "reported-se" if self.inputs[i] == "SE" else "reported-ci"

    def inputs_text(self) -> str:
        """What was pooled, e.g. ``reported odds ratios: 5 from their 95% CI, 1 from its SE``."""
        parts = []
        for kind in dict.fromkeys(self.inputs):
            n = self.inputs.count(kind)
            whose = "its" if n == 1 else "their"
            parts.append(f"{n} from {whose} {kind}")
        return f"reported {self.scale}s: {', '.join(parts)}"

    def to_frame(self) -> pd.DataFrame:
        """``study`` rows (``method`` says where the SE came from), then the ``pooled`` row."""
        measure = self.scale.replace(" ", "_")
        rows = [
            {"group": "study", "level": label, "measure": measure, **self._study_values(i)}
            for i, label in enumerate(self.labels)
        ]
        pooled = self._pooled_values()
        if self.hksj and self.k > 1:
            pooled["df"] = self.k - 1
        pooled["note"] = f"{pooled['note']}; {self.inputs_text()}"
        rows.append({"group": "pooled", "level": self.method_label, "measure": measure, **pooled})
        frame = tidy_frame(rows, extra=["measure", "df", *POOLED_EXTRA])
        return nullable_integers(frame, names=("df", "q_df"))

    def _summary_lines(self) -> list[str]:
        lines = super()._summary_lines()
        lines.insert(1, f"  {self.inputs_text()} (no counts)")
        return lines


def _as_values(values, name: str, k: int) -> np.ndarray:
    """A float array of length k; None and NaN mark values not reported."""
    if values is None:
        return np.full(k, np.nan)
    if np.ndim(values) != 1 or len(values) != k:
        fail(name, f"one value per study ({k})", repr(values))
    try:
        return np.array([np.nan if v is None else float(v) for v in values])
    except (TypeError, ValueError):
        fail(name, "numbers (None where not reported)", repr(values))


def _check_rows(labels, est, lower, upper, se, ratio: bool) -> None:
    """All the problems with the reported rows at once."""
    problems = []
    for i, label in enumerate(labels):
        where = f"row {i} ({label})"
        if not math.isfinite(est[i]) or (ratio and est[i] <= 0):
            problems.append(f"{where}: estimate must be {'positive' if ratio else 'finite'}, "
                            f"got {est[i]}")  # fmt: skip
            continue
        if math.isfinite(se[i]):
            if se[i] <= 0:
                problems.append(f"{where}: se must be positive, got {se[i]}")
            continue
        if not (math.isfinite(lower[i]) and math.isfinite(upper[i])):
            problems.append(f"{where}: needs se, or both lower and upper, got neither")
        elif not lower[i] < est[i] < upper[i] or (ratio and lower[i] <= 0):
            problems.append(f"{where}: lower < estimate < upper{' with lower > 0' if ratio else ''}"
                            f" expected, got {lower[i]}, {est[i]}, {upper[i]}")  # fmt: skip
    if problems:
        raise ValueError("; ".join(problems))


def meta_estimates(
    estimate: Sequence[float],
    *,
    lower: Sequence[float | None] | None = None,
    upper: Sequence[float | None] | None = None,
    se: Sequence[float | None] | None = None,
    measure: str = "OR",
    method: str = "reml",
    hksj: bool = False,
    labels: Sequence[str] | None = None,
    ci_level: float = 0.95,
    confidence_level: float = 0.95,
) -> MetaEstimateResult:
    """Random-effects meta-analysis of reported estimates (generic inverse variance).

    Parameters
    ----------
    estimate : array-like of float
        The reported estimate per study, on its natural scale (an odds
        ratio of 2.1, a risk difference of 0.12).
    lower, upper : array-like of float or None, optional
        The reported confidence limits (natural scale); None where a study
        gives its standard error instead.
    se : array-like of float or None, optional
        Reported standard errors, on the analysis scale: of the log
        estimate for ratio measures, of the difference for ``"RD"``. A
        study with an SE uses it; the others need both limits.
    measure : {"OR", "RR", "HR", "RD"}, default "OR"
        What every study reported. Ratio measures are pooled on the log
        scale; the SE from an interval is then
        ``(log(upper) - log(lower)) / (2 z)`` with ``z`` the normal quantile
        of `ci_level`, and ``(upper - lower) / (2 z)`` for ``"RD"``.
    method : {"reml", "dl", "pm", "ml"}, default "reml"
        The tau² estimator, as in :func:`casestats.meta_odds_ratios`.
    hksj : bool, default False
        Knapp-Hartung standard error with t(k - 1) quantiles.
    labels : sequence of str, optional
        Study labels.
    ci_level : float, default 0.95
        Level of the reported intervals (the same for every study).
    confidence_level : float, default 0.95
        Level of the pooled confidence and prediction intervals.

    Returns
    -------
    MetaEstimateResult

    Raises
    ------
    ValueError
        Listing every row with a missing or impossible estimate, SE or
        interval (e.g. an estimate outside its own interval).

    Warns
    -----
    SmallSampleWarning
        With fewer than 5 studies.

    Notes
    -----
    This is ``metafor::rma(yi, sei = ...)`` on ``yi = log(estimate)``. The
    SE from an interval assumes it was symmetric on the analysis scale
    (a Wald interval); rounding in print makes the recovered SE inexact in
    the third digit, and the study intervals in the frame and the forest
    plot, recomputed from the SE at `confidence_level`, can differ from the
    printed ones in the last digit. Studies must report the same measure: an adjusted odds
    ratio is not a risk ratio, and reported estimates are not to be mixed
    with count-based studies without deciding so (the result carries
    ``measure="GEN"`` and ``inputs`` to make that visible).

    Examples
    --------
    >>> res = meta_estimates(
    ...     [2.1, 1.6, 3.4, 0.9, 1.9], lower=[1.1, 0.8, 1.2, 0.4, None],
    ...     upper=[4.0, 3.2, 9.6, 2.0, None], se=[None, None, None, None, 0.31],
    ...     measure="OR", method="dl",
    ... )
    >>> round(res.estimate, 3), res.inputs
    (1.76, ('95% CI', '95% CI', '95% CI', '95% CI', 'SE'))
    >>> res.inputs_text()
    'reported odds ratios: 4 from their 95% CI, 1 from its SE'
    """
    check_choice(measure, ESTIMATE_MEASURES, "measure")
    check_choice(method, ESTIMATE_METHODS)
    level = check_confidence_level(confidence_level)
    reported_level = float(ci_level) if isinstance(ci_level, int | float) else math.nan
    if not 0.0 < reported_level < 1.0:
        fail("ci_level", "a number strictly between 0 and 1", repr(ci_level))
    if np.ndim(estimate) != 1 or len(estimate) == 0:
        fail("estimate", "one value per study", repr(estimate))
    k = len(estimate)
    labels = check_labels(labels, k, "labels", "study")
    est = _as_values(estimate, "estimate", k)
    low, high = _as_values(lower, "lower", k), _as_values(upper, "upper", k)
    given_se = _as_values(se, "se", k)
    ratio = measure != "RD"
    _check_rows(labels, est, low, high, given_se, ratio)
    warn_small(k)

    scale = np.log if ratio else (lambda x: x)
    z_reported = float(stats.norm.isf((1 - reported_level) / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        from_ci = (scale(high) - scale(low)) / (2 * z_reported)
    use_se = np.isfinite(given_se)
    sei = np.where(use_se, given_se, from_ci)
    y, v = scale(est), sei**2
    pooled = iv_pool(y, v, method, hksj, level)
    het = Heterogeneity("Cochran's Q", *cochran_q_test(y, v), i2(pooled.tau2, v), pooled.tau2)
    back = np.exp if ratio else (lambda x: x)
    half = float(stats.norm.isf((1 - level) / 2)) * sei
    ci_name = f"{100 * reported_level:g}% CI"
    analysis = f"log {_NAMES[measure]}" if ratio else _NAMES[measure]
    return MetaEstimateResult(
        **pooled_fields(pooled, back, k, hksj),
        confidence_level=level,
        heterogeneity=het,
        method=method,
        hksj=bool(hksj),
        method_label=f"random effects ({METHOD_NAMES[method]}"
        f"{', HKSJ' if hksj and k > 1 else ''})",
        method_description=f"reported {analysis}, {METHOD_NAMES[method]}{pooled.note}",
        labels=tuple(labels),
        events=(),
        total=(),
        study_estimate=tuple(float(e) for e in est),
        study_ci_low=tuple(float(e) for e in back(y - half)),
        study_ci_high=tuple(float(e) for e in back(y + half)),
        measure="GEN",
        yi=tuple(float(e) for e in y),
        vi=tuple(float(e) for e in v),
        effect_measure=measure,
        inputs=tuple("SE" if s else ci_name for s in use_se),
        ci_level=reported_level,
    )
