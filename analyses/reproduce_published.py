"""Reproduce published figures from their published counts.

Two checks of the curated data against the papers: every cohort row that
prints both its 2x2 counts and a p-value is recomputed with Fisher's exact
test, Pearson's chi-square, chi-square with Yates' correction and the N-1
chi-square; and every site or subtype count with a printed percentage is
recomputed as k/n. A figure counts as reproduced when it agrees to half a unit
of its last printed digit (for "<0.001" style p-values: when it is below).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from _common import COHORTS, COUNTS, dataset, script_main, write_table

import casestats

TESTS = ("fisher", "chi2", "chi2-yates", "n-1")


def _agrees(printed: str, value: float) -> bool:
    """Whether `value` rounds to the printed figure (or meets a printed bound)."""
    text = printed.strip()
    bound = re.fullmatch(r"([<>])\s*(\d*\.?\d+)", text)
    if bound:
        limit = float(bound.group(2))
        return value < limit if bound.group(1) == "<" else value > limit
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(value - float(text)) <= 0.5 * 10**-decimals + 1e-12


def p_values() -> pd.DataFrame:
    cohorts = dataset(COHORTS).to_frame()  # the dataset's own table
    counted = cohorts.dropna(
        subset=["events_exposed", "total_exposed", "events_comparator", "total_comparator"]
    )
    counted = counted[counted["reported_p"] != ""]
    rows = []
    for row in counted.itertuples():
        computed = {
            test: casestats.compare_proportions(
                events_a=int(row.events_exposed),
                total_a=int(row.total_exposed),
                events_b=int(row.events_comparator),
                total_b=int(row.total_comparator),
                test=test,
            ).pvalue
            for test in TESTS
        }
        matching = [test for test, p in computed.items() if _agrees(row.reported_p, p)]
        rows.append(
            {
                "cohort_id": row.cohort_id,
                "counts": f"{row.events_exposed}/{row.total_exposed} vs "
                f"{row.events_comparator}/{row.total_comparator}",
                "printed_p": row.reported_p,
                "printed_test": row.reported_test,
                **{f"p_{test}": p for test, p in computed.items()},
                "reproduced_by": ", ".join(matching) or "none",
            }
        )
    return pd.DataFrame(rows)


def percentages() -> pd.DataFrame:
    counts = dataset(COUNTS)
    printed = counts.dropna(subset=["n", "denominator", "percent_as_printed"])
    computed = 100 * printed["n"] / printed["denominator"]
    text = printed["percent_as_printed"].map(lambda v: f"{v:g}")
    return pd.DataFrame(
        {
            "study_id": printed["study_id"],
            "category": printed["category"],
            "counts": printed["n"].astype(str) + "/" + printed["denominator"].astype(str),
            "printed_percent": text,
            "computed_percent": computed.round(2),
            "reproduced": [_agrees(t, c) for t, c in zip(text, computed, strict=True)],
        }
    )


def run(out: Path) -> dict:
    tests = p_values()
    shares = percentages()
    write_table(tests, out, "reproduced_p_values")
    write_table(shares, out, "reproduced_percentages")
    print("Published p-values recomputed from the published counts:")
    for row in tests.itertuples():
        shown = ", ".join(f"{t} {tests.loc[row.Index, 'p_' + t]:.3g}" for t in TESTS)
        print(
            f"  {row.cohort_id} ({row.counts}): printed p {row.printed_p}; {shown} "
            f"-> reproduced by: {row.reproduced_by}"
        )
    print("\nPublished percentages recomputed as k/n:")
    for row in shares.itertuples():
        mark = "yes" if row.reproduced else "NO"
        print(
            f"  {row.study_id}, {row.category}: {row.counts} = {row.computed_percent:.1f}% "
            f"(printed {row.printed_percent}%) reproduced: {mark}"
        )
    return {"p_values": tests, "percentages": shares}


if __name__ == "__main__":
    script_main(run, __doc__)
