"""The rules that read a case report: mentions, their context, and the patients.

Everything here works on plain strings with :mod:`re`; no NLP library. Terms
come from the schema tables, so a new synonym in ``vocabularies.csv`` or
``anatomy.csv`` is found without a code change. Context (negation,
uncertainty) is a small NegEx-style rule set: a trigger word before the
mention in the same clause, or a trigger phrase right after it.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from casestats.schema import load_schema

#: Words before a mention, in its clause, that negate it (NegEx pre-triggers).
NEGATION_BEFORE = (
    "no", "not", "without", "denied", "denies", "negative for", "absence of", "absent",
    "free of", "ruled out", "excluded", "nor", "neither", "rather than", "instead of",
    "never", "lack of", "no evidence of", "no history of", "unremarkable for",
    # Spanish, Portuguese, Italian ("no" and "nor" are above)
    "sin", "ni", "negó", "negaba", "ausencia de", "se descartó", "descartándose", "não", "sem",
    "nem", "ausência de", "negava", "senza",
)  # fmt: skip
#: Phrases right after a mention that negate it (NegEx post-triggers).
NEGATION_AFTER = (
    "was ruled out", "were ruled out", "was excluded", "were excluded", "was absent",
    "were absent", "was not", "were not", "is not", "did not", "had not", "unlikely",
    "was spared", "were spared",
)  # fmt: skip
#: A screen or test named after the mention came back negative ("diabetes and HIV
#: screening were negative").
_SCREEN_NEGATIVE = re.compile(
    r"^(?:(?:and|or)\s+(?!(?:her|his|the|their|its|a|an|whose)\b)[\w\-]+\s+)?"
    r"(?:screening|screens?|tests?|serology)\s+(?:was|were)\s+negative\b",
    re.I,
)
#: Right before a mention: what a treatment was meant to prevent ("to prevent recurrence").
_PURPOSE = re.compile(r"\b(?:to\s+)?(?:prevent|avoid)(?:ing)?\s+(?:the\s+|a\s+|further\s+)?$",
                      re.I)  # fmt: skip
#: Words before a mention, in its clause, that make it uncertain.
UNCERTAIN_BEFORE = (
    "possible", "possibly", "probable", "probably", "suspected", "suspicion of",
    "suggestive of", "suggesting", "likely", "may", "might", "could", "differential",
    "presumed", "query", "signs of", "monitored for", "screened for", "family history of",
    "mother", "father", "sister", "brother", "recommended that", "if",
    "posible", "posiblemente", "probable", "probablemente", "sospecha de", "possível",
    "provável", "suspeita de", "possibile", "sospetta",
)  # fmt: skip

#: Phrases right after a mention that make it uncertain.
UNCERTAIN_AFTER = (
    "was considered", "was suspected", "was possible", "was probable", "was likely",
    "could not be excluded", "was not excluded", "was recommended", "was strongly recommended",
    "was planned", "was advised", "was proposed", "was offered",
)  # fmt: skip

#: Where a clause ends for context purposes (NegEx's termination terms).
#: A new verb after ", and": "without improvement, and died" (not "no A, B, and C").
_AND_THEN = r",\s+(?:and|y|e)\s+(?=(?:then\s+)?\w+(?:ed|ó|ou|eu)\b)"
_CLAUSE_END = re.compile(
    r"[;:()]|\b(?:but|however|whereas|while|although|pero|sin embargo|aunque|porém|embora|"
    rf"però|tuttavia)\b|{_AND_THEN}",
    re.I,
)
_NEW_VERB = re.compile(_AND_THEN, re.I)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+(?=\s|$)|\n|$)")
#: A section heading after which the text is discussion, not the case.
_DISCUSSION = re.compile(r"^\W*(discussion|comment|references|conclusions?|discusión|discussão|"
                         r"discussione|comentarios?|comentários?|referencias|referências|"
                         r"bibliografía|bibliografia|conclusión|conclusão)\b.*$", re.I | re.M)
_CASE_HEADING = re.compile(
    r"^\W*(?:case|patient|caso|paciente)\s+(\d+|[IVX]+|one|two|three|four)\b[^\n]*$"
    r"|(?<=[.:]\s)(?:case|patient)\s+(\d+)\s*[.:](?=\s)",  # "... Case 2. The patient was"
    re.I | re.M,
)
_COUNT = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4}
_SEVERAL = re.compile(
    r"\b(two|three|four|2|3|4)\s+(?:\w+\s+)?(siblings|sisters|brothers|patients|cases|"
    r"children|twins|women|men|girls|boys|neonates|infants|newborns|babies)\b"
    # "case reports" only as the authors' own: "we present two case reports", not the literature
    r"|\b(?:present|report|describe)\w*\s+(?:here\s+)?(two|three|four)\s+case reports\b",
    re.I,
)
#: A later patient introduced in running text: "The second patient, a 48-year-old man, ...".
_NEXT_PATIENT = re.compile(
    r"\b(?:the|our|a)\s+(second|third|fourth)\s+(?:patient|case|sibling|child|twin)\b",
    re.I,
)
#: Between two items of one list: "the right shoulder and elbow", "MMF and/or IVIG".
LIST_JOIN = re.compile(r",?\s+(?:and/or|and|or)\s+|,\s*", re.I)
_LITERATURE = re.compile(r"\b(?:is|was)\s+(?:only\s+)?the\s+(?:second|third|fourth)\b|"
                         r"\breported\b|\bdescribed\b|\bliterature\b|to our knowledge", re.I)
#: A sentence of a several-patient text that speaks of all of them.
_ALL_PATIENTS = re.compile(
    r"\b(?:both|all(?: the)?(?: two| three| four)?|each|these(?: two| three| four)?|"
    r"the (?:two|three|four)|our)\s+(?:of (?:them|the \w+)|patients|cases|siblings|children|"
    r"neonates|infants|girls|boys|women|men|sisters|brothers|twins)\b"  # not "both hands"
    r"|\bboth\s+(?=(?:were|had|received|developed|showed|underwent)\b)",  # "Both were treated"
    re.I,
)


#: Term names too generic to mean the term on their own ("normal" renal function).
_GENERIC = {"none", "not applicable", "normal", "impaired", "transplanted", "overlap", "pulp"}


@dataclass(frozen=True)
class Mention:
    """A vocabulary term found in the text: where, which term, in what context."""

    vocabulary: str
    term: str
    start: int
    end: int
    text: str
    context: str  # "stated", "negated" or "uncertain"
    trigger: str


def _key(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def _name_pattern(name: str) -> str:
    # hyphens, spaces and underscores are interchangeable, as in Schema.canonical
    parts = re.split(r"[\s_\-]+", name.strip())
    body = r"[\s\-\u2013]*".join(re.escape(p) for p in parts if p)  # "anti\u2013Sm" too
    return body.replace("'", "['\u2019]")  # "Raynaud\u2019s" as printed


@functools.cache
def vocabulary_pattern(vocabulary: str) -> re.Pattern | None:
    """One regular expression for every spelling of a vocabulary's terms.

    Short names written with capitals (``DM``, ``SSc``, ``Ro``) match only in
    that case, so "dm" in a word or "ro" in Spanish never count.
    """
    schema = load_schema()
    rows = schema.anatomy if vocabulary == "site" else schema.vocabularies
    if vocabulary != "site":
        rows = rows[rows["vocabulary"] == vocabulary]
    names = set()
    for row in rows.itertuples(index=False):
        names.update([row.term, row.label, *filter(None, row.synonyms.split("|"))])
    names = {n for n in names if len(n) > 1 and n not in _GENERIC}
    if vocabulary == "ssc_subset":  # "diffuse" alone is a pattern of ANA or of lesions
        names -= {"limited", "diffuse", "sine"}
    alternatives = []
    for name in sorted(names, key=len, reverse=True):
        body = _name_pattern(name)
        if len(name) >= 3 and name[-1].isalpha() and name == name.lower():
            body += "(?:e?s)?"  # "calcium channel blockers", "bisphosphonates", "hips"
        if len(name) <= 5 and name != name.lower():
            alternatives.append(body)
        else:
            alternatives.append(f"(?i:{body})")
    if vocabulary == "ssc_subset":  # ... unless the disease follows: "limited systemic scleroderma"
        alternatives.append(r"(?i:limited|diffuse)(?=(?:[\s\-]+(?:cutaneous|systemic|form))*"
                            r"\s+(?:systemic sclerosis|scleroderma|SSc)\b)")  # fmt: skip
    if not alternatives:
        return None
    return re.compile(r"(?<![\w\-])(?:" + "|".join(alternatives) + r")(?![\w\-])")


#: Between a mention and a second name for the same thing ("CREST syndrome - a special form
#: of limited cutaneous systemic sclerosis"): the second shares the first one's context.
_APPOSITION = re.compile(
    r"[*_]*(?:\s+syndrome)?\s*[-\u2013\u2014(,]\s*(?:(?!\b(?:and|but|with)\b)[\w\s]){0,40}"
)  # "CREST** syndrome – a special form of": emphasis marks of a stored page


def _canonical(schema, vocabulary: str, surface: str) -> str | None:
    surface = surface.replace("\u2019", "'")
    term = schema.canonical(vocabulary, surface)
    for cut in (1, 2):  # a plural the pattern allowed
        if term is None and surface.casefold().endswith("es"[2 - cut :]):
            term = schema.canonical(vocabulary, surface[:-cut])
    return term


def find_terms(text: str, vocabulary: str, *, span: tuple[int, int] = (0, -1)) -> list[Mention]:
    """Every mention of a vocabulary's terms in ``text[span]``, with its context.

    Only sentences about the patient count (:func:`about_patient`).
    """
    pattern = vocabulary_pattern(vocabulary)
    schema = load_schema()
    start, stop = span[0], (len(text) if span[1] < 0 else span[1])
    # (start, end, the name it stands for): the vocabulary's names, and the abbreviations the
    # text defines for them
    found = [(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text, start, stop)]
    found += [a for a in _aliases(text, vocabulary) if start <= a[0] and a[1] <= stop]
    out = []
    for low, high, name in sorted(found):
        term = _canonical(schema, vocabulary, name)
        if term is None or not about_patient(text, low):
            continue
        context, trigger = context_of(text, low, high)
        between = text[out[-1].end : low] if out else ""
        if (out and context == "stated" and not _NEW_VERB.match(text, out[-1].end)
                and (_APPOSITION.fullmatch(between) or LIST_JOIN.fullmatch(between))):
            # "signs of CREST - a form of"; a list shares its first item's context, however
            # long: "not within the joints of the hands, hips, knees and elbows"
            context, trigger = out[-1].context, out[-1].trigger
        out.append(Mention(vocabulary, term, low, high, text[low:high], context, trigger))
    return out


#: An abbreviation the text defines: "topical sodium thiosulfate (TST)".
DEFINED = re.compile(r"((?:[\w\-]+[ \t]+){0,7}[\w\-]+)[ \t]*\(([A-Z]{2,6})\)")


@functools.lru_cache(maxsize=64)
def _aliases(text: str, vocabulary: str) -> tuple[tuple[int, int, str], ...]:
    """Later uses of an abbreviation whose definition ends with a term ("TST was trialled"
    after "topical sodium thiosulfate (TST)"), each with the name it stands for."""
    pattern, out = vocabulary_pattern(vocabulary), []
    for d in DEFINED.finditer(text):
        names = [m for m in pattern.finditer(d.group(1)) if m.end() == len(d.group(1))]
        if not names or pattern.fullmatch(d.group(2)):
            continue
        if context_of(text, d.start(1) + names[-1].start(), d.end(1))[0] != "stated":
            continue  # "his mother had gestational diabetes (GDM)": GDM is hers, later too
        out += [(use.start(), use.end(), names[-1].group(0))
                for use in re.compile(rf"\b{d.group(2)}\b(?!\))").finditer(text, d.end())]
    return tuple(out)


#: Where a sentence ends: a full stop (with the citation numbers printed after it,
#: "rare.2 It"), a blank line, or the end of a short line (a heading) or of the title.
_STOP = re.compile(
    r"(?<!\d)[.!?](?:\d+(?:\s?[,\u2013\-]\s?\d+)*|\[\d+(?:\s?[,\u2013\-]\s?\d+)*\])?(?=\s)"
    r"|(?<=\d)[.!?](?=\s)|\n\s*\n|^[^\n]{0,60}$",  # "rare.2 It", "necrosis.[1] It"
    re.M,
)  # not "9.1 mg/dL"


@functools.lru_cache(maxsize=32)
def _sentence_ends(text: str) -> tuple[int, ...]:
    first_line = text.find("\n")
    ends = {m.end() for m in _STOP.finditer(text)} | {len(text)}
    return tuple(sorted(ends | ({first_line} if first_line > 0 else set())))


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end of the sentence holding `position`.

    A line break alone ends a sentence only after a short line (a heading)
    or after the first line (the title); wrapped lines stay one sentence.
    """
    ends = _sentence_ends(text)
    i = bisect.bisect_right(ends, position)
    return (ends[i - 1] if i else 0), (ends[i] if i < len(ends) else len(text))


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around ``text[start:end]``: its sentence cut at termination terms."""
    low, high = sentence_bounds(text, start)
    # up to the mention's end, so that a look-ahead may see the mention itself
    before = [m.end() for m in _CLAUSE_END.finditer(text, low, end) if m.end() <= start]
    after = [m.start() for m in _CLAUSE_END.finditer(text, end, high)]
    return (before[-1] if before else low), (after[0] if after else high)


#: Triggers that are also abbreviations when capitalised ("SEM" for electron microscopy).
_LOWER_CASE_ONLY = {"sem", "ni", "nem"}


def _has(words: tuple[str, ...], text: str) -> str:
    for word in words:
        flags = 0 if word in _LOWER_CASE_ONLY else re.I
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, flags):
            return word
    return ""


_ITEM = r"[\w'\u2019\-]+(?:\s+[\w'\u2019\-]+){0,2}"  # an item of a list: up to three words
_NEGATED_LIST = re.compile(
    r"\b(excluded|ruled out|no|without|denied)\b[^.;:]{0,60}\bsuch as\b[^.;:]*$"
    # "no complaints of joint pain, muscle weakness, skin rashes, Raynaud's phenomenon"
    rf"|\b(no|without|denied|denies)\b(?:\s+\w+\s+of)?\s+(?:{_ITEM}\s*,\s*)+"
    rf"(?:{_ITEM}\s+)?(?:(?:and|or)\s+)?$",
    re.I,
)


#: A count as the subject: a statement about some of a report's patients, none named.
_SOME_OF_THEM = re.compile(
    r"(?<!patient )(?<!case )\b(?:two|three|four|five|six)\s+(?:of\s+(?:them|the\s+\w+)\s+)?"
    r"(?:were|had|showed)\b",
    re.I,
)


_AGED_RELATIVE = re.compile(r"\d+[\s\-]*(?:year|month|week|day)s?[\s\-]*old\s+(mother|father|"
                            r"sister|brother)\b", re.I)  # fmt: skip


_PORTUGUESE = re.compile(r"\b(?:não|com|uma|anos|foi|foram|apresentou|também|são|pelo|pela)\b",
                         re.I)  # fmt: skip
_ENGLISH = re.compile(r"\b(?:the|and|with|was|were|of)\b", re.I)


@functools.lru_cache(maxsize=32)
def _in_portuguese(text: str) -> bool:
    """Whether the text is in Portuguese, where "no" is "in the" ("no joelho")."""
    return len(_PORTUGUESE.findall(text)) > len(_ENGLISH.findall(text))


def context_of(text: str, start: int, end: int) -> tuple[str, str]:
    """("negated" | "uncertain" | "stated", trigger) for the mention ``text[start:end]``."""
    low, high = clause_bounds(text, start, end)
    before = text[low:start]
    # only the six words nearest the mention, as NegEx does
    before = " ".join(before.split()[-6:])
    if _in_portuguese(text):
        before = re.sub(r"\bno\b", "", before, flags=re.I)
    if aged := _AGED_RELATIVE.search(text, low, start):  # "his 28-year-old brother, had ...":
        before = re.sub(rf"\b{aged.group(1)}\b", "", before, flags=re.I)  # a patient himself
    after = " ".join(text[end:high].split()[:4])
    if trigger := _has(NEGATION_BEFORE, before):
        return "negated", trigger
    if listed := _NEGATED_LIST.search(text, low, start):
        return "negated", listed.group(1) or listed.group(2)  # "excluded ... such as A, B"
    if screen := _SCREEN_NEGATIVE.match(" ".join(text[end:high].split()[:7])):
        return "negated", screen.group(0)
    for phrases, context in ((UNCERTAIN_AFTER, "uncertain"), (NEGATION_AFTER, "negated")):
        for phrase in phrases:
            if after.casefold().startswith(phrase):
                return context, phrase
    if trigger := _has(UNCERTAIN_BEFORE, before):
        return "uncertain", trigger
    if purpose := _PURPOSE.search(text, max(low, start - 30), start):
        return "uncertain", purpose.group(0).strip()
    if some := _SOME_OF_THEM.search(text, low, start):
        return "uncertain", some.group(0)  # "two were anti-Scl70 positive": which two?
    return "stated", ""


#: Words that tie a sentence to the patient being described.
_ANCHOR = re.compile(
    r"\b(?:she|he|her|his|him|our (?:patients?|case)|this patient|the patients?|both patients|"
    r"(?:patient|case) (?:\d|one|two|three)|the (?:child|infant|neonate|girl|boy|woman|man|lady)|"
    r"we (?:report|present|describe)|this (?:article|report|case)|the authors|"
    r"this is the first (?:case|report)|(?:medical |past |prior )+history (?:is|was) "
    r"(?:notable|significant|remarkable) for|"
    r"\d+[\s\-]*(?:year|month|week|day)s?[\s\-]*old|"
    # Spanish, Portuguese, Italian: "la paciente", "presentamos", "58 años"
    r"(?:la|el|nuestr[oa]|a|o|nosso|nossa|il|nostr[oa])\s+(?:paciente|paziente)|"
    r"(?:presentamos|describimos|reportamos|apresentamos|relatamos|descrevemos|presentiamo|"
    r"descriviamo)|\d+\s+(?:años|anos|anni|meses|mesi))\b",
    re.I,
)
#: Verbs in the past tense: a case narrative, not a statement about the disease.
_PAST = re.compile(
    r"\b(?:was|were|had|showed|revealed|underwent|began|became|grew|took|came|\w{3,}ed|"
    r"fue|fueron|foi|foram|\w{3,}(?:ó|aba|aban|ía|ían|ou|ava|avam|ò))\b", re.I
)
#: Marks of text about the disease or the literature rather than the patient.
_GENERAL = re.compile(
    r"\[\d[\d,\s\u2013\-]*\]|(?<![\w/])\(\d+(?:\s*[,\u2013\-]\s*\d+)*\)|<sup>|"  # not "mg/m(2)"
    r"\b(?:has|have)(?: all)? been\b|\bkey[\s\-]?words\b|"
    r"\b(?:is|are|can|cannot|may|might|should|must|remains?|occurs?|represents?|results in|"
    r"tends?|appears?|usually|typically|commonly|often|generally|rarely|literature|studies|"
    r"types|subtypes|categories|classified into|differential|in patients with|includes?|"
    r"of (?:the )?(?:cases|patients)|pre-?dominantly|develops|affects)\b|"  # "of the cases"
    r"\d\s?%\s+(?:had|were|of)\b",  # "19% had complete and 21% no response": a review's
    re.I,
)


#: A figure legend: it shows the patient.
_LEGEND = re.compile(r"\W*fig(?:ure|\.)?\s*\d", re.I)
#: A photo quiz's answer line, "Diagnosis: Calciphylaxis", is the patient's diagnosis.
_DIAGNOSIS = re.compile(r"\W*(?:final\s+|clinical\s+)?diagnosis\s*:", re.I)
#: "The patient was treated with ...": the patient of the report, even in a sentence that
#: goes on to say something general.
_PATIENT_DID = re.compile(r"\bthe patient\s+(?:was|had|underwent|received|presented|developed|"
                          r"complained|required|died)\b", re.I)  # fmt: skip
#: An author's affiliation line: "Department of Endocrinology, Diabetes and ..." names diseases
#: that are not the patient's.
_AFFILIATION = re.compile(r"\b(?:department|division|faculty|institute|university|hospital|"
                          r"college|school of medicine)\b", re.I)  # fmt: skip
_FINDING_VERB = re.compile(r"\b(?:was|were|had|showed|revealed|confirmed|underwent|presented|"
                           r"admitted|referred|developed)\b", re.I)  # fmt: skip
_TITLE = re.compile(r"[^\n.]{10,200}\n")
#: A title that ends with a full stop, as when a citation follows it on its line.
_TITLE_SENTENCE = re.compile(r"[^\n.]{10,200}\.\s")


_REVIEW = re.compile(r"\b(?:a\s+)?review of (?:the\s+)?literature\b", re.I)
_WEAK_ANCHORS = {"the patient", "the patients", "this article", "this report", "this case"}


def about_patient(text: str, position: int) -> bool:
    """Whether the sentence at `position` speaks of the patient.

    A sentence naming the patient (a pronoun, "our patient", an age phrase,
    "we report"), a figure legend or the title does; so does a sentence in the
    past tense with no mark of general text (a citation, "is", "usually",
    "types"...). Introductions and literature reviews ("Calcinosis is
    classified into four types [1]") do not.
    """
    low, high = sentence_bounds(text, position)
    sentence = text[low:high]
    if (len({a.group(0).casefold() for a in _AFFILIATION.finditer(sentence)}) >= 2
            and not _ANCHOR.search(sentence) and not _FINDING_VERB.search(sentence)):  # fmt: skip
        return False  # an affiliation line: "Department of ..., University Hospital"
    if _PATIENT_DID.search(sentence):
        return True
    anchors = {a.group(0).casefold() for a in _ANCHOR.finditer(sentence)}
    if anchors and anchors <= _WEAK_ANCHORS and _GENERAL.search(sentence):
        # "ulceration is associated with the death of the patient": the patient in general;
        # "the aim of this case report is to show ...": the report, not the patient
        return bool(_PAST.search(sentence)) and not re.search(r"\b(?:is|are)\b", sentence)
    # "...: a case report and review of the literature." is still a title
    title = low == 0 and (_TITLE.match(text) or (
        _TITLE_SENTENCE.match(text) and not _GENERAL.search(_REVIEW.sub("", sentence))))
    if anchors or _LEGEND.match(sentence) or _DIAGNOSIS.match(sentence) or title:
        return True  # the title of a case report names its case
    return bool(_PAST.search(sentence)) and not _GENERAL.search(sentence)


_ANY_AGE = re.compile(r"\b[\w.]+[\s\-]*(?:year|month|week|day)s?[\s\-]*old\b|"
                      r"\b\d+\s+(?:años|anos|anni|meses|mesi)\b", re.I)  # fmt: skip
_HEADING = re.compile(r"^\W*(?:\d+\.\s*)*[^.\n]{0,60}\W*$")  # "Keywords: ...", "1. Case"


_FIGURE_LINE = re.compile(r"\W*fig(?:ure|\.)?\s*\d+\w?\W*", re.I)


def case_part(text: str, first_age: int | None) -> tuple[int, int]:
    """(start, stop) of the text that may describe the patient.

    It starts at the top (titles and abstracts describe the patient too;
    :func:`about_patient` keeps out their general sentences) and runs, past
    the paragraph of the first age phrase, over the paragraphs with a
    sentence about the patient; a paragraph without one, or a Discussion
    heading, ends it. Short heading lines do not end it.
    """
    heading = _DISCUSSION.search(text)
    limit = heading.start() if heading else len(text)
    if first_age is None or first_age >= limit:
        return 0, limit
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", text)]
    first = next((a for a, b in paragraphs if a <= first_age < b + 1), 0)
    if _HEADING.fullmatch(text[first : text.find("\n", first) % (len(text) + 1)]):
        # the first age is in the title: the case runs from the next age phrase on
        later = [a for a, b in paragraphs if a > first and _ANY_AGE.search(text, a, b)]
        first = later[0] if later else first
    after_figure = False
    for a, b in paragraphs:
        if a <= first or a >= limit or _HEADING.fullmatch(text[a:b]):
            after_figure = bool(_FIGURE_LINE.fullmatch(text[a:b]))
            continue
        if after_figure:  # the legend under a "Figure 1" line shows the patient
            after_figure = False
            continue
        if not any(about_patient(text, a + m.start()) for m in _SENTENCE.finditer(text[a:b])):
            if _reintroduced(text, first_age, a, limit):
                continue  # the abstract's patient is introduced again in the case section
            return 0, a
    return 0, limit


def _reintroduced(text: str, first_age: int, start: int, limit: int) -> bool:
    """Whether the first age phrase ("55-year-old") comes again between start and limit."""
    age = _ANY_AGE.match(text, first_age)
    if age is None:
        return False
    key = re.sub(r"[\s\-]+", "", age.group(0).casefold())
    return any(re.sub(r"[\s\-]+", "", m.group(0).casefold()) == key
               for m in _ANY_AGE.finditer(text, start, limit))  # fmt: skip


def patient_segments(text: str, age_starts: list[int]) -> list[tuple[str, int, int]]:
    """(label, start, end) of each patient's part of the text.

    "Case 1" / "Patient 2" headings (on a line of their own, or "Case 2." in
    running text) split the text; without headings, a text announcing several
    patients ("two siblings", "three neonates") is split where each new
    age-and-sex phrase starts, up to the number announced. Otherwise the
    whole text is one patient.
    """
    begin, stop = case_part(text, age_starts[0] if age_starts else None)
    headings = list(_CASE_HEADING.finditer(text, 0, stop))
    if len(headings) >= 2:
        bounds = [m.start() for m in headings] + [stop]
        return [(f"Case {m.group(1) or m.group(2)}", bounds[i], bounds[i + 1])
                for i, m in enumerate(headings)]  # fmt: skip
    later = _later_patients(text, begin, stop)
    if later:
        bounds = [begin, *later, stop]
        return [(f"Case {i + 1}", bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    starts = [s for s in age_starts if s < stop]
    several = _SEVERAL.search(text, 0, stop)
    if several and len(starts) >= 2:
        starts = starts[: _COUNT[(several.group(1) or several.group(3)).casefold()]]
        bounds = [*starts, stop]
        if sentence_bounds(text, starts[0]) == sentence_bounds(text, starts[-1]):
            # "a 2-week-old girl, a 4-week-old boy and a 4-week-old girl were seen":
            # each patient is its phrase; the rest of the text is shared
            bounds[-1] = min(bounds[-1], sentence_bounds(text, starts[-1])[1])
            bounds[-1] = next((m.start() for m in re.finditer(r"[,;]|\s(?:and|were)\s",
                                                               text[starts[-1]:bounds[-1]])),
                              bounds[-1] - starts[-1]) + starts[-1]  # fmt: skip
        return [(f"Case {i + 1}", bounds[i], bounds[i + 1]) for i in range(len(starts))]
    return [("Case 1", begin, stop)]


def announcement(text: str, stop: int) -> re.Match | None:
    """The authors saying how many patients they report ("we present four patients", "Two
    patients with renal failure presented ..."), if they do."""
    for m in _SEVERAL.finditer(text, 0, stop):
        low, high = sentence_bounds(text, m.start())
        opening = re.sub(r"^[^:.]{0,30}:", "", text[low : m.start()])  # "Patients and methods:"
        if _OURS.search(text, low, high) or not opening.strip():
            return m
    return None


def announced_patients(m: re.Match | None) -> int:
    """How many patients an :func:`announcement` says the authors report; 1 for none."""
    return _COUNT[(m.group(1) or m.group(3)).casefold()] if m else 1


#: The sex of every patient a report announces: "two sisters", "three boys".
ANNOUNCED_SEX = {"sisters": "female", "girls": "female", "women": "female",
                 "brothers": "male", "boys": "male", "men": "male"}  # fmt: skip


#: The authors' own report: not "three cases have been reported", not "in our clinic, two
#: patients had previously received ...".
_OURS = re.compile(r"\bwe\s+(?:\w+\s+)?(?:report|present|describe|discuss|observed|saw|treated|"
                   r"encountered|managed)\w*|\bhere\b|"
                   r"\bthis (?:report|paper|article|series)\b", re.I)  # fmt: skip


def _later_patients(text: str, begin: int, stop: int) -> list[int]:
    """Where "the second patient" (then "the third") starts, when an age phrase introduces them.

    The sentence must name an age of its own, or the next sentence must: "a
    second biopsy" or "the second patient reported in the literature" without
    a new age is no new patient.
    """
    starts, wanted = [], ("second", "third", "fourth")
    for m in _NEXT_PATIENT.finditer(text, begin, stop):
        if len(starts) == len(wanted) or m.group(1).casefold() != wanted[len(starts)]:
            continue
        low, high = sentence_bounds(text, m.start())
        if _LITERATURE.search(text, low, high):
            continue  # "this is the second case in a 9-year-old child": the literature's count
        after = sentence_bounds(text, min(high + 1, len(text)))[1] if high < stop else high
        if _ANY_AGE.search(text, m.end(), min(after, stop)) and low > begin:
            starts.append(low)
    return starts


def shared_spans(text: str, segments: list[tuple[str, int, int]], begin: int,
                 stop: int) -> list[tuple[int, int]]:  # fmt: skip
    """The parts of a several-patient text that hold for every patient.

    What comes before the first patient, the sentences that speak of all of
    them ("Both patients had..."), and, when the patients were introduced in
    one sentence, everything after it.
    """
    if len(segments) < 2:
        return []
    spans = [(begin, segments[0][1])]
    end = segments[-1][2]
    if end < stop and sentence_bounds(text, segments[0][1])[1] >= segments[-1][2]:
        spans.append((end, stop))
    for _, low, high in segments:
        spans += all_patients_spans(text, low, high)
    return spans


def all_patients_spans(text: str, low: int, high: int) -> list[tuple[int, int]]:
    """The sentences that speak of every patient: "Both patients had ..."."""
    return [sentence_bounds(text, m.start()) for m in _ALL_PATIENTS.finditer(text, low, high)]
