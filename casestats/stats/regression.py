"""Logistic regression with odds ratios, and Firth's penalised likelihood under separation.

Maximum likelihood runs through statsmodels' ``Logit``. When the outcome is
(quasi-)completely separated by the predictors, maximum-likelihood estimates
do not exist (they drift to infinity with huge standard errors); casestats
then fits Firth's penalised likelihood (Jeffreys-prior penalty), which gives
finite estimates, with profile penalised-likelihood intervals and penalised
likelihood-ratio tests, as R's ``logistf`` does.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from casestats.exceptions import SeparationWarning
from casestats.results import ConfidenceInterval, Result, tidy_frame

__all__ = ["LogisticResult", "logistic"]

FIRTH_OPTIONS = ("auto", True, False)
INTERCEPT = "(Intercept)"
_TOL = 1e-10
_MAX_ITER = 200
# Largest Newton step on the log-odds scale (as logistf's maxstep): keeps the
# iteration from jumping far out where the weights underflow.
_MAX_STEP = 5.0


# --------------------------------------------------------------------------
# design matrix
# --------------------------------------------------------------------------


def _design(data, outcome: str, predictors: Sequence[str]):
    if not isinstance(data, pd.DataFrame):
        raise ValueError("data must be a pandas DataFrame")
    if isinstance(predictors, str):
        predictors = [predictors]
    predictors = list(predictors)
    if not predictors:
        raise ValueError("give at least one predictor")
    missing = [c for c in [outcome, *predictors] if c not in data.columns]
    if missing:
        raise ValueError(f"columns not in data: {missing}")
    if outcome in predictors:
        raise ValueError(f"the outcome {outcome!r} cannot also be a predictor")
    used = data[[outcome, *predictors]]
    complete = used.notna().all(axis=1).to_numpy()
    used = used.loc[complete]
    if used.empty:
        raise ValueError("no rows without missing values")

    y_raw = used[outcome]
    if pd.api.types.is_bool_dtype(y_raw) or pd.api.types.is_numeric_dtype(y_raw):
        y = y_raw.to_numpy(dtype=float)
        if not np.isin(y, (0.0, 1.0)).all():
            raise ValueError(f"outcome {outcome!r} must be 0/1 or boolean")
    else:
        raise ValueError(f"outcome {outcome!r} must be 0/1 or boolean, got dtype {y_raw.dtype}")

    columns = [np.ones(len(used))]
    names = [INTERCEPT]
    for name in predictors:
        col = used[name]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            columns.append(col.to_numpy(dtype=float))
            names.append(name)
        else:
            # Treatment coding against the first level (sorted, or category order).
            levels = (
                list(col.cat.categories)
                if isinstance(col.dtype, pd.CategoricalDtype)
                else sorted(col.astype(str).unique())
            )
            values = col.astype(str).to_numpy()
            for level in levels[1:]:
                columns.append((values == str(level)).astype(float))
                names.append(f"{name}[T.{level}]")
    x = np.column_stack(columns)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError("the predictors are collinear (the design matrix is rank deficient)")
    return y, x, names, int((~complete).sum())


def _separated(y, x) -> bool:
    """Whether some direction b has (2y - 1) x'b >= 0 for every row, > 0 for some.

    That is (quasi-)complete separation, where the maximum-likelihood estimate
    does not exist; found by linear programming (Konis 2007).
    """
    sign = 2 * y - 1
    a = sign[:, None] * x
    res = optimize.linprog(
        -a.sum(axis=0),
        A_ub=-a,
        b_ub=np.zeros(len(y)),
        bounds=[(-1, 1)] * x.shape[1],
        method="highs",
    )
    return bool(res.status == 0 and -res.fun > 1e-7 * max(1.0, np.abs(a).sum()))


# --------------------------------------------------------------------------
# (penalised) likelihood
# --------------------------------------------------------------------------


def _loglik(beta, y, x, firth: bool) -> float:
    eta = x @ beta
    value = float((y * eta - np.logaddexp(0.0, eta)).sum())
    if firth:
        info = (x * _weights(eta)[:, None]).T @ x
        value += 0.5 * float(np.linalg.slogdet(info)[1])
    return value


def _weights(eta):
    # p * (1 - p) underflows to 0 (and loses all digits well before) once |eta|
    # passes about 37, which complete separation by an uncentred covariate reaches.
    return special.expit(eta) * special.expit(-eta)


def _score_info(beta, y, x, firth: bool):
    eta = x @ beta
    p = special.expit(eta)
    w = _weights(eta)
    info = (x * w[:, None]).T @ x
    resid = y - p
    if firth:
        # Hat values of the weighted design: Firth's modified score.
        xw = x * np.sqrt(w)[:, None]
        hat = np.einsum("ij,jk,ik->i", xw, np.linalg.inv(info), xw)
        resid = resid + hat * (0.5 - p)
    return x.T @ resid, info


def _fit(y, x, firth: bool, *, fixed: int | None = None, value: float = 0.0, start=None):
    """Newton-Raphson for the (penalised) log-likelihood, optionally with beta[fixed] = value.

    Returns (beta, loglik, converged).
    """
    k = x.shape[1]
    free = np.ones(k, dtype=bool)
    beta = np.zeros(k) if start is None else np.array(start, dtype=float)
    if fixed is not None:
        free[fixed] = False
        beta[fixed] = value
    current = _loglik(beta, y, x, firth)
    for _ in range(_MAX_ITER):
        score, info = _score_info(beta, y, x, firth)
        step = np.zeros(k)
        step[free] = np.linalg.solve(info[np.ix_(free, free)], score[free])
        largest = np.abs(step).max()
        if largest > _MAX_STEP:
            step *= _MAX_STEP / largest
        # Step halving keeps every iteration an ascent step.
        for _ in range(50):
            candidate = beta + step
            new = _loglik(candidate, y, x, firth)
            if new >= current - 1e-12 * abs(current):
                break
            step /= 2
        beta, current = candidate, new
        if np.abs(step).max() < _TOL and np.abs(score[free]).max() < 1e-8:
            return beta, current, True
    return beta, current, False


def _profile_interval(y, x, firth, beta_hat, loglik_max, j, level, se):
    """Profile (penalised) likelihood limits for coefficient j."""
    crit = stats.chi2.isf(1 - level, 1)
    start = beta_hat.copy()

    def excess(value):
        beta, loglik, _ = _fit(y, x, firth, fixed=j, value=value, start=start)
        return 2 * (loglik_max - loglik) - crit

    limits = []
    for direction in (-1.0, 1.0):
        step = se if np.isfinite(se) and se > 0 else 1.0
        far = beta_hat[j] + direction * step
        tries = 0
        while excess(far) < 0:
            step *= 2
            far = beta_hat[j] + direction * step
            tries += 1
            if tries > 30:
                far = np.nan
                break
        if np.isnan(far):
            limits.append(direction * np.inf)
            continue
        lo, hi = sorted((beta_hat[j], far))
        limits.append(optimize.brentq(excess, lo, hi, xtol=1e-12, rtol=1e-14))
    return limits[0], limits[1]


# --------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class LogisticResult(Result):
    """Logistic regression coefficients as odds ratios.

    Attributes
    ----------
    terms : tuple of str
        ``"(Intercept)"`` then the predictors (dummy columns as ``name[T.level]``).
    coef, se : tuple of float
        Log odds ratios and their standard errors (inverse information).
    odds_ratio, ci_low, ci_high : tuple of float
        ``exp(coef)`` and profile-likelihood limits (penalised for Firth).
    pvalue : tuple of float
        Wald p-values for maximum likelihood; penalised likelihood-ratio
        p-values for Firth.
    firth : bool
        Whether Firth's penalised likelihood ran.
    separation : bool
        Whether (quasi-)complete separation was detected.
    reason : str
        Why this estimator ran.
    n, n_events, n_dropped : int
        Rows used, rows with the outcome, rows dropped for missing values.
    """

    outcome: str
    terms: tuple[str, ...]
    coef: tuple[float, ...]
    se: tuple[float, ...]
    odds_ratio: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    pvalue: tuple[float, ...]
    confidence_level: float
    firth: bool
    separation: bool
    reason: str
    converged: bool
    loglik: float
    n: int
    n_events: int
    n_dropped: int

    @property
    def method(self) -> str:
        """The estimator that ran."""
        if self.firth:
            return "Firth penalised likelihood (profile penalised-likelihood CI, penalised LR test)"
        return "maximum likelihood (profile-likelihood CI, Wald test)"

    def confidence_interval(self, term: str) -> ConfidenceInterval:
        """Interval of the odds ratio of `term`."""
        if term not in self.terms:
            raise ValueError(f"unknown term {term!r}; terms: {', '.join(self.terms)}")
        i = self.terms.index(term)
        return ConfidenceInterval(self.ci_low[i], self.ci_high[i])

    def to_frame(self) -> pd.DataFrame:
        """One row per term: odds ratio, interval, p-value, method; ``coef`` and ``se`` extra."""
        rows = [
            {
                "group": self.outcome,
                "level": term,
                "events": self.n_events,
                "total": self.n,
                "estimate": self.odds_ratio[i],
                "ci_low": self.ci_low[i],
                "ci_high": self.ci_high[i],
                "confidence_level": self.confidence_level,
                "pvalue": self.pvalue[i],
                "method": self.method,
                "coef": self.coef[i],
                "se": self.se[i],
            }
            for i, term in enumerate(self.terms)
        ]
        return tidy_frame(rows, extra=["coef", "se"])

    def _summary_lines(self) -> list[str]:
        pct = f"{100 * self.confidence_level:g}%"
        lines = [
            f"Logistic regression of {self.outcome} ({self.n_events} events in {self.n} rows)",
            f"  {self.method}",
            f"  {self.reason}",
        ]
        width = max(len(t) for t in self.terms)
        for i, term in enumerate(self.terms):
            lines.append(
                f"  {term:<{width}}  OR = {self.odds_ratio[i]:.4g}  {pct} CI"
                f" {self.ci_low[i]:.4g} to {self.ci_high[i]:.4g}  p = {self.pvalue[i]:.3g}"
            )
        if self.n_dropped:
            lines.append(f"  {self.n_dropped} rows with missing values dropped")
        return lines


# --------------------------------------------------------------------------
# public function
# --------------------------------------------------------------------------


def _ml_fit(y, x, names):
    """statsmodels Logit; returns (params, bse, pvalues, converged, separation_flag)."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.Logit(y, pd.DataFrame(x, columns=names)).fit(
                disp=0, method="newton", maxiter=100, tol=1e-12
            )
        except (PerfectSeparationError, np.linalg.LinAlgError):
            return None, True
    flagged = any(
        issubclass(w.category, PerfectSeparationWarning | ConvergenceWarning) for w in caught
    )
    converged = bool(fit.mle_retvals.get("converged", False))
    return fit, flagged or not converged


