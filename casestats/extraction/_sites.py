"""Lesion sites: which sentences name them, their side, and lists of them."""

from __future__ import annotations

import re

from casestats.extraction._fields import DET, LESION, OF, evidence
from casestats.extraction._result import FieldEvidence
from casestats.extraction._rules import (
    LIST_JOIN,
    Mention,
    clause_bounds,
    find_terms,
    sentence_bounds,
)
from casestats.schema import load_schema

#: Paired body parts: their plural ("knees") means both sides.
PAIRED = {
    "shoulder", "axilla", "arm", "elbow", "forearm", "wrist", "hand", "palm", "buttock", "hip",
    "thigh", "knee", "leg", "ankle", "foot", "heel", "sole", "breast", "ear", "cheek", "eyelid",
    "iliac_crest", "popliteal_fossa", "dorsum_of_hand", "upper_limb", "lower_limb",
}  # fmt: skip
_ONE_SIDE = re.compile(r"\b(?:left|right)\b", re.I)
_SIDE = re.compile(r"\b(left|right|both|bilateral(?:ly)?|ambos|ambas)\b(?:\s+and\s+(left|right))?",
                   re.I)  # fmt: skip
#: Right after a site, the side in Spanish, Portuguese or Italian: "codo izquierdo".
_SIDE_AFTER = re.compile(r"\s+(izquierd|derech|esquerd|direit|sinistr|destr|bilateral)"
                         r"(?:[oa]s?|[ei]|es)?\b", re.I)  # fmt: skip
_SIDE_WORD = {"izquierd": "left", "esquerd": "left", "sinistr": "left", "derech": "right",
              "direit": "right", "destr": "right", "bilateral": "bilateral"}  # fmt: skip


#: After a site: it is in pain or imaged, not a lesion ("body aches", "abdominal X-ray").
#: So is an organ's disease or function ("breast carcinoma", "axillary lymphadenopathy",
#: "the hip's motion").
_IMAGING = (r"(?:x-?rays?|radiograph\w*|ultraso\w*|sonography|CT\b|MRI|scans?|imaging|"
            r"films?)")  # fmt: skip
_PAIN_IN = re.compile(r"\b(?:pain|tenderness|aches?)\s*(?:\(|\bin\s|\bof\s)[^.;:()]*$", re.I)
_NOT_A_LESION = re.compile(r"(?:'s)?\s*(?:[\w\-]+\s+)?(?:pain|aches?|arthralgia|motion|mobility)|"
                           rf"\s*(?:{_IMAGING}|carcinoma|cancer|lymph)", re.I)  # fmt: skip
#: Before a site: the region imaged ("a CT scan of the chest, abdomen and pelvis"). It is the
#: lesions' site only when no other site is given for what the scan found ("an X-ray of the
#: right elbow showed calcinosis"), and never for a body cavity.
_IMAGED = re.compile(
    rf"\b{_IMAGING}\s+(?:scans?\s+)?of\s+{DET}(?:(?:both|left|right)\s+)?"
    r"(?:[a-z]+(?:\s*,\s*|\s+and\s+|\s+)){0,4}$",
    re.I,
)
_CAVITIES = {"chest", "abdomen", "trunk"}
_FINDS = re.compile(r"\b(?:showed|revealed|confirmed|demonstrated|found)\b", re.I)


_BONE = re.compile(r"\b(?:femoral|humeral|radial|metatarsal)\s+$", re.I)
#: Before a site: not a lesion there ("dry mouth", "decreased range of motion of the left hip").
_NOT_LESION_BEFORE = re.compile(
    r"\b(?:dry|range of(?: motion)?(?: of)?|motion of|mobility of)\s+(?:the\s+|her\s+|his\s+)?"
    r"(?:left\s+|right\s+)?$",
    re.I,
)


