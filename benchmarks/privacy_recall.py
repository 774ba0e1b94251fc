"""Recall and false positives of :func:`casestats.check_publishable`.

Run from the repository root::

    python benchmarks/privacy_recall.py

It prints, for the planted identifiers of ``tests/data/planted_identifiers.csv``
(invented, one per row, each with the kind it stands for and the code that
must flag it), the recall per kind and overall, the overall recall on the 44
of ``planted_identifiers_holdout.csv`` (written after the rules, to see how they
carry over), and the recall with the list of given names switched off (the
rest of the rules must carry most of the names); then
the false positives on the bundled datasets (every column, case_id included),
on their sources tables, and on the clinical text of
``tests/data/privacy_negative.csv``; then the time on a 10^5-row synthetic
series and on 32,000-character hostile cells. A planted identifier is found
when its cell is flagged with its code and the flagged text overlaps it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

import casestats
from casestats import _privacy_rules
from casestats.privacy import check_publishable

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
DATASETS = ("calcinosis_case_reports", "ssc_calcinosis_cohorts", "calcinosis_site_subtype_counts")


def planted_frame(planted: pd.DataFrame) -> pd.DataFrame:
    """One row per planted identifier, in its column, other cells blank."""
    columns = ["case_id", *dict.fromkeys(c for c in planted["column"] if c != "case_id")]
    frame = pd.DataFrame("", index=range(len(planted)), columns=columns)
    frame["case_id"] = [f"p{i + 1}" for i in range(len(planted))]
    for i, (column, text) in enumerate(zip(planted["column"], planted["text"], strict=True)):
        frame.loc[i, column] = text
    return frame


def found(planted: pd.DataFrame) -> pd.Series:
    """Whether each planted identifier was flagged with its code, overlapping it."""
    problems = check_publishable(planted_frame(planted)).problems
    hit = []
    for i, row in enumerate(planted.itertuples(), start=1):
        mine = problems[(problems["row"] == i) & (problems["column"] == row.column)]
        values = mine.loc[mine["code"] == row.code, "value"]
        hit.append(any(v in row.identifier or row.identifier in v for v in values))
    return pd.Series(hit, index=planted.index)


def recall(planted: pd.DataFrame) -> pd.DataFrame:
    hits = found(planted)
    by_kind = hits.groupby(planted["kind"], sort=False).agg(["sum", "count"])
    by_kind.loc["overall"] = [hits.sum(), len(hits)]
    by_kind["recall"] = (by_kind["sum"] / by_kind["count"]).round(3)
    return by_kind.rename(columns={"sum": "found", "count": "planted"})


def false_positives() -> pd.DataFrame:
    rows = []
    for name in DATASETS:
        problems = check_publishable(casestats.load_dataset(name)).problems
        in_sources = problems["cell"].str.startswith("sources")
        rows.append([name, "data", int((~in_sources).sum())])
        rows.append([name, "sources", int(in_sources.sum())])
    negative = pd.read_csv(DATA / "privacy_negative.csv", dtype=str, keep_default_na=False)
    frame = planted_frame(negative.assign(kind="", identifier="", code=""))
    n_found = len(check_publishable(frame).items)
    rows.append(["privacy_negative.csv", f"{len(negative)} cells", n_found])
    return pd.DataFrame(rows, columns=["dataset", "table", "false positives"])


def timings() -> pd.DataFrame:
    from casestats.synthetic import simulate_cases

    rows = []
    cases = simulate_cases(100_000, seed=1)
    start = time.perf_counter()
    check_publishable(cases)
    rows.append(["simulate_cases(100_000) (DataFrame, 14 columns)", time.perf_counter() - start])
    for label, text in [("'a.b' * 10,667", "a.b" * 10_667), ("'Aa ' * 10,667", "Aa " * 10_667),
                        ("'1 ' * 16,000", "1 " * 16_000), ("'a' * 32,000", "a" * 32_000),
                        ("'x at ' * 6,400", "x at " * 6_400), ("'A-' * 16,000", "A-" * 16_000),
                        ("\"O'\" * 16,000", "O'" * 16_000),
                        ("'99999' + 32,000 spaces", "99999" + " " * 32_000),
                        ("'MRN' + 32,000 spaces", "MRN" + " " * 32_000)]:  # fmt: skip
        start = time.perf_counter()
        check_publishable(pd.DataFrame({"case_id": ["1"], "notes": [text]}))
        rows.append([f"one cell {label}", time.perf_counter() - start])
    return pd.DataFrame(rows, columns=["input", "seconds"]).round(3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-timing", action="store_true", help="skip the timings")
    parser.add_argument("--misses", action="store_true", help="list the missed identifiers")
    args = parser.parse_args()
    planted = pd.read_csv(DATA / "planted_identifiers.csv", dtype=str, keep_default_na=False)
    print("Recall on the planted identifiers\n", recall(planted).to_string(), "\n")
    holdout = pd.read_csv(DATA / "planted_identifiers_holdout.csv", dtype=str,
                          keep_default_na=False)  # fmt: skip
    print("Recall on the held-out set\n", recall(holdout).loc[["overall"]].to_string(), "\n")
    if args.misses:
        print(planted[~found(planted)][["kind", "text"]].to_string(), "\n")
    given, _privacy_rules._GIVEN = _privacy_rules._GIVEN, frozenset()
    print("Recall without the given-name list\n", recall(planted).loc[["overall"]].to_string())
    _privacy_rules._GIVEN = given
    print("\nFalse positives\n", false_positives().to_string(index=False))
    if not args.no_timing:
        print("\nTime\n", timings().to_string(index=False))


if __name__ == "__main__":
    main()
