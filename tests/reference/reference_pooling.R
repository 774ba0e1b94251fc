# Reference values for casestats.stats.stratified, casestats.stats.meta_analysis and
# casestats.stats.regression. Run from the repository root:
#   Rscript tests/reference/reference_pooling.R
# writes tests/reference/pooling.json (frozen; the tests never need R).
#
# Packages (Debian bookworm): r-base-core, r-cran-metafor, r-cran-lme4,
# r-cran-brglm2, r-cran-jsonlite, MASS (recommended). logistf is not in the
# Debian archive: Firth estimates come from brglm2 (type = "AS_mean", which is
# Firth's penalised likelihood for the canonical logit link), and the
# penalised profile-likelihood intervals and penalised likelihood-ratio tests
# are computed below by maximising the penalised log-likelihood with optim
# (BFGS, analytic gradient) and uniroot, a different algorithm from the
# Newton-Raphson in casestats.
suppressPackageStartupMessages({
  library(metafor)
  library(lme4)
  library(brglm2)
  library(MASS)
  library(jsonlite)
})

tight <- list(threshold = 1e-12, maxiter = 1000, tol = 1e-15)
out <- list(
  r_version = R.version.string,
  packages = list(
    metafor = as.character(packageVersion("metafor")),
    lme4 = as.character(packageVersion("lme4")),
    brglm2 = as.character(packageVersion("brglm2")),
    MASS = as.character(packageVersion("MASS")),
    jsonlite = as.character(packageVersion("jsonlite"))
  ),
  generated_by = "tests/reference/reference_pooling.R"
)

# ---------------------------------------------------------------- data
# Two-arm sets: (events_a, total_a, events_b, total_b) per study/stratum.
two_arm <- list(
  # lcSSc vs dcSSc calcinosis counts in the style of published cohorts; Q < k - 1.
  homogeneous = list(ea = c(30, 45, 8, 60, 5), na = c(120, 200, 40, 300, 22),
                     eb = c(12, 20, 3, 25, 1), nb = c(80, 150, 35, 180, 18)),
  # Heterogeneous, with a zero cell in study 5.
  heterogeneous = list(ea = c(12, 30, 5, 40, 3, 22), na = c(60, 90, 50, 150, 25, 80),
                       eb = c(10, 8, 9, 10, 0, 15), nb = c(70, 85, 48, 160, 20, 75)),
  # As above plus a study without events in either arm (excluded by drop00).
  with_double_zero = list(ea = c(12, 30, 5, 40, 3, 22, 0), na = c(60, 90, 50, 150, 25, 80, 30),
                          eb = c(10, 8, 9, 10, 0, 15, 0), nb = c(70, 85, 48, 160, 20, 75, 25))
)
proportion_sets <- list(
  homogeneous = list(x = c(30, 45, 8, 60, 5), n = c(120, 200, 40, 300, 22)),
  heterogeneous = list(x = c(3, 15, 8, 40, 2, 22), n = c(30, 40, 60, 100, 35, 50)),
  with_zero = list(x = c(0, 4, 10, 7, 1, 12), n = c(15, 30, 42, 25, 12, 20)),
  # Studies with 0 events and a large tau²: skewed random-effect posteriors.
  skewed = list(x = c(0, 0, 1, 50, 3), n = c(100, 5, 200, 60, 9))
)

# Binomial-normal likelihood with each random effect integrated by integrate()
# (adaptive Gauss-Kronrod), maximised by nlminb: an independent check of the
# GLMM that does not rely on Gauss-Hermite quadrature.
glmm_loglik <- function(mu, tau, x, n) {
  sum(mapply(function(xi, ni) {
    f <- function(u) dbinom(xi, ni, plogis(mu + u)) * dnorm(u, 0, tau)
    log(integrate(f, -Inf, Inf, rel.tol = 1e-13, abs.tol = 0, subdivisions = 1000L)$value)
  }, x, n))
}
glmm_direct <- function(x, n) {
  o <- nlminb(c(qlogis(sum(x) / sum(n)), 0), function(p) -glmm_loglik(p[1], exp(p[2]), x, n),
              control = list(rel.tol = 1e-15, x.tol = 1e-12, eval.max = 5000, iter.max = 2000))
  list(call = "nlminb over (mu, log tau) of sum(log(integrate(dbinom * dnorm)))",
       beta = o$par[1], tau2 = exp(2 * o$par[2]), loglik = -o$objective)
}

num <- function(x) unname(as.numeric(x))

