"""Exceptions and named warnings raised by casestats.

Kept free of heavy imports: it is loaded by ``import casestats``.
"""

from __future__ import annotations

__all__ = [
    "CasestatsWarning",
    "CaseSeriesValidationError",
    "SeparationWarning",
    "SmallSampleWarning",
]


class CasestatsWarning(UserWarning):
    """Base class for the warnings casestats emits, so users can filter them at once."""


class SmallSampleWarning(CasestatsWarning):
    """A result rests on too little data to be read with confidence.

    Raised, for example, when a random-effects meta-analysis pools fewer than
    five studies, where tau² is estimated very imprecisely.
    """


class SeparationWarning(CasestatsWarning):
    """A logistic model shows (quasi-)complete separation.

    Maximum-likelihood estimates do not exist; casestats switches to Firth's
    penalised likelihood and says so in the result.
    """


class CaseSeriesValidationError(ValueError):
    """Input that cannot be read as a case series.

    Parameters
    ----------
    report : ValidationReport
        Every problem found, in one pass. ``report.problems`` is a tidy
        DataFrame with one row per problem (severity, row, cell, column,
        case_id, value, expected, hint).

    Notes
    -----
    It is a :class:`ValueError`, so existing ``except ValueError`` clauses
    keep working.
    """

    def __init__(self, report):
        self.report = report
        super().__init__(str(report))
