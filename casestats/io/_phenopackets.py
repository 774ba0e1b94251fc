"""Export a case series to GA4GH Phenopackets v2, one phenopacket per patient.

Phenopackets are how case-level phenotype data travel between tools (GPSEA,
Exomiser, phenopacket-store). The messages come from the ``phenopackets``
package (``pip install casestats[phenopackets]``), imported only when an
export runs, so ``import casestats`` stays cheap.

Every ontology id written here was checked against HPO release
:data:`HPO_VERSION`; the ICD-10 codes are the schema's own (``codes.csv`` and
``vocabularies.csv``). An id that could not be checked is not written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casestats.io._write import replace_files
from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.schema import load_schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HPO_VERSION", "PhenopacketExport", "to_phenopackets", "write_phenopackets"]

#: The HPO release every ``HP:`` id below was checked against (names and ids).
HPO_VERSION = "2025-11-24"
#: The WHO ICD-10 edition the schema's codes are taken from.
ICD10_VERSION = "2019"
SCHEMA_VERSION = "2.0"

_RESOURCES = (
    dict(id="hp", name="human phenotype ontology", url="http://purl.obolibrary.org/obo/hp.owl",
         version=HPO_VERSION, namespace_prefix="HP",
         iri_prefix="http://purl.obolibrary.org/obo/HP_"),
    dict(id="icd10",
         name="International Statistical Classification of Diseases and Related Health "
              "Problems 10th Revision",
         url="https://icd.who.int/browse10/2019/en", version=ICD10_VERSION,
         namespace_prefix="ICD10", iri_prefix="https://icd.who.int/browse10/2019/en#/"),
)  # fmt: skip

# HPO has no calcinosis-cutis term per body site; periarticular deposits have their own.
_PERIARTICULAR = ("HP:0025477", "Periarticular calcification")
# Laboratory status -> (HPO term when high, HPO term when low); "normal" excludes both.
_LABS = {
    "calcium_status": (("HP:0003072", "Hypercalcemia"), ("HP:0002901", "Hypocalcemia")),
    "phosphate_status": (
        ("HP:0002905", "Hyperphosphatemia"),
        ("HP:0002148", "Hypophosphatemia"),
    ),
    "pth_status": (
        ("HP:0003165", "Elevated circulating parathyroid hormone level"),
        ("HP:0031817", "Decreased circulating parathyroid hormone level"),
    ),
}
# HPO laterality modifiers; "midline" has none.
_LATERALITY = {
    "left": ("HP:0012835", "Left"),
    "right": ("HP:0012834", "Right"),
    "bilateral": ("HP:0012832", "Bilateral"),
}
_SEX = {"female": "FEMALE", "male": "MALE"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _phenopackets():
    """The ``phenopackets`` package, or an ImportError that says how to install it."""
    try:
        import phenopackets
    except ImportError:
        raise ImportError(
            "exporting phenopackets needs the 'phenopackets' package: "
            "pip install casestats[phenopackets]"
        ) from None
    return phenopackets


@dataclass(frozen=True, eq=False, repr=False)
class PhenopacketExport(Result):
    """The phenopackets of a case series, one per patient, in the series' order.

    Iterate over it (or use :attr:`phenopackets`) for the
    ``phenopackets.Phenopacket`` messages; :func:`write_phenopackets` writes them.

    Attributes
    ----------
    phenopackets : tuple of phenopackets.Phenopacket
    method : str
        ``"phenopackets_v2"``: GA4GH Phenopacket Schema 2.0.
    """

    phenopackets: tuple
    method: str = "phenopackets_v2"

    def __len__(self) -> int:
        return len(self.phenopackets)

    def __iter__(self):
        return iter(self.phenopackets)

    def _repr_fields(self) -> dict[str, Any]:
        return {"phenopackets": len(self), "method": self.method}

    def to_frame(self) -> pd.DataFrame:
        """One row per phenopacket and term: ``group`` the phenopacket id, ``level`` the term id.

        Extra columns: ``kind`` (phenotypic_feature or disease), ``label``,
        ``excluded``.
        """
        rows = []
        for packet in self.phenopackets:
            terms = [("phenotypic_feature", f.type, f.excluded) for f in packet.phenotypic_features]
            terms += [("disease", d.term, d.excluded) for d in packet.diseases]
            for kind, term, excluded in terms:
                rows.append({"group": packet.id, "level": term.id, "method": self.method,
                             "kind": kind, "label": term.label, "excluded": excluded})  # fmt: skip
        return tidy_frame(rows, extra=["kind", "label", "excluded"])

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Not defined: an export estimates nothing."""
        raise TypeError("a PhenopacketExport holds records, not estimates: it has no interval")

    def _summary_lines(self) -> list[str]:
        frame = self.to_frame()
        observed = frame[(frame["kind"] == "phenotypic_feature") & ~frame["excluded"]]
        diseases = frame[frame["kind"] == "disease"]
        with_refs = sum(bool(p.meta_data.external_references) for p in self.phenopackets)
        return [
            f"GA4GH Phenopackets v{SCHEMA_VERSION}: {len(self)} patients",
            f"  HPO terms observed: {len(observed)} ({observed['level'].nunique()} distinct), "
            f"excluded: {int(frame['excluded'].sum())}",
            f"  diseases coded (ICD-10): {len(diseases)} ({diseases['level'].nunique()} distinct)",
            f"  with a source reference: {with_refs}",
        ]


