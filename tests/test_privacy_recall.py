"""check_publishable against planted identifiers, clinical prose and the bundled data (issue 19).

``tests/data/planted_identifiers.csv`` holds 144 invented identifiers, one per
row, with the kind each stands for and the code that must flag it;
``planted_identifiers_holdout.csv`` holds 44 more, written after the rules and
kept apart from their tuning (its recall is reported, with a lower floor).
``privacy_negative.csv`` is clinical text that must pass. The benchmark
``benchmarks/privacy_recall.py`` prints the same figures per kind.
"""

from pathlib import Path

import pandas as pd
import pytest

import casestats
from casestats.privacy import check_publishable

DATA = Path(__file__).parent / "data"
DATASETS = ("calcinosis_case_reports", "ssc_calcinosis_cohorts", "calcinosis_site_subtype_counts")


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False)


def _one_per_row(table: pd.DataFrame) -> pd.DataFrame:
    """Each text in its own row and column, every other cell blank."""
    columns = ["case_id", *dict.fromkeys(c for c in table["column"] if c != "case_id")]
    frame = pd.DataFrame("", index=range(len(table)), columns=columns)
    frame["case_id"] = [f"p{i + 1}" for i in range(len(table))]
    for i, (column, text) in enumerate(zip(table["column"], table["text"], strict=True)):
        frame.loc[i, column] = text
    return frame


def _found(planted: pd.DataFrame) -> pd.Series:
    problems = check_publishable(_one_per_row(planted)).problems
    hits = []
    for i, row in enumerate(planted.itertuples(), start=1):
        mine = problems[(problems["row"] == i) & (problems["column"] == row.column)]
        values = mine.loc[mine["code"] == row.code, "value"]
        hits.append(any(v in row.identifier or row.identifier in v for v in values))
    return pd.Series(hits, index=planted.index)


def test_planted_set_covers_every_kind_of_issue_19():
    planted = _read("planted_identifiers.csv")
    assert len(planted) >= 100
    kinds = {"untitled_name", "nonascii_name", "case_id_name", "dob", "age_over_89",
             "record_number", "phone", "email", "address", "postcode_city", "date",
             "hospital_town", "relative", "town_without_cue"}  # fmt: skip
    assert set(planted["kind"]) == kinds
    assert planted.groupby("kind").size().min() >= 7


def test_recall_on_planted_identifiers_is_at_least_95_percent():
    planted = _read("planted_identifiers.csv")
    found = _found(planted)
    missed = planted.loc[~found, ["kind", "text"]].to_string()
    assert found.mean() >= 0.95, missed
    # and no kind is left mostly undetected
    assert found.groupby(planted["kind"]).mean().min() >= 0.8, missed


def test_recall_on_the_held_out_set():
    planted = _read("planted_identifiers_holdout.csv")
    found = _found(planted)
    assert found.mean() >= 0.9, planted.loc[~found, ["kind", "text"]].to_string()


def test_clinical_prose_is_not_flagged():
    report = check_publishable(_one_per_row(_read("privacy_negative.csv")))
    assert report.ok, str(report)


@pytest.mark.parametrize("name", DATASETS)
def test_bundled_data_and_sources_tables_pass(name):
    data = casestats.load_dataset(name)
    sources = data.sources if hasattr(data, "sources") else data.attrs["sources"]
    assert sources is not None and len(sources) > 0
    report = check_publishable(data)
    assert report.ok, str(report)


def test_sources_table_is_scanned_without_reading_citations_as_identifiers():
    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["s"], "notes": [""]})
    frame.attrs["sources"] = pd.DataFrame(
        {
            "source_id": ["s", "t"],
            "first_author": ["Pascual Velasco F", "Østergaard K"],
            "year": ["2022-11-11", "2011"],
            "doi": ["10.1136/bcr.01.2011.3732", ""],
            "pmid": ["20110512", ""],
            "citation": ["Ann Rheum Dis. 2011;70:1483-1484. doi:10.1136/ard.2011.3732", ""],
            "note": ["", "corresponding author: k.ostergaard@example.org"],
        }
    )
    problems = check_publishable(frame).problems
    assert problems[["code", "row", "cell", "column", "value"]].values.tolist() == [
        ["contact_details", 2, "sources row 2", "note", "k.ostergaard@example.org"]
    ]


def test_authors_of_the_sources_are_not_patients():
    frame = pd.DataFrame({"case_id": ["1"], "notes": ["indexing uncertain (Gupta vs Ravi Gupta)"]})
    assert not check_publishable(frame).ok
    frame.attrs["sources"] = pd.DataFrame({"source_id": ["s"], "first_author": ["Gupta R"]})
    frame.attrs["metadata"] = {"kind": "cases"}
    assert check_publishable(frame).ok


def test_case_id_and_every_dtype_are_scanned():
    frame = pd.DataFrame(
        {
            "case_id": ["JohnSmith_1941", "smith_2011_1"],
            "birth": [19410312, 2011],
            "age_at_onset": [95.0, 40.0],
        }
    )
    problems = check_publishable(frame).problems
    assert problems[["code", "row", "column"]].values.tolist() == [
        ["possible_name", 1, "case_id"],
        ["full_date", 1, "birth"],
        ["age_over_89", 1, "age_at_onset"],
    ]


def test_ages_in_other_digits_and_duplicate_columns():
    frame = pd.DataFrame(
        [["1", "９５", "٩٧"], ["2", "40", "90+"]], columns=["case_id", "age_years", "age_years"]
    )
    problems = check_publishable(frame).problems
    assert problems[["code", "row", "value"]].values.tolist() == [
        ["age_over_89", 1, "９５"],
        ["age_over_89", 1, "٩٧"],
    ]


def test_counts_tables_keep_study_settings_but_not_contacts():
    frame = pd.DataFrame(
        {
            "study_id": ["a", "b"],
            "population": ["Leeds General Infirmary 1996-2009", "call 07700900123"],
        }
    )
    frame.attrs["metadata"] = {"kind": "counts"}
    assert check_publishable(frame).problems["row"].tolist() == [2]
    frame.attrs["metadata"] = {"kind": "cases"}
    assert check_publishable(frame).problems["row"].tolist() == [1, 2]


def test_repeated_values_are_flagged_on_every_row():
    frame = pd.DataFrame(
        {"case_id": list("abcd"), "notes": ["mother Fatima", "", "mother Fatima", "x"]}
    )
    problems = check_publishable(frame).problems
    assert problems[["row", "case_id", "value"]].values.tolist() == [
        [1, "a", "Fatima"],
        [3, "c", "Fatima"],
    ]


def test_cli_check_reads_the_sources_table(tmp_path):
    from casestats.cli import main

    path = tmp_path / "cases.csv"
    path.write_text("case_id,source_id,notes\n1,x,\n", encoding="utf-8")
    sources = (
        "source_id,citation\nx,Doe J. Calcinosis. BMJ Case Rep 2011. doi:10.1136/bcr.01.2011.3732\n"
    )
    (tmp_path / "cases.sources.csv").write_text(sources, encoding="utf-8")
    assert main(["check", str(path)]) == 0
    sources += "y,ask Dr. Müller on 020 7946 0958\n"
    (tmp_path / "cases.sources.csv").write_text(sources, encoding="utf-8")
    assert main(["check", str(path)]) == 1
