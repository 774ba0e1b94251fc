"""Field by field: what one patient's part of a case report says, with its evidence."""

from __future__ import annotations

import re

from casestats.extraction._result import FieldEvidence
from casestats.extraction._rules import (
    DEFINED,
    Mention,
    about_patient,
    clause_bounds,
    context_of,
    find_terms,
    sentence_bounds,
    vocabulary_pattern,
)
from casestats.schema import load_schema

_NOUNS = {
    "woman": "female", "girl": "female", "lady": "female", "female": "female",
    "mother": "female", "man": "male", "boy": "male", "gentleman": "male", "male": "male",
    "father": "male", "infant": "", "child": "", "patient": "", "neonate": "", "baby": "",
    "newborn": "", "adolescent": "", "person": "", "son": "male", "daughter": "female",
    "brother": "male", "sister": "female",
}  # fmt: skip
_NOUN = (
    r"(woman|girl|lady|female|mother|man|boy|gentleman|male|father|infant|child|patient|"
    r"neonate|baby|newborn|adolescent|person|son|daughter|brother|sister)"
)
_UNIT = r"(year|yr|month|week|day)s?"
#: The person before the age in Spanish, Portuguese and Italian, and the sex each gives.
_NOUNS_ROMANCE = {
    "mujer": "female", "niña": "female", "mulher": "female", "menina": "female",
    "donna": "female", "bambina": "female", "femenino": "female", "feminino": "female",
    "femminile": "female", "femenina": "female", "varón": "male", "varon": "male",
    "hombre": "male", "niño": "male", "homem": "male", "menino": "male", "uomo": "male",
    "bambino": "male", "masculino": "male", "maschile": "male", "paciente": "",
    "lactante": "", "neonato": "", "recién nacido": "", "recém-nascido": "",
}  # fmt: skip
_NOUN_ROMANCE = "(" + "|".join(sorted(_NOUNS_ROMANCE, key=len, reverse=True)) + ")"
_UNIT_ROMANCE = r"(años|anos|anni|meses|mesi|semanas|settimane|días|dias|giorni)"
_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen twenty").split()  # fmt: skip
_NUMBER_WORD = {word: i + 1 for i, word in enumerate(_WORDS)}
AGE = re.compile(
    # "A55-year-old woman" (a lost space) and "61 years-old-patient" occur in print
    rf"(?:\b|(?<=\bA))(\d+(?:\.\d+)?|{'|'.join(_WORDS)})[\s\-]*{_UNIT}[\s\-]*old[\s\-]+"
    rf"(?:\w+\s+){{0,2}}?"
    rf"{_NOUN}\b"
    rf"|\b{_NOUN}\s+aged\s+(\d+(?:\.\d+)?)\s*(?:{_UNIT})?"
    # Spanish, Portuguese, Italian: "Mujer de 58 años", "paciente do sexo feminino, 45 anos"
    rf"|\b{_NOUN_ROMANCE}\s*,?\s+(?:de|di|com|con)?\s*(\d+(?:[.,]\d+)?)\s+{_UNIT_ROMANCE}\b",
    re.I,
)
_PER_YEAR = {"year": 1.0, "yr": 1.0, "month": 12.0, "week": 52.18, "day": 365.25}
_UNIT_OF = {"a": "year", "m": "month", "s": "week", "d": "day", "g": "day"}  # años, meses...
_PRONOUN = re.compile(r"\b(she|her|he|his|him)\b", re.I)
#: A relative named before a person: "The mother, a healthy woman" is not the patient.
_FAMILY = re.compile(r"\b(?:mother|father|parents?|sister|brother|husband|wife|son|daughter|"
                     r"aunt|uncle|grandmother|grandfather)\b[^.;]*$", re.I)  # fmt: skip
#: The patient named without an age: "a middle-aged woman", "the man's".
_PERSON = re.compile(r"\b(?:a|an|the|our)\s+(?:[\w\-]+\s+){0,3}?(woman|man|girl|boy|lady|"
                     r"gentleman)\b", re.I)  # fmt: skip

#: Conditions whose calcinosis is dystrophic when calcium and phosphate are not raised.
CONNECTIVE_TISSUE = {
    "systemic_sclerosis", "dermatomyositis", "juvenile_dermatomyositis", "polymyositis",
    "systemic_lupus_erythematosus", "lupus_panniculitis", "mixed_connective_tissue_disease",
    "overlap_syndrome", "undifferentiated_connective_tissue_disease", "localized_scleroderma",
    "linear_scleroderma",
}  # fmt: skip
#: Settings of iatrogenic calcinosis.
IATROGENIC = {"calcium_infusion", "calcium_heparin_injection", "electrode_paste", "vaccination",
              "drug_extravasation"}  # fmt: skip
#: Settings of local tissue damage: their calcinosis is dystrophic (every such bundled case).
TISSUE_DAMAGE = {"trauma", "burn_scar", "acne", "prior_radiotherapy"}
LESION = re.compile(
    r"calcinosis|calcif|calciphyla|nodul|(?<!gottron's )(?<!gottron )papul|plaque|lesion|deposit|"
    r"mass|masses|(?<!duodenal )(?<!gastric )(?<!peptic )(?<!corneal )ulcer|swelling|extru|"
    r"chalky|tumou?r|induration|necros|eschar|"
    r"n[oó]dul|lesi[oóõ]n|les[aã]o|les[oõ]es|placas?\b|[uú]lcera|dep[oó]sito|masas?\b|massas?\b",
    re.I,
)
#: An optional article or possessive before a noun.
DET = r"(?:the\s+|her\s+|his\s+)?"
OF = rf"\s+(?:of|on)\s+{DET}(?:(both|left|right|bilateral)\s+)?(?:the\s+)?"

