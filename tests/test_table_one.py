"""Table 1: denominators, every term accounted for, tests checked against R, exports."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import casestats
from casestats.reporting.table_one import MIN_GROUP_SIZE, TableOne, table_one
from casestats.results import TIDY_COLUMNS

REFERENCE = json.loads((Path(__file__).parent / "reference" / "table_one.json").read_text())

# The data of tests/reference/reference_table_one.R, value by value; "arm" and "trio" are
# columns of the user's own, not of the schema.
SMALL_SERIES = pd.DataFrame(
    {
        "case_id": [f"p{i}" for i in range(24)],
        "source_id": ["s"] * 24,
        "arm": ["A"] * 12 + ["B"] * 12,
        "trio": ["p", "q", "r"] * 8,
        "age_years": [str(a) for a in (40, 40, 52, 61, 61, 70, 45, 52, 52, 58, 75, 80,
                                       33, 40, 41, 45, 45, 50, 52, 52, 60, 61, 38, 47)],
        "sex": ["female"] * 8 + ["male"] * 4 + ["female"] * 4 + ["male"] * 8,
        "outcome": ["resolved"] * 6 + ["improved"] * 5 + ["died"]
        + ["resolved"] * 2 + ["improved"] * 7 + ["died"] * 3,
    }
)  # fmt: skip


def _read(frame):
    return casestats.read_cases(frame, sources=pd.DataFrame({"source_id": ["s"]}))


@pytest.fixture(scope="module")
def cases():
    return casestats.load_dataset("calcinosis_case_reports")


@pytest.fixture(scope="module")
def small():
    return _read(SMALL_SERIES)


def _rows(table, variable, group="Overall"):
    frame = table.to_frame()
    return frame[(frame["variable"] == variable) & (frame["group"] == group)].set_index("level")


# -- denominators and terms -------------------------------------------------------


def test_tidy_contract(cases):
    table = table_one(cases, by="subtype", tests=True)
    assert isinstance(table, TableOne)
    frame = table.to_frame()
    assert list(frame.columns[: len(TIDY_COLUMNS)]) == list(TIDY_COLUMNS)
    n = len(cases.data)
    subtypes = cases.data.loc[cases.data["subtype"] != "", "subtype"].nunique()
    # one column per subtype, plus Overall
    assert repr(table) == f"TableOne(by='subtype', n={n}, columns={subtypes + 1})"
    ci = table.confidence_interval(0.9)
    assert list(ci.low.index) == list(
        frame["variable"] + ":" + frame["level"].astype(str) + ":" + frame["group"]
    )
    stored = table.confidence_interval()
    shares = frame["kind"].eq("category") & frame["events"].gt(0)
    shares = (shares & frame["level"].ne("not_reported")).to_numpy()
    assert (ci.low[shares] > stored.low[shares]).all()  # 90% is narrower
    assert stored.low[(frame["level"] == "not_reported").to_numpy()].isna().all()


def test_sex_denominator_is_the_reported_patients_and_not_reported_is_a_row(cases):
    sex = _rows(table_one(cases), "sex")
    n = int(cases.reported("sex").sum())
    female = int((cases.data["sex"] == "female").sum())
    assert sex.loc["female", "total"] == n
    assert sex.loc["female", "value"] == f"{female} ({100 * female / n:.0f}%)"
    assert sex.loc["not_reported", "events"] == len(cases) - n
    assert "%" not in sex.loc["not_reported", "value"]


def test_age_median_iqr_and_mean_sd_match_numpy(cases):
    ages = cases.to_frame()["age_years"].dropna().to_numpy()
    q1, median, q3 = np.percentile(ages, [25, 50, 75])
    age = _rows(table_one(cases), "age_years")
    assert age.loc["median_iqr", "value"] == f"{median:.0f} ({q1:.0f}–{q3:.0f})"
    mean = _rows(table_one(cases, statistic={"age_years": "mean_sd"}), "age_years")
    assert mean.loc["mean_sd", "estimate"] == pytest.approx(ages.mean(), rel=1e-12)
    assert mean.loc["mean_sd", "sd"] == pytest.approx(ages.std(ddof=1), rel=1e-12)


def test_every_condition_is_accounted_for_with_top(cases):
    long = cases.conditions().drop_duplicates()
    table = table_one(cases, variables=["conditions"], top=3)
    rows = _rows(table, "conditions")
    terms = rows.drop(index=["other", "not_reported"])
    assert len(terms) == 3
    other = rows.loc["other"]
    rest = set(long["condition"]) - set(terms.index)
    assert other["level_label"] == (
        f"other ({len(rest)} terms, {long[long['condition'].isin(rest)]['case_id'].nunique()}"
        " patients)"
    )
    assert set(other["note"].split(", ")) == rest
    # systemic sclerosis, SLE and Raynaud's are all there without top
    every = _rows(table_one(cases, variables=["conditions"]), "conditions")
    assert set(long["condition"]) <= set(every.index)


def test_labels_come_from_the_schema_and_can_be_overridden(cases):
    table = table_one(cases, variables=["conditions"], labels={"systemic_sclerosis": "SSc"})
    labels = set(_rows(table, "conditions")["level_label"])
    assert "SSc" in labels and "systemic lupus erythematosus" in labels
    assert not any("_" in label for label in labels)


def test_antibodies_have_their_own_denominator():
    frame = pd.DataFrame(
        {
            "case_id": ["a", "b", "c"],
            "source_id": ["s"] * 3,
            "autoantibodies": ["ana+; aca-", "ana-", ""],
        }
    )
    rows = _rows(table_one(_read(frame), variables=["autoantibodies"]), "autoantibodies")
    assert rows.loc["ana", "value"] == "1/2 (50%)"
    assert rows.loc["aca", "value"] == "0/1 (0%)"
    assert rows.loc["not_reported", "events"] == 1


def test_by_a_users_own_column_and_unreported_groups(small):
    table = table_one(small, by="arm", variables=["sex"])
    assert [name for name, _ in table.groups] == ["Overall", "A", "B"]
    assert _rows(table, "sex", "A").loc["female", "value"] == "8 (67%)"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"by": "age_years"}, "single-valued"),
        ({"by": "nope"}, "not a column"),
        ({"variables": ["nope"]}, "unknown variables"),
        ({"statistic": "mode"}, "median_iqr"),
        ({"missing": "sometimes"}, "ifany"),
        ({"top": 0}, "positive integer"),
    ],
)
def test_bad_options_name_what_is_allowed(small, options, message):
    with pytest.raises(ValueError, match=message):
        table_one(small, **options)


# -- tests, against R (tests/reference/reference_table_one.R) -----------------------


def test_chi_square_when_expected_counts_are_large(small):
    ref = REFERENCE["sex_by_arm"]
    assert ref["min_expected"] >= 5
    row = _rows(table_one(small, by="arm", variables=["sex"], tests=True), "sex").iloc[0]
    assert row["test"] == "chi2"
    assert row["pvalue"] == pytest.approx(ref["pvalue"], abs=1e-10)
    assert row["statistic"] == pytest.approx(ref["statistic"], abs=1e-10)


def test_fisher_when_an_expected_count_is_small(small):
    row = _rows(table_one(small, by="arm", variables=["outcome"], tests=True), "outcome")
    assert row.iloc[0]["test"] == "fisher"
    assert row.iloc[0]["pvalue"] == pytest.approx(REFERENCE["outcome_by_arm"]["pvalue"], abs=1e-10)


def test_wilcoxon_two_groups_and_kruskal_three(small):
    two = _rows(table_one(small, by="arm", variables=["age_years"], tests=True), "age_years")
    ref = REFERENCE["age_by_arm"]
    assert two.iloc[0]["test"] == "wilcoxon"
    assert two.iloc[0]["pvalue"] == pytest.approx(ref["pvalue"], abs=1e-10)
    assert two.iloc[0]["statistic"] == pytest.approx(ref["statistic"], abs=1e-10)
    three = _rows(table_one(small, by="trio", variables=["age_years"], tests=True), "age_years")
    ref = REFERENCE["age_by_trio"]
    assert three.iloc[0]["test"] == "kruskal"
    assert three.iloc[0]["pvalue"] == pytest.approx(ref["pvalue"], abs=1e-10)
    assert three.iloc[0]["statistic"] == pytest.approx(ref["statistic"], abs=1e-10)


def test_small_groups_get_a_caution_not_a_p_value():
    # eight patients, as a clinician's own spreadsheet: three per arm at most
    frame = SMALL_SERIES.iloc[[0, 1, 2, 12, 13, 14, 15, 16]].reset_index(drop=True)
    table = table_one(_read(frame), by="arm", variables=["sex", "age_years"], tests=True)
    rows = table.to_frame()
    assert rows["pvalue"].isna().all()
    assert (
        rows.loc[rows["level"] != "not_reported", "note"]
        .str.contains(f"fewer than {MIN_GROUP_SIZE}")
        .all()
    )
    shown = table.to_table()
    assert set(shown["p"]) <= {"", "–"}
    assert any("Not tested where a group" in note for note in table.footnotes)


def test_footnotes_state_denominators_and_tests(cases):
    notes = " ".join(table_one(cases, by="subtype", tests=True, top=5).footnotes)
    missing = (cases.data["subtype"] == "").sum()
    for said in ("'not reported' row", "left out of every percentage", "Kruskal-Wallis",
                 "Fisher's exact", "other (k terms, n patients)", "not adjusted",
                 f"{missing} patients whose source did not report subtype"):  # fmt: skip
        assert said in notes


# -- rendering and exports ----------------------------------------------------------


def test_display_table_names_each_characteristic_once(cases):
    table = table_one(cases, by="subtype", tests=True)
    shown = table.to_table()
    n, dystrophic = len(cases.data), (cases.data["subtype"] == "dystrophic").sum()
    expected = ["Characteristic", f"Overall (N = {n})", f"dystrophic (N = {dystrophic})"]
    assert list(shown.columns[:3]) == expected
    assert list(shown.columns[-2:]) == ["p", "test"]
    headers = shown.loc[~shown["Characteristic"].str.startswith(" "), "Characteristic"]
    assert headers.is_unique
    assert "Sex" in set(headers)


def test_docx_reads_back(cases, tmp_path):
    import docx

    table = table_one(cases, by="subtype", tests=True)
    path = tmp_path / "table1.docx"
    table.save(path)
    document = docx.Document(str(path))
    grid = document.tables[0]
    shown = table.to_table()
    assert len(grid.rows) == len(shown) + 1
    # a header breaks before its "(N = ...)" only
    assert [c.text.replace("\n", " ") for c in grid.rows[0].cells] == list(shown.columns)
    assert grid.rows[0].cells[1].text.count("\n") == 1
    # the writer keeps "< 0.001" on one line with a no-break space
    cells = [c.text.replace("\u00a0", " ") for c in grid.rows[3].cells]
    assert cells[1:] == list(shown.iloc[2, 1:])
    text = "\n".join(p.text for p in document.paragraphs)
    assert table.footnotes[0] in text and text.startswith("Table 1.")


def test_docx_is_laid_out_for_a_manuscript(cases, tmp_path):
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    path = tmp_path / "table1.docx"
    table_one(cases, by="subtype", tests=True).save(path)
    document = docx.Document(str(path))
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    grid = document.tables[0]
    widths = [column.width for column in grid.columns]
    assert widths[0] > 2 * max(widths[1:-2])  # the labels get the room
    usable = (document.sections[0].page_width - document.sections[0].left_margin
              - document.sections[0].right_margin)
    assert sum(widths) <= usable
    assert grid.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
    assert document.styles["Normal"].font.size.pt == 8
    assert all("< " not in c.text for row in grid.rows[1:] for c in row.cells)  # "<\u00a00.001"


@pytest.mark.parametrize("suffix", [".html", ".md", ".csv", ".xlsx"])
def test_save_by_suffix(small, tmp_path, suffix):
    table = table_one(small, by="arm", tests=True)
    path = tmp_path / f"t{suffix}"
    table.save(path)
    if suffix == ".csv":
        assert pd.read_csv(path, keep_default_na=False).equals(table.to_table())
    elif suffix == ".xlsx":
        back = pd.read_excel(path, sheet_name=None, keep_default_na=False, dtype=str)
        assert list(back) == ["Table 1", "Footnotes"]
        assert back["Table 1"]["Characteristic"].tolist()[0] == "Age, years, median (IQR)"
    else:
        text = path.read_text(encoding="utf-8")
        group = "A<br>(N = 12)" if suffix == ".html" else "A (N = 12)"
        assert "Wilcoxon rank-sum" in text and group in text


def test_save_rejects_unknown_suffix(small, tmp_path):
    with pytest.raises(ValueError, match=r"\.docx"):
        table_one(small).save(tmp_path / "t.pdf")
