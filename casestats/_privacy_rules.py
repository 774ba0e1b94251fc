"""The rules of :func:`casestats.privacy.check_publishable`, one text at a time.

Each rule looks at one cell's text and returns the span of the first thing
it finds, or None. Regular-expression rules are plain patterns; the rules
for names and places also ask whether a capitalised word is *known* (an
eponym, a country, a word of the schema, a word the same column also holds
in lower case), since a name is what is left when the known words are gone.

Every pattern is linear in the length of the text: quantifiers are bounded
or start only at the beginning of a run (the old e-mail pattern took about
5 s on a 32,000-character cell).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from casestats import _privacy_words as words

# Upper-case and any letters of the Latin, Greek and Cyrillic scripts.
_UPPER = "".join(c for c in map(chr, range(0x41, 0x530)) if c.isupper())
UP = f"[{re.escape(_UPPER)}]"
LOW = f"[{re.escape(''.join(c for c in map(chr, range(0x61, 0x530)) if c.islower()))}]"
LET = r"[^\W\d_]"
# A capitalised word: O'Dwyer, Anna-Lena, Brockmann's.
# It starts only where a word starts, so no search restarts inside a long word.
NAME = rf"(?<![\w'’-]){UP}{LET}*(?:['’-]{LET}+)*"
_RUN = re.compile(rf"{NAME}(?:[ \t]+{NAME})*")

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_FOREIGN_MONTH = (
    r"(?i:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre"
    r"|d[ée]cembre|januar|februar|m[äa]rz|april|juni|juli|august|september|oktober|dezember"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre"
    r"|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre)"
)
_ORD = r"(?:st|nd|rd|th)?"
_AGE = r"(?:9\d|1[0-4]\d)(?:\.\d+)?"

# Publication identifiers and links, blanked before any rule runs: a DOI is
# not a telephone number and a PMID is not a date of birth.
_MASK = re.compile(
    r"(?i:\bdoi\s*:\s*\S+|\bhttps?://\S+|\bwww\.\S+|\b(?:PMID|PMCID|PMC|ISSN|ISBN|OMIM|ORPHA"
    r"|SNOMED(?:\s+CT)?)\s*(?::\s*)?[\w.:/-]+)|\b10\.\d{4,9}/\S+"
)
_OTHER_DIGIT = re.compile(r"[^\x00-\x7f]")


def prepare(text: str) -> str:
    """Digits of every script as ASCII, publication identifiers blanked; same length."""
    if not text.isascii():
        text = _OTHER_DIGIT.sub(
            lambda m: str(unicodedata.digit(m.group(), "")) or m.group(), text
        )
    return _MASK.sub(lambda m: " " * len(m.group()), text)


class Known:
    """The capitalised words of one column that are not names."""

    BASE: frozenset[str] = frozenset()

    def __init__(self, texts: list[str], authors: frozenset[str] = frozenset()):
        self.texts = texts
        self._authors = authors
        self._lower: set[str] | None = None

    def __contains__(self, token: str) -> bool:
        key = re.sub(r"['’]s$", "", token).casefold()
        # abbreviations (MDT, F, PubMed, MeSH, SSc) are not names; McLeod and O'Neill are
        if _abbreviation(token) or key in words.TITLES:
            return True
        if self._lower is None:
            # words the column also writes in lower case are common words
            found = re.compile(rf"(?<![\w'’-]){LOW}{LET}+")
            self._lower = {w for t in self.texts for w in found.findall(t)}
        parts = key.split("-")
        return any(p in self.BASE or p in self._lower or p in self._authors for p in parts)


_INNER_CAPITAL = re.compile(rf"{LET}{UP}")


def _abbreviation(token: str) -> bool:
    """MDT, F, PubMed, MeSH, SSc; not McLeod, O'Neill, Anna-Lena."""
    parts = re.split(r"['’-]", token)
    return token.isupper() or any(
        _INNER_CAPITAL.search(re.sub(r"^Ma?c(?=[A-Z])", "", p)) for p in parts
    )


def _given(token: str) -> bool:
    return any(p in _GIVEN for p in token.casefold().split("-"))


