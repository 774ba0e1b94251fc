"""casestats.extract: draft records with evidence, from texts written for these tests."""

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import casestats
from casestats.cli import main
from casestats.extraction import extract
from casestats.results import TIDY_COLUMNS

HERE = Path(__file__).parent
TEXTS = HERE / "extract_texts"


def _row(text, case=0):
    return extract(text).records().iloc[case].to_dict()


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("An 87-year-old woman had nodules on the elbow.", "87", "female"),
        ("a 7-year-old girl with calcified papules", "7", "female"),
        ("This is a case of 55 years old lady with calcinosis.", "55", "female"),
        ("A 3-month-old infant had a calcified nodule; he was well.", "0.25", "male"),
        ("A man aged 64 years had calcinosis of the leg.", "64", "male"),
        ("A 93-year-old man had calcified plaques.", "90+", "male"),
        ("A55-year-old woman was admitted with ulcers.", "55", "female"),
        ("We report a case of 61 years-old-patient with nodules; he was well.", "61", "male"),
        # Spanish, Portuguese, Italian
        ("Varón de 45 años con nódulos calcificados en el muslo.", "45", "male"),
        ("Presentamos una niña de 7 años con calcinosis.", "7", "female"),
        ("Lactante de 3 meses con una placa calcificada en el talón.", "0.25", ""),
        ("Paciente do sexo feminino, 52 anos, com nódulos no cotovelo.", "52", "female"),
        ("Donna di 70 anni con noduli calcifici.", "70", "female"),
    ],
)
def test_age_and_sex_phrasings(text, age, sex):
    row = _row(text)
    assert (row["age_years"], row["sex"]) == (age, sex)


def test_evidence_span_quotes_the_source():
    text = "Her history included hypertension. A 50-year-old woman had nodules on her left knee."
    result = extract(text)
    frame = result.to_frame()
    assert list(frame.columns[: len(TIDY_COLUMNS)]) == list(TIDY_COLUMNS)
    found = frame[frame["status"] != "not_found"]
    assert len(found)
    for row in found.itertuples():
        assert text[int(row.start) : int(row.end)] == row.quote
    assert set(frame["status"]) <= set(casestats.extraction.STATUSES)


def test_negation_and_uncertainty_keep_values_out_of_the_record():
    text = (
        "A 40-year-old woman had calcified nodules on her right ankle. There was no diabetes "
        "and no Raynaud phenomenon. Dermatomyositis was suspected but not confirmed. "
        "Possible lupus was raised by the referring doctor."
    )
    result = extract(text)
    assert result.records().iloc[0]["conditions"] == ""
    statuses = {(e.value, e.status) for e in result.drafts[0].evidence if e.field == "conditions"}
    assert ("diabetes_mellitus", "negated") in statuses
    assert ("raynaud_phenomenon", "negated") in statuses
    assert ("systemic_lupus_erythematosus", "uncertain") in statuses
    assert ("dermatomyositis", "uncertain") in statuses


def test_laterality_only_where_the_text_gives_it():
    text = "A 60-year-old woman had calcified nodules on her left elbow and knees, and on a finger."
    assert _row(text)["sites"] == "elbow (left); knee (bilateral); finger"


def test_antibody_signs_forward_and_backward():
    text = (
        "A 45-year-old woman with SSc was positive for ANA and anti-centromere; "
        "anti-Scl-70 was negative. Calcified nodules were seen on her fingers."
    )
    assert _row(text)["autoantibodies"] == "ana+; aca+; anti_scl70-"


def test_labs_value_unit_and_status_from_the_range():
    text = (
        "A 30-year-old man had a calcified nodule on the chin. Serum calcium was 11.9 mg/dL "
        "(normal range 8.5-10.5 mg/dL); phosphate was within normal limits."
    )
    result = extract(text)
    row = result.records().iloc[0]
    assert (row["calcium_value"], row["calcium_unit"], row["calcium_status"]) == (
        "11.9",
        "mg/dL",
        "high",
    )
    assert row["phosphate_status"] == "normal"
    rule = next(e.rule for e in result.drafts[0].evidence if e.field == "calcium_status")
    assert "range" in rule


def test_lab_negated_is_not_a_status():
    row = _row("A 50-year-old woman had calcinosis of the hand. Calcium was not elevated.")
    assert row["calcium_status"] == ""


def test_subtype_stated_beats_inferred_and_inferred_is_marked():
    stated = _row("A 20-year-old man had idiopathic calcinosis cutis of the scrotum.")
    assert (stated["subtype"], stated["subtype_basis"]) == ("idiopathic", "stated")
    inferred = _row("A 50-year-old woman with dermatomyositis had calcified plaques on the thigh.")
    assert (inferred["subtype"], inferred["subtype_basis"]) == ("dystrophic", "inferred")
    nothing = _row("A 50-year-old woman had a calcified plaque on the thigh.")
    assert nothing["subtype"] == "" and nothing["subtype_basis"] == ""


def test_several_patients_give_one_draft_each():
    result = extract((TEXTS / "t07_siblings.txt").read_text(), source_id="sib")
    assert [d.case_id for d in result.drafts] == ["sib_1", "sib_2"]
    records = result.records()
    assert records["sex"].tolist() == ["male", "female"]
    assert records["conditions"].tolist() == ["tumoral_calcinosis"] * 2
    assert "patients=2" in repr(result)


def test_nothing_is_invented_from_an_empty_text():
    row = _row("Calcinosis cutis is a deposit of calcium salts in the skin.")
    assert set(row.values()) == {"", "draft_1", "draft"}


def test_bad_input_is_a_clear_error():
    with pytest.raises(TypeError, match="text must be a str"):
        extract(b"bytes")


def test_the_function_is_not_shadowed_by_its_package():
    import casestats.extraction._rules  # importing the package binds no public name

    assert casestats.extract("A 9-year-old boy.").drafts[0].record()["sex"] == "male"