ANALYTES = {
    "calcium": r"(?i:(?:serum |total |ionized |ionised |corrected )?calcium(?! ?(?:deposit|salt|"
    r"gluconate|channel|hydroxyapatite|phosphate|acetate|heparin|infusion|chloride|carbonate|"
    r"-containing|containing|content|oxalate|excretion|clearance|pyrophosphate|crystal|concentration|"
    r"supplement|"
    r"[-\u2013 ]?phosph\w* product)))|\bCa\b(?!\s*[x\u00d7*]\s*P)"
    r"|(?i:\b(?:calcio|cálcio|calcemia)\b(?:\s+s[eé]ric[oa])?)(?!\s+(?:gluconato|de\s+glu))",
    "phosphate": r"(?:serum |inorganic )?\b(?:phosphate|phosphorus|phosphorous)"
    r"(?! ?(?:binder|clearance|excretion|product))(?!mi)"
    r"|(?<=serum )P\b|(?i:\b(?:fósforo|fosforo|fosfato|fosfatemia)\b)(?!\s+de\s+calcio)",
    "pth": r"(?:intact )?parathyroid hormone|\b(?:i)?PTH\b"
    r"|(?i:hormona paratiroidea|paratohormona|paratormona|paratormônio)",
    # creatinine only with a word status ("creatinine was within normal limits"), not a value
    "renal": r"renal function(?: parameters| tests)?|kidney function|"
    r"\bcreatinine\b(?! clearance)(?![^.;]{0,40}\d)",
}
_STATUS = re.compile(
    r"\b(within (?:the )?normal (?:limits|range)|normal|unremarkable|WNL|elevated|raised|"
    r"high|increased|low|decreased|reduced|normales|normais|elevad[oa]s?|aumentad[oa]s?|"
    r"disminuid[oa]s?|diminuíd[oa]s?|dentro de (?:los|dos) l[ií]mites norma(?:les|is)|"
    r"dentro de la normalidad)\b",
    re.I,
)
_STATUS_TERM = {"unremarkable": "normal"}
_UNITS = r"mg/d[lL]|mmol/[lL]|pg/m[lL]|ng/[lL]|pmol/[lL]|mg/100\s?m[lL]"
_NUMBER = re.compile(rf"(\d+(?:\.\d+)?)\s*({_UNITS})")
_RANGE = re.compile(r"(?:range|reference|normal|ref\.?)[^\d()]{0,20}(\d+(?:\.\d+)?)\s*[-–]\s*"
                    r"(\d+(?:\.\d+)?)", re.I)  # fmt: skip
#: A range in parentheses right after the value: "Ca 7.9 mg/dL (8.9-10.5 mg/dL)".
_RANGE_AFTER = re.compile(r"\s*\((\d+(?:\.\d+)?)\s*[-\u2013]\s*(\d+(?:\.\d+)?)\s*[^\d()]{0,12}\)")
_SIGN = re.compile(
    r"\b(positive|negative|not detected|detected|within normal limits|normal|"
    r"positiv[oa]s?|negativ[oa]s?)\b|"
    r"(?<=[\w)])(\+|−|-)(?=[\s,;.)]|$)",
    re.I,
)


#: Headings of a structured abstract that are also vocabulary terms ("Observation:").
_ABSTRACT_LABELS = {"observation", "treatment", "management", "outcome", "follow-up"}
#: "Calcinosis, Raynaud, Esophagitis, Sclerodactyly, Telangiectasia (CREST)" and "CREST
#: (calcinosis, Raynaud's phenomenon, ...)": the acronym spelled out.
_CREST_AFTER = re.compile(r"(?:['\u2019]s)?(?:\s+phenomenon)?\s*,\s*(?:o?esophag|e)\w*[^.;()]{0,60}"
                          r"\(CREST\)", re.I)  # fmt: skip
_CREST_BEFORE = re.compile(r"\bCREST(?:\s+syndrome)?\s*\(\s*calcinosis\W+$", re.I)
#: Conditions that count only as the setting of the calcinosis, with a word saying so.
_SETTINGS = {"infection", "trauma"}
#: Settings that make the calcinosis iatrogenic or dystrophic only where the lesion is.
_AT_SITE = {"vaccination", "prior_radiotherapy"}
_AT_SITE_CAUSE = re.compile(r"\b(?:site of|after|following|secondary to|due to|at the|in the|"
                            r"within the)\b[^.;]*$", re.I)  # fmt: skip
_CAUSE = re.compile(r"\b(after|following|history of|secondary to|due to|site of|prior|previous|"
                    r"caused by|because of)\b[^.;]*$", re.I)  # fmt: skip


def evidence(field, value, status, text, start, end, rule="") -> FieldEvidence:
    return FieldEvidence(field, value, status, start, end, text[start:end], rule)


def age_phrases(text: str, start: int = 0, stop: int | None = None) -> list[re.Match]:
    """Every "An 87-year-old woman" / "a woman aged 60" phrase."""
    return list(AGE.finditer(text, start, len(text) if stop is None else stop))


def _age_groups(m: re.Match) -> tuple[str, str, str]:
    """(number, unit, person) of an age phrase, whichever of its forms matched."""
    if m.group(1):
        return m.group(1), m.group(2), m.group(3)
    if m.group(5):
        return m.group(5), m.group(6) or "year", m.group(4)
    return m.group(8), _UNIT_OF[m.group(9)[0].lower()], m.group(7)


