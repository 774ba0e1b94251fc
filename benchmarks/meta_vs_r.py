"""Largest absolute difference between casestats' meta-analysis and R, feature by feature.

Usage::

    python benchmarks/meta_vs_r.py

Reads the frozen R outputs in ``tests/reference/`` (written by the R scripts next to
them; R is not needed here), refits every fixture with casestats and prints, for each
feature of issue 15, the R function it was checked against, the number of values
compared and the largest absolute difference. Values are compared on the scale R
reports them: log (or logit) scale for ratios and proportions, estimates, standard
errors, interval limits, statistics, p-values and tau². The tests in tests/ hold
each of these to its tolerance (1e-10 closed forms, 1e-6 to 1e-7 iterative fits).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import casestats
from casestats.stats.contingency import compare_proportions

REFERENCE = Path(__file__).resolve().parent.parent / "tests" / "reference"


def _load(name: str) -> dict:
    return json.loads((REFERENCE / f"{name}.json").read_text())


POOLING, MEASURES, DIAGNOSTICS, CORE = (
    _load(n) for n in ("pooling", "meta_measures", "meta_diagnostics", "core")
)
MN = _load("mn_interval")


def _number(value) -> float:
    if value is None:
        return math.nan
    if isinstance(value, str):
        return {"Inf": math.inf, "-Inf": -math.inf, "NA": math.nan}.get(value) or float(value)
    return float(value)


class Table:
    """Rows of (feature, R function, n values, largest absolute difference)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}

    def add(self, feature: str, r_function: str, ours, theirs) -> None:
        ours = np.atleast_1d(np.asarray(ours, dtype=float)).ravel()
        theirs = np.asarray([_number(v) for v in np.atleast_1d(np.asarray(theirs, dtype=object))
                             .ravel()], dtype=float)  # fmt: skip
        both = np.isfinite(ours) & np.isfinite(theirs)
        if not np.array_equal(np.isfinite(ours), np.isfinite(theirs)):
            raise AssertionError(f"{feature}: finite values differ: {ours} vs {theirs}")
        diff = float(np.max(np.abs(ours[both] - theirs[both]))) if both.any() else 0.0
        row = self.rows.setdefault(feature, {"feature": feature, "R function": r_function,
                                             "values": 0, "max |casestats - R|": 0.0})  # fmt: skip
        row["values"] += int(both.sum())
        row["max |casestats - R|"] = max(row["max |casestats - R|"], diff)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows.values()))


def _iv(table, feature, r_function, res, ref, log=True):
    """An inverse-variance fit against one rma() output."""
    back = (lambda x: np.log(x)) if log else (lambda x: x)
    ours = [res.mu, res.se, back(res.ci_low), back(res.ci_high), res.statistic, res.pvalue,
            res.tau2, res.heterogeneity.q]  # fmt: skip
    theirs = [ref[k] for k in ("beta", "se", "ci_lb", "ci_ub", "zval", "pval", "tau2", "QE")]
    table.add(feature, r_function, ours, theirs)


def _arms(d):
    return {"events_a": d["ea"], "total_a": d["na"], "events_b": d["eb"], "total_b": d["nb"]}


def pooled_tests(table: Table) -> None:
    # z/t test of the pooled effect: every rma() fit's zval and pval.
    for sets in POOLING["meta_odds_ratios"].values():
        for key, ref in sets.items():
            if not key.endswith(("_z", "_knha")):
                continue
            method, test = key.split("_")
            res = casestats.meta_odds_ratios(**_arms(sets["data"]), method=method.lower(),
                                             hksj=test == "knha")  # fmt: skip
            table.add("z/t test of the pooled effect", "metafor rma(test = 'z' / 'knha')",
                      [res.statistic, res.pvalue], [ref["zval"], ref["pval"]])  # fmt: skip
            _iv(table, "OR by IV (DL/REML/PM), z and Knapp-Hartung", "metafor rma(measure = 'OR')",
                res, ref)  # fmt: skip
    for sets in POOLING["mantel_haenszel"].values():
        for correction, key in ((True, "mantelhaen_correct"), (False, "mantelhaen_uncorrected")):
            ref = sets[key]
            res = casestats.mantel_haenszel(**_arms(sets["data"]), correction=correction)
            table.add("MH: CMH test with / without continuity correction",
                      "stats::mantelhaen.test(correct = TRUE / FALSE)",
                      [res.statistic, res.pvalue, res.estimate],
                      [ref["statistic"], ref["pvalue"], ref["estimate"]])  # fmt: skip


