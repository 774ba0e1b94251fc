"""Case sheets as clinicians type them (issue 13): one round of validation clears them."""

import pandas as pd
import pytest

import casestats
from casestats.io import read_raw
from casestats.schema import Schema, load_schema
from casestats.schema._match import close_term, split_side
from casestats.validation import _Checker

SOURCES = pd.DataFrame({"source_id": ["clinic"]})

# Ten patients typed the way a clinic spreadsheet is typed: sides as words,
# commas between items, units inside numbers, blanks, and a few real mistakes.
TYPED = pd.DataFrame(
    {
        "case_id": [f"p{i}" for i in range(1, 11)],
        "source_id": ["clinic"] * 10,
        "age_years": [
            "45 y", "12 days", "3 mo", "62", "45-year-old", "7", "about 50", "2 years 6 months",
            "0.5", "30",
        ],  # fmt: skip
        "sex": ["F", "M", "male", "female", "F", "girl", "M", "F", "M", "F"],
        "conditions": [
            "SLE, Raynaud's",
            "cystic fibrosis; meconium ileus; hypocalcemia",
            "prematurity",
            "systemic sclerosis",
            "acute renal failure",
            "juvenile dermatomyosits",
            "chronic renal failure, kidney transplant",
            "",
            "hypocalcemia",
            "acne; lupus nephritis; hypercalcemia",
        ],
        "ssc_subset": ["", "", "", "limited", "", "", "", "", "", ""],
        "autoantibodies": ["ANA+, anti-Sm+, anti-RNP+", "", "", "ACA+", "", "NXP2+"] + [""] * 4,
        "sites": [
            "L elbow",
            "both hands",
            "elbow, left",
            "R foot; R index finger",
            "Lt knee, bilateral elbows",
            "right thumb; left elbow",
            "R fot",
            "oral mucosa; gum",
            "heel (left)",
            "medial canthus (right)",
        ],
        "treatments": [
            "prednisone, cyclophosphamide, HCQ",
            "stop calcium",
            "",
            "diltiazem",
            "",
            "MTX, IVIG",
            "teriparatide",
            "",
            "",
            "",
        ],
        "largest_size_mm": ["5 cm", "", "12 mm", "", "", "2 x 3 cm", "", "", "", ""],
    }
)


@pytest.fixture(scope="module")
def report():
    return casestats.validate(TYPED, sources=SOURCES)


def _problems(report, severity):
    frame = report.problems
    return frame[frame["severity"] == severity]


def test_one_round_lists_every_remaining_problem_and_nothing_else(report):
    errors = _problems(report, "error")
    found = sorted(zip(errors["row"], errors["column"], errors["hint"], strict=True))
    assert found == [
        (2, "conditions", "'hypocalcemia': did you mean 'neonatal_hypocalcaemia'? "
                          "(the patient is under 1 year)"),
        (6, "conditions", "'juvenile dermatomyosits': did you mean 'juvenile_dermatomyositis'?"),
        (6, "largest_size_mm", "write the largest diameter in mm: 30"),
        (7, "age_years", "write 50, and keep 'about 50' in notes"),
        (7, "sites", "'R fot': did you mean 'foot (right)'?"),
        (9, "conditions", "'hypocalcemia': did you mean 'neonatal_hypocalcaemia'? "
                           "(the patient is under 1 year)"),
        # calcium only: hypercalcaemia says nothing of phosphate or PTH
        (10, "conditions", "'hypercalcemia': 'hypercalcemia' is 'high' in calcium_status: "
                           "write it there"),
        (10, "conditions", "'lupus nephritis': no close term: put the text in notes "
                           "(or propose a schema term)"),
    ]  # fmt: skip
    assert _problems(report, "warning").empty