def _sex_of(noun: str) -> str:
    noun = noun.lower()
    return _NOUNS[noun] if noun in _NOUNS else _NOUNS_ROMANCE.get(noun.split()[-1], "")


def age_and_sex(text: str, start: int, stop: int) -> list[FieldEvidence]:
    """Age in years (infants as decimals) and sex, from the first age phrase."""
    phrases = age_phrases(text, start, stop)
    out = []
    if phrases:
        m = phrases[0]
        number, unit, noun = _age_groups(m)
        number = _NUMBER_WORD.get(number.casefold(), number)  # "an eight-year old girl"
        years = float(number.replace(",", ".")) / _PER_YEAR[unit.lower().rstrip("s")]
        value = "90+" if years >= 90 else f"{years:.2f}".rstrip("0").rstrip(".")
        rule = "" if unit.lower().startswith(("year", "yr")) else f"{unit} converted to years"
        out.append(evidence("age_years", value, "inferred" if rule else "stated", text,
                             m.start(), m.end(), rule))  # fmt: skip
        sex = _sex_of(noun) or next(  # "a 12-year-old child" then "12-year-old female"
            (_sex_of(p.group(3)) for p in phrases[1:] if p.group(1) == m.group(1)
             and p.group(1) and _sex_of(p.group(3))), "")  # fmt: skip
        if not sex and (following := re.match(r"\s+(girl|boy|female|male)\b", text[m.end() :])):
            sex = _NOUNS[following.group(1).lower()]  # "a 3-month-old infant girl"
        if sex:
            out.append(evidence("sex", sex, "stated", text, m.start(), m.end()))
            return out
    people = [m for m in _PERSON.finditer(text, start, stop) if about_patient(text, m.start())
              and not _FAMILY.search(text, max(start, m.start() - 30), m.start())]
    if people and len({_NOUNS[m.group(1).lower()] for m in people}) == 1:
        m = people[0]  # "We report a middle-aged woman with ..."
        out.append(evidence("sex", _NOUNS[m.group(1).lower()], "stated", text, m.start(), m.end()))
        return out
    pronouns = {
        _NOUNS.get(p, "female" if p.lower() in ("she", "her") else "male")
        for p in (m.group(1).lower() for m in _PRONOUN.finditer(text, start, stop))
    }
    if len(pronouns) == 1:
        first = _PRONOUN.search(text, start, stop)
        out.append(evidence("sex", pronouns.pop(), "inferred", text, first.start(), first.end(),
                             "every pronoun for the patient has this sex"))  # fmt: skip
    return out


_HYPOCALCAEMIA = re.compile(r"\bhypocalc(?:a)?emi(?:a|c)\b", re.I)


_NEONATAL = re.compile(r"\bNICU\b|neonatal (?:intensive care|unit|period)|\bnewborn(?! screening)|"
                       r"\bneonate", re.I)  # fmt: skip


def neonatal_hypocalcaemia(text: str, start: int, stop: int,
                           age: float | None) -> list[FieldEvidence]:  # fmt: skip
    """Hypocalcaemia stated for a patient in the first weeks of life: under 0.1 years, or an
    infant (or a patient of unstated age) with the neonatal unit, a newborn or a neonate named
    in the sentence of the hypocalcaemia or the one before."""
    if age is not None and age >= 1:
        return []
    for m in _HYPOCALCAEMIA.finditer(text, start, stop):
        stated = context_of(text, m.start(), m.end())[0] == "stated"
        if not stated or not about_patient(text, m.start()):
            continue
        low, high = sentence_bounds(text, m.start())
        previous = sentence_bounds(text, max(start, low - 2))[0]
        if age is not None and age < 0.1:
            rule = "hypocalcaemia in a patient under 0.1 years"
        elif unit := _NEONATAL.search(text, max(start, previous), high):
            rule = f"hypocalcaemia with {unit.group(0)!r}"
        else:
            continue
        return [evidence("conditions", "neonatal_hypocalcaemia", "inferred", text, m.start(),
                          m.end(), rule)]  # fmt: skip
    return []


