"""Binomial-normal GLMM for proportions, fitted by maximum likelihood.

The random intercept of each study is integrated out numerically (see
``_GLMM_POINTS``); ``glmm_fit`` returns the ML estimates (mu, tau) and the
standard error of mu from the observed information, as lme4's ``vcov``.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special

from casestats.stats._checks import log_choose
from casestats.stats._logsumexp import logsumexp

# The GLMM likelihood integrates each study's random effect numerically: a
# trapezoid rule on _GLMM_POINTS points spanning the region where the
# (log-concave) integrand is within a factor exp(_GLMM_DROP) of its mode. The
# trapezoid rule converges geometrically for such smooth, decaying integrands
# and, unlike Gauss-Hermite nodes placed by the Laplace curvature, stays
# accurate when the posterior of a random effect is skewed (0 events, large
# tau²), where 21-25 adaptive Gauss-Hermite nodes (lme4's nAGQ) are off by ~1e-3.
_GLMM_POINTS = 401
_GLMM_DROP = 45.0


def _conditional_modes(x, n, mu, tau2):
    """Mode of the random effect of each study given (mu, tau²), by safeguarded Newton."""
    # The mode solves x - n expit(mu + u) - u / tau² = 0 and lies in this bracket.
    lo, hi = tau2 * (x - n), tau2 * x
    u = np.clip(np.zeros_like(x), lo, hi)
    for _ in range(200):
        p = special.expit(mu + u)
        grad = x - n * p - u / tau2
        lo = np.where(grad > 0, u, lo)
        hi = np.where(grad < 0, u, hi)
        curvature = n * p * (1 - p) + 1 / tau2
        step = grad / curvature
        new = u + step
        outside = (new <= lo) | (new >= hi)
        new = np.where(outside, (lo + hi) / 2, new)
        if (np.abs(new - u) <= 1e-14 * (1 + np.abs(u))).all():
            return new
        u = new
    return u


def _glmm_log_integrand(x, n, mu, u, tau2):
    """log of binomial likelihood times the N(0, tau²) kernel (constants left out)."""
    eta = mu + u
    return x * eta - n * np.logaddexp(0.0, eta) - u**2 / (2 * tau2)


def _glmm_study_loglik(x, n, mu, tau):
    """Per-study marginal log-likelihoods by adaptive quadrature.

    Also returns the posterior mean of ``x - n expit(mu + u)`` (the score in mu).
    """
    if tau == 0:
        p = special.expit(mu)
        loglik = log_choose(n, x) + special.xlogy(x, p) + special.xlog1py(n - x, -p)
        return loglik, x - n * p
    tau2 = tau * tau
    mode = _conditional_modes(x, n, mu, tau2)
    p_mode = special.expit(mu + mode)
    scale = 1.0 / np.sqrt(n * p_mode * (1 - p_mode) + 1 / tau2)
    peak = _glmm_log_integrand(x, n, mu, mode, tau2)
    # The integrand is log-concave: walk out from the mode on each side until
    # it has fallen by _GLMM_DROP, which bounds the neglected mass.
    limits = []
    for side in (-1.0, 1.0):
        reach = scale.copy()
        for _ in range(200):
            inside = _glmm_log_integrand(x, n, mu, mode + side * reach, tau2) > peak - _GLMM_DROP
            if not inside.any():
                break
            reach = np.where(inside, 1.5 * reach, reach)
        limits.append(mode + side * reach)
    grid = np.linspace(0.0, 1.0, _GLMM_POINTS)
    u = limits[0][:, None] + (limits[1] - limits[0])[:, None] * grid[None, :]
    step = (limits[1] - limits[0]) / (_GLMM_POINTS - 1)
    log_f = _glmm_log_integrand(x[:, None], n[:, None], mu, u, tau2)
    # Trapezoid rule; the end points carry a negligible e^-_GLMM_DROP share.
    log_f[:, [0, -1]] += np.log(0.5)
    log_int = logsumexp(log_f, axis=1)
    loglik = log_choose(n, x) + log_int + np.log(step) - 0.5 * np.log(2 * np.pi * tau2)
    post = np.exp(log_f - log_int[:, None])
    score = (post * (x[:, None] - n[:, None] * special.expit(mu + u))).sum(axis=1)
    return loglik, score


class _Marginal:
    """The per-study marginal log-likelihoods and scores of one data set, as a function of
    (mu, tau), each point computed once: the search for mu at a given tau ends on a point
    it has evaluated, where the profile likelihood then asks again."""

    def __init__(self, x, n):
        self.x, self.n = x, n
        self._seen: dict[tuple[float, float], tuple] = {}

    def __call__(self, mu, tau):
        key = (float(mu), float(tau))
        if key not in self._seen:
            self._seen[key] = _glmm_study_loglik(self.x, self.n, mu, tau)
        return self._seen[key]

    def loglik(self, mu, tau) -> float:
        return float(self(mu, tau)[0].sum())


def _glmm_mu_given_tau(marginal, tau, start):
    """Maximise the marginal likelihood over mu for fixed tau (it is concave in mu)."""

    def score(mu):
        return float(marginal(mu, tau)[1].sum())

    lo, hi = start - 1.0, start + 1.0
    while score(lo) < 0:
        lo -= 2 * (hi - lo)
    while score(hi) > 0:
        hi += 2 * (hi - lo)
    return float(optimize.brentq(score, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps))


def glmm_fit(x, n):
    """ML estimates (mu, tau) of the binomial-normal model and the SE of mu."""
    pooled = (x.sum() + 0.5) / (n.sum() + 1.0)
    start = float(special.logit(pooled))
    marginal = _Marginal(x, n)
    cache: dict[float, float] = {}

    def profile(tau):
        mu = _glmm_mu_given_tau(marginal, tau, cache.get("mu", start))
        cache["mu"] = mu
        return -marginal.loglik(mu, tau)

    upper = 10.0
    best = optimize.minimize_scalar(
        profile, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-10, "maxiter": 500}
    )
    tau = float(best.x)
    # The bounded search never lands exactly on the boundary: check tau = 0 itself.
    if profile(0.0) <= best.fun + 1e-12:
        tau = 0.0
    mu = _glmm_mu_given_tau(marginal, tau, start)
    se = _glmm_se(marginal, mu, tau)
    return mu, tau, se


def _glmm_se(marginal, mu, tau):
    """SE of mu from the inverse observed information in (mu, tau), as lme4's vcov."""
    n = marginal.n
    if tau == 0:
        p = special.expit(mu)
        return float(1 / np.sqrt((n * p * (1 - p)).sum()))
    h = 1e-4 * max(1.0, abs(mu)), 1e-4 * max(tau, 1e-3)
    theta = np.array([mu, tau])

    def f(t):
        return marginal.loglik(t[0], t[1])

    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei = np.eye(2)[i] * h[i]
            ej = np.eye(2)[j] * h[j]
            hess[i, j] = (
                f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)
            ) / (4 * h[i] * h[j])
    cov = np.linalg.inv(-hess)
    return float(np.sqrt(cov[0, 0]))
