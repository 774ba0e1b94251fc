"""Cohort counts of one's own: read_cohorts and CohortTable (issue 13)."""

import json

import numpy as np
import pandas as pd
import pytest

import casestats
from casestats.validation import PROBLEM_CODES

NAMES = {
    "study": "clinic",
    "events_a": "limited_calcinosis",
    "total_a": "limited_total",
    "events_b": "diffuse_calcinosis",
    "total_b": "diffuse_total",
}


def _clinics(**changes):
    frame = pd.DataFrame(
        {
            "clinic": ["Leeds", "Pisa", "Lyon"],
            "limited_calcinosis": [12, 9, 15],
            "limited_total": [60, 41, 70],
            "diffuse_calcinosis": [5, 4, 6],
            "diffuse_total": [40, 30, 38],
        }
    )
    for column, values in changes.items():
        frame[column] = values
    return frame


def _errors(err):
    problems = err.value.report.problems
    return problems[problems["severity"] == "error"]


def test_a_natural_frame_reads_under_its_own_column_names():
    table = casestats.read_cohorts(_clinics(), **NAMES, groups=("limited", "diffuse"))
    assert table.data.columns[:7].tolist() == [
        "study",
        "events_a",
        "total_a",
        "events_b",
        "total_b",
        "pool",
        "overlaps",
    ]
    assert table.data["events_a"].tolist() == [12, 9, 15]
    assert table.data["pool"].tolist() == [True, True, True]
    assert table.data["overlaps"].tolist() == [(), (), ()]
    assert table.groups == ("limited", "diffuse")
    assert table.title == "your cohorts"
    assert len(table.pooled()) == 3


def test_groups_default_to_the_event_column_names_and_the_title_is_the_users():
    table = casestats.read_cohorts(_clinics(), **NAMES, title="Three clinics, 2024")
    assert table.groups == ("limited_calcinosis", "diffuse_calcinosis")
    assert "Three clinics, 2024" in repr(table)


def test_a_users_counts_are_summarised_without_a_papers_p_value():
    table = casestats.read_cohorts(_clinics(), **NAMES, groups=("limited", "diffuse"))
    with pytest.warns(casestats.SmallSampleWarning):
        text = str(casestats.disease_association(table))
    assert text.startswith("calcinosis, limited vs diffuse: 3 studies (your cohorts)")
    assert "paper:" not in text
    bundled = casestats.load_dataset("ssc_calcinosis_cohorts")
    with pytest.warns(casestats.SmallSampleWarning):
        assert "(paper: " in str(casestats.disease_association(bundled))


def test_metafor_style_default_names_need_no_arguments():
    frame = _clinics().rename(columns=dict(zip(NAMES.values(), NAMES, strict=True)))
    assert len(casestats.read_cohorts(frame)) == 3


def test_missing_columns_are_named_with_the_ones_needed():
    with pytest.raises(casestats.CaseSeriesValidationError) as err:
        casestats.read_cohorts(_clinics().drop(columns=["limited_total", "diffuse_total"]), **NAMES)
    errors = _errors(err)
    assert errors["code"].tolist() == ["missing_column", "missing_column"]
    assert errors["column"].tolist() == ["limited_total", "diffuse_total"]
    assert "'clinic'" in errors["hint"].iloc[0] and "total_a=" in errors["hint"].iloc[0]


def test_every_bad_count_is_reported_at_once_and_located(tmp_path):
    frame = _clinics(
        limited_calcinosis=["70", "-1", "2.5"],
        diffuse_total=["40", "ten", "38"],
        clinic=["Leeds", "Leeds", "Lyon"],
    )
    path = tmp_path / "cohorts.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(casestats.CaseSeriesValidationError) as err:
        casestats.read_cohorts(path, **NAMES)
    got = set(zip(_errors(err)["code"], _errors(err)["cell"], strict=True))
    assert got == {
        ("events_above_total", "B2"),
        ("not_a_number", "B3"),
        ("not_a_number", "B4"),
        ("not_a_number", "E3"),
        ("duplicate_study", "A3"),
    }
    hints = dict(zip(_errors(err)["cell"], _errors(err)["hint"], strict=True))
    assert hints["B3"] == "a count cannot be negative"
    assert "whole number" in hints["B4"]
    assert hints["A3"] == "row 2 has the same study"
    for code in ("events_above_total", "duplicate_study", "unknown_study", "one_group_only"):
        assert code in PROBLEM_CODES


@pytest.mark.parametrize("flag", [True, "yes", "Yes", 1, "TRUE", "y", ""])
def test_pool_flags_accept_the_ways_yes_is_written(flag):
    table = casestats.read_cohorts(_clinics(pool=[flag, "no", 0]), **NAMES)
    assert table.data["pool"].tolist() == [True, False, False]
    assert table.pooled()["study"].tolist() == ["Leeds"]


