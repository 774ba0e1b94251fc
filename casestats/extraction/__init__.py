"""Draft case records from the text of a case report, with evidence for every field.

:func:`extract` reads a case report (plain text) and returns one draft per
patient. Every value carries the characters it was read from and a status:
``stated`` (the text says it), ``inferred`` (a named rule derived it),
``negated`` ("no calcinosis elsewhere"), ``uncertain`` ("possible
dermatomyositis") or ``not_found``. Only stated and inferred values reach
the record; a field without evidence stays empty.

Terms come from the schema's vocabularies and anatomy with their synonyms, so
adding a synonym to ``vocabularies.csv`` improves extraction without code.
Negation and uncertainty use a small NegEx-style rule set
(:mod:`casestats.extraction._rules`) rather than medspaCy or negspacy: both
need spaCy (a large compiled dependency) for a job that here is twenty
trigger words over concepts the schema already delimits.

Inference rules (status ``inferred``, each named in the evidence):

* age in months, weeks or days is converted to years;
* sex from the pronouns when every pronoun agrees and no noun says it, from a
  lesion of the scrotum, penis or vulva, and from "two sisters" for each;
* what a report of several patients says before the first of them, or in a
  sentence about all of them ("both patients had..."), holds for each;
* hypocalcaemia stated for a patient under 0.1 years, or beside the neonatal
  unit, a newborn or a neonate (same or previous sentence) in an infant, is
  neonatal hypocalcaemia;
* a patient on maintenance dialysis has end-stage kidney disease (not beside
  acute kidney injury, a poisoning or normal kidney function);
* warfarin in a patient with calciphylaxis is a cause, not a treatment
  (marked uncertain);
* an SSc subset implies the condition systemic sclerosis;
* conditions found and none is systemic sclerosis: ``ssc_subset`` is
  ``not_applicable``;
* a lab value with a reference range in the text: status from the range;
* an antibody "within normal limits" is negative;
* the plural of a paired site ("knees") is bilateral;
* a site named with one side somewhere in the patient's part ("a painful left
  elbow") has that side where the text then names it without one ("the elbow
  lesion");
* left and right of one site make bilateral; parts named right after their
  whole ("the fingers, ring and index") are reported at the whole;
* no recurrence after a treatment, and no other outcome, is resolved;
* a singular paired site listed after a sided one takes its side ("the right
  shoulder and elbow"); a list shares its first item's negation;
* the outcome is the last one the text gives;
* subtype when the authors name none: a setting of iatrogenic calcinosis
  gives iatrogenic; raised calcium or phosphate, or end-stage kidney disease
  (not after a transplant, not beside necrotic lesions), gives metastatic; a
  connective tissue disease or local tissue damage without raised calcium or
  phosphate gives dystrophic; tumoral calcinosis with normal labs gives
  idiopathic (Walsh & Fairley 1995). Beside kidney disease or
  hyperparathyroidism, only the metabolic rules apply. The authors' class of
  the patient's disease ("a special form of idiopathic calcinosis") is the
  subtype, stated.
"""

from __future__ import annotations

import dataclasses
import re

from casestats.extraction._fields import (
    CONNECTIVE_TISSUE,
    IATROGENIC,
    TISSUE_DAMAGE,
    age_and_sex,
    age_phrases,
    autoantibodies,
    classed_subtype,
    labs,
    neonatal_hypocalcaemia,
    subtype,
    term_lists,
)
from casestats.extraction._result import STATUSES, CaseDraft, Extraction, FieldEvidence
from casestats.extraction._rules import (
    ANNOUNCED_SEX,
    all_patients_spans,
    announced_patients,
    announcement,
    case_part,
    patient_segments,
    sentence_bounds,
    shared_spans,
)
from casestats.extraction._sites import sites

__all__ = ["STATUSES", "CaseDraft", "Extraction", "FieldEvidence", "extract"]