def logistic(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors: Sequence[str],
    firth: bool | str = "auto",
    confidence_level: float = 0.95,
) -> LogisticResult:
    """Logistic regression with odds ratios; Firth's penalised likelihood under separation.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject.
    outcome : str
        0/1 or boolean column.
    predictors : sequence of str
        Numeric or boolean columns enter as they are; text or categorical
        columns are treatment-coded against their first level.
    firth : {"auto", True, False}, default "auto"
        ``"auto"`` fits by maximum likelihood unless separation is detected,
        then by Firth's method (with a :class:`SeparationWarning`). ``True``
        always uses Firth; ``False`` never does (then separated data give
        the non-converged ML fit with a warning).
    confidence_level : float, default 0.95
        Level of the profile-likelihood intervals.

    Returns
    -------
    LogisticResult

    Warns
    -----
    SeparationWarning
        When separation is detected.

    Notes
    -----
    Separation is detected by a linear program (a direction of the
    coefficients that classifies every row without error exists), and
    also assumed when statsmodels reports perfect separation or the ML fit
    does not converge. Firth's estimator maximises
    ``l(b) + 0.5 log det I(b)`` by Newton-Raphson with the modified score;
    its intervals invert the penalised likelihood-ratio test (profile
    penalised likelihood) and its p-values are penalised likelihood-ratio
    tests with the penalty kept at the full model, as in ``logistf``.
    Maximum-likelihood fits report Wald p-values (as R's ``summary.glm``)
    and exact profile-likelihood intervals (R's ``confint`` interpolates a
    spline on a grid, which agrees to about 1e-4). Rows with a missing
    value in a used column are dropped (complete-case analysis).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"calcinosis": [1, 1, 0, 0, 1, 0, 1, 0],
    ...                    "ulcers": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = logistic(df, outcome="calcinosis", predictors=["ulcers"])
    >>> res.firth, res.separation
    (True, True)
    >>> round(res.odds_ratio[1], 3)  # (3.5 * 4.5) / (0.5 * 1.5): Firth adds 1/2 per cell here
    21.0
    """
    if firth not in FIRTH_OPTIONS:
        raise ValueError(f"unknown firth {firth!r}; allowed: 'auto', True, False")
    level = float(confidence_level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence_level must lie strictly between 0 and 1, got {level}")
    y, x, names, n_dropped = _design(data, outcome, predictors)
    if y.min() == y.max():
        raise ValueError(f"outcome {outcome!r} takes a single value; nothing to model")

    separation = _separated(y, x)
    fit = None
    if firth is not True:
        fit, flagged = _ml_fit(y, x, names)
        separation = separation or flagged
    if separation:
        warnings.warn(
            "the outcome is (quasi-)completely separated by the predictors: "
            "maximum-likelihood estimates do not exist"
            + ("; using Firth's penalised likelihood" if firth != False else ""),  # noqa: E712
            SeparationWarning,
            stacklevel=2,
        )
    use_firth = firth is True or (firth == "auto" and separation)
    if firth is True:
        reason = "Firth's penalised likelihood requested (firth=True)"
    elif use_firth:
        reason = "separation detected, so Firth's penalised likelihood ran"
    elif separation:
        reason = "separation detected but firth=False: ML estimates are unreliable"
    else:
        reason = "no separation detected, so maximum likelihood ran"

    if use_firth or fit is None:
        beta, loglik, converged = _fit(y, x, True if use_firth else False)
    else:
        beta = np.asarray(fit.params, dtype=float)
        converged = bool(fit.mle_retvals.get("converged", False))
        loglik = _loglik(beta, y, x, False)
        if converged:
            # Polish statsmodels' optimum so the profile limits are exact.
            beta, loglik, converged = _fit(y, x, False, start=beta)
    _, info = _score_info(beta, y, x, use_firth)
    with np.errstate(all="ignore"):
        try:
            se = np.sqrt(np.diag(np.linalg.inv(info)))
        except np.linalg.LinAlgError:
            se = np.full(beta.size, np.inf)

    k = beta.size
    low, high, pvalue = np.empty(k), np.empty(k), np.empty(k)
    for j in range(k):
        if separation and not use_firth:
            low[j], high[j], pvalue[j] = np.nan, np.nan, np.nan
            continue
        low[j], high[j] = _profile_interval(y, x, use_firth, beta, loglik, j, level, se[j])
        if use_firth:
            _, restricted, _ = _fit(y, x, True, fixed=j, value=0.0, start=beta)
            pvalue[j] = stats.chi2.sf(max(0.0, 2 * (loglik - restricted)), 1)
        else:
            pvalue[j] = 2 * stats.norm.sf(abs(beta[j] / se[j]))

    return LogisticResult(
        outcome=outcome,
        terms=tuple(names),
        coef=tuple(float(b) for b in beta),
        se=tuple(float(s) for s in se),
        odds_ratio=tuple(float(b) for b in np.exp(beta)),
        ci_low=tuple(float(b) for b in np.exp(low)),
        ci_high=tuple(float(b) for b in np.exp(high)),
        pvalue=tuple(float(p) for p in pvalue),
        confidence_level=level,
        firth=bool(use_firth),
        separation=bool(separation),
        reason=reason,
        converged=bool(converged),
        loglik=float(loglik),
        n=int(y.size),
        n_events=int(y.sum()),
        n_dropped=n_dropped,
    )