def test_cli_writes_a_workbook_that_validates(tmp_path, capsys):
    out = tmp_path / "draft.xlsx"
    assert main(["extract", str(TEXTS / "t03_two_cases_ssc.txt"), "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert {"Cases", "Evidence", "Sources"} <= set(book.sheetnames)
    evidence = list(book["Evidence"].iter_rows(values_only=True))
    assert ("t03_two_cases_ssc_1", "autoantibodies", "aca+") == evidence[[
        r[1] == "autoantibodies" for r in evidence
    ].index(True)][:3]  # fmt: skip
    assert main(["validate", str(out)]) == 0
    assert "0 errors" in capsys.readouterr().out


def test_cli_rejects_a_missing_file(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "none.txt"), "--out", str(tmp_path / "d.xlsx")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_evaluation_on_the_hand_written_texts():
    # the expected records were written by hand from texts written for these tests
    out = subprocess.run(
        [sys.executable, str(HERE.parent / "benchmarks" / "extract_eval.py"), str(TEXTS),
         str(TEXTS / "expected.csv")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    total = next(line for line in out.stdout.splitlines() if line.startswith("ALL")).split()
    precision, recall = float(total[1]), float(total[2])
    assert precision >= 0.95 and recall >= 0.90


def test_an_introduction_is_not_the_patient():
    text = (
        "Calcinosis cutis is classified into dystrophic, metastatic, idiopathic and iatrogenic "
        "types [1]. It is usually seen in dermatomyositis and systemic sclerosis.\n"
        "A 33-year-old man had a calcified nodule on his right knee. Serum calcium was normal."
    )
    row = _row(text)
    assert (row["conditions"], row["subtype"], row["sites"]) == ("", "", "knee (right)")
    assert row["calcium_status"] == "normal"


def test_diffuse_alone_is_no_ssc_subset():
    text = (
        "A 52-year-old woman with systemic sclerosis had diffuse calcified nodules on her "
        "forearms. ANA was positive with a diffuse speckled pattern."
    )
    row = _row(text)
    assert row["ssc_subset"] == "" and row["autoantibodies"] == "ana+"
    assert _row("A 40-year-old woman had diffuse cutaneous systemic sclerosis and calcinosis "
                "of the elbow.")["ssc_subset"] == "diffuse"  # fmt: skip


def test_patients_in_running_text_and_in_one_sentence():
    inline = extract(
        "We describe two infants. Case 1. A 10-day-old boy had a calcified nodule on the right "
        "foot. Case 2. A 1-month-old girl had a calcified nodule on the left foot."
    ).records()
    assert inline["sites"].tolist() == ["foot (right)", "foot (left)"]
    listed = extract(
        "Three infants, a 2-week-old girl, a 4-week-old boy and a 3-week-old girl, had hard "
        "nodules after intravenous calcium gluconate. The nodules resolved in every case."
    ).records()
    assert listed["sex"].tolist() == ["female", "male", "female"]
    assert set(listed["conditions"]) == {"calcium_infusion"}
    assert set(listed["outcome"]) == {"resolved"}


def test_a_dialysate_calcium_is_not_the_serum_calcium():
    row = _row(
        "A 60-year-old man on peritoneal dialysis had calcified masses on both hips. The "
        "dialysate had a calcium concentration of 1.25 mmol/L and the Ca x P product was elevated."
    )
    assert (row["calcium_value"], row["calcium_status"]) == ("", "")
    assert (row["renal_function"], row["treatments"]) == ("dialysis", "")


def test_signs_and_statuses_that_qualify_the_next_words():
    row = _row(
        "A 41-year-old woman had calcified plaques on her left thigh. Tests showed a positive "
        "speckled ANA and positive anti-dsDNA antibodies, with normal serum calcium and "
        "phosphorus levels and an elevated sedimentation rate."
    )
    assert row["autoantibodies"] == "ana+; anti_dsdna+"
    assert (row["calcium_status"], row["phosphate_status"]) == ("normal", "normal")
    assert row["subtype"] == ""  # nothing raised: no metastatic inference


def test_history_is_not_an_outcome_and_literature_is_not_the_patient():
    row = _row(
        "A 9-year-old boy had hard papules on his right elbow that had enlarged over two years. "
        "Such lesions have been associated with calcium gluconate and with trauma."
    )
    assert (row["outcome"], row["conditions"]) == ("", "")


def test_citation_numbers_end_a_sentence_and_the_title_names_the_case():
    text = (
        "Dystrophic calcinosis in a 30-year-old man\n\n"
        "Calcinosis is common in dermatomyositis.2 It is rare in lupus.3 We describe a "
        "30-year-old man who had calcified nodules on the left forearm. Serum calcium was 9.1 "
        "mg/dL."
    )
    row = _row(text)
    assert (row["conditions"], row["subtype"], row["subtype_basis"]) == ("", "dystrophic", "stated")
    assert row["calcium_value"] == "9.1"


def test_a_son_and_a_daughter_one_word_statuses_and_a_side_given_once():
    result = extract(
        "Tumoral calcinosis was found in two siblings. The 14-year-old son had a calcified mass "
        "on his painful left elbow; later the elbow mass grew. The 16-year-old daughter had a "
        "mass on the right hip. Both patients had hyperphosphatemia and were normocalcemic."
    ).records()
    assert result["sex"].tolist() == ["male", "female"]
    assert result["sites"].tolist() == ["elbow (left)", "hip (right)"]
    assert set(result["phosphate_status"]) == {"high"} and set(result["calcium_status"]) == {
        "normal"
    }


def test_a_second_name_shares_the_context_of_the_first():
    row = _row(
        "A 56-year-old woman with Sjogren syndrome had calcified papules on the fingers. She was "
        "monitored for signs of CREST syndrome - a form of limited cutaneous systemic sclerosis."
    )
    # watched for SSc: the subset is not known, not "not applicable"
    assert (row["conditions"], row["ssc_subset"]) == ("sjogren_syndrome", "")


def test_both_hands_is_not_both_patients():
    records = extract(
        "Case 1\nA 61-year-old woman with systemic sclerosis had calcified nodules on the "
        "fingertips of both hands.\n\nCase 2\nA 3-month-old girl had a chalky nodule on her left "
        "heel."
    ).records()
    assert records["conditions"].tolist() == ["systemic_sclerosis", ""]


def test_a_drug_for_another_disease_is_not_a_treatment_of_the_calcinosis():
    text = (
        "A 70-year-old man had calcified nodules on the scrotum. He had a history of hypertension, "
        "for which he took amlodipine. The nodules were surgically removed."
    )
    row = _row(text)
    assert row["treatments"] == "surgical_excision"
    evidence = extract(text).to_frame()
    drug = evidence[evidence["quote"] == "amlodipine"]
    assert drug["status"].tolist() == ["uncertain"]
    # the same drug in a sentence about the lesions stays
    assert _row("A 60-year-old woman with systemic sclerosis was given diltiazem for her "
                "calcified nodules.")["treatments"] == "diltiazem"  # fmt: skip


def test_hypocalcaemia_treated_with_calcium_is_history_not_a_status():
    row = _row("A 2-week-old boy was given calcium gluconate to manage hypocalcaemia; a hard "
               "nodule then formed on his left foot.")  # fmt: skip
    assert row["calcium_status"] == ""
    assert "neonatal_hypocalcaemia" in row["conditions"]
    assert (
        _row("A 40-year-old woman had hypocalcaemia and calcified plaques on the legs.")[
            "calcium_status"
        ]
        == "low"
    )


def test_a_whole_named_beside_its_part_is_reported_at_the_part():
    text = ("Calcinosis of the face\n\nA 30-year-old woman had calcified plaques over both "
            "preauricular areas.")  # fmt: skip
    assert _row(text)["sites"] == "preauricular (bilateral)"
    # named in one sentence, both stay
    both = _row("A 30-year-old woman had calcified plaques on the face, and years after that a "
                "chalky nodule on the left ear.")  # fmt: skip
    assert both["sites"] == "face; ear (left)"


def test_multiple_sites_on_one_side_are_not_generalized():
    row = _row("A 9-year-old boy had calcified papules at multiple sites on the right side of "
               "his body, on the right arm and the right knee.")  # fmt: skip
    assert row["sites"] == "arm (right); knee (right)"


def test_no_recurrence_after_treatment_is_resolved_and_history_is_no_outcome():
    row = _row(
        "A 35-year-old man had calcified nodules on the scrotum. In the past 4 years the "
        "nodules had enlarged. They were excised, with no recurrence after one year."
    )
    assert (row["treatments"], row["outcome"]) == ("surgical_excision", "resolved")
    evidence = extract("A 35-year-old man had calcified nodules. There was no recurrence.")
    assert evidence.records().iloc[0]["outcome"] == ""  # no treatment: nothing to resolve


def test_no_ssc_named_means_the_subset_does_not_apply():
    row = _row("A 20-year-old man had idiopathic calcinosis cutis of the scrotum.")
    assert row["ssc_subset"] == "not_applicable"
    assert _row("A 20-year-old man had calcified nodules.")["ssc_subset"] == ""


def test_a_status_before_a_list_of_analytes():
    row = _row(
        "A 50-year-old woman had calcified nodules on the thighs. Tests showed normal "
        "serum levels of parathyroid hormone, calcium, phosphate and creatinine."
    )
    assert [row[f] for f in ("pth_status", "calcium_status", "phosphate_status",
                             "renal_function")] == ["normal"] * 4  # fmt: skip
    row = _row("A 50-year-old woman had calcified nodules. Blood work showed normal electrolytes "
               "including calcium and phosphate.")  # fmt: skip
    assert (row["calcium_status"], row["phosphate_status"], row["renal_function"]) == (
        "normal", "normal", "")  # fmt: skip


def test_treatments_phrased_as_verbs():
    row = _row("A 3-week-old girl had a hard swelling on her right foot after a calcium infusion. "
               "The infusion was stopped and she was managed conservatively.")  # fmt: skip
    assert row["treatments"] == "stop_calcium"  # observation beside it is the course after
    assert _row("A 45-year-old man had calcified nodules; calcification was observed on the "
                "radiograph.")["treatments"] == ""  # fmt: skip


def test_the_case_section_after_an_introduction_and_a_legend_under_a_figure_line():
    text = (
        "Abstract\nWe describe a 44-year-old woman with dermatomyositis.\n\n"
        "Introduction\nCalcinosis is classified into four types [1].\n\n"
        "Case\nA 44-year-old woman had painful calcified nodules over both hips.\n\n"
        "Figure 1\n\nCalcified deposits on the left thigh (A).\n\n"
        "Tests showed normal serum levels of calcium and phosphate."
    )
    row = _row(text)
    assert row["sites"] == "hip (bilateral); thigh (left)"
    assert (row["calcium_status"], row["phosphate_status"]) == ("normal", "normal")


def test_evaluation_matches_patients_by_age_and_sex_and_counts_extra_ones(tmp_path):
    sys.path.insert(0, str(HERE.parent / "benchmarks"))
    try:
        import extract_eval
    finally:
        sys.path.pop(0)
    (tmp_path / "src1.txt").write_text(
        "Case 1\nA 61-year-old woman had calcified nodules on her left elbow.\n\n"
        "Case 2\nA 30-year-old man had calcified nodules on the scrotum.\n\n"
        "Case 3\nA 50-year-old man had calcified nodules on the right knee.\n",
        encoding="utf-8",
    )
    expected = tmp_path / "cases.csv"
    expected.write_text(  # the curator listed the man first, and only two patients
        "case_id,source_id,age_years,sex,sites,notes\n"
        "src1_2,src1,30,male,scrotum,free text\n"
        "src1_1,src1,61,female,elbow (right),\n"
        "other_1,other,40,female,knee,\n",
        encoding="utf-8",
    )
    counts, disagreements, skipped = extract_eval.score(tmp_path, expected)
    assert skipped == ["other"]
    assert counts["age_years"]["tp"] == 2 and counts["sites"]["tp"] == 1
    kinds = {(d[2], d[-1]) for d in disagreements}
    assert ("sites", "wrong") in kinds  # elbow (left) against the curator's elbow (right)
    assert ("patients", "patient count") in kinds
    assert ("age_years", "extra patient") in kinds  # the third draft: nobody to match
    assert counts["age_years"]["fp"] == 1


def test_a_lesion_forming_and_a_deceased_donor_are_no_outcomes():
    row = _row(
        "A 50-year-old woman had a red patch on the left arm that progressed to a calcified "
        "plaque. Years before she had received a deceased donor kidney."
    )
    assert row["outcome"] == ""


def test_a_drug_given_for_something_else_and_an_outcome_phrased_as_a_verb():
    row = _row(
        "A 66-year-old man had calcified ulcers on both legs. He was on warfarin for pulmonary "
        "embolism. The ulcers healed completely."
    )
    assert (row["treatments"], row["outcome"]) == ("", "resolved")
    row = _row(
        "A 66-year-old man had calcified ulcers on both legs, treated with sodium thiosulfate for "
        "six months. Partial healing was seen."
    )
    assert (row["treatments"], row["outcome"]) == ("sodium_thiosulfate", "improved")


def test_no_significant_abnormalities_in_a_list_of_analytes_is_normal():
    row = _row(
        "A 61-year-old woman had a calcified plaque on the forearm. Tests showed no significant "
        "abnormalities including serum calcium and phosphate."
    )
    assert (row["calcium_status"], row["phosphate_status"]) == ("normal", "normal")


def test_the_patient_in_a_general_sentence_is_not_the_patient():
    row = _row(
        "A 47-year-old woman had calciphylaxis of the legs.\n\nUlceration is associated with "
        "infection and the death of the patient [3]."
    )
    assert (row["outcome"], row["conditions"]) == ("", "")


def test_the_back_of_the_neck_is_the_neck():
    row = _row("A 2-year-old boy had calcified plaques on the back of the neck.")
    assert row["sites"] == "neck"


def test_clearance_excretion_and_a_status_of_the_next_analyte_are_not_levels():
    row = _row(
        "A 54-year-old woman had calcified masses around the hips. Serum calcium and parathyroid "
        "hormone were normal, with low phosphate clearance."
    )
    assert (row["calcium_status"], row["pth_status"], row["phosphate_status"]) == (
        "normal",
        "normal",
        "",
    )


def test_a_status_before_analytes_listed_with_commas():
    row = _row(
        "A 16-year-old girl had widespread calcified deposits. Tests showed normal calcium, "
        "phosphate, and parathyroid hormone levels."
    )
    assert [row[f] for f in ("calcium_status", "phosphate_status", "pth_status")] == ["normal"] * 3


def test_most_lesions_gone_is_improved_and_worsening_of_another_disease_is_no_outcome():
    row = _row(
        "A 25-year-old man on dialysis had calcified masses on both hips, treated with sevelamer. "
        "Despite worsening of his anaemia, the majority of the masses had disappeared."
    )
    assert row["outcome"] == "improved"


def test_a_regimen_for_other_reasons_and_surgery_as_a_setting_are_not_treatments():
    row = _row(
        "A 41-year-old man developed calcified papules on the right arm after he received calcium "
        "chloride after surgery. His immunosuppression consisted of prednisolone and tacrolimus."
    )
    assert row["treatments"] == ""


def test_stopping_the_causative_drug_and_a_negated_list_after_such_as():
    row = _row(
        "A 33-year-old woman had calcified nodules at the sites of nadroparin injections. We "
        "excluded other causes such as hyperparathyroidism and renal failure. The nodules resolved "
        "after stopping the nadroparin injections."
    )
    assert row["treatments"] == "stop_causative_agent"
    assert "hyperparathyroidism" not in row["conditions"]
    assert row["renal_function"] == ""


def test_a_range_in_parentheses_signs_past_a_titre_and_creatinine_in_words():
    row = _row(
        "A 74-year-old man had calcified nodules at heparin injection sites. His Ca was 7.9 mg/dL "
        "(8.9-10.5 mg/dL). He was positive for anti-Sm antibodies (133 U/mL; < 7 U/mL) and "
        "anti-RNP antibodies. His creatinine levels were within normal limits."
    )
    assert (row["calcium_value"], row["calcium_status"]) == ("7.9", "low")
    assert row["autoantibodies"] == "anti_sm+; anti_u1rnp+"
    assert row["renal_function"] == "normal"
    # a creatinine value is left to the curator, even beside a normal range
    row = _row(
        "A 60-year-old man had calcified plaques. Creatinine was 5.4 mg/dL (normal 0.6-1.2)."
    )
    assert row["renal_function"] == ""


def test_a_subtype_named_through_an_abbreviation_the_text_defines():
    text = (
        "Idiopathic calcinosis cutis of the penis (ICCP) is rare [1].\n\n"
        "We report a case of ICCP in a 45-year-old man with calcified papules on the penis."
    )
    row = _row(text)
    assert (row["subtype"], row["subtype_basis"]) == ("idiopathic", "stated")
    evidence = extract(text).to_frame()
    assert "ICCP is defined as" in evidence.loc[evidence["quote"] == "ICCP", "rule"].iloc[0]
    # an abbreviation nobody defined means nothing
    assert _row("We report a case of ICCP in a 45-year-old man.")["subtype"] == ""


def test_a_general_value_beside_a_specific_one_is_dropped():
    row = _row((TEXTS / "t19_general_beside_specific.txt").read_text())
    # chronic renal failure -> end-stage disease, hyperparathyroidism -> secondary
    assert row["conditions"] == (
        "end_stage_kidney_disease; hyperparathyroidism_secondary; tumoral_calcinosis"
    )
    # "multiple sites" and "periarticular" beside named sites add nothing
    assert row["sites"] == "elbow (bilateral); hip (left)"
    # alone, the general value stays
    assert _row("A 60-year-old man had calcified nodules at multiple sites.")["sites"] == (
        "generalized"
    )


def test_dead_tissue_in_a_biopsy_is_not_a_death():
    row = _row("A 40-year-old woman had a calcified nodule on the left thigh. It was excised, and "
               "histology showed dead bone fragments within dense collagen.")  # fmt: skip
    assert row["outcome"] == ""
    assert _row("A 70-year-old man had calcified ulcers on both legs. He was dead within a "
                "month.")["outcome"] == "died"  # fmt: skip


def test_warfarin_in_calciphylaxis_affiliations_imaged_regions_and_products():
    row = _row((TEXTS / "t20_calciphylaxis_on_warfarin.txt").read_text())
    # CKD on dialysis is end-stage; "Diabetes" in the affiliation line and in a negative
    # screen is not the patient's
    assert row["conditions"] == "end_stage_kidney_disease; atrial_fibrillation"
    # warfarin caused the calciphylaxis; it did not treat it
    assert row["treatments"] == "sodium_thiosulfate; cinacalcet; phosphate_binder"
    # the spared abdomen and the regions a CT scan looked at are not lesion sites
    assert row["sites"] == "thigh (bilateral)"
    # a calcium-phosphorus product is not phosphate; "back to normal" is after treatment
    assert (row["calcium_status"], row["phosphate_status"]) == ("", "")
    # warfarin stays a treatment outside calciphylaxis (low-dose warfarin for calcinosis)
    assert _row("A 50-year-old woman with dermatomyositis had calcinosis of both elbows. She "
                "was treated with low-dose warfarin.")["treatments"] == "warfarin"  # fmt: skip


def test_a_title_names_a_condition_and_the_patient_did_what_a_general_clause_follows():
    text = ("Tumoral calcinosis: a report of one girl\n"
            "A 12-year-old girl had a calcified mass over the left hip. The patient was treated "
            "with surgical excision, which is the usual way to prevent recurrence.")  # fmt: skip
    row = _row(text)
    assert (row["conditions"], row["treatments"]) == ("tumoral_calcinosis", "surgical_excision")
    assert row["outcome"] == ""  # preventing recurrence is no outcome
    # a label opening a later line of an abstract is still no treatment
    assert _row("Calcinosis in a boy\nObservation: A 9-year-old boy had calcified papules on the "
                "knees.")["treatments"] == ""  # fmt: skip


def test_an_organs_disease_or_function_and_the_aim_of_a_report_are_not_the_case():
    row = _row("A 70-year-old woman with breast carcinoma and axillary lymphadenopathy had "
               "calcified plaques on the left thigh with reduced hip motion.")  # fmt: skip
    assert row["sites"] == "thigh (left)"
    row = _row("The aim of this case report is to show how calciphylaxis occurs in patients with "
               "hemodialysis dependence. A 64-year-old man had calcified ulcers on the legs.")
    assert row["renal_function"] == ""


def test_a_title_ending_with_a_full_stop_and_results_that_revealed():
    text = ("Uraemic tumoral calcinosis of the shoulder. J Imag Cases 2020;1:1-2.\n"
            "A 51-year-old man had a hard mass over the right shoulder. The histology results "
            "revealed calcium deposits.")  # fmt: skip
    assert _row(text)["conditions"] == "tumoral_calcinosis"
    # a general first sentence is no title
    text = ("Tumoral calcinosis is a rare disease of the joints. A 51-year-old man had a hard "
            "mass over the right shoulder.")  # fmt: skip
    assert _row(text)["conditions"] == ""
    assert _row("A 30-year-old woman had a nodule on her left knee. The biopsy results "
                "revealed dermatomyositis.")["conditions"] == "dermatomyositis"  # fmt: skip


def test_two_case_reports_in_an_abstract_and_a_statement_about_some_of_the_patients():
    text = ("We describe two case reports of calciphylaxis. Case one is a 70-year-old woman with "
            "painful ulcers on both thighs. Case two is a 48-year-old man with necrotic plaques "
            "on the abdomen, who died of sepsis.")  # fmt: skip
    rows = extract(text).records()
    assert list(rows["age_years"]) == ["70", "48"]
    assert list(rows["outcome"]) == ["", "died"]
    text = ("We saw three women with systemic sclerosis and calcinosis of the fingers. Two were "
            "anti-Scl70 positive.")  # fmt: skip
    assert _row(text)["autoantibodies"] == ""


def test_a_regimen_a_planned_operation_and_monitoring_of_a_level_are_no_treatments():
    row = _row("A 45-year-old woman with lymphoma had calcified plaques on both thighs. She was "
               "started on chemotherapy with rituximab and cyclophosphamide. Her current "
               "medications were amlodipine and omeprazole.")  # fmt: skip
    assert row["treatments"] == "chemotherapy"
    row = _row("A 60-year-old man had a calcified mass of the left knee. Surgery was strongly "
               "recommended. His heel was pricked for the monitoring of bilirubin.")  # fmt: skip
    assert row["treatments"] == ""
    # what a patient was admitted for did happen
    row = _row("A 60-year-old woman on haemodialysis was admitted for calciphylaxis of both "
               "thighs. She underwent the planned excision and the nodule resolved.")  # fmt: skip
    assert (row["subtype"], row["sites"]) == ("calciphylaxis", "thigh (bilateral)")
    assert (row["treatments"], row["outcome"]) == ("surgical_excision", "resolved")


def test_dialysis_means_end_stage_and_hypocalcaemia_in_the_neonatal_unit_is_neonatal():
    row = _row("A 66-year-old man on haemodialysis had calcified ulcers on both legs.")
    assert row["conditions"] == "end_stage_kidney_disease"
    row = _row("A 50-year-old woman with acute kidney injury needed haemodialysis and had "
               "calcified papules on the left arm.")  # fmt: skip
    assert row["conditions"] == "acute_kidney_injury"
    row = _row("In the NICU the baby girl had been treated for hypocalcemia with calcium "
               "gluconate through a cannula in the right hand. A hard mass formed there.")
    assert "neonatal_hypocalcaemia" in row["conditions"]
    row = _row("A 40-year-old man could not remember any trauma before a calcified nodule "
               "appeared on his right knee.")  # fmt: skip
    assert row["conditions"] == ""


def test_tumoral_calcinosis_in_kidney_failure_is_metastatic_and_named_idiopathic_forms():
    row = _row("A 47-year-old man on haemodialysis had tumoral calcinosis around the right hip.")
    assert (row["subtype"], row["subtype_basis"]) == ("metastatic", "inferred")
    # without kidney failure the authors must classify it
    assert _row("A 15-year-old girl had tumoral calcinosis around the left elbow.")["subtype"] == ""
    row = _row("A 35-year-old man had idiopathic scrotal calcinosis with many nodules.")
    assert (row["subtype"], row["subtype_basis"]) == ("idiopathic", "stated")


def test_the_course_of_a_symptom_is_not_an_outcome():
    row = _row("A 12-year-old boy had a tender calcified nodule on the right hand. Over two weeks "
               "the redness and inflammation had improved. He later had worsening nausea.")
    assert row["outcome"] == ""
    row = _row("A 12-year-old boy had a calcified nodule on the right hand. Under colchicine "
               "his pain eased and the lesion improved.")  # fmt: skip
    assert row["outcome"] == "improved"


def test_a_relapse_of_another_disease_is_no_recurrence():
    text = ("An 8-year-old boy had a calcified nodule on the left forearm after an infusion. "
            "A year later he had a relapse of leukaemia.")  # fmt: skip
    assert _row(text)["outcome"] == ""
    assert _row("An 8-year-old boy had a calcified nodule on the left forearm. It was excised, "
                "with a recurrence of the nodule a year later.")["outcome"] == "recurred"


def test_an_abstract_label_after_a_sentence_and_dialysis_with_normal_kidneys():
    row = _row("A 7-year-old girl had calcinosis of the knees. Observation: a raised CK.")
    assert row["treatments"] == ""
    row = _row("A 30-year-old man with tumoral calcinosis of the hip had normal kidney function. "
               "Hemodialysis was started to lower his phosphate.")  # fmt: skip
    assert "end_stage_kidney_disease" not in row["conditions"]


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        # what a patient was admitted for, or what a treatment was to prevent
        ("A 45-year-old woman had calcinosis of the fingers. To prevent recurrence, the nodules "
         "were surgically excised.", "treatments", "surgical_excision"),
        # a negative test of something else does not negate the disease before it
        ("A 40-year-old woman had dermatomyositis and her tuberculosis tests were negative. She "
         "had calcinosis of both elbows.", "conditions", "dermatomyositis"),
        # one department in a case sentence is no affiliation line
        ("A 62-year-old woman had painful ulcers on the thighs. A skin biopsy at the Department "
         "of Dermatology confirmed calciphylaxis.", "subtype", "calciphylaxis"),
        ("Department of Dermatology, University Hospital\nA 62-year-old woman with diabetes "
         "mellitus had calcified ulcers on the thighs.", "conditions", "diabetes_mellitus"),
        # a regimen's list ends at its clause
        ("A 52-year-old woman with lymphoma received chemotherapy with rituximab, and her "
         "calcinosis of the fingers was treated with diltiazem.", "treatments",
         "chemotherapy; diltiazem"),
        # the lesions improving beside a symptom is still an outcome
        ("A 50-year-old woman had calcinosis of the fingers. After six months of diltiazem the "
         "lesions improved and pain resolved.", "outcome", "improved"),
        ("A 50-year-old woman had calcinosis of the fingers. The nodules and pain improved.",
         "outcome", "improved"),
        # a recurrence of described lesions is a recurrence
        ("A 50-year-old woman had calcified nodules on the left knee, which were excised. A year "
         "later there was a recurrence of skin lesions.", "outcome", "recurred"),
        # prematurity or newborn screening does not date hypocalcaemia
        ("An 8-month-old boy with rickets had hypocalcaemia and calcified nodules on the heel. "
         "His newborn screening had been normal.", "conditions", ""),
        # dialysis for a poisoning is not kidney failure
        ("A 55-year-old man had calcified plaques on the legs. He had a history of lithium "
         "intoxication treated with haemodialysis; his kidney function was otherwise "
         "preserved.", "conditions", ""),
        # tumoral calcinosis in CKD stage 3 with normal phosphate: the authors must classify it
        ("A 45-year-old woman with stage 3 chronic kidney disease had tumoral calcinosis of the "
         "left hip. Serum phosphate was normal.", "subtype", ""),
        # an X-ray of the lesion's site names it; a scan of a cavity does not
        ("A 50-year-old woman with dermatomyositis. An X-ray of the right elbow showed "
         "extensive calcinosis.", "sites", "elbow (right)"),
        # an abstract heading is no treatment, on the first line too
        ("Observation: A 9-year-old boy had calcified papules on the knees.", "treatments", ""),
        # the literature's patients are not the patient
        ("A 60-year-old man had calciphylaxis of the thighs. The patients treated with sodium "
         "thiosulfate in published series are reported to improve.", "treatments", ""),
        # a spared region is no site
        ("A 41-year-old woman had calcified plaques on both thighs. The face was spared.",
         "sites", "thigh (bilateral)"),
    ],
)
def test_rules_do_not_overreach(text, field, expected):
    assert _row(text)[field] == expected


def test_two_case_reports_in_the_literature_are_not_two_patients():
    text = ("Only two case reports of calcinosis in Kindler syndrome have been published. A "
            "30-year-old woman with Kindler syndrome had calcified papules on the hands. Her "
            "58-year-old mother was healthy.")  # fmt: skip
    assert len(extract(text).records()) == 1
    # a case label with a number is no count of patients
    text = ("Case 1\nA 30-year-old woman had calcinosis of the fingers.\nCase 2\nA 40-year-old "
            "woman had calcinosis of the elbows. Patient 2 had systemic sclerosis.")  # fmt: skip
    assert _row(text, case=1)["conditions"] == "systemic_sclerosis"


def test_a_second_patient_in_running_text_is_a_draft_of_its_own():
    text = (TEXTS / "t21_second_patient.txt").read_text(encoding="utf-8")
    rows = extract(text).records()
    assert list(rows["age_years"]) == ["62", "48"]
    assert list(rows["conditions"]) == ["systemic_sclerosis", "dermatomyositis"]
    assert list(rows["sites"]) == ["index_finger (right)", "elbow (bilateral)"]


@pytest.mark.parametrize(
    "later",
    [
        "A second biopsy, taken two years later, showed calcium in the dermis.",
        "The second patient reported with this finding had dermatomyositis [4].",
    ],
)
def test_a_second_something_without_a_new_age_is_no_new_patient(later):
    text = f"A 62-year-old woman had calcified nodules on her right knee. {later} She was well."
    assert len(extract(text).drafts) == 1


def test_observation_beside_a_treatment_given_is_not_a_treatment():
    text = ("A 30-year-old man had a calcified nodule on his left thigh. Conservative management "
            "failed, and the nodule was surgically excised.")
    assert _row(text)["treatments"] == "surgical_excision"
    assert _row("A 30-year-old man had a calcified nodule on his left thigh. It was managed "
                "conservatively.")["treatments"] == "observation"  # fmt: skip


def test_sides_across_a_comma_and_lesions_named_as_necrosis():
    row = _row("A 58-year-old woman on dialysis presented with bilateral, very painful thigh "
               "lesions. Biopsy showed calciphylaxis.")  # fmt: skip
    assert row["sites"] == "thigh (bilateral)"
    row = _row("A 66-year-old woman had necrosis of the left calf. Later she developed a "
               "similar right calf necrosis, with worsening pain (calf and lower back). "
               "Biopsy confirmed calciphylaxis.")  # fmt: skip
    assert row["sites"] == "leg (bilateral)"  # the calf is the leg in the anatomy


def test_calcinosis_in_end_stage_kidney_disease_is_metastatic_unless_calciphylaxis_is_raised():
    row = _row("This 63 year old woman with chronic renal failure, on haemodialysis for six "
               "years, had hard calcified masses over both shoulders.")  # fmt: skip
    assert (row["subtype"], row["subtype_basis"]) == ("metastatic", "inferred")
    # a calciphylaxis the authors only suspect leaves the subtype to the curator
    row = _row("A 58-year-old man on haemodialysis had painful necrotic plaques of both thighs. "
               "Biopsy was suggestive of calciphylaxis.")  # fmt: skip
    assert (row["subtype"], row["subtype_basis"]) == ("", "")
    # an iatrogenic setting still wins over the kidneys
    row = _row("A 70-year-old woman on haemodialysis developed calcified plaques on her abdomen "
               "at the sites of nadroparin injections.")  # fmt: skip
    assert row["subtype"] == "iatrogenic"
    # ulcers with an eschar in kidney failure may be calciphylaxis the authors have not named
    row = _row("A 55-year-old woman on haemodialysis had painful ulcers with a central eschar on "
               "the right breast. Serum phosphate was 7.9 mg/dL (2.6-4.5 mg/dL).")  # fmt: skip
    assert (row["subtype"], row["phosphate_status"]) == ("", "high")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("soft tissue masses around the right shoulder and elbow",
         "shoulder (right); elbow (right)"),
        ("calcified masses on her left elbow and knees", "elbow (left); knee (bilateral)"),
        ("nodules on the right arm, the left thigh and knee",
         "arm (right); thigh (left); knee (left)"),
        ("multiple nodules bilaterally located on the dorsum of hands",
         "dorsum_of_hand (bilateral)"),
        # a negation holds for the whole list, however long
        ("calcified masses over his right elbow, not within the joints of the hands, hips, knees "
         "and elbows", "elbow (right)"),
    ],
)
def test_a_list_of_sites_shares_its_side_and_its_negation(text, expected):
    assert _row(f"A 60-year-old woman had {text}.")["sites"] == expected