_GIVEN = frozenset(words.GIVEN_NAMES)
# What follows an author's name in a citation: initials, et al., a year.
_CITATION = re.compile(rf"\s+{UP}{{1,3}}\b(?!{LET})|,?\s+et\s+al\b|,?\s*\(?(?:19|20)\d\d\b")


def untitled_name(text: str, known: Known):
    """Two or more unknown capitalised words in a row, or one frequent given name."""
    for run in _RUN.finditer(text):
        tokens = [(m.start() + run.start(), m.end() + run.start(), m.group())
                  for m in re.finditer(r"\S+", run.group())]  # fmt: skip
        streak: list[tuple[int, int, str]] = []
        for token in [*tokens, None]:
            if token is not None and token[2] not in known:
                streak.append(token)
                continue
            if len(streak) >= 2 or len(streak) == 1 and _given(streak[0][2]):
                if not _CITATION.match(text, streak[-1][1]):
                    return streak[0][0], streak[-1][1]
            streak = []
    return None


_RELATIVE = re.compile(
    r"\b(?i:mother|father|sister|brother|son|daughter|husband|wife|partner|aunt|uncle|cousin"
    r"|grandmother|grandfather|grandson|granddaughter|niece|nephew|mum|mom|dad|fianc[ée]e?"
    r"|girlfriend|boyfriend|carer|guardian|neighbou?r|friend|named|called|nicknamed"
    r"|name|first name|surname|family name|seen by|signed by|labelled|labeled)"
    rf"(?:\s*[,:(]\s*|\s+)(?:(?i:named|called|is|was)\s+)?({NAME})"
)


def cued_name(text: str, known: Known):
    """A capitalised word after a relative ("mother Fatima") or "named", "seen by"."""
    for m in _RELATIVE.finditer(text):
        if m.group(1) not in known and not _CITATION.match(text, m.end()):
            return m.span(1)
    return None


_INSTITUTION = re.compile(
    rf"((?:(?:{NAME}|St\.?|of|the|de|la|del|di)[ \t]+){{0,4}})"
    r"\b(Hospital|Infirmary|Clinic|Medical Cent(?:er|re)|Health Cent(?:er|re)|Hospice|Klinikum"
    r"|Klinik|Krankenhaus|H[ôo]pital|Ospedale|Policlinico|Cl[íi]nica|Sanatorium|Nursing Home"
    r"|Care Home|Centre Hospitalier)\b"
    rf"((?:[ \t]+(?:(?:of|de|del|de la|di|du)[ \t]+)?{NAME}){{0,4}}(?:,[ \t]*{NAME})?)"
)


def institution(text: str, known: Known):
    """A named hospital or clinic (St Mary's Hospital, Hôpital Saint-Louis)."""
    for m in _INSTITUTION.finditer(text):
        named = re.findall(NAME, m.group(1) + " " + m.group(3))
        if any(t not in known and t not in ("St", "Saint") for t in named):
            start = m.start(1) + len(m.group(1)) - len(m.group(1).lstrip())
            return start, m.end()
    return None


_TOWN = re.compile(
    r"\b(?i:lives|living|lived|resides|residing|resident|native|moved|home|house|village|town"
    r"|city|born|farmer|man|woman|boy|girl|patient|originally|emigrated|immigrated"
    r"|up)"
    rf"\s+(?i:in|of|near|from|at|to)\s+({NAME}(?:[ \t]+{NAME})?)"
)
# A city of the gazetteer after a place preposition is a town, cue word or not
# ("seen in Conakry"); "in Paris" is finer than the country the schema allows.
_CITY = re.compile(rf"\b(?i:in|at|from|to|near)\s+({NAME}(?:[ \t]+{NAME}){{0,2}})")


def town(text: str, known: Known):
    """A place after "lives in", "grew up in", "a farmer from" that is not a country,
    or a city of the gazetteer after in / at / from / to / near ("referred from Leeds").

    Care words ("seen in", "referred to") are no cue of their own: the word after
    them is as often a department (Plastic Surgery, Outpatients) as a town.
    """
    for m in _TOWN.finditer(text):
        # Title case only: an acronym (ICU, GP) after "admitted to" is not a town
        if any(t not in known and not t.isupper() for t in m.group(1).split()):
            return m.span(1)
    for m in _CITY.finditer(text):
        run = m.group(1).split()
        for k in range(len(run), 0, -1):
            if " ".join(run[:k]).casefold() in words.CITIES:
                return m.start(1), m.start(1) + len(" ".join(run[:k]))
    return None


