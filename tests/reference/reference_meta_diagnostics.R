# Reference values for casestats.stats.heterogeneity, subgroups, meta_regression,
# influence and small_study. Run from the repository root:
#   Rscript tests/reference/reference_meta_diagnostics.R
# writes tests/reference/meta_diagnostics.json (frozen; the tests never need R).
# Packages (Debian bookworm): r-base-core, r-cran-metafor, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

tight <- list(threshold = 1e-12, maxiter = 1000, tol = 1e-15)
num <- function(x) unname(as.numeric(x))
out <- list(
  r_version = R.version.string,
  packages = list(metafor = as.character(packageVersion("metafor")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  generated_by = "tests/reference/reference_meta_diagnostics.R"
)

# ---------------------------------------------------------------- data
# Twelve two-arm studies in which the small ones show the larger odds ratios
# (funnel asymmetry), one with a zero cell; study-level moderators.
or12 <- list(
  ea = c(15, 22, 9, 40, 6, 30, 4, 12, 3, 55, 8, 2),
  na = c(80, 120, 40, 300, 25, 150, 15, 60, 10, 400, 30, 8),
  eb = c(10, 15, 5, 30, 2, 20, 1, 6, 1, 45, 3, 0),
  nb = c(85, 118, 42, 310, 24, 160, 16, 58, 11, 390, 28, 9),
  year = c(1995, 1999, 2001, 2003, 2005, 2008, 2010, 2012, 2014, 2016, 2019, 2021),
  ascertainment = c("exam", "radiograph", "exam", "radiograph", "exam", "exam", "questionnaire",
                    "radiograph", "questionnaire", "radiograph", "exam", "questionnaire"))
# Six heterogeneous two-arm studies (as in reference_pooling.R).
or6 <- list(ea = c(12, 30, 5, 40, 3, 22), na = c(60, 90, 50, 150, 25, 80),
            eb = c(10, 8, 9, 10, 0, 15), nb = c(70, 85, 48, 160, 20, 75),
            year = c(1998, 2004, 2009, 2012, 2016, 2020))
prop10 <- list(x = c(4, 10, 7, 22, 3, 15, 9, 30, 2, 12),
               n = c(20, 45, 50, 80, 25, 40, 60, 100, 18, 35),
               age = c(48, 52, 55, 47, 60, 51, 58, 45, 62, 50))
out$data <- list(or12 = or12, or6 = or6, prop10 = prop10)

es_or <- function(d) escalc(measure = "OR", ai = d$ea, n1i = d$na, ci = d$eb, n2i = d$nb,
                            add = 1/2, to = "only0")
es_plo <- function(d) escalc(measure = "PLO", xi = d$x, ni = d$n, add = 1/2, to = "only0")
fit <- function(es, method, test, ...) rma(yi, vi, data = es, method = method, test = test,
                                           control = tight, ...)
call_text <- function(method, test, extra = "") sprintf(
  "rma(yi, vi, method = '%s', test = '%s'%s, control = list(threshold = 1e-12, maxiter = 1000, tol = 1e-15))",
  method, test, extra)

es12 <- es_or(or12)
es12$year <- or12$year
es12$ascertainment <- or12$ascertainment

# ---------------------------------------------------------------- Q-profile
qp <- function(r, level) {
  ci <- confint(r, level = level, control = list(tol = 1e-13))$random
  list(tau2 = num(ci["tau^2", ]), tau = num(ci["tau", ]), I2 = num(ci["I^2(%)", ]),
       H2 = num(ci["H^2", ]))
}
qprof <- list()
for (m in c("REML", "DL", "PM")) {
  r <- fit(es_or(or12), m, "z")
  qprof[[paste0("or12_", m)]] <- list(call = paste0("confint(", call_text(m, "z"), ", control = list(tol = 1e-13))"),
    level95 = qp(r, 95), level80 = qp(r, 80))
}
for (m in c("REML", "DL", "PM", "ML")) {
  r <- fit(es_plo(prop10), m, "z")
  qprof[[paste0("prop10_", m)]] <- list(call = "confint(rma(PLO yi, vi, ...))", level95 = qp(r, 95),
                                        level80 = qp(r, 80))
}
r <- fit(es12, "REML", "z", mods = ~ year)
qprof$or12_REML_year <- list(call = "confint(rma(yi, vi, mods = ~ year, method = 'REML'))",
                             level95 = qp(r, 95))
# A homogeneous set: Q below its lower quantile, the interval is {0, 0}.
homog <- escalc(measure = "OR", ai = c(30, 45, 8, 60, 5), n1i = c(120, 200, 40, 300, 22),
                ci = c(12, 20, 3, 25, 1), n2i = c(80, 150, 35, 180, 18), add = 1/2, to = "only0")
qprof$homogeneous_DL <- list(call = "confint(rma(homogeneous set, method = 'DL'))",
                             level95 = qp(fit(homog, "DL", "z"), 95))
out$q_profile <- qprof

# ---------------------------------------------------------------- meta-regression
mr <- list()
reg_out <- function(r) list(beta = num(r$beta), se = num(r$se), ci_lb = num(r$ci.lb),
  ci_ub = num(r$ci.ub), zval = num(r$zval), pval = num(r$pval), QM = num(r$QM),
  QMdf = num(r$QMdf), QMp = num(r$QMp), QE = num(r$QE), QEp = num(r$QEp), tau2 = num(r$tau2),
  I2 = num(r$I2), H2 = num(r$H2), R2 = num(ifelse(is.null(r$R2), NA, r$R2)),
  terms = rownames(r$beta))
for (m in c("REML", "DL", "PM", "ML")) for (t in c("z", "knha")) {
  r <- fit(es12, m, t, mods = ~ year + ascertainment)
  mr[[paste("or12", m, t, sep = "_")]] <- c(list(call = call_text(m, t, ", mods = ~ year + ascertainment")), reg_out(r))
}
ep <- es_plo(prop10)
ep$age <- prop10$age
for (m in c("REML", "ML")) {
  r <- fit(ep, m, "z", mods = ~ age)
  mr[[paste("prop10", m, "z", sep = "_")]] <- c(list(call = call_text(m, "z", ", mods = ~ age")), reg_out(r))
}
out$meta_regression <- mr

# ---------------------------------------------------------------- subgroups
sg <- list()
for (m in c("REML", "DL")) for (t in c("z", "knha")) {
  groups <- unique(or12$ascertainment)
  fits <- lapply(groups, function(g) fit(es12[es12$ascertainment == g, ], m, t))
  b <- sapply(fits, function(f) f$beta[1])
  s <- sapply(fits, function(f) f$se)
  between <- rma(b, sei = s, method = "FE")
  common <- fit(es12, m, t, mods = ~ factor(ascertainment, levels = groups))
  cells <- fit(es12, m, t, mods = ~ factor(ascertainment, levels = groups) - 1)
  sg[[paste(m, t, sep = "_")]] <- list(
    call = paste("separate: rma per subgroup, then rma(b, sei = se, method = 'FE'); common:",
                 call_text(m, t, ", mods = ~ factor(ascertainment)")),
    subgroups = groups,
    separate = list(beta = num(b), se = num(s), ci_lb = sapply(fits, function(f) num(f$ci.lb)),
                    ci_ub = sapply(fits, function(f) num(f$ci.ub)),
                    pval = sapply(fits, function(f) num(f$pval)),
                    tau2 = sapply(fits, function(f) num(f$tau2)),
                    I2 = sapply(fits, function(f) num(f$I2)),
                    QE = sapply(fits, function(f) num(f$QE)),
                    Q_between = num(between$QE), Q_between_p = num(between$QEp)),
    common = list(beta = num(cells$beta), se = num(cells$se), ci_lb = num(cells$ci.lb),
                  ci_ub = num(cells$ci.ub), pval = num(cells$pval), tau2 = num(common$tau2),
                  QM = num(common$QM), QMdf = num(common$QMdf), QMp = num(common$QMp)))
}
out$subgroups <- sg

# ---------------------------------------------------------------- leave-one-out and influence
inf <- list()
cases <- list(or12_REML_z = list(es_or(or12), "REML", "z"), or12_DL_knha = list(es_or(or12), "DL", "knha"),
              or6_PM_z = list(es_or(or6), "PM", "z"), prop10_ML_z = list(es_plo(prop10), "ML", "z"))
for (name in names(cases)) {
  cs <- cases[[name]]
  r <- fit(cs[[1]], cs[[2]], cs[[3]])
  l <- leave1out(r)
  i <- influence(r)
  inf[[name]] <- list(call = paste0("leave1out(r); influence(r); r = ", call_text(cs[[2]], cs[[3]])),
    leave1out = list(estimate = num(l$estimate), se = num(l$se),
                     zval = num(if (is.null(l$zval)) l$tval else l$zval),
                     pval = num(l$pval), ci_lb = num(l$ci.lb), ci_ub = num(l$ci.ub), Q = num(l$Q),
                     Qp = num(l$Qp), tau2 = num(l$tau2), I2 = num(l$I2), H2 = num(l$H2)),
    influence = list(rstudent = num(i$inf$rstudent), dffits = num(i$inf$dffits),
                     cook_d = num(i$inf$cook.d), cov_r = num(i$inf$cov.r),
                     tau2_del = num(i$inf$tau2.del), QE_del = num(i$inf$QE.del),
                     hat = num(i$inf$hat), weight = num(i$inf$weight),
                     dfbetas = num(i$dfbs$intrcpt), is_infl = as.logical(i$is.infl)))
}
out$influence <- inf

# ---------------------------------------------------------------- small-study effects
ss <- list()
for (name in c("or12", "or6")) {
  d <- get(name)
  es <- es_or(d)
  for (m in c("REML", "DL")) for (t in c("z", "knha")) {
    r <- fit(es, m, t)
    eg <- regtest(r)
    el <- regtest(r, model = "lm")
    rk <- ranktest(r)
    # test = t again: trimfill otherwise refits the filled-in studies with a z-test.
    tf <- trimfill(r, test = t, control = tight)
    tf_right <- trimfill(r, side = "right", test = t, control = tight)
    n <- d$na + d$nb
    events <- d$ea + d$eb
    pet <- lm(es$yi ~ I(1 / n), weights = 1 / (1 / events + 1 / (n - events)))
    pc <- summary(pet)$coefficients
    tf_out <- function(x) list(k0 = num(x$k0), se_k0 = num(x$se.k0), side = x$side,
      beta = num(x$beta), se = num(x$se), ci_lb = num(x$ci.lb), ci_ub = num(x$ci.ub),
      zval = num(x$zval), pval = num(x$pval), tau2 = num(x$tau2), yi = num(x$yi), vi = num(x$vi))
    ss[[paste(name, m, t, sep = "_")]] <- list(
      call = paste0("regtest(r); regtest(r, model = 'lm'); ranktest(r); trimfill(r, test = test, control = tight); ",
                    "Peters: lm(yi ~ I(1/n), weights = 1/(1/events + 1/nonevents)); r = ", call_text(m, t)),
      egger_rma = list(zval = num(eg$zval), pval = num(eg$pval), dfs = num(eg$dfs), est = num(eg$est),
                       ci_lb = num(eg$ci.lb), ci_ub = num(eg$ci.ub)),
      egger_lm = list(zval = num(el$zval), pval = num(el$pval), dfs = num(el$dfs), est = num(el$est),
                      ci_lb = num(el$ci.lb), ci_ub = num(el$ci.ub)),
      peters = list(coef = num(pc[, 1]), se = num(pc[, 2]), tval = num(pc[2, 3]), pval = num(pc[2, 4]),
                    df = num(pet$df.residual)),
      ranktest = list(tau = num(rk$tau), pval = num(rk$pval)),
      trimfill = tf_out(tf), trimfill_right = tf_out(tf_right))
  }
}
es <- es_plo(prop10)
r <- fit(es, "ML", "z")
tf <- trimfill(r, control = tight)
ss$prop10_ML_z <- list(call = paste("regtest, ranktest, trimfill of", call_text("ML", "z")),
  egger_rma = list(zval = num(regtest(r)$zval), pval = num(regtest(r)$pval), est = num(regtest(r)$est)),
  ranktest = list(tau = num(ranktest(r)$tau), pval = num(ranktest(r)$pval)),
  trimfill = list(k0 = num(tf$k0), side = tf$side, beta = num(tf$beta), se = num(tf$se), tau2 = num(tf$tau2)))
out$small_study <- ss

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           "tests/reference/meta_diagnostics.json")
cat("wrote tests/reference/meta_diagnostics.json\n")
