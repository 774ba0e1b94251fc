# Reference values for casestats.stats.intervals, casestats.stats.multiple_testing and
# casestats.stats.contingency. Run from the repository root:
#   Rscript tests/reference/reference_core.R
# It writes tests/reference/core.json: numbers with 15 significant digits
# (jsonlite digits = NA), enough for the 1e-10 relative tolerances of the tests;
# non-finite values are the strings "NA", "NaN", "Inf" and "-Inf".
# The tests read only the JSON; they never need R.
suppressPackageStartupMessages({
  library(jsonlite)
  library(epiR)
})

out <- list(
  meta = list(
    r_version = R.version.string,
    packages = list(
      jsonlite = as.character(packageVersion("jsonlite")),
      epiR = as.character(packageVersion("epiR")),
      stats = as.character(packageVersion("stats"))
    ),
    script = "tests/reference/reference_core.R"
  )
)

# ---------------------------------------------------------------- proportions
prop_cases <- list(
  c(0, 10, 0.95), c(1, 10, 0.95), c(3, 10, 0.95), c(10, 10, 0.95), c(7, 23, 0.95),
  c(0, 1, 0.95), c(1, 1, 0.95), c(45, 200, 0.95), c(999, 1000, 0.95),
  c(3, 10, 0.90), c(17, 40, 0.99), c(1, 3, 0.8)
)
proportions <- lapply(prop_cases, function(cs) {
  x <- cs[1]; n <- cs[2]; level <- cs[3]
  alpha <- 1 - level
  z <- qnorm(1 - alpha / 2)
  p <- x / n
  # Wilson: prop.test without continuity correction is the score interval.
  wilson <- suppressWarnings(prop.test(x, n, correct = FALSE, conf.level = level)$conf.int)
  cp <- binom.test(x, n, conf.level = level)$conf.int
  jeffreys <- c(if (x == 0) 0 else qbeta(alpha / 2, x + 0.5, n - x + 0.5),
                if (x == n) 1 else qbeta(1 - alpha / 2, x + 0.5, n - x + 0.5))
  nt <- n + z^2
  pt <- (x + z^2 / 2) / nt
  ac <- c(max(0, pt - z * sqrt(pt * (1 - pt) / nt)), min(1, pt + z * sqrt(pt * (1 - pt) / nt)))
  wald <- c(max(0, p - z * sqrt(p * (1 - p) / n)), min(1, p + z * sqrt(p * (1 - p) / n)))
  list(
    events = x, total = n, confidence_level = level,
    wilson = as.numeric(wilson), `clopper-pearson` = as.numeric(cp),
    jeffreys = jeffreys, `agresti-coull` = ac, wald = wald,
    calls = c("prop.test(x, n, correct=FALSE, conf.level)$conf.int",
              "binom.test(x, n, conf.level)$conf.int",
              "qbeta(alpha/2 and 1-alpha/2, x+0.5, n-x+0.5), 0 at x=0 and 1 at x=n",
              "agresti-coull and wald by formula, clipped to [0, 1]")
  )
})
out$proportions <- proportions

# ---------------------------------------------------- multinomial (Goodman)
goodman <- function(x, level) {
  n <- sum(x); k <- length(x)
  a <- qchisq(1 - (1 - level) / k, 1)
  root <- sqrt(a * (a + 4 * x * (n - x) / n))
  list(counts = x, confidence_level = level,
       low = pmax(0, (a + 2 * x - root) / (2 * (n + a))),
       high = pmin(1, (a + 2 * x + root) / (2 * (n + a))),
       call = "Goodman (1965) by formula with qchisq(1 - alpha/k, 1)")
}
out$goodman <- list(
  goodman(c(56, 72, 73, 59, 62, 87, 58), 0.95),
  goodman(c(20, 5, 3, 2), 0.95),
  goodman(c(1, 12, 5, 3, 4, 0), 0.90)
)

