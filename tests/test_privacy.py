"""check_publishable: identifying details flagged, published prose left alone."""

import pandas as pd
import pytest

import casestats
from casestats.privacy import PRIVACY_CODES, check_publishable

# One offending cell per row: (notes text, the code it must raise, the text that must match).
OFFENDING = [
    ("Seen by Dr. Alvarez in clinic", "possible_name", "Dr. Alvarez"),
    ("referred by Mrs Patel", "possible_name", "Mrs Patel"),
    ("patient J.S. presented with nodules", "possible_name", "patient J.S."),
    ("J.K. (2019) first noticed nodules", "possible_name", "J.K."),
    ("excised on 2019-03-12", "full_date", "2019-03-12"),
    ("biopsy 12/03/2019, benign", "full_date", "12/03/2019"),
    ("admitted 3.4.19 for pain", "full_date", "3.4.19"),
    ("seen on 12 March 2019", "full_date", "12 March 2019"),
    ("seen on March 12, 2019", "full_date", "March 12, 2019"),
    ("lives at 14 Rose Street", "fine_location", "14 Rose Street"),
    ("postcode SW1A 1AA", "fine_location", "SW1A 1AA"),
    ("Boston, MA 02115", "fine_location", "MA 02115"),
    ("admitted to ward 7B", "fine_location", "ward 7B"),
    ("MRN 12345678", "record_number", "MRN 12345678"),
    ("hospital no. 44 71 22", "record_number", "hospital no. 44 71 22"),
    ("NHS number 943 476 5919", "record_number", "NHS number 943 476 5919"),
    ("contact j.doe@example.org", "contact_details", "j.doe@example.org"),
    ("tel +44 20 7946 0958", "contact_details", "tel +44 20 7946 0958"),
    ("call (617) 555-0123", "contact_details", "(617) 555-0123"),
]

# Prose of published case reports that must pass.
HARMLESS = [
    "lcSSc since 2012 (ACR/EULAR 2013 criteria); nodules for 5-6 years",
    "ANA 1:1280 speckled; OR 4.01 (95% CI 1.08-14.87)",
    "Prevalence 50% (95% CI 0.41-0.59); 60/120 = 50%",
    "cohort recruited Jan 2003-Jan 2024; MS excluded",
    "diltiazem 90 mg/day for 2 years; PTH 45 pg/mL",
    "Dr. and Mrs. not followed by a name",
    "X-ray of both hands, 3-4 hard mobile nodules",
    "",
]


def _frame(notes, **extra):
    n = len(notes)
    return pd.DataFrame({"case_id": [f"c{i}" for i in range(n)], "notes": notes, **extra})


def test_bundled_datasets_pass():
    for name in (
        "calcinosis_case_reports",
        "ssc_calcinosis_cohorts",
        "calcinosis_site_subtype_counts",
    ):
        report = check_publishable(casestats.load_dataset(name))
        assert report.ok, f"{name}:\n{report}"


@pytest.mark.parametrize(("text", "code", "value"), OFFENDING)
def test_each_kind_of_identifier_is_flagged(text, code, value):
    problems = check_publishable(_frame([text])).problems
    assert [code, 1, "notes", value] in problems[["code", "row", "column", "value"]].values.tolist()
    # an NHS number also looks like a telephone number; nothing else may be flagged
    assert len(problems) == 1 + (code == "record_number" and "NHS" in text)
    assert (problems["severity"] == "error").all() and (problems["case_id"] == "c0").all()


def test_harmless_prose_is_not_flagged():
    report = check_publishable(_frame(HARMLESS))
    assert report.ok, str(report)
    assert report.n_rows == len(HARMLESS)


def test_all_offending_rows_located_together():
    report = check_publishable(_frame([t for t, _, _ in OFFENDING] + HARMLESS))
    assert not report.ok
    problems = report.problems
    assert problems["row"].unique().tolist() == list(range(1, len(OFFENDING) + 1))
    assert set(problems["code"]) <= set(PRIVACY_CODES)


def test_ages_over_89_must_be_recoded():
    frame = _frame(["", "", "", ""], age_years=["89", "90", "90+", "104.5"])
    problems = check_publishable(frame).problems
    assert problems[["code", "row", "value"]].values.tolist() == [
        ["age_over_89", 2, "90"],
        ["age_over_89", 4, "104.5"],
    ]


