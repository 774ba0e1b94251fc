"""Meta-analysis of two-arm studies: odds ratios, risk ratios and risk differences.

One engine pools all three measures, by inverse-variance random effects (tau²
by REML, DerSimonian-Laird, Paule-Mandel or ML, optionally Knapp-Hartung) or by
the Mantel-Haenszel fixed-effect estimator, as ``metafor::rma`` and
``metafor::rma.mh`` do. What differs between the measures is small and lives
in one :class:`_Measure` each: the study effect and its variance, which
studies carry no information, and the Mantel-Haenszel estimator.

Zero cells (as metafor, ``add = 1/2, to = "only0"``): 0.5 is added to all four
cells of a study with a zero cell, for its effect and variance only. Studies
without events in either arm (or with only events in both) are excluded from
odds-ratio and risk-ratio pooling (``drop00 = TRUE``) and listed in
``excluded``; risk differences keep them (their difference is 0).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from casestats.exceptions import CasestatsWarning
from casestats.results import tidy_frame
from casestats.stats._checks import (
    check_choice,
    check_confidence_level,
    check_groups,
    check_labels,
    fail,
    two_arm_counts,
    zero_cell_corrected,
)
from casestats.stats._meta_base import (
    METHOD_NAMES,
    POOLED_EXTRA,
    _MetaResult,
    pooled_fields,
    warn_small,
)
from casestats.stats._tau2 import Pooled, cochran_q_test, i2, iv_pool
from casestats.stats._twobytwo import (
    DEFAULT_GROUPS,
    LAYOUT_EXTRA,
    Heterogeneity,
    nullable_integers,
    table_row,
)
from casestats.stats.stratified import mantel_haenszel

__all__ = [
    "ODDS_RATIO_METHODS",
    "RISK_DIFFERENCE_METHODS",
    "RISK_RATIO_METHODS",
    "MetaOddsRatioResult",
    "MetaRiskDifferenceResult",
    "MetaRiskRatioResult",
    "meta_odds_ratios",
    "meta_risk_differences",
    "meta_risk_ratios",
]

#: Methods of every two-arm meta-analysis (the same for the three measures).
ODDS_RATIO_METHODS = RISK_RATIO_METHODS = RISK_DIFFERENCE_METHODS = (
    "reml", "dl", "pm", "ml", "mh",
)  # fmt: skip


# --------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class _MetaTwoArmResult(_MetaResult):
    """Pooled comparison of arm a with arm b; the measure is set by the subclass."""

    events_b: tuple[int, ...] = ()
    total_b: tuple[int, ...] = ()
    groups: tuple[str, str] = DEFAULT_GROUPS
    corrected: tuple[bool, ...] = ()
    excluded: tuple[str, ...] = ()

    frame_measure = ""

    def _study_method(self, i: int) -> str:
        return "wald-haldane" if self.corrected[i] else "wald"

    def to_frame(self) -> pd.DataFrame:
        """The 2x2 layout: ``study`` rows, then the ``pooled`` row (heterogeneity columns)."""
        rows = [
            table_row("study", label, self.groups, counts, measure=self.frame_measure,
                      **self._study_values(i))
            for i, (label, counts) in enumerate(zip(self.labels, zip(
                self.events, self.total, self.events_b, self.total_b, strict=True), strict=True))
        ]  # fmt: skip
        totals = (sum(self.events), sum(self.total), sum(self.events_b), sum(self.total_b))
        pooled = self._pooled_values()
        if self.hksj and self.k > 1:
            pooled["df"] = self.k - 1
        rows.append(table_row("pooled", self.method_label, self.groups, totals,
                              measure=self.frame_measure, **pooled))  # fmt: skip
        frame = tidy_frame(rows, extra=[*LAYOUT_EXTRA, *POOLED_EXTRA])
        return nullable_integers(frame, names=("events_b", "total_b", "df", "q_df"))

    def _summary_lines(self) -> list[str]:
        lines = super()._summary_lines()
        lines.insert(1, f"  {self.groups[0]} vs {self.groups[1]}")
        if self.excluded:
            lines.append(
                f"  excluded (no information on the {self.scale}): {', '.join(self.excluded)}"
            )
        return lines


_TWO_ARM_DOC = """Pooled {name} (arm a vs arm b) across studies.

    Attributes as :class:`~casestats.stats.meta_analysis.MetaProportionResult`,
    on the {name} scale: ``mu`` is the pooled {analysis} and ``statistic``
    tests {null}; ``measure`` is ``"{code}"``, ``yi`` and ``vi`` the study
    {analysis}s and their variances (0.5 added to every cell of studies with
    a zero cell). Plus the arm-b counts ``events_b``, ``total_b``, the arms'
    names ``groups``, which studies were corrected (``corrected``) and the
    labels of the studies excluded for having no information (``excluded``).
    """


@dataclass(frozen=True, eq=False, repr=False)
class MetaOddsRatioResult(_MetaTwoArmResult):
    __doc__ = _TWO_ARM_DOC.format(
        name="odds ratio", analysis="log odds ratio", null="log OR = 0", code="OR"
    )
    scale = "odds ratio"
    frame_measure = "odds_ratio"


@dataclass(frozen=True, eq=False, repr=False)
class MetaRiskRatioResult(_MetaTwoArmResult):
    __doc__ = _TWO_ARM_DOC.format(
        name="risk ratio", analysis="log risk ratio", null="log RR = 0", code="RR"
    )
    scale = "risk ratio"
    frame_measure = "risk_ratio"


@dataclass(frozen=True, eq=False, repr=False)
class MetaRiskDifferenceResult(_MetaTwoArmResult):
    __doc__ = _TWO_ARM_DOC.format(
        name="risk difference", analysis="risk difference", null="RD = 0", code="RD"
    )
    scale = "risk difference"
    frame_measure = "risk_difference"


# --------------------------------------------------------------------------
# the measures
# --------------------------------------------------------------------------


def _log_odds_ratios(a, b, c, d):
    y = np.log(a * d / (b * c))
    return y, 1 / a + 1 / b + 1 / c + 1 / d


def _log_risk_ratios(a, b, c, d):
    n1, n2 = a + b, c + d
    return np.log(a / n1) - np.log(c / n2), 1 / a - 1 / n1 + 1 / c - 1 / n2


def _risk_differences(a, b, c, d):
    p1, p2 = a / (a + b), c / (c + d)
    # metafor's vtype = "LS": the large-sample variance from the observed proportions.
    return p1 - p2, p1 * (1 - p1) / (a + b) + p2 * (1 - p2) / (c + d)


def _mh_odds_ratio(a, b, c, d, level):
    """log of the MH odds ratio, the Robins-Breslow-Greenland SE and the MH weights."""
    with warnings.catch_warnings():
        # The infinite case is warned about once, in meta-analysis terms.
        warnings.simplefilter("ignore", CasestatsWarning)
        mh = mantel_haenszel(
            events_a=a, total_a=a + b, events_b=c, total_b=c + d, confidence_level=level
        )
    with np.errstate(divide="ignore"):
        mu = float(np.log(mh.estimate))
    return mu, mh.se_log, b * c / (a + b + c + d)


def _mh_risk_ratio(a, b, c, d, level):
    """log of the MH risk ratio, the Greenland-Robins (1985) SE and the MH weights."""
    n1, n2 = a + b, c + d
    n = n1 + n2
    r, s = (a * n2 / n).sum(), (c * n1 / n).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = float(np.log(r / s))
        se = float(np.sqrt((n1 * n2 * (a + c) / n**2 - a * c / n).sum() / (r * s)))
    return mu, se, c * n1 / n


def _mh_risk_difference(a, b, c, d, level):
    """The MH risk difference, the Sato-Greenland-Robins (1989) SE and the MH weights."""
    n1, n2 = a + b, c + d
    n = n1 + n2
    w = n1 * n2 / n
    mu = float((a * n2 / n - c * n1 / n).sum() / w.sum())
    p_term = (c * (n1 / n) ** 2 - a * (n2 / n) ** 2 + w / n * (n2 - n1) / 2).sum()
    q_term = (a * (n2 - c) / n + c * (n1 - a) / n).sum() / 2
    return mu, float(np.sqrt((mu * p_term + q_term) / w.sum() ** 2)), w


@dataclass(frozen=True)
class _Measure:
    code: str
    name: str
    analysis: str
    result: type
    effects: Callable
    mantel_haenszel: Callable
    mh_interval: str
    drop00: bool

    def informative(self, a, b, c, d):
        """Studies with both arms and, unless the measure keeps them, both outcomes."""
        keep = (a + b > 0) & (c + d > 0)
        return keep & (a + c > 0) & (b + d > 0) if self.drop00 else keep


_MEASURES = {
    "OR": _Measure("OR", "odds ratio", "log odds ratio", MetaOddsRatioResult,
                   _log_odds_ratios, _mh_odds_ratio, "Robins-Breslow-Greenland", True),
    "RR": _Measure("RR", "risk ratio", "log risk ratio", MetaRiskRatioResult,
                   _log_risk_ratios, _mh_risk_ratio, "Greenland-Robins", True),
    "RD": _Measure("RD", "risk difference", "risk difference", MetaRiskDifferenceResult,
                   _risk_differences, _mh_risk_difference, "Sato-Greenland-Robins", False),
}  # fmt: skip


# --------------------------------------------------------------------------
# the engine
# --------------------------------------------------------------------------


def _pool_mantel_haenszel(measure: _Measure, cells, y, v, level):
    """The MH fixed-effect estimate, with Q around it and I² = (Q - df) / Q (as rma.mh).

    Q is summed over the studies with both outcomes only (rma.mh's default
    ``drop00``), which for risk differences may be fewer than those pooled.
    """
    a, b, c, d = cells
    z = float(stats.norm.isf((1 - level) / 2))
    mu, se, w = measure.mantel_haenszel(a, b, c, d, level)
    with np.errstate(invalid="ignore"):  # all-zero weights when the estimate is infinite
        weights = 100 * w / w.sum()
    if not math.isfinite(mu):
        # Q around a log ratio of -inf or inf is not a heterogeneity statistic.
        warnings.warn(
            f"the Mantel-Haenszel {measure.name} is {math.exp(mu):g}: its interval, Q and "
            "I² are undefined (NaN)",
            CasestatsWarning,
            stacklevel=4,
        )
        pooled = Pooled(mu, math.nan, 0.0, z, z, weights)
        return pooled, Heterogeneity("Cochran's Q", math.nan, a.size - 1, math.nan, math.nan, 0.0)
    pooled = Pooled(mu, se, 0.0, z, z, weights)
    rows = (a + c > 0) & (b + d > 0)
    k = int(rows.sum())
    if k < 2:
        return pooled, Heterogeneity("Cochran's Q", 0.0, 0, math.nan, 0.0, 0.0)
    q = float(((y[rows] - mu) ** 2 / v[rows]).sum())
    i2_mh = max(0.0, 100 * (q - (k - 1)) / q) if q > 0 else 0.0
    het = Heterogeneity("Cochran's Q", q, k - 1, float(stats.chi2.sf(q, k - 1)), i2_mh, 0.0)
    return pooled, het


def _meta_two_arm(code, events_a, total_a, events_b, total_b, *, method, hksj, labels, groups,
                  confidence_level):  # fmt: skip
    """The shared engine of meta_odds_ratios, meta_risk_ratios and meta_risk_differences."""
    measure = _MEASURES[code]
    check_choice(method, ODDS_RATIO_METHODS)
    level = check_confidence_level(confidence_level)
    if hksj and method == "mh":
        fail("method", "an inverse-variance method ('reml', 'dl', 'pm' or 'ml') with hksj=True",
             repr(method))  # fmt: skip
    groups = check_groups(groups)
    ea, na, eb, nb = two_arm_counts(events_a, total_a, events_b, total_b)
    labels = check_labels(labels, ea.size, "labels", "study")
    cells = (ea, na - ea, eb, nb - eb)
    keep = measure.informative(*cells)
    if not keep.any():
        both = " and both outcomes" if measure.drop00 else ""
        raise ValueError(f"no study has both arms{both}; the {measure.name} is undefined")
    excluded = tuple(lab for lab, k_ in zip(labels, keep, strict=True) if not k_)
    cells = tuple(x[keep] for x in cells)
    a, b, c, d = cells
    k = a.size
    warn_small(k, stacklevel=4)

    *corrected_cells, zero = zero_cell_corrected(*cells)
    y, v = measure.effects(*corrected_cells)
    if method == "mh":
        pooled, het = _pool_mantel_haenszel(measure, cells, y, v, level)
        label = "fixed effect (Mantel-Haenszel)"
        description = f"{measure.analysis}, Mantel-Haenszel ({measure.mh_interval} CI)"
    else:
        pooled = iv_pool(y, v, method, hksj, level)
        het = Heterogeneity("Cochran's Q", *cochran_q_test(y, v), i2(pooled.tau2, v), pooled.tau2)
        label = f"random effects ({METHOD_NAMES[method]}{', HKSJ' if hksj and k > 1 else ''})"
        description = f"{measure.analysis}, {METHOD_NAMES[method]}{pooled.note}"

    back = np.exp if measure.code != "RD" else (lambda x: x)
    half = float(stats.norm.isf((1 - level) / 2)) * np.sqrt(v)
    return measure.result(
        **pooled_fields(pooled, back, k, hksj),
        confidence_level=level,
        heterogeneity=het,
        method=method,
        hksj=bool(hksj),
        method_label=label,
        method_description=description,
        labels=tuple(lab for lab, k_ in zip(labels, keep, strict=True) if k_),
        events=tuple(int(e) for e in a),
        total=tuple(int(e) for e in a + b),
        study_estimate=tuple(float(e) for e in back(y)),
        study_ci_low=tuple(float(e) for e in back(y - half)),
        study_ci_high=tuple(float(e) for e in back(y + half)),
        measure=measure.code,
        yi=tuple(float(e) for e in y),
        vi=tuple(float(e) for e in v),
        events_b=tuple(int(e) for e in c),
        total_b=tuple(int(e) for e in c + d),
        groups=groups,
        corrected=tuple(bool(e) for e in zero),
        excluded=excluded,
    )


# --------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------

_PARAMETERS = """
    Parameters
    ----------
    events_a, total_a, events_b, total_b : array-like of int
        Counts per study in arms a and b.
    method : {{"reml", "dl", "pm", "ml", "mh"}}, default "reml"
        Random-effects inverse-variance pooling of {analysis}s with tau² by
        REML or ML (Fisher scoring to 1e-13), DerSimonian-Laird (truncated at
        zero) or Paule-Mandel (root finding); or the Mantel-Haenszel
        fixed-effect estimator (tau² = 0) with the {mh_interval} interval.
    hksj : bool, default False
        Hartung-Knapp-Sidik-Jonkman (Knapp-Hartung) standard error with
        t(k - 1) quantiles for the confidence and prediction intervals and
        the test. Not available with ``method="mh"``.
    labels : sequence of str, optional
        Study labels.
    groups : (str, str), default ("group a", "group b")
        Names of arm a and arm b, shown in the frame and the summary.
    confidence_level : float, default 0.95
        Level of the confidence and prediction intervals.

    Returns
    -------
    {result}

    Warns
    -----
    SmallSampleWarning
        With fewer than 5 studies pooled.
    CasestatsWarning
        With ``method="mh"``, when the pooled {name} is 0 or infinite.