def sites(text: str, start: int, stop: int) -> list[FieldEvidence]:
    """Lesion sites with laterality, from sentences that speak of lesions."""
    out = []
    mentions = find_terms(text, "site", span=(start, stop))
    # each mention's own side (label, rule, where its words start and end), read once
    sides = {m.start: _laterality(text, m, sentence_bounds(text, m.start)[0]) for m in mentions}
    listed = _listed_sides(text, mentions, sides)
    schema = load_schema()
    containers = {}  # "fingertips of both hands": hands only hold the fingertips' side
    for m, n in zip(mentions, mentions[1:], strict=False):
        between = text[m.end : n.start]
        if re.fullmatch(OF, between) and n.term in schema.ancestors(m.term)[1:]:
            containers[n.start] = m.start
    sided: dict[str, set[str]] = {}  # "a painful left elbow" ... "the elbow lesion"
    for m in mentions:
        side = sides[m.start][0]
        if side and m.context == "stated":
            sided.setdefault(m.term, set()).add(side)
    for m, n in zip(mentions, mentions[1:], strict=False):
        related = {m.term, *schema.ancestors(m.term)} & {n.term, *schema.ancestors(n.term)}
        if re.fullmatch(OF, text[m.end : n.start]) and (
            (m.term == "back" and n.term != "trunk")
            or (m.term in ("upper_limb", "lower_limb") and n.term not in related)
        ):
            # "the back of the neck" is the neck; "the upper extremity of the right leg" is
            # a part of the leg, not the arm
            containers[m.start] = n.start
    for m in mentions:
        if m.start in containers:
            continue
        low, high = sentence_bounds(text, m.start)
        if not LESION.search(text, low, high) or _NOT_A_LESION.match(text, m.end):
            continue
        if _PAIN_IN.search(text, max(low, m.start - 40), m.start):
            continue  # "worsening pain (breast and lower extremities)": a symptom's site
        if _IMAGED.search(text, max(low, m.start - 60), m.start) and (
            m.term in _CAVITIES or any(_FINDS.search(text, m.end, n.start)
                                       for n in mentions if m.end < n.start < high)
        ):
            continue  # the scan's region, when the lesions' own site follows or it is a cavity
        if _BONE.search(text[max(0, m.start - 12) : m.start]) or _NOT_LESION_BEFORE.search(
            text, max(low, m.start - 40), m.start
        ):
            continue  # "femoral head" is a bone
        if m.term == "generalized" and _ONE_SIDE.search(
            text, m.end, clause_bounds(text, m.start, m.end)[1]
        ):
            continue  # "multiple sites exclusively on the right side of her body"
        side, rule, s, e = sides[m.start]
        if not side and m.start in listed:
            side, rule = listed[m.start], "a side before a list of sites holds for each"
        if not side and len(named := sided.get(m.term, set())) == 1:
            side, rule = next(iter(named)), "the side the text gives this site elsewhere"
        value = f"{m.term} ({side})" if side else m.term
        status = m.context if m.context != "stated" else ("inferred" if rule else "stated")
        out.append(evidence("sites", value, status, text, s, e, rule or m.trigger))
    return out


def _listed_sides(text: str, mentions: list[Mention], sides: dict) -> dict[int, str]:
    """A singular paired site listed after a sided one takes its side ("around the right
    shoulder and elbow"; not "the right elbow and knees"), by where the site starts."""
    listed, side, previous = {}, "", None
    for m in mentions:
        own, rule, *_ = sides[m.start]
        own = "" if rule else own  # a side the words give, not the plural's
        if (previous is not None and LIST_JOIN.fullmatch(text[previous.end : m.start])
                and not own and side and m.term in PAIRED and not _plural(m.text, m.term)):
            listed[m.start] = own = side
        side, previous = own, m
    return listed


def _laterality(text: str, m: Mention, low: int) -> tuple[str, str, int, int]:
    held = re.match(OF + r"(?=\w)", text[m.end :])
    if held and held.group(1):
        side = held.group(1).casefold()
        return ("bilateral" if side in ("both", "bilateral") else side), "", m.start, m.end
    if after := _SIDE_AFTER.match(text, m.end):
        return _SIDE_WORD[after.group(1).casefold()], "", m.start, after.end()
    window = text[max(low, m.start - 35) : m.start]
    sides = list(_SIDE.finditer(window))
    # the side word must be followed only by the site, a possessive or an adjective
    # (or, for "bilateral", a comma and two: "bilateral, exquisitely tender thigh lesions")
    if (
        sides
        and (re.fullmatch(r"[\s\w\-]{0,14}", window[sides[-1].end() :])
             or (sides[-1].group(0).casefold() == "bilateral"
                 and re.fullmatch(r",(?:\s+[\w\-]+){1,2}\s+", window[sides[-1].end() :])))
        and (
            not re.search(r"\b(and|or|with)\b", window[sides[-1].end() :])
            or sides[-1].group(1).casefold() in ("both", "bilateral")
        )  # "both buttocks and hips"
    ):
        side = sides[-1]
        words = {side.group(1).casefold(), (side.group(2) or "").casefold()} - {""}
        label = (
            "bilateral"
            if len(words) > 1 or words & {"both", "bilateral", "bilaterally", "ambos", "ambas"}
            else words.pop()
        )
        return label, "", m.start - len(window) + side.start(), m.end
    if m.term in PAIRED and _plural(m.text, m.term):
        return "bilateral", "the plural of a paired site means both sides", m.start, m.end
    return "", "", m.start, m.end


def _plural(surface: str, term: str) -> bool:
    words = surface.casefold().split()  # "lateral hips", "iliac crests", "lower extremities"
    word, last = words[-1], term.split("_")[-1]
    if word in ("feet",) or word == last + "e" or (
        word.endswith("s") and not last.endswith("s") and word.rstrip("s") == last
    ):
        return True
    singulars = [word[:-3] + "y"] if word.endswith("ies") else []
    singulars += [word[:-1]] if word.endswith("s") and not word.endswith("ss") else []
    schema = load_schema()
    return any(schema.canonical("site", " ".join([*words[:-1], one])) == term
               for one in singulars)  # fmt: skip
