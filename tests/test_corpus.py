"""The corpus of hostile and awkward files: every one gives located problems, none a crash.

``tests/corpus/expected.json`` (written with the files by
``tests/corpus/make_corpus.py``) lists for each file the problems validation
must report as (code, row, column). Every expected problem must be produced
(``expected ⊆ produced``, notes included); for fixtures marked ``exact`` the
errors and warnings produced must also all be expected. ``read_cases`` must
return a CaseSeries or raise CaseSeriesValidationError, as ``raises`` says.
"""

import json
from pathlib import Path

import pytest

import casestats
from casestats.validation import PROBLEM_CODES

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def _located(report, severities=("error", "warning", "info")):
    return {(p.code, p.row, p.column) for p in report.items if p.severity in severities}


def test_corpus_is_large_and_committed():
    assert len(EXPECTED) >= 60
    formats = {Path(name).suffix for name in EXPECTED}
    assert {".csv", ".xlsx", ".json"} <= formats
    for name in EXPECTED:
        assert (CORPUS / "files" / name).is_file(), f"run tests/corpus/make_corpus.py: {name}"


def test_corpus_files_match_their_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fixtures = module.build()
    assert {f["file"] for f in fixtures if "problems" in f} == set(EXPECTED)
    for item in fixtures:
        path = CORPUS / "files" / item["file"]
        stored = _unzipped(path.read_bytes())
        assert stored == _unzipped(item["data"]), f"{item['file']} is stale: run make_corpus.py"


def _unzipped(data: bytes):
    """A workbook's members, uncompressed and its XML canonical (C14N 2.0).

    zlib builds deflate differently, and openpyxl places namespace declarations differently
    with and without lxml: neither changes what a reader sees.
    """
    import io
    import re
    import zipfile
    from xml.etree.ElementTree import ParseError, canonicalize

    def canonical(body: bytes):
        doctype = re.search(rb"<!DOCTYPE.*?(\[.*?\])?\s*>", body, flags=re.S)
        if doctype:
            # never expand the hostile entities: compare the declaration as written, and the
            # document with each entity reference kept as its name
            body = body[: doctype.start()] + body[doctype.end() :]
            body = re.sub(rb"&(?!amp;|lt;|gt;|quot;|apos;|#)(\w+);", rb"[entity \1]", body)
        try:
            text = canonicalize(body.decode("utf-8"))
        except (UnicodeDecodeError, ParseError):
            text = body
        return (doctype.group(0) if doctype else b"", text)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(i.filename, canonical(archive.read(i))) for i in archive.infolist()]
    except (zipfile.BadZipFile, ValueError, EOFError, zipfile.LargeZipFile):
        # a cut-off workbook's bytes depend on the serialiser too: only its kind is fixed
        return "a damaged zip archive" if data.startswith(b"PK") else data


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gives_the_expected_located_problems(name):
    spec = EXPECTED[name]
    path = CORPUS / "files" / name
    report = casestats.validate(path)
    expected = {(p["code"], p["row"], p["column"]) for p in spec["problems"]}
    missing = expected - _located(report)
    assert not missing, f"{name}: not reported {sorted(missing, key=str)}\n{report}"
    if spec["exact"]:
        extra = _located(report, ("error", "warning")) - expected
        assert not extra, f"{name}: unexpected {sorted(extra, key=str)}\n{report}"
    assert report.ok is not spec["raises"], str(report)
    for problem in report.items:
        assert problem.code in PROBLEM_CODES, f"undocumented code {problem.code!r}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_read_cases_gives_case_series_or_validation_error(name):
    path = CORPUS / "files" / name
    try:
        cases = casestats.read_cases(path)
    except casestats.CaseSeriesValidationError as err:
        assert EXPECTED[name]["raises"], str(err.report)
        assert err.report.items, "an error must say what is wrong"
    else:
        assert not EXPECTED[name]["raises"]
        assert isinstance(cases, casestats.CaseSeries)


def test_counts_of_the_corpus(capsys):
    """Fixtures tried, problems expected and produced (printed with -s for the notes)."""
    expected = produced = 0
    for name, spec in EXPECTED.items():
        expected += len(spec["problems"])
        produced += len(casestats.validate(CORPUS / "files" / name).items)
    assert produced >= expected
    with capsys.disabled():
        print(
            f"\ncorpus: {len(EXPECTED)} fixtures, {expected} problems expected, {produced} produced"
        )


# -- safety: nothing executed, nothing expanded ---------------------------------


