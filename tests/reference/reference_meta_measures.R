# Reference values for the risk-ratio, risk-difference and generic (reported
# estimates) meta-analyses, ML tau² for odds ratios, Knapp-Hartung for pooled
# proportions, the exact conditional Mantel-Haenszel analysis and the risk
# difference intervals of a single 2x2 table. Run from the repository root:
#   Rscript tests/reference/reference_meta_measures.R
# writes tests/reference/meta_measures.json (frozen; the tests never need R).
#
# Packages (Debian bookworm): r-base-core, r-cran-metafor, r-cran-epir, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(metafor)
  library(epiR)
  library(jsonlite)
})

tight <- list(threshold = 1e-12, maxiter = 1000, tol = 1e-15)
out <- list(
  r_version = R.version.string,
  packages = list(
    metafor = as.character(packageVersion("metafor")),
    epiR = as.character(packageVersion("epiR")),
    jsonlite = as.character(packageVersion("jsonlite"))
  ),
  generated_by = "tests/reference/reference_meta_measures.R"
)
num <- function(x) unname(as.numeric(x))
# JSON has no infinity: an infinite value is written as the string "Inf".
fin <- function(x) if (is.infinite(x)) "Inf" else num(x)

# The two-arm sets of reference_pooling.R: (events_a, total_a, events_b, total_b).
two_arm <- list(
  homogeneous = list(ea = c(30, 45, 8, 60, 5), na = c(120, 200, 40, 300, 22),
                     eb = c(12, 20, 3, 25, 1), nb = c(80, 150, 35, 180, 18)),
  heterogeneous = list(ea = c(12, 30, 5, 40, 3, 22), na = c(60, 90, 50, 150, 25, 80),
                       eb = c(10, 8, 9, 10, 0, 15), nb = c(70, 85, 48, 160, 20, 75)),
  with_double_zero = list(ea = c(12, 30, 5, 40, 3, 22, 0), na = c(60, 90, 50, 150, 25, 80, 30),
                          eb = c(10, 8, 9, 10, 0, 15, 0), nb = c(70, 85, 48, 160, 20, 75, 25))
)

fit_rma <- function(es, method, test) {
  r <- rma(yi, vi, data = es, method = method, test = test, control = tight)
  p <- predict(r)
  list(call = sprintf(paste0("rma(yi, vi, method = '%s', test = '%s', control = ",
                             "list(threshold = 1e-12, maxiter = 1000, tol = 1e-15))"), method, test),
       beta = num(r$beta), se = num(r$se), ci_lb = num(r$ci.lb), ci_ub = num(r$ci.ub),
       pi_lb = num(p$pi.lb), pi_ub = num(p$pi.ub), tau2 = num(r$tau2), I2 = num(r$I2),
       QE = num(r$QE), QEp = num(r$QEp), weights = num(weights(r)),
       zval = num(r$zval), pval = num(r$pval))
}

# ---------------------------------------------------------------- RR, RD, OR (ML)
# RR and OR drop double-zero studies (drop00 = TRUE, as casestats' odds ratios);
# RD keeps them (rma's default drop00 = FALSE). 0.5 is added to every cell of a
# study with a zero cell (add = 1/2, to = "only0").
measures <- list()
for (measure in c("RR", "RD", "OR")) {
  sets <- list()
  for (name in names(two_arm)) {
    d <- two_arm[[name]]
    es <- escalc(measure = measure, ai = d$ea, n1i = d$na, ci = d$eb, n2i = d$nb,
                 add = 1/2, to = "only0", drop00 = measure != "RD")
    ok <- !is.na(es$yi)
    res <- list(data = d, yi = num(es$yi[ok]), vi = num(es$vi[ok]), kept = which(ok))
    methods <- if (measure == "OR") "ML" else c("REML", "DL", "PM", "ML")
    for (method in methods) for (test in c("z", "knha")) {
      res[[paste(method, test, sep = "_")]] <- fit_rma(es[ok, ], method, test)
    }
    if (measure != "OR") {
      r <- rma.mh(ai = d$ea, n1i = d$na, ci = d$eb, n2i = d$nb, measure = measure)
      res$MH <- list(call = sprintf("rma.mh(ai, n1i, ci, n2i, measure = '%s')", measure),
                     beta = num(r$beta), se = num(r$se), ci_lb = num(r$ci.lb), ci_ub = num(r$ci.ub),
                     QE = num(r$QE), QEp = num(r$QEp), I2 = num(r$I2), k = num(r$k),
                     k_yi = num(r$k.yi), zval = num(r$zval), pval = num(r$pval))
    }
    sets[[name]] <- res
  }
  measures[[measure]] <- sets
}
out$measures <- measures