# ---------------------------------------------------------------- Mantel-Haenszel
mh <- list()
for (name in names(two_arm)) {
  d <- two_arm[[name]]
  keep <- (d$ea + d$eb > 0)  # mantelhaen.test cannot take a stratum without events
  # rows: group a, group b; columns: event, no event
  tab <- array(c(rbind(d$ea, d$eb, d$na - d$ea, d$nb - d$eb)[, keep]), dim = c(2, 2, sum(keep)))
  res <- list(data = d)
  for (correct in c(TRUE, FALSE)) {
    t <- mantelhaen.test(tab, exact = FALSE, correct = correct)
    res[[if (correct) "mantelhaen_correct" else "mantelhaen_uncorrected"]] <- list(
      call = sprintf("mantelhaen.test(tab, exact = FALSE, correct = %s)", correct),
      estimate = num(t$estimate), conf_low = num(t$conf.int[1]), conf_high = num(t$conf.int[2]),
      statistic = num(t$statistic), pvalue = num(t$p.value))
  }
  r <- rma.mh(ai = d$ea, n1i = d$na, ci = d$eb, n2i = d$nb, measure = "OR")
  res$rma_mh <- list(
    call = "rma.mh(ai, n1i, ci, n2i, measure = 'OR')",
    beta = num(r$beta), se = num(r$se), ci_lb = num(r$ci.lb), ci_ub = num(r$ci.ub),
    MH = num(r$MH), MHp = num(r$MHp), BD = num(r$BD), BDp = num(r$BDp),
    TA = num(r$TA), TAp = num(r$TAp), k_pos = num(r$k.pos),
    QE = num(r$QE), QEp = num(r$QEp), I2 = num(r$I2), k = num(r$k),
    zval = num(r$zval), pval = num(r$pval))
  mh[[name]] <- res
}
out$mantel_haenszel <- mh

# ---------------------------------------------------------------- meta-analysis of odds ratios
mor <- list()
for (name in names(two_arm)) {
  d <- two_arm[[name]]
  es <- escalc(measure = "OR", ai = d$ea, n1i = d$na, ci = d$eb, n2i = d$nb,
               add = 1/2, to = "only0", drop00 = TRUE)
  ok <- !is.na(es$yi)
  res <- list(data = d, yi = num(es$yi[ok]), vi = num(es$vi[ok]))
  for (method in c("REML", "DL", "PM")) {
    for (test in c("z", "knha")) {
      r <- rma(yi, vi, data = es[ok, ], method = method, test = test, control = tight)
      p <- predict(r)
      res[[paste(method, test, sep = "_")]] <- list(
        call = sprintf(paste0("rma(yi, vi, method = '%s', test = '%s', control = ",
                              "list(threshold = 1e-12, maxiter = 1000, tol = 1e-15))"), method, test),
        beta = num(r$beta), se = num(r$se), ci_lb = num(r$ci.lb), ci_ub = num(r$ci.ub),
        pi_lb = num(p$pi.lb), pi_ub = num(p$pi.ub), tau2 = num(r$tau2), I2 = num(r$I2),
        QE = num(r$QE), QEp = num(r$QEp), weights = num(weights(r)),
        zval = num(r$zval), pval = num(r$pval))
    }
  }
  mor[[name]] <- res
}
out$meta_odds_ratios <- mor

# ---------------------------------------------------------------- meta-analysis of proportions
mprop <- list()
glmm_ctrl <- list(package = "lme4",
                  glmerCtrl = list(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5)))
for (name in names(proportion_sets)) {
  d <- proportion_sets[[name]]
  es <- escalc(measure = "PLO", xi = d$x, ni = d$n, add = 1/2, to = "only0")
  res <- list(data = d, yi = num(es$yi), vi = num(es$vi))
  for (method in c("REML", "DL", "PM", "ML")) {
    r <- rma(yi, vi, data = es, method = method, control = tight)
    p <- predict(r)
    res[[method]] <- list(
      call = sprintf(paste0("rma(yi, vi, method = '%s', control = ",
                            "list(threshold = 1e-12, maxiter = 1000, tol = 1e-15))"), method),
      beta = num(r$beta), se = num(r$se), ci_lb = num(r$ci.lb), ci_ub = num(r$ci.ub),
      pi_lb = num(p$pi.lb), pi_ub = num(p$pi.ub), tau2 = num(r$tau2), I2 = num(r$I2),
      QE = num(r$QE), QEp = num(r$QEp), weights = num(weights(r)),
        zval = num(r$zval), pval = num(r$pval))
  }
  # nAGQ = 25 adaptive Gauss-Hermite points, lme4's maximum. casestats integrates
  # by a trapezoid rule instead; the two agree to about 1e-8 on ordinary data but
  # not on skewed random-effect posteriors, which GLMM_integrate checks below.
  r <- rma.glmm(measure = "PLO", xi = d$x, ni = d$n, method = "ML", nAGQ = 25, control = glmm_ctrl)
  p <- predict(r)
  res$GLMM <- list(
    call = paste0("rma.glmm(measure = 'PLO', xi, ni, method = 'ML', nAGQ = 25, control = list(",
                  "package = 'lme4', glmerCtrl = list(optimizer = 'bobyqa', ",
                  "optCtrl = list(rhoend = 1e-12, maxfun = 1e5))))"),
    beta = num(r$beta), se = num(r$se), ci_lb = num(r$ci.lb), ci_ub = num(r$ci.ub),
    pi_lb = num(p$pi.lb), pi_ub = num(p$pi.ub), tau2 = num(r$tau2), I2 = num(r$I2),
    zval = num(r$zval), pval = num(r$pval))
  if (r$tau2 > 0) res$GLMM_integrate <- glmm_direct(d$x, d$n)
  mprop[[name]] <- res
}
out$meta_proportions <- mprop

