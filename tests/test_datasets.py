"""Bundled datasets: local, cited, documented column by column, and shipped in the wheel."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import casestats
from casestats.datasets import _folder, _registry

NAMES = sorted(_registry())
ROOT = Path(__file__).resolve().parent.parent


def test_the_three_datasets_are_registered():
    assert {
        "calcinosis_case_reports",
        "ssc_calcinosis_cohorts",
        "calcinosis_site_subtype_counts",
    } <= set(NAMES)
    listed = casestats.list_datasets()
    assert listed["name"].tolist() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_sidecar_documents_exactly_the_columns(name):
    meta = casestats.dataset_metadata(name)
    for key in ("name", "title", "kind", "licence", "files", "columns", "description"):
        assert meta.get(key), f"{name}: metadata lacks {key!r}"
    data = pd.read_csv(_folder(name) / meta["files"]["data"], dtype=str, keep_default_na=False)
    documented = [c["name"] for c in meta["columns"]]
    assert documented == data.columns.tolist()
    assert all(c.get("description") for c in meta["columns"])
    assert meta.get("n_rows") == len(data)


@pytest.mark.parametrize("name", NAMES)
def test_every_row_cites_a_known_source(name):
    meta = casestats.dataset_metadata(name)
    data = pd.read_csv(_folder(name) / meta["files"]["data"], dtype=str, keep_default_na=False)
    sources = pd.read_csv(
        _folder(name) / meta["files"]["sources"], dtype=str, keep_default_na=False
    )
    assert sources["source_id"].is_unique
    assert (data["source_id"] != "").all()
    assert set(data["source_id"]) <= set(sources["source_id"])
    has_identifier = (sources[["doi", "pmid", "url"]] != "").any(axis=1)
    assert has_identifier.all(), sources.loc[~has_identifier, "source_id"].tolist()


def test_case_reports_load_validated():
    cases = casestats.load_dataset("calcinosis_case_reports")
    assert len(cases) == 220  # version 3.0.0
    assert cases.report.ok
    assert cases.data["case_id"].iloc[:2].tolist() == ["carrascosa_2011_1", "jain_2015_1"]
    assert cases.metadata["kind"] == "cases"


def test_every_inferred_subtype_says_how_and_every_row_says_what_was_read():
    cases = casestats.load_dataset("calcinosis_case_reports").data
    inferred = cases[cases["subtype_basis"] == "inferred"]
    unexplained = inferred.loc[
        ~inferred["curation_flags"].str.contains("subtype inferred", regex=False), "case_id"
    ]
    assert unexplained.empty, unexplained.tolist()
    assert (cases["text_accessed"] != "").all()
    assert (cases["evidence"] != "").all()


@pytest.mark.parametrize("name", ["calcinosis_case_reports", "ssc_calcinosis_cohorts"])
def test_dataset_version_changelog_and_citation_file_agree(name):
    meta = casestats.dataset_metadata(name)
    version = meta["version"]
    assert meta["changelog"][0]["version"] == version
    assert f"version {version}" in meta["citation"]
    cff = (_folder(name) / "CITATION.cff").read_text(encoding="utf-8")
    assert f"\nversion: {version}\n" in cff


def test_unknown_dataset_name_is_refused_without_touching_paths():
    with pytest.raises(ValueError, match="unknown dataset"):
        casestats.load_dataset("../pyproject")
    with pytest.raises(ValueError, match="unknown dataset"):  # not "unhashable type: list"
        casestats.load_dataset(["calcinosis_case_reports"])


def test_load_dataset_works_from_an_installed_wheel(tmp_path):
    pytest.importorskip("hatchling")
    wheel_dir = tmp_path / "wheel"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheel_dir),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(wheel_dir.glob("casestats-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "casestats/_bundled_datasets/calcinosis_case_reports/cases.csv" in names
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    code = (
        "import casestats, json\n"
        "cases = casestats.load_dataset('calcinosis_case_reports')\n"
        "print(json.dumps([len(cases), casestats.__file__]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": ""},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    n, location = json.loads(out.stdout)
    assert n == len(casestats.load_dataset("calcinosis_case_reports"))
    assert location.startswith(str(target))
