"""The GA4GH Phenopackets v2 export: a JSON round trip of the bundled dataset, and values
written out by hand from rows of datasets/calcinosis_case_reports/cases.csv."""

import json
import subprocess
import sys

import pandas as pd
import pytest

import casestats

phenopackets = pytest.importorskip("phenopackets")
from google.protobuf import json_format  # noqa: E402

CASES = casestats.load_dataset("calcinosis_case_reports")


@pytest.fixture(scope="module")
def export():
    return casestats.to_phenopackets(CASES)


def _packet(export, case_id):
    return next(p for p in export if p.id == case_id)


def _undated(packet):
    """The packet without meta_data.created, which is the time of each export."""
    copy = phenopackets.Phenopacket()
    copy.CopyFrom(packet)
    copy.meta_data.ClearField("created")
    return copy


def _features(packet):
    return {(f.type.id, f.excluded) for f in packet.phenotypic_features}


# -- the whole bundled dataset through JSON and back -----------------------------------


def test_round_trip_of_the_bundled_dataset(export, tmp_path):
    folder = casestats.write_phenopackets(CASES, tmp_path / "packets")
    data = CASES.data
    assert len(list(folder.glob("*.json"))) == len(data) == len(export)
    for row, packet in zip(data.itertuples(), export, strict=True):
        text = (folder / f"{row.case_id}.json").read_text(encoding="utf-8")
        again = json_format.Parse(text, phenopackets.Phenopacket())
        assert again.id == again.subject.id == row.case_id
        sex = phenopackets.Sex.Name(again.subject.sex)
        assert sex == {"female": "FEMALE", "male": "MALE", "": "UNKNOWN_SEX"}[row.sex]
        age = again.subject.time_at_last_encounter.age.iso8601duration
        assert (age == "") == (row.age_years == "")
        if row.age_years.isdigit():
            assert age == f"P{row.age_years}Y"
        # what survives: the HPO terms, the diseases, the references, and everything else
        assert _features(again) == _features(packet)
        assert ("HP:0025520", False) in _features(again)
        assert [d.term.id for d in again.diseases][0] == "ICD10:L94.2"
        assert [d.term.id for d in again.diseases] == [d.term.id for d in packet.diseases]
        refs = list(again.meta_data.external_references)
        assert refs == list(packet.meta_data.external_references) and refs
        assert _undated(again) == _undated(packet)
        assert again.meta_data.created.seconds > 0
        assert "dateOfBirth" not in json.loads(text)["subject"]
        assert again.meta_data.phenopacket_schema_version == "2.0"
        assert again.meta_data.created_by == f"casestats {casestats.__version__}"
        assert {r.namespace_prefix for r in again.meta_data.resources} == {"HP", "ICD10"}


def test_every_reference_carries_the_sources_pmid_and_doi(export):
    sources = CASES.sources.set_index("source_id")
    for row, packet in zip(CASES.data.itertuples(), export, strict=True):
        source = sources.loc[row.source_id]
        ids = [r.id for r in packet.meta_data.external_references]
        assert (f"PMID:{source.pmid}" in ids) == bool(source.pmid)
        assert (f"DOI:{source.doi}" in ids) == bool(source.doi)
        assert packet.meta_data.external_references[0].description == source.citation


def test_one_cohort_file_round_trips(export, tmp_path):
    path = casestats.write_phenopackets(CASES, tmp_path / "cases.json")
    cohort = json_format.Parse(path.read_text(encoding="utf-8"), phenopackets.Cohort())
    assert cohort.id == "calcinosis_case_reports"
    assert [_undated(p) for p in cohort.members] == [_undated(p) for p in export]
    assert not cohort.meta_data.external_references
    assert cohort.meta_data.resources[0].version == "2025-11-24"


# -- values read off the CSV rows by hand ---------------------------------------------


