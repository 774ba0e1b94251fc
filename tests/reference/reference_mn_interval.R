# Miettinen-Nurminen score interval of a risk difference p_a - p_b, written from its
# published definition (Miettinen O, Nurminen M. Comparative analysis of two rates.
# Stat Med 1985;4:213-226): for each candidate difference delta, the proportions
# are the maximum-likelihood estimates restricted to p_a - p_b = delta, the
# variance is theirs times N / (N - 1), and the limits are the deltas at which
# (p_a_hat - p_b_hat - delta)^2 / V(delta) equals the chi-square(1) quantile.
#
# Independent of casestats' closed-form (cubic) restricted MLE: here the
# restricted MLE is the root of the profile score equation, found by uniroot,
# and the limits by uniroot on the score statistic. Run from the repository root:
#   Rscript tests/reference/reference_mn_interval.R
# writes tests/reference/mn_interval.json (frozen; the tests never need R).
# Packages (Debian bookworm): r-base-core, r-cran-jsonlite.
suppressPackageStartupMessages(library(jsonlite))

tol <- 1e-14

# ML proportions under p_a - p_b = delta: maximise the binomial log-likelihood over
# p_b in [max(0, -delta), min(1, 1 - delta)], via the root of its derivative.
restricted <- function(xa, na, xb, nb, delta) {
  lo <- max(0, -delta)
  hi <- min(1, 1 - delta)
  if (hi - lo < 1e-12) return(c(lo + delta, lo))  # delta = -1 or 1: one point
  score <- function(pb) {
    pa <- pb + delta
    s <- 0
    if (xa > 0) s <- s + xa / pa
    if (na - xa > 0) s <- s - (na - xa) / (1 - pa)
    if (xb > 0) s <- s + xb / pb
    if (nb - xb > 0) s <- s - (nb - xb) / (1 - pb)
    s
  }
  # Bracket just inside the ends (where a zero count makes the derivative infinite);
  # a maximum closer than 1e-10 to an end moves the limits by far less than 1e-10.
  a <- lo + 1e-10 * (hi - lo)
  b <- hi - 1e-10 * (hi - lo)
  sa <- score(a)
  sb <- score(b)
  # The log-likelihood is concave in p_b: a maximum at an end where the
  # derivative does not change sign.
  pb <- if (sa <= 0) lo
        else if (sb >= 0) hi
        else uniroot(score, c(a, b), tol = tol, maxiter = 10000)$root
  c(pb + delta, pb)
}

mn_statistic <- function(xa, na, xb, nb, delta) {
  p <- restricted(xa, na, xb, nb, delta)
  n <- na + nb
  v <- (p[1] * (1 - p[1]) / na + p[2] * (1 - p[2]) / nb) * n / (n - 1)
  d <- xa / na - xb / nb - delta
  if (v <= 0) return(if (d == 0) 0 else Inf)
  d^2 / v
}

mn_interval <- function(xa, na, xb, nb, level) {
  rd <- xa / na - xb / nb
  crit <- qchisq(level, 1)
  f <- function(delta) mn_statistic(xa, na, xb, nb, delta) - crit
  limit <- function(edge) {
    if (rd == edge || f(edge) <= 0) return(edge)
    uniroot(f, sort(c(edge, rd)), tol = tol, maxiter = 10000)$root
  }
  c(limit(-1), limit(1))
}

# Newcombe (1998, Stat Med 17:873-890) Table II examples (a)-(h), and the tables of
# reference_meta_measures.R's risk_difference_intervals, at 95% and 90%.
tables <- list(
  c(56, 70, 48, 80), c(9, 10, 3, 10), c(6, 7, 2, 7), c(5, 56, 0, 29),
  c(0, 10, 0, 20), c(0, 10, 0, 10), c(10, 10, 0, 20), c(10, 10, 0, 10),
  c(7, 12, 3, 25), c(1, 40, 12, 35), c(15, 15, 3, 9), c(2, 200, 1, 180)
)
rows <- list()
for (t in tables) for (level in c(0.95, 0.90)) {
  ci <- mn_interval(t[1], t[2], t[3], t[4], level)
  rows[[length(rows) + 1]] <- list(counts = t, confidence_level = level,
                                   estimate = t[1] / t[2] - t[3] / t[4],
                                   ci_low = ci[1], ci_high = ci[2])
}
out <- list(r_version = R.version.string,
            generated_by = "tests/reference/reference_mn_interval.R",
            definition = "Miettinen & Nurminen (1985): restricted MLE, N/(N-1) variance factor",
            uniroot_tol = tol,
            miettinen_nurminen = rows)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/mn_interval.json")
