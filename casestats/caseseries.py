"""A validated case series: one record per patient, with its sources and report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casestats.schema import load_schema

if TYPE_CHECKING:
    from casestats.problems import ValidationReport

__all__ = ["CASE_REPORT_CAVEAT", "CaseSeries"]

#: Said by every result computed from pooled case reports.
CASE_REPORT_CAVEAT = (
    "Pooled case reports describe the published literature, not the population of "
    "patients: unusual presentations are more likely to be published."
)

_LIST_KINDS = ("term_list", "antibody_list", "site_list")


class CaseSeries:
    """Validated case records, one per patient.

    Build one with :func:`casestats.read_cases` (files and DataFrames) or
    :func:`casestats.load_dataset` (bundled data), which validate first.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table of text cells (see
        :func:`casestats.validation.check_table`).
    sources : pandas.DataFrame, optional
        One row per publication, keyed by ``source_id``.
    report : ValidationReport, optional
        What validation found (warnings and notes; no errors).
    metadata : dict, optional
        Dataset metadata (title, citation, caveats...).

    Examples
    --------
    >>> import casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> cases.sites().columns.tolist()
    ['case_id', 'site', 'laterality', 'region', 'limb']
    >>> int(cases.reported("subtype").sum()) <= len(cases)
    True
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        sources: pd.DataFrame | None = None,
        report: ValidationReport | None = None,
        metadata: dict[str, Any] | None = None,
    ):
        self._data = data.reset_index(drop=True)
        self.sources = sources
        self.report = report
        self.metadata = dict(metadata or {})
        self.metadata.setdefault("caveat", CASE_REPORT_CAVEAT)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, sources=None) -> CaseSeries:
        """Validate a DataFrame and build a case series (see :func:`casestats.read_cases`)."""
        from casestats.io import read_cases

        return read_cases(frame, sources=sources)

    @property
    def data(self) -> pd.DataFrame:
        """The canonical text table, exactly as it would be written back (a copy)."""
        return self._data.copy()

    @property
    def case_ids(self) -> pd.Series:
        return self._data["case_id"]

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        n_sources = self._data["source_id"].nunique() if "source_id" in self._data else 0
        title = self.metadata.get("title", "")
        lines = [f"CaseSeries: {len(self)} cases from {n_sources} sources"]
        if title:
            lines.append(f"  {title}")
        if self.report is not None:
            warnings, notes = self.report.count("warning"), self.report.count("info")
            lines.append(f"  validation: {warnings} warnings, {notes} notes")
        lines.append(f"  caveat: {self.metadata['caveat']}")
        return "\n".join(lines)

    # -- what was reported ---------------------------------------------------

    def reported(self, field: str) -> pd.Series:
        """Whether each case reports `field` (not empty, not a "not reported" marker).

        Unreported cases leave that field's denominator.
        """
        values = self._column(field)
        schema = load_schema()
        markers = pd.Series(pd.unique(values))
        missing = set(markers[markers.map(schema.is_missing).astype(bool)])
        return ((values != "") & ~values.isin(missing)).rename(field)

    def _column(self, field: str) -> pd.Series:
        if field not in self._data:
            raise KeyError(f"the case series has no column {field!r}")
        return self._data[field]

    def subset(self, mask) -> CaseSeries:
        """The cases where `mask` (a boolean array or Series) is true."""
        mask = np.asarray(mask, dtype=bool)
        return CaseSeries(
            self._data.loc[mask], sources=self.sources, report=self.report, metadata=self.metadata
        )

    # -- views ---------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """The cases as typed columns.

        Ages and laboratory values become floats (``90+`` reads as 90.0),
        everything else stays text, with unreported values missing (``NA``).
        Multi-valued fields stay ``"a; b"`` text; use :meth:`sites`,
        :meth:`conditions`, :meth:`autoantibodies` and :meth:`treatments` for
        one row per value.
        """
        schema = load_schema()
        out = {}
        for column in self._data.columns:
            field = schema.fields.get(column)
            values = self._data[column]
            if field is None or field.kind in ("text", "identifier"):
                out[column] = values
                continue
            reported = self.reported(column)
            if field.kind in ("age", "number"):
                numbers = values.where(values != "90+", "90")
                out[column] = pd.to_numeric(numbers.where(reported), errors="coerce")
            else:
                out[column] = values.where(reported)
        return pd.DataFrame(out)

    def _long(self, field: str) -> pd.DataFrame:
        values = self._column(field)
        reported = self.reported(field)
        frame = pd.DataFrame({"case_id": self._data["case_id"], "value": values.str.split("; ")})
        frame = frame.loc[reported.to_numpy()].explode("value", ignore_index=True)
        return frame

    def sites(self) -> pd.DataFrame:
        """One row per case and lesion site: case_id, site, laterality, region, limb."""
        frame = self._long("sites")
        parts = frame["value"].str.extract(r"^(?P<site>[^ (]+)(?: \((?P<laterality>[^)]*)\))?$")
        schema = load_schema()
        regions, limbs = schema.rollup_map("region"), schema.rollup_map("limb")
        return pd.DataFrame(
            {
                "case_id": frame["case_id"],
                "site": parts["site"],
                "laterality": parts["laterality"],
                "region": parts["site"].map(regions),
                "limb": parts["site"].map(limbs),
            }
        )

    def conditions(self) -> pd.DataFrame:
        """One row per case and underlying condition: case_id, condition."""
        return self._long("conditions").rename(columns={"value": "condition"})

    def treatments(self) -> pd.DataFrame:
        """One row per case and treatment: case_id, treatment."""
        return self._long("treatments").rename(columns={"value": "treatment"})

    def autoantibodies(self) -> pd.DataFrame:
        """One row per case and antibody tested: case_id, antibody, result (positive / negative)."""
        frame = self._long("autoantibodies")
        sign = frame["value"].str[-1]
        return pd.DataFrame(
            {
                "case_id": frame["case_id"],
                "antibody": frame["value"].str[:-1],
                "result": sign.map({"+": "positive", "-": "negative"}),
            }
        )
