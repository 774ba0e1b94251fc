# Reference values for the statistics behind the calcinosis analyses:
# casestats.stats.goodness_of_fit, casestats.stats.permutation (the patients x
# sites profile test) and casestats.stats.level_comparison. Run from the
# repository root:
#   Rscript tests/reference/reference_analysis.R
# It writes tests/reference/analysis.json (15 significant digits). The tests
# read only the JSON; they never need R.
suppressPackageStartupMessages({
  library(jsonlite)
  library(MASS)
})
set.seed(20261201)

out <- list(
  meta = list(
    r_version = R.version.string,
    packages = list(
      jsonlite = as.character(packageVersion("jsonlite")),
      MASS = as.character(packageVersion("MASS")),
      stats = as.character(packageVersion("stats"))
    ),
    script = "tests/reference/reference_analysis.R"
  )
)

# ------------------------------------------------------------ goodness of fit
# The exact p-value of Pearson's statistic: the probability, under the
# reference multinomial, of every outcome whose statistic is at least the
# observed one (all outcomes enumerated; n is small).
compositions <- function(n, k) {
  if (k == 1) return(matrix(n, 1, 1))
  do.call(rbind, lapply(0:n, function(first) cbind(first, compositions(n - first, k - 1))))
}
exact_gof <- function(x, p) {
  n <- sum(x)
  e <- n * p
  observed <- sum((x - e)^2 / e)
  outcomes <- compositions(n, length(x))
  stat <- apply(outcomes, 1, function(y) sum((y - e)^2 / e))
  prob <- apply(outcomes, 1, function(y) dmultinom(y, prob = p))
  sum(prob[stat >= observed * (1 - 1e-7)])
}
gof_cases <- list(
  list(x = c(3, 4, 2, 1), p = c(0.6, 0.2, 0.1, 0.1)),
  list(x = c(9, 1, 0, 2), p = c(0.4, 0.3, 0.2, 0.1)),
  list(x = c(40, 25, 20, 15), p = c(0.35, 0.3, 0.2, 0.15))
)
out$goodness_of_fit <- lapply(gof_cases, function(cs) {
  asymptotic <- suppressWarnings(chisq.test(cs$x, p = cs$p))
  simulated <- chisq.test(cs$x, p = cs$p, simulate.p.value = TRUE, B = 200000)
  list(
    observed = cs$x,
    reference = cs$p,
    statistic = unname(asymptotic$statistic),
    df = unname(asymptotic$parameter),
    pvalue_asymptotic = asymptotic$p.value,
    pvalue_simulated = simulated$p.value,
    simulated_resamples = 200000,
    pvalue_exact = if (sum(cs$x) <= 20) exact_gof(cs$x, cs$p) else NA,
    calls = c("chisq.test(x, p = p)", "chisq.test(x, p = p, simulate.p.value = TRUE, B = 2e5)",
              "exact: sum of dmultinom over outcomes with statistic >= observed")
  )
})

# ------------------------------------------------- patients x sites profile test
# With one site the profile statistic is Pearson's chi-square on the
# 2 x groups table; R's simulate.p.value draws tables with both margins fixed,
# which is the permutation distribution of the group labels.
one_site <- list(
  list(events = c(8, 3, 12), total = c(20, 15, 25)),
  list(events = c(300, 250, 480), total = c(800, 700, 1000))
)
out$profile_one_site <- lapply(one_site, function(cs) {
  table <- rbind(cs$events, cs$total - cs$events)
  test <- chisq.test(table, correct = FALSE)
  sim <- chisq.test(table, simulate.p.value = TRUE, B = 200000)
  list(
    events = cs$events,
    total = cs$total,
    statistic = unname(test$statistic),
    df = unname(test$parameter),
    pvalue = test$p.value,
    pvalue_simulated = sim$p.value,
    simulated_resamples = 200000,
    calls = c("chisq.test(rbind(events, total - events), correct = FALSE)",
              "chisq.test(..., simulate.p.value = TRUE, B = 2e5)")
  )
})