def test_carrascosa_2011_1_by_hand(export):
    # 87, female, dystrophic (stated); MCTD; hypertension; AF; heart failure; elbow (left);
    # knee (bilateral); calcium, phosphate and PTH normal; died; DOI 10.1136/bcr.01.2011.3732
    packet = _packet(export, "carrascosa_2011_1")
    assert packet.subject.time_at_last_encounter.age.iso8601duration == "P87Y"
    assert packet.subject.sex == phenopackets.FEMALE
    assert packet.subject.vital_status.status == phenopackets.VitalStatus.DECEASED
    calcinosis = packet.phenotypic_features[0]
    assert (calcinosis.type.id, calcinosis.type.label) == ("HP:0025520", "Calcinosis cutis")
    assert "dystrophic" in calcinosis.description
    assert "elbow (left)" in calcinosis.description and "knee (bilateral)" in calcinosis.description
    assert not calcinosis.modifiers  # two sides: no single laterality
    assert _features(packet) == {
        ("HP:0025520", False),
        ("HP:0003072", True), ("HP:0002901", True),  # hyper-, hypocalcaemia excluded
        ("HP:0002905", True), ("HP:0002148", True),  # hyper-, hypophosphataemia
        ("HP:0003165", True), ("HP:0031817", True),  # raised, low PTH
    }  # fmt: skip
    assert [d.term.id for d in packet.diseases] == [
        "ICD10:L94.2", "ICD10:M35.1", "ICD10:I10", "ICD10:I48", "ICD10:I50",
    ]  # fmt: skip
    (ref,) = packet.meta_data.external_references
    assert ref.id == "DOI:10.1136/bcr.01.2011.3732"
    assert ref.reference == "https://doi.org/10.1136/bcr.01.2011.3732"


def test_goldenstein_2018_1_by_hand(export):
    # 28, male, tumoral calcinosis (no ICD-10 code in the schema); calcium normal,
    # phosphate high, PTH low; improved; PMID 29548779, DOI 10.1053/j.ajkd.2017.12.020
    packet = _packet(export, "goldenstein_2018_1")
    assert packet.subject.time_at_last_encounter.age.iso8601duration == "P28Y"
    assert packet.subject.sex == phenopackets.MALE
    assert packet.subject.vital_status.status == phenopackets.VitalStatus.UNKNOWN_STATUS
    assert _features(packet) == {
        ("HP:0025520", False),
        ("HP:0003072", True), ("HP:0002901", True),
        ("HP:0002905", False),  # hyperphosphataemia observed
        ("HP:0031817", False),  # decreased PTH observed
    }  # fmt: skip
    assert [d.term.id for d in packet.diseases] == ["ICD10:L94.2"]
    assert [r.id for r in packet.meta_data.external_references] == [
        "PMID:29548779", "DOI:10.1053/j.ajkd.2017.12.020",
    ]  # fmt: skip


def test_subset_code_laterality_and_unreported_fields(export):
    # clinrheumatol_2021_1: no age or sex; systemic sclerosis, diffuse; axilla (bilateral)
    packet = _packet(export, "clinrheumatol_2021_1")
    assert packet.subject.sex == phenopackets.UNKNOWN_SEX
    assert not packet.subject.HasField("time_at_last_encounter")
    assert [d.term.id for d in packet.diseases] == ["ICD10:L94.2", "ICD10:M34.0"]
    assert [m.id for m in packet.phenotypic_features[0].modifiers] == ["HP:0012832"]
    # jecan_2016_1: periarticular; interscapular -> Periarticular calcification too
    jecan = _packet(export, "jecan_2016_1")
    assert ("HP:0025477", False) in _features(jecan)
    assert [d.term.id for d in jecan.diseases] == ["ICD10:L94.2", "ICD10:M34.1"]


@pytest.mark.parametrize(
    ("case_id", "duration"),
    [("randhawa_2018_1", "P7M"), ("hetaimish_2024_2", "P1M"), ("tan_2006_1", "P2M")],
)
def test_infant_ages_in_months(export, case_id, duration):
    # age_as_reported: 7 months, 1-month-old, 2 months
    assert _packet(export, case_id).subject.time_at_last_encounter.age.iso8601duration == duration


