"""The draft records an extraction returns, with the evidence of every field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from casestats.results import ConfidenceInterval, Result, tidy_frame

if TYPE_CHECKING:
    import pandas as pd

#: What the text says of a field's value.
STATUSES = ("stated", "inferred", "negated", "uncertain", "not_found")
#: The fields the extractor fills; the others (free text, country) are left to the curator.
FIELDS = (
    "age_years", "sex", "subtype", "subtype_basis", "conditions", "ssc_subset",
    "autoantibodies", "sites", "calcium_status", "calcium_value", "calcium_unit",
    "phosphate_status", "phosphate_value", "phosphate_unit", "pth_status", "pth_value",
    "pth_unit", "renal_function", "treatments", "outcome",
)  # fmt: skip
_LISTS = {"conditions", "autoantibodies", "sites", "treatments"}


@dataclass(frozen=True)
class FieldEvidence:
    """One value of one field, with where the text says it.

    ``start``/``end`` index the source text (``text[start:end] == quote``);
    ``rule`` names the inference rule (status inferred) or the trigger word
    (status negated or uncertain).
    """

    field: str
    value: str
    status: str
    start: int | None
    end: int | None
    quote: str
    rule: str = ""


@dataclass(frozen=True)
class CaseDraft:
    """The draft record of one patient: every field's evidence."""

    label: str
    case_id: str
    evidence: tuple[FieldEvidence, ...]

    def values(self, field: str) -> list[str]:
        """The field's values that go in the record (status stated or inferred)."""
        out = []
        for item in self.evidence:
            if item.field == field and item.status in ("stated", "inferred"):
                if item.value not in out:
                    out.append(item.value)
        return out

    def record(self) -> dict[str, str]:
        """The draft as one schema row: field -> cell text ("" when not found)."""
        row = {}
        for field in FIELDS:
            values = self.values(field)
            if field == "outcome":  # the course's end: "improved, then recurred" recurred
                values = self._last(field)
            row[field] = "; ".join(values) if field in _LISTS else (values[0] if values else "")
        return row

    def _last(self, field: str) -> list[str]:
        kept = [e for e in self.evidence if e.field == field and e.status in ("stated", "inferred")]
        return [max(kept, key=lambda e: e.start or 0).value] if kept else []


@dataclass(frozen=True, eq=False, repr=False)
class Extraction(Result):
    """Draft case records read from one case report, one per patient.

    Attributes
    ----------
    source_id : str
    drafts : tuple of CaseDraft
    text : str
        The source text the evidence spans index.
    method : str
        ``"rules"``: schema vocabularies plus a NegEx-style context rule set.
    """

    source_id: str
    drafts: tuple[CaseDraft, ...]
    text: str
    method: str = "rules"

    def _repr_fields(self):
        return {"source_id": self.source_id, "patients": len(self.drafts), "method": self.method}

    def records(self) -> pd.DataFrame:
        """The drafts as schema rows (``case_id``, ``source_id`` then the extracted fields)."""
        import pandas as pd

        rows = [
            {"case_id": d.case_id, "source_id": self.source_id, **d.record()} for d in self.drafts
        ]
        return pd.DataFrame(rows, columns=["case_id", "source_id", *FIELDS], dtype=object)

    def to_frame(self) -> pd.DataFrame:
        """One row per field and patient: group = patient, level = field, then the evidence.

        Fields the text does not mention appear once with status ``not_found``.
        """
        rows = []
        for draft in self.drafts:
            for field in FIELDS:
                items = [e for e in draft.evidence if e.field == field] or [
                    FieldEvidence(field, "", "not_found", None, None, "")
                ]
                for e in items:
                    rows.append({
                        "group": draft.label, "level": field, "method": self.method,
                        "case_id": draft.case_id, "value": e.value, "status": e.status,
                        "start": e.start, "end": e.end, "quote": e.quote, "rule": e.rule,
                    })  # fmt: skip
        extra = ["case_id", "value", "status", "start", "end", "quote", "rule"]
        frame = tidy_frame(rows, extra=extra)
        frame[["start", "end"]] = frame[["start", "end"]].astype("Int64")
        return frame

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Not defined: an extraction has no estimate."""
        raise TypeError("an Extraction holds draft records, not estimates: it has no interval")

    def _summary_lines(self) -> list[str]:
        lines = [f"Extraction from {self.source_id}: {len(self.drafts)} patient(s), "
                 f"method {self.method}"]  # fmt: skip
        for draft in self.drafts:
            lines.append(f"{draft.label} ({draft.case_id})")
            for field, value in draft.record().items():
                if value:
                    lines.append(f"  {field:<16} {value}")
        return lines

    def write(self, path) -> Path:
        """Write the drafts to a template workbook (.xlsx) with an ``Evidence`` sheet.

        The ``Cases`` sheet holds one row per patient, the ``Sources`` sheet
        the ``source_id``, and ``Evidence`` one row per value found (case,
        field, value, status, rule, characters, quoted words), so a curator
        checks each cell against the source before ``casestats validate``.
        """
        import openpyxl

        from casestats.io import write_template
        from casestats.io._write import escape_formulas

        path = write_template(Path(path))
        book = openpyxl.load_workbook(path)
        cases = book["Cases"]
        headers = [c.value for c in cases[1]]
        frame = escape_formulas(self.records())
        for row in frame.to_dict("records"):
            cases.append([row.get(h, "") or None for h in headers])
        book["Sources"].append([self.source_id])
        sheet = book.create_sheet("Evidence", 1)
        sheet.append(["case_id", "field", "value", "status", "rule", "start", "end", "quote"])
        for draft in self.drafts:
            for e in draft.evidence:
                sheet.append([draft.case_id, e.field, e.value, e.status, e.rule, e.start, e.end,
                              e.quote])  # fmt: skip
        for letter, width in zip("ABCDEFGH", (18, 16, 26, 10, 40, 7, 7, 90), strict=True):
            sheet.column_dimensions[letter].width = width
        book.save(path)
        return path