@pytest.mark.parametrize(
    ("later", "outcome"),
    [
        ("She also had a fever that worsened in the evenings.", ""),
        ("She was admitted for symptoms of worsening leg swelling.", ""),
        ("She presented after a fall, with worsening lower extremity oedema.", ""),
        ("At follow-up she was well, with improvement in her symptoms.", "improved"),
        ("The papule appeared in childhood and slowly progressed in size.", ""),
        ("She received sodium thiosulfate. With her worsening general condition, she was moved "
         "to hospice care, where she expired.", "died"),
    ],
)
def test_the_course_of_the_patient_or_of_a_symptom_is_not_the_lesions(later, outcome):
    text = f"A 70-year-old woman had calcified plaques on her right thigh. {later}"
    assert _row(text)["outcome"] == outcome


@pytest.mark.parametrize(
    "later",
    [
        "She had hypertension and atrial fibrillation (on warfarin).",
        "Her history included chronic kidney disease and atrial fibrillation on apixaban and "
        "warfarin.",
        "It was recommended that she use methotrexate.",
        "She was given colchicine and, if the response was poor, oral mycophenolate mofetil "
        "and/or intravenous immunoglobulin.",
    ],
)
def test_a_drug_for_another_disease_or_only_proposed_is_no_treatment(later):
    text = f"A 66-year-old woman had calcified nodules on her right thigh. {later}"
    treatments = set(_row(text)["treatments"].split("; ")) - {""}
    assert treatments <= {"colchicine"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("calcified masses in the left hip, the upper extremity of the right leg and both "
         "shoulders", "hip (left); leg (right); shoulder (bilateral)"),
        ("a calcified mass over her left proximal thigh and a decreased range of motion of the "
         "left hip", "thigh (left)"),
        ("calcified lesions of the knees, with pruritus, dry mouth and dry eyes",
         "knee (bilateral)"),
    ],
)
def test_a_part_of_a_limb_and_a_symptom_of_a_region_are_not_sites(text, expected):
    assert _row(f"A 61-year-old woman had {text}.")["sites"] == expected


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        # plural limbs, spelling variants, a quiz's answer line
        ("A 60-year-old man had yellow calcified papules on his neck, axillae and periumbilical "
         "region.", "sites", "neck; axilla (bilateral); abdomen"),
        ("A 60-year-old man had calcified plaques on the lower extremities.", "sites",
         "lower_limb (bilateral)"),
        ("A 6-year-old girl with Down's syndrome had calcified papules on her hands.",
         "conditions", "down_syndrome"),
        ("Photo quiz\n\nNecrosis of the thighs\n\nDiagnosis: Calciphylaxis\n\nCalciphylaxis is "
         "a disorder of vascular calcification.", "subtype", "calciphylaxis"),
        # a long negated list, a typographic apostrophe, what treatments 'include'
        ("A 6-year-old girl had calcified nodules on both elbows. She had no complaints of "
         "joint pain, muscle weakness, skin rashes, Raynaud\u2019s phenomenon, dysphagia or "
         "lupus.", "conditions", ""),
        ("A 40-year-old woman with Raynaud\u2019s phenomenon had nodules on her fingers.",
         "conditions", "raynaud_phenomenon"),
        ("A 50-year-old woman with CREST had calcified nodules on her fingers. Agents used in "
         "the treatment of calcinosis include diltiazem and minocycline.", "treatments", ""),
        # citations ending sentences; drugs, tumours and labs that are not findings
        ("Calciphylaxis has been reported in association with dialysis.[3] A 60-year-old woman "
         "with rheumatoid arthritis had necrotic calcified plaques on both thighs.",
         "renal_function", ""),
        ("A 60-year-old woman had calcified plaques on both thighs. She had polymyalgia "
         "rheumatica requiring chronic prednisone.", "treatments", ""),
        ("A 13-year-old boy had a calcified nodule of the left ear, first diagnosed as a benign "
         "neoplasm.", "conditions", ""),
        ("A 60-year-old man had calcified plaques on both thighs, with hypercalcaemia. Two "
         "weeks later he had hypocalcaemia.", "calcium_status", ""),
        # a history in the present tense, a dose in brackets, 'the first case report'
        ("A 49-year-old man had painful discoloured skin of the penis. Prior medical history is "
         "notable for end-stage renal disease on hemodialysis, hypertension and a duodenal "
         "ulcer.", "conditions", "end_stage_kidney_disease; hypertension"),
        ("Our patient had CREST-related calcinosis of the fingers. Following 2 rituximab courses "
         "(375 mg/m(2) each), calcinosis significantly improved.", "treatments", "rituximab"),
        ("Calcinosis cutis is classified into four types. This is the first case report of "
         "idiopathic calcinosis cutis of the tarsus in a healthy woman.", "subtype",
         "idiopathic"),
    ],
)
def test_one_field_as_the_curators_of_real_reports_read_it(text, field, expected):
    assert _row(text)[field] == expected


