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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from casestats.exceptions import SeparationWarning
from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import check_choice, check_confidence_level, fail

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
        fail("data", "a pandas DataFrame", type(data).__name__)
    if isinstance(predictors, str):
        predictors = [predictors]
    predictors = list(predictors)
    if not predictors:
        fail("predictors", "at least one column name", "none")
    missing = [c for c in [outcome, *predictors] if c not in data.columns]
    if missing:
        fail("outcome and predictors", f"columns of data ({', '.join(map(str, data.columns))})",
             f"{missing}, not in data")  # fmt: skip
    if outcome in predictors:
        fail("predictors", f"columns other than the outcome {outcome!r}", predictors)
    used = data[[outcome, *predictors]]
    complete = used.notna().all(axis=1).to_numpy()
    used = used.loc[complete]
    if used.empty:
        fail("data", "at least one row without missing values in the used columns", "none")

    y_raw = used[outcome]
    if pd.api.types.is_bool_dtype(y_raw) or pd.api.types.is_numeric_dtype(y_raw):
        y = y_raw.to_numpy(dtype=float)
        if not np.isin(y, (0.0, 1.0)).all():
            bad = sorted(set(y[~np.isin(y, (0.0, 1.0))].tolist()))[:5]
            fail(f"outcome {outcome!r}", "0/1 or boolean", f"values {bad}")
    else:
        fail(f"outcome {outcome!r}", "0/1 or boolean", f"dtype {y_raw.dtype}")

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
        fail("predictors", "not collinear", "a rank-deficient design matrix")
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
    method : str
        ``"firth"`` or ``"ml"``; ``method_description`` says it in words.
    firth : bool
        Whether Firth's penalised likelihood ran.
    separation : bool
        Whether (quasi-)complete separation was detected.
    reason : str
        Why this estimator ran.
    n, n_events, n_dropped : int
        Rows used, rows with the outcome, rows dropped for missing values.
    response, design : numpy.ndarray
        The 0/1 outcome and the design matrix used (read-only), from which
        :meth:`confidence_interval` recomputes profile limits at other levels.
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
    response: np.ndarray = field(repr=False)
    design: np.ndarray = field(repr=False)

    @property
    def method(self) -> str:
        """The estimator that ran: ``"firth"`` or ``"ml"``."""
        return "firth" if self.firth else "ml"

    @property
    def method_description(self) -> str:
        """The estimator with its interval and test, in words."""
        if self.firth:
            return "Firth penalised likelihood (profile penalised-likelihood CI, penalised LR test)"
        return "maximum likelihood (profile-likelihood CI, Wald test)"

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Odds-ratio limits as two Series indexed by term; profile limits at any level."""
        if confidence_level is None:
            low, high = self.ci_low, self.ci_high
        else:
            level = check_confidence_level(confidence_level)
            low, high = _profile_limits(self.response, self.design, self.firth, self.separation,
                                        np.array(self.coef), self.loglik, np.array(self.se),
                                        level)  # fmt: skip
            low, high = np.exp(low), np.exp(high)
        index = pd.Index(self.terms, name="level")
        return ConfidenceInterval(
            pd.Series(low, index=index, dtype=float, name="ci_low"),
            pd.Series(high, index=index, dtype=float, name="ci_high"),
        )

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

    def plot(self, ax=None, **kwargs):
        """Odds ratios of the predictors with their intervals (log scale); returns the Axes.

        `kwargs` go to :meth:`matplotlib.axes.Axes.errorbar`.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 1 + 0.5 * len(self.terms)))
        terms = [t for t in self.terms if t != INTERCEPT]
        rows = [self.terms.index(t) for t in terms]
        est = np.array([self.odds_ratio[i] for i in rows])
        low = np.array([self.ci_low[i] for i in rows])
        high = np.array([self.ci_high[i] for i in rows])
        y = np.arange(len(terms))[::-1]
        options = {"fmt": "s", "color": "C0", "capsize": 3, **kwargs}
        ax.errorbar(est, y, xerr=[est - low, high - est], **options)
        ax.axvline(1.0, color="0.5", linewidth=0.8, linestyle="--")
        ax.set_xscale("log")
        ax.set_yticks(y, terms)
        ax.set_ylim(-0.5, len(terms) - 0.5)
        ax.set_xlabel(f"odds ratio ({self.confidence_level:.0%} CI, {self.method})")
        ax.set_title(f"{self.outcome}: {self.n_events} events in {self.n} rows")
        return ax

    def _summary_lines(self) -> list[str]:
        pct = f"{100 * self.confidence_level:g}%"
        lines = [
            f"Logistic regression of {self.outcome} ({self.n_events} events in {self.n} rows)",
            f"  {self.method_description}",
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
    """statsmodels Logit; returns (fit or None, whether separation is suspected)."""
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


def _reason(firth, separation: bool) -> str:
    if firth is True:
        return "Firth's penalised likelihood requested (firth=True)"
    if separation and firth == "auto":
        return "separation detected, so Firth's penalised likelihood ran"
    if separation:
        return "separation detected but firth=False: ML estimates are unreliable"
    return "no separation detected, so maximum likelihood ran"


def _estimate(y, x, use_firth: bool, fit):
    """Coefficients, (penalised) log-likelihood, convergence and standard errors."""
    if use_firth or fit is None:
        beta, loglik, converged = _fit(y, x, use_firth)
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
    return beta, loglik, converged, se


def _profile_limits(y, x, firth: bool, separation: bool, beta, loglik, se, level):
    """Profile (penalised) likelihood limits of every coefficient; NaN for unreliable ML."""
    k = beta.size
    if separation and not firth:
        return np.full(k, np.nan), np.full(k, np.nan)
    limits = [_profile_interval(y, x, firth, beta, loglik, j, level, se[j]) for j in range(k)]
    return np.array([lo for lo, _ in limits]), np.array([hi for _, hi in limits])


def _pvalues(y, x, firth: bool, separation: bool, beta, loglik, se):
    """Penalised LR p-values for Firth (penalty kept at the full model), Wald for ML."""
    if separation and not firth:
        return np.full(beta.size, np.nan)
    if not firth:
        return 2 * stats.norm.sf(np.abs(beta / se))
    pvalue = np.empty(beta.size)
    for j in range(beta.size):
        _, restricted, _ = _fit(y, x, True, fixed=j, value=0.0, start=beta)
        pvalue[j] = stats.chi2.sf(max(0.0, 2 * (loglik - restricted)), 1)
    return pvalue


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
    check_choice(firth, FIRTH_OPTIONS, "firth")
    level = check_confidence_level(confidence_level)
    y, x, names, n_dropped = _design(data, outcome, predictors)
    if y.min() == y.max():
        fail(f"outcome {outcome!r}", "both 0 and 1 (it takes a single value)", int(y[0]))

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
    beta, loglik, converged, se = _estimate(y, x, use_firth, fit)
    low, high = _profile_limits(y, x, use_firth, separation, beta, loglik, se, level)
    pvalue = _pvalues(y, x, use_firth, separation, beta, loglik, se)
    y.setflags(write=False)
    x.setflags(write=False)
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
        reason=_reason(firth, separation),
        converged=bool(converged),
        loglik=float(loglik),
        n=int(y.size),
        n_events=int(y.sum()),
        n_dropped=n_dropped,
        response=y,
        design=x,
    )
