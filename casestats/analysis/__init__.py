"""The three calcinosis analyses: subtype frequency, site distribution, disease association.

Each is a thin composition of the two layers: :mod:`casestats.counts` turns
case records (or published cohort rows) into count tables, and the statistics
layer (:mod:`casestats.stats`) turns count tables into intervals, tests and
pooled estimates. Results computed from pooled case reports carry
:data:`~casestats.CASE_REPORT_CAVEAT`.
"""

from casestats.analysis.association import (
    CaseAssociation,
    CohortAssociation,
    disease_association,
)
from casestats.analysis.sites import SiteDistribution, site_distribution
from casestats.analysis.subtypes import SubtypeFrequency, subtype_frequency

__all__ = [
    "CaseAssociation",
    "CohortAssociation",
    "SiteDistribution",
    "SubtypeFrequency",
    "disease_association",
    "site_distribution",
    "subtype_frequency",
]
