"""The schema is data: synonyms, hierarchy and codes come from the tables."""

import pytest

from casestats.schema import RANKS, load_schema


@pytest.mark.parametrize(
    ("vocabulary", "text", "term"),
    [
        ("ssc_subset", "CREST", "limited"),
        ("ssc_subset", "lcSSc", "limited"),
        ("ssc_subset", "dcSSc", "diffuse"),
        ("site", "olecranon", "elbow"),
        ("antibody_result", "+", "+"),
        ("antibody_result", "positive", "+"),
        ("sex", "F", "female"),
        ("subtype", "Calcific uremic arteriolopathy", "calciphylaxis"),
    ],
)
def test_synonyms(vocabulary, text, term):
    assert load_schema().canonical(vocabulary, text) == term


def test_hierarchy_finger_pad_to_upper_limb():
    schema = load_schema()
    assert schema.ancestors("finger_pad") == ["finger_pad", "finger", "hand", "upper_limb"]
    assert schema.rollup_map("limb")["finger_pad"] == "upper_limb"
    # a term coarser than the level keeps itself, so no patient is dropped
    assert schema.rollup_map("region")["upper_limb"] == "upper_limb"


def test_every_anatomy_parent_exists_and_ranks_are_known():
    anatomy = load_schema().anatomy
    terms = set(anatomy["term"])
    assert anatomy["term"].is_unique
    assert set(anatomy["parent"]) - {""} <= terms
    assert set(anatomy["rank"]) <= set(RANKS)


def test_field_vocabularies_exist_and_codes_carry_icd10_and_hpo():
    schema = load_schema()
    for field in schema.fields.values():
        if field.vocabulary:
            assert schema.terms(field.vocabulary)
    codes = schema.codes.set_index("code_system")["code"]
    assert codes["ICD-10"] == "L94.2"
    assert codes["HPO"] == "HP:0025520"


def test_no_synonym_maps_to_two_terms_within_a_vocabulary():
    vocab = load_schema().vocabularies
    seen = {}
    for row in vocab.itertuples():
        for name in [row.term, *filter(None, row.synonyms.split("|"))]:
            key = (row.vocabulary, name.casefold())
            assert seen.setdefault(key, row.term) == row.term, key


def test_every_controlled_vocabulary_is_reachable_by_field():
    from casestats.schema import load_schema

    schema = load_schema()
    sites = schema.vocabulary("sites")
    assert "elbow" in sites["term"].tolist()
    assert schema.vocabulary("laterality")["term"].tolist()[:2] == ["left", "right"]
    with pytest.raises(ValueError, match="sites"):
        schema.vocabulary("age_years")