"""


def _documented(code: str):
    """Fill the shared Parameters ... Warns sections into a two-arm function's docstring."""
    measure = _MEASURES[code]
    text = _PARAMETERS.format(analysis=measure.analysis, mh_interval=measure.mh_interval,
                              result=measure.result.__name__, name=measure.name)  # fmt: skip

    def wrap(func):
        # a blank line after Warns, so numpydoc sees the Notes heading that follows
        func.__doc__ = func.__doc__.replace("    {parameters}\n", text.strip("\n") + "\n\n")
        return func

    return wrap


@_documented("OR")
def meta_odds_ratios(
    *,
    events_a: Sequence[int],
    total_a: Sequence[int],
    events_b: Sequence[int],
    total_b: Sequence[int],
    method: str = "reml",
    hksj: bool = False,
    labels: Sequence[str] | None = None,
    groups: tuple[str, str] = DEFAULT_GROUPS,
    confidence_level: float = 0.95,
) -> MetaOddsRatioResult:
    """Pooled odds ratio (arm a vs arm b) across studies.

    {parameters}
    Notes
    -----
    Log odds ratios use 0.5 added to all four cells only in studies with a
    zero cell. Studies with no events in either arm, or only events in both,
    carry no information on the odds ratio: they are excluded and listed in
    ``excluded`` (as metafor's ``drop00=TRUE``). Q is Cochran's statistic
    from the inverse-variance fixed-effect fit (for ``"mh"``, around the MH
    estimate, with ``I² = (Q - df) / Q``, as ``metafor::rma.mh``); otherwise
    I² is Higgins-Thompson from tau². The prediction interval uses the
    normal quantile (t(k - 1) with HKSJ), as metafor. When the MH odds ratio
    is 0 or infinite, its interval, Q and I² are NaN (``rma.mh`` gives NA).

    Examples
    --------
    >>> res = meta_odds_ratios(
    ...     events_a=[30, 45, 8, 60, 5], total_a=[120, 200, 40, 300, 22],
    ...     events_b=[12, 20, 3, 25, 1], total_b=[80, 150, 35, 180, 18],
    ...     method="dl", groups=("lcSSc", "dcSSc"),
    ... )
    >>> round(res.estimate, 4), res.tau2
    (1.8096, 0.0)
    """
    return _meta_two_arm(
        "OR", events_a, total_a, events_b, total_b, method=method, hksj=hksj, labels=labels,
        groups=groups, confidence_level=confidence_level,
    )  # fmt: skip