# Several sites: the statistic from its definition, sum over groups of
# n_k * m_k' S^+ m_k, with m_k the group mean of the centred indicators and S
# their covariance (divisor n), S^+ the Moore-Penrose inverse (MASS::ginv).
x <- matrix(c(
  1, 0, 1, 0,  1, 1, 0, 0,  0, 1, 1, 0,  1, 1, 1, 1,  0, 0, 1, 0,  1, 0, 0, 0,
  0, 0, 0, 1,  1, 1, 0, 0,  0, 1, 0, 0,  0, 0, 1, 1,  1, 0, 1, 0,  0, 1, 1, 0,
  0, 0, 0, 0,  1, 1, 1, 0,  0, 1, 0, 1,  0, 0, 1, 0,  1, 0, 0, 1,  1, 1, 0, 0
), ncol = 4, byrow = TRUE)
x <- cbind(x, x[, 1])  # a duplicated site: the covariance is singular (rank 4)
groups <- rep(c("u", "v", "w"), times = c(7, 6, 5))
centred <- sweep(x, 2, colMeans(x))
S <- crossprod(centred) / nrow(x)
Sinv <- ginv(S)
stat <- 0
for (g in unique(groups)) {
  m <- colMeans(centred[groups == g, , drop = FALSE])
  stat <- stat + sum(groups == g) * drop(t(m) %*% Sinv %*% m)
}
rank <- qr(S)$rank
out$profile_sites <- list(
  indicators = x,
  groups = groups,
  statistic = stat,
  rank = rank,
  df = (length(unique(groups)) - 1) * rank,
  pvalue_asymptotic = pchisq(stat, (length(unique(groups)) - 1) * rank, lower.tail = FALSE),
  calls = "sum_k n_k m_k' ginv(S) m_k; pchisq(stat, (K - 1) * rank(S), lower.tail = FALSE)"
)

# ------------------------------------------------------- per-level comparison
# Two groups: Fisher's exact test where an expected count is below 5, else
# Pearson's chi-square without correction; three groups: Fisher-Freeman-Halton.
# Benjamini-Hochberg over the levels tested (p.adjust "BH").
levels2 <- list(
  finger = c(5, 1), elbow = c(2, 4), knee = c(0, 3), thigh = c(30, 12)
)
total2 <- c(40, 35)
p2 <- sapply(levels2, function(e) {
  tab <- rbind(e, total2 - e)
  expected <- outer(rowSums(tab), colSums(tab)) / sum(tab)
  if (min(expected) < 5) fisher.test(tab)$p.value else chisq.test(tab, correct = FALSE)$p.value
})
test2 <- sapply(levels2, function(e) {
  tab <- rbind(e, total2 - e)
  expected <- outer(rowSums(tab), colSums(tab)) / sum(tab)
  if (min(expected) < 5) "fisher" else "chi2"
})
levels3 <- list(finger = c(5, 1, 2), elbow = c(2, 4, 0), knee = c(1, 1, 1))
total3 <- c(12, 10, 8)
p3 <- sapply(levels3, function(e) fisher.test(rbind(e, total3 - e))$p.value)
out$level_comparison <- list(
  two_groups = list(
    labels = names(levels2),
    events = unname(do.call(rbind, levels2)),
    total = total2,
    test = unname(test2),
    pvalue = unname(p2),
    pvalue_adjusted = unname(p.adjust(p2, "BH"))
  ),
  three_groups = list(
    labels = names(levels3),
    events = unname(do.call(rbind, levels3)),
    total = total3,
    pvalue = unname(p3),
    pvalue_adjusted = unname(p.adjust(p3, "BH"))
  ),
  calls = c("fisher.test(rbind(events, total - events))",
            "chisq.test(..., correct = FALSE)", "p.adjust(p, 'BH')")
)

writeLines(
  toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "string"),
  "tests/reference/analysis.json"
)