def term_lists(text: str, start: int, stop: int) -> list[FieldEvidence]:
    """Conditions, SSc subset, treatments, outcome and renal function from the vocabularies."""
    out = []
    antibodies = find_terms(text, "autoantibody", span=(start, stop))
    antibody_spans = [(m.start, m.end) for m in antibodies]
    for field, vocabulary in (("conditions", "condition"), ("ssc_subset", "ssc_subset"),
                              ("treatments", "treatment"), ("outcome", "outcome"),
                              ("renal_function", "renal_function")):  # fmt: skip
        for m in find_terms(text, vocabulary, span=(start, stop)):
            if any(a <= m.start < b for a, b in antibody_spans):
                continue  # "lupus" in "lupus anticoagulant"
            if m.term == "raynaud_phenomenon" and (
                _CREST_AFTER.match(text, m.end) or _CREST_BEFORE.search(text, max(0, m.start - 40),
                                                                        m.start)
            ):
                continue  # a letter of "CREST" spelled out, not a finding of its own
            if m.term == "malignancy" and re.search(r"\bbenign\s+(?:[\w\-]+\s+)?$",
                                                    text[max(start, m.start - 30) : m.start], re.I):
                continue  # "a benign neoplasm" is no malignancy
            if m.term in _AT_SITE and not _AT_SITE_CAUSE.search(text, max(start, m.start - 40),
                                                                m.start):
                continue  # "a vaccination a year earlier": not where the lesion is
            if m.term in _SETTINGS and not _CAUSE.search(text, max(start, m.start - 40), m.start):
                continue  # "ulceration, infection and abscess" is a complication, not a cause
            line = text.rfind("\n", 0, m.start) + 1
            before = text[line : m.start]
            if re.match(r"\s*:", text[m.end :]) and (
                m.text.casefold() in _ABSTRACT_LABELS
                or (line and not before.strip())
                or re.search(r"[.!?]\s*$", before)
            ):
                continue  # "Observation:" labels a part of an abstract; a title does not
            if field == "outcome" and _NOT_AN_OUTCOME.get(m.term, _NEVER).match(text, m.end):
                continue  # "progressed to induration", "a deceased donor kidney"
            if field == "outcome" and _of_a_symptom(text, m):
                continue  # "the redness had improved", "worsening pain": not the lesions
            context, trigger = m.context, m.trigger
            if (
                field == "outcome"
                and m.term == "resolved"
                and _MOSTLY.search(text, max(start, m.start - 40), m.start)
            ):
                out.append(FieldEvidence(field, "improved", context, m.start, m.end, m.text,
                                         "most, not all, of the lesions resolved"))  # fmt: skip
                continue
            if field == "treatments" and context == "stated" and _for_another_condition(text, m):
                context, trigger = "uncertain", "given for another condition"
            if field == "treatments" and _PART_OF.search(text, max(start, m.start - 80), m.start):
                continue  # "chemotherapy with rituximab, cyclophosphamide ...": one treatment
            if m.term == "observation" and re.match(r"\s+of\b", text[m.end :]):
                continue  # "the monitoring of serum bilirubin" is a test, not watchful waiting
            out.append(FieldEvidence(field, m.term, context, m.start, m.end, m.text, trigger))
    out += _treatment_verbs(text, start, stop)
    return _outcome_after_treatment(text, out)


#: Outcomes the reports phrase as verbs ("the lesion healed spontaneously").
_VERB_OUTCOMES = {
    "improved": re.compile(r"\bpartial(?:ly)? heal(?:ed|ing)\b|\bhealed partially\b", re.I),
    "resolved": re.compile(
        r"\b(?:lesions?|nodules?|swellings?|ulcers?|ulcerations?|plaques?|wounds?|masses|mass|it|"
        r"they)\s+(?:had\s+|have\s+|was\s+|were\s+)?(?:completely\s+|fully\s+)?healed\b"
        r"(?!\s+partially)|\bcomplete(?:ly)? heal(?:ed|ing)\b",
        re.I,
    ),
}


_NEVER = re.compile(r"(?!)")
_MOSTLY = re.compile(
    r"\b(?:majority of|most of|some of|a few of|almost|nearly|near[\s\-]complete|partial(?:ly)?)"
    r"\b[^.;]*$", re.I
)
#: A sentence about the medicines a patient takes for other reasons.
_REGIMEN = re.compile(
    r"\bimmunosuppress\w*|\busual (?:treatment|medication)|\bregular medication|"
    r"\b(?:current )?medications? (?:were|included|consisted)|\bmaintenance (?:therapy|treatment)",
    re.I,
)
#: "after surgery": the setting, not a treatment of the calcinosis.
_AFTER = re.compile(r"\b(?:after|following|post)[\s\-]+(?:\w+\s+){0,3}$", re.I)
#: "... of" something that is not the calcinosis: "progression of the leukaemia".
_OF_ANOTHER = (rf"\s+of\s+(?!{DET}(?:[\w\-]+\s+){{0,2}}(?:lesion|nodul|calci|ulcer|plaque|"
               r"deposit|mass|swelling))")  # fmt: skip
#: After an outcome word: the lesion forming, or no outcome at all.
_NOT_AN_OUTCOME = {
    "progressed": re.compile(r"\s+(?:in)?to\b|" + _OF_ANOTHER, re.I),
    "recurred": re.compile(_OF_ANOTHER, re.I),  # "a relapse of ALL"
    # "preserving the raphe improved the cosmesis": what the operation did, not the lesions
    "improved": re.compile(r"\s+(?:the|its|their|his|her)\s+(?![\w\-\s]{0,40}?(?:lesion|nodul|"
                           r"calci|ulcer|plaque|deposit|mass|swelling))", re.I),
    # "a deceased donor kidney"; "dead bone fragments" in a biopsy is tissue, not the patient
    "died": re.compile(r"\s+(?:donor|kidney|graft|liver|bone|tissue|cells?|skin|fat|fragments?)",
                       re.I),
}
#: Symptoms whose course is not the course of the calcinosis.
_SYMPTOM = (r"(?:redness|erythema|inflammation|rash|fever|pain|pruritus|itch\w*|weakness|"
            r"nausea|diarrho?ea|jaundice|symptoms?|status|condition|health|o?edema|myositis|"
            r"lupus|arthritis|scleroderma)")  # fmt: skip
_SYMPTOM_BEFORE = re.compile(rf"\b{_SYMPTOM}\s+(?:of\s+|that\s+|which\s+)?"
                             r"(?:had\s+|has\s+|was\s+|were\s+)?(?:\w+ly\s+)?$", re.I)  # fmt: skip
_SYMPTOM_AFTER = re.compile(
    rf"\s+(?:of\s+{DET})?(?:(?!(?:and|or|with)\b)\w+\s+|(?:(?!(?:and|or|with|in|of|her|his|the)\b)"
    rf"\w+\s+){{2}})?{_SYMPTOM}\b",  # "worsening lower extremity oedema", not "... in her symptoms"
    re.I,
)


