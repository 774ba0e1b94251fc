"""The full report: every analysis, its tables and figures, in one HTML file.

:func:`report` runs the analyses on a case series (and, when given, the
published cohorts), writes each table as CSV and each figure as PNG and SVG,
and assembles them into ``report.html`` (self-contained: styles and figures
inline, no scripts, nothing fetched from the network) and ``report.md`` (the
same text, figures linked from ``figures/``).

Each section is one small function that takes a :class:`_Context` and
returns a :class:`_Section` of blocks (paragraphs, tables, figures); the
blocks are rendered twice, once as HTML and once as Markdown. Sections add
to the methods text what actually ran (which interval, which test and why),
so the methods section describes this report, not the defaults.
"""

from __future__ import annotations

import base64
import html
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from casestats.caseseries import CASE_REPORT_CAVEAT
from casestats.schema import load_schema

if TYPE_CHECKING:
    from casestats.caseseries import CaseSeries

__all__ = ["SECTIONS", "markdown_table", "report"]


# -- building blocks ----------------------------------------------------------


@dataclass(frozen=True)
class _Paragraph:
    text: str


@dataclass(frozen=True)
class _Table:
    name: str  # file stem under tables/
    frame: pd.DataFrame  # what the reader sees
    caption: str


@dataclass(frozen=True)
class _Figure:
    name: str  # file stem under figures/
    caption: str


@dataclass
class _Section:
    title: str
    blocks: list = field(default_factory=list)

    def text(self, text: str) -> None:
        self.blocks.append(_Paragraph(text))

    def table(self, name: str, frame: pd.DataFrame, caption: str) -> None:
        self.blocks.append(_Table(name, frame, caption))

    def figure(self, name: str, caption: str) -> None:
        self.blocks.append(_Figure(name, caption))


@dataclass
class _Context:
    """What the sections share: the inputs, the output folder and the methods said so far."""

    cases: CaseSeries
    cohorts: pd.DataFrame | None
    out: Path
    site_level: str
    methods: list[str] = field(default_factory=list)

    def method(self, sentence: str) -> None:
        if sentence not in self.methods:
            self.methods.append(sentence)

    def save_table(self, name: str, frame: pd.DataFrame) -> None:
        """Write the full-precision table (the report shows a rounded copy)."""
        path = self.out / "tables" / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False, lineterminator="\n")

    def save_figure(self, name: str, ax) -> None:
        import matplotlib.pyplot as plt

        from casestats.plotting import save_figure

        fig = ax.figure
        try:
            save_figure(fig, self.out / "figures" / name, dpi=150)
        finally:
            plt.close(fig)


# -- formatting ---------------------------------------------------------------


def _percent(x: float) -> str:
    return "" if pd.isna(x) else f"{100 * x:.1f}%"


def _interval(low: float, high: float) -> str:
    if pd.isna(low) or pd.isna(high):
        return ""
    return f"{100 * low:.1f}–{100 * high:.1f}%"


def _p(p: Any) -> str:
    if p is None or pd.isna(p):
        return ""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _ratio(x: float) -> str:
    return "" if pd.isna(x) else f"{x:.2f}"


def _label(vocabulary: str, term: str) -> str:
    schema = load_schema()
    if vocabulary == "site" and term in schema.rollup_map("limb"):
        return schema.label("site", term)
    return schema.label(vocabulary, term)


def _shares(frame: pd.DataFrame, vocabulary: str) -> pd.DataFrame:
    """Reader's view of a tidy share table: level, k/n, share and interval."""
    return pd.DataFrame(
        {
            "group": frame["group"].astype(str),
            "level": [_label(vocabulary, str(t)) for t in frame["level"]],
            "patients": [
                f"{int(e)}/{int(t)}" for e, t in zip(frame["events"], frame["total"], strict=True)
            ],
            "share": frame["estimate"].map(_percent),
            "95% CI": [
                _interval(lo, hi) for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)
            ],
        }
    )


def _tests_text(tests: pd.Series) -> str:
    """Which tests ran and how often, e.g. ``"fisher 3 times, chi2 once"``."""
    counts = tests.astype(str).value_counts()
    times = {1: "once", 2: "twice"}
    return ", ".join(f"{test} {times.get(k, f'{k} times')}" for test, k in counts.items())