def measures(table: Table) -> None:
    for code, pool in (("RR", casestats.meta_risk_ratios), ("RD", casestats.meta_risk_differences),
                       ("OR", casestats.meta_odds_ratios)):  # fmt: skip
        for sets in MEASURES["measures"][code].values():
            for key, ref in sets.items():
                if key in ("data", "yi", "vi", "kept"):
                    continue
                method = key.split("_")[0].lower()
                res = pool(**_arms(sets["data"]), method=method, hksj=key.endswith("knha"))
                if code == "OR":
                    feature = "ML tau² for odds ratios"
                    fn = "metafor rma(measure = 'OR', method = 'ML')"
                elif method == "mh":
                    feature = f"{code} by Mantel-Haenszel"
                    fn = f"metafor rma.mh(measure = '{code}')"
                else:
                    feature = f"{code} by IV (DL/REML/PM/ML)"
                    fn = f"metafor rma(measure = '{code}')"
                if method == "mh":
                    log = np.log if code == "RR" else (lambda x: x)
                    table.add(feature, fn, [res.mu, res.se, log(res.ci_low), log(res.ci_high),
                                            res.statistic],
                              [ref[k] for k in ("beta", "se", "ci_lb", "ci_ub", "zval")])
                else:
                    _iv(table, feature, fn, res, ref, log=code != "RD")
    knha = MEASURES["proportions_knha"]
    for sets in knha.values():
        for method, ref in sets.items():
            if method == "data":
                continue
            res = casestats.meta_proportions(sets["data"]["x"], sets["data"]["n"],
                                             method=method.lower(), hksj=True)  # fmt: skip
            logit = lambda p: np.log(p / (1 - p))  # noqa: E731
            table.add("Knapp-Hartung for pooled proportions", "metafor rma(measure = 'PLO', "
                      "test = 'knha')", [res.mu, res.se, logit(res.ci_low), logit(res.ci_high),
                                         res.statistic, res.pvalue, res.tau2],
                      [ref[k] for k in ("beta", "se", "ci_lb", "ci_ub", "zval", "pval", "tau2")])
    gen = MEASURES["generic"]
    d = gen["data"]
    for key, ref in gen.items():
        if key in ("data", "yi", "vi", "sei_call", "rd"):
            continue
        if key.startswith("ci90"):
            continue  # a subset at another level: covered by tests/test_meta_estimates.py
        method, test = key.split("_")
        res = casestats.meta_estimates(d["estimate"], lower=d["lower"], upper=d["upper"],
                                       se=d["se"], method=method.lower(), hksj=test == "knha")
        _iv(table, "generic inverse variance (reported OR + CI or SE)",
            "metafor rma(yi, vi), sei from the CI", res, ref)  # fmt: skip
    for sets in MEASURES["exact_mantel_haenszel"].values():
        for level in (0.95, 0.9):
            res = casestats.mantel_haenszel(**_arms(sets["data"]), exact=True,
                                            confidence_level=level)  # fmt: skip
            ref, tight = sets[f"level_{level:g}"], sets[f"tight_{level:g}"]
            table.add("exact conditional MH (p)", "stats::mantelhaen.test(exact = TRUE)",
                      [res.exact_pvalue, res.exact_statistic], [ref["pvalue"], ref["statistic"]])
            table.add("exact conditional MH (OR and CI, vs tightened uniroot)",
                      "mantelhaen.test(exact = TRUE)'s equations, uniroot tol 1e-12",
                      [res.exact_estimate, res.exact_ci_low, res.exact_ci_high],
                      [tight["estimate"], tight["conf_low"], tight["conf_high"]])  # fmt: skip


def adjust(table: Table) -> None:
    for case in CORE["p_adjust"]:
        p = [_number(v) for v in np.atleast_1d(np.asarray(case["p"], dtype=object))]
        for method in ("fdr_by", "hochberg", "hommel", "fdr_bh", "holm", "bonferroni"):
            got = casestats.adjust_pvalues(p, method=method)
            table.add("adjust_pvalues BY / Hochberg / Hommel (and BH, Holm, Bonferroni)",
                      "stats::p.adjust", got, case[method])  # fmt: skip