def extract(text: str, *, source_id: str | None = None) -> Extraction:
    """Draft one case record per patient from a case report's text.

    Parameters
    ----------
    text : str
        The case report as plain text (a "Discussion" heading ends the case
        description; "Case 1" / "Case 2" headings separate patients).
    source_id : str, optional
        Key of the publication; case ids are ``<source_id>_<n>``
        (default ``"draft"``).

    Returns
    -------
    Extraction
        ``records()`` gives the schema rows, ``to_frame()`` the evidence,
        ``write(path)`` a template workbook with an Evidence sheet.

    Examples
    --------
    >>> result = extract("A 3-month-old girl had firm nodules on her left heel. "
    ...                  "Serum calcium was within normal limits.", source_id="demo")
    >>> row = result.records().iloc[0]
    >>> row["age_years"], row["sex"], row["sites"], row["calcium_status"]
    ('0.25', 'female', 'heel (left)', 'normal')
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    source_id = source_id or "draft"
    starts = [m.start() for m in age_phrases(text)]
    drafts = []
    segments = patient_segments(text, starts)
    begin, stop = case_part(text, starts[0] if starts else None)
    shared = _shared_evidence(text, shared_spans(text, segments, begin, stop))
    later = (segments[-1][2], len(text))
    for number, (label, start, end) in enumerate(segments, start=1):
        evidence = _draft(text, start, end, later, shared)
        drafts.append(CaseDraft(label, f"{source_id}_{number}", tuple(evidence)))
    announced = announcement(text, stop)
    if len(segments) == 1 and (count := announced_patients(announced)) > 1:
        # "we present four patients" with no part for each: the first draft holds the whole
        # text; the others what holds for every patient of the report
        everyone = _shared_evidence(text, [(begin, stop)], {"conditions", "subtype"})
        everyone += _shared_evidence(text, all_patients_spans(text, begin, stop))
        for number in range(2, count + 1):
            evidence = _draft(text, stop, stop, later, everyone)
            drafts.append(CaseDraft(f"Case {number}", f"{source_id}_{number}", tuple(evidence)))
    drafts = _announced_sex(announced, drafts)
    return Extraction(source_id=source_id, drafts=tuple(drafts), text=text)


def _announced_sex(m, drafts) -> list[CaseDraft]:
    """"We report two sisters" (the :func:`announcement` `m`): each draft without a sex of its
    own is female."""
    sex = ANNOUNCED_SEX.get(m.group(2).casefold()) if m and m.group(2) else None
    if not sex or len(drafts) < 2:
        return drafts
    said = FieldEvidence("sex", sex, "inferred", m.start(), m.end(), m.group(0),
                         f"the report's patients are {m.group(2).casefold()}")  # fmt: skip
    return [d if d.values("sex") else dataclasses.replace(d, evidence=(*d.evidence, said))
            for d in drafts]  # fmt: skip


def _shared_evidence(text, spans, fields=None) -> list[FieldEvidence]:
    """The values of the fields (default: :data:`_SHARED`) `spans` give every patient."""
    fields = _SHARED if fields is None else fields
    return [
        FieldEvidence(e.field, e.value, "inferred", e.start, e.end, e.quote, _EVERY)
        for low, high in spans
        for e in [*term_lists(text, low, high), *labs(text, low, high),
                  *subtype(text, low, high, (0, 0))]
        if e.field in fields and e.status == "stated"
    ]  # fmt: skip


_EVERY = "stated for every patient of the report"
#: Fields a sentence about every patient of a report gives to each of them.
_SHARED = {"conditions", "subtype", "treatments", "outcome", "renal_function",
           "calcium_status", "phosphate_status", "pth_status"}  # fmt: skip


def _draft(text, start, end, later, shared) -> list[FieldEvidence]:
    found = [
        *(e for e in shared if e.field != "subtype"),
        *age_and_sex(text, start, end),
        *term_lists(text, start, end),
        *autoantibodies(text, start, end),
        *sites(text, start, end),
        *labs(text, start, end),
    ]
    found = _most_specific(_merge_sites(text, found))
    if any(e.value == "dialysis" for e in _kept(found, "renal_function")):
        # a patient on dialysis: it is the renal function, not a treatment of the calcinosis,
        # and it says more than "impaired"
        found = [e for e in found if not (e.field in ("treatments", "renal_function")
                                          and e.value in ("dialysis", "impaired"))] + [
            e for e in _kept(found, "renal_function") if e.value == "dialysis"]  # fmt: skip
    if len({e.value for e in _kept(found, "conditions")} - {"none"}):
        # "no underlying disease" beside a named condition: the condition wins
        found = [e for e in found if not (e.field == "conditions" and e.value == "none")]
    ages = [e.value for e in _kept(found, "age_years")]
    if (not ages or ages[0] != "90+") and not any(e.value == "neonatal_hypocalcaemia"
                                                  for e in found):  # fmt: skip
        found += neonatal_hypocalcaemia(text, start, end, float(ages[0]) if ages else None)
    found = _end_stage(text, found)
    found += _inferred_conditions(found)
    found += _subtype(text, start, end, later, found,
                      [e for e in shared if e.field == "subtype"])  # fmt: skip
    found = _observation_beside_treatment(_warfarin_as_cause(_opposite_statuses(found)))
    return found + _no_ssc(found) + _free_of_recurrence(found) + _sex_of_site(found)


#: A general value beside a more specific one says nothing more: "chronic renal failure ...
#: end-stage renal disease" is end-stage disease, "multiple sites ... elbows and knees" is the
#: elbows and knees, and "periarticular" or an unnamed limb beside named sites adds nothing.
_GENERAL = {
    "conditions": {"chronic_kidney_disease": {"end_stage_kidney_disease"},
                   "hyperparathyroidism": {"hyperparathyroidism_primary",
                                           "hyperparathyroidism_secondary"}},
    "sites": {"generalized": None, "periarticular": None, "limb_unspecified": None},
}  # fmt: skip


def _most_specific(found) -> list[FieldEvidence]:
    """Drop a general value where a more specific one of the same field is found
    (``None``: any other value of the field is more specific)."""
    drop = []
    for field, general in _GENERAL.items():
        values = {_term(e.value) for e in _kept(found, field)}
        for term, specific in general.items():
            others = values - set(general) if specific is None else values & specific
            if term in values and others:
                drop.append((field, term))
    return [e for e in found
            if (e.field, _term(e.value)) not in drop or _WIDESPREAD.search(e.quote)]


#: A widespread form the authors name ("calcinosis universalis"): more than its sites.
_WIDESPREAD = re.compile(r"universal|dissemina|generali[sz]ed calcinosis", re.I)


def _end_stage(text, found) -> list[FieldEvidence]:
    """A patient on maintenance dialysis has end-stage kidney disease (KDIGO stage 5D), named
    as chronic kidney disease or not at all. Not when the dialysis was for acute kidney injury
    or a poisoning, or beside normal kidney function: then it treated something else."""
    conditions = {e.value for e in _kept(found, "conditions")}
    on_dialysis = [
        e for e in _kept(found, "renal_function") if e.value == "dialysis"
        and not _ACUTE.search(text, *sentence_bounds(text, e.start))
    ]  # fmt: skip
    normal = any(e.value == "normal" for e in _kept(found, "renal_function"))
    if (not on_dialysis or normal
            or conditions & {"acute_kidney_injury", "end_stage_kidney_disease"}):  # fmt: skip
        return found
    if "chronic_kidney_disease" not in conditions:
        return [*found, dataclasses.replace(_as(on_dialysis[0], "end_stage_kidney_disease",
                                                "inferred", "a patient on dialysis"),
                                            field="conditions")]  # fmt: skip
    return [
        _as(e, "end_stage_kidney_disease", "inferred", "chronic kidney disease on dialysis")
        if e.field == "conditions" and e.value == "chronic_kidney_disease" else e
        for e in found
    ]  # fmt: skip


#: Dialysis for a passing reason, not kidney failure.
_ACUTE = re.compile(r"\b(?:acute (?:kidney|renal)|intoxication|poisoning|overdose|temporar\w*|"
                    r"transient|preserved|recovered|rhabdomyolysis|tumou?r lysis)\b",
                    re.I)  # fmt: skip


def _as(e: FieldEvidence, value: str, status: str, rule: str) -> FieldEvidence:
    """The same evidence, read as another value or status by a named rule."""
    return dataclasses.replace(e, value=value, status=status, rule=rule)


def _warfarin_as_cause(found) -> list[FieldEvidence]:
    """In calciphylaxis warfarin is a cause, stopped rather than given, so a patient who
    took it was not treated with it."""
    if not any(e.value == "calciphylaxis" for e in _kept(found, "subtype")):
        return found
    return [
        _as(e, e.value, "uncertain", "warfarin is a cause of calciphylaxis")
        if e.field == "treatments" and e.value == "warfarin" else e
        for e in found
    ]  # fmt: skip


def _opposite_statuses(found) -> list[FieldEvidence]:
    """A lab the text calls both high and low ("hypercalcaemia", later "hypocalcaemia"): which
    held at presentation is the curator's call."""
    opposite = {f for f in ("calcium_status", "phosphate_status", "pth_status")
                if {"high", "low"} <= {e.value for e in _kept(found, f)}}  # fmt: skip
    return [
        _as(e, e.value, "uncertain", "the text gives opposite statuses")
        if e.field in opposite and e.status in ("stated", "inferred") else e
        for e in found
    ]  # fmt: skip