def test_every_normalisation_is_a_note(report):
    notes = _problems(report, "info").set_index(["row", "column"])["hint"]
    assert notes[1, "sites"] == "read as 'elbow (left)' (side written as words)"
    assert notes[2, "sites"] == "read as 'hand (bilateral)' (side written as words)"
    assert notes[3, "sites"] == "read as 'elbow (left)' (side written as words)"
    assert notes[5, "sites"] == (
        "read as 'knee (left); elbow (bilateral)' "
        "(side written as words, commas read as semicolons)"
    )
    assert notes[1, "treatments"] == (
        "read as 'corticosteroid; cyclophosphamide; hydroxychloroquine' "
        "(synonym, commas read as semicolons)"
    )
    assert notes[1, "autoantibodies"].startswith("read as 'ana+; anti_sm+; anti_u1rnp+'")
    assert notes[5, "conditions"] == "read as 'acute_kidney_injury' (synonym)"
    assert notes[1, "age_years"] == "read as '45' (y converted to years)"
    assert notes[5, "age_years"] == "read as '45' (year converted to years)"
    assert notes[8, "age_years"] == "read as '2.5' (years and months converted to years)"
    assert notes[1, "largest_size_mm"] == "read as '50' (cm converted to mm)"
    assert notes[3, "largest_size_mm"] == "read as '12' (unit mm dropped)"


def test_ssc_subset_inferred_only_where_conditions_are_known(report):
    inferred = report.problems[report.problems["code"] == "inferred"]
    assert inferred[["row", "column", "value"]].values.tolist() == [[1, "ssc_subset", ""]]
    assert inferred["hint"].iloc[0].startswith("read as 'not_applicable'")


def test_the_corrected_sheet_loads_with_the_inferred_subset():
    fixed = TYPED.copy()
    fixed.loc[1, "conditions"] = "cystic fibrosis; meconium ileus; neonatal hypocalcemia"
    fixed.loc[5, "conditions"] = "juvenile dermatomyositis"
    fixed.loc[5, "largest_size_mm"] = "30"
    fixed.loc[6, "age_years"] = "50"
    fixed.loc[6, "sites"] = "R foot"
    fixed.loc[8, "conditions"] = "neonatal hypocalcaemia"
    fixed.loc[9, "conditions"] = "acne"
    cases = casestats.read_cases(fixed, sources=SOURCES)
    subset = cases.data.set_index("case_id")["ssc_subset"]
    # conditions given without SSc -> not_applicable; SSc given -> as typed; blank stays blank
    assert subset["p1"] == subset["p10"] == "not_applicable"
    assert subset["p4"] == "limited"
    assert subset["p8"] == ""
    assert cases.data.set_index("case_id").loc["p2", "conditions"] == (
        "cystic_fibrosis; meconium_ileus; neonatal_hypocalcaemia"
    )


@pytest.mark.parametrize(
    ("typed", "site", "side"),
    [
        ("L elbow", "elbow", "left"),
        ("left elbow", "elbow", "left"),
        ("R index finger", "index finger", "right"),
        ("right thumb", "thumb", "right"),
        ("both hands", "hands", "bilateral"),
        ("bilateral elbows", "elbows", "bilateral"),
        ("elbow, left", "elbow", "left"),
        ("Lt knee", "knee", "left"),
        ("knee bilateral", "knee", "bilateral"),
        ("left and right elbow", "elbow", "bilateral"),
        ("elbow", "elbow", None),
    ],
)
def test_sides_written_as_words(typed, site, side):
    assert split_side(load_schema(), typed) == (site, side)


def test_two_different_sides_for_one_site_are_an_error():
    report = casestats.validate(
        pd.DataFrame({"case_id": ["1"], "source_id": ["clinic"], "sites": ["L elbow (right)"]}),
        sources=SOURCES,
    )
    error = report.problems[report.problems["severity"] == "error"].iloc[0]
    assert "two sides (left, right)" in error["hint"]