# ----------------------------------------------------------------- p.adjust
padj_inputs <- list(
  c(0.01, 0.04, 0.03, 0.2, 0.5, 0.001),
  c(0.05, 0.05, 0.05, 0.01, NA, 0.8, 0.02),
  c(0.9, 0.95, 1, 0.99),
  c(0.0001),
  c(0.02, 0.03),
  c(0.004, 0.011, 0.012, 0.035, 0.04, 0.041, 0.27, 0.6)
)
out$p_adjust <- lapply(padj_inputs, function(p) {
  list(p = p, fdr_bh = p.adjust(p, "BH"), holm = p.adjust(p, "holm"),
       bonferroni = p.adjust(p, "bonferroni"), fdr_by = p.adjust(p, "BY"),
       hochberg = p.adjust(p, "hochberg"), hommel = p.adjust(p, "hommel"),
       call = "p.adjust(p, method) with n = sum(!is.na(p))")
})

# ------------------------------------------------------------------ 2x2 tables
# Conditional MLE and exact interval re-solved tightly (fisher.test stops near 1e-4):
# the same equations as fisher.test, on the log odds-ratio scale, uniroot tol 1e-14.
cond <- function(a, b, c, d) {
  m <- a + c; n <- b + d; k <- a + b
  lo <- max(0, k - n); hi <- min(k, m)
  support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dn <- function(theta) { w <- logdc + theta * support; exp(w - max(w)) / sum(exp(w - max(w))) }
  mean_at <- function(theta) sum(support * dn(theta))
  cdf_at <- function(theta) sum(dn(theta)[support <= a])
  sf_at <- function(theta) sum(dn(theta)[support >= a])
  root <- function(f) {
    lower <- -1; upper <- 1
    while (sign(f(lower)) == sign(f(upper))) { lower <- 2 * lower; upper <- 2 * upper }
    uniroot(f, c(lower, upper), tol = 1e-14, maxiter = 10000)$root
  }
  list(
    estimate = function() if (a == lo) 0 else if (a == hi) Inf else exp(root(function(t) mean_at(t) - a)),
    lower = function(alpha) if (a == lo) 0 else exp(root(function(t) log(sf_at(t)) - log(alpha))),
    upper = function(alpha) if (a == hi) Inf else exp(root(function(t) log(cdf_at(t)) - log(alpha)))
  )
}

tables <- list(
  c(9, 20, 3, 25), c(3, 10, 8, 12), c(12, 40, 25, 45), c(1, 2, 9, 10), c(30, 300, 12, 310),
  c(0, 20, 3, 25), c(5, 5, 2, 30), c(15, 150, 14, 150), c(7, 11, 0, 9)
)
levels_ <- c(0.95, 0.95, 0.90, 0.95, 0.99, 0.95, 0.95, 0.95, 0.95)
out$two_by_two <- mapply(function(cs, level) {
  a <- cs[1]; n1 <- cs[2]; c <- cs[3]; n2 <- cs[4]
  b <- n1 - a; d <- n2 - c
  x <- matrix(c(a, c, b, d), 2)  # rows a/b, columns events/non-events
  alpha <- 1 - level
  z <- qnorm(1 - alpha / 2)
  f2 <- fisher.test(x, conf.level = level)
  fl <- fisher.test(x, alternative = "less", conf.level = level)
  fg <- fisher.test(x, alternative = "greater", conf.level = level)
  cm <- cond(a, b, c, d)
  chi <- suppressWarnings(chisq.test(x, correct = FALSE))
  chy <- suppressWarnings(chisq.test(x, correct = TRUE))
  pl <- suppressWarnings(prop.test(c(a, c), c(n1, n2), correct = FALSE, alternative = "less"))
  pg <- suppressWarnings(prop.test(c(a, c), c(n1, n2), correct = FALSE, alternative = "greater"))
  N <- n1 + n2
  zero <- any(c(a, b, c, d) == 0)
  h <- if (zero) 0.5 else 0
  A <- a + h; B <- b + h; C <- c + h; D <- d + h
  or <- A * D / (B * C); or_se <- sqrt(1 / A + 1 / B + 1 / C + 1 / D)
  rr <- (A / (A + B)) / (C / (C + D)); rr_se <- sqrt(1 / A - 1 / (A + B) + 1 / C - 1 / (C + D))
  w1 <- suppressWarnings(prop.test(a, n1, correct = FALSE, conf.level = level)$conf.int)
  w2 <- suppressWarnings(prop.test(c, n2, correct = FALSE, conf.level = level)$conf.int)
  p1 <- a / n1; p2 <- c / n2
  rd <- c(p1 - p2 - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2),
          p1 - p2 + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
  res <- list(
    events_a = a, total_a = n1, events_b = c, total_b = n2, confidence_level = level,
    fisher_p = c(two_sided = f2$p.value, less = fl$p.value, greater = fg$p.value),
    fisher_test_estimate = (unname(f2$estimate)),
    fisher_test_conf_int = (as.numeric(f2$conf.int)),
    cmle = (cm$estimate()),
    cmle_ci = (c(cm$lower(alpha / 2), cm$upper(alpha / 2))),
    cmle_ci_less = (c(0, cm$upper(alpha))),
    cmle_ci_greater = (c(cm$lower(alpha), Inf)),
    chi2 = (c(statistic = unname(chi$statistic), pvalue = chi$p.value)),
    chi2_yates = (c(statistic = unname(chy$statistic), pvalue = chy$p.value)),
    n_minus_1 = (c(statistic = unname(chi$statistic) * (N - 1) / N,
                      pvalue = pchisq(unname(chi$statistic) * (N - 1) / N, 1, lower.tail = FALSE))),
    chi2_p_less = (pl$p.value), chi2_p_greater = (pg$p.value),
    expected = (as.numeric(t(chi$expected))),
    zero_cell_correction = zero,
    odds_ratio_sample = (c(or, or * exp(-z * or_se), or * exp(z * or_se))),
    risk_ratio = (c(rr, rr * exp(-z * rr_se), rr * exp(z * rr_se))),
    risk_difference = (c(p1 - p2, rd)),
    calls = c("fisher.test(matrix(c(a, c, b, d), 2), conf.level, alternative)",
              "conditional MLE / exact CI re-solved with uniroot(tol = 1e-14) on log OR",
              "chisq.test(x, correct = FALSE / TRUE); n-1 = X2 * (N - 1) / N",
              "prop.test(c(a, c), c(n1, n2), correct = FALSE, alternative)",
              "Woolf OR and log-Wald RR by formula (+0.5 to all cells when a cell is 0)",
              "Newcombe hybrid score RD from prop.test(correct = FALSE) Wilson limits")
  )
  if (!zero) {
    e <- epi.2by2(dat = as.table(matrix(c(a, b, c, d), nrow = 2, byrow = TRUE)),
                  method = "cohort.count", conf.level = level)
    res$epiR_rr_wald <- as.numeric(e$massoc.detail$RR.strata.wald)
    res$epiR_or_wald <- as.numeric(e$massoc.detail$OR.strata.wald)
  }
  res
}, tables, levels_, SIMPLIFY = FALSE)

