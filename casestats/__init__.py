"""casestats: statistics for case series of calcinosis cutis.

Public names are imported lazily (PEP 562), so ``import casestats`` stays
cheap: pandas, scipy, statsmodels and matplotlib load only when a
function that needs them is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    # the domain layer: schema, reading, validation, datasets
    "load_schema": "casestats.schema",
    "CaseSeries": "casestats.caseseries",
    "CASE_REPORT_CAVEAT": "casestats.caseseries",
    "read_cases": "casestats.io",
    "write_cases": "casestats.io",
    "validate": "casestats.io",
    "concat": "casestats.combine",
    "CohortTable": "casestats.cohorts",
    "read_cohorts": "casestats.cohorts",
    "list_datasets": "casestats.datasets",
    "load_dataset": "casestats.datasets",
    "dataset_metadata": "casestats.datasets",
    "possible_duplicates": "casestats.duplicates",
    "ValidationReport": "casestats.problems",
    # the statistics layer: count tables in, results out
    "proportion": "casestats.stats.intervals",
    "multinomial_intervals": "casestats.stats.intervals",
    "compare_proportions": "casestats.stats.contingency",
    "contingency_test": "casestats.stats.contingency",
    "adjust_pvalues": "casestats.stats.multiple_testing",
    "goodness_of_fit": "casestats.stats.goodness_of_fit",
    "profile_test": "casestats.stats.permutation",
    "compare_levels": "casestats.stats.level_comparison",
    "mantel_haenszel": "casestats.stats.stratified",
    "meta_proportions": "casestats.stats.meta_analysis",
    "meta_odds_ratios": "casestats.stats.meta_analysis",
    "meta_risk_ratios": "casestats.stats.meta_comparisons",
    "meta_risk_differences": "casestats.stats.meta_comparisons",
    "meta_estimates": "casestats.stats.meta_estimates",
    "logistic": "casestats.stats.regression",
    "heterogeneity_intervals": "casestats.stats.heterogeneity",
    "subgroup_analysis": "casestats.stats.subgroups",
    "meta_regression": "casestats.stats.meta_regression",
    "leave_one_out": "casestats.stats.influence",
    "influence": "casestats.stats.influence",
    "egger_test": "casestats.stats.small_study",
    "peters_test": "casestats.stats.small_study",
    "begg_test": "casestats.stats.small_study",
    "trim_and_fill": "casestats.stats.small_study",
    "write_template": "casestats.io",
    "to_phenopackets": "casestats.io",
    "write_phenopackets": "casestats.io",
    "PhenopacketExport": "casestats.io",
    "table_one": "casestats.reporting.table_one",
    "TableOne": "casestats.reporting.table_one",
    "check_publishable": "casestats.privacy",
    "report": "casestats.reporting",
    "markdown_table": "casestats.reporting",
    "extract": "casestats.extraction",
    # the calcinosis analyses
    "subtype_frequency": "casestats.analysis.subtypes",
    "site_distribution": "casestats.analysis.sites",
    "disease_association": "casestats.analysis.association",
    # exceptions and warnings (cheap, but listed here so dir() shows them)
    "CaseSeriesValidationError": "casestats.exceptions",
    "CasestatsWarning": "casestats.exceptions",
    "SmallSampleWarning": "casestats.exceptions",
    "SeparationWarning": "casestats.exceptions",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'casestats' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover - for static analysers only
    from casestats.analysis.association import disease_association  # noqa: F401
    from casestats.analysis.sites import site_distribution  # noqa: F401
    from casestats.analysis.subtypes import subtype_frequency  # noqa: F401
    from casestats.caseseries import CASE_REPORT_CAVEAT, CaseSeries  # noqa: F401
    from casestats.cohorts import CohortTable, read_cohorts  # noqa: F401
    from casestats.combine import concat  # noqa: F401
    from casestats.datasets import dataset_metadata, list_datasets, load_dataset  # noqa: F401
    from casestats.duplicates import possible_duplicates  # noqa: F401
    from casestats.exceptions import (  # noqa: F401
        CaseSeriesValidationError,
        CasestatsWarning,
        SeparationWarning,
        SmallSampleWarning,
    )
    from casestats.extraction import extract  # noqa: F401
    from casestats.io import (  # noqa: F401
        PhenopacketExport,
        read_cases,
        to_phenopackets,
        validate,
        write_cases,
        write_phenopackets,
        write_template,
    )
    from casestats.privacy import check_publishable  # noqa: F401
    from casestats.problems import ValidationReport  # noqa: F401
    from casestats.reporting import markdown_table, report  # noqa: F401
    from casestats.reporting.table_one import TableOne, table_one  # noqa: F401
    from casestats.schema import load_schema  # noqa: F401
    from casestats.stats.contingency import compare_proportions, contingency_test  # noqa: F401
    from casestats.stats.goodness_of_fit import goodness_of_fit  # noqa: F401
    from casestats.stats.heterogeneity import heterogeneity_intervals  # noqa: F401
    from casestats.stats.influence import influence, leave_one_out  # noqa: F401
    from casestats.stats.intervals import multinomial_intervals, proportion  # noqa: F401
    from casestats.stats.level_comparison import compare_levels  # noqa: F401
    from casestats.stats.meta_analysis import meta_odds_ratios, meta_proportions  # noqa: F401
    from casestats.stats.meta_comparisons import (  # noqa: F401
        meta_risk_differences,
        meta_risk_ratios,
    )
    from casestats.stats.meta_estimates import meta_estimates  # noqa: F401
    from casestats.stats.meta_regression import meta_regression  # noqa: F401
    from casestats.stats.multiple_testing import adjust_pvalues  # noqa: F401
    from casestats.stats.permutation import profile_test  # noqa: F401
    from casestats.stats.regression import logistic  # noqa: F401
    from casestats.stats.small_study import (  # noqa: F401
        begg_test,
        egger_test,
        peters_test,
        trim_and_fill,
    )
    from casestats.stats.stratified import mantel_haenszel  # noqa: F401
    from casestats.stats.subgroups import subgroup_analysis  # noqa: F401