def _observation_beside_treatment(found) -> list[FieldEvidence]:
    """Observation is the absence of treatment: beside a treatment given ("conservative
    measures failed and the nodule was excised") it is the course before it, not a value."""
    given = {e.value for e in _kept(found, "treatments")} - {"observation", "none"}
    if not given:
        return found
    return [
        _as(e, e.value, "uncertain", "observation beside a treatment given")
        if e.field == "treatments" and e.value == "observation" and e.status != "negated" else e
        for e in found
    ]  # fmt: skip


def _no_ssc(found) -> list[FieldEvidence]:
    """A subtype found and systemic sclerosis never named: the SSc subset does not apply."""
    subtypes = _kept(found, "subtype")
    if not subtypes or any(e.field == "ssc_subset" or e.value == "systemic_sclerosis"
                           for e in found):  # fmt: skip
        return []
    s = subtypes[0]
    return [FieldEvidence("ssc_subset", "not_applicable", "inferred", s.start, s.end, s.quote,
                          "a subtype named and systemic sclerosis never")]  # fmt: skip


#: Sites only one sex has.
_SEX_OF_SITE = {"scrotum": "male", "penis": "male", "vulva": "female"}


def _sex_of_site(found) -> list[FieldEvidence]:
    """No sex stated, and a lesion of the scrotum, penis or vulva: the sex that has it."""
    if _kept(found, "sex"):
        return []
    sexes = {_SEX_OF_SITE.get(_term(e.value)) for e in _kept(found, "sites")} - {None}
    if len(sexes) != 1:
        return []
    e = next(e for e in _kept(found, "sites") if _SEX_OF_SITE.get(_term(e.value)))
    return [FieldEvidence("sex", sexes.pop(), "inferred", e.start, e.end, e.quote,
                          "a site only one sex has")]  # fmt: skip