def _of_a_symptom(text: str, m: Mention) -> bool:
    """An outcome word whose subject is a symptom alone ("the redness had improved", not "the
    nodules and pain improved") or that qualifies one ("worsening nausea")."""
    low = max(clause_bounds(text, m.start, m.end)[0], m.start - 50)
    # "the lesions improved and pain resolved": the subject starts after the last outcome
    low = max([low, *(o.end() for o in vocabulary_pattern("outcome").finditer(text, low, m.start))])
    if _SYMPTOM_BEFORE.search(text, low, m.start):
        return not LESION.search(text, low, m.start)
    after = _SYMPTOM_AFTER.match(text, m.end)
    return bool(after) and not LESION.search(text, m.end, after.end())


#: After a treatment: what it was given for, when that is not the calcinosis.
_FOR_OTHER = re.compile(
    r"(?:\s+(?:treatment|therapy))?\s+for\s+(?!(?:the\s+|her\s+|his\s+|its\s+)?(?:calcinosis|"
    r"calcif|lesion|nodul|ulcer|deposit|plaque|wound|mass|swelling|pain|\d|one|two|three|four|"
    r"six|several|a\s|an\s|about|over|up|more|years?|months?|weeks?|days?))[a-z]",
    re.I,
)


#: Before a drug: a disease the patient takes it for ("atrial fibrillation (on warfarin)").
_ON_FOR = re.compile(
    r"\b(?:fibrillation|embolism|thrombosis|hypertension|diabetes|failure|insufficiency|"
    r"transplant(?:ation)?|CKD(?:\s+\w+)?|DM(?:[\s\-]+\w+)?)\s*\(?\s*on\s+$",
    re.I,
)


_REQUIRING = re.compile(r"\b(\w+)\s+requir(?:ing|ed)\s+(?:chronic\s+|long[\s\-]term\s+|daily\s+)?$",
                        re.I)  # fmt: skip


def _for_another_condition(text: str, m: Mention) -> bool:
    """A drug in a sentence about another disease and not about the lesions ("a history of
    hypertension, for which she took amlodipine"), or "given for" something that is not
    the calcinosis ("warfarin for pulmonary embolism"), treats that disease."""
    if _FOR_OTHER.match(text, m.end) or _ON_FOR.search(text, max(0, m.start - 40), m.start):
        return True
    if (need := _REQUIRING.search(text, max(0, m.start - 50), m.start)) and not LESION.search(
        need.group(1)
    ):
        return True  # "polymyalgia rheumatica requiring chronic prednisone", not "ulcers ..."
    if m.term == "surgical_excision" and _AFTER.search(text, max(0, m.start - 40), m.start):
        return True  # "calcium chloride given after surgery"
    low, high = sentence_bounds(text, m.start)
    if _REGIMEN.search(text, low, high) and not LESION.search(text, low, high):
        return True  # "his immunosuppression consisted of prednisolone, ..."
    if LESION.search(text, low, high):
        return False
    return any(c.context == "stated" and c.term != "none"
               for c in find_terms(text, "condition", span=(low, high)))  # fmt: skip


#: Before a drug: the regimen it belongs to, already counted as that treatment.
_PART_OF = re.compile(
    r"\bchemotherapy\s+(?:with|consisting of|of)\s+(?:(?!(?:and\s+)?(?:her|his|the|was|were|"
    r"then|later|treated|given|received|started)\b)[\w\-]+(?:\s*,\s*|\s+))*$",
    re.I,
)


#: Treatments the reports phrase as verbs rather than name.
_VERB_TREATMENTS = {
    "observation": re.compile(
        r"\bmanaged (?:conservatively|symptomatically|expectantly)\b|\bsymptomatic (?:treatment|"
        r"management|care)s?\b|\b(?:lesions?|nodules?|swelling|mass|she|he|patient|infant|child|"
        r"neonate|baby) (?:was|were) (?:observed|monitored)\b(?!\s+for\b)",  # not "for signs of"
        re.I,
    ),
    "surgical_excision": re.compile(
        r"\b(?:surgically (?:removed|excised|resected)|removed (?:surgically|by surgery))\b", re.I
    ),
    "stop_causative_agent": re.compile(
        r"\b(?:stopp(?:ed|ing)|discontinu(?:ed|ing|ation of)|withdrawal of|withdrew|cessation of)"
        r"\s+(?:the\s+)?(?:[\w\-]+\s+){0,3}?(?:heparin|nadroparin|calciparin\w*|vitamin D|"
        r"alfacalcidol|calcitriol|(?:subcutaneous\s+)?injections)\b|\b(?:heparin|nadroparin|"
        r"injections?|vitamin D(?: analogue)?|alfacalcidol|calcitriol) (?:was|were) "
        r"(?:stopped|discontinued|withdrawn)\b",
        re.I,
    ),
    "stop_calcium": re.compile(
        r"\b(?:infusion|calcium(?: gluconate)?) (?:was|were) (?:stopped|discontinued|withdrawn)\b",
        re.I,
    ),
}


def _treatment_verbs(text: str, start: int, stop: int) -> list[FieldEvidence]:
    out = []
    for field, patterns in (("treatments", _VERB_TREATMENTS), ("outcome", _VERB_OUTCOMES)):
        for term, pattern in patterns.items():
            for m in pattern.finditer(text, start, stop):
                if about_patient(text, m.start()):
                    context, trigger = context_of(text, m.start(), m.end())
                    rule = trigger or f"{field.rstrip('s')} phrased as a verb"
                    out.append(evidence(field, term, context, text, m.start(), m.end(), rule))
    return out


_FOLLOW_UP = re.compile(
    r"follow[\s\-]?up|later|after\s+\d+|spontaneous|within\s+\w+\s+(?:week|month|year)", re.I
)


