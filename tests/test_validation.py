"""Validation: every problem in one pass, located as the user sees the file."""

import numpy as np
import pandas as pd
import pytest

import casestats
from casestats.validation import PROBLEM_CODES

HEADER = [
    "case_id",
    "source_id",
    "age_years",
    "sex",
    "subtype",
    "ssc_subset",
    "conditions",
    "autoantibodies",
    "sites",
    "calcium_status",
    "calcium_value",
    "calcium_unit",
    "phosphate_status",
]
GOOD = [
    "c1",
    "smith2020",
    "54",
    "female",
    "dystrophic",
    "limited",
    "systemic_sclerosis",
    "aca+",
    "finger_pad (left)",
    "normal",
    "9.4",
    "mg/dL",
    "normal",
]


def _xlsx(path, rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    sources = book.create_sheet("Sources")
    sources.append(["source_id", "first_author", "year"])
    sources.append(["smith2020", "Smith", "2020"])
    book.save(path)
    return path


def _row(case_id, **changes):
    row = dict(zip(HEADER, GOOD, strict=True), case_id=case_id)
    row.update(changes)
    return [row[h] for h in HEADER]


# (row changes, expected code, expected cell): ten different mistakes in one sheet
MISTAKES = [
    ({"case_id": "c1"}, "duplicate_case_id", "Cases!A3"),
    ({"age_years": "about 87"}, "not_a_number", "Cases!C4"),
    ({"age_years": "250"}, "age_out_of_range", "Cases!C5"),
    ({"sex": "femal"}, "unknown_term", "Cases!D6"),
    ({"ssc_subset": "limted"}, "unknown_term", "Cases!F7"),
    ({"sites": "elbw (left)"}, "unknown_term", "Cases!I8"),
    ({"calcium_value": "9,4"}, "not_a_number", "Cases!K9"),
    ({"calcium_value": "2.4"}, "unit_mismatch", "Cases!K10"),
    ({"source_id": "smyth2020"}, "unknown_source", "Cases!B11"),
    ({"subtype": "metastatic"}, "contradiction", "Cases!E12"),
    ({"autoantibodies": "aca"}, "unknown_term", "Cases!H13"),
]


def test_ten_mistakes_give_ten_located_problems(tmp_path):
    rows = [_row("c1")] + [
        _row(
            changes.get("case_id", f"c{k + 2}"),
            **{k2: v for k2, v in changes.items() if k2 != "case_id"},
        )
        for k, (changes, _, _) in enumerate(MISTAKES)
    ]
    path = _xlsx(tmp_path / "cases.xlsx", rows)
    report = casestats.validate(path)
    found = report.problems.query("severity != 'info'")
    got = set(zip(found["code"], found["cell"], strict=True))
    expected = {(code, cell) for _, code, cell in MISTAKES}
    assert got == expected
    assert len(found) == len(MISTAKES)
    with pytest.raises(casestats.CaseSeriesValidationError) as err:
        casestats.read_cases(path)
    assert isinstance(err.value, ValueError)
    assert err.value.report.count("error") == report.count("error")


def test_hints_and_verbatim_values(tmp_path):
    path = _xlsx(tmp_path / "cases.xlsx", [_row("c1", ssc_subset="limted", calcium_value="9.4 mg")])
    problems = casestats.validate(path).problems.set_index("code")
    assert problems.loc["unknown_term", "hint"] == "did you mean 'limited'?"
    assert problems.loc["unknown_term", "value"] == "limted"
    hint = "write the number alone: 9.4, and the unit in calcium_unit"
    assert problems.loc["not_a_number", "hint"] == hint
    assert problems.loc["not_a_number", "column"] == "calcium_value"


def test_synonyms_are_reported_as_notes_and_applied():
    frame = pd.DataFrame(
        {
            "case_id": ["a", "b"],
            "source_id": ["s", "s"],
            "ssc_subset": ["CREST", "lcSSc"],
            "sites": ["olecranon (L)", "fingertips"],
            "autoantibodies": ["ACA positive", "anti-Scl-70 -"],
            "conditions": ["SSc", "SSc"],
        }
    )
    cases = casestats.read_cases(frame, sources=pd.DataFrame({"source_id": ["s"]}))
    assert cases.data["ssc_subset"].tolist() == ["limited", "limited"]
    assert cases.data["sites"].tolist() == ["elbow (left)", "finger_pad"]
    assert cases.data["autoantibodies"].tolist() == ["aca+", "anti_scl70-"]
    notes = cases.report.problems.query("code == 'normalised'")
    assert {"CREST", "lcSSc", "olecranon (L)"} <= set(notes["value"])
    assert (notes["severity"] == "info").all()


def test_missing_markers_stay_distinct_and_leave_the_denominator():
    frame = pd.DataFrame(
        {
            "case_id": ["1", "2", "3", "4"],
            "source_id": ["s"] * 4,
            "sex": ["", "NA", "not reported", "female"],
        }
    )
    cases = casestats.read_cases(frame, sources=pd.DataFrame({"source_id": ["s"]}))
    assert cases.data["sex"].tolist() == ["", "NA", "not reported", "female"]
    assert cases.reported("sex").tolist() == [False, False, False, True]


def test_missing_required_column_and_unknown_column():
    report = casestats.validate(pd.DataFrame({"case_id": ["1"], "favourite_colour": ["blue"]}))
    codes = report.problems.set_index("code")
    assert codes.loc["missing_column", "column"] == "source_id"
    assert codes.loc["unknown_column", "severity"] == "info"


def test_age_over_89_is_a_warning_and_90_plus_is_accepted():
    frame = pd.DataFrame(
        {"case_id": ["1", "2"], "source_id": ["s", "s"], "age_years": ["93", "90+"]}
    )
    report = casestats.validate(frame, sources=pd.DataFrame({"source_id": ["s"]}))
    found = report.problems.query("severity != 'info'")
    assert found[["code", "row"]].values.tolist() == [["age_over_89", 1]]


def test_problem_order_does_not_depend_on_row_order():
    rows = [_row(f"c{k}", sex=s) for k, s in enumerate(["femal", "mal", "female"])]
    frame = pd.DataFrame(rows, columns=HEADER)
    sources = pd.DataFrame({"source_id": ["smith2020"]})
    forward = casestats.validate(frame, sources=sources).problems
    backward = casestats.validate(frame.iloc[::-1], sources=sources).problems
    key = ["code", "case_id", "value"]
    assert sorted(map(tuple, forward[key].values)) == sorted(map(tuple, backward[key].values))


def test_every_code_emitted_is_documented(tmp_path):
    rows = [_row("c1")] + [
        _row(f"c{k + 2}", **{k2: v for k2, v in ch.items() if k2 != "case_id"})
        for k, (ch, _, _) in enumerate(MISTAKES)
    ]
    report = casestats.validate(_xlsx(tmp_path / "x.xlsx", rows))
    assert set(report.problems["code"]) <= set(PROBLEM_CODES)


def test_unreadable_file_is_a_validation_error(tmp_path):
    path = tmp_path / "cases.xlsx"
    path.write_text("case_id\n1\n")
    report = casestats.validate(path)
    assert report.problems["code"].tolist() == ["format_mismatch"]
    with pytest.raises(casestats.CaseSeriesValidationError, match="format_mismatch"):
        casestats.read_cases(path)


# -- issue 19: blanks, look-alike ids and digits -------------------------------

SOURCES = pd.DataFrame({"source_id": ["s"]})


@pytest.mark.parametrize("dtype", [object, "string", "str"])
@pytest.mark.parametrize("blank", [np.nan, pd.NA, None])
def test_a_blank_cell_stays_blank_and_never_takes_another_rows_value(dtype, blank):
    """pd.factorize codes a missing value -1, and uniques[-1] was another row's value."""
    frame = pd.DataFrame(
        {
            "case_id": pd.Series(["1", "2", "3"], dtype=dtype),
            "source_id": ["s", "s", "s"],
            "sex": pd.Series(["male", blank, "female"], dtype=dtype),
            "ssc_subset": pd.Series(["limited", blank, "diffuse"], dtype=dtype),
            "conditions": pd.Series(
                ["systemic_sclerosis", blank, "systemic_sclerosis"], dtype=dtype
            ),
        }
    )
    cases = casestats.read_cases(frame, sources=SOURCES)
    assert cases.data["sex"].tolist() == ["male", "", "female"]
    assert cases.data["ssc_subset"].tolist() == ["limited", "", "diffuse"]
    assert cases.data["conditions"].iloc[1] == ""


def test_check_table_reads_a_missing_value_left_in_the_text_table_as_empty():
    """A reader that leaves NaN in the text table must not shift values between rows."""
    from dataclasses import replace

    from casestats.io import read_raw
    from casestats.validation import check_table

    raw = read_raw(pd.DataFrame({"case_id": ["1", "2", "3"], "sex": ["male", "", "female"]}))
    frame = raw.frame.copy()
    frame.iloc[1, 1] = np.nan
    frame.iloc[0, 0] = None
    _, canonical = check_table(replace(raw, frame=frame))
    assert canonical["sex"].tolist() == ["male", "", "female"]
    assert canonical["case_id"].tolist() == ["", "2", "3"]


def test_a_blank_case_id_is_a_located_missing_value():
    frame = pd.DataFrame({"case_id": [np.nan, "2"], "source_id": ["s", "s"]})
    report = casestats.validate(frame, sources=SOURCES)
    errors = report.problems.query("severity == 'error'")
    assert errors[["code", "row", "column"]].values.tolist() == [["missing_value", 1, "case_id"]]


def test_a_newline_inside_a_sites_cell_separates_items_or_is_located():
    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["s"], "sites": ["elbow\nknee"]})
    cases = casestats.read_cases(frame, sources=SOURCES)
    assert cases.data["sites"].tolist() == ["elbow; knee"]
    bad = pd.DataFrame({"case_id": ["1"], "source_id": ["s"], "sites": ["elbow\nkne (left"]})
    problem = casestats.validate(bad, sources=SOURCES).problems.query("code == 'unknown_term'")
    assert problem["row"].tolist() == [1]