def _free_of_recurrence(found) -> list[FieldEvidence]:
    """No recurrence ("free of recurrence") after a treatment, and no other outcome: resolved."""
    if _kept(found, "outcome") or not _kept(found, "treatments"):
        return []
    free = [e for e in found if e.field == "outcome" and e.value == "recurred"
            and e.status == "negated"]  # fmt: skip
    if not free:
        return []
    e = free[0]
    return [FieldEvidence("outcome", "resolved", "inferred", e.start, e.end, e.quote,
                          "no recurrence after treatment")]  # fmt: skip


def _term(value: str) -> str:
    """The vocabulary term of a value, without its side ("elbow (left)" -> "elbow")."""
    return value.partition(" (")[0]


def _kept(found, field) -> list[FieldEvidence]:
    return [e for e in found if e.field == field and e.status in ("stated", "inferred")]


def _merge_sites(text: str, found: list[FieldEvidence]) -> list[FieldEvidence]:
    """One value per site: left and right make bilateral; parts named right after their
    whole ("the fingers, ring and index") are reported at the whole."""
    from casestats.schema import load_schema

    schema = load_schema()
    kept = _kept(found, "sites")

    def whole_of(e):
        term = _term(e.value)
        for ancestor in schema.ancestors(term)[1:]:
            if any(w.value.startswith(ancestor) and 0 <= e.start - w.end <= 40 for w in kept):
                return ancestor
        return term

    sides: dict[str, set[str]] = {}
    for e in kept:
        sides.setdefault(whole_of(e), set()).update({e.value.partition(" (")[2].rstrip(")")} - {""})
    out = [e for e in found if e not in kept]
    wholes = {whole_of(e) for e in kept}
    for e in kept:
        term, whole = _term(e.value), whole_of(e)
        if _rolled_up(text, schema, whole, wholes, e, kept):
            continue
        side = sides.get(whole, set())
        label = (
            "bilateral"
            if {"left", "right"} <= side or "bilateral" in side
            else (next(iter(side)) if len(side) == 1 else "")
        )
        value = f"{whole} ({label})" if label else whole
        rule = e.rule or (
            "a part named with its whole is reported at the whole" if whole != term else ""
        )
        out.append(FieldEvidence("sites", value, "inferred" if rule else e.status, e.start,
                                 e.end, e.quote, rule))  # fmt: skip
    return out