# ---------------------------------------------------------------- proportions, Knapp-Hartung
proportion_sets <- list(
  homogeneous = list(x = c(30, 45, 8, 60, 5), n = c(120, 200, 40, 300, 22)),
  heterogeneous = list(x = c(3, 15, 8, 40, 2, 22), n = c(30, 40, 60, 100, 35, 50)),
  with_zero = list(x = c(0, 4, 10, 7, 1, 12), n = c(15, 30, 42, 25, 12, 20))
)
prop <- list()
for (name in names(proportion_sets)) {
  d <- proportion_sets[[name]]
  es <- escalc(measure = "PLO", xi = d$x, ni = d$n, add = 1/2, to = "only0")
  res <- list(data = d)
  for (method in c("REML", "DL", "PM", "ML")) res[[method]] <- fit_rma(es, method, "knha")
  prop[[name]] <- res
}
out$proportions_knha <- prop

# ---------------------------------------------------------------- generic inverse variance
# Published adjusted odds ratios with 95% CIs; the last study reports log OR with its SE.
reported <- list(estimate = c(2.1, 1.6, 3.4, 0.9, 2.8, 1.9),
                 lower = c(1.1, 0.8, 1.2, 0.4, 1.3, NA),
                 upper = c(4.0, 3.2, 9.6, 2.0, 6.0, NA),
                 se = c(NA, NA, NA, NA, NA, 0.31))
yi <- log(reported$estimate)
sei <- ifelse(is.na(reported$se), (log(reported$upper) - log(reported$lower)) / (2 * qnorm(0.975)),
              reported$se)
gen <- list(data = reported, yi = yi, vi = sei^2,
            sei_call = "(log(upper) - log(lower)) / (2 * qnorm(0.975)), or se where given")
es <- data.frame(yi = yi, vi = sei^2)
for (method in c("REML", "DL", "PM", "ML")) for (test in c("z", "knha")) {
  gen[[paste(method, test, sep = "_")]] <- fit_rma(es, method, test)
}
# A 90% CI: the SE uses qnorm(0.95).
sei90 <- (log(reported$upper[1:5]) - log(reported$lower[1:5])) / (2 * qnorm(0.95))
gen$ci90_DL_z <- fit_rma(data.frame(yi = yi[1:5], vi = sei90^2), "DL", "z")
# Risk differences reported with 95% CIs (identity scale).
rd <- list(estimate = c(0.12, 0.05, 0.20, -0.02), lower = c(0.02, -0.06, 0.04, -0.15),
           upper = c(0.22, 0.16, 0.36, 0.11))
sei_rd <- (rd$upper - rd$lower) / (2 * qnorm(0.975))
gen$rd <- c(list(data = rd), fit_rma(data.frame(yi = rd$estimate, vi = sei_rd^2), "REML", "z"))
out$generic <- gen

