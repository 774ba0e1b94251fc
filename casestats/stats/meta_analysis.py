"""Random-effects meta-analysis of proportions (logit scale).

Proportions are pooled on the logit scale, by default with a binomial-normal
generalised linear mixed model (GLMM) fitted by maximum likelihood, or by
inverse-variance random-effects methods. Heterogeneity is reported as tau²
(truncated at zero), I², and Cochran's Q with its p-value, in one
:class:`~casestats.stats._twobytwo.Heterogeneity`. The inverse-variance
machinery lives in :mod:`casestats.stats._tau2`, the GLMM in
:mod:`casestats.stats._glmm`, the common result in
:mod:`casestats.stats._meta_base`. Two-arm measures (odds ratio, risk ratio,
risk difference) are in :mod:`casestats.stats.meta_comparisons` and reported
estimates in :mod:`casestats.stats.meta_estimates`; the two-arm names are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from casestats.results import tidy_frame
from casestats.stats._checks import (
    check_choice,
    check_confidence_level,
    check_events_total,
    check_labels,
    fail,
)
from casestats.stats._glmm import glmm_fit
from casestats.stats._meta_base import (
    METHOD_NAMES,
    POOLED_EXTRA,
    _MetaResult,
    pooled_fields,
    warn_small,
)
from casestats.stats._tau2 import Pooled, cochran_q_test, i2, iv_pool
from casestats.stats._twobytwo import Heterogeneity, nullable_integers
from casestats.stats.intervals import proportion_interval
from casestats.stats.meta_comparisons import (
    ODDS_RATIO_METHODS,
    MetaOddsRatioResult,
    meta_odds_ratios,
)

__all__ = [
    "ODDS_RATIO_METHODS",
    "PROPORTION_METHODS",
    "MetaOddsRatioResult",
    "MetaProportionResult",
    "_MetaResult",
    "meta_odds_ratios",
    "meta_proportions",
]

PROPORTION_METHODS = ("glmm", "reml", "dl", "pm", "ml")


@dataclass(frozen=True, eq=False, repr=False)
class MetaProportionResult(_MetaResult):
    """Pooled proportion from a random-effects meta-analysis on the logit scale.

    Attributes
    ----------
    estimate, ci_low, ci_high : float
        Pooled proportion and its interval (back-transformed from the logit).
    pi_low, pi_high : float
        Prediction interval for the proportion in a new study.
    mu, se : float
        Pooled logit and its standard error.
    statistic, pvalue : float
        z-test of a pooled logit of 0 (t with k - 1 df under Knapp-Hartung), as metafor.
    heterogeneity : Heterogeneity
        tau² (logit scale), I² in percent and Cochran's Q from the
        inverse-variance fixed-effect fit, its df and p (also ``tau2``, ``i2``).
    method : str
        ``"glmm"``, ``"reml"``, ``"dl"``, ``"pm"`` or ``"ml"``; ``method_label``
        names the pooled row and ``method_description`` says it in words.
    labels : tuple of str
        Study labels; ``events`` and ``total`` the counts per study.
    weights : tuple of float
        Study weights in percent (see :func:`meta_proportions`).
    measure : str
        What was pooled, in metafor's codes: ``"PLO"`` here (logit of a
        proportion); ``"OR"``, ``"RR"``, ``"RD"`` or ``"GEN"`` (generic) for
        the other meta-analysis results.
    yi, vi : tuple of float
        The analysis-scale study estimates (here the observed logits, 0.5
        added in studies with 0 or all events) and their sampling variances,
        for exactly the studies pooled, in ``labels`` order.
    """

    scale = "proportion"

    def _study_method(self, i: int) -> str:
        return "clopper-pearson"

    def to_frame(self) -> pd.DataFrame:
        """Forest-plot frame: one ``study`` row per study, then the ``pooled`` row."""
        rows = [
            {"group": "study", "level": label, "events": self.events[i],
             "total": self.total[i], **self._study_values(i)}
            for i, label in enumerate(self.labels)
        ]  # fmt: skip
        pooled = self._pooled_values()
        if self.hksj and self.k > 1:
            pooled["df"] = self.k - 1
        rows.append({"group": "pooled", "level": self.method_label, "events": sum(self.events),
                     "total": sum(self.total), **pooled})  # fmt: skip
        frame = tidy_frame(rows, extra=["df", *POOLED_EXTRA])
        return nullable_integers(frame, names=("df", "q_df"))

# --------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------


def _pool_logits(x, n, y, v, method: str, hksj: bool, level: float) -> tuple[Pooled, str]:
    """The pooled logit by the GLMM or an inverse-variance method, and the row label."""
    if method != "glmm":
        knha = ", HKSJ" if hksj and x.size > 1 else ""
        return iv_pool(y, v, method, hksj, level), f"random effects ({METHOD_NAMES[method]}{knha})"
    if x.size > 1 and (np.all(x == 0) or np.all(x == n)):
        raise ValueError(
            "the GLMM has no finite estimate when every study has 0 (or all) events; "
            "use an inverse-variance method (e.g. method='reml'), which adds 0.5"
        )
    if x.size == 1:
        # The binomial ML standard error of one logit equals the inverse-variance one.
        return iv_pool(y, v, "dl", False, level), "random effects (GLMM)"
    mu, tau, se = glmm_fit(x, n)
    z = float(stats.norm.isf((1 - level) / 2))
    w = 1.0 / (v + tau * tau)
    return Pooled(mu, se, tau * tau, z, z, 100 * w / w.sum()), "random effects (GLMM)"


def meta_proportions(
    events: Sequence[int],
    total: Sequence[int],
    *,
    method: str = "glmm",
    hksj: bool = False,
    labels: Sequence[str] | None = None,
    confidence_level: float = 0.95,
) -> MetaProportionResult:
    """Random-effects meta-analysis of proportions on the logit scale.

    Parameters
    ----------
    events, total : array-like of int
        Events and totals per study (``0 <= events <= total``, ``total > 0``).
    method : {"glmm", "reml", "dl", "pm", "ml"}, default "glmm"
        ``"glmm"``: binomial-normal random-intercept model (logit link),
        fitted by maximum likelihood, the random effects integrated out by
        adaptive quadrature centred at their conditional modes (the model of
        ``metafor::rma.glmm(measure="PLO", method="ML")``; see Notes). The others
        are inverse-variance methods on the observed logits with tau² by
        REML, DerSimonian-Laird, Paule-Mandel or ML.
    hksj : bool, default False
        Hartung-Knapp-Sidik-Jonkman (Knapp-Hartung) standard error with
        t(k - 1) quantiles for the confidence and prediction intervals and
        the test (``metafor::rma(test="knha")``), for the inverse-variance
        methods only: it rescales the variance of an inverse-variance
        weighted mean, and the GLMM has no such weights (``rma.glmm``'s
        ``test="t"`` changes only the quantile), so ``method="glmm"`` with
        ``hksj=True`` raises ValueError.
    labels : sequence of str, optional
        Study labels (``"study 1"`` ... by default).
    confidence_level : float, default 0.95
        Level of the confidence and prediction intervals.

    Returns
    -------
    MetaProportionResult

    Warns
    -----
    SmallSampleWarning
        With fewer than 5 studies.

    Notes
    -----
    The inverse-variance methods need a finite logit for each study: 0.5 is
    added to events and non-events only in studies with 0 or all events
    (the GLMM needs no correction). Q, its p-value and the typical
    within-study variance behind I² (Higgins-Thompson, as metafor) always
    come from these inverse-variance logits; for the GLMM, I² uses the GLMM
    tau². The prediction interval is ``mu ± z sqrt(se² + tau²)`` on the
    logit scale (metafor's default, normal quantile). Study weights are
    ``1 / (v_i + tau²)`` in percent; for the GLMM they are not the weights
    of the fit (which has none) but the inverse-variance weights under the
    GLMM tau², a guide for the forest plot. Per-study intervals are
    Clopper-Pearson. The pooled row's z-test (of a logit of 0, i.e. a
    proportion of 1/2) is the one metafor prints.

    The GLMM integrates each random effect by a trapezoid rule over the
    region, centred on its conditional mode, where the integrand is within
    exp(-45) of its peak; this is exact to rounding for these smooth
    one-dimensional integrals. lme4's adaptive Gauss-Hermite quadrature
    (``nAGQ`` up to 25) agrees to about 1e-8 on ordinary data but is off by
    about 1e-3 when a study with 0 events meets a large tau², where the
    posterior of its random effect is skewed. The standard error of the
    pooled logit comes from the inverse observed information in (mu, tau),
    as lme4's ``vcov``.

    A single study gives tau² = 0 and the pooled estimate equal to that
    study (Q = 0 with df = 0 and a NaN p-value). The GLMM has no finite
    estimate when every study has 0 events (or every study all events);
    that raises ValueError.

    Examples
    --------
    >>> res = meta_proportions([30, 45, 8, 60, 5], [120, 200, 40, 300, 22], method="dl")
    >>> round(res.estimate, 4), res.tau2
    (0.2176, 0.0)
    >>> res.heterogeneity.text()
    'I² = 0%, τ² = 0, Q = 1.4 (df = 4), p = 0.84'
    >>> [round(v, 4) for v in res.confidence_interval(0.8)]
    [0.198, 0.2386]
    """
    check_choice(method, PROPORTION_METHODS)
    level = check_confidence_level(confidence_level)
    if hksj and method == "glmm":
        fail("method", "an inverse-variance method ('reml', 'dl', 'pm' or 'ml') with hksj=True "
             "(Knapp-Hartung rescales inverse-variance weights; the GLMM has none)",
             repr(method))  # fmt: skip
    if np.ndim(events) != 1 or np.shape(events) != np.shape(total):
        fail("events and total", "one-dimensional and of the same length",
             f"shapes {np.shape(events)} and {np.shape(total)}")  # fmt: skip
    x, n = check_events_total(events, total)
    labels = check_labels(labels, x.size, "labels", "study")
    k = x.size
    warn_small(k)

    edge = (x == 0) | (x == n)
    shift = np.where(edge, 0.5, 0.0)
    y = np.log((x + shift) / (n - x + shift))
    v = 1.0 / (x + shift) + 1.0 / (n - x + shift)
    pooled, label = _pool_logits(x, n, y, v, method, hksj, level)
    q, q_df, q_p = cochran_q_test(y, v)
    low, high = proportion_interval(x, n, method="clopper-pearson", confidence_level=level)
    return MetaProportionResult(
        **pooled_fields(pooled, special.expit, k, hksj),
        confidence_level=level,
        heterogeneity=Heterogeneity("Cochran's Q", q, q_df, q_p, i2(pooled.tau2, v), pooled.tau2),
        method=method,
        hksj=bool(hksj),
        method_label=label,
        method_description=f"logit, {METHOD_NAMES[method]}{pooled.note}",
        labels=tuple(labels),
        events=tuple(int(e) for e in x),
        total=tuple(int(t) for t in n),
        study_estimate=tuple(float(e) for e in x / n),
        study_ci_low=tuple(float(e) for e in low),
        study_ci_high=tuple(float(e) for e in high),
        measure="PLO",
        yi=tuple(float(e) for e in y),
        vi=tuple(float(e) for e in v),
    )