def test_an_unreadable_pool_flag_is_located():
    with pytest.raises(casestats.CaseSeriesValidationError) as err:
        casestats.read_cohorts(_clinics(include=["yes", "maybe", "no"]), **NAMES, pool="include")
    errors = _errors(err)
    assert errors[["code", "row", "value"]].values.tolist() == [["unknown_term", 2, "maybe"]]


def test_an_overlap_must_name_another_study_in_the_table():
    overlaps = ["Pisa", "Leeds; Lion", "Lyon"]
    with pytest.raises(casestats.CaseSeriesValidationError) as err:
        casestats.read_cohorts(_clinics(shared=overlaps), **NAMES, overlaps="shared")
    errors = _errors(err)
    assert errors[["code", "row", "value"]].values.tolist() == [
        ["unknown_study", 2, "Lion"],
        ["unknown_study", 3, "Lyon"],  # a study cannot overlap itself
    ]
    ok = casestats.read_cohorts(_clinics(shared=["Pisa", "Leeds", ""]), **NAMES, overlaps="shared")
    assert ok.data["overlaps"].tolist() == [("Pisa",), ("Leeds",), ()]


def test_a_study_not_pooled_may_lack_counts_but_a_pooled_one_may_not():
    frame = _clinics(diffuse_calcinosis=["5", "", ""], pool=["yes", "no", "yes"])
    with pytest.raises(casestats.CaseSeriesValidationError) as err:
        casestats.read_cohorts(frame, **NAMES)
    errors = _errors(err)
    assert errors[["code", "row", "column"]].values.tolist() == [
        ["missing_value", 3, "diffuse_calcinosis"]  # records count from 1 in a DataFrame
    ]


def test_xlsx_and_json_read_like_csv(tmp_path):
    frame = _clinics()
    frame.to_excel(tmp_path / "c.xlsx", index=False, sheet_name="Cohorts")
    (tmp_path / "c.json").write_text(frame.to_json(orient="records"), encoding="utf-8")
    for name in ("c.xlsx", "c.json"):
        table = casestats.read_cohorts(tmp_path / name, **NAMES)
        assert table.data["total_b"].tolist() == [40, 30, 38], name
    with pytest.raises(casestats.CaseSeriesValidationError) as err:
        bad = frame.assign(limited_total=[60, 41, 7])
        (tmp_path / "bad.json").write_text(bad.to_json(orient="records"), encoding="utf-8")
        casestats.read_cohorts(tmp_path / "bad.json", **NAMES)
    assert _errors(err)[["code", "row"]].values.tolist() == [["events_above_total", 3]]


def test_sources_and_extra_columns_are_kept_as_attributes_not_attrs():
    sources = pd.DataFrame({"source_id": ["own"], "citation": ["Own patients"]})
    table = casestats.read_cohorts(_clinics(country=["UK", "IT", "FR"]), **NAMES, sources=sources)
    assert table.sources["source_id"].tolist() == ["own"]
    assert table.data["country"].tolist() == ["UK", "IT", "FR"]
    assert table.data.attrs == {}


def test_a_users_column_named_like_a_canonical_one_is_refused():
    with pytest.raises(casestats.CaseSeriesValidationError) as err:
        casestats.read_cohorts(_clinics(study=["x", "y", "z"]), **NAMES)
    assert _errors(err)["code"].tolist() == ["duplicate_header"]


def test_the_bundled_cohort_dataset_is_one_cohort_table():
    from casestats.datasets import _load_cohorts

    table = _load_cohorts("ssc_calcinosis_cohorts")
    frame = casestats.load_dataset("ssc_calcinosis_cohorts").to_frame()
    assert len(table) == len(frame)
    assert table.data["study"].tolist() == frame["cohort_id"].tolist()
    assert table.data["pool"].tolist() == (frame["pool"] == "yes").tolist()
    assert table.report.count("error") == 0
    assert set(table.sources["source_id"]) >= set(frame["source_id"])
    assert table.title == casestats.dataset_metadata("ssc_calcinosis_cohorts")["title"]
    assert isinstance(casestats.load_dataset("ssc_calcinosis_cohorts"), casestats.CohortTable)
    # the dataset's own table, as it was loaded before it became a CohortTable
    from casestats.datasets import _folder

    raw = pd.read_csv(_folder("ssc_calcinosis_cohorts") / "cohorts.csv", dtype=str,
                      keep_default_na=False)  # fmt: skip
    assert frame.columns.tolist() == raw.columns.tolist()
    counts = ["events_exposed", "total_exposed", "events_comparator", "total_comparator"]
    text = [c for c in raw.columns if frame[c].dtype.kind not in "fi" and c not in counts]
    assert frame[text].astype(str).equals(raw[text].astype(str))
    typed = frame[counts].map(lambda v: "" if pd.isna(v) else str(int(v)))
    assert typed.values.tolist() == raw[counts].values.tolist()
    # prevalence rows count one group: kept, warned, and never pooled as 2x2
    one_group = table.report.problems.query("code == 'one_group_only'")
    assert set(one_group["case_id"]) <= set(table.data["study"][table.data["events_b"].isna()])
    assert table.pooled()[["events_b", "total_b"]].notna().all().all()