_POSTCODE_CITY = re.compile(
    r"(?<![\w.,/-])(?:[A-Z]{1,2}-)?(?:\d{5}|(?!19\d\d|20\d\d)\d{4}(?:\s?[A-Z]{2})?|\d{2}-\d{3})"
    rf"\s+({UP}{LOW}+(?:-{LET}+)?)"
)


def postcode_city(text: str, known: Known):
    """A postcode before a town (10117 Berlin, 1012 AB Amsterdam)."""
    for m in _POSTCODE_CITY.finditer(text):
        if m.group(1) not in known:
            return m.span()
    return None


_ID_PARTS = re.compile(rf"{UP}{LOW}+|{LET}+")


def name_in_id(text: str, known: Known):
    """A name inside an identifier: JohnSmith_1941, Yusuf_Demir_7, maria_gonzalez."""
    parts = [m for m in _ID_PARTS.finditer(text) if len(m.group()) > 1]
    for a, b in zip(parts, parts[1:], strict=False):
        gap = text[a.end() : b.start()]
        if gap and gap not in "_.- ":
            continue
        x, y = a.group(), b.group()
        capitalised = x[0].isupper() and y[0].isupper() and not x.isupper() and not y.isupper()
        if (capitalised or _given(x) and y.isalpha()) and (x not in known or y not in known):
            return a.start(), b.end()
    return None


@dataclass(frozen=True)
class Rule:
    """One rule: the code it raises, how it finds, what is expected, the hint."""

    code: str
    find: Callable
    expected: str
    hint: str
    scope: str = "all"  # "all", "cases" (case-level tables only) or "id" (case_id only)
    gate: str = "upper"  # what a text must hold for the rule to be tried: a key of GATES


# Cheap tests that let most texts skip most rules (a site list has no capital
# and no digit). Each rule above can only match a text that passes its gate.
# A numbered id such as syn0000001 (lower-case letters, then fewer than 8
# digits at the end) passes none, and a registry has many of them.
_DIGIT = re.compile(r"\d").search
_NUMBER_SHAPE = re.compile(r"\d(?=\D)|[^\w]|[A-Z]|\d{8}|(?i:mrn|ssn|nhs|age|dob)").search
GATES: dict[str, Callable[[str], object]] = {
    "upper": lambda t: t.lower() != t,
    "digit": lambda t: _DIGIT(t) and _NUMBER_SHAPE(t),
    "contact": re.compile(r"@|(?i:at\b|\bdot\b|tel|phone|mobile|fax)|\+|0\d{9}|\d[\s.()/-]").search,
    "id": re.compile(r"[^\W\d_]{4}|[^\W\d_]{2}[_. -][^\W\d_]{2}").search,
}


def _regex(pattern: str, flags: int = 0) -> Callable:
    search = re.compile(pattern, flags).search

    def find(text: str, known: Known):
        m = search(text)
        return m.span() if m else None

    return find