def _rolled_up(text, schema, whole, wholes, e, kept) -> bool:
    """A site whose part is named too ("facial calcinosis" and "preauricular plates") is
    reported at the part, unless the two are named in one sentence ("the face and ears")."""
    parts = {w for w in wholes if whole in schema.ancestors(w)[1:]}
    if not parts:
        return False
    sentence = sentence_bounds(text, e.start)
    return not any(
        _term(k.value) in parts and sentence_bounds(text, k.start) == sentence
        for k in kept
    )


def _inferred_conditions(found: list[FieldEvidence]) -> list[FieldEvidence]:
    out = []
    conditions = {e.value for e in _kept(found, "conditions")}
    subsets = [e for e in _kept(found, "ssc_subset") if e.value != "not_applicable"]
    if subsets and "systemic_sclerosis" not in conditions:
        s = subsets[0]
        out.append(FieldEvidence("conditions", "systemic_sclerosis", "inferred", s.start, s.end,
                                 s.quote, "an SSc subset implies systemic sclerosis"))  # fmt: skip
    elif conditions and not any(e.field == "ssc_subset" or e.value == "systemic_sclerosis"
                                for e in found):  # not beside a suspected SSc either
        c = _kept(found, "conditions")[0]
        out.append(
            FieldEvidence(
                "ssc_subset",
                "not_applicable",
                "inferred",
                c.start,
                c.end,
                c.quote,
                "conditions stated, none is systemic sclerosis",
            )
        )
    return out


_DYSTROPHIC = CONNECTIVE_TISSUE | TISSUE_DAMAGE
#: Kidney disease of any kind: tumoral calcinosis beside it may be uraemic.
_KIDNEY = {"chronic_kidney_disease", "end_stage_kidney_disease", "acute_kidney_injury",
           "kidney_transplant"}  # fmt: skip