def rd_intervals(table: Table) -> None:
    for ref in MEASURES["risk_difference_intervals"]:
        a, n_a, c, n_b = ref["counts"]
        res = compare_proportions(events_a=a, total_a=n_a, events_b=c, total_b=n_b,
                                  risk_difference_method="wald")  # fmt: skip
        table.add("RD interval: Wald", "epiR::epi.2by2 (ARisk wald)", res.risk_difference_ci,
                  ref["wald"])  # fmt: skip
    for ref in MN["miettinen_nurminen"]:
        a, n_a, c, n_b = ref["counts"]
        res = compare_proportions(events_a=a, total_a=n_a, events_b=c, total_b=n_b,
                                  risk_difference_method="miettinen-nurminen",
                                  confidence_level=ref["confidence_level"])  # fmt: skip
        table.add("RD interval: Miettinen-Nurminen",
                  "MN (1985) written in R, uniroot (reference_mn_interval.R)",
                  res.risk_difference_ci, [ref["ci_low"], ref["ci_high"]])  # fmt: skip


def _or(name, method="reml", hksj=False):
    return casestats.meta_odds_ratios(**_arms(DIAGNOSTICS["data"][name]), method=method,
                                      hksj=hksj)  # fmt: skip


def _fit_for(case):
    name, method, test = case.rsplit("_", 2)
    if name == "prop10":
        d = DIAGNOSTICS["data"]["prop10"]
        return casestats.meta_proportions(d["x"], d["n"], method=method.lower())
    return _or(name, method.lower(), test == "knha")