# "at" and "dot" of an e-mail address written out, each spelled one way only
_AT = r"(?:\s*[(\[{]at[)\]}]\s*|\s+at\s+)"
_DOT = r"(?:\s*[(\[{]dot[)\]}]\s*|\s+dot\s+)"
_NAME_HINT = "replace the name by a role (the patient, her physician, her mother)"
_PLACE_HINT = "remove the address, postcode, town or hospital"
_DATE = (
    # year-month-day and day-month-year with one separator; not inside decimals or ranges
    r"(?<![\w.,/])(?:(?:19|20)\d\d(?P<a>[/.-])\d{1,2}(?P=a)\d{1,2}"
    r"|\d{1,2}(?P<b>[/.-])\d{1,2}(?P=b)(?:\d{4}|\d{2}))(?![\d.,]?\d)"
    # compact 19410312
    r"|(?<!\d)(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)"
    # 12-Mar-1941, 12Mar1941, 12 March 2019, the 3rd of March 1941, 3. März 2020
    rf"|(?<![\w.]){{d}}{_ORD}(?:[-/]|\s*)(?:of\s+)?{_MONTH}\.?(?:[-/]|,?\s*)(?:\d{{4}}|\d\d)\b"
    rf"|(?<![\w.])\d{{1,2}}\.?\s+(?:de\s+)?{_FOREIGN_MONTH}\.?\s+(?:de\s+)?\d{{2,4}}\b"
    # March 12, 2019; Jan 3rd 2020
    rf"|\b{_MONTH}\.?\s+\d{{1,2}}{_ORD},?\s+\d{{4}}\b"
    # a day and a month without the year: 3 March, March 3rd
    rf"|(?<![\w.]){{d}}{_ORD}\s+(?:of\s+)?{_MONTH}\b|\b{_MONTH}\.?\s+\d{{1,2}}{_ORD}\b(?![:.,]?\d)"
    # born in March 1941
    rf"|\b(?i:born|dob|d\.o\.b\.?|date of birth|geb\.?|n[ée]e?|nacid[oa])\s*(?::\s*)?(?:in\s+)?"
    rf"{_MONTH}\.?\s+\d{{4}}\b"
).replace("{d}", r"\d{1,2}")