def test_ages_over_89_are_p90y():
    frame = pd.DataFrame({"case_id": ["a", "b"], "source_id": ["s", "s"],
                          "age_years": ["90+", "47"]})  # fmt: skip
    cases = casestats.read_cases(frame, sources=pd.DataFrame({"source_id": ["s"]}))
    ages = [p.subject.time_at_last_encounter.age.iso8601duration
            for p in casestats.to_phenopackets(cases)]  # fmt: skip
    assert ages == ["P90Y", "P47Y"]


def test_own_patients_without_identifiers_keep_their_citation():
    frame = pd.DataFrame({"case_id": ["007"], "source_id": ["clinic"], "sex": ["F"]})
    sources = pd.DataFrame({"source_id": ["clinic"], "citation": ["Own patients (unpublished)"]})
    (packet,) = casestats.to_phenopackets(casestats.read_cases(frame, sources=sources))
    (ref,) = packet.meta_data.external_references
    assert (ref.id, ref.reference, ref.description) == ("", "", "Own patients (unpublished)")
    assert packet.id == "007"


# -- the result and the writer -----------------------------------------------------------


def test_result_contract(export):
    frame = export.to_frame()
    assert list(frame.columns[:12]) == list(casestats.results.TIDY_COLUMNS)
    assert set(frame["kind"]) == {"phenotypic_feature", "disease"}
    assert (frame.groupby("group")["level"].apply(lambda s: "HP:0025520" in set(s))).all()
    assert repr(export) == "PhenopacketExport(phenopackets=220, method='phenopackets_v2')"
    assert "220 patients" in export.summary()
    with pytest.raises(TypeError, match="no interval"):
        export.confidence_interval()


def test_refuses_to_overwrite_without_force(tmp_path):
    path = casestats.write_phenopackets(CASES, tmp_path / "one.json")
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="force=True"):
        casestats.write_phenopackets(CASES, path)
    assert path.read_bytes() == before
    casestats.write_phenopackets(CASES, path, force=True)
    folder = casestats.write_phenopackets(CASES, tmp_path / "many")
    with pytest.raises(FileExistsError, match=r"carrascosa_2011_1\.json.* and 217 more"):
        casestats.write_phenopackets(CASES, folder)
    (tmp_path / "notes").write_text("")
    with pytest.raises(FileExistsError, match="is a file"):
        casestats.write_phenopackets(CASES, tmp_path / "notes")


def test_ids_that_share_a_file_name_are_refused(tmp_path):
    frame = pd.DataFrame({"case_id": ["a/b", "A_b"], "source_id": ["s", "s"]})
    cases = casestats.read_cases(frame, sources=pd.DataFrame({"source_id": ["s"]}))
    with pytest.raises(ValueError, match=r"'a/b' and 'A_b' would share the file name A_b\.json"):
        casestats.write_phenopackets(cases, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_export(tmp_path, capsys):
    from casestats.cli import main

    out = tmp_path / "packets"
    assert main(["export", "calcinosis_case_reports", "--phenopackets", "--out", str(out)]) == 0
    assert len(list(out.glob("*.json"))) == len(CASES)
    assert main(["export", "calcinosis_case_reports", "--phenopackets", "--out", str(out)]) == 2
    assert "and 217 more exist: give a new name, or --force" in capsys.readouterr().err
    argv = ["export", "calcinosis_case_reports", "--phenopackets", "--out", str(out), "--force"]
    assert main(argv) == 0


def test_not_a_case_series():
    with pytest.raises(TypeError, match="read_cases first"):
        casestats.to_phenopackets(CASES.data)


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "phenopackets", None)
    with pytest.raises(ImportError, match=r"pip install casestats\[phenopackets\]"):
        casestats.to_phenopackets(CASES)


def test_import_casestats_does_not_load_phenopackets():
    code = "import sys, casestats, casestats.io; print('phenopackets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