def test_the_last_outcome_is_the_course_end_and_pain_is_not_the_lesions():
    text = ("A 50-year-old woman had calcified nodules on her right hand. With colchicine the "
            "nodules improved; at two years they had resolved completely.")
    assert _row(text)["outcome"] == "resolved"
    text = ("A 50-year-old woman had calcified nodules on her right hand. With colchicine the "
            "nodules improved and the pain resolved.")
    assert _row(text)["outcome"] == "improved"


@pytest.mark.parametrize(
    ("later", "field", "expected"),
    [
        ("After excision she was monitored for signs of CREST** syndrome – a form of limited "
         "cutaneous systemic sclerosis.", "conditions", ""),
        ("The nodule improved over time, with no specific treatment.", "treatments", "none"),
    ],
)
def test_monitoring_for_a_disease_and_no_specific_treatment(later, field, expected):
    assert _row(f"A 50-year-old woman had a calcified nodule on her left arm. {later}")[
        field] == expected  # fmt: skip


def test_patients_announced_without_a_part_each_share_what_holds_for_all():
    text = ("We describe three patients with dermatomyositis and widespread calcinosis. Their "
            "ages ranged from 9 to 41 years. One patient received intravenous immunoglobulin. "
            "All three patients had calcified plaques on both elbows.")
    rows = extract(text).records()
    assert len(rows) == 3
    assert set(rows["conditions"]) == {"dermatomyositis"}
    assert list(rows["treatments"]) == ["ivig", "", ""]  # one of them: which is for the curator
    text = ("A 9-year-old girl with dermatomyositis had calcified plaques on both elbows. Only "
            "three cases have been reported in children younger than ten.")
    assert len(extract(text).drafts) == 1