RULES: tuple[Rule, ...] = (
    Rule(
        "possible_name",
        _regex(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Dra|Prof|Herr|Frau|Mme|Mlle|Sr|Sra|Srta)\.?[ \t]+"
               rf"{NAME}(?:[ \t]+{NAME})?"),  # fmt: skip
        "no names",
        _NAME_HINT,
    ),
    Rule(
        "possible_name",
        _regex(r"\b(?:[Pp]atient|[Pp]t\.?|[Cc]ase)\s+[A-Z]\.\s?[A-Z]\.?"),
        "no initials",
        "refer to the patient by case_id, not initials",
    ),
    Rule("possible_name", cued_name, "no names", _NAME_HINT),
    Rule("possible_name", untitled_name, "no names", _NAME_HINT, scope="cases"),
    Rule("possible_name", name_in_id, "no names in the case_id", "number the cases", "id", "id"),
    Rule(
        "full_date",
        _regex(_DATE),
        "the year at most",
        "keep the year only, or give intervals (months since onset)",
        gate="digit",
    ),
    Rule(
        "age_over_89",
        _regex(
            rf"(?<![\d.]){_AGE}\s*(?:-\s*)?(?:years?|yrs?|y)\.?[\s-]*old\b"
            rf"|(?<![\d.]){_AGE}\s*(?:yo|y/o|y\.o\.)(?!\w)"
            rf"|\b(?i:aged?|age\s*:)\s*{_AGE}(?![\d+%])|\bof\s+{_AGE}\s+years\b"
            rf"|\b(?i:(?:she|he|patient)\s+was)\s+{_AGE}\s+(?i:at|when|on|years?)\b"
            rf"|^\s*{_AGE}\s*(?:years?|yrs?|y)\.?\s*$"  # a cell that is only an age
        ),
        "90+ for any age over 89",
        "ages over 89 can identify a person: write 90+",
        gate="digit",
    ),
    Rule(
        "fine_location",
        _regex(
            r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b"  # UK postcode
            r"|\b[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b"  # US state and ZIP code
            r"|\b(?:ZIP|zip)(?:\s*code)?:?\s*\d{5}\b"
            r"|\b[Ww]ard\s+\d+[A-Z]?\b"
            rf"|\b\d{{1,5}}[A-Za-z]?,?\s+(?:{NAME}\s+){{1,3}}(?:Street|St|Road|Rd|Avenue|Ave|Lane"
            r"|Ln|Drive|Close|Crescent|Way|Place|Court|Terrace|Gardens|Grove|Boulevard|Blvd"
            r"|Square|Parade|Mews)\b\.?"
            r"|\b(?:Flat|Apt\.?|Apartment)\s+\d{1,4}[A-Za-z]?\b"
            r"|\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|impasse"
            rf"|all[ée]e|chemin|quai|route|cours)\s+(?:de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d')?"
            rf"{NAME}"
            rf"|\b{UP}{LET}{{2,}}(?:\s+|-)?(?i:stra(?:ß|ss)e|str\.|weg|gasse|platz|allee|damm|ufer"
            r"|straat|laan|gracht|plein|steeg|vej|gade|gatan|v[äa]gen|veien)\s+\d{1,4}[a-z]?\b"
            r"|\b(?:Calle|C/|Avenida|Avda\.?|Paseo|Plaza|Pza\.?|Carrer|Carretera|Rua|Via|Viale"
            r"|Piazza|Corso|Largo|Travessa|Camino|Ronda|ul\.)\s+(?:(?:de|del|de la|de los"
            rf"|de las|dels|di|della|delle|do|da|dos|das)\s+)?{NAME}(?:\s+{NAME}){{0,3}},?\s*"
            r"(?:n[º°o]\.?\s*)?\d{1,4}\b"
        ),
        "the country at most",
        _PLACE_HINT,
        gate="digit",
    ),
    Rule("fine_location", postcode_city, "the country at most", _PLACE_HINT, gate="digit"),
    Rule("fine_location", institution, "the country at most", _PLACE_HINT, scope="cases"),
    Rule("fine_location", town, "the country at most", _PLACE_HINT, scope="cases"),
    Rule(
        "record_number",
        _regex(
            r"\b(?:MRN|SSN|NHS|CHI|UR|IP|DNI|NIE|NIF|NIR|BSN|PESEL|CPR)\s*(?:(?:no\.?|number)\s*)?"
            r"(?:[:#]\s*)?[A-Z]{0,3}-?\d[\d -]{3,}\d[A-Z]?"
            r"|\b(?:hospital|hosp\.|record|medical record|patient|case file|chart|insurance"
            r"|passport|social security|personnummer|personal)\s*"
            r"(?:(?:no\.?|number|ID|identifier)\s*)?(?:[:#]\s*)?[A-Z]{0,3}-?\d[\d -]{2,}\d[A-Z]?"
            r"|\b\d{3} \d{3} \d{4}\b"  # the NHS number's printed form
            r"|(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])",  # a US social security number
            re.IGNORECASE,
        ),
        "no record numbers",
        "use the case_id only",
        gate="digit",
    ),
    Rule(
        "contact_details",
        _regex(
            r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}"
            rf"|(?<![\w.+-])[\w.+-]{{1,64}}{_AT}[\w-]{{1,63}}(?:(?:{_DOT}|\.)[\w-]{{1,63}}){{0,3}}?"
            rf"{_DOT}[a-z]{{2,4}}\b"
            r"|(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,6}(?!\d)"
            r"|(?<![\w.,/+-])0\d{9,10}(?![\w.,/-])"
            r"|(?<![\w.,/])\(?\d{2,5}\)?[\s.-]\d{3,4}[\s.-]\d{3,4}(?![\w.,/-])"
            r"|\b(?:tel|phone|mobile|fax)\.?:?\s*\+?\d[\d\s().-]{6,}\d",
            re.IGNORECASE,
        ),
        "no e-mail addresses or telephone numbers",
        "remove the contact details",
        gate="contact",
    ),
)

# Initials (J.S.) are flagged only with a date or year in the same cell.
INITIALS = re.compile(r"\b[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?")
DATED = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b(?:19|20)\d{2}\b"
)


def _base_words() -> frozenset[str]:
    """Known words: the lists of :mod:`casestats._privacy_words` and the schema's tables."""
    from casestats.schema import load_schema

    schema = load_schema()
    text = [f"{f.name} {f.description} {f.example}" for f in schema.fields.values()]
    for table in ("vocabularies.csv", "anatomy.csv", "codes.csv"):
        from importlib import resources

        path = resources.files("casestats.schema").joinpath("data", table)
        text.append(path.read_text(encoding="utf-8"))
    found = {w.casefold() for t in text for w in re.findall(LET + "+", t)}
    lists = (words.EPONYMS, words.PLACES, words.CALENDAR, words.COMMON, words.PLACE_WORDS,
             words.JOURNALS, words.MEDICAL)  # fmt: skip
    return frozenset(found.union(*lists))