def _run(function: Callable, *args, **kwargs):
    """Call an analysis and keep the warnings it raised (they belong in the report)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    messages = list(dict.fromkeys(str(w.message) for w in caught))
    return result, messages


# -- sections -----------------------------------------------------------------


def _dataset_section(ctx: _Context) -> _Section:
    from casestats.summary import table_one

    meta = ctx.cases.metadata
    section = _Section("Dataset summary")
    title = meta.get("title") or "Case series of calcinosis cutis"
    n_sources = ctx.cases.data["source_id"].nunique()
    section.text(f"{title}: {len(ctx.cases)} patients from {n_sources} sources.")
    if meta.get("description"):
        section.text(meta["description"])
    if meta.get("citation"):
        section.text(f"Cite as: {meta['citation']}")
    table = table_one(ctx.cases)
    ctx.save_table("table1", table)
    shown = table.rename(columns={"n_reported": "reported", "n_missing": "not reported"})
    # a characteristic is named once, above its levels, as in a printed Table 1
    shown["characteristic"] = shown["characteristic"].where(
        shown["characteristic"] != shown["characteristic"].shift(), ""
    )
    section.table(
        "table1",
        shown,
        "Table 1. Patients. Percentages are over the patients whose source reported the field.",
    )
    ctx.method(
        "Table 1 gives medians with interquartile ranges (linear interpolation) and counts "
        "over the patients whose source reported each field; unreported values leave the "
        "denominator and are counted as not reported."
    )
    return section


def _validation_section(ctx: _Context) -> _Section:
    section = _Section("Validation")
    report = ctx.cases.report
    if report is None:
        section.text("No validation report is attached to these cases.")
        return section
    counts = {s: report.count(s) for s in ("error", "warning", "info")}
    section.text(
        f"{Path(report.source).name or 'input'}: {report.n_rows} rows checked in one pass; "
        f"{counts['error']} errors, {counts['warning']} warnings and {counts['info']} notes "
        "(notes record values read as a synonym or normalised)."
    )
    problems = report.problems
    ctx.save_table("validation_problems", problems)
    serious = problems[problems["severity"] != "info"]
    if len(serious):
        columns = ["severity", "cell", "column", "case_id", "code", "value", "expected", "hint"]
        section.table(
            "validation_problems",
            serious[columns].astype(str).replace("<NA>", ""),
            "Warnings and errors, located as in the input file.",
        )
    else:
        section.text("No warnings or errors.")
    return section


def _subtype_section(ctx: _Context) -> _Section:
    from casestats.analysis import subtype_frequency

    section = _Section("Subtype frequency")
    result = subtype_frequency(ctx.cases)
    frame = result.to_frame()
    ctx.save_table("subtype_frequency", frame)
    shown = _shares(frame, "subtype").drop(columns="group")
    shown["simultaneous 95% CI"] = [
        _interval(lo, hi)
        for lo, hi in zip(frame["simultaneous_low"], frame["simultaneous_high"], strict=True)
    ]
    section.table("subtype_frequency", shown, "Share of patients by calcinosis cutis subtype.")
    ctx.save_figure("subtype_frequency", result.plot())
    section.figure("subtype_frequency", "Subtype shares with their 95% intervals.")
    ctx.method(
        f"Proportions have {result.method.title()} score intervals; the subtype mix also has "
        f"simultaneous intervals ({result.simultaneous_method.title()}), which hold for all "
        "subtypes at once."
    )
    return section


def _site_section(ctx: _Context) -> _Section:
    from casestats.analysis import site_distribution

    level = ctx.site_level
    section = _Section("Lesion site distribution")
    if not ctx.cases.reported("sites").any():
        section.text("No source reports lesion sites.")
        return section
    overall = site_distribution(ctx.cases, level=level)
    frame = overall.to_frame().sort_values("estimate", ascending=False, kind="stable")
    ctx.save_table(f"sites_by_{level}", frame)
    section.table(
        f"sites_by_{level}",
        _shares(frame, "site").drop(columns="group"),
        f"Patients with a lesion at each {level} (a patient counts once per {level}).",
    )
    ctx.save_figure(f"sites_{level}_bars", overall.plot(kind="bars"))
    section.figure(f"sites_{level}_bars", f"Share of patients with a lesion at each {level}.")
    ctx.save_figure("sites_body_map", overall.plot(kind="body"))
    section.figure("sites_body_map", "Body map: regions shaded by the share of patients.")
    subtypes = ctx.cases.data.loc[ctx.cases.reported("sites"), "subtype"]
    if subtypes[subtypes != ""].nunique() < 2:
        return section  # nothing to compare sites across
    by_subtype = site_distribution(ctx.cases, level=level, by="subtype")
    ctx.save_table(f"sites_by_{level}_and_subtype", by_subtype.to_frame())
    ctx.save_figure(f"sites_{level}_by_subtype", by_subtype.plot(kind="heatmap"))
    section.figure(f"sites_{level}_by_subtype", f"Share of patients by {level} and subtype.")
    section.blocks += _site_tests(ctx, by_subtype, f"sites_{level}_subtype_tests").blocks
    return section


def _site_tests(ctx: _Context, result, name: str) -> _Section:
    """The per-site tests across groups (BH-adjusted) and the overall test, as blocks."""
    out = _Section("")
    frame = result.to_frame()
    tested = frame.dropna(subset=["pvalue"]).drop_duplicates("level")
    if result.overall is not None:
        out.text(
            f"Overall difference in site pattern between {result.by} groups: "
            f"{result.overall['method']}, p = {_p(result.overall['pvalue'])}."
        )
        ctx.method(
            f"Whether the site pattern differs between groups was tested with a "
            f"{result.overall['method']}."
        )
    if len(tested):
        shown = pd.DataFrame(
            {
                "level": [_label("site", t) for t in tested["level"]],
                "test": tested["test"].astype(str),
                "p": tested["pvalue"].map(_p),
                "p (BH-adjusted)": tested["pvalue_adjusted"].map(_p),
            }
        ).sort_values("p (BH-adjusted)", kind="stable")
        out.table(name, shown, f"Each site compared across {result.by} groups.")
        ctx.save_table(name, tested)
        ctx.method(
            f"Each site was compared across groups ({_tests_text(tested['test'])}; Fisher's "
            "exact test when an expected count is below 5); p-values were adjusted over the "
            "sites with the Benjamini-Hochberg procedure."
        )
    return out


def _association_section(ctx: _Context) -> _Section:
    section = _Section("Limited vs diffuse systemic sclerosis")
    if ctx.cohorts is None:
        section.text("No published cohorts were given, so there is no pooled comparison.")
    else:
        section.blocks += _cohort_blocks(ctx).blocks
    section.blocks += _case_ssc_blocks(ctx).blocks
    return section


def _cohort_blocks(ctx: _Context) -> _Section:
    from casestats.analysis import disease_association

    out = _Section("")
    result, messages = _run(disease_association, ctx.cohorts)
    a, b = result.levels
    out.text(
        f"Published cohorts: calcinosis in {a} vs {b} cutaneous systemic sclerosis. "
        f"{len(result.studies)} cohorts pooled, {len(result.excluded)} rows left out."
    )
    studies = result.studies
    ctx.save_table("cohort_studies", studies)
    out.table(
        "cohort_studies",
        pd.DataFrame(
            {
                "study": studies["study"],
                f"{a}: calcinosis": [
                    f"{e}/{t}" for e, t in zip(studies.events_a, studies.total_a, strict=True)
                ],
                f"{b}: calcinosis": [
                    f"{e}/{t}" for e, t in zip(studies.events_b, studies.total_b, strict=True)
                ],
                "odds ratio": studies["odds_ratio"].map(_ratio),
                "test (reason)": [
                    f"{t} ({r})" for t, r in zip(studies.test, studies.reason, strict=True)
                ],
                "p": studies["pvalue"].map(_p),
                "reported p": studies["reported_p"].fillna("").astype(str),
            }
        ),
        "Each cohort: counts, the 2x2 test that ran and why, beside the p-value the paper printed.",
    )
    out.blocks += _pooled_blocks(ctx, result).blocks
    for message in messages:
        out.text(f"Warning: {message}")
    excluded = result.excluded
    ctx.save_table("cohort_excluded", excluded)
    if len(excluded):
        out.table(
            "cohort_excluded",
            excluded[["cohort_id", "source_id", "reason"]],
            "Rows of the comparison not pooled, with the reason.",
        )
    ctx.method(
        f"Each cohort's 2x2 table was tested ({_tests_text(studies['test'])}; Fisher's exact "
        "test when an expected count is below 5, the reason is in the table)."
    )
    return out


def _pooled_blocks(ctx: _Context, result) -> _Section:
    out = _Section("")
    re, mh = result.random_effects, result.mantel_haenszel
    frame = result.to_frame()
    ctx.save_table("cohort_pooled", frame)
    mh_ci = mh.confidence_interval()
    pooled = pd.DataFrame(
        {
            "method": [re.method_label, "Mantel-Haenszel"],
            "odds ratio": [_ratio(re.estimate), _ratio(mh.estimate)],
            "95% CI": [
                f"{_ratio(re.ci_low)}–{_ratio(re.ci_high)}",
                f"{_ratio(mh_ci.low)}–{_ratio(mh_ci.high)}",
            ],
            "heterogeneity": [
                re.heterogeneity.text(),
                f"Breslow-Day p = {_p(mh.breslow_day_pvalue)}",
            ],
        }
    )
    out.table("cohort_pooled", pooled, "Pooled odds ratios (limited vs diffuse).")
    ctx.save_figure("cohort_forest", result.plot())
    out.figure("cohort_forest", "Forest plot: odds ratio of calcinosis, limited vs diffuse SSc.")
    ctx.method(
        f"Cohorts were pooled with a {re.method_label} model (I² and τ² "
        "truncated at zero, with a prediction interval) and, as a fixed-effect check, with the "
        "Mantel-Haenszel odds ratio (Robins-Breslow-Greenland interval; Breslow-Day test of "
        "homogeneity)."
    )
    return out


def _case_ssc_blocks(ctx: _Context) -> _Section:
    from casestats.analysis import site_distribution
    from casestats.stats.intervals import proportion

    out = _Section("")
    subsets = ctx.cases.data["ssc_subset"]
    with_ssc = subsets[ctx.cases.reported("ssc_subset") & (subsets != "not_applicable")]
    n = len(with_ssc)
    if n == 0:
        out.text("No patient of the case series has systemic sclerosis with a stated subset.")
        return out
    rows = []
    for term in load_schema().terms("ssc_subset"):
        k = int((with_ssc == term).sum())
        if term == "not_applicable" or k == 0:
            continue
        ci = proportion(k, n).confidence_interval()
        rows.append(
            {
                "group": "SSc",
                "level": term,
                "events": k,
                "total": n,
                "estimate": k / n,
                "ci_low": ci.low,
                "ci_high": ci.high,
            }
        )
    mix = pd.DataFrame(rows)
    ctx.save_table("case_ssc_subsets", mix)
    out.text(
        f"What the case reports show: {n} patients with systemic sclerosis and a stated subset."
    )
    out.table(
        "case_ssc_subsets",
        _shares(mix, "ssc_subset").drop(columns="group"),
        "SSc subset mix among the case reports.",
    )
    two = ctx.cases.subset(subsets.isin(["limited", "diffuse"]).to_numpy())
    groups = set(two.data["ssc_subset"])
    if len(groups) < 2 or not two.reported("sites").any():
        return out
    result = site_distribution(two, level=ctx.site_level, by="ssc_subset")
    ctx.save_table("case_sites_by_ssc_subset", result.to_frame())
    ctx.save_figure("case_sites_by_ssc_subset", result.plot(kind="heatmap"))
    out.figure("case_sites_by_ssc_subset", "Lesion sites of the case reports by SSc subset.")
    return out


def _methods_section(ctx: _Context) -> _Section:
    section = _Section("Methods")
    section.text(
        "Cases were read and validated in one pass against the casestats schema "
        f"(version {load_schema().version}); every share counts patients, not lesions."
    )
    for sentence in ctx.methods:
        section.text(sentence)
    section.text("All intervals are two-sided 95% intervals.")
    return section


def _caveat_section(ctx: _Context) -> _Section:
    section = _Section("Caveat")
    section.text(ctx.cases.metadata.get("caveat", CASE_REPORT_CAVEAT))
    return section


def _sources_section(ctx: _Context) -> _Section:
    section = _Section("Sources")
    frames = []
    if ctx.cases.sources is not None:
        used = set(ctx.cases.data["source_id"])
        frames.append(ctx.cases.sources[ctx.cases.sources["source_id"].isin(used)])
    if ctx.cohorts is not None and "sources" in ctx.cohorts.attrs:
        frames.append(ctx.cohorts.attrs["sources"])
    if not frames:
        section.text("No sources table was given.")
        return section
    sources = pd.concat(frames, ignore_index=True).fillna("").astype(str)
    sources = sources.drop_duplicates("source_id").reset_index(drop=True)
    ctx.save_table("sources", sources)
    section.blocks.append(_SourceList(sources))
    return section


@dataclass(frozen=True)
class _SourceList:
    frame: pd.DataFrame


def _source_links(row) -> list[tuple[str, str]]:
    links = []
    doi, pmid, url = (str(row.get(k, "") or "").strip() for k in ("doi", "pmid", "url"))
    if doi:
        links.append((f"doi:{doi}", f"https://doi.org/{doi}"))
    if pmid:
        links.append((f"PMID {pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
    if url and not doi:
        links.append(("link", url))
    return links


def _citation(row) -> str:
    citation = str(row.get("citation", "") or "").strip()
    if citation:
        return citation
    parts = [row.get(k, "") for k in ("first_author", "year", "title", "journal")]
    return ". ".join(str(p) for p in parts if p) or str(row["source_id"])


#: The sections of the report, in order: (progress label, function).
SECTIONS: tuple[tuple[str, Callable[[_Context], _Section]], ...] = (
    ("dataset summary", _dataset_section),
    ("validation", _validation_section),
    ("subtype frequency", _subtype_section),
    ("site distribution", _site_section),
    ("limited vs diffuse SSc", _association_section),
    ("methods", _methods_section),
    ("caveat", _caveat_section),
    ("sources", _sources_section),
)


# -- rendering ----------------------------------------------------------------

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 60em;
  margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; border-bottom: 2px solid #336; padding-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 2em; color: #336; }
table { border-collapse: collapse; margin: .5em 0 1.5em; font-size: .9em; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: .3em; }
th, td { padding: .2em .6em; border-bottom: 1px solid #ddd; text-align: left;
  vertical-align: top; }
th { background: #eef1f6; }
figure { margin: 1em 0 2em; }
figure img { width: 40em; max-width: 100%; height: auto; }
figcaption { font-size: .9em; color: #444; }
.caveat { background: #fff6e0; border-left: 4px solid #e0a000; padding: .5em 1em; }
nav ol { columns: 2; }
"""


