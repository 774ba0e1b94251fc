"""A validated case series: one record per patient, with its sources and report."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casestats.schema import load_schema
from casestats.sources import CASE_REPORT_CAVEAT, NOT_STATED, canonical_kind, series_caveat

if TYPE_CHECKING:
    from casestats.io._table import RawTable
    from casestats.problems import ValidationReport

__all__ = ["CASE_REPORT_CAVEAT", "CaseSeries"]

_LIST_KINDS = ("term_list", "antibody_list", "site_list")
# One item of a site list: "finger_pad" or "finger_pad (left)".
_SITE_ITEM = r"^(?P<site>[^ (]+)(?: \((?P<laterality>[^)]*)\))?$"


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
        One row per publication or clinic, keyed by ``source_id``; its
        ``kind`` column (see :data:`casestats.sources.SOURCE_KINDS`) decides
        the :attr:`caveat`.
    report : ValidationReport, optional
        What validation found (warnings and notes; no errors).
    metadata : dict, optional
        Dataset metadata (title, citation, caveats...).

    Attributes
    ----------
    caveat : str
        What every result of these cases must say about where they come from:
        the published-literature caveat for published case reports, another
        for one's own patients or a registry, each with its share of the cases
        in a mixed series.

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
        if sources is not None and "kind" in sources:
            # validation accepted synonyms ("own patients"): keep the canonical kind
            kinds = sources["kind"].map(lambda k: canonical_kind("" if pd.isna(k) else k) or k)
            sources = sources.assign(kind=kinds.replace(NOT_STATED, ""))
        self.sources = sources
        self.report = report
        self.metadata = dict(metadata or {})
        self.caveat = series_caveat(self)
        # Where each row and column stood in the file (a RawTable without its cells), set by
        # read_cases, so that check_publishable locates findings as validate does: Cases!D2.
        self._cells: RawTable | None = None
        # The cases never change, and one analysis asks for the sites several times.
        self._sites: pd.DataFrame | None = None
        self._indicators: dict[str, pd.DataFrame] = {}

    @property
    def data(self) -> pd.DataFrame:
        """The canonical text table, exactly as it would be written back (a copy)."""
        return self._data.copy()

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
        lines.append(f"  caveat: {self.caveat}")
        return "\n".join(lines)

    def __add__(self, other):
        # `+` could mean several things (which labels? which metadata?): say what to call
        raise TypeError(
            "case series are combined with casestats.concat([a, b], keys=['a', 'b']), "
            "which records where each case came from; '+' is not defined"
        )

    __radd__ = __add__

    # -- what was reported ---------------------------------------------------

    def reported(self, field: str) -> pd.Series:
        """Whether each case reports `field` (not empty, not a "not reported" marker).

        Unreported cases leave that field's denominator.
        """
        values = self.column(field)
        schema = load_schema()
        markers = pd.Series(pd.unique(values))
        missing = set(markers[markers.map(schema.is_missing).astype(bool)])
        return ((values != "") & ~values.isin(missing)).rename(field)

    def column(self, field: str) -> pd.Series:
        """One column of the canonical text table, without copying it.

        Cheaper than ``cases.data[field]`` on large series; treat it as read-only.
        """
        if field not in self._data:
            raise KeyError(f"the case series has no column {field!r}")
        return self._data[field]

    def subset(self, mask) -> CaseSeries:
        """The cases where `mask` (a boolean array or Series) is true."""
        mask = np.asarray(mask, dtype=bool)
        subset = CaseSeries(
            self._data.loc[mask], sources=self.sources, report=self.report, metadata=self.metadata
        )
        if self._cells is not None:
            subset._cells = replace(self._cells, row_numbers=self._cells.row_numbers[mask])
        return subset

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
        """One row per case and value of a list field: case_id, value."""
        rows, values = self._long_rows(field)
        case_ids = self._data["case_id"]
        return pd.DataFrame(
            {
                "case_id": pd.Series(case_ids.to_numpy(dtype=object)[rows], dtype=case_ids.dtype),
                "value": values,
            }
        )

    def _long_rows(self, field: str) -> tuple[np.ndarray, np.ndarray]:
        """Row positions and values of a list field, one entry per value.

        A registry has few distinct cells (``"finger_pad (left); elbow"``...)
        repeated over many patients, so each distinct cell is split once and
        the rows are assembled with numpy: time grows with the patients, not
        with Python work per patient.
        """
        values = self.column(field)
        reported = self.reported(field).to_numpy(dtype=bool)
        codes, uniques = pd.factorize(values.to_numpy(dtype=object)[reported])
        items = [str(cell).split("; ") for cell in uniques]
        lengths = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
        flat = np.array([v for cell in items for v in cell], dtype=object)
        # Where each distinct cell's items start in `flat`, and each row's in the output.
        cell_start = np.cumsum(lengths) - lengths
        per_row = lengths[codes]
        row_start = np.cumsum(per_row) - per_row
        take = np.arange(per_row.sum()) + np.repeat(cell_start[codes] - row_start, per_row)
        rows = np.repeat(np.flatnonzero(reported), per_row)
        return rows, (flat[take] if take.size else flat)

    def sites(self) -> pd.DataFrame:
        """One row per case and lesion site: case_id, site, laterality, region, limb."""
        if self._sites is None:
            self._sites = self._parse_sites()
        return self._sites.copy()

    def _parse_sites(self) -> pd.DataFrame:
        rows, values = self._long_rows("sites")
        # Parse each distinct "site (side)" once, then broadcast by code.
        codes, uniques = pd.factorize(values)
        parts = pd.Series(uniques, dtype=object).str.extract(_SITE_ITEM)
        self._site_rows, self._site_codes = rows, codes
        self._distinct_sites = parts["site"].to_numpy(dtype=object)
        schema = load_schema()
        site = self._distinct_sites[codes]
        case_ids = self._data["case_id"]
        # the data's own text dtype ("str" on pandas 3): pandas 2.2 "str" turns NaN into "nan"
        text = case_ids.dtype
        return pd.DataFrame(
            {
                "case_id": pd.Series(case_ids.to_numpy(dtype=object)[rows], dtype=text),
                "site": pd.Series(site, dtype=text),
                "laterality": pd.Series(
                    parts["laterality"].to_numpy(dtype=object)[codes], dtype=text
                ),
                "region": pd.Series(site).map(schema.rollup_map("region")).astype(text),
                "limb": pd.Series(site).map(schema.rollup_map("limb")).astype(text),
            }
        )

    def site_indicators(self, level: str = "site") -> pd.DataFrame:
        """Whether each patient has a lesion at each anatomical term: one column per term.

        Parameters
        ----------
        level : {"site", "region", "limb"}
            Rank of the anatomical hierarchy (a lesion recorded at a coarser
            rank keeps that rank).

        Returns
        -------
        pandas.DataFrame
            Boolean, indexed by case_id, one column per term seen in the data
            at that level, in the anatomy table's order (head to foot).
            Patients whose source did not report the sites have no lesion
            anywhere here: use :meth:`reported` to leave them out.

        Examples
        --------
        >>> import casestats
        >>> cases = casestats.load_dataset("calcinosis_case_reports")
        >>> limbs = cases.site_indicators("limb")
        >>> bool(limbs["upper_limb"].sum() <= len(cases))
        True
        """
        if level not in ("site", "region", "limb"):
            raise ValueError(f"level={level!r}; expected one of ['limb', 'region', 'site']")
        if level not in self._indicators:
            if self._sites is None:
                self._sites = self._parse_sites()
            schema = load_schema()
            rollup = schema.rollup_map(level)
            # each distinct cell's term at this level, then broadcast to the rows
            distinct = np.array([rollup[t] for t in self._distinct_sites], dtype=object)
            term_codes, terms = pd.factorize(distinct)
            order = {term: k for k, term in enumerate(schema.terms("site"))}
            ranked = sorted(range(len(terms)), key=lambda k: (order[terms[k]], terms[k]))
            position = np.empty(len(terms), dtype=np.int64)
            position[ranked] = np.arange(len(terms))
            rows, codes = self._site_rows, position[term_codes][self._site_codes]
            matrix = np.zeros((len(self._data), len(terms)), dtype=bool)
            matrix[rows, codes] = True
            self._indicators[level] = pd.DataFrame(
                matrix,
                index=pd.Index(self._data["case_id"].to_numpy(dtype=object), name="case_id"),
                columns=[terms[k] for k in ranked],
            )
        return self._indicators[level]

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