# ---------------------------------------------------------------- exact conditional MH
strata <- list(
  sparse = list(ea = c(2, 0, 3, 1), na = c(10, 8, 12, 6), eb = c(0, 1, 0, 0), nb = c(9, 10, 11, 7)),
  homogeneous = two_arm$homogeneous,
  upper_boundary = list(ea = c(2, 3), na = c(5, 6), eb = c(0, 0), nb = c(5, 7))
)
# mantelhaen.test solves for the estimate and limits with uniroot's default
# tolerance (about 1e-4). The same equations solved tightly, on log(OR), from
# the null distribution of S = sum(a) built here by direct convolution of the
# strata's dhyper:
exact_tight <- function(d, level) {
  dens <- 1
  lo <- 0
  for (i in seq_along(d$ea)) {
    m <- d$ea[i] + d$eb[i]; n <- d$na[i] + d$nb[i] - m; k <- d$na[i]
    s <- max(0, k - n):min(k, m)
    p <- dhyper(s, m, n, k)
    new <- numeric(length(dens) + length(p) - 1)
    for (j in seq_along(p)) {
      idx <- j:(j + length(dens) - 1)
      new[idx] <- new[idx] + p[j] * dens
    }
    dens <- new
    lo <- lo + min(s)
  }
  support <- lo + seq_along(dens) - 1
  x <- sum(d$ea)
  pmf <- function(t) { w <- log(dens) + support * t; w <- exp(w - max(w)); w / sum(w) }
  alpha <- (1 - level) / 2
  root <- function(f) uniroot(f, c(-30, 30), tol = 1e-14, maxiter = 10000)$root
  est <- if (x == max(support)) Inf else exp(root(function(t) sum(support * pmf(t)) - x))
  low <- if (x == min(support)) 0 else exp(root(function(t) sum(pmf(t)[support >= x]) - alpha))
  high <- if (x == max(support)) Inf else exp(root(function(t) sum(pmf(t)[support <= x]) - alpha))
  list(call = "uniroot(tol = 1e-14) on log(OR) over the convolved dhyper null", estimate = fin(est),
       conf_low = fin(low), conf_high = fin(high))
}
exact <- list()
for (name in names(strata)) {
  d <- strata[[name]]
  tab <- array(c(rbind(d$ea, d$eb, d$na - d$ea, d$nb - d$eb)), dim = c(2, 2, length(d$ea)))
  res <- list(data = d)
  for (level in c(0.95, 0.9)) {
    t <- mantelhaen.test(tab, exact = TRUE, conf.level = level)
    res[[sprintf("level_%g", level)]] <- list(
      call = sprintf("mantelhaen.test(tab, exact = TRUE, conf.level = %g)", level),
      estimate = fin(t$estimate), conf_low = fin(t$conf.int[1]), conf_high = fin(t$conf.int[2]),
      statistic = num(t$statistic), pvalue = num(t$p.value))
    res[[sprintf("tight_%g", level)]] <- exact_tight(d, level)
  }
  exact[[name]] <- res
}
out$exact_mantel_haenszel <- exact

# ---------------------------------------------------------------- RD intervals of one table
# epiR 2.0.57: ARisk.strata.wald is the Wald interval; ARisk.strata.score is
# Mee's (1984) score interval (the Miettinen-Nurminen one without the
# N / (N - 1) variance factor), found by bisection to about 1e-7.
tables <- list(c(56, 70, 48, 80), c(7, 12, 3, 25), c(0, 10, 3, 20), c(10, 10, 5, 20), c(5, 22, 1, 18))
rdi <- list()
for (counts in tables) {
  a <- counts[1]; n1 <- counts[2]; c <- counts[3]; n2 <- counts[4]
  m <- matrix(c(a, n1 - a, c, n2 - c), 2, byrow = TRUE)
  r <- suppressWarnings(epi.2by2(m, method = "cohort.count", conf.level = 0.95, units = 1))
  w <- r$massoc.detail$ARisk.strata.wald
  s <- r$massoc.detail$ARisk.strata.score
  rdi[[length(rdi) + 1]] <- list(
    counts = counts, call = "epi.2by2(m, method = 'cohort.count', units = 1)",
    estimate = num(w$est), wald = num(c(w$lower, w$upper)), mee_score = num(c(s$lower, s$upper)))
}
out$risk_difference_intervals <- rdi

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           "tests/reference/meta_measures.json")
cat("wrote tests/reference/meta_measures.json\n")