# ---------------------------------------------------------------- logistic regression
# Simulated case series: calcinosis (0/1) by SSc subset, age and anti-centromere antibody.
logit_data <- data.frame(
  calcinosis = c(0,1,0,0,1,0,0,1,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,1,1,0,1,0,0,1,1,0,0,1,1,1,0,0,0,0,
                 0,0,1,0,1,1,0,0,0,1,0,1,1,1,1,0,1,1,0,0),
  lcssc = c(1,1,1,1,1,1,1,0,0,0,0,1,1,0,0,1,0,1,0,0,1,0,0,0,1,0,1,0,0,1,1,1,1,1,1,1,1,1,0,1,
            0,0,1,0,1,1,0,0,0,0,0,1,1,0,1,1,1,1,0,1),
  age = c(35,47,41,43,64,43,52,62,46,51,53,53,39,53,67,35,61,53,45,74,60,39,53,58,50,60,51,59,68,
          45,54,47,53,39,46,50,62,65,37,43,59,30,47,51,66,60,48,48,49,69,47,49,56,51,50,40,52,47,65,59),
  aca = c(0,1,1,1,0,1,1,0,1,0,0,1,1,0,0,1,0,1,0,0,0,0,0,1,0,0,1,0,1,1,0,0,1,0,1,1,1,1,0,0,
          0,1,1,0,1,0,0,0,0,0,0,1,0,0,0,1,1,1,1,1))
# Quasi-complete separation: every patient with digital ulcers has calcinosis.
sep_data <- data.frame(
  calcinosis = c(1,1,0,0,0,1,1,0,0,1,0,1,1,1,1,1,1,1,1,1,0,1,1,0),
  ulcers = c(1,0,0,0,0,1,1,0,0,1,0,0,1,1,0,1,1,1,1,1,0,0,1,0),
  age = c(49,51,39,47,48,62,53,50,65,44,46,32,66,60,59,57,51,52,47,48,51,65,56,49))

glm_tight <- glm.control(epsilon = 1e-14, maxit = 100)
# Exact profile-likelihood limits (uniroot on the profile deviance); MASS's
# confint interpolates a spline through a grid and is recorded separately.
profile_limits <- function(formula, data, term, level = 0.95) {
  fit <- glm(formula, family = binomial, data = data, control = glm_tight)
  X <- model.matrix(fit)
  y <- fit$y
  j <- match(term, colnames(X))
  crit <- qchisq(level, 1)
  dev0 <- deviance(fit)
  f <- function(b) {
    off <- X[, j] * b
    g <- glm.fit(X[, -j, drop = FALSE], y, offset = off, family = binomial(), control = glm_tight)
    g$deviance - dev0 - crit
  }
  est <- coef(fit)[j]
  se <- sqrt(diag(vcov(fit)))[j]
  lo <- uniroot(f, c(est - 10 * se, est), tol = 1e-13)$root
  hi <- uniroot(f, c(est, est + 10 * se), tol = 1e-13)$root
  c(lo, hi)
}

ml_fit <- glm(calcinosis ~ lcssc + age + aca, family = binomial, data = logit_data, control = glm_tight)
terms <- names(coef(ml_fit))
limits <- t(sapply(terms, function(t) profile_limits(calcinosis ~ lcssc + age + aca, logit_data, t)))
mass_ci <- suppressMessages(confint(ml_fit))
out$logistic_ml <- list(
  data = as.list(logit_data),
  call = "glm(calcinosis ~ lcssc + age + aca, family = binomial, control = glm.control(epsilon = 1e-14))",
  terms = terms, coef = num(coef(ml_fit)), se = num(sqrt(diag(vcov(ml_fit)))),
  wald_p = num(summary(ml_fit)$coefficients[, 4]),
  profile_low = num(limits[, 1]), profile_high = num(limits[, 2]),
  mass_confint_low = num(mass_ci[, 1]), mass_confint_high = num(mass_ci[, 2]),
  loglik = num(logLik(ml_fit)))