@pytest.mark.parametrize("age", ["\uff19\uff15", "\u0669\u0665"])
def test_ages_in_other_digit_systems_are_read_as_ascii_and_checked(age):
    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["s"], "age_years": [age]})
    report = casestats.validate(frame, sources=SOURCES)
    codes = set(report.problems["code"])
    assert "age_over_89" in codes
    note = report.problems.query("code == 'normalised'")
    assert note["hint"].iloc[0].startswith("read as '95'")


def test_an_age_with_underscores_is_refused_with_a_hint():
    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["s"], "age_years": ["9_5"]})
    problem = casestats.validate(frame, sources=SOURCES).problems.query("code == 'not_a_number'")
    assert problem["hint"].tolist() == ["write the number without underscores"]


@pytest.mark.parametrize(
    ("typed", "read"), [("45 y", "45"), ("18 months", "1.5"), ("12 days", "0.03"), ("3 wk", "0.06")]
)
def test_ages_with_a_unit_of_time_are_converted_with_a_note(typed, read):
    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["s"], "age_years": [typed]})
    cases = casestats.read_cases(frame, sources=SOURCES)
    assert cases.data["age_years"].tolist() == [read]
    assert "normalised" in set(cases.report.problems["code"])


def test_a_size_in_centimetres_is_converted_to_millimetres():
    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["s"], "largest_size_mm": ["5 cm"]})
    cases = casestats.read_cases(frame, sources=SOURCES)
    assert cases.data["largest_size_mm"].tolist() == ["50"]