@_documented("RR")
def meta_risk_ratios(
    *,
    events_a: Sequence[int],
    total_a: Sequence[int],
    events_b: Sequence[int],
    total_b: Sequence[int],
    method: str = "reml",
    hksj: bool = False,
    labels: Sequence[str] | None = None,
    groups: tuple[str, str] = DEFAULT_GROUPS,
    confidence_level: float = 0.95,
) -> MetaRiskRatioResult:
    """Pooled risk ratio (arm a vs arm b) across studies.

    The risk-ratio counterpart of :func:`meta_odds_ratios`, with the same
    options, checked against ``metafor::rma(measure="RR")`` and
    ``rma.mh(measure="RR")``.

    {parameters}
    Notes
    -----
    Each study's log risk ratio ``log(a / n_a) - log(c / n_b)`` has the
    variance ``1/a - 1/n_a + 1/c - 1/n_b``, with 0.5 added to all four cells
    of a study with a zero cell. Studies without events in either arm, or
    with only events in both, are excluded and listed in ``excluded``
    (metafor's ``drop00=TRUE``; ``rma.mh`` would still count an all-events
    study in its MH sums, where it adds to both arms alike). The
    Mantel-Haenszel estimate is ``sum(a n_b / n) / sum(c n_a / n)`` with the
    Greenland-Robins (1985) variance of its log; Q and I² as for odds ratios.

    Examples
    --------
    >>> res = meta_risk_ratios(
    ...     events_a=[30, 45, 8, 60, 5], total_a=[120, 200, 40, 300, 22],
    ...     events_b=[12, 20, 3, 25, 1], total_b=[80, 150, 35, 180, 18],
    ...     method="mh", groups=("lcSSc", "dcSSc"),
    ... )
    >>> res.measure, round(res.estimate, 4)
    ('RR', 1.6418)
    """
    return _meta_two_arm(
        "RR", events_a, total_a, events_b, total_b, method=method, hksj=hksj, labels=labels,
        groups=groups, confidence_level=confidence_level,
    )  # fmt: skip