def _outcome_after_treatment(text: str, found: list[FieldEvidence]) -> list[FieldEvidence]:
    """Progression is an outcome when it follows treatment or a follow-up: "the lesions
    had enlarged since they were first noted", before any treatment, is history."""
    treated = min((sentence_bounds(text, e.start)[0] for e in found if e.field == "treatments"),
                  default=None)  # fmt: skip
    out = []
    for e in found:
        if e.field == "outcome" and e.value in ("progressed", "improved"):
            low, high = sentence_bounds(text, e.start)
            before = treated is None or low < treated
            if e.value == "progressed" and before and not _FOLLOW_UP.search(text, low, high):
                continue
            if _HISTORY.search(text, low, high):
                continue  # "in the past 5 years the nodules enlarged": before presentation
        out.append(e)
    return out


_HISTORY = re.compile(
    r"\b(?:in|over|during) the (?:past|last|previous) (?:\d+|\w+) (?:years?|months?)\b|"
    r"\bprior to (?:presentation|admission|the visit)\b|\bbefore (?:presentation|admission)\b|"
    r"\b(?:appeared|first (?:noticed|noted))\b|"  # "appeared and slowly progressed": onset
    r"\b(?:stated|said|recalled) that\b",  # "her mother stated that some had disappeared"
    re.I,
)


def autoantibodies(text: str, start: int, stop: int) -> list[FieldEvidence]:
    """Antibodies with their sign: "positive for A and B", "A was negative", "A+"."""
    out = []
    for m in find_terms(text, "autoantibody", span=(start, stop)):
        low, high = sentence_bounds(text, m.start)
        sign, rule = _sign_for(text, m, low, high)
        if not sign:
            out.append(FieldEvidence("autoantibodies", m.term, "not_found", m.start, m.end,
                                     m.text, "no result stated"))  # fmt: skip
            continue
        status = "inferred" if rule else "stated"
        if m.context == "uncertain":
            status = "uncertain"
        out.append(evidence("autoantibodies", m.term + sign, status, text,
                             min(m.start, low), high, rule))  # fmt: skip
    return out


_PARENTHESES = re.compile(r"\((?:[^()]|\([^()]*\))*\)")


def _sign_for(text: str, m: Mention, low: int, high: int) -> tuple[str, str]:
    signs = list(_SIGN.finditer(text, low, high))
    # "positive for A, B": the nearest sign before, followed by for/to/with
    before = [s for s in signs if s.end() <= m.start]
    after = [s for s in signs if s.start() >= m.end]
    if before and re.match(r"\s*(for|to)\b", text[before[-1].end() :]):
        between = _PARENTHESES.sub("", text[before[-1].end() : m.start])  # titres, units
        if not re.search(r"[;]|\bwhereas\b|\bbut\b", between):
            return _sign_value(before[-1].group(0))
    if before and re.fullmatch(
        r"\s+(?:(?!(?:and|or|but|while|whereas)\b)[\w\-]+\s+){0,2}",
        text[before[-1].end() : m.start],
    ):
        return _sign_value(before[-1].group(0))  # "positive anti-dsDNA antibodies"
    if after and (len(text[m.end : after[0].start()]) < 60 or "normal" not in after[0].group(0)):
        return _sign_value(after[0].group(0))
    return "", ""


def _sign_value(word: str) -> tuple[str, str]:
    word = word.casefold()
    if word in ("positive", "detected", "+") or word.startswith("positiv"):
        return "+", ""
    if word in ("within normal limits", "normal"):
        return "-", "an antibody level within normal limits is read as negative"
    return "-", ""


#: One word for an analyte and its status: "hyperphosphataemia", "normocalcemic".
_COMPOUND = re.compile(r"\b(hyper|hypo|normo)(calc|phosphat)a?em(?:ia|ic)\b", re.I)
_COMPOUND_STATUS = {"hyper": "high", "hypo": "low", "normo": "normal"}


def labs(text: str, start: int, stop: int) -> list[FieldEvidence]:
    """Calcium, phosphate, PTH (value, unit, status) and renal function status."""
    out = []
    for m in _COMPOUND.finditer(text, start, stop):
        if _TREATED.search(text, max(start, m.start() - 30), m.start()):
            continue  # "calcium gluconate to manage hypocalcaemia": why it was given
        if about_patient(text, m.start()):
            analyte = "calcium" if m.group(2).casefold() == "calc" else "phosphate"
            context, trigger = context_of(text, m.start(), m.end())
            out.append(FieldEvidence(f"{analyte}_status", _COMPOUND_STATUS[m.group(1).casefold()],
                                     context, m.start(), m.end(), m.group(0), trigger))  # fmt: skip
    respective, taken = _respective_values(text, start, stop)
    for analyte in ANALYTES:
        for m in _ANALYTE[analyte].finditer(text, 0, stop):
            if m.start() < start or not m.group(0).strip() or not about_patient(text, m.start()):
                continue
            lab = _one_lab(text, analyte, m.start(), m.end())
            if m.start() in taken:  # its value is the respective one, not the nearest
                lab = [e for e in lab if not e.field.endswith(("_value", "_unit"))]
            out.extend(lab)
    return out + respective + _status_lists(text, start, stop)


_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)
_VALUE = re.compile(rf"(\d+(?:\.\d+)?)(?:\s*({_UNITS}))?")  # the unit may be the next value's