def to_phenopackets(cases) -> PhenopacketExport:
    """One GA4GH Phenopacket v2 per patient of a case series.

    Parameters
    ----------
    cases : CaseSeries

    Returns
    -------
    PhenopacketExport
        The ``phenopackets.Phenopacket`` messages, in the series' order.

    Notes
    -----
    What each phenopacket holds:

    * ``id`` and ``subject.id``: the ``case_id``.
    * ``subject.sex``: FEMALE, MALE, or UNKNOWN_SEX when not reported.
    * ``subject.time_at_last_encounter``: the age at presentation as an ISO 8601
      duration (``P87Y``; infants in months, ``P7M``, or under a month in days,
      ``P11D``, rounded from the decimal years). Ages of 90 and over are ``P90Y``
      with no finer detail. A case report gives the age at which the patient
      was seen, and Phenopackets has no field for the age at presentation.
      No date of birth is ever written.
    * ``subject.vital_status``: DECEASED when the outcome is ``died``.
    * phenotypic features: Calcinosis cutis (HP:0025520) for every patient,
      its description naming the subtype and the sites (HPO has no term per
      body site), with an HPO laterality modifier when every site has the same
      side; Periarticular calcification (HP:0025477) when a site is
      ``periarticular``; the serum calcium, phosphate and PTH status as
      Hypercalcemia / Hypocalcemia and the like (``high`` or ``low``
      observed; ``normal`` excludes both).
    * diseases: calcinosis cutis (ICD10:L94.2), then each condition the schema
      codes in ICD-10; systemic sclerosis takes its subset's code (M34.1 for
      limited...) where the subset has one. Labels are the schema's, not the
      ICD-10 titles.
    * ``meta_data``: the source's PMID and DOI (or its URL) as external
      references, with its citation; ``resources`` HPO :data:`HPO_VERSION` and
      ICD-10 2019; ``created_by`` ``"casestats <version>"``; the time created.

    Dropped, because Phenopackets cannot hold them as coded data or the schema
    holds no code for them: conditions without an ICD-10 code (malignancy,
    trauma, infection...); autoantibodies; laboratory values and units;
    renal function (its diseases stay); treatments (the schema codes no
    agent or procedure, and a medical action needs an ontology term); the
    outcome other than death (it describes the calcinosis after all
    treatments, not the response to one); lesion size and description,
    imaging, histology, country, notes, evidence and any extra column.

    Examples
    --------
    >>> import casestats
    >>> export = casestats.to_phenopackets(casestats.load_dataset("calcinosis_case_reports"))
    >>> packet = export.phenopackets[0]
    >>> packet.id, packet.subject.time_at_last_encounter.age.iso8601duration
    ('carrascosa_2011_1', 'P87Y')
    >>> packet.phenotypic_features[0].type.label
    'Calcinosis cutis'
    >>> [d.term.id for d in packet.diseases]
    ['ICD10:L94.2', 'ICD10:M35.1', 'ICD10:I10', 'ICD10:I48', 'ICD10:I50']
    """
    from casestats import __version__
    from casestats.caseseries import CaseSeries

    if not isinstance(cases, CaseSeries):
        raise TypeError(
            f"to_phenopackets takes a CaseSeries, not {type(cases).__name__}: "
            "read the table with casestats.read_cases first"
        )
    pp = _phenopackets()
    builder = _Builder(pp, cases, created_by=f"casestats {__version__}")
    return PhenopacketExport(phenopackets=tuple(builder.packets()))


