"""Numbers and ages as clinicians type them: units, digits of any script, approximations.

Validation reads a number from a cell with these rules: a unit of time or
length converts where the conversion is exact (``45 y``, ``12 days``,
``5 cm``); anything else (``about 45``, ``2 x 3 cm``, ``45-50``) stays
unread, and the hint gives the exact replacement to type.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

# One number and its unit of time: 45 y, 45-year, 3 mo, 12 days, 45 y.o.
_AGE_PART = re.compile(
    r"(\d+(?:\.\d+)?)[\s-]*(years?|yrs?|y/o|y\.o\.?|yo|y|months?|mos?|m|weeks?|wks?|w|days?|d)"
    r"(?![a-z])\.?",
    re.I,
)
# One or more of them (2 years 6 months), then "old" (45-year-old)
_AGE_WITH_UNITS = re.compile(rf"(?:{_AGE_PART.pattern}[\s,]*(?:and\s+)?)+(?:[\s-]*old)?", re.I)
# years per unit of time, keyed by the unit's first letter
_AGE_UNITS = {"y": 1.0, "m": 1 / 12, "w": 7 / 365.25, "d": 1 / 365.25}
# "about 45", "~5 mm", "<1 y": a number the source gives as approximate or as a bound
_APPROXIMATE = re.compile(
    r"^(?:~|≈|c\.|ca\.?|circa|about|approx\.?|approximately|around|<|>|≤|≥)\s*(\d.*)$", re.I
)
_RANGE = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\.?$")
_DIMENSIONS = re.compile(
    r"^(\d+(?:\.\d+)?)(?:\s*[x×*]\s*(\d+(?:\.\d+)?)){1,2}\s*([a-zA-Z]*)\.?$", re.I
)
NUMBER_WITH_UNIT = re.compile(r"^(-?\d+(?:\.\d+)?)\s*([a-zA-Z%/µμ]+(?:/[a-zA-Z]+)?)\.?$")
LENGTHS = {"mm": 1.0, "cm": 10.0, "in": 25.4, "inch": 25.4, "inches": 25.4}
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_MAX_AGE = 125


def ascii_digits(value: str) -> tuple[str, str]:
    """Digits of any script (９５, ٩٥) as ASCII, so every later step reads the same number."""
    if value.isascii():
        return value, ""
    text = "".join(
        str(unicodedata.decimal(c))
        if not c.isascii() and unicodedata.decimal(c, None) is not None
        else c
        for c in value
    )
    text = unicodedata.normalize("NFKC", text)
    return text, ("digits written in ASCII" if text != value else "")


def length_in(with_unit: re.Match, unit: str) -> float:
    return float(with_unit.group(1)) * LENGTHS[with_unit.group(2).lower()] / LENGTHS[unit]


def _general_number_hint(text: str, otherwise: str) -> str:
    if _DECIMAL_COMMA.match(text):
        return f"use a decimal point: {text.replace(',', '.')}"
    if "_" in text:
        return "write the number without underscores"
    return otherwise


def _age_with_units(text: str) -> tuple[float | None, str]:
    """Years in `text` written with units of time (45 y, 3 mo, 2 years 6 months), and the units."""
    if not _AGE_WITH_UNITS.fullmatch(text):
        return None, ""
    parts = _AGE_PART.findall(text)
    years = sum(float(n) * _AGE_UNITS[u[0].lower()] for n, u in parts)
    return years, " and ".join(dict.fromkeys(u for _, u in parts))


def parse_age(value: str):
    """An age cell as `_Checker._map_uniques` reads it: years, with units converted."""
    if value == "90+":
        return value, "", ""
    text, note = ascii_digits(value)
    number = to_float(text)
    if number is None:
        # a unit of time converts exactly; the note says what was read
        number, units = _age_with_units(text)
        if number is not None:
            text, note = _age_text(number), f"{units} converted to years"
    if number is None:
        return value, ("not_a_number", "an age in years, or 90+", _age_hint(text)), ""
    if number < 0 or number > _MAX_AGE:
        return value, ("age_out_of_range", f"an age from 0 to {_MAX_AGE} years", ""), ""
    return text, "", note


def _age_hint(text: str) -> str:
    approximate = _APPROXIMATE.match(text)
    if approximate:
        number = to_float(approximate.group(1))
        if number is None:
            number = _age_with_units(approximate.group(1))[0]
        if number is not None:
            return f"write {_age_text(number)}, and keep {text!r} in notes"
    if _RANGE.match(text):
        return f"a range is no one patient's age: write the age given, keep {text!r} in notes"
    return _general_number_hint(
        text, "give the age in years, or leave it empty and keep the text in notes"
    )


def age_in_years(value: str) -> float | None:
    """The age in years a cell gives, or None (empty, 90+, unreadable)."""
    canonical, error, _ = parse_age(value) if value else ("", "x", "")
    return None if error else to_float(canonical)


def _age_text(years: float) -> str:
    """Converted ages keep two decimals (12 days = 0.03), three for the first days of life."""
    return number_text(round(years, 2) if years >= 0.01 else round(years, 3))


def number_text(value: float) -> str:
    return f"{value:.6g}"


def to_float(value: str) -> float | None:
    if "_" in value or not value.isascii():  # float() accepts 9_5 and ９５; nothing else does
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def number_hint(text: str, unit: str, unit_field: str) -> str:
    """The exact replacement for a number a cell does not hold alone.

    `unit` is the field's own unit (mm), `unit_field` the column that holds the
    unit of this one's values, if any (calcium_unit).
    """
    with_unit = NUMBER_WITH_UNIT.match(text)
    approximate = _APPROXIMATE.match(text)
    several = _DIMENSIONS.match(text) or _RANGE.match(text)
    if with_unit:
        return f"write the number alone: {with_unit.group(1)}" + (
            f", and the unit in {unit_field}" if unit_field else ""
        )
    if approximate:
        number = approximate.group(1)
        with_unit = NUMBER_WITH_UNIT.match(number)
        if with_unit and unit in LENGTHS and with_unit.group(2).lower() in LENGTHS:
            number = number_text(length_in(with_unit, unit))
        return f"write {number}, and keep {text!r} in notes"
    if several and unit in LENGTHS:
        typed = several.groups()[-1].lower() or unit
        if typed in LENGTHS:
            largest = max(float(n) for n in re.findall(r"\d+(?:\.\d+)?", text))
            mm = number_text(largest * LENGTHS[typed] / LENGTHS[unit])
            return f"write the largest diameter in {unit}: {mm}"
    return _general_number_hint(text, "write a number")
