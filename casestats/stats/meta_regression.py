"""Mixed-effects meta-regression on study-level moderators, as ``metafor::rma(yi, vi, mods=)``.

The model is ``yi = x_i' beta + u_i + e_i`` with ``u_i ~ N(0, tau²)`` and
``e_i ~ N(0, vi)``. tau² is the residual between-study variance, estimated by
REML, ML, DerSimonian-Laird or Paule-Mandel generalised to a design matrix (for
an intercept-only design the estimators of :mod:`casestats.stats._tau2` are
used, so a model without moderators reproduces the meta-analysis exactly).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import check_choice, check_confidence_level, fail
from casestats.stats._meta_input import IV_METHODS, Studies, iv_studies
from casestats.stats._tau2 import _tau2

__all__ = ["MetaRegressionResult", "meta_regression"]

_TOL = 1e-13
_MAX_ITER = 1000


# --------------------------------------------------------------------------
# the engine, shared with subgroups, influence and the small-study tests
# --------------------------------------------------------------------------


def _weighted_projection(w, X):
    """P = W - W X (X'WX)^-1 X'W and (X'WX)^-1."""
    wx = w[:, None] * X
    inv = np.linalg.inv(X.T @ wx)
    return np.diag(w) - wx @ inv @ wx.T, inv


def tau2_general(y, v, X, method: str) -> float:
    """Residual tau² of ``y ~ X`` by `method`, truncated at zero (as metafor)."""
    k, p = X.shape
    if k == p:
        return 0.0
    p0, _ = _weighted_projection(1.0 / v, X)
    dl = max(0.0, (y @ p0 @ y - (k - p)) / np.trace(p0))
    if method == "dl":
        return float(dl)
    if method == "pm":
        def excess(tau2):
            return y @ _weighted_projection(1.0 / (v + tau2), X)[0] @ y - (k - p)

        if excess(0.0) <= 0:
            return 0.0
        upper = max(1.0, 2 * dl)
        while excess(upper) > 0:
            upper *= 2
        return float(optimize.brentq(excess, 0.0, upper, xtol=1e-15,
                                     rtol=4 * np.finfo(float).eps))  # fmt: skip
    tau2 = dl
    for _ in range(_MAX_ITER):
        w = 1.0 / (v + tau2)
        proj, _ = _weighted_projection(w, X)
        py = proj @ y
        if method == "reml":
            step = (py @ py - np.trace(proj)) / np.trace(proj @ proj)
        else:  # ML
            step = (py @ py - w.sum()) / (w**2).sum()
        new = max(0.0, float(tau2 + step))
        if abs(new - tau2) < _TOL * (1 + tau2):
            return new
        tau2 = new
    raise RuntimeError("tau² iteration did not converge")


@dataclass(frozen=True)
class ModelFit:
    """One weighted fit of ``y ~ X`` with its tests (analysis scale)."""

    beta: np.ndarray
    vb: np.ndarray
    tau2: float
    s2w: float
    df: int | None
    qe: float
    qe_df: int
    qm: float
    qm_df: int
    qm_pvalue: float
    vt: float
    weights: np.ndarray

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.vb))

    def crit(self, level: float) -> float:
        if self.df is not None:
            return float(stats.t.isf((1 - level) / 2, self.df))
        return float(stats.norm.isf((1 - level) / 2))

    def pvalues(self, statistic) -> np.ndarray:
        if self.df is not None:
            return 2 * stats.t.sf(np.abs(statistic), self.df)
        return 2 * stats.norm.sf(np.abs(statistic))

    @property
    def i2(self) -> float:
        return 100 * self.tau2 / (self.vt + self.tau2)


def fit_model(y, v, X, method: str, hksj: bool) -> ModelFit:
    """Weighted least squares of `y` on `X` with tau² by `method` (``"fe"``: tau² = 0)."""
    k, p = X.shape
    intercept_only = p == 1 and np.all(X == 1)
    if method == "fe":
        tau2 = 0.0
    else:
        tau2 = _tau2(y, v, method) if intercept_only else tau2_general(y, v, X, method)
    w = 1.0 / (v + tau2)
    proj, inv = _weighted_projection(w, X)
    beta = inv @ (X.T @ (w * y))
    s2w, df = 1.0, None
    if hksj and k > p:
        # Knapp-Hartung without truncating the scale factor at 1 (metafor's test="knha").
        s2w, df = float(y @ proj @ y / (k - p)), k - p
    vb = s2w * inv
    p0, _ = _weighted_projection(1.0 / v, X)
    qe = float(y @ p0 @ y)
    qm, qm_df, qm_p = math.nan, p - 1, math.nan
    if p > 1:
        b = beta[1:]
        qm = float(b @ np.linalg.solve(vb[1:, 1:], b))
        if df is None:
            qm_p = float(stats.chi2.sf(qm, p - 1))
        else:
            qm /= p - 1
            qm_p = float(stats.f.sf(qm, p - 1, df))
    vt = (k - p) / np.trace(p0) if k > p else math.nan
    return ModelFit(beta, vb, float(tau2), s2w, df, qe, k - p, qm, qm_df, qm_p, float(vt),
                    100 * w / w.sum())  # fmt: skip