class _Builder:
    """Builds the phenopackets of one series: the codes and sources looked up once."""

    def __init__(self, pp, cases, *, created_by: str):
        self.pp, self.cases, self.created_by = pp, cases, created_by
        schema = load_schema()
        self.schema = schema
        codes = schema.codes
        self.calcinosis = {
            row.code_system: (row.code, row.label)
            for row in codes[codes["entity"] == "calcinosis_cutis"].itertuples()
        }
        vocab = schema.vocabularies
        icd = vocab[vocab["code_system"] == "ICD-10"]
        self.icd10 = {(r.vocabulary, r.term): (r.code, r.label) for r in icd.itertuples()}
        self.sources = {}
        if cases.sources is not None:
            for record in cases.sources.astype(object).fillna("").to_dict("records"):
                self.sources[str(record["source_id"])] = record
        self.sites: dict[str, list[tuple[str, str]]] = {}
        if "sites" in cases.data.columns:
            sites = cases.sites()[["case_id", "site", "laterality"]].astype(object).fillna("")
            for case_id, site, side in sites.itertuples(index=False):
                self.sites.setdefault(case_id, []).append((site, side))

    def packets(self):
        from google.protobuf.timestamp_pb2 import Timestamp

        pp = self.pp
        created = Timestamp()
        created.GetCurrentTime()
        created.nanos = 0
        data = self.cases.data
        reported = {f: self.cases.reported(f) for f in data.columns if f in self.schema.fields}
        for k, row in enumerate(data.astype(object).fillna("").to_dict("records")):
            value = {f: (row[f] if reported[f].iloc[k] else "") for f in reported}
            yield pp.Phenopacket(
                id=value["case_id"],
                subject=self._subject(value),
                phenotypic_features=self._features(value),
                diseases=self._diseases(value),
                meta_data=pp.MetaData(
                    created=created,
                    created_by=self.created_by,
                    resources=[pp.Resource(**resource) for resource in _RESOURCES],
                    phenopacket_schema_version=SCHEMA_VERSION,
                    external_references=self._references(value.get("source_id", "")),
                ),
            )

    def _subject(self, value: dict[str, str]):
        pp = self.pp
        subject = pp.Individual(id=value["case_id"], sex=_SEX.get(value.get("sex", ""), 0))
        age = iso8601_age(value.get("age_years", ""))
        if age:
            subject.time_at_last_encounter.age.iso8601duration = age
        if value.get("outcome") == "died":
            subject.vital_status.status = pp.VitalStatus.DECEASED
        return subject

    def _term(self, code: str, label: str):
        return self.pp.OntologyClass(id=code, label=label)

    def _features(self, value: dict[str, str]) -> list:
        pp = self.pp
        sites = self.sites.get(value["case_id"], [])
        parts = []
        if value.get("subtype"):
            basis = value.get("subtype_basis")
            basis = f" ({self.schema.label('subtype_basis', basis)})" if basis else ""
            parts.append(f"subtype: {value['subtype']}{basis}")
        if sites:
            labels = [self.schema.label("site", s) + (f" ({side})" if side else "")
                      for s, side in sites]  # fmt: skip
            parts.append("sites: " + ", ".join(labels))
        calcinosis = pp.PhenotypicFeature(
            type=self._term(*self.calcinosis["HPO"]), description="; ".join(parts)
        )
        sides = {side for _, side in sites}
        if len(sides) == 1 and (side := sides.pop()) in _LATERALITY:
            calcinosis.modifiers.append(self._term(*_LATERALITY[side]))
        features = [calcinosis]
        if any(site == "periarticular" for site, _ in sites):
            features.append(pp.PhenotypicFeature(type=self._term(*_PERIARTICULAR)))
        for field, (high, low) in _LABS.items():
            status = value.get(field, "")
            for term, observed in ((high, "high"), (low, "low")):
                if status == observed or status == "normal":
                    features.append(
                        pp.PhenotypicFeature(type=self._term(*term), excluded=status == "normal")
                    )
        return features

    def _diseases(self, value: dict[str, str]) -> list:
        code, label = self.calcinosis["ICD-10"]
        coded = {code: label}
        subset = self.icd10.get(("ssc_subset", value.get("ssc_subset", "")))
        conditions = [c for c in value.get("conditions", "").split("; ") if c]
        for condition in conditions:
            found = self.icd10.get(("condition", condition))
            if condition == "systemic_sclerosis" and subset:
                found = subset
            if found:
                coded.setdefault(*found)
        if subset and "systemic_sclerosis" not in conditions:
            coded.setdefault(*subset)
        return [self.pp.Disease(term=self._term(f"ICD10:{c}", lab)) for c, lab in coded.items()]

    def _references(self, source_id: str) -> list:
        source = self.sources.get(source_id)
        if source is None:
            return []
        citation = str(source.get("citation", "")) or source_id
        pmid, doi = str(source.get("pmid", "")), str(source.get("doi", ""))
        refs = []
        if pmid:
            refs.append((f"PMID:{pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{pmid}"))
        if doi:
            refs.append((f"DOI:{doi}", f"https://doi.org/{doi}"))
        if not refs and source.get("url"):
            refs.append(("", str(source["url"])))
        ref = self.pp.ExternalReference
        return [ref(id=i, reference=r, description=citation) for i, r in refs] or [
            ref(description=citation)
        ]