def _html_block(block, out: Path) -> str:
    if isinstance(block, _Paragraph):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, _Table):
        body = block.frame.to_html(index=False, escape=True, border=0, na_rep="")
        caption = f"<caption>{html.escape(block.caption)}</caption>"
        return body.replace("<thead>", caption + "\n  <thead>", 1)
    if isinstance(block, _Figure):
        svg = (out / "figures" / f"{block.name}.svg").read_bytes()
        data = base64.b64encode(svg).decode("ascii")
        caption = html.escape(block.caption)
        return (
            f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{caption}">'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    items = []
    for _, row in block.frame.iterrows():
        links = " ".join(
            f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
            for text, href in _source_links(row)
        )
        items.append(f"<li>{html.escape(_citation(row))} {links}</li>")
    return "<ol>\n" + "\n".join(items) + "\n</ol>"


def markdown_table(frame: pd.DataFrame, *, digits: int = 3) -> str:
    """A DataFrame as a plain Markdown table, numbers rounded for reading.

    Parameters
    ----------
    frame : pandas.DataFrame
    digits : int
        Significant digits of floats; missing values are empty cells.

    Returns
    -------
    str

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"level": ["elbow"], "estimate": [0.123456]})))
    | level | estimate |
    |---|---|
    | elbow | 0.123 |
    """

    def cell(value) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if isinstance(value, float):
            return f"{value:.{digits}g}"
        return str(value).replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _md_block(block) -> str:
    if isinstance(block, _Paragraph):
        return block.text
    if isinstance(block, _Table):
        return f"*{block.caption}*\n\n" + markdown_table(block.frame)
    if isinstance(block, _Figure):
        return f"![{block.caption}](figures/{block.name}.png)"
    lines = []
    for i, (_, row) in enumerate(block.frame.iterrows(), start=1):
        links = " ".join(f"[{text}]({href})" for text, href in _source_links(row))
        lines.append(f"{i}. {_citation(row)} {links}".rstrip())
    return "\n".join(lines)


def _slug(title: str) -> str:
    return "-".join(title.lower().split())


def _render_html(title: str, sections: list[_Section], out: Path) -> str:
    nav = "\n".join(
        f'<li><a href="#{_slug(s.title)}">{html.escape(s.title)}</a></li>' for s in sections
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<nav><ol>\n{nav}\n</ol></nav>",
    ]
    for section in sections:
        parts.append(f'<section id="{_slug(section.title)}">')
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        css = ' class="caveat"' if section.title == "Caveat" else ""
        for block in section.blocks:
            rendered = _html_block(block, out)
            if css and isinstance(block, _Paragraph):
                rendered = rendered.replace("<p>", f"<p{css}>", 1)
            parts.append(rendered)
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _render_markdown(title: str, sections: list[_Section]) -> str:
    parts = [f"# {title}"]
    for section in sections:
        parts.append(f"## {section.title}")
        parts += [_md_block(block) for block in section.blocks]
    return "\n\n".join(parts) + "\n"


# -- entry point --------------------------------------------------------------


def report(
    cases: CaseSeries,
    *,
    cohorts: pd.DataFrame | None = None,
    out="report",
    site_level: str = "region",
    progress: Callable[[int, int, str], None] | None = None,
) -> Path:
    """Run every analysis and write the report, its tables and its figures.

    Parameters
    ----------
    cases : CaseSeries
        The case series (for example ``load_dataset("calcinosis_case_reports")``).
    cohorts : pandas.DataFrame, optional
        Published cohort rows (``load_dataset("ssc_calcinosis_cohorts")``): adds
        the pooled limited vs diffuse SSc comparison and its forest plot.
    out : str or pathlib.Path
        Output folder (created): ``report.html``, ``report.md``, ``tables/*.csv``
        and ``figures/*.png|svg``.
    site_level : {"site", "region", "limb"}
        Anatomical level of the lesion-site tables and figures.
    progress : callable, optional
        Called as ``progress(step, n_steps, label)`` before each section (the
        command line prints it).

    Returns
    -------
    pathlib.Path
        The path of ``report.html``.

    Notes
    -----
    Rerunning on the same input writes identical files: the tests that
    resample use a fixed seed, SVG figures a fixed hash salt and no date,
    and nothing records the time of the run. The HTML needs no network and
    no JavaScript: figures are embedded as SVG data.

    Examples
    --------
    >>> import tempfile, casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = report(cases, out=folder)
    ...     sorted(p.name for p in path.parent.glob("report.*"))
    ['report.html', 'report.md']
    """
    import matplotlib.pyplot as plt

    from casestats.summary import _with_empty_columns

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # a spreadsheet may leave out optional columns: they report nothing for anybody
    absent = [name for name in load_schema().fields if name not in cases.data.columns]
    if absent:
        cases = _with_empty_columns(cases, absent)
    ctx = _Context(cases=cases, cohorts=cohorts, out=out, site_level=site_level)
    sections = []
    n_steps = len(SECTIONS)
    open_before = set(plt.get_fignums())
    try:
        for step, (label, build) in enumerate(SECTIONS, start=1):
            if progress is not None:
                progress(step, n_steps, label)
            sections.append(build(ctx))
    finally:
        for number in set(plt.get_fignums()) - open_before:
            plt.close(number)
    title = cases.metadata.get("title") or "Calcinosis cutis case series"
    title = f"casestats report: {title}"
    (out / "report.md").write_text(_render_markdown(title, sections), encoding="utf-8")
    path = out / "report.html"
    path.write_text(_render_html(title, sections, out), encoding="utf-8")
    return path