@_documented("RD")
def meta_risk_differences(
    *,
    events_a: Sequence[int],
    total_a: Sequence[int],
    events_b: Sequence[int],
    total_b: Sequence[int],
    method: str = "reml",
    hksj: bool = False,
    labels: Sequence[str] | None = None,
    groups: tuple[str, str] = DEFAULT_GROUPS,
    confidence_level: float = 0.95,
) -> MetaRiskDifferenceResult:
    """Pooled risk difference (arm a minus arm b) across studies.

    The risk-difference counterpart of :func:`meta_odds_ratios`, with the
    same options, checked against ``metafor::rma(measure="RD")`` and
    ``rma.mh(measure="RD")``. Estimates and intervals are differences of
    proportions (not percentages).

    {parameters}
    Notes
    -----
    Each study's difference ``a / n_a - c / n_b`` has the large-sample
    variance ``p_a (1 - p_a) / n_a + p_b (1 - p_b) / n_b`` (metafor's
    ``vtype="LS"``); 0.5 is added to all four cells of a study with a zero
    cell, which keeps the variance positive (as metafor, this also moves the
    study's difference slightly). Studies without events in either arm stay
    in: a difference of 0 is information. The Mantel-Haenszel estimate
    weights each study by ``n_a n_b / n``, with the Sato-Greenland-Robins
    (1989) variance; its Q sums over the studies with both outcomes only,
    as ``rma.mh`` does by default, so ``heterogeneity.df`` can be below
    ``k - 1``.

    Examples
    --------
    >>> res = meta_risk_differences(
    ...     events_a=[30, 45, 8, 60, 5], total_a=[120, 200, 40, 300, 22],
    ...     events_b=[12, 20, 3, 25, 1], total_b=[80, 150, 35, 180, 18],
    ...     method="dl", groups=("lcSSc", "dcSSc"),
    ... )
    >>> res.measure, round(res.estimate, 4), [round(x, 3) for x in res.confidence_interval()]
    ('RD', 0.0858, [0.042, 0.129])
    """
    return _meta_two_arm(
        "RD", events_a, total_a, events_b, total_b, method=method, hksj=hksj, labels=labels,
        groups=groups, confidence_level=confidence_level,
    )  # fmt: skip