# (vocabulary, typed, the term a suggestion may name, or None: no suggestion). Pairs
# both ways: acute/chronic, hypo/hyper each find their own term and never the other.
NEAR_MISSES = [
    # true typos still find their term
    ("condition", "dermatomyosits", "dermatomyositis"),
    ("condition", "polymyosistis", "polymyositis"),
    ("condition", "type 1 diabetis", "diabetes_mellitus"),
    ("condition", "chronic renal failur", "chronic_kidney_disease"),
    ("condition", "acute renal failur", "acute_kidney_injury"),
    ("condition", "hyperparathyroidsm", "hyperparathyroidism"),
    ("condition", "hypothyroidsm", "hypothyroidism"),
    ("condition", "sjogrens syndrome", "sjogren_syndrome"),
    ("subtype", "calciphylaxsis", "calciphylaxis"),
    ("site", "olecrannon", "elbow"),
    ("site", "elbw", "elbow"),
    ("ssc_subset", "limted", "limited"),
    ("treatment", "cyclophosphamid", "cyclophosphamide"),
    # a different disease, a different word or an opposite prefix is never suggested
    ("condition", "acute kidney disease", None),
    ("condition", "chronic kidney injury disease", None),
    ("condition", "hypoparathyroidism", None),
    ("condition", "hyperthyroidism", None),
    ("condition", "hypotension", None),
    ("condition", "diabetes insipidus", None),
    ("condition", "lupus nephritis", None),
    ("condition", "injection", None),
    ("condition", "discoid lupus", None),
    ("site", "skin", None),
    ("site", "molar", None),
]


@pytest.mark.parametrize(("vocabulary", "typed", "term"), NEAR_MISSES)
def test_suggestions_are_clinically_honest(vocabulary, typed, term):
    assert close_term(load_schema(), vocabulary, typed) == term


def test_commas_separate_items_only_where_no_term_holds_one():
    schema = Schema()
    schema._add("treatment", "calcium, oral", "calcium, oral", "")  # a term with a comma
    frame = pd.DataFrame(
        {"case_id": ["1"], "source_id": ["clinic"], "treatments": ["diltiazem, colchicine"]}
    )
    report, _ = _Checker(read_raw(frame, sources=SOURCES), schema).run()
    error = report.problems[report.problems["severity"] == "error"].iloc[0]
    assert error["hint"].endswith("separate items with semicolons: 'diltiazem; colchicine'")
    # with the bundled schema (no term holds a comma) the same cell reads as two items
    assert casestats.validate(frame, sources=SOURCES).ok


def test_new_terms_carry_their_codes():
    vocab = load_schema().vocabularies.set_index("term")
    assert vocab.loc["acute_kidney_injury", "code"] == "N17"
    assert vocab.loc["kidney_transplant", "code"] == "Z94.0"
    assert vocab.loc["cystic_fibrosis", "code"] == "E84"
    assert vocab.loc["acne", "code"] == "L70"
    schema = load_schema()
    assert schema.lineage("gingiva") == {"site": "gingiva", "region": "face", "limb": "head_neck"}
    assert schema.lineage("iliac_crest")["region"] == "hip"
    assert schema.canonical("site", "pretibial") == "pretibial"
    assert schema.version == "1.3.3"


def test_schema_1_3_terms_carry_their_codes_and_settings():
    vocab = load_schema().vocabularies.set_index("term")
    assert vocab.loc["sarcoidosis", "code"] == "D86"  # ICD-10 D86 Sarcoidosis
    for term in ("vaccination", "dermal_filler", "prior_radiotherapy", "drug_extravasation"):
        assert load_schema().canonical("condition", term) == term
    assert load_schema().canonical("condition", "Radiesse") == "dermal_filler"


def test_a_calcium_word_is_not_read_as_a_phosphate_status():
    # each lab field has its own vocabulary: "hypocalcaemia" is low calcium, never low phosphate
    sources = pd.DataFrame({"source_id": ["s"], "kind": ["own_patients"]})
    frame = pd.DataFrame({"case_id": ["a"], "source_id": ["s"], "calcium_status": ["hypocalcemia"],
                          "phosphate_status": ["hypocalcemia"], "pth_status": ["elevated"]})
    problems = casestats.validate(frame, sources=sources).problems.set_index("column")
    assert problems.loc["calcium_status", "severity"] == "info"
    assert problems.loc["phosphate_status", "severity"] == "error"
    assert "calcium_status" in problems.loc["phosphate_status", "hint"]
    assert problems.loc["pth_status", "hint"] == "read as 'high' (synonym)"
