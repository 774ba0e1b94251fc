"""The curated datasets that ship with casestats, loaded from local files only.

Each dataset is a folder holding its data file(s) and a ``metadata.json``
sidecar (title, sources, licence, caveats and a dictionary of every column).
In an installed package the folders sit in ``casestats/_bundled_datasets``;
in a checkout they are the repository's ``datasets/``. Names are looked up
in that registry and never joined into a path.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["dataset_metadata", "list_datasets", "load_dataset"]

_NUMERIC_TYPES = {"integer": "Int64", "number": "float64"}

# How the bundled cohort dataset's columns map onto read_cohorts' arguments.
_COHORT_COLUMNS = {
    "study": "cohort_id",
    "events_a": "events_exposed",
    "total_a": "total_exposed",
    "events_b": "events_comparator",
    "total_b": "total_comparator",
    "pool": "pool",
    "overlaps": "overlaps_with",
    "measure": "reported_measure",
    "estimate": "reported_estimate",
    "lower": "reported_ci_low",
    "upper": "reported_ci_high",
    "groups": ("exposure", "comparator"),
}


def _root() -> Path:
    bundled = Path(str(resources.files("casestats"))) / "_bundled_datasets"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent.parent / "datasets"


@functools.cache
def _registry() -> dict[str, Path]:
    root = _root()
    folders = sorted(p.parent for p in root.glob("*/metadata.json")) if root.is_dir() else []
    return {folder.name: folder for folder in folders}


def _folder(name: str) -> Path:
    registry = _registry()
    if not isinstance(name, str) or name not in registry:
        raise ValueError(f"unknown dataset {name!r}; bundled datasets: {', '.join(registry)}")
    return registry[name]


def dataset_metadata(name: str) -> dict[str, Any]:
    """The metadata sidecar of a bundled dataset, as a dict.

    Examples
    --------
    >>> dataset_metadata("calcinosis_case_reports")["kind"]
    'cases'
    """
    text = (_folder(name) / "metadata.json").read_text(encoding="utf-8")
    return json.loads(text)


def list_datasets() -> pd.DataFrame:
    """The bundled datasets: name, kind, rows, title and description.

    Examples
    --------
    >>> "calcinosis_case_reports" in list_datasets()["name"].tolist()
    True
    """
    rows = []
    for name in _registry():
        meta = dataset_metadata(name)
        rows.append(
            {
                "name": name,
                "kind": meta.get("kind", ""),
                "n_rows": meta.get("n_rows"),
                "title": meta.get("title", ""),
                "description": meta.get("description", ""),
            }
        )
    return pd.DataFrame(rows, columns=["name", "kind", "n_rows", "title", "description"])


def load_dataset(name: str):
    """Load a bundled dataset (never from the network).

    Parameters
    ----------
    name : str
        One of ``list_datasets()["name"]``: ``"calcinosis_case_reports"``
        (individual published cases), ``"ssc_calcinosis_cohorts"`` (published
        cohort counts) or ``"calcinosis_site_subtype_counts"`` (published
        site, subtype and disease counts).

    Returns
    -------
    CaseSeries, CohortTable or pandas.DataFrame
        Case datasets come back validated as a :class:`~casestats.CaseSeries`;
        cohort counts (``ssc_calcinosis_cohorts``) validated as a
        :class:`~casestats.CohortTable` (``.to_frame()`` gives the dataset's
        own table, ``.sources`` and ``.metadata`` its sources and sidecar);
        other count datasets as a DataFrame whose ``attrs`` hold
        ``"metadata"`` and ``"sources"``.

    Examples
    --------
    >>> cases = load_dataset("calcinosis_case_reports")
    >>> len(cases) > 40
    True
    """
    folder = _folder(name)
    meta = dataset_metadata(name)
    files = meta["files"]
    sources_path = folder / files["sources"]
    if meta["kind"] == "cases":
        from casestats.io import read_cases

        cases = read_cases(folder / files["data"], sources=sources_path)
        cases.metadata.update(meta)
        return cases
    if _is_cohort_dataset(meta):
        return _load_cohorts(name)
    frame = _read_text_csv(folder / files["data"])
    for column in meta["columns"]:
        dtype = _NUMERIC_TYPES.get(column.get("type", ""))
        if dtype and column["name"] in frame:
            numbers = pd.to_numeric(frame[column["name"]].replace("", None))
            frame[column["name"]] = numbers.astype(dtype)
    frame.attrs["metadata"] = meta
    frame.attrs["sources"] = _read_text_csv(sources_path)
    return frame


def _dataset_sources(name: str) -> pd.DataFrame:
    """The sources table of a bundled dataset, as text, without loading the data."""
    meta = dataset_metadata(name)
    return _read_text_csv(_folder(name) / meta["files"]["sources"])


def _is_cohort_dataset(meta: dict[str, Any]) -> bool:
    """Whether a count dataset has the columns of :data:`_COHORT_COLUMNS` (two-group counts)."""
    names = {column["name"] for column in meta.get("columns", ())}
    wanted = {v for k, v in _COHORT_COLUMNS.items() if k != "groups"}
    return meta.get("kind") == "counts" and wanted <= names


def _load_cohorts(name: str):
    """A bundled cohort dataset as a validated :class:`~casestats.CohortTable`."""
    from casestats.cohorts import read_cohorts

    folder, meta = _folder(name), dataset_metadata(name)
    table = read_cohorts(
        folder / meta["files"]["data"],
        sources=folder / meta["files"]["sources"],
        title=meta["title"],
        **_COHORT_COLUMNS,
    )
    table.metadata.update(meta)
    return table


def _read_text_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=object, keep_default_na=False, encoding="utf-8")
