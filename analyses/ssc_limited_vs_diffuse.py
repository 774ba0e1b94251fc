"""Flagship: is calcinosis more frequent in limited than in diffuse systemic sclerosis?

The answer needs cohort counts (patients with and without calcinosis in each
subset), so it comes from the published cohorts: each study's 2x2 table
(Fisher or chi-square by expected counts, beside the paper's own p), pooled by
Mantel-Haenszel and by random effects (REML) with heterogeneity, rows that
overlap another cohort or lack counts left out with the reason. For context:
calcinosis by anti-centromere status, and the prevalence of calcinosis in SSc
pooled by a binomial-normal GLMM. Next to it, what the case reports show: the
subset mix of SSc patients and their lesion sites by subset, which describe
the literature, not the population.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from _common import (
    CASES,
    COHORTS,
    analyse,
    dataset,
    quietly,
    save_plot,
    script_main,
    write_table,
)

import casestats
from casestats.analysis.association import SSC_GROUPS
from casestats.counts import ssc_patients, ssc_subset_counts


def _study_table(result) -> pd.DataFrame:
    columns = [
        "cohort_id",
        "source_id",
        "events_a",
        "total_a",
        "events_b",
        "total_b",
        "odds_ratio",
        "test",
        "reason",
        "pvalue",
        "reported_p",
        "reported_test",
        "count_basis",
        "location_in_paper",
    ]
    return result.studies[[c for c in columns if c in result.studies]]


def cohorts(out: Path) -> dict:
    data = dataset(COHORTS)
    subset, notes = quietly(casestats.disease_association, data, groups=SSC_GROUPS)
    # The same cohorts on the absolute scale: what the odds ratio means in patients.
    difference, _ = quietly(casestats.disease_association, data, groups=SSC_GROUPS,
                            measure="risk_difference")  # fmt: skip
    antibody, notes_aca = quietly(
        casestats.disease_association, data, exposure="aca", groups=("positive", "negative")
    )
    rows = data.to_frame()  # the dataset's own table, one row per study and comparison
    cited = data.study_labels()  # "Harouna 2017", as papers cite them
    prevalence_rows = rows[
        (rows["comparison"] == "prevalence")
        & (rows["exposure"] == "systemic_sclerosis")
        & (rows["pool"] == "yes")
    ]
    prevalence, notes_prev = quietly(
        casestats.meta_proportions,
        prevalence_rows["events_exposed"].astype(int).to_numpy(),
        prevalence_rows["total_exposed"].astype(int).to_numpy(),
        labels=[cited.get(c, c) for c in prevalence_rows["cohort_id"]],
    )
    write_table(_study_table(subset), out, "ssc_subset_studies")
    write_table(subset.to_frame(), out, "ssc_subset_pooled")
    write_table(difference.to_frame(), out, "ssc_subset_pooled_risk_difference")
    write_table(subset.excluded[["cohort_id", "source_id", "reason"]], out, "ssc_subset_excluded")
    write_table(_study_table(antibody), out, "aca_studies")
    write_table(antibody.to_frame(), out, "aca_pooled")
    write_table(prevalence.to_frame(), out, "ssc_calcinosis_prevalence")
    save_plot(subset, out, "forest_limited_vs_diffuse")
    save_plot(antibody, out, "forest_aca")
    save_plot(prevalence, out, "forest_prevalence")
    print(subset)
    print(*(f"  warning: {n}" for n in notes), sep="\n")
    for line in difference.summary().splitlines():
        if line.startswith("  pooled RD"):  # random effects, then Mantel-Haenszel
            print(line)
    if subset.random_effects.k < 10:
        print(f"  no small-study or influence diagnostics: {subset.random_effects.k} studies, "
              "fewer than the 10 these tests need")  # fmt: skip
    print("\nNot pooled:")
    for row in subset.excluded.itertuples():
        print(f"  {row.cohort_id}: {row.reason}")
    print()
    # every warning goes under the analysis that raised it
    print(antibody)
    print(*(f"  warning: {n}" for n in notes_aca), sep="\n")
    print()
    print(prevalence)
    print(*(f"  warning: {n}" for n in notes_prev), sep="\n")
    return {"subset": subset, "subset_rd": difference, "aca": antibody, "prevalence": prevalence}


def case_reports(out: Path) -> dict:
    cases = dataset(CASES)
    # The SSc denominator comes from casestats.counts, the one place that decides it.
    ssc_cases = cases.subset(ssc_patients(cases).to_numpy())
    counts = ssc_subset_counts(cases)
    counts = counts[counts["events"] > 0]
    mix = pd.concat(
        [
            casestats.proportion(int(row.events), int(row.total))
            .to_frame()
            .assign(group=row.group, level=row.level)
            for row in counts.itertuples()
        ],
        ignore_index=True,
    )
    sites = analyse(casestats.site_distribution, ssc_cases, rank="region", by="ssc_subset")
    write_table(mix, out, "case_reports_ssc_subset_mix")
    write_table(sites.to_frame(), out, "case_reports_sites_by_ssc_subset")
    save_plot(sites, out, "case_reports_sites_by_ssc_subset", kind="heatmap")
    print(f"\nCase reports: {len(ssc_cases)} patients with systemic sclerosis")
    for row in mix.itertuples():
        print(f"  {row.level}: {row.events}/{row.total} [{row.ci_low:.0%}, {row.ci_high:.0%}]")
    print(sites)
    return {"mix": mix, "sites": sites}


def run(out: Path) -> dict:
    return {**cohorts(out), **case_reports(out)}


if __name__ == "__main__":
    script_main(run, __doc__)
