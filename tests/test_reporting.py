"""The full report: files, sections, self-containment, determinism."""

import re
import warnings

import matplotlib
import pandas as pd
import pytest

import casestats
from casestats.reporting import SECTIONS, report

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    import matplotlib.pyplot as plt

    cases = casestats.load_dataset("calcinosis_case_reports")
    cohorts = casestats.load_dataset("ssc_calcinosis_cohorts")
    steps = []
    first = report(
        cases,
        cohorts=cohorts,
        out=tmp_path_factory.mktemp("a"),
        progress=lambda *step: steps.append(step),
    )
    open_after_first = plt.get_fignums()
    second = report(cases, cohorts=cohorts, out=tmp_path_factory.mktemp("b"))
    return first.parent, second.parent, steps, open_after_first


def test_writes_html_markdown_tables_and_figures(runs):
    out = runs[0]
    assert (out / "report.html").is_file() and (out / "report.md").is_file()
    tables = {p.stem for p in (out / "tables").glob("*.csv")}
    assert {"table1", "subtype_frequency", "sites_by_region", "cohort_studies"} <= tables
    figures = {p.name for p in (out / "figures").iterdir()}
    for stem in ("subtype_frequency", "sites_body_map", "sites_region_by_subtype", "cohort_forest"):
        assert {f"{stem}.png", f"{stem}.svg"} <= figures
    table1 = pd.read_csv(out / "tables" / "table1.csv")
    assert set(table1.loc[table1["group"] == "Overall", "variable"]) >= {"age_years", "sex"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Overall<br>(N = 220)" in html and "not reported" in html


def test_html_is_self_contained(runs):
    text = (runs[0] / "report.html").read_text(encoding="utf-8")
    assert "<script" not in text and "<link" not in text
    sources = re.findall(r'src="([^"]*)"', text)
    assert sources and all(s.startswith("data:image/svg+xml;base64,") for s in sources)
    assert len(sources) == len(re.findall("<figure>", text))


def test_sections_methods_caveat_and_sources(runs):
    text = (runs[0] / "report.html").read_text(encoding="utf-8")
    titles = ["Dataset summary", "Validation", "Subtype frequency", "Lesion site distribution"]
    titles += ["Limited vs diffuse systemic sclerosis", "Methods", "Caveat", "Sources"]
    for title in titles:
        assert f"<h2>{title}</h2>" in text
    methods = text[text.index("<h2>Methods</h2>") : text.index("<h2>Caveat</h2>")]
    # the bundled mix has fewer than 7 subtype categories: Goodman's intervals, not Sison-Glaz
    for said in ("Wilson", "Goodman", "Benjamini-Hochberg", "REML", "Mantel-Haenszel",
                 "permutation test"):  # fmt: skip
        assert said in methods
    assert casestats.CASE_REPORT_CAVEAT in text
    assert 'href="https://doi.org/10.1136/bcr.01.2011.3732"' in text
    assert "rutgers2017_ssc_subset" in text  # an excluded cohort row, with its reason


def test_markdown_twin_links_existing_png(runs):
    out = runs[0]
    text = (out / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", text)
    assert len(links) >= 5
    assert all((out / link).is_file() for link in links)
    assert "| Characteristic | Overall (N = 220) |" in text


def test_progress_and_no_open_figures(runs):
    steps = runs[2]
    assert [s[0] for s in steps] == list(range(1, len(SECTIONS) + 1))
    assert {s[1] for s in steps} == {len(SECTIONS)}
    assert runs[3] == []


def test_rerun_is_byte_identical(runs):
    first, second = runs[0], runs[1]
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        if name.suffix != ".png":  # PNG is rasterised from the same SVG-stable figure
            assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_without_cohorts_and_with_sparse_cases(tmp_path):
    frame = pd.DataFrame(
        {
            "case_id": ["a", "b", "c"],
            "source_id": ["s", "s", "s"],
            "subtype": ["dystrophic", "idiopathic", "dystrophic"],
            "sites": ["elbow", "hand; knee", "hand"],
        }
    )
    cases = casestats.read_cases(frame, sources=pd.DataFrame({"source_id": ["s"]}))
    path = report(cases, out=tmp_path / "rep")
    text = path.read_text(encoding="utf-8")
    assert "No cohort counts were given" in text
    assert "No patient of the case series has systemic sclerosis" in text


def test_own_cohorts_are_called_yours_not_published(tmp_path):
    cases = casestats.read_cases(
        pd.DataFrame({"case_id": ["a"], "source_id": ["s"], "subtype": ["dystrophic"]}),
        sources=pd.DataFrame({"source_id": ["s"]}),
    )
    mine = pd.DataFrame({"study": ["Leeds", "Lyon", "Lund"], "events_a": [12, 9, 15],
                         "total_a": [40, 35, 52], "events_b": [5, 6, 7],
                         "total_b": [30, 33, 41], "pool": ["yes", "no", "yes"]})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", casestats.CasestatsWarning)
        path = report(cases, cohorts=mine, out=tmp_path / "rep")
    text = path.read_text(encoding="utf-8")
    assert "Your cohorts: calcinosis in limited vs diffuse" in text
    assert "2 cohorts pooled, 1 row left out" in text
    assert "Published cohorts" not in text
    # no paper printed a p-value for the user's own counts
    assert "the paper printed" not in text and "reported p" not in text


def test_text_follows_the_confidence_level(tmp_path):
    cases = casestats.load_dataset("calcinosis_case_reports")
    cohorts = casestats.load_dataset("ssc_calcinosis_cohorts")
    text = report(cases, cohorts=cohorts, out=tmp_path, confidence_level=0.9).read_text(
        encoding="utf-8"
    )
    assert "All intervals are two-sided 90% intervals." in text
    # no interval or heading says 95% (a share in Table 1 may itself be 95%)
    assert not re.search(r"95% (?:CI|confidence|interval|prediction)|95 %", text)
    assert "<th>90% CI</th>" in text and "Subtype shares with their 90% intervals." in text
    frame = pd.read_csv(tmp_path / "tables" / "subtype_frequency.csv")
    assert (frame["confidence_level"] == 0.9).all()


def test_bad_confidence_level_is_named(tmp_path):
    cases = casestats.load_dataset("calcinosis_case_reports")
    with pytest.raises(ValueError, match="confidence_level must be a number between 0 and 1"):
        report(cases, out=tmp_path, confidence_level=95)


def test_wording_counts_one_as_singular(tmp_path):
    frame = pd.DataFrame({"case_id": ["a"], "source_id": ["s"], "subtype": ["dystrophic"]})
    cases = casestats.read_cases(frame, sources=pd.DataFrame({"source_id": ["s"]}))
    text = report(cases, out=tmp_path).read_text(encoding="utf-8")
    assert "1 patient from 1 source." in text and "1 row checked" in text
    assert "1 patients" not in text and "1 sources" not in text


def test_command_line_progress_ends_full(capsys):
    from casestats.cli import _progress

    _progress(len(SECTIONS), len(SECTIONS), "sources")
    assert "#" * 20 + " sources" in capsys.readouterr().err