def diagnostics(table: Table) -> None:
    data = DIAGNOSTICS["data"]
    for case, ref in DIAGNOSTICS["q_profile"].items():
        name, method = case.split("_", 1)
        if method == "REML_year":
            res = casestats.meta_regression(_or("or12"), {"year": data["or12"]["year"]})
        elif name == "homogeneous":
            res = casestats.meta_odds_ratios(events_a=[30, 45, 8, 60, 5],
                                             total_a=[120, 200, 40, 300, 22],
                                             events_b=[12, 20, 3, 25, 1],
                                             total_b=[80, 150, 35, 180, 18], method="dl")
        elif name == "prop10":
            res = casestats.meta_proportions(data["prop10"]["x"], data["prop10"]["n"],
                                             method=method.lower())  # fmt: skip
        else:
            res = _or(name, method.lower())
        for level_name, level in (("level95", 0.95), ("level80", 0.80)):
            if level_name not in ref:
                continue
            frame = casestats.heterogeneity_intervals(res, confidence_level=level).to_frame()
            frame = frame.set_index("level")
            for ours, theirs in (("tau2", "tau2"), ("i2", "I2"), ("h2", "H2")):
                table.add("Q-profile CIs for tau², I², H²", "metafor confint(rma(...))",
                          frame.loc[ours, ["estimate", "ci_low", "ci_high"]].to_numpy(float),
                          ref[level_name][theirs])  # fmt: skip
    for case, ref in DIAGNOSTICS["meta_regression"].items():
        name, method, test = case.rsplit("_", 2)
        d = data[name]
        if name == "prop10":
            base = casestats.meta_proportions(d["x"], d["n"], method="reml")
            mods = pd.DataFrame({"age": d["age"]})
        else:
            base = _or(name)
            mods = pd.DataFrame({"year": d["year"], "ascertainment": d["ascertainment"]})
        reg = casestats.meta_regression(base, mods, method=method.lower(), hksj=test == "knha")
        ours = [*reg.coef, *reg.se, *reg.ci_low, *reg.ci_high, *reg.statistic, *reg.pvalue,
                reg.qm, reg.qm_pvalue, reg.qe, reg.tau2]  # fmt: skip
        theirs = [*ref["beta"], *ref["se"], *ref["ci_lb"], *ref["ci_ub"], *ref["zval"],
                  *ref["pval"], ref["QM"], ref["QMp"], ref["QE"], ref["tau2"]]  # fmt: skip
        table.add("meta-regression (REML etc., z and Knapp-Hartung)",
                  "metafor rma(mods = ~ ..., test = 'z' / 'knha')", ours, theirs)  # fmt: skip
    for case, ref in DIAGNOSTICS["subgroups"].items():
        method, test = case.split("_")
        res = _or("or12", method.lower(), test == "knha")
        by = data["or12"]["ascertainment"]
        sep = casestats.subgroup_analysis(res, by)
        s = ref["separate"]
        table.add("subgroups (separate tau²) and Q between", "metafor rma per subgroup + "
                  "rma(method = 'FE')", [*sep.mu, *sep.se, *sep.pvalue, *sep.tau2, sep.q_between,
                                         sep.q_between_pvalue],
                  [*s["beta"], *s["se"], *s["pval"], *s["tau2"], s["Q_between"],
                   s["Q_between_p"]])  # fmt: skip
        com = casestats.subgroup_analysis(res, by, tau2="common")
        c = ref["common"]
        table.add("subgroups (common tau²) and QM", "metafor rma(mods = ~ factor(group))",
                  [*com.mu, *com.se, *com.pvalue, com.q_between, com.q_between_pvalue],
                  [*c["beta"], *c["se"], *c["pval"], c["QM"], c["QMp"]])  # fmt: skip
    for case, ref in DIAGNOSTICS["influence"].items():
        res = _fit_for(case)
        loo = casestats.leave_one_out(res)
        lref = ref["leave1out"]
        table.add("leave-one-out", "metafor leave1out()",
                  [*loo.mu, *loo.se, *loo.pvalue, *loo.tau2, *loo.q],
                  [*lref["estimate"], *lref["se"], *lref["pval"], *lref["tau2"], *lref["Q"]])
        inf = casestats.influence(res)
        iref = ref["influence"]
        names = (("rstudent", "rstudent"), ("dffits", "dffits"), ("cook_d", "cook_d"),
                 ("cov_r", "cov_r"), ("hat", "hat"), ("weight", "weight"))  # fmt: skip
        table.add("influence (Cook's D, DFFITS, hat, rstudent, cov.r)", "metafor influence()",
                  np.concatenate([np.ravel(getattr(inf, o)) for o, _ in names]),
                  np.concatenate([np.ravel(np.asarray(iref[t], dtype=object)) for _, t in names]))
    for case, ref in DIAGNOSTICS["small_study"].items():
        res = _fit_for(case)
        egger = casestats.egger_test(res)
        table.add("Egger's regression test", "metafor regtest()",
                  [egger.statistic, egger.pvalue],
                  [ref["egger_rma"]["zval"], ref["egger_rma"]["pval"]])  # fmt: skip
        begg = casestats.begg_test(res)
        table.add("Begg's rank test", "metafor ranktest()", [begg.statistic, begg.pvalue],
                  [ref["ranktest"]["tau"], ref["ranktest"]["pval"]])  # fmt: skip
        if "peters" in ref:
            peters = casestats.peters_test(res)
            table.add("Peters' test (odds ratios)", "stats::lm(yi ~ I(1/n), weights)",
                      [peters.statistic, peters.pvalue],
                      [ref["peters"]["tval"], ref["peters"]["pval"]])  # fmt: skip
        tf = casestats.trim_and_fill(res)
        r = ref["trimfill"]
        pairs = [(tf.k0, "k0"), (tf.mu, "beta"), (tf.se, "se"), (tf.statistic, "zval"),
                 (tf.pvalue, "pval"), (tf.tau2, "tau2")]  # fmt: skip
        table.add("trim-and-fill", "metafor trimfill()", [o for o, k in pairs if k in r],
                  [r[k] for _, k in pairs if k in r])  # fmt: skip


def main() -> pd.DataFrame:
    table = Table()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.CasestatsWarning)
        for step in (pooled_tests, measures, adjust, rd_intervals, diagnostics):
            step(table)
    frame = table.frame()
    with pd.option_context("display.width", 200, "display.max_colwidth", 70,
                           "display.max_rows", 100):  # fmt: skip
        print(frame.to_string(index=False, formatters={"max |casestats - R|": "{:.1e}".format}))
    return frame


if __name__ == "__main__":
    main()