@pytest.mark.parametrize(
    ("later", "outcome"),
    [
        ("The nodules were excised; sparing the raphe improved the cosmetic result.", ""),
        ("Her mother said that the papules had improved in summer.", ""),
        ("Under colchicine some of the nodules disappeared.", "improved"),
    ],
)
def test_what_an_operation_improved_and_a_parents_account_are_no_outcome(later, outcome):
    text = f"A 12-year-old girl had calcified papules on her left hand. {later}"
    assert _row(text)["outcome"] == outcome


def test_a_site_only_one_sex_has_gives_the_sex():
    row = _row("Idiopathic scrotal calcinosis: a 45-year-old patient had hard scrotal nodules.")
    assert (row["sex"], row["sites"]) == ("male", "scrotum")
    assert _row("A 45-year-old patient had calcified nodules of the vulva.")["sex"] == "female"


def test_an_organs_ulcer_is_no_lesion_and_gangrene_may_be_calciphylaxis():
    row = _row("A 49-year-old man on hemodialysis had dry gangrene of the left foot and a "
               "duodenal ulcer. The glans penis was discoloured.")  # fmt: skip
    assert (row["sites"], row["subtype"]) == ("", "")


def test_an_abbreviation_the_text_defines_stands_for_its_term():
    text = ("A 50-year-old man had a calcified wound of the left shin. Topical sodium "
            "thiosulfate (TST) was planned. TST was applied daily and the wound healed "
            "completely. Of 48 patients in the literature, 19% had complete responses.")
    result = extract(text)
    row = result.records().iloc[0]
    assert (row["treatments"], row["outcome"]) == ("sodium_thiosulfate", "resolved")
    used = [e for e in result.drafts[0].evidence if e.field == "treatments" and e.quote == "TST"]
    assert used and text[used[0].start : used[0].end] == "TST"
    # the abbreviation of a phrase that does not end with the term stands for nothing
    text = ("A 45-year-old woman with systemic sclerosis and calcinosis cutis (CC) had nodules "
            "of the fingers. CC was treated with diltiazem.")
    assert _row(text)["conditions"] == "systemic_sclerosis"