def test_json_records_with_nested_values_are_located(tmp_path):
    record = {"study": "A", "events_a": [1], "total_a": 2, "events_b": 0, "total_b": 2}
    path = tmp_path / "c.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    with pytest.raises(casestats.CaseSeriesValidationError) as err:
        casestats.read_cohorts(path)
    assert "events_a" in set(_errors(err)["column"])


def test_the_cohort_template_has_the_columns_read_cohorts_reads(tmp_path):
    import openpyxl

    from casestats.io._template import write_cohort_template

    path = write_cohort_template(tmp_path / "cohorts.xlsx")
    sheet = openpyxl.load_workbook(path)["Cohorts"]
    headers = [c.value for c in sheet[1]]
    assert headers[:7] == [
        "study",
        "events_a",
        "total_a",
        "events_b",
        "total_b",
        "pool",
        "overlaps",
    ]
    sheet.append(["Leeds", 3, 10, 1, 9, "yes", "", "own", ""])
    sheet.parent["Sources"].append(["own", "", "2024"])
    sheet.parent.save(path)
    assert len(casestats.read_cohorts(path)) == 1


# -- reported estimates (issue 16): rows that print only an effect with its interval ------


def _with_estimates(**columns):
    frame = pd.DataFrame(
        {
            "study": ["A", "B", "C"],
            "events_a": ["3", "", ""],
            "total_a": ["10", "", ""],
            "events_b": ["1", "", ""],
            "total_b": ["9", "", ""],
            "pool": ["yes", "no", "no"],
            "measure": ["", "OR", "OR"],
            "estimate": ["", "2.6", "1.8"],
            "lower": ["", "1.02", ""],
            "upper": ["", "6.78", ""],
        }  # fmt: skip
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


def test_reported_estimates_are_read_apart_from_the_counts():
    table = casestats.read_cohorts(_with_estimates())
    assert table.pooled()["study"].tolist() == ["A"]
    rows = table.reported_estimates()
    # C printed an OR with a p-value only: kept in the data, not poolable by inverse variance
    assert rows["study"].tolist() == ["B"]
    assert rows[["estimate", "lower", "upper"]].iloc[0].tolist() == [2.6, 1.02, 6.78]
    assert table.data.loc[2, "estimate"] == 1.8 and np.isnan(table.data.loc[2, "lower"])


def test_reported_estimate_problems_are_located_all_at_once():
    frame = _with_estimates(
        measure=["", "odds", "OR"], estimate=["", "2.6", "9.1"], lower=["", "1.0", "1.2"],
        upper=["", "", "4.0"],
    )  # fmt: skip
    with pytest.raises(casestats.CaseSeriesValidationError) as info:
        casestats.read_cohorts(frame)
    problems = info.value.report.problems
    codes = problems[["code", "column", "case_id"]].values.tolist()
    assert ["unknown_term", "measure", "B"] in codes
    assert ["missing_value", "upper", "B"] in codes
    assert ["contradiction", "estimate", "C"] in codes
    assert set(problems["code"]) <= set(PROBLEM_CODES)


def test_a_ratio_must_be_positive():
    frame = _with_estimates(lower=["", "-0.5", ""])
    with pytest.raises(casestats.CaseSeriesValidationError) as info:
        casestats.read_cohorts(frame)
    assert info.value.report.problems["code"].tolist() == ["out_of_range"]


def test_bundled_reported_estimates_pool_as_metafor_does():
    # R 4.2.2, metafor 3.8-1: yi <- log(c(3.9, 2.63));
    # sei <- (log(c(5.5, 6.78)) - log(c(2.7, 1.02))) / (2 * qnorm(0.975));
    # exp(coef(rma(yi, sei = sei, method = "DL")))  ->  3.714561 (tau^2 = 0)
    rows = casestats.load_dataset("ssc_calcinosis_cohorts").reported_estimates()
    ulcers = rows[
        rows["study"].isin(["valenzuela2016_digital_ulcers", "samoes2023_digital_ulcers"])
    ]
    with pytest.warns(casestats.SmallSampleWarning):
        res = casestats.meta_estimates(
            ulcers["estimate"], lower=ulcers["lower"], upper=ulcers["upper"], measure="OR",
            method="dl",
        )  # fmt: skip
    assert res.estimate == pytest.approx(3.714561, abs=1e-6)