def test_zip_bomb_is_refused_from_its_declared_sizes():
    import time
    import zipfile

    path = CORPUS / "files" / "hostile" / "zip_bomb.xlsx"
    members = zipfile.ZipFile(path).infolist()
    inflated = sum(m.file_size for m in members)
    assert path.stat().st_size < 100_000 and inflated > 400 * path.stat().st_size
    start = time.perf_counter()
    report = casestats.validate(path)
    elapsed = time.perf_counter() - start  # reported, not asserted: no timed assertions
    assert [p.code for p in report.items] == ["zip_bomb"], f"{report} ({elapsed:.3f} s)"
    assert "compressed 100+ times" in report.items[0].value


def test_xlsx_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    from casestats.io import LIMITS

    monkeypatch.setitem(LIMITS, "xlsx_bytes", 1_000)
    report = casestats.validate(CORPUS / "files" / "xlsx" / "good.xlsx")
    assert [p.code for p in report.items] == ["file_too_large"]


def test_row_and_column_limits_give_clear_errors(monkeypatch):
    from casestats.io import LIMITS

    monkeypatch.setitem(LIMITS, "rows", 2)
    report = casestats.validate(CORPUS / "files" / "xlsx" / "duplicate_case_ids.xlsx")
    assert [(p.code, p.cell) for p in report.items] == [("too_many_rows", "Cases!A3")]
    monkeypatch.setitem(LIMITS, "columns", 3)
    for name in ("csv/good.csv", "xlsx/good.xlsx", "json/good.json"):
        report = casestats.validate(CORPUS / "files" / name)
        assert [p.code for p in report.items] == ["too_many_columns"], name


@pytest.mark.parametrize("name", ["external_entity.xlsx", "billion_laughs.xlsx"])
def test_xml_entities_are_refused_by_defusedxml(name):
    from defusedxml import EntitiesForbidden
    from openpyxl import load_workbook

    path = CORPUS / "files" / "hostile" / name
    assert [p.code for p in casestats.validate(path).items] == ["unreadable_xlsx"]
    # the refusal comes from defusedxml, not from the XML happening to be invalid
    with pytest.raises(ValueError) as caught:
        load_workbook(path, read_only=True)
    causes, error = [], caught.value
    while error is not None:
        causes.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(c, EntitiesForbidden) for c in causes)


@pytest.mark.parametrize("name", ["json/nan.json", "json/infinity.json"])
def test_json_constants_are_rejected(name):
    assert not casestats.validate(CORPUS / "files" / name).ok


def test_json_duplicate_keys_are_rejected():
    report = casestats.validate(CORPUS / "files" / "json" / "duplicate_keys.json")
    problem = next(p for p in report.items if p.code == "duplicate_key")
    assert (problem.row, problem.column, problem.value) == (1, "sex", '"male"')


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_are_neutralised_on_export_and_restored_on_reading(tmp_path, fmt):
    import pandas as pd

    risky = ["=1+1", "+44 20", "-x", "@SUM(A1)", "\tTAB", "'=already"]
    frame = pd.DataFrame(
        {
            "case_id": [f"c{i}" for i in range(len(risky))],
            "source_id": ["s1"] * len(risky),
            "notes": risky,
            "calcium_value": ["-3", "", "", "", "", ""],
            "calcium_unit": ["mmol/L", "", "", "", "", ""],
        }
    )
    cases = casestats.read_cases(frame, sources=pd.DataFrame({"source_id": ["s1"]}))
    path = casestats.write_cases(cases, tmp_path / f"cases.{fmt}")
    if fmt == "csv":
        written = path.read_text(encoding="utf-8")
        assert "'=1+1" in written and "'+44 20" in written and "'@SUM" in written
        assert ",-3," in written  # numbers untouched
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(path)["Cases"]
        cells = [sheet.cell(row=r, column=3) for r in range(2, len(risky) + 2)]
        assert all(c.data_type == "s" and c.value.startswith("'") for c in cells)
    again = casestats.read_cases(path)
    assert again.data["notes"].tolist() == risky


def test_no_pickle_eval_or_yaml_in_the_package():
    import re

    package = Path(casestats.__file__).parent
    banned = re.compile(
        r"\bimport pickle\b|\bfrom pickle\b|\bpickle\.|\bmarshal\.|\bshelve\b|\beval\(|\bexec\("
        r"|\bimport yaml\b|\byaml\.(?:load|unsafe_load)\(|\b__import__\(|read_pickle"
    )
    offenders = [
        f"{path.relative_to(package)}:{number}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if banned.search(line)
    ]
    assert offenders == []


def test_dataset_names_are_looked_up_not_joined_into_paths():
    for name in ("../../etc/passwd", "/etc/passwd", "calcinosis_case_reports/../x", ""):
        with pytest.raises(ValueError, match="unknown dataset"):
            casestats.load_dataset(name)