@pytest.mark.parametrize(
    ("text", "subtype", "basis"),
    [
        ("Tumoral calcinosis is a special form of idiopathic calcinosis cutis [1]. A 50-year-old "
         "woman had tumoral calcinosis of the right buttock.", "idiopathic", "stated"),
        ("A 13-year-old boy had tumoral calcinosis of the left elbow. Serum calcium and "
         "phosphate were normal.", "idiopathic", "inferred"),
        ("A 10-year-old girl had a calcified mass of the thigh. Blood chemistry was normal, and "
         "we concluded our case as idiopathic type.", "idiopathic", "stated"),
        # the class of another disease, or of a disease the patient does not have, says nothing
        ("Calcinosis in dermatomyositis is a form of dystrophic calcinosis. A 50-year-old woman "
         "had tumoral calcinosis of the right buttock.", "", ""),
    ],
)
def test_the_authors_class_of_the_disease_and_tumoral_calcinosis_with_normal_labs(text, subtype,
                                                                                  basis):
    row = _row(text)
    assert (row["subtype"], row["subtype_basis"]) == (subtype, basis)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Serum levels of phosphorus and calcium were 7.0 mg/dL and 9.5 mg/dL, respectively.",
         ("9.5", "mg/dL", "7.0", "mg/dL")),
        ("Serum calcium and phosphate were 9.1 and 4.2 mg/dL, respectively.",
         ("9.1", "mg/dL", "4.2", "mg/dL")),
    ],
)
def test_lab_values_given_respectively(text, expected):
    row = _row(f"A 10-year-old girl had a calcified mass of the left anterior leg. {text}")
    got = (row["calcium_value"], row["calcium_unit"], row["phosphate_value"], row["phosphate_unit"])
    assert got == expected
    assert row["sites"] == "pretibial (left)"


