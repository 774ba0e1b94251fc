"""Table 1: denominators are the patients whose source reported the field."""

import numpy as np
import pandas as pd
import pytest

import casestats
from casestats.summary import TABLE_ONE_COLUMNS, format_table, table_one


@pytest.fixture(scope="module")
def cases():
    return casestats.load_dataset("calcinosis_case_reports")


def _small():
    frame = pd.DataFrame(
        {
            "case_id": ["a", "b", "c", "d"],
            "source_id": ["s"] * 4,
            "age_years": ["90+", "40", "10", ""],
            "sex": ["female", "female", "male", "NR"],
            "autoantibodies": ["ana+; aca-", "ana-", "", ""],
            "sites": ["elbow (left); knee", "elbow", "", "hand"],
        }
    )
    return casestats.read_cases(frame, sources=pd.DataFrame({"source_id": ["s"]}))


def _rows(table, characteristic):
    return table[table["characteristic"] == characteristic].set_index("level")


def test_columns_and_missing_counts(cases):
    table = table_one(cases)
    assert tuple(table.columns) == TABLE_ONE_COLUMNS
    assert (table["n_missing"] == len(cases) - table["n_reported"]).all()
    expected = [
        "Patients", "Age, years", "Sex", "Subtype", "Subtype basis", "Systemic sclerosis subset",
        "Underlying conditions", "Autoantibodies (positive/tested)", "Lesion sites per patient",
        "Serum calcium", "Serum phosphate", "Parathyroid hormone", "Renal function",
        "Treatments", "Outcome",
    ]  # fmt: skip
    assert list(dict.fromkeys(table["characteristic"])) == expected


def test_sex_denominator_is_the_reported_patients(cases):
    sex = _rows(table_one(cases), "Sex")
    n = int(cases.reported("sex").sum())
    female = int((cases.data["sex"] == "female").sum())
    assert sex.loc["female", "n_reported"] == n
    assert sex.loc["female", "value"] == f"{female}/{n} ({female / n:.0%})"


def test_age_median_iqr_matches_numpy(cases):
    ages = cases.to_frame()["age_years"].dropna().to_numpy()
    q1, median, q3 = np.percentile(ages, [25, 50, 75])
    age = _rows(table_one(cases), "Age, years")
    assert age.loc["median (IQR)", "value"] == f"{median:.0f} ({q1:.0f}–{q3:.0f})"
    assert age.loc["median (IQR)", "n_missing"] == int((~cases.reported("age_years")).sum())


def test_small_series_counts_90_plus_antibodies_and_sites():
    table = table_one(_small())
    age = _rows(table, "Age, years")
    assert age.loc["aged 90+", "value"] == "1/3 (33%)"
    assert age.loc["under 18", "value"] == "1/3 (33%)"
    assert age.loc["range", "value"] == "10–90"
    antibodies = _rows(table, "Autoantibodies (positive/tested)")
    assert antibodies.loc["patients tested", "n_missing"] == 2
    assert antibodies.loc["antinuclear antibodies", "value"] == "1/2 (50%)"
    assert antibodies.loc["anti-centromere", "value"] == "0/1 (0%)"
    sites = _rows(table, "Lesion sites per patient")
    assert sites.loc["range", "value"] == "1–2"
    assert sites.loc["more than one site", "value"] == "1/3 (33%)"
    sex = _rows(table, "Sex")
    assert sex.loc["female", "value"] == "2/3 (67%)"  # "NR" leaves the denominator
    assert _rows(table, "Outcome").loc["", "value"] == "not reported"


def test_top_limits_conditions(cases):
    table = table_one(cases, top=3)
    assert len(_rows(table, "Underlying conditions")) == 3
    assert len(_rows(table, "Treatments")) == 3


def test_format_table_names_each_characteristic_once(cases):
    table = table_one(cases)
    text = format_table(table)
    lines = text.splitlines()
    assert lines[0].startswith("Characteristic")
    for characteristic in table["characteristic"].unique():
        assert sum(line.split("  ")[0] == characteristic for line in lines) == 1
    assert "39/66 (59%)" in text
    assert len({len(line) for line in lines[2:] if line.startswith("  ") and "/" in line}) == 1