@pytest.mark.parametrize(
    ("column", "code"),
    [
        ("patient_name", "possible_name"),
        ("Initials", "possible_name"),
        ("City", "fine_location"),
        ("home address", "fine_location"),
        ("post_code", "fine_location"),
        ("hospital ward", "fine_location"),
        ("MRN", "record_number"),
        ("NHS number", "record_number"),
        ("email", "contact_details"),
        ("phone", "contact_details"),
        ("date_of_birth", "full_date"),
    ],
)
def test_identifying_columns_flag_every_filled_cell(column, code):
    frame = _frame(["", ""], **{column: ["something", ""]})
    problems = check_publishable(frame).problems
    assert problems[["code", "row", "column"]].values.tolist() == [[code, 1, column]]


def test_case_series_scans_every_column():
    frame = pd.DataFrame(
        {
            "case_id": ["1", "2"],
            "source_id": ["s", "s"],
            "age_years": ["95", "40"],
            "notes": ["", "seen by Dr. Jones"],
            "ward_contact": ["", "phone 0161 496 0000"],
        }
    )
    cases = casestats.read_cases(frame, sources=pd.DataFrame({"source_id": ["s"]}))
    problems = check_publishable(cases).problems
    assert problems[["code", "row", "column"]].values.tolist() == [
        ["age_over_89", 1, "age_years"],
        ["possible_name", 2, "notes"],
        ["contact_details", 2, "ward_contact"],
    ]


def test_other_inputs_are_refused():
    with pytest.raises(TypeError, match="CaseSeries, a CohortTable or a pandas DataFrame"):
        check_publishable([{"notes": "x"}])


def _located_findings(cases):
    problems = check_publishable(cases).problems
    return problems[["code", "row", "cell", "column"]].values.tolist()


def test_findings_in_a_workbook_are_located_like_validate(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append(["case_id", "source_id", "Age years", "Notes"])
    sheet.append(["1", "s", "40", ""])
    sheet.append([None, None, None, None])  # a blank row: row numbers are the sheet's
    sheet.append(["2", "s", "93", "seen by Dr. Jones"])
    sources = book.create_sheet("Sources")
    sources.append(["source_id", "citation"])
    sources.append(["s", "MRN 0044721"])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    cases = casestats.read_cases(path)
    assert _located_findings(cases) == [
        ["age_over_89", 4, "Cases!C4", "Age years"],
        ["possible_name", 4, "Cases!D4", "Notes"],
        ["record_number", 2, "Sources!B2", "citation"],
    ]
    # validate warns about the same age: both name the cell and the header the same way
    validated = casestats.validate(path).problems.set_index("code")
    assert validated.loc["age_over_89", ["row", "cell", "column"]].tolist() == [
        4, "Cases!C4", "Age years"
    ]
    assert check_publishable(cases).source == str(path)
    # a subset keeps the rows' places in the file
    assert _located_findings(cases.subset([False, True]))[0][:3] == ["age_over_89", 4, "Cases!C4"]


def test_findings_in_a_csv_name_the_cell_without_a_sheet(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,source_id,notes\n1,s,\n2,s,MRN 0044721\n", encoding="utf-8")
    (tmp_path / "cases.sources.csv").write_text("source_id\ns\n", encoding="utf-8")
    assert _located_findings(casestats.read_cases(path)) == [["record_number", 3, "C3", "notes"]]


def test_findings_in_json_and_frames_count_records(tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(
        '{"cases": [{"case_id": "1", "source_id": "s", "notes": "MRN 0044721"}],'
        ' "sources": [{"source_id": "s", "citation": "call (617) 555-0123"}]}',
        encoding="utf-8",
    )
    assert _located_findings(casestats.read_cases(path)) == [
        ["record_number", 1, "", "notes"],
        ["contact_details", 1, "sources row 1", "citation"],
    ]


def test_a_frame_column_named_like_the_private_locations_is_just_a_column():
    frame = _frame(["MRN 0044721"], _cells=["x"])
    assert _located_findings(frame) == [["record_number", 1, "", "notes"]]