def test_what_a_disease_develops_with_is_general():
    text = ("Idiopathic calcinosis develops in a localized area with normal calcium and phosphate "
            "levels. A 9-year-old boy had a calcified nodule on his right ear.")
    row = _row(text)
    assert (row["calcium_status"], row["phosphate_status"]) == ("", "")


def test_a_connective_tissue_disease_beside_kidney_failure_leaves_the_subtype_open():
    text = ("A 71-year-old woman with systemic lupus erythematosus, kidney failure and secondary "
            "hyperparathyroidism had painful calcified plaques on both thighs.")
    assert _row(text)["subtype"] == ""
    assert _row("A 71-year-old woman with systemic lupus erythematosus had calcified plaques on "
                "both thighs.")["subtype"] == "dystrophic"  # fmt: skip


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("We report a middle-aged woman with a solitary calcified nodule of the buttock.",
         "female"),
        ("We describe a boy with a rapidly enlarging calcified mass of the ear.", "male"),
        # a woman and a man: which one is the patient is the curator's call
        ("A woman and a man were seen; the man had calcified nodules on the ear.", ""),
    ],
)
def test_sex_from_a_person_named_without_an_age(text, sex):
    assert _row(text)["sex"] == sex


@pytest.mark.parametrize(
    ("text", "subtype", "basis"),
    [
        ("Late-onset dystrophic calcinosis cutis in a burn scar: a case report and review of the "
         "literature.\nA 50-year-old man had a calcified wound of the left shin.", "dystrophic",
         "stated"),
        ("A 34-year-old woman developed calcified papules in old acne scars on her face.",
         "dystrophic", "inferred"),
        ("A 70-year-old man had a calcified nodule at the site of an influenza vaccination on "
         "his left arm.", "iatrogenic", "inferred"),
    ],
)
def test_a_title_with_a_review_and_settings_of_tissue_damage_or_injection(text, subtype, basis):
    row = _row(text)
    assert (row["subtype"], row["subtype_basis"]) == (subtype, basis)


@pytest.mark.parametrize(
    ("text", "conditions"),
    [
        ("Our patient had Calcinosis, Raynaud, Esophagitis, Sclerodactyly, Telangiectasia "
         "(CREST)-related calcinosis of the fingers.", "systemic_sclerosis"),
        ("A 50-year-old woman with CREST syndrome (calcinosis, Raynaud's phenomenon, esophageal "
         "dysmotility, sclerodactyly, telangiectasia) had nodules.", "systemic_sclerosis"),
        ("A 50-year-old woman with Raynaud phenomenon and CREST had nodules.",
         "raynaud_phenomenon; systemic_sclerosis"),
    ],
)
def test_crest_spelled_out_is_not_raynaud_on_its_own(text, conditions):
    assert _row(text)["conditions"] == conditions