_HYPERPARATHYROIDISM = {"hyperparathyroidism", "hyperparathyroidism_primary",
                        "hyperparathyroidism_secondary"}  # fmt: skip
#: Signs of calciphylaxis rather than of metastatic calcinosis.
_NECROTIC = re.compile(r"\b(?:eschars?|necro(?:sis|tic)|gangren\w*|livedo\w*|retiform purpura|"
                       r"violaceous)\b",
                       re.I)  # fmt: skip


def _transplanted(found) -> bool:
    """A kidney transplanted, or kidneys working now: end-stage disease is the history."""
    return any(e.value == "kidney_transplant" for e in _kept(found, "conditions")) or any(
        e.value in ("normal", "transplanted") for e in _kept(found, "renal_function"))


def _subtype(text, start, end, later, found, shared) -> list[FieldEvidence]:
    named = subtype(text, start, end, later)
    if not any(e.status == "stated" for e in named):
        named += shared
    stated = {e.value for e in named if e.status in ("stated", "inferred")}
    if len(stated) == 1:
        first = next(e for e in named if e.value in stated)
        return [*named, FieldEvidence("subtype_basis", "stated", "stated", first.start,
                                      first.end, first.quote)]  # fmt: skip
    if len(stated) > 1:  # the text names several: leave it to the curator
        return [FieldEvidence(e.field, e.value, "uncertain", e.start, e.end, e.quote,
                              "several subtypes named") for e in named]  # fmt: skip
    conditions = _kept(found, "conditions")
    names = {e.value for e in conditions}
    labs = _kept(found, "calcium_status") + _kept(found, "phosphate_status")
    raised = [e for e in labs if e.value == "high"]
    if not (raised or names & _KIDNEY) and (classed := classed_subtype(text, names)):
        basis = FieldEvidence("subtype_basis", "stated", "stated", classed.start, classed.end,
                              classed.quote, classed.rule)  # fmt: skip
        return [*named, classed, basis]
    rule = None
    if cause := [e for e in conditions if e.value in IATROGENIC]:
        value, basis, rule = "iatrogenic", cause[0], "a setting of iatrogenic calcinosis"
    elif any(e.status == "uncertain" for e in named):
        return named  # "suggestive of calciphylaxis": the curator weighs it, not a rule
    elif metabolic := raised or [e for e in conditions if e.value == "end_stage_kidney_disease"
                                 and not _transplanted(found)]:
        if _NECROTIC.search(text, start, end):
            return named  # ulcers with a central eschar: maybe calciphylaxis, not a rule's call
        value, basis = "metastatic", metabolic[0]
        rule = ("raised serum calcium or phosphate" if raised else
                "calcinosis in end-stage kidney disease (not calciphylaxis) is metastatic")
    elif (cause := [e for e in conditions if e.value in _DYSTROPHIC]) and not (
        names & (_KIDNEY | _HYPERPARATHYROIDISM)
    ):  # lupus with kidney failure and secondary hyperparathyroidism: the curator's call
        value, basis = "dystrophic", cause[0]
        rule = ("connective tissue disease without raised calcium or phosphate"
                if cause[0].value in CONNECTIVE_TISSUE else
                "local tissue damage without raised calcium or phosphate")  # fmt: skip
    elif (
        (tumoral := [e for e in conditions if e.value == "tumoral_calcinosis"])
        and any(e.value == "normal" for e in labs)
        and not names & _KIDNEY
    ):
        value, basis = "idiopathic", tumoral[0]
        rule = "tumoral calcinosis with normal calcium or phosphate and no kidney disease"
    if rule is None:
        return named
    return [*named, FieldEvidence("subtype", value, "inferred", basis.start, basis.end,
                                  basis.quote, rule),
            FieldEvidence("subtype_basis", "inferred", "inferred", basis.start, basis.end,
                          basis.quote, rule)]  # fmt: skip
