"""Pages generated at build time, so they cannot drift from the code and data.

* :func:`write_dataset_pages` writes one MyST page per bundled dataset into
  ``datasets/_generated/`` from its metadata sidecar (``dataset_metadata``).
* :func:`write_api_list` writes ``_api_list.md`` (included by ``api.md``):
  autosummary tables of every name in ``casestats.__all__``, grouped by the
  module that defines it, so a new public name appears without a docs edit.
  It runs before autosummary's own ``builder-inited`` hook, which reads the
  file to write the stub pages into ``_api/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import casestats

HERE = Path(__file__).resolve().parent
GENERATED = HERE / "datasets" / "_generated"
API_LIST = HERE / "_api_list.md"

# Headed sections of the API page, in reading order: module -> title.
API_SECTIONS = {
    "casestats.datasets": "Bundled datasets",
    "casestats.io": "Reading, validating and writing case series",
    "casestats.caseseries": "The case series",
    "casestats.combine": "Combining case series",
    "casestats.duplicates": "Possible duplicate patients",
    "casestats.cohorts": "Cohort counts",
    "casestats.problems": "Validation reports",
    "casestats.schema": "The schema",
    "casestats.privacy": "Checking a dataset before sharing it",
    "casestats.analysis.subtypes": "Subtype frequency",
    "casestats.analysis.sites": "Site distribution",
    "casestats.analysis.association": "Disease association",
    "casestats.reporting.table_one": "Table 1",
    "casestats.reporting": "The report",
    "casestats.extraction": "Drafting records from a case report's text",
    "casestats.stats.intervals": "Proportions and intervals",
    "casestats.stats.contingency": "Two-by-two and R-by-C tables",
    "casestats.stats.stratified": "Stratified analysis",
    "casestats.stats.meta_analysis": "Meta-analysis",
    "casestats.stats.meta_comparisons": "Meta-analysis: risk ratios and risk differences",
    "casestats.stats.meta_estimates": "Meta-analysis of reported estimates",
    "casestats.stats.heterogeneity": "Meta-analysis: intervals for tau², I² and H²",
    "casestats.stats.subgroups": "Meta-analysis: subgroups",
    "casestats.stats.meta_regression": "Meta-regression",
    "casestats.stats.influence": "Meta-analysis: leave-one-out and influence",
    "casestats.stats.small_study": "Meta-analysis: small-study effects",
    "casestats.stats.multiple_testing": "Multiple testing",
    "casestats.stats.goodness_of_fit": "Goodness of fit",
    "casestats.stats.permutation": "Profiles of several items across groups",
    "casestats.stats.level_comparison": "One comparison per level, adjusted",
    "casestats.stats.regression": "Regression",
    "casestats.exceptions": "Exceptions and warnings",
}

# Public modules whose functions are used as ``casestats.<module>.<name>``.
API_MODULES = {
    "casestats.plotting": "Figures (``casestats.plotting``)",
    "casestats.synthetic": "Synthetic data (``casestats.synthetic``)",
}


def _write_if_changed(path: Path, text: str) -> None:
    # An unchanged mtime keeps Sphinx from re-reading a page that did not change.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- API list
def api_sections() -> list[tuple[str, str, list[str]]]:
    """(title, currentmodule, names) for every section of the API page."""
    lazy = casestats._LAZY
    missing = set(casestats.__all__) - set(lazy) - {"__version__"}
    if missing:
        raise RuntimeError(f"public names without a module: {sorted(missing)}")
    unknown = set(lazy.values()) - set(API_SECTIONS)
    if unknown:
        # A new module must be given a section, or its names would vanish from the page.
        raise RuntimeError(f"add these modules to API_SECTIONS in docs/_docgen.py: {unknown}")
    sections = []
    for module, title in API_SECTIONS.items():
        names = sorted(name for name, mod in lazy.items() if mod == module)
        if names:
            sections.append((title, "casestats", names))
    for module, title in API_MODULES.items():
        mod = __import__(module, fromlist=["__all__"])
        sections.append((title, module, sorted(mod.__all__)))
    return sections


def api_markdown() -> str:
    blocks = []
    for title, module, names in api_sections():
        body = "\n".join(names)
        blocks.append(
            f"## {title}\n\n```{{eval-rst}}\n.. currentmodule:: {module}\n\n"
            f".. autosummary::\n   :toctree: _api\n   :nosignatures:\n\n"
            + "\n".join(f"   {name}" for name in body.splitlines())
            + "\n```\n"
        )
    return "\n".join(blocks)


def write_api_list(app) -> None:
    _write_if_changed(API_LIST, api_markdown())


# ----------------------------------------------------------- dataset pages
def _cell(text) -> str:
    """A value made safe for one cell of a Markdown table."""
    return " ".join(str(text if text is not None else "").split()).replace("|", "\\|")


def _bullets(items) -> str:
    if not items:
        return "None recorded.\n"
    if isinstance(items, str):
        items = [items]
    return "\n".join(f"- {_cell(item)}" for item in items) + "\n"


def dataset_page(name: str) -> str:
    """The MyST page of one bundled dataset, built from its metadata sidecar."""
    meta = casestats.dataset_metadata(name)
    data = casestats.load_dataset(name)
    table = isinstance(data, pd.DataFrame)  # counts without a class of their own
    sources = data.attrs["sources"] if table else data.sources
    lines = [
        "---",
        "file_format: mystnb",
        "kernelspec:",
        "  name: python3",
        "  display_name: Python 3",
        "---",
        "",
        f"<!-- generated by docs/_docgen.py from datasets/{name}/metadata.json: do not edit -->",
        "",
        f"# `{name}`",
        "",
        f"**{_cell(meta['title'])}**",
        "",
        _cell(meta.get("description", "")),
        "",
        "| | |",
        "|---|---|",
        f"| kind | {meta['kind']} |",
        f"| version | {meta.get('version', '')} |",
        f"| rows | {meta.get('n_rows', '')} |",
        f"| sources | {len(sources)} |",
        f"| files | {', '.join(f'`{f}`' for f in meta['files'].values())} |",
        f"| licence | {_cell(meta.get('licence', ''))} |",
        "",
        "## Load it",
        "",
        "```{code-cell} ipython3",
        "import casestats",
        "",
        f'data = casestats.load_dataset("{name}")',
    ]
    if table:
        lines += ["data.head()"]
    elif meta["kind"] == "cases":
        lines += ["data"]
    else:  # a CohortTable: its summary, then the dataset's own table
        lines += ["print(data)", "data.to_frame().head()"]
    lines += [
        "```",
        "",
        "## Columns",
        "",
        "| column | type | unit | description |",
        "|---|---|---|---|",
    ]
    for col in meta["columns"]:
        kind = col.get("type", "")
        if col.get("vocabulary"):
            kind += f" ({col['vocabulary']})"
        lines.append(
            f"| `{col['name']}` | {_cell(kind)} | {_cell(col.get('unit', ''))} "
            f"| {_cell(col.get('description', ''))} |"
        )
    lines += ["", "## Caveats", "", _bullets(meta.get("caveats"))]
    lines += ["## Known gaps", "", _bullets(meta.get("known_gaps"))]
    if meta.get("corrections"):
        lines += ["## Corrections to the published figures", "", _bullets(meta["corrections"])]
    if meta.get("curation"):
        lines += ["## Curation", "", _cell(meta["curation"]), ""]
    lines += ["## Sources cited", ""]
    for _, row in sources.iterrows():
        citation = _cell(row.get("citation", "") or row["source_id"])
        if row.get("doi"):
            link = f" <https://doi.org/{row['doi']}>"
        else:
            link = f" <{row['url']}>" if row.get("url") else ""
        lines.append(f"- `{row['source_id']}`: {citation}{link}")
    lines += ["", "## How to cite", "", _cell(meta.get("citation", "")), ""]
    return "\n".join(lines)


def write_dataset_pages(app) -> None:
    GENERATED.mkdir(parents=True, exist_ok=True)
    names = casestats.list_datasets()["name"].tolist()
    for name in names:
        _write_if_changed(GENERATED / f"{name}.md", dataset_page(name))
    for stale in GENERATED.glob("*.md"):
        if stale.stem not in names:
            stale.unlink()
    _write_if_changed(GENERATED / "names.json", json.dumps(names))