# --------------------------------------------------------------------------
# moderators
# --------------------------------------------------------------------------


def _columns(moderators, k: int) -> pd.DataFrame:
    if isinstance(moderators, pd.DataFrame):
        return moderators.reset_index(drop=True)
    if isinstance(moderators, pd.Series):
        return moderators.reset_index(drop=True).to_frame(moderators.name or "moderator")
    values = np.asarray(moderators, dtype=object)
    if values.ndim == 1:
        return pd.DataFrame({"moderator": values})
    if values.ndim == 2:
        return pd.DataFrame(values, columns=[f"x{j + 1}" for j in range(values.shape[1])])
    fail("moderators", "a DataFrame, a Series or a 1- or 2-dimensional array",
         f"an array of shape {values.shape}")  # fmt: skip
    raise AssertionError  # unreachable: fail raises


def design_matrix(moderators, labels: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Intercept plus moderators; categorical columns coded as R's treatment contrasts."""
    k = len(labels)
    frame = _columns(moderators, k)
    if len(frame) != k:
        fail("moderators", f"one row per pooled study ({k}, in the order of result.labels; "
             "studies the meta-analysis excluded have no row)", f"{len(frame)} rows")  # fmt: skip
    problems = [f"row {i} ({labels[i]!r}), column {col!r}: {frame[col].iloc[i]!r}"
                for col in frame.columns for i in np.flatnonzero(frame[col].isna().to_numpy())]
    blocks, names = [np.ones((k, 1))], ["intercept"]
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            blocks.append(series.to_numpy(dtype=float)[:, None])
            names.append(str(col))
            continue
        numeric = pd.to_numeric(series, errors="coerce")
        if numeric.notna().sum() == series.notna().sum() and not isinstance(
                series.dtype, pd.CategoricalDtype):  # fmt: skip
            blocks.append(numeric.to_numpy(dtype=float)[:, None])
            names.append(str(col))
            continue
        cat = series.astype("category")
        for level in list(cat.cat.categories)[1:]:
            blocks.append((cat == level).to_numpy(dtype=float)[:, None])
            names.append(f"{col}[{level}]")
    if problems:
        fail("every moderator value", "present and finite", "; ".join(problems))
    X = np.hstack(blocks)
    if not np.all(np.isfinite(X)):
        bad = [f"row {i} ({labels[i]!r}), column {names[j]!r}"
               for i, j in zip(*np.nonzero(~np.isfinite(X)), strict=True)]  # fmt: skip
        fail("every moderator value", "finite", "; ".join(bad))
    if np.linalg.matrix_rank(X) < X.shape[1]:
        fail("the moderators", "linearly independent of each other and of the intercept "
             "(a constant or duplicated column, or a level no study has)", list(names[1:]))
    if k <= X.shape[1]:
        fail("the number of studies", f"more than the {X.shape[1]} coefficients", k)
    return X, tuple(names)


# --------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class MetaRegressionResult(Result):
    """Mixed-effects meta-regression (analysis scale, e.g. log odds ratio).

    Attributes
    ----------
    terms : tuple of str
        ``"intercept"`` then the moderators (``"column[level]"`` for a level of a
        categorical moderator against its first level).
    coef, se, ci_low, ci_high, statistic, pvalue : tuple of float
        Coefficients, standard errors, intervals and z-tests (t with ``df``
        degrees of freedom under Knapp-Hartung).
    df : int or None
        ``k - p`` under Knapp-Hartung, else None.
    qm, qm_df, qm_pvalue : float, int, float
        Omnibus test of the moderators: chi-square with ``qm_df`` df, or under
        Knapp-Hartung an F statistic with (``qm_df``, ``df``) df.
    qe, qe_df, qe_pvalue : float, int, float
        Test for residual heterogeneity (inverse-variance weights, chi-square).
    tau2, i2, h2 : float
        Residual tau², I² (percent) and H².
    r2 : float
        Percent of the intercept-only model's tau² explained by the moderators,
        ``max(0, 100 (tau²_0 - tau²) / tau²_0)``; 0 when tau²_0 = 0 (as metafor).
    """

    terms: tuple[str, ...]
    coef: tuple[float, ...]
    se: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    statistic: tuple[float, ...]
    pvalue: tuple[float, ...]
    df: int | None
    qm: float
    qm_df: int
    qm_pvalue: float
    qe: float
    qe_df: int
    qe_pvalue: float
    tau2: float
    i2: float
    h2: float
    r2: float
    method: str
    hksj: bool
    confidence_level: float
    labels: tuple[str, ...]
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    weights: tuple[float, ...]
    design: tuple[tuple[float, ...], ...]
    measure: str
    scale: str

    @property
    def k(self) -> int:
        """Number of studies."""
        return len(self.labels)

    def _repr_fields(self) -> dict:
        return {"method": self.method, "k": self.k, "qm": self.qm, "qm_pvalue": self.qm_pvalue,
                "tau2": self.tau2, "r2": self.r2}  # fmt: skip

    def _crit(self, level: float) -> float:
        if self.df is not None:
            return float(stats.t.isf((1 - level) / 2, self.df))
        return float(stats.norm.isf((1 - level) / 2))

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Intervals of the coefficients (Series indexed by term)."""
        level = self.confidence_level if confidence_level is None else confidence_level
        half = self._crit(check_confidence_level(level)) * np.asarray(self.se)
        coef = np.asarray(self.coef)
        index = pd.Index(self.terms, name="term")
        return ConfidenceInterval(pd.Series(coef - half, index=index),
                                  pd.Series(coef + half, index=index))  # fmt: skip

    @property
    def _method_token(self) -> str:
        return f"{self.method}-knha" if self.hksj else self.method

    def to_frame(self) -> pd.DataFrame:
        """``coefficient`` rows, then the ``moderators`` (QM) and ``residual`` (QE) tests."""
        rows = [
            {"group": "coefficient", "level": term, "estimate": self.coef[j],
             "ci_low": self.ci_low[j], "ci_high": self.ci_high[j],
             "confidence_level": self.confidence_level, "statistic": self.statistic[j],
             "pvalue": self.pvalue[j], "method": self._method_token, "se": self.se[j],
             "df": self.df}
            for j, term in enumerate(self.terms)
        ]  # fmt: skip
        rows.append({"group": "moderators", "level": "QM", "statistic": self.qm,
                     "pvalue": self.qm_pvalue, "method": "f" if self.hksj else "chi-square",
                     "df": self.qm_df, "df2": self.df})  # fmt: skip
        rows.append({"group": "residual", "level": "QE", "statistic": self.qe,
                     "pvalue": self.qe_pvalue, "method": "chi-square", "df": self.qe_df,
                     "tau2": self.tau2, "i2": self.i2, "h2": self.h2, "r2": self.r2})  # fmt: skip
        frame = tidy_frame(rows, extra=["se", "df", "df2", "tau2", "i2", "h2", "r2"])
        for name in ("df", "df2"):
            frame[name] = frame[name].astype("Int64")
        return frame

    def _summary_lines(self) -> list[str]:
        pct = f"{100 * self.confidence_level:g}%"
        test = f"t (df = {self.df})" if self.df is not None else "z"
        lines = [f"Meta-regression of {self.k} studies ({self.scale}), tau² by "
                 f"{self.method.upper()}{', Knapp-Hartung' if self.hksj else ''}",
                 f"  {'term':<24} {'coef':>9} {'se':>9}  {pct} CI{'':<12} {test}, p"]  # fmt: skip
        for j, term in enumerate(self.terms):
            lines.append(f"  {term:<24} {self.coef[j]:>9.4g} {self.se[j]:>9.4g}  "
                         f"{self.ci_low[j]:.4g} to {self.ci_high[j]:.4g}; "
                         f"{self.statistic[j]:.3g}, p = {self.pvalue[j]:.3g}")  # fmt: skip
        qm = (f"F({self.qm_df}, {self.df})" if self.hksj else f"QM (df = {self.qm_df})")
        lines.append(f"  moderators: {qm} = {self.qm:.4g}, p = {self.qm_pvalue:.3g}")
        lines.append(f"  residual heterogeneity: QE (df = {self.qe_df}) = {self.qe:.4g}, "
                     f"p = {self.qe_pvalue:.3g}; tau² = {self.tau2:.4g}, I² = {self.i2:.1f}%, "
                     f"R² = {self.r2:.1f}%")  # fmt: skip
        return lines

    def plot(self, ax=None, **kwargs):
        """Bubble plot of the studies against the one moderator, with the fitted line and CI."""
        from casestats.plotting.diagnostics import bubble_plot

        if len(self.terms) != 2:
            raise ValueError("the bubble plot needs exactly one moderator column; this model "
                             f"has {list(self.terms[1:])}")  # fmt: skip
        X = np.asarray(self.design)
        vb = _vb_from(self)
        return bubble_plot(X[:, 1], np.asarray(self.yi), np.asarray(self.weights),
                           coef=self.coef, vb=vb, crit=self._crit(self.confidence_level),
                           x_title=self.terms[1], y_title=self.scale, ax=ax, **kwargs)  # fmt: skip


def _vb_from(result: MetaRegressionResult) -> np.ndarray:
    X = np.asarray(result.design)
    w = 1.0 / (np.asarray(result.vi) + result.tau2)
    inv = np.linalg.inv(X.T @ (w[:, None] * X))
    if result.df is None:
        return inv
    y = np.asarray(result.yi)
    e = y - X @ np.asarray(result.coef)
    return inv * float((w * e**2).sum() / result.df)


def _fields(fit: ModelFit, studies: Studies, level: float) -> dict:
    se = fit.se
    z = fit.beta / se
    crit = fit.crit(level)
    return {
        "coef": tuple(map(float, fit.beta)), "se": tuple(map(float, se)),
        "ci_low": tuple(map(float, fit.beta - crit * se)),
        "ci_high": tuple(map(float, fit.beta + crit * se)),
        "statistic": tuple(map(float, z)), "pvalue": tuple(map(float, fit.pvalues(z))),
        "df": fit.df, "qm": fit.qm, "qm_df": fit.qm_df, "qm_pvalue": fit.qm_pvalue,
        "qe": fit.qe, "qe_df": fit.qe_df, "qe_pvalue": float(stats.chi2.sf(fit.qe, fit.qe_df)),
        "tau2": fit.tau2, "i2": fit.i2, "h2": 1 + fit.tau2 / fit.vt,
    }  # fmt: skip


def meta_regression(
    result,
    moderators,
    *,
    method: str | None = None,
    hksj: bool | None = None,
    confidence_level: float | None = None,
) -> MetaRegressionResult:
    """Mixed-effects meta-regression of the pooled studies on study-level moderators.

    Parameters
    ----------
    result : MetaProportionResult or MetaOddsRatioResult
        An inverse-variance meta-analysis; its studies (``result.yi``,
        ``result.vi``) are regressed on `moderators`. GLMM and Mantel-Haenszel
        fits are refused (they have no inverse-variance weights).
    moderators : DataFrame, Series or array-like
        One row per pooled study, in the order of ``result.labels``. Numeric
        and boolean columns enter as they are; text or categorical columns as
        indicators of each level against the first (sorted, or the categorical
        order), as R's treatment contrasts. An intercept is always added.
    method : {"reml", "dl", "pm", "ml"}, optional
        Residual tau² estimator; the result's method by default.
    hksj : bool, optional
        Knapp-Hartung: standard errors scaled by the weighted residual variance,
        t(k - p) tests and intervals and an F test of the moderators
        (``test="knha"``). The result's choice by default.
    confidence_level : float, optional
        Level of the coefficient intervals; the result's by default.

    Returns
    -------
    MetaRegressionResult

    Notes
    -----
    Matches ``metafor::rma(yi, vi, mods = ~ ..., method=, test=)``: the QM test
    leaves out the intercept; QE uses the weights ``1 / vi``; I² and H² use the
    typical within-study variance ``(k - p) / tr(P)`` with ``P`` from those
    weights; R² compares with the intercept-only fit by the same method.

    Examples
    --------
    >>> from casestats import meta_odds_ratios
    >>> res = meta_odds_ratios(
    ...     events_a=[12, 30, 5, 40, 3, 22], total_a=[60, 90, 50, 150, 25, 80],
    ...     events_b=[10, 8, 9, 10, 0, 15], total_b=[70, 85, 48, 160, 20, 75])
    >>> reg = meta_regression(res, {"year": [1998, 2004, 2009, 2012, 2016, 2020]})
    >>> reg.terms
    ('intercept', 'year')
    >>> round(reg.coef[1], 4), round(reg.qm_pvalue, 3)
    (0.0043, 0.944)
    """
    studies = iv_studies(result, "meta_regression", confidence_level)
    method = studies.method if method is None else check_choice(method, IV_METHODS)
    hksj = studies.hksj if hksj is None else bool(check_choice(hksj, (True, False), "hksj"))
    if isinstance(moderators, dict):
        moderators = pd.DataFrame(moderators)
    X, terms = design_matrix(moderators, studies.labels)
    fit = fit_model(studies.y, studies.v, X, method, hksj)
    tau2_0 = _tau2(studies.y, studies.v, method)
    # With no heterogeneity to explain, metafor reports R² = 0.
    r2 = max(0.0, 100 * (tau2_0 - fit.tau2) / tau2_0) if tau2_0 > 0 else 0.0
    return MetaRegressionResult(
        terms=terms,
        **_fields(fit, studies, studies.level),
        r2=float(r2),
        method=method,
        hksj=hksj,
        confidence_level=studies.level,
        labels=studies.labels,
        yi=tuple(map(float, studies.y)),
        vi=tuple(map(float, studies.v)),
        weights=tuple(map(float, fit.weights)),
        design=tuple(tuple(map(float, row)) for row in X),
        measure=studies.measure,
        scale=studies.scale,
    )
