"""Check a table of cases against the schema, in one pass, and report every problem.

:func:`check_table` is the single place where cells become canonical values:
synonyms are mapped to their term (and the mapping reported as a note),
whitespace is trimmed, numbers and ages are parsed, and cross-field
contradictions are flagged. It works column by column on the distinct values
of each column, never row by row, so it scales to registry-sized tables.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from casestats._numbers import (
    LENGTHS,
    NUMBER_WITH_UNIT,
    age_in_years,
    ascii_digits,
    length_in,
    number_hint,
    number_text,
    parse_age,
    to_float,
)
from casestats._text import article
from casestats.io._table import RawTable
from casestats.problems import Problem, ValidationReport
from casestats.schema import LATERALITY, SITE, Schema, load_schema
from casestats.schema._match import close_term, comma_in_terms, split_side

__all__ = ["PROBLEM_CODES", "check_table"]

#: Every problem code validation and the readers emit, with what it means.
PROBLEM_CODES: dict[str, str] = {
    # whole file
    "file_not_found": "the path does not exist",
    "unreadable_file": "the file cannot be opened",
    "unsupported_format": "the extension is not one casestats reads",
    "format_mismatch": "the content is not what the extension says",
    "empty_file": "the file holds nothing",
    "file_too_large": "the file is bigger than the reader's limit",
    "too_many_columns": "more columns than a spreadsheet can hold",
    "too_many_rows": "more rows than a spreadsheet can hold",
    "undecodable": "the bytes are not text in any encoding the reader accepts",
    "malformed_csv": "the CSV cannot be split into cells (a NUL byte or an over-long field)",
    "missing_header": "the first row of a CSV is empty, so there are no column names",
    "unreadable_xlsx": "the workbook is corrupt, truncated, or its XML is unsafe",
    "zip_bomb": "the workbook would expand beyond the size or compression-ratio limits",
    "invalid_json": "the JSON cannot be parsed",
    "json_structure": "the JSON is not a list of records (or cases and sources)",
    "not_utf8": "text was not UTF-8 and was read as Windows-1252",
    "no_rows": "a header but no cases",
    "no_sources": "no sources table, so source_id cannot be checked",
    "no_source_kind": "the sources table has no kind column (published reports, own patients...)",
    "conflicting_source": "casestats.concat: a source_id whose rows differ between the inputs",
    "too_many_cells": "a sheet's filled rows times its used columns exceed the reader's limit",
    "hidden_sheet": "a hidden sheet of the workbook (read only if nothing else holds a table)",
    "sheet_choice": "which sheet of a workbook with several was read as the cases",
    # headers
    "missing_column": "a required column is absent",
    "blank_header": "a column has no name",
    "duplicate_header": "two columns have the same name",
    "unknown_column": "a column outside the schema (kept as it is)",
    # cells
    "missing_value": "a required cell is empty",
    "duplicate_case_id": "the case_id is used by an earlier row",
    "unknown_source": "the source_id is not in the sources table",
    "unknown_term": "the value is not in the field's vocabulary",
    "not_a_number": "a number was expected",
    "age_out_of_range": "the age is negative or beyond any human age",
    "age_over_89": "an age over 89 should be recorded as 90+",
    "value_without_unit": "a laboratory value has no unit",
    "unit_mismatch": "the value is implausible in its unit (another unit?)",
    "contradiction": "two fields of the same case disagree",
    "confusable_id": "two case_ids differ only by look-alike characters (a Cyrillic a, say)",
    "normalised": "a value was written in canonical form (synonym, case or whitespace)",
    "inferred": "an empty cell filled in from the case's other fields",
    "ragged_row": "a row has more or fewer cells than the header",
    "unclosed_quote": "a CSV quote left open swallows the rest of the file",
    "formula": "a spreadsheet formula (read as its text, never evaluated)",
    "excel_error": "an Excel error value such as #DIV/0!",
    "date_cell": "a date where the schema holds text or numbers",
    "cell_too_long": "a cell is longer than a spreadsheet cell can be",
    "duplicate_key": "a JSON object repeats a key",
    "json_constant": "NaN or Infinity, which JSON does not allow",
    "nested_value": "a JSON object or list where a single value belongs",
    # cohort tables (casestats.read_cohorts)
    "duplicate_study": "the study label is used by an earlier row",
    "events_above_total": "more patients with calcinosis than patients in the group",
    "one_group_only": "a study counts one group only, so two-group comparisons leave it out",
    "unknown_study": "an overlap names a study that is not in the table",
    "out_of_range": "a number outside the values it can take (a ratio at or below 0)",
}

# Plausible ranges of serum values by unit. Outside them the unit is probably
# wrong (calcium 2.4 "mg/dL" is a value in mmol/L). Sources: usual adult
# reference intervals widened to cover severe disease.
_PLAUSIBLE = {
    ("calcium", "mg/dL"): (4.0, 20.0),
    ("calcium", "mmol/L"): (1.0, 5.0),
    ("phosphate", "mg/dL"): (0.5, 20.0),
    ("phosphate", "mmol/L"): (0.15, 6.5),
}

# A comma outside brackets: "elbow (left), knee" is two items, "(left, medial)" one
_COMMA = re.compile(r",(?![^()]*\))")
_SITE_TOKEN = re.compile(r"^(.*?)\s*(?:\(([^()]*)\))?$", re.S)


def check_table(raw: RawTable) -> tuple[ValidationReport, pd.DataFrame]:
    """Validate a raw table and return the report and the canonical table.

    Parameters
    ----------
    raw : casestats.io._table.RawTable
        Cells as typed, from :func:`casestats.io.read_raw`.

    Returns
    -------
    report : ValidationReport
        Every problem, the reader's included, sorted by row then column.
    canonical : pandas.DataFrame
        One column per input column (schema fields under their canonical
        names, unknown columns as typed), every cell text: terms canonical,
        whitespace trimmed, "not reported" markers kept verbatim.

    Examples
    --------
    >>> from casestats.io import read_raw
    >>> raw = read_raw(pd.DataFrame({"case_id": ["1", "1"], "source_id": ["s", "s"],
    ...                              "ssc_subset": ["CREST", "limted"]}))
    >>> report, canonical = check_table(raw)
    >>> report.problems[["severity", "code", "row", "value"]]
      severity               code   row   value
    0  warning         no_sources  <NA>
    1     info         normalised     1   CREST
    2    error  duplicate_case_id     2       1
    3    error       unknown_term     2  limted
    >>> report.problems["hint"].iloc[3]
    "did you mean 'limited'?"
    >>> canonical["ssc_subset"].tolist()
    ['limited', 'limted']
    """
    return _Checker(raw, load_schema()).run()


class _Checker:
    def __init__(self, raw: RawTable, schema: Schema):
        self.raw = raw
        self.schema = schema
        self.problems: list[Problem] = list(raw.problems)
        self.frame = raw.frame.copy()
        self.position: dict[str, int] = {}  # canonical column -> position in the file
        self.header: dict[str, str] = {}  # canonical column -> header as typed
        self.bad: dict[str, np.ndarray] = {}  # field -> rows whose cell could not be read
        self._infant_rows: np.ndarray | None = None

    # -- reporting -----------------------------------------------------------

    def _case_ids(self) -> pd.Series:
        if "case_id" in self.frame:
            return self.frame["case_id"]
        return pd.Series([""] * len(self.frame), dtype=object)

    def report_rows(self, rows, column: str, severity: str, code: str, *, expected="", hint=""):
        """One problem per row index in `rows`, hint a string or a function of the value."""
        values = self.raw.frame[self._typed(column)] if column in self.position else None
        ids = self._case_ids()
        for i in rows:
            value = "" if values is None else values.iat[i]
            number = int(self.raw.row_numbers[i])
            self.problems.append(
                Problem(
                    severity,
                    code,
                    row=number,
                    cell=self.raw.cell_address(number, self.position[column])
                    if column in self.position
                    else "",
                    column=self.header.get(column, column),
                    case_id=ids.iat[i],
                    value=value,
                    expected=expected,
                    hint=hint(value) if callable(hint) else hint,
                )
            )

    def note_rows(
        self, rows, column: str, value: str, canonical: str, why: str, *, code="normalised"
    ) -> None:
        """One note for all rows where the same value was rewritten the same way."""
        first = rows[0]
        number = int(self.raw.row_numbers[first])
        more = f" (and {len(rows) - 1} more row{'s' * (len(rows) > 2)})" if len(rows) > 1 else ""
        self.problems.append(
            Problem(
                "info",
                code,
                row=number,
                cell=self.raw.cell_address(number, self.position[column]),
                column=self.header[column],
                case_id=self._case_ids().iat[first],
                value=value,
                expected="the canonical form" if code == "normalised" else "what the case implies",
                hint=f"read as {canonical!r} ({why}){more}",
            )
        )

    def _typed(self, column: str) -> str:
        return self.raw.frame.columns[self.position[column]]

    # -- the pass ------------------------------------------------------------

    def run(self) -> tuple[ValidationReport, pd.DataFrame]:
        self._headers()
        fields = self.schema.fields
        for name in list(self.position):
            field = fields.get(name)
            if field is None:
                continue
            check = self._CHECKS.get(field.kind)
            if check is not None:
                check(self, name)
        self._identifiers()
        self._labs()
        self._infer_ssc_subset()
        self._contradictions()
        report = ValidationReport(
            tuple(sorted(self.problems, key=self._order)),
            source=self.raw.source,
            n_rows=len(self.frame),
        )
        return report, self.frame

    def _order(self, p: Problem):
        column = self.position.get(p.column, self.position.get(self._field_of(p.column), -1))
        return (p.row is not None, p.row or 0, column, p.code)

    def _field_of(self, header: str) -> str:
        # inverted once: a scan of every header per problem made sorting quadratic in columns
        size, fields = self.__dict__.get("_fields", (-1, {}))
        if size != len(self.header):
            fields = {v: k for k, v in reversed(self.header.items())}
            self._fields = (len(self.header), fields)
        return fields.get(header, header)

    def _headers(self) -> None:
        fields = self.schema.fields
        rename = {}
        for j, (column, typed) in enumerate(zip(self.frame.columns, self.raw.headers, strict=True)):
            name = column
            if column not in fields:
                key = re.sub(r"[\s-]+", "_", column.strip().casefold())
                if key in fields and key not in self.frame.columns and key not in rename.values():
                    name = key
                    self.problems.append(
                        Problem(
                            "info",
                            "normalised",
                            row=None,
                            cell=self.raw.cell_address(1, j) if self.raw.column_letters[j] else "",
                            column=typed,
                            value=typed,
                            expected=f"{key!r}",
                            hint=f"column read as the schema field {key!r}",
                        )
                    )
                else:
                    self.problems.append(
                        Problem(
                            "info",
                            "unknown_column",
                            column=typed,
                            value=typed,
                            expected="a schema field",
                            hint=_suggest(column, list(fields)) or "kept as it is",
                        )
                    )
            rename[column] = name
            self.position[name] = j
            self.header[name] = typed
        self.frame.columns = [rename[c] for c in self.frame.columns]
        for name, field in fields.items():
            if field.required and name not in self.position:
                self.problems.append(
                    Problem(
                        "error",
                        "missing_column",
                        column=name,
                        expected=f"a column named {name!r}",
                        hint=field.description,
                    )
                )

    # -- one check per kind of field -----------------------------------------

    def _cells(self, name: str) -> tuple[pd.Series, np.ndarray, pd.Index]:
        """Trimmed cells of a column, with their distinct values (codes, uniques).

        Trimming works on the distinct raw values, so a column of a million
        cells with a few hundred spellings costs a few hundred string operations.
        """
        original = self.frame[name]
        # Missing values (NaN, None, NA) are their own distinct value, read as
        # empty: the default sentinel -1 would index uniques[-1], another row's value.
        raw_codes, raw_uniques = pd.factorize(original, use_na_sentinel=False)
        # an ASCII string only needs its ends stripped (no no-break spaces): no call per value
        trimmed_uniques = np.array(
            [v.strip() if type(v) is str and v.isascii() else _trim(v) for v in raw_uniques],
            dtype=object,
        )
        for k in np.flatnonzero((trimmed_uniques != raw_uniques) & (trimmed_uniques != "")):
            rows = np.flatnonzero(raw_codes == k)
            self.note_rows(rows, name, raw_uniques[k], trimmed_uniques[k], "spaces")
        if (trimmed_uniques == raw_uniques).all():  # nothing trimmed: still distinct
            codes, uniques = raw_codes, trimmed_uniques
        else:  # distinct raw values can trim to the same text: factorize the trimmed ones again
            unique_codes, uniques = pd.factorize(trimmed_uniques)
            codes = unique_codes[raw_codes]
        trimmed = pd.Series(uniques[codes], index=original.index, dtype=object)
        self.frame[name] = trimmed
        return trimmed, codes, pd.Index(uniques)

    def _map_uniques(
        self,
        name: str,
        parse: Callable[[str], tuple[str, str, str]],
        *,
        keep_missing=True,
        unchanged: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        """Apply `parse(value) -> (canonical, error, note)` to each distinct value.

        ``error`` non-empty marks the value unreadable (kept verbatim): a
        ``(code, expected, hint)`` tuple, or a list of them (one problem each,
        every unknown item of a list cell); a fourth element, where given, is
        the hint for patients under one year. ``note`` non-empty reports the
        rewrite as a note. `unchanged`, where given, marks at once the distinct
        values (an object array) that `parse` would keep as they are, with no
        error and no note: a column of a million distinct identifiers then
        costs no call of `parse` per value.
        """
        trimmed, codes, uniques = self._cells(name)
        out = np.asarray(uniques, dtype=object).copy()
        bad = np.zeros(len(uniques), dtype=bool)
        skip = np.zeros(len(uniques), dtype=bool) if unchanged is None else unchanged(out)
        for k in np.flatnonzero(~skip):
            value = out[k]
            if value == "" or (keep_missing and self.schema.is_missing(value)):
                continue
            canonical, error, note = parse(value)
            if error:
                bad[k] = True
                rows = np.flatnonzero(codes == k)
                for code, expected, hint, *infant in [error] if isinstance(error, tuple) else error:
                    if infant and infant[0]:
                        young = self._infants()[rows]
                        self.report_rows(
                            rows[young], name, "error", code, expected=expected, hint=infant[0]
                        )
                        rows_left = rows[~young]
                    else:
                        rows_left = rows
                    self.report_rows(rows_left, name, "error", code, expected=expected, hint=hint)
            else:
                out[k] = canonical
                if note:
                    self.note_rows(np.flatnonzero(codes == k), name, value, canonical, note)
        if len(uniques):
            self.frame[name] = pd.Series(out[codes], index=trimmed.index, dtype=object)
        self.bad[name] = bad[codes] if len(uniques) else np.zeros(0, dtype=bool)

    def _term(self, name: str) -> None:
        vocabulary = self.schema.fields[name].vocabulary
        self._map_uniques(name, lambda value: self._one_term(vocabulary, value))

    def _one_term(self, vocabulary: str, value: str):
        canonical = self.schema.canonical(vocabulary, value)
        if canonical is None:
            return value, self._unknown(vocabulary, value), ""
        return canonical, "", ("synonym" if canonical != value else "")

    def _unknown(self, vocabulary: str, value: str, *, side: str | None = None) -> tuple:
        """The error for an unknown term: code, expected, hint, hint for a patient under 1."""
        terms = self.schema.terms(vocabulary)
        shown = ", ".join(terms[:12]) + (", ..." if len(terms) > 12 else "")
        expected = f"{article(vocabulary + ' term')} ({shown})"
        # "hypocalcemia" in an infant is the neonatal term; in an adult it is no condition
        neonatal = self.schema.canonical(vocabulary, f"neonatal {value}")
        infant = f"did you mean {neonatal!r}? (the patient is under 1 year)" if neonatal else ""
        return ("unknown_term", expected, self._hint(vocabulary, value, side), infant)

    def _hint(self, vocabulary: str, value: str, side: str | None = None) -> str:
        term = close_term(self.schema, vocabulary, value)
        if term is not None:
            # the side the user wrote stays in the suggestion: 'R fot' -> 'foot (right)'
            return f"did you mean {term + (f' ({side})' if side else '')!r}?"
        elsewhere = {
            field: self.schema.canonical(f.vocabulary, value)
            for field, f in self.schema.fields.items()
            if f.kind == "term" and f.vocabulary != vocabulary
        }
        elsewhere = {k: v for k, v in elsewhere.items() if v is not None}
        if elsewhere:
            names = list(elsewhere)
            fields = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
            return f"{value!r} is {next(iter(elsewhere.values()))!r} in {fields}: write it there"
        return "no close term: put the text in notes (or propose a schema term)"

    def _list(
        self,
        name: str,
        one: Callable[[str], tuple[str, tuple, str]],
        *,
        attaches: Callable[[str], bool] | None = None,
    ) -> None:
        """A list cell, item by item; every unknown item is its own problem.

        Items are separated by semicolons or line breaks (Alt+Enter in Excel),
        and by commas when no spelling of a term of the field's vocabulary
        holds a comma. A comma-separated piece for which `attaches` is true
        (a side alone: ``elbow, left``) belongs to the item before it.
        """
        commas = not comma_in_terms(self.schema, self.schema.fields[name].vocabulary)

        def parse(value: str):
            tokens, by_comma = _items(value, commas=commas, attaches=attaches)
            parts, notes, errors = [], [], []
            for token in tokens:
                canonical, error, note = one(token)
                if error:
                    code, expected, hint, *infant = error
                    if "," in token and not commas:
                        hint += (
                            "; a term of this list holds a comma, so separate items with"
                            f" semicolons: {_COMMA.sub(';', token)!r}"
                        )
                    infant = [f"{token!r}: {i}" for i in infant if i]
                    errors.append((code, expected, f"{token!r}: {hint}", *infant))
                    continue
                parts.append(canonical)
                notes.append(note)
            if errors:
                return value, errors, ""
            joined = "; ".join(parts)
            if joined == value:
                return joined, "", ""
            why = list(dict.fromkeys(filter(None, notes)))
            why += ["commas read as semicolons"] * by_comma
            return joined, "", ", ".join(why) or "separator"

        self._map_uniques(name, parse)

    def _term_list(self, name: str) -> None:
        vocabulary = self.schema.fields[name].vocabulary
        self._list(name, lambda token: self._one_term(vocabulary, token))

    def _infants(self) -> np.ndarray:
        """Rows whose age (as typed, units read) is under one year."""
        if self._infant_rows is None:
            age = next((n for n, f in self.schema.fields.items() if f.kind == "age"), "")
            if age in self.position:
                cells = self.raw.frame[self._typed(age)]
                codes, uniques = pd.factorize(cells, use_na_sentinel=False)
                years = np.array([age_in_years(_trim(v)) for v in uniques], dtype=float)
                self._infant_rows = (years < 1)[codes]
            else:
                self._infant_rows = np.zeros(len(self.frame), dtype=bool)
        return self._infant_rows

    def _antibody_list(self, name: str) -> None:
        vocabulary = self.schema.fields[name].vocabulary

        def one(token: str):
            if token[-1] in "+-":
                antibody, result = token[:-1].strip(), token[-1]
            else:
                antibody, _, result = token.rpartition(" ")
            sign = self.schema.canonical("antibody_result", result)
            if not antibody or sign is None:
                return (
                    token,
                    (
                        "unknown_term",
                        "an antibody and its result, like aca+ or anti_scl70-",
                        "add + (positive) or - (negative) after the antibody",
                    ),
                    "",
                )
            term, error, note = self._one_term(vocabulary, antibody)
            if error:
                return token, error, ""
            canonical = term + sign
            return canonical, "", ("synonym" if canonical != token else "")

        self._list(name, one)

    def _site_list(self, name: str) -> None:
        schema = self.schema

        def one(token: str):
            site, bracket = _SITE_TOKEN.match(token).groups()
            term, side, note = schema.canonical(SITE, site), None, "synonym"
            if term is None:
                # L elbow, both hands, elbow left: the side as words around the site
                rest, side = split_side(schema, site)
                if side is not None:
                    site, term, note = rest, schema.canonical(SITE, rest), "side written as words"
            if bracket is not None:
                written = schema.canonical(LATERALITY, bracket)
                if written is None:
                    return token, self._unknown(LATERALITY, bracket), ""
                if side is not None and written != side:
                    hint = f"two sides ({side}, {written}): one item per side, or bilateral"
                    return token, ("unknown_term", "one side per site", hint), ""
                side = written
            if term is None:
                return token, self._unknown(SITE, site, side=side), ""
            canonical = f"{term} ({side})" if side else term
            return canonical, "", (note if canonical != token else "")

        def side_alone(piece: str) -> bool:
            return schema.canonical(LATERALITY, piece) is not None

        self._list(name, one, attaches=side_alone)

    def _number(self, name: str) -> None:
        unit = self.schema.fields[name].unit

        def parse(value: str):
            text, note = ascii_digits(value)
            number = to_float(text)
            if number is not None:
                return text, "", note
            with_unit = NUMBER_WITH_UNIT.match(text)
            if with_unit and unit in LENGTHS and with_unit.group(2).lower() in LENGTHS:
                converted = number_text(length_in(with_unit, unit))
                typed = with_unit.group(2)
                same = typed.lower() == unit.lower()
                note = f"unit {typed} dropped" if same else f"{typed} converted to {unit}"
                return converted, "", note
            where = f"{name.removesuffix('_value')}_unit" if name.endswith("_value") else ""
            where = where if where in self.schema.fields else ""
            return value, ("not_a_number", "a number", number_hint(text, unit, where)), ""

        self._map_uniques(name, parse)

    def _age(self, name: str) -> None:
        self._map_uniques(name, parse_age)
        numbers = pd.to_numeric(self.frame[name].where(self.frame[name] != "90+"), errors="coerce")
        old = np.flatnonzero((numbers > 89).to_numpy(dtype=bool) & ~self.bad[name])
        self.report_rows(
            old,
            name,
            "warning",
            "age_over_89",
            expected="90+ for any age over 89",
            hint="ages over 89 can identify a person: write 90+",
        )

    _CHECKS = {
        "term": _term,
        "term_list": _term_list,
        "antibody_list": _antibody_list,
        "site_list": _site_list,
        "number": _number,
        "age": _age,
    }

    # -- whole-table checks --------------------------------------------------

    def _identifiers(self) -> None:
        for name in ("case_id", "source_id"):
            if name not in self.position:
                continue
            self._map_uniques(name, _parse_id, keep_missing=False, unchanged=_ascii)
            empty = np.flatnonzero((self.frame[name] == "").to_numpy(dtype=bool))
            self.report_rows(empty, name, "error", "missing_value", expected=f"a {name}")
        if "case_id" in self.position:
            ids = self.frame["case_id"]
            filled = ids != ""
            again = ids.duplicated(keep="first")
            repeated = (again & filled).to_numpy(dtype=bool)
            if repeated.any():
                first = {v: i for i, v in reversed(list(enumerate(ids)))}
                rows = self.raw.row_numbers
                self.report_rows(
                    np.flatnonzero(repeated),
                    "case_id",
                    "error",
                    "duplicate_case_id",
                    expected="a case_id used by no other row",
                    hint=lambda v: f"row {rows[first[normalise_id(v)]]} has the same case_id",
                )
            self._confusable_ids(ids, first=(~again & filled).to_numpy(dtype=bool))
        if "source_id" not in self.position:
            return
        sources = self.raw.sources
        if sources is None or "source_id" not in sources:
            self.problems.append(
                Problem(
                    "warning",
                    "no_sources",
                    expected="a sources table with a source_id column",
                    hint="give sources= (or a Sources sheet) so every source_id can be checked",
                )
            )
            return
        from casestats.sources import check_source_kinds

        self.problems += check_source_kinds(sources, table=self.raw.sources_table)
        known = {normalise_id(v) for v in sources["source_id"]}
        ids = self.frame["source_id"]
        unknown = np.flatnonzero((~ids.isin(known) & (ids != "")).to_numpy(dtype=bool))
        self.report_rows(
            unknown,
            "source_id",
            "error",
            "unknown_source",
            expected="a source_id listed in the sources table",
            hint=lambda v: (
                _suggest(normalise_id(v), sorted(known)) or "add the source to the sources table"
            ),
        )

    def _confusable_ids(self, ids: pd.Series, *, first: np.ndarray) -> None:
        """Warn where distinct case_ids look alike (a Cyrillic а for a Latin a).

        `first` marks the row where each distinct filled id first appears.
        """
        rows = np.flatnonzero(first)
        distinct = np.asarray(ids, dtype=object)[rows]
        # for ASCII the skeleton is the lower case: a call of _skeleton only for the others
        keys = pd.Series(
            [v.lower() if v.isascii() else _skeleton(v) for v in distinct], dtype=object
        )
        again = keys.duplicated(keep="first").to_numpy(dtype=bool)
        alike = set(keys[again])
        seen: dict[str, int] = {}  # skeleton -> index in distinct of the first id with it
        for k in np.flatnonzero(keys.isin(alike).to_numpy(dtype=bool)):
            key = keys.iat[k]
            if key not in seen:
                seen[key] = k
                continue
            other = seen[key]
            self.report_rows(
                [rows[k]],
                "case_id",
                "warning",
                "confusable_id",
                expected="case_ids that differ in more than look-alike characters",
                hint=f"looks like {distinct[other]!r} in row {self.raw.row_numbers[rows[other]]}",
            )

    def _labs(self) -> None:
        for lab in ("calcium", "phosphate", "pth"):
            value, unit = f"{lab}_value", f"{lab}_unit"
            if value not in self.position:
                continue
            numbers = pd.to_numeric(self.frame[value], errors="coerce")
            given = numbers.notna().to_numpy(dtype=bool)
            units = (
                self.frame[unit] if unit in self.position else pd.Series("", index=numbers.index)
            )
            no_unit = given & (units == "").to_numpy(dtype=bool)
            self.report_rows(
                np.flatnonzero(no_unit),
                value,
                "warning",
                "value_without_unit",
                expected=f"a unit in {unit}",
                hint=f"fill in {unit} ({', '.join(self.schema.terms(unit))})",
            )
            for (name, unit_term), (low, high) in _PLAUSIBLE.items():
                if name != lab:
                    continue
                outside = given & (units == unit_term).to_numpy(dtype=bool)
                outside &= ~numbers.between(low, high).to_numpy(dtype=bool)
                self.report_rows(
                    np.flatnonzero(outside),
                    value,
                    "warning",
                    "unit_mismatch",
                    expected=f"{low:g}-{high:g} {unit_term} for serum {lab}",
                    hint=f"is the value in another unit than {unit_term}?",
                )

    def _infer_ssc_subset(self) -> None:
        """An empty ssc_subset is not_applicable when the conditions, given, exclude SSc."""
        if "ssc_subset" not in self.position or "conditions" not in self.position:
            return
        conditions = self.frame["conditions"]
        markers = [v for v in pd.unique(conditions) if self.schema.is_missing(v)]
        known = (conditions != "") & ~conditions.isin(markers) & ~self.bad["conditions"]
        ssc = _with_ssc(conditions)
        blank = self.frame["ssc_subset"] == ""
        rows = np.flatnonzero((blank & known & ~ssc).to_numpy(dtype=bool))
        if not len(rows):
            return
        subset = self.frame["ssc_subset"].to_numpy(dtype=object, copy=True)
        subset[rows] = "not_applicable"
        self.frame["ssc_subset"] = pd.Series(subset, index=self.frame.index, dtype=object)
        why = "the conditions are given and do not include systemic_sclerosis"
        self.note_rows(rows, "ssc_subset", "", "not_applicable", why, code="inferred")

    def _contradictions(self) -> None:
        f = self.frame
        has = self.position.__contains__
        if has("subtype") and has("calcium_status") and has("phosphate_status"):
            rows = (f["subtype"] == "metastatic") & (f["calcium_status"] == "normal")
            rows &= f["phosphate_status"] == "normal"
            self.report_rows(
                np.flatnonzero(rows.to_numpy(dtype=bool)),
                "subtype",
                "warning",
                "contradiction",
                expected="raised calcium or phosphate for a metastatic subtype",
                hint="calcium and phosphate are both normal: dystrophic or idiopathic?",
            )
        if has("ssc_subset") and has("conditions"):
            conditions = f["conditions"]
            ssc = _with_ssc(conditions)
            markers = [v for v in pd.unique(conditions) if self.schema.is_missing(v)]
            reported = (conditions != "") & ~conditions.isin(markers)
            subset = f["ssc_subset"].isin(["limited", "diffuse", "sine"])
            rows = subset & reported & ~ssc
            self.report_rows(
                np.flatnonzero(rows.to_numpy(dtype=bool)),
                "ssc_subset",
                "warning",
                "contradiction",
                expected="systemic_sclerosis in conditions when an SSc subset is given",
                hint="add systemic_sclerosis to conditions, or set ssc_subset to not_applicable",
            )
            rows = ssc & (f["ssc_subset"] == "not_applicable")
            self.report_rows(
                np.flatnonzero(rows.to_numpy(dtype=bool)),
                "ssc_subset",
                "warning",
                "contradiction",
                expected="an SSc subset (or empty) for a patient with systemic sclerosis",
                hint="conditions include systemic_sclerosis",
            )


def _with_ssc(conditions: pd.Series) -> pd.Series:
    """Which cells of a (canonical) conditions column list systemic_sclerosis.

    The pattern is matched once per distinct value, not once per row.
    """
    codes, uniques = pd.factorize(conditions, use_na_sentinel=False)
    found = pd.Series(uniques, dtype=object).str.contains(
        r"(?:^|; )systemic_sclerosis(?:;|$)", regex=True, na=False
    )
    return pd.Series(found.to_numpy(dtype=bool)[codes], index=conditions.index)


def _trim(value) -> str:
    """A cell as `_Checker._cells` trims it: no-break spaces are spaces, missing is empty."""
    if not isinstance(value, str):
        return ""
    return value.replace("\u00a0", " ").strip()


#: Characters that display as nothing, removed from identifiers.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Cyrillic and Greek letters drawn like Latin ones (after casefold), for confusable ids.
_HOMOGLYPHS = str.maketrans("аеорсухіјѕԁαειοκνρτυχ", "aeopcyxijsdaeiokvptux")


def normalise_id(value) -> str:
    """An identifier as validation stores it: trimmed, NFC, invisible characters removed.

    Examples
    --------
    >>> normalise_id(" cafe\u0301\u200b ") == "caf\u00e9"
    True
    """
    return unicodedata.normalize("NFC", _trim(value).translate(_INVISIBLE)).strip()


def _parse_id(value: str) -> tuple[str, str, str]:
    canonical = normalise_id(value)
    return canonical, "", ("Unicode form, invisible characters" if canonical != value else "")


def _ascii(values: np.ndarray) -> np.ndarray:
    """Which values (trimmed strings) are ASCII: invisible characters and NFC leave them be."""
    return np.fromiter(map(str.isascii, values), dtype=bool, count=len(values))


def _skeleton(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold().translate(_HOMOGLYPHS)


def _items(value: str, *, commas: bool, attaches) -> tuple[list[str], bool]:
    """The items of a list cell, and whether commas separated some of them."""
    out, by_comma = [], False
    # a line break inside a cell (Alt+Enter in Excel) separates items like ";"
    for chunk in re.split(r"[;\r\n]", value):
        kept: list[str] = []
        pieces = _COMMA.split(chunk) if commas else [chunk]
        for piece in filter(None, (p.strip() for p in pieces)):
            if kept and attaches is not None and attaches(piece):
                kept[-1] = f"{kept[-1]}, {piece}"  # "elbow, left": the side of the site before it
            else:
                kept.append(piece)
        by_comma |= len(kept) > 1
        out += kept
    return out, by_comma


def _suggest(value: str, choices: list[str]) -> str:
    match = difflib.get_close_matches(value, choices, n=1, cutoff=0.75)
    return f"did you mean {match[0]!r}?" if match else ""
