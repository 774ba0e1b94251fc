"""The report's sections: each runs one analysis and says what ran.

Each section is one small function that takes a :class:`_Context` and
returns a :class:`_Section` of blocks (paragraphs, tables, figures). Sections
add to the methods text what actually ran (which interval, at which level,
which test and why), so the methods section describes this report, not the
defaults.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from casestats._text import plural
from casestats.analysis.association import SSC_GROUPS
from casestats.reporting._blocks import _Context, _Section, _SourceList, _TableOneBlock
from casestats.schema import load_schema

__all__ = ["SECTIONS"]

#: The two systemic sclerosis subsets the report compares.


def level_text(confidence_level: float) -> str:
    """``0.95`` -> ``"95%"``, ``0.9`` -> ``"90%"``, ``0.995`` -> ``"99.5%"``."""
    return f"{100 * confidence_level:.10g}%"


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


def _shares(frame: pd.DataFrame, vocabulary: str, confidence_level: float) -> pd.DataFrame:
    """Reader's view of a tidy share table: level, k/n, share and interval."""
    return pd.DataFrame(
        {
            "group": frame["group"].astype(str),
            "level": [_label(vocabulary, str(t)) for t in frame["level"]],
            "patients": [
                f"{int(e)}/{int(t)}" for e, t in zip(frame["events"], frame["total"], strict=True)
            ],
            "share": frame["estimate"].map(_percent),
            f"{level_text(confidence_level)} CI": [
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
    from casestats.reporting.table_one import table_one

    meta = ctx.cases.metadata
    section = _Section("Dataset summary")
    title = meta.get("title") or "Case series of calcinosis cutis"
    n_sources = ctx.cases.data["source_id"].nunique()
    section.text(
        f"{title}: {plural(len(ctx.cases), 'patient')} from {plural(n_sources, 'source')}."
    )
    if meta.get("description"):
        section.text(meta["description"])
    if meta.get("citation"):
        section.text(f"Cite as: {meta['citation']}")
    table = table_one(ctx.cases)
    ctx.save_table("table1", table.to_frame())
    section.blocks.append(_TableOneBlock(table, "Table 1. Patients."))
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
        f"{Path(report.source).name or 'input'}: {plural(report.n_rows, 'row')} checked in "
        "one pass; "
        f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')} and "
        f"{plural(counts['info'], 'note')} "
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
    level = ctx.confidence_level
    result = ctx.run(subtype_frequency, ctx.cases, confidence_level=level)
    frame = result.to_frame()
    ctx.save_table("subtype_frequency", frame)
    shown = _shares(frame, "subtype", level).drop(columns="group")
    shown[f"simultaneous {level_text(level)} CI"] = [
        _interval(lo, hi)
        for lo, hi in zip(frame["simultaneous_low"], frame["simultaneous_high"], strict=True)
    ]
    section.table("subtype_frequency", shown, "Share of patients by calcinosis cutis subtype.")
    ctx.save_figure("subtype_frequency", result)
    section.figure("subtype_frequency", f"Subtype shares with their {level_text(level)} intervals.")
    ctx.method(
        f"Proportions have {result.method.title()} score intervals; the subtype mix also has "
        f"simultaneous intervals ({result.simultaneous_method.title()}), which hold for all "
        "subtypes at once."
    )
    return section


def _site_section(ctx: _Context) -> _Section:
    from casestats.analysis import site_distribution

    level, confidence = ctx.site_rank, ctx.confidence_level
    section = _Section("Lesion site distribution")
    if not ctx.cases.reported("sites").any():
        section.text("No source reports lesion sites.")
        return section
    overall = ctx.run(site_distribution, ctx.cases, rank=level, confidence_level=confidence)
    frame = overall.to_frame().sort_values("estimate", ascending=False, kind="stable")
    ctx.save_table(f"sites_by_{level}", frame)
    section.table(
        f"sites_by_{level}",
        _shares(frame, "site", confidence).drop(columns="group"),
        f"Patients with a lesion at each {level} (a patient counts once per {level}).",
    )
    ctx.save_figure(f"sites_{level}_bars", overall, kind="bars")
    section.figure(f"sites_{level}_bars", f"Share of patients with a lesion at each {level}.")
    ctx.save_figure("sites_body_map", overall, kind="body")
    section.figure("sites_body_map", "Body map: regions shaded by the share of patients.")
    subtypes = ctx.cases.data.loc[ctx.cases.reported("sites"), "subtype"]
    if subtypes[subtypes != ""].nunique() < 2:
        return section  # nothing to compare sites across
    by_subtype = ctx.run(
        site_distribution, ctx.cases, rank=level, by="subtype", confidence_level=confidence
    )
    ctx.save_table(f"sites_by_{level}_and_subtype", by_subtype.to_frame())
    ctx.save_figure(f"sites_{level}_by_subtype", by_subtype, kind="heatmap")
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
            f"{result.overall.method_description}, p = {_p(result.overall.pvalue)}."
        )
        ctx.method(
            f"Whether the site pattern differs between groups was tested with a "
            f"{result.overall.method_description}."
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
    a, b = SSC_GROUPS
    section = _Section(f"{a.capitalize()} vs {b} systemic sclerosis")
    if ctx.cohorts is None:
        section.text("No cohort counts were given, so there is no pooled comparison.")
    else:
        section.blocks += _cohort_blocks(ctx).blocks
    section.blocks += _case_ssc_blocks(ctx).blocks
    return section


def _cohort_blocks(ctx: _Context) -> _Section:
    from casestats.analysis import disease_association

    out = _Section("")
    result, messages = _run(
        ctx.run,
        disease_association,
        ctx.cohorts,
        groups=SSC_GROUPS,
        confidence_level=ctx.confidence_level,
    )
    a, b = result.groups
    # a user's own cohorts are not "published cohorts": the result carries what to call them
    compared = f"{a} vs {b} cutaneous systemic sclerosis" if (a, b) == SSC_GROUPS else f"{a} vs {b}"
    out.text(
        f"{result.title[:1].upper()}{result.title[1:]}: calcinosis in {compared}. "
        f"{plural(len(result.studies), 'cohort')} pooled, "
        f"{plural(len(result.excluded), 'row')} left out."
    )
    studies = result.studies
    ctx.save_table("cohort_studies", studies)
    papers = result.reported_pvalues
    shown = pd.DataFrame(
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
    )
    out.table(
        "cohort_studies",
        shown if papers else shown.drop(columns="reported p"),
        "Each cohort: counts, the 2x2 test that ran and why"
        + (", beside the p-value the paper printed." if papers else "."),
    )
    out.blocks += _pooled_blocks(ctx, result).blocks
    for message in messages:
        out.text(f"Warning: {message}")
    excluded = result.excluded
    ctx.save_table("cohort_excluded", excluded)
    if len(excluded):
        out.table(
            "cohort_excluded",
            excluded[[c for c in ("cohort_id", "study", "source_id", "reason") if c in excluded]],
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
    shown = getattr(result, "mantel_haenszel_pooled", None) or mh
    frame = result.to_frame()
    ctx.save_table("cohort_pooled", frame)
    mh_ci = shown.confidence_interval()
    measure = re.scale
    number = _ratio if re.log_scale else _difference
    test = (f"t({re.k - 1})" if re.hksj and re.k > 1 else "z") + f" = {re.statistic:.2f}"
    cmh = f"CMH p = {_p(mh.pvalue_uncorrected)} uncorrected"
    if mh.correction:
        cmh += f", {_p(mh.pvalue)} continuity-corrected"
    pooled = pd.DataFrame(
        {
            "method": [re.method_label, "Mantel-Haenszel"],
            measure: [number(re.estimate), number(shown.estimate)],
            f"{level_text(ctx.confidence_level)} CI": [
                f"{number(re.ci_low)}–{number(re.ci_high)}",
                f"{number(mh_ci.low)}–{number(mh_ci.high)}",
            ],
            "test of the pooled effect": [f"{test}, p = {_p(re.pvalue)}", cmh],
            "heterogeneity": [
                re.heterogeneity.text(),
                f"Breslow-Day p = {_p(mh.breslow_day_pvalue)}",
            ],
        }
    )
    a, b = result.groups
    out.table("cohort_pooled", pooled, f"Pooled {measure}s ({a} vs {b}).")
    ctx.save_figure("cohort_forest", result)
    out.figure("cohort_forest", f"Forest plot: {measure} of calcinosis, {a} vs {b} SSc, with "
               "per-arm counts, the Mantel-Haenszel row, the prediction interval and the "
               "pooled tests.")  # fmt: skip
    out.text(_diagnostics_text(re))
    ctx.method(
        f"Cohorts were pooled ({measure}) with a {re.method_label} model (I² and τ² "
        "truncated at zero, with a prediction interval; the pooled effect tested by z) and, "
        f"as a fixed-effect check, with the Mantel-Haenszel {measure} (Breslow-Day test of "
        "homogeneity; the Cochran-Mantel-Haenszel test of no association given with and "
        "without continuity correction)."
    )
    return out


def _difference(x: float) -> str:
    return "" if pd.isna(x) else f"{x:.3f}".replace("-", "−")


def _diagnostics_text(re) -> str:
    """Small-study and influence diagnostics in a sentence, or why they are not shown."""
    k = re.k
    if k < 10:
        return (f"Small-study tests (Egger, Peters, Begg, trim-and-fill) and influence "
                f"diagnostics are not shown: {k} studies are pooled, and with fewer than 10 "
                "these tests cannot tell chance from small-study effects (Sterne et al. 2011, "
                "BMJ 343:d4002), nor one influential study from ordinary spread.")  # fmt: skip
    from casestats.stats.influence import leave_one_out
    from casestats.stats.small_study import egger_test

    egger = egger_test(re)
    loo = leave_one_out(re)
    low, high = min(loo.estimate), max(loo.estimate)
    return (f"Small-study effects: Egger's test {egger.statistic:.2f}, p = {_p(egger.pvalue)} "
            f"({k} studies). Leaving out one study at a time, the pooled estimate ranges "
            f"from {low:.3g} to {high:.3g}.")  # fmt: skip


def _case_ssc_blocks(ctx: _Context) -> _Section:
    from casestats.analysis import site_distribution
    from casestats.counts import ssc_subset_counts
    from casestats.stats.intervals import proportion

    out = _Section("")
    # The same denominator as the analysis scripts: counts.ssc_subset_counts decides who has SSc.
    counts = ssc_subset_counts(ctx.cases)
    n = int(counts["total"].iloc[0])
    if n == 0:
        out.text("No patient of the case series has systemic sclerosis.")
        return out
    rows = []
    for term, k in zip(counts["level"], counts["events"], strict=True):
        if k == 0:
            continue
        ci = proportion(int(k), n, confidence_level=ctx.confidence_level).confidence_interval()
        rows.append(
            {
                "group": "SSc",
                "level": term,
                "events": int(k),
                "total": n,
                "estimate": k / n,
                "ci_low": ci.low,
                "ci_high": ci.high,
            }
        )
    mix = pd.DataFrame(rows)
    ctx.save_table("case_ssc_subsets", mix)
    out.text(
        f"What the case reports show: {plural(n, 'patient')} with systemic sclerosis."
    )
    out.table(
        "case_ssc_subsets",
        _shares(mix, "ssc_subset", ctx.confidence_level).drop(columns="group"),
        "SSc subset mix among the case reports.",
    )
    subsets = ctx.cases.data["ssc_subset"]
    two = ctx.cases.subset(subsets.isin(SSC_GROUPS).to_numpy())
    groups = set(two.data["ssc_subset"])
    if len(groups) < 2 or not two.reported("sites").any():
        return out
    result = ctx.run(
        site_distribution,
        two,
        rank=ctx.site_rank,
        by="ssc_subset",
        confidence_level=ctx.confidence_level,
    )
    ctx.save_table("case_sites_by_ssc_subset", result.to_frame())
    ctx.save_figure("case_sites_by_ssc_subset", result, kind="heatmap")
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
    section.text(f"All intervals are two-sided {level_text(ctx.confidence_level)} intervals.")
    return section


def _caveat_section(ctx: _Context) -> _Section:
    section = _Section("Caveat")
    section.text(ctx.cases.caveat)
    return section


def _sources_section(ctx: _Context) -> _Section:
    section = _Section("Sources")
    frames = []
    if ctx.cases.sources is not None:
        used = set(ctx.cases.data["source_id"])
        frames.append(ctx.cases.sources[ctx.cases.sources["source_id"].isin(used)])
    cohorts = ctx.cohorts
    if isinstance(cohorts, pd.DataFrame):
        cohorts = None if "sources" not in cohorts.attrs else cohorts.attrs["sources"]
    elif cohorts is not None:
        cohorts = cohorts.sources  # a CohortTable
    if cohorts is not None:
        frames.append(cohorts)
    if not frames:
        section.text("No sources table was given.")
        return section
    sources = pd.concat(frames, ignore_index=True).fillna("").astype(str)
    sources = sources.drop_duplicates("source_id").reset_index(drop=True)
    ctx.save_table("sources", sources)
    section.blocks.append(_SourceList(sources))
    return section


#: The sections of the report, in order: (progress label, function).
SECTIONS: tuple[tuple[str, Callable[[_Context], _Section]], ...] = (
    ("dataset summary", _dataset_section),
    ("validation", _validation_section),
    ("subtype frequency", _subtype_section),
    ("site distribution", _site_section),
    (f"{SSC_GROUPS[0]} vs {SSC_GROUPS[1]} SSc", _association_section),
    ("methods", _methods_section),
    ("caveat", _caveat_section),
    ("sources", _sources_section),
)
