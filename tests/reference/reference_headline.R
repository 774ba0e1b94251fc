# Reference values for the README's headline numbers (tests/test_headline.py), computed in R
# from the bundled cohort counts. Run from the repository root:
#   Rscript tests/reference/reference_headline.R > tests/reference/headline.json
# The counts are copied from datasets/ssc_calcinosis_cohorts/cohorts.csv (the rows named below;
# test_headline.py checks that the dataset still holds exactly these counts).
# Arm a is the first group named (limited; ACA positive), arm b the second.
suppressMessages({library(metafor); library(jsonlite)})
num <- function(x) unname(as.numeric(x))
tight <- list(threshold = 1e-12, maxiter = 1000, tol = 1e-15)
sets <- list(
  limited_vs_diffuse = data.frame(
    cohort_id = c("archrheumatol2023_ssc_subset", "ab0690_ssc_subset"),
    ai = c(9, 8), n1i = c(115, 25), ci = c(17, 3), n2i = c(141, 19)),
  aca_positive_vs_negative = data.frame(
    cohort_id = c("aca1992_scleroderma", "steen1984_aca"),
    ai = c(10, 38), n1i = c(10, 69), ci = c(12, 16), n2i = c(34, 72)))
out <- list(R = R.version.string, metafor = as.character(packageVersion("metafor")))
for (name in names(sets)) {
  d <- sets[[name]]
  # casestats' default: log odds ratios with 1/2 added to every cell of a table with a zero cell
  es <- escalc(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d,
               add = 1/2, to = "only0")
  re <- rma(yi, vi, data = es, method = "REML", control = tight)
  mh <- rma.mh(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
  out[[name]] <- list(
    data = d,
    reml = list(call = "rma(yi, vi, method = 'REML') on escalc(measure = 'OR', add = 1/2, to = 'only0')",
                estimate = exp(num(re$beta)), ci_low = exp(num(re$ci.lb)),
                ci_high = exp(num(re$ci.ub)), I2 = num(re$I2), tau2 = num(re$tau2)),
    mh = list(call = "rma.mh(measure = 'OR')", estimate = exp(num(mh$beta)),
              ci_low = exp(num(mh$ci.lb)), ci_high = exp(num(mh$ci.ub))))
}
prev <- data.frame(
  cohort_id = c("valenzuela2016_prevalence", "ab0713_prevalence", "muktabhant2021_prevalence",
                "samoes2023_prevalence_radiological", "jhu_prevalence", "harouna2017_prevalence",
                "qatar_prevalence"),
  xi = c(1290, 31, 60, 91, 997, 6, 6), ni = c(5218, 154, 120, 226, 3388, 142, 42))
glmm_ctrl <- list(package = "lme4",
                  glmerCtrl = list(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5)))
g <- rma.glmm(measure = "PLO", xi = xi, ni = ni, data = prev, method = "ML", nAGQ = 25,
              control = glmm_ctrl)
out$prevalence <- list(
  data = prev,
  call = "rma.glmm(measure = 'PLO', method = 'ML', nAGQ = 25), back-transformed with plogis",
  estimate = plogis(num(g$beta)), ci_low = plogis(num(g$ci.lb)), ci_high = plogis(num(g$ci.ub)),
  I2 = num(g$I2))
cat(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "\n")