def _respective_values(text: str, start: int, stop: int) -> tuple[list[FieldEvidence], set[int]]:
    """ "Serum phosphorus and calcium were 7.0 mg/dL and 9.5 mg/dL, respectively": the values
    in the order of the analytes (a value without a unit takes the next value's unit)."""
    out, taken = [], set()
    for r in _RESPECTIVELY.finditer(text, start, stop):
        low = sentence_bounds(text, r.start())[0]
        named = sorted(
            (m.start(), m.end(), analyte) for analyte in ("calcium", "phosphate", "pth")
            for m in _ANALYTE[analyte].finditer(text, low, r.start()) if m.group(0).strip()
        )  # fmt: skip
        if len(named) < 2 or not about_patient(text, r.start()):
            continue
        values = list(_VALUE.finditer(text, named[-1][1], r.start()))[-len(named):]
        if len(values) != len(named) or not values[-1].group(2):  # "on day 3, were 9.2 and 3.8"
            continue
        units = [v.group(2) for v in values]
        for i in range(len(units) - 2, -1, -1):
            units[i] = units[i] or units[i + 1]
        for (a, _, analyte), value, unit in zip(named, values, units, strict=True):
            taken.add(a)
            term = load_schema().canonical(f"{analyte}_unit", unit.replace(" ", ""))
            rule = "values given in the order of the analytes, 'respectively'"
            out.append(evidence(f"{analyte}_value", value.group(1), "stated", text, a,
                                value.end(), rule))  # fmt: skip
            if term:
                out.append(evidence(f"{analyte}_unit", term, "stated", text, a, value.end(),
                                    rule))  # fmt: skip
    return out, taken


_TREATED = re.compile(r"\b(?:treat|manag|correct)\w*\s+(?:\w+\s+){0,2}$|\bfor\s+(?:\w+\s+)?$",
                      re.I)  # fmt: skip
#: A status before a list of analytes: "normal serum levels of PTH, calcium and creatinine",
#: "normal electrolytes including calcium and phosphate".
_LIST = re.compile(
    r"\b(normal|elevated|raised|increased|low|decreased|no (?:significant )?abnormalit(?:y|ies))"
    r"\s+(?:serum\s+|blood\s+|plasma\s+)?"
    r"(?:levels?\s+of|electrolytes?,?\s+(?:including|with)|,?\s*including|in)\s+([^.;:()]{3,120})",
    re.I,
)
_ANALYTE_WORD = (
    r"(?:(?:serum|total|ionized|ionised)\s+)?(?:calcium|phosph\w+|parathyroid hormone|i?PTH|"
    r"creatinine)"
)
_LIST_BEFORE = re.compile(
    rf"\b(normal|elevated|raised|increased|low|decreased)\s+((?:{_ANALYTE_WORD}(?:\s*,\s*(?:and\s+)?|"
    rf"\s+and\s+|\s+or\s+)){{1,5}}{_ANALYTE_WORD})",
    re.I,
)
_IN_LIST = {**ANALYTES, "renal": r"\bcreatinine\b(?! clearance)|renal function|kidney function"}


def _compiled(patterns: dict[str, str]) -> dict[str, re.Pattern]:
    """Each analyte's pattern, compiled: "Ca" is case-sensitive, the others are not."""
    return {a: re.compile(p, 0 if a == "calcium" else re.I) for a, p in patterns.items()}


_ANALYTE, _IN_LIST_PATTERN = _compiled(ANALYTES), _compiled(_IN_LIST)


def _status_lists(text: str, start: int, stop: int) -> list[FieldEvidence]:
    out = []
    matches = [*_LIST.finditer(text, start, stop), *_LIST_BEFORE.finditer(text, start, stop)]
    for m in matches:
        if not about_patient(text, m.start()):
            continue
        word = m.group(1).casefold()
        term = "normal" if word.startswith("no ") else load_schema().canonical("lab_status", word)
        context, trigger = context_of(text, m.start(1), m.end(1))
        if word.startswith("no "):  # "no abnormalities": the "no" is the finding, not a negation
            context, trigger = "stated", ""
        for analyte in _IN_LIST:
            found = _IN_LIST_PATTERN[analyte].search(m.group(2))
            if term is None or not found or (analyte == "renal" and term != "normal"):
                continue
            field = "renal_function" if analyte == "renal" else f"{analyte}_status"
            end = m.start(2) + found.end()
            out.append(FieldEvidence(field, term, context, m.start(), end, text[m.start():end],
                                     trigger or "a status before a list of analytes"))  # fmt: skip
    return out


#: A clause about what was given, not what was measured ("dialysate calcium of 1.25 mmol/L").
_NOT_SERUM = re.compile(r"\b(dialysate|dialysis bath|solution|infusion|supplement\w*|diet)\b", re.I)


def _one_lab(text: str, analyte: str, start: int, end: int) -> list[FieldEvidence]:
    low, high = clause_bounds(text, start, end)
    if _NOT_SERUM.search(text, max(low, start - 35), end):
        return []
    sent_low, sent_high = sentence_bounds(text, start)
    out = []
    number = re.search(r"^[^\d.;]{0,25}?" + _NUMBER.pattern, text[end:sent_high])
    if analyte != "renal" and number:
        unit_vocab = f"{analyte}_unit"
        unit = load_schema().canonical(unit_vocab, number.group(2).replace(" ", ""))
        v_end = end + number.end()
        out.append(evidence(f"{analyte}_value", number.group(1), "stated", text, start, v_end))
        if unit:
            out.append(evidence(f"{analyte}_unit", unit, "stated", text, start, v_end))
        rng = _RANGE.search(text, v_end, min(sent_high, v_end + 60)) or _RANGE_AFTER.match(
            text, v_end
        )
        if rng:
            x, lo, hi = float(number.group(1)), float(rng.group(1)), float(rng.group(2))
            status = "normal" if lo <= x <= hi else ("high" if x > hi else "low")
            out.append(evidence(f"{analyte}_status", status, "inferred", text, start,
                                 rng.end(), "value against the range the text gives"))  # fmt: skip
            return out
    if analyte != "renal" and number:
        high = end + number.start(1)  # a status after the value belongs to the next analyte
    status = _status_near(text, start, end, low, high)
    if status:
        term, s, e, context, trigger = status
        field = "renal_function" if analyte == "renal" else f"{analyte}_status"
        if analyte == "renal" and term != "normal":
            return out  # "low renal function" is left to the renal_function vocabulary
        out.append(FieldEvidence(field, term, context, min(s, start), max(e, end),
                                 text[min(s, start):max(e, end)], trigger))  # fmt: skip
    return out