def test_a_widespread_form_the_authors_name_stays_beside_its_sites():
    text = ("A 9-year-old girl had calcinosis universalis, with calcified plaques on both elbows "
            "and knees.")
    assert _row(text)["sites"] == "generalized; elbow (bilateral); knee (bilateral)"
    text = "A 9-year-old girl had calcified plaques at multiple sites: both elbows and knees."
    assert _row(text)["sites"] == "elbow (bilateral); knee (bilateral)"


# Probes an independent reviewer wrote against this stop's rules; each failed before its fix.
@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("A 10-day-old newborn had firm calcified nodules on both heels after heel pricks. The "
         "mother, a healthy woman, had an uneventful pregnancy.", "sex", ""),
        ("A 50-year-old man with a kidney transplant for end-stage renal disease ten years "
         "earlier, with normal graft function, had a calcified nodule on the right knee at the "
         "site of a previous injury. Serum calcium and phosphate were normal.", "subtype", ""),
        ("A 55-year-old man on haemodialysis had tumoral calcinosis of the right hip. Serum "
         "phosphate was 8.1 mg/dL (2.5-4.5). Primary tumoral calcinosis is a familial form of "
         "idiopathic calcinosis.", "subtype", "metastatic"),
        ("A 40-year-old woman with dermatomyositis had calcified plaques on both elbows. She had "
         "received an influenza vaccination a year earlier without complication.", "subtype",
         "dystrophic"),
        ("A 60-year-old woman had radiotherapy for breast cancer (postmastectomy radiotherapy) "
         "eight years earlier. She now had a calcified nodule on the right heel.", "subtype", ""),
        ("A 40-year-old woman with dermatomyositis had calcified nodules on the arms. With "
         "diltiazem the nodules improved markedly. A year later her myositis worsened.",
         "outcome", "improved"),
        ("A 2-week-old boy had a calcified nodule on the left heel. His mother had gestational "
         "diabetes (GDM). GDM was managed with insulin.", "conditions", ""),
        ("A 50-year-old woman had widespread calcified nodules over the fingers of both hands.",
         "sites", "finger (bilateral)"),
        ("A 40-year-old woman had calcified nodules of the arms. Intravenous sodium thiosulfate "
         "improved the size and number of the nodules.", "outcome", "improved"),
        ("A 45-year-old woman had calcified fingertips. She reported Raynaud's phenomenon, and "
         "with sclerodactyly a diagnosis of limited scleroderma (CREST) was made.", "conditions",
         "raynaud_phenomenon; systemic_sclerosis"),
        ("A 45-year-old woman had calcified nodules of the thigh. Serum calcium and phosphate, "
         "measured on day 3, were 9.2 and 3.8 mg/dL, respectively.", "phosphate_value", "3.8"),
        ("A 58-year-old man on haemodialysis had painful violaceous indurated plaques with "
         "ulceration on both thighs. Serum calcium and phosphate were normal.", "subtype", ""),
    ],
)
def test_reviewer_probes(text, field, expected):
    assert _row(text)[field] == expected


@pytest.mark.parametrize(
    "text",
    [
        "A 32-year-old woman with systemic sclerosis had calcified nodules on her fingers. Later "
        "she gave birth to her second child, a 3-month-old boy now, and the nodules were "
        "unchanged.",
        "A 9-year-old girl had a calcified nodule on the cheek. Histology showed idiopathic "
        "calcinosis. To our knowledge this is the second case in a 9-year-old child.",
        "A 40-year-old woman had calcified nodules on the arms; with diltiazem they improved. "
        "In our clinic, two patients with dermatomyositis had previously received diltiazem.",
    ],
)
def test_reviewer_probes_one_patient(text):
    assert len(extract(text).drafts) == 1


def test_reviewer_probe_two_sisters_treated_alike():
    text = ("We report two sisters with juvenile dermatomyositis and calcinosis of the elbows. "
            "Both were treated with intravenous sodium thiosulfate. The lesions improved in both "
            "girls.\nThe elder, a 14-year-old, had plaques on both elbows.\nThe younger, an "
            "11-year-old, had nodules on the left elbow.")
    rows = extract(text).records()
    assert list(rows["sex"]) == ["female", "female"]
    assert list(rows["treatments"]) == ["sodium_thiosulfate", "sodium_thiosulfate"]


def test_reviewer_probe_a_brother_with_an_age_is_a_patient():
    text = ("A 30-year-old man had calcified nodules on both knees. The second patient, his "
            "28-year-old brother, had similar nodules on the elbows.")
    rows = extract(text).records()
    assert list(rows["age_years"]) == ["30", "28"]
    assert list(rows["sites"]) == ["knee (bilateral)", "elbow (bilateral)"]
    # without an age the brother is family history
    text = ("A 30-year-old man had calcified nodules on both knees. His brother had similar "
            "nodules on the elbows.")
    assert _row(text)["sites"] == "knee (bilateral)"


def test_spanish_and_portuguese_sides_follow_the_site():
    text = ("Mujer de 60 años con nódulos calcificados en el codo izquierdo, en la rodilla "
            "derecha y en ambas manos.")
    assert _row(text)["sites"] == "elbow (left); knee (right); hand (bilateral)"
    text = "Homem de 50 anos com placas calcificadas no joelho esquerdo e nos cotovelos."
    assert _row(text)["sites"] == "knee (left); elbow (bilateral)"


def test_spanish_negation_and_labs():
    text = ("Mujer de 50 años con dermatomiositis, sin diabetes ni hipertensión, con nódulos "
            "calcificados en los brazos. El calcio sérico fue normal y la paratohormona estaba "
            "elevada. Los anticuerpos antinucleares fueron negativos.")
    row = _row(text)
    assert row["conditions"] == "dermatomyositis"
    assert (row["calcium_status"], row["pth_status"]) == ("normal", "high")
    assert row["autoantibodies"] == "ana-"


def test_a_new_verb_after_and_leaves_the_negation_behind():
    text = ("A 67-year-old man on hemodialysis had calcified plaques on the right thigh. He was "
            "treated with sodium thiosulfate without improvement, and died three months later.")
    assert _row(text)["outcome"] == "died"
    text = ("A 40-year-old woman had nodules on the knee. She had no diabetes, hypertension, "
            "and CKD.")
    assert _row(text)["conditions"] == ""


def test_romance_words_that_are_english_abbreviations_do_not_count():
    # "SEM" is electron microscopy, not Portuguese "sem"; "ANCA" is an antibody, not a hip
    text = ("A 50-year-old woman had calcified nodules on the left elbow. SEM showed calcium "
            "phosphate deposits in the dermis. ANCA was negative.")
    row = _row(text)
    assert row["sites"] == "elbow (left)"


def test_spanish_treatment_and_outcome_verbs():
    text = ("Niño de 9 años con dermatomiositis juvenil y calcinosis en los pulpejos. Se trató "
            "con hidróxido de aluminio y las lesiones mejoraron.")
    row = _row(text)
    assert (row["conditions"], row["treatments"], row["outcome"]) == (
        "juvenile_dermatomyositis", "aluminium_hydroxide", "improved")
    assert row["sites"] == "finger_pad"  # not a paired part, as "fingertips"
