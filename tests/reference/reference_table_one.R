# Reference p-values for the tests of casestats' table_one (tests/test_table_one.py).
# Run from the repository root:  Rscript tests/reference/reference_table_one.R
# Writes tests/reference/table_one.json. The data below are written out again, value by
# value, in tests/test_table_one.py (SMALL_SERIES); keep the two in step.
library(jsonlite)

arm <- rep(c("A", "B"), each = 12)
trio <- rep(c("p", "q", "r"), times = 8)
age <- c(40, 40, 52, 61, 61, 70, 45, 52, 52, 58, 75, 80,
         33, 40, 41, 45, 45, 50, 52, 52, 60, 61, 38, 47)
sex <- c(rep("female", 8), rep("male", 4), rep("female", 4), rep("male", 8))
outcome <- c(rep("resolved", 6), rep("improved", 5), "died",
             rep("resolved", 2), rep("improved", 7), rep("died", 3))

sex_table <- table(arm, sex)
outcome_table <- table(arm, outcome)
chisq_sex <- chisq.test(sex_table, correct = FALSE)
out <- list(
  r_version = R.version.string,
  sex_by_arm = list(test = "chisq.test(correct = FALSE)", statistic = unname(chisq_sex$statistic),
                    pvalue = chisq_sex$p.value, min_expected = min(chisq_sex$expected)),
  outcome_by_arm = list(test = "fisher.test", pvalue = fisher.test(outcome_table)$p.value),
  age_by_arm = local({
    w <- wilcox.test(age[arm == "A"], age[arm == "B"], exact = FALSE, correct = TRUE)
    list(test = "wilcox.test(exact = FALSE, correct = TRUE)",
         statistic = unname(w$statistic), pvalue = w$p.value)
  }),
  age_by_trio = local({
    k <- kruskal.test(age ~ factor(trio))
    list(test = "kruskal.test", statistic = unname(k$statistic), pvalue = k$p.value)
  })
)
write_json(out, "tests/reference/table_one.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