#: Between a status word and its analyte: nothing, or the analytes it also qualifies
#: ("normal serum calcium and phosphorus").
_COORDINATED = re.compile(
    r"\s*(?:levels? of\s+)?(?:(?:serum |total |blood )?(?:calcium|phosph\w+|PTH)"
    r"(?:,\s*|\s+and\s+|\s+or\s+))?(?:serum |total |blood |ionized |ionised |corrected )?",
    re.I,
)


_NEXT_ANALYTE = re.compile(
    r"\s+(?:serum\s+)?(?:calcium|phosph|parathyroid|i?PTH\b|creatinine)", re.I
)


def _status_near(text, start, end, low, high):
    # "elevated serum calcium" (just before) or "calcium ... were within normal limits" (after)
    before = [
        s
        for s in _STATUS.finditer(text, max(low, start - 45), start)
        if _COORDINATED.fullmatch(text[s.end() : start])
    ]
    after = [  # not "low phosphate clearance": that status is the next analyte's
        s for s in _STATUS.finditer(text, end, high) if not _NEXT_ANALYTE.match(text, s.end())
    ]
    chosen = before[-1] if before else (after[0] if after else None)
    if chosen is None or re.search(r"\b(?:to|back to)\s+(?:the\s+)?$", text[low : chosen.start()]):
        return None  # "brought calcium and phosphate levels back to normal": after treatment
    word = chosen.group(0).casefold()
    schema = load_schema()  # "elevados": a plural of the vocabulary's "elevado"
    term = (_STATUS_TERM.get(word) or schema.canonical("lab_status", word)
            or schema.canonical("lab_status", word.removesuffix("s")))  # fmt: skip
    if term is None:
        return None
    context, trigger = context_of(text, chosen.start(), chosen.end())
    return term, chosen.start(), chosen.end(), context, trigger


def _abbreviated_subtype(text: str, start: int, stop: int) -> list[FieldEvidence]:
    """The subtype named through an abbreviation whose definition names it ("a case of
    ICCS", with "idiopathic calcinosis cutis of the scrotum (ICCS)" earlier)."""
    pattern, schema, out = vocabulary_pattern("subtype"), load_schema(), []
    for d in DEFINED.finditer(text):
        named = pattern.search(d.group(1)) if pattern else None
        term = schema.canonical("subtype", named.group(0)) if named else None
        if term is None:
            continue
        for m in re.finditer(rf"\b{d.group(2)}\b(?!\))", text[:stop]):
            if m.start() >= start and about_patient(text, m.start()):
                context, trigger = context_of(text, m.start(), m.end())
                out.append(FieldEvidence("subtype", term, context, m.start(), m.end(), m.group(0),
                                         trigger or f"{d.group(2)} is defined as "
                                         f"{d.group(1).strip()!r}"))  # fmt: skip
    return out


#: Right before a subtype: the authors' classing of a disease in it ("a special form of").
_CLASS_OF = re.compile(r"\b(?:form|type|variant|subtype|kind|category)\s+of\s+(?:the\s+)?$", re.I)


def classed_subtype(text: str, conditions: set[str]) -> FieldEvidence | None:
    """The subtype the authors class one of the patient's conditions in, anywhere in the
    text: "Tumoral calcinosis is a special form of idiopathic calcinosis cutis"."""
    schema = load_schema()
    named = vocabulary_pattern("condition")
    for m in vocabulary_pattern("subtype").finditer(text):
        low = sentence_bounds(text, m.start())[0]
        if not _CLASS_OF.search(text, max(low, m.start() - 40), m.start()):
            continue
        for c in named.finditer(text, low, m.start()):
            if schema.canonical("condition", c.group(0)) in conditions:
                return FieldEvidence("subtype", schema.canonical("subtype", m.group(0)), "stated",
                                     m.start(), m.end(), m.group(0),
                                     f"the authors class {c.group(0)} as {m.group(0)}")  # fmt: skip
    return None


def subtype(text: str, start: int, stop: int, later: tuple[int, int]) -> list[FieldEvidence]:
    """The subtype the authors name, in the case or in a discussion sentence about the patient."""
    out = [FieldEvidence("subtype", m.term, m.context, m.start, m.end, m.text, m.trigger)
           for m in find_terms(text, "subtype", span=(start, stop))]  # fmt: skip
    if not any(f.status == "stated" for f in out):
        out += _abbreviated_subtype(text, start, stop)
    if not any(f.status == "stated" for f in out):
        for m in find_terms(text, "subtype", span=later):
            low, high = sentence_bounds(text, m.start)
            if re.search(
                r"\b(our|this) (patient|case)\b|\bwe (believe|think|consider)|"
                r"^\W*fig(?:ure|\.)?\s*\d",
                text[low:high],
                re.I,
            ):
                out.append(FieldEvidence("subtype", m.term, m.context, low, high,
                                         text[low:high], m.trigger))  # fmt: skip
    return out
