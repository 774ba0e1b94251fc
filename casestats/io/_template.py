"""An empty case-series workbook to fill in by hand.

The template is the schema laid out as a spreadsheet: a ``Cases`` sheet whose
headers are the schema fields in canonical order (each with its description
as a cell comment), a ``Sources`` sheet, a ``Data dictionary`` and, on a
``Lists`` sheet, the terms of every controlled vocabulary. Single-term fields
get drop-down lists from those terms, so a user who never writes Python
types fewer values that validation would then have to reject.
"""

from __future__ import annotations

import io
from pathlib import Path

from casestats.schema import load_schema

__all__ = ["DROPDOWN_ROWS", "SOURCE_COLUMNS", "write_cohort_template", "write_template"]

#: Columns of the ``Sources`` sheet: each ``source_id``, its kind
#: (:data:`casestats.sources.SOURCE_KINDS`) and its citation.
SOURCE_COLUMNS = (
    "source_id",
    "kind",
    "first_author",
    "year",
    "title",
    "journal",
    "doi",
    "pmid",
    "pmcid",
    "url",
    "citation",
)

#: Rows of the ``Cases`` sheet that carry the drop-down lists (header excluded).
DROPDOWN_ROWS = 5000

_WIDTHS = {"identifier": 22, "age": 10, "number": 12, "term": 18, "text": 40}


def write_template(path) -> Path:
    """Write an empty case-series workbook (.xlsx) with drop-down lists.

    Parameters
    ----------
    path : str or pathlib.Path
        Where to write; the parent folder must exist.

    Returns
    -------
    pathlib.Path
        The written file.

    Notes
    -----
    Sheets: ``Cases`` (one column per schema field, frozen header row, the
    field description as a comment on each header), ``Sources`` (one row per
    publication), ``Data dictionary`` (:meth:`Schema.describe`) and ``Lists``
    (hidden; the terms of every controlled vocabulary, those of sites,
    conditions, autoantibodies and treatments included; single-term fields'
    drop-down lists point to it). Drop-downs
    allow blank cells, because an empty cell means "not reported".
    Multi-valued fields (sites, conditions, ...) have no drop-down: a list
    can only offer one term per cell.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_template(Path(folder) / "cases.xlsx")
    ...     openpyxl.load_workbook(path).sheetnames
    ['Cases', 'Sources', 'Data dictionary', 'Lists']
    """
    import openpyxl

    schema = load_schema()
    book = openpyxl.Workbook()
    cases = book.active
    cases.title = "Cases"
    _cases_sheet(cases, schema)
    _header_sheet(book.create_sheet("Sources"), SOURCE_COLUMNS, width=24)
    dictionary = schema.describe()
    _header_sheet(book.create_sheet("Data dictionary"), list(dictionary.columns), width=18)
    sheet = book["Data dictionary"]
    for row in dictionary.itertuples(index=False):
        sheet.append([str(value) for value in row])
    sheet.column_dimensions["F"].width = 80
    lists = book.create_sheet("Lists")
    ranges = _lists_sheet(lists, schema)
    lists.sheet_state = "hidden"
    _dropdowns(cases, schema, ranges)
    return _save(book, path)


def _save(book, path) -> Path:
    """Save the workbook in one step: a failed write never leaves a half-written file."""
    from casestats.io._write import replace_files

    path = Path(path)
    buffer = io.BytesIO()
    book.save(buffer)
    replace_files({path: buffer.getvalue()})
    return path


def _comment_headers(sheet, texts) -> None:
    """Each header cell of row 1 gets its description as a comment."""
    from openpyxl.comments import Comment

    for index, text in enumerate(texts, start=1):
        comment = Comment(text, "casestats")
        comment.width, comment.height = 300, 120
        sheet.cell(row=1, column=index).comment = comment


def _bold_header(sheet, headers) -> None:
    from openpyxl.styles import Font, PatternFill

    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    sheet.freeze_panes = "A2"


def _header_sheet(sheet, headers, *, width: int) -> None:
    from openpyxl.utils import get_column_letter

    _bold_header(sheet, headers)
    for index in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _cases_sheet(sheet, schema) -> None:
    from openpyxl.utils import get_column_letter

    fields = list(schema.fields.values())
    _bold_header(sheet, [f.name for f in fields])
    _comment_headers(sheet, [
        f.description + (f"\nExample: {f.example}" if f.example else "") for f in fields
    ])  # fmt: skip
    for index, field in enumerate(fields, start=1):
        width = _WIDTHS.get(field.kind, 30)
        sheet.column_dimensions[get_column_letter(index)].width = max(width, len(field.name) + 2)


def _lists_sheet(sheet, schema) -> dict[str, str]:
    """One column per controlled vocabulary (sites and lists too); returns vocabulary -> range."""
    from openpyxl.utils import get_column_letter

    used = {f.vocabulary for f in schema.fields.values() if f.vocabulary}
    # the words written inside a site's brackets and after an antibody
    vocabularies = sorted(used | {"laterality", "antibody_result"})
    ranges = {}
    for index, vocabulary in enumerate(vocabularies, start=1):
        letter = get_column_letter(index)
        terms = schema.terms(vocabulary)
        sheet.cell(row=1, column=index, value=vocabulary)
        for row, term in enumerate(terms, start=2):
            sheet.cell(row=row, column=index, value=term)
        ranges[vocabulary] = f"Lists!${letter}$2:${letter}${len(terms) + 1}"
    return ranges


def _dropdowns(sheet, schema, ranges: dict[str, str]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, field in enumerate(schema.fields.values(), start=1):
        if field.kind != "term":
            continue
        validation = DataValidation(
            type="list",
            formula1=ranges[field.vocabulary],
            allow_blank=True,
            showErrorMessage=True,
            # a warning, not a stop: "NR" or a synonym still reads fine
            errorStyle="warning",
            errorTitle=field.name,
            error=f"Choose a {field.vocabulary} term from the list, or leave the cell empty.",
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{DROPDOWN_ROWS + 1}")
        sheet.add_data_validation(validation)


def write_cohort_template(path) -> Path:
    """Write an empty workbook (.xlsx) for study-level cohort counts.

    The ``Cohorts`` sheet has the columns :func:`casestats.read_cohorts`
    reads by default (each described in a header comment), then ``Sources``
    and a ``Data dictionary``.

    Parameters
    ----------
    path : str or pathlib.Path
        Where to write; the parent folder must exist.

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_cohort_template(Path(folder) / "cohorts.xlsx")
    ...     openpyxl.load_workbook(path).sheetnames
    ['Cohorts', 'Sources', 'Data dictionary']
    """
    import openpyxl

    from casestats.cohorts import COHORT_DICTIONARY

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cohorts"
    _header_sheet(sheet, [name for name, _, _ in COHORT_DICTIONARY], width=18)
    _comment_headers(sheet, [f"{text}\nExample: {ex}" for _, text, ex in COHORT_DICTIONARY])
    _header_sheet(book.create_sheet("Sources"), SOURCE_COLUMNS, width=24)
    dictionary = book.create_sheet("Data dictionary")
    _header_sheet(dictionary, ["column", "description", "example"], width=18)
    for row in COHORT_DICTIONARY:
        dictionary.append(list(row))
    dictionary.column_dimensions["B"].width = 80
    return _save(book, path)