def iso8601_age(text: str) -> str:
    """An age in years as the schema writes it, as an ISO 8601 duration ("" when empty).

    Whole years give ``PnY``; a fraction is rounded to whole months
    (``P45Y6M``), or to days when under a month. 90 and over is ``P90Y``.

    Examples
    --------
    >>> [iso8601_age(a) for a in ["87", "90+", "93", "0.58", "0.08", "0.03", "45.5", ""]]
    ['P87Y', 'P90Y', 'P90Y', 'P7M', 'P1M', 'P11D', 'P45Y6M', '']
    """
    if not text:
        return ""
    years = 90.0 if text == "90+" else float(text)
    if years >= 90:
        return "P90Y"
    months = round(years * 12)
    if months == 0:
        return f"P{round(years * 365.25)}D"
    whole, rest = divmod(months, 12)
    return "P" + (f"{whole}Y" if whole else "") + (f"{rest}M" if rest else "")


def write_phenopackets(cases, path, *, force: bool = False) -> Path:
    """Write the phenopackets of a case series as JSON, all files or none.

    Parameters
    ----------
    cases : CaseSeries
    path : str or pathlib.Path
        A folder (created if needed) that gets one ``<case_id>.json`` per
        patient, as phenopacket-store and GPSEA read them; or a ``.json`` file
        that gets one Phenopackets ``Cohort`` message holding them all.
    force : bool
        Replace files that exist. Without it nothing is overwritten, and the
        message lists the files in the way.

    Returns
    -------
    pathlib.Path
        The folder or file written.

    Notes
    -----
    The JSON is protobuf's canonical mapping (``phenotypicFeatures``, enums
    by name), the form ``google.protobuf.json_format.Parse`` reads back. The
    files are written through temporary files and then moved into place, so
    a crash leaves the old ones. See :func:`to_phenopackets` for what a
    phenopacket holds and what is dropped.

    Examples
    --------
    >>> import json, tempfile, pathlib, casestats
    >>> cases = casestats.load_dataset("calcinosis_case_reports")
    >>> folder = write_phenopackets(cases, pathlib.Path(tempfile.mkdtemp()) / "packets")
    >>> len(list(folder.glob("*.json"))) == len(cases)
    True
    >>> json.loads((folder / "carrascosa_2011_1.json").read_text())["subject"]["sex"]
    'FEMALE'
    """
    from google.protobuf import json_format

    path = Path(path)
    export = to_phenopackets(cases)
    if path.suffix.lower() == ".json":
        if not path.parent.is_dir():
            raise FileNotFoundError(f"no such folder: {path.parent}")
        files = {path: _json(json_format, _cohort(export, cases, path.stem))}
    else:
        if path.exists() and not path.is_dir():
            raise FileExistsError(
                f"{path} is a file: give a folder for one file per patient, "
                "or a .json name for one Cohort file"
            )
        files = {path / name: _json(json_format, p) for name, p in _file_names(export).items()}
    in_the_way = [str(target) for target in files if target.exists()]
    if in_the_way and not force:
        more = len(in_the_way) - 3
        shown = ", ".join(in_the_way[:3]) + (f" and {more} more" if more > 0 else "")
        verb = "exists" if len(in_the_way) == 1 else "exist"
        raise FileExistsError(f"{shown} {verb}: give a new name, or force=True to replace them")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() != ".json":
        path.mkdir(exist_ok=True)
    replace_files(files)
    return path


def _json(json_format, message) -> bytes:
    text = json_format.MessageToJson(message, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def _cohort(export: PhenopacketExport, cases, stem: str):
    pp = _phenopackets()
    meta = pp.MetaData()
    if export.phenopackets:
        meta.CopyFrom(export.phenopackets[0].meta_data)
        del meta.external_references[:]  # each member cites its own source
    title = cases.metadata.get("title", "")
    return pp.Cohort(
        id=cases.metadata.get("name") or stem,
        description=title,
        members=list(export.phenopackets),
        meta_data=meta,
    )


def _file_names(export: PhenopacketExport) -> dict[str, Any]:
    """``<case_id>.json`` for each phenopacket, with unsafe characters as ``_``.

    Two ids that would share a file name (``a/b`` and ``a_b``, or ``A`` and
    ``a`` on a case-insensitive disk) are refused rather than overwritten.
    """
    names: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for packet in export.phenopackets:
        name = _SAFE_NAME.sub("_", packet.id)
        name = "_" + name[1:] if name.startswith(".") else name
        key = name.casefold()
        if key in seen:
            raise ValueError(
                f"case_ids {seen[key]!r} and {packet.id!r} would share the file name "
                f"{name}.json: rename one, or write a single .json file"
            )
        seen[key] = packet.id
        names[f"{name}.json"] = packet
    return names