# ------------------------------------------------------------------ R x C tables
rxc <- list(
  list(table = matrix(c(3, 1, 0, 2, 6, 8), 2, byrow = TRUE)),
  list(table = matrix(c(5, 2, 1, 0, 4, 1, 6, 9, 7, 10), 2, byrow = TRUE)),
  list(table = matrix(c(3, 1, 0, 4, 2, 6, 8, 1, 1, 1, 1, 5), 3, byrow = TRUE)),
  list(table = matrix(c(20, 15, 30, 25, 18, 40, 22, 35, 28), 3, byrow = TRUE)),
  list(table = matrix(c(2, 7, 3, 1, 4, 2, 5, 0, 6), 3, byrow = TRUE))
)
set.seed(20261123)
out$rxc <- lapply(rxc, function(item) {
  x <- item$table
  chi <- suppressWarnings(chisq.test(x, correct = FALSE))
  res <- list(table = lapply(seq_len(nrow(x)), function(i) x[i, ]),
              chi2_statistic = unname(chi$statistic), chi2_df = unname(chi$parameter),
              chi2_pvalue = chi$p.value,
              expected = lapply(seq_len(nrow(x)), function(i) chi$expected[i, ]))
  if (nrow(x) == 2 || ncol(x) == 2) {
    res$fisher_pvalue <- fisher.test(x)$p.value
  } else {
    res$fisher_pvalue_network <- fisher.test(x, workspace = 2e8)$p.value
  }
  res$fisher_simulated <- fisher.test(x, simulate.p.value = TRUE, B = 1e5)$p.value
  res$calls <- c("chisq.test(x, correct = FALSE)", "fisher.test(x) (network algorithm)",
                 "fisher.test(x, simulate.p.value = TRUE, B = 1e5) after set.seed(20261123)")
  res
})

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "string"),
           "tests/reference/core.json")
cat("wrote tests/reference/core.json\n")