@pytest.mark.parametrize(
    "twin", ["cafe\u0301", "caf\u00e9\u200b", "\u200bcaf\u00e9"], ids=["nfd", "zwsp", "zwsp-lead"]
)
def test_look_alike_case_ids_are_normalised_and_caught_as_duplicates(twin):
    frame = pd.DataFrame({"case_id": ["caf\u00e9", twin], "source_id": ["s", "s"]})
    report = casestats.validate(frame, sources=SOURCES)
    duplicate = report.problems.query("code == 'duplicate_case_id'")
    assert duplicate["row"].tolist() == [2]


def test_a_cyrillic_homoglyph_in_a_case_id_is_a_warning():
    frame = pd.DataFrame({"case_id": ["ax", "\u0430x"], "source_id": ["s", "s"]})
    report = casestats.validate(frame, sources=SOURCES)
    warning = report.problems.query("code == 'confusable_id'")
    assert warning[["severity", "row"]].values.tolist() == [["warning", 2]]
    assert "confusable_id" in PROBLEM_CODES


def test_a_no_break_space_in_source_id_matches_in_cases_and_sources():
    frame = pd.DataFrame({"case_id": ["1"], "source_id": ["smith\u00a02020"]})
    sources = pd.DataFrame({"source_id": ["smith\u00a02020 "]})
    report = casestats.validate(frame, sources=sources)
    assert "unknown_source" not in set(report.problems["code"])


def test_look_alike_case_ids_among_many_are_each_reported_against_the_first():
    # ASCII ids take a shortcut (no call per id): case and homoglyphs must still be caught
    ids = [f"p{i}" for i in range(50)] + ["P7", "\u0440\u0031\u0030", "p7", "Ab", "aB"]
    frame = pd.DataFrame({"case_id": ids, "source_id": ["s"] * len(ids)})
    report = casestats.validate(frame, sources=SOURCES)
    problems = report.problems.set_index("row")
    warned = problems.query("code == 'confusable_id'")
    assert warned.index.tolist() == [51, 52, 55]  # a frame's first row is row 1
    assert warned["hint"].tolist() == [
        "looks like 'p7' in row 8",
        "looks like 'p10' in row 11",
        "looks like 'Ab' in row 54",
    ]
    assert problems.query("code == 'duplicate_case_id'").index.tolist() == [53]