# Firth: penalised log-likelihood l(b) + 0.5 log det(X' W X).
# The weights are plogis(eta) * plogis(-eta): p * (1 - p) underflows to 0 once
# |eta| passes about 37, which complete separation by an uncentred covariate reaches.
firth_loglik <- function(b, X, y) {
  eta <- drop(X %*% b)
  w <- plogis(eta) * plogis(-eta)
  sum(y * eta - (pmax(eta, 0) + log1p(exp(-abs(eta))))) + 0.5 * as.numeric(determinant(crossprod(X, X * w))$modulus)
}
firth_grad <- function(b, X, y) {
  eta <- drop(X %*% b)
  p <- plogis(eta)
  w <- p * plogis(-eta)
  XW <- X * sqrt(w)
  h <- rowSums((XW %*% solve(crossprod(XW))) * XW)
  drop(crossprod(X, y - p + h * (0.5 - p)))
}
# Maximum of the penalised log-likelihood with coefficient j fixed at value.
firth_profile <- function(X, y, j, value, start) {
  free <- setdiff(seq_len(ncol(X)), j)
  full <- function(bf) { b <- numeric(ncol(X)); b[free] <- bf; b[j] <- value; b }
  o <- optim(start[free], function(bf) -firth_loglik(full(bf), X, y),
             function(bf) -firth_grad(full(bf), X, y)[free],
             method = "BFGS", control = list(reltol = 1e-15, maxit = 10000))
  -o$value
}
firth_reference <- function(formula, data, level = 0.95) {
  fit <- glm(formula, family = binomial, data = data, method = "brglmFit", type = "AS_mean",
             epsilon = 1e-14, maxit = 1000)
  X <- model.matrix(fit)
  y <- fit$y
  b <- coef(fit)
  lmax <- firth_loglik(b, X, y)
  crit <- qchisq(level, 1)
  se <- sqrt(diag(vcov(fit)))
  lo <- hi <- lr <- numeric(length(b))
  for (j in seq_along(b)) {
    f <- function(v) 2 * (lmax - firth_profile(X, y, j, v, b)) - crit
    step <- se[j]
    while (f(b[j] - step) < 0) step <- 2 * step
    lo[j] <- uniroot(f, c(b[j] - step, b[j]), tol = 1e-12)$root
    step <- se[j]
    while (f(b[j] + step) < 0) step <- 2 * step
    hi[j] <- uniroot(f, c(b[j], b[j] + step), tol = 1e-12)$root
    lr[j] <- 2 * (lmax - firth_profile(X, y, j, 0, b))
  }
  list(terms = colnames(X), coef = num(b), se = num(se), profile_low = lo, profile_high = hi,
       lr_statistic = lr, lr_p = pchisq(lr, 1, lower.tail = FALSE), penalised_loglik = lmax)
}
sep_ml <- suppressWarnings(glm(calcinosis ~ ulcers + age, family = binomial, data = sep_data))
out$logistic_firth_separated <- c(
  list(data = as.list(sep_data),
       call = paste0("glm(calcinosis ~ ulcers + age, family = binomial, method = 'brglmFit', ",
                     "type = 'AS_mean'); penalised profile limits by optim(BFGS) + uniroot"),
       ml_coef_ulcers = num(coef(sep_ml)["ulcers"]), ml_se_ulcers = num(sqrt(vcov(sep_ml)["ulcers", "ulcers"]))),
  firth_reference(calcinosis ~ ulcers + age, sep_data))
# Complete separation by an uncentred covariate: the linear predictor reaches
# about 40 at the extremes, where p * (1 - p) underflows.
age_sep_data <- data.frame(calcinosis = rep(c(0, 1), each = 6),
                           age = c(41, 44, 47, 50, 53, 57, 60, 63, 66, 70, 73, 76))
out$logistic_firth_complete_age <- c(
  list(data = as.list(age_sep_data),
       call = paste0("glm(calcinosis ~ age, family = binomial, method = 'brglmFit', ",
                     "type = 'AS_mean'); penalised profile limits by optim(BFGS) + uniroot")),
  firth_reference(calcinosis ~ age, age_sep_data))
out$logistic_firth_forced <- c(
  list(call = "Firth fit of calcinosis ~ lcssc + age + aca on the logistic_ml data"),
  firth_reference(calcinosis ~ lcssc + age + aca, logit_data))

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/reference/pooling.json")
cat("wrote tests/reference/pooling.json\n")
