"""Write the corpus of hostile and awkward case files, and what each must produce.

Run ``python tests/corpus/make_corpus.py`` from the repository root: it
rewrites every fixture in ``tests/corpus/files/`` and ``tests/corpus/expected.json``
byte for byte the same each time (XLSX timestamps are fixed). Both are
committed; ``tests/test_corpus.py`` reads them.

Each fixture lists the problems validation must report as ``[code, row,
column]`` (row null for a file-level problem; column as typed in the file,
``""`` when none), whether :func:`casestats.read_cases` must raise, and
whether the list is ``exact`` (no other error or warning allowed) or a
lower bound. The expectations are written from what a careful reader of the
file would flag, not copied from the library's output.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

# openpyxl serialises XML differently with lxml installed ("<a/>") and without it ("<a />"): a
# regeneration writes the stdlib form whatever is installed (tests/test_corpus.py compares the
# workbooks' canonical XML, so it does not depend on this).
os.environ["OPENPYXL_LXML"] = "False"

HERE = Path(__file__).parent
FILES = HERE / "files"
EPOCH = (2020, 1, 1, 0, 0, 0)

HEADER = ["case_id", "source_id", "age_years", "sex", "ssc_subset", "conditions", "sites", "notes"]
GOOD = [
    ["c1", "s1", "54", "female", "limited", "systemic_sclerosis", "finger_pad (left)", "ok"],
    ["c2", "s1", "61", "male", "diffuse", "systemic_sclerosis", "elbow (bilateral)", ""],
]
SOURCES = [["source_id", "first_author"], ["s1", "Smith"]]
NO_SOURCES = ("no_sources", None, "")

FIXTURES: list[dict] = []


def fixture(name, data: bytes, problems=(), *, raises=None, exact=True, about=""):
    """Register one file: its bytes and the problems it must produce."""
    problems = [list(p) for p in problems]
    FIXTURES.append(
        {
            "file": name,
            "data": data,
            "about": about,
            "problems": problems,
            "raises": raises,
            "exact": exact,
        }
    )


def csv_bytes(rows, *, sep=",", header=HEADER, end="\n", encoding="utf-8") -> bytes:
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    return (end.join(lines) + end).encode(encoding)


def with_row(**changes):
    """The good rows, with cells of the first one changed."""
    first = dict(zip(HEADER, GOOD[0], strict=True))
    first.update(changes)
    return [[first[h] for h in HEADER], GOOD[1]]


def fixed_zip(data: bytes) -> bytes:
    """The same archive with every timestamp fixed, so the bytes are reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            copy = zipfile.ZipInfo(info.filename, EPOCH)
            copy.compress_type = zipfile.ZIP_DEFLATED
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2020-01-01T00:00:00Z", body
                )
            dst.writestr(copy, body)
    return out.getvalue()


def xlsx_bytes(rows, *, header=HEADER, sources=True, build=None, title="Cases") -> bytes:
    """A workbook with a Cases sheet (cells given as Python values) and a Sources sheet."""
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    if sources:
        side = book.create_sheet("Sources")
        for row in SOURCES:
            side.append(row)
    if build is not None:
        build(book)
    book.properties.created = book.properties.modified = dt.datetime(2020, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return fixed_zip(buffer.getvalue())


def replace_member(data: bytes, member: str, transform) -> bytes:
    """An archive with one member's bytes rewritten."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == member:
                body = transform(body)
            copy = zipfile.ZipInfo(info.filename, EPOCH)
            copy.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(copy, body)
    return out.getvalue()


def json_bytes(records, *, sources=True) -> bytes:
    document = {"cases": records}
    if sources:
        document["sources"] = [{"source_id": "s1", "first_author": "Smith"}]
    return json.dumps(document, indent=1).encode()


def records(rows=GOOD):
    return [dict(zip(HEADER, r, strict=True)) for r in rows]


def add_csv():
    good = csv_bytes(GOOD)
    fixture("csv/good.csv", good, [NO_SOURCES], about="baseline: clean, no sources table")
    fixture("csv/bom.csv", b"\xef\xbb\xbf" + good, [NO_SOURCES], about="UTF-8 byte-order mark")
    accented = with_row(notes="Sjögren overlap; café-au-lait")
    fixture(
        "csv/utf16_le_bom.csv",
        csv_bytes(accented, encoding="utf-16"),
        [NO_SOURCES],
        about="Excel 'Unicode text': UTF-16 with BOM",
    )
    fixture(
        "csv/utf16_be_bom.csv",
        b"\xfe\xff" + csv_bytes(accented, encoding="utf-16-be"),
        [NO_SOURCES],
        about="big-endian UTF-16",
    )
    fixture(
        "csv/cp1252.csv",
        csv_bytes(accented, encoding="cp1252"),
        [NO_SOURCES, ("not_utf8", 2, "")],
        about="Windows-1252 export: warned, read",
    )
    fixture(
        "csv/undecodable.csv",
        good.replace(b"ok", b"o\x81\x8d"),
        [("undecodable", 2, "")],
        raises=True,
        about="bytes that are neither UTF-8 nor Windows-1252",
    )
    fixture(
        "csv/utf16_odd_bytes.csv",
        b"\xff\xfe" + "case_id,source_id\n".encode("utf-16-le") + b"\x00\xd8",
        [("undecodable", 2, "")],
        raises=True,
        about="UTF-16 cut in the middle of a surrogate pair",
    )
    rows = [GOOD[0], GOOD[1] + ["stray"], GOOD[0][:1]]
    rows[2] = ["c3", "s1", "40"]
    fixture(
        "csv/ragged_rows.csv",
        csv_bytes(rows),
        [NO_SOURCES, ("ragged_row", 3, ""), ("ragged_row", 4, "")],
        raises=True,
        about="one row too long, one too short",
    )
    fixture(
        "csv/unbalanced_quote.csv",
        csv_bytes(with_row(notes='"never closed')),
        [NO_SOURCES, ("unclosed_quote", 2, "")],
        raises=True,
        about="a quote that never closes would swallow the rest of the file",
    )
    header = HEADER[:3] + ["sex"] + HEADER[3:]
    fixture(
        "csv/duplicate_header.csv",
        csv_bytes([r[:3] + ["F"] + r[3:] for r in GOOD], header=header),
        [NO_SOURCES, ("duplicate_header", 1, "sex")],
        raises=True,
        about="two columns named sex",
    )
    header = HEADER[:2] + [""] + HEADER[2:]
    fixture(
        "csv/blank_header_with_values.csv",
        csv_bytes([r[:2] + ["x"] + r[2:] for r in GOOD], header=header),
        [NO_SOURCES, ("blank_header", 1, "")],
        raises=True,
        about="an unnamed column holding values",
    )
    fixture(
        "csv/blank_header_empty_column.csv",
        csv_bytes([r[:2] + [""] + r[2:] for r in GOOD], header=header),
        [NO_SOURCES, ("blank_header", 1, "")],
        about="an unnamed empty column in the middle: skipped with a warning",
    )
    fixture(
        "csv/trailing_empty_columns.csv",
        csv_bytes([r + ["", "", ""] for r in GOOD], header=HEADER + ["", "", ""]),
        [NO_SOURCES],
        about="spreadsheet export with trailing empty columns",
    )
    merged = ["Patient", "", "Demographics", "", "Disease", "", "", ""]
    fixture(
        "csv/merged_header_rows.csv",
        csv_bytes([HEADER] + GOOD, header=merged),
        [
            ("missing_column", None, "case_id"),
            ("missing_column", None, "source_id"),
            ("blank_header", 1, ""),
        ],
        raises=True,
        exact=False,
        about="a merged group header above the real header",
    )
    swapped = [GOOD[0][:2] + ["female", "54"] + GOOD[0][4:], GOOD[1]]
    fixture(
        "csv/values_in_wrong_column.csv",
        csv_bytes(swapped),
        [NO_SOURCES, ("not_a_number", 2, "age_years"), ("unknown_term", 2, "sex")],
        raises=True,
        about="age and sex swapped",
    )
    for name, age in [("age_87_y", "87 y"), ("age_months", "18 months")]:
        fixture(
            f"csv/{name}.csv",
            csv_bytes(with_row(age_years=age)),
            [NO_SOURCES, ("normalised", 2, "age_years")],
            raises=False,
            about=f"age typed as {age!r}, converted to years with a note",
        )
    for name, age, code in [
        ("age_in_her_50s", "in her 50s", "not_a_number"),
        ("age_negative", "-3", "age_out_of_range"),
        ("age_250", "250", "age_out_of_range"),
        ("age_excel_serial", "43891", "age_out_of_range"),
        ("age_nan_text", "nan", "not_a_number"),
        ("age_infinity", "inf", "not_a_number"),
    ]:
        fixture(
            f"csv/{name}.csv",
            csv_bytes(with_row(age_years=age)),
            [NO_SOURCES, (code, 2, "age_years")],
            raises=True,
            about=f"age typed as {age!r}",
        )
    fixture(
        "csv/age_over_89.csv",
        csv_bytes(with_row(age_years="93")),
        [NO_SOURCES, ("age_over_89", 2, "age_years")],
        about="identifying age: a warning, 90+ expected",
    )
    fixture(
        "csv/age_decimal_comma.csv",
        csv_bytes(with_row(age_years="54,5"), sep=";"),
        [NO_SOURCES, ("not_a_number", 2, "age_years")],
        raises=True,
        about="European decimal comma in a semicolon file",
    )
    sexes = [
        ["c1", "s1", "54", "F", "limited", "systemic_sclerosis", "hand", ""],
        ["c2", "s1", "54", "Female", "limited", "systemic_sclerosis", "hand", ""],
        ["c3", "s1", "54", "woman", "limited", "systemic_sclerosis", "hand", ""],
        ["c4", "s1", "54", "m", "limited", "systemic_sclerosis", "hand", ""],
    ]
    fixture(
        "csv/sex_synonyms.csv",
        csv_bytes(sexes),
        [NO_SOURCES, ("normalised", 2, "sex"), ("normalised", 4, "sex")],
        about="F, Female, woman, m: all read, each rewrite noted",
    )
    fixture(
        "csv/sex_unknown.csv",
        csv_bytes(with_row(sex="W/F?")),
        [NO_SOURCES, ("unknown_term", 2, "sex")],
        raises=True,
        about="sex that is no synonym",
    )
    fixture(
        "csv/typo_limted.csv",
        csv_bytes(with_row(ssc_subset="limted")),
        [NO_SOURCES, ("unknown_term", 2, "ssc_subset")],
        raises=True,
        about="vocabulary typo",
    )
    fixture(
        "csv/site_typo.csv",
        csv_bytes(with_row(sites="fingre_pad (left)")),
        [NO_SOURCES, ("unknown_term", 2, "sites")],
        raises=True,
        about="site typo inside a list",
    )
    fixture(
        "csv/site_bad_laterality.csv",
        csv_bytes(with_row(sites="elbow (both sides maybe)")),
        [NO_SOURCES, ("unknown_term", 2, "sites")],
        raises=True,
        about="laterality outside the vocabulary",
    )
    header = HEADER + ["autoantibodies"]
    fixture(
        "csv/antibody_without_result.csv",
        csv_bytes([GOOD[0] + ["aca"], GOOD[1] + ["anti_scl70+"]], header=header),
        [NO_SOURCES, ("unknown_term", 2, "autoantibodies")],
        raises=True,
        about="antibody without + or -",
    )
    lab_header = ["case_id", "source_id", "calcium_value", "calcium_unit"]
    fixture(
        "csv/calcium_unit_mixup.csv",
        csv_bytes(
            [
                ["c1", "s1", "9.8", "mmol/L"],
                ["c2", "s1", "2.4", "mg/dL"],
                ["c3", "s1", "2.4", "mmol/L"],
            ],
            header=lab_header,
        ),
        [NO_SOURCES, ("unit_mismatch", 2, "calcium_value"), ("unit_mismatch", 3, "calcium_value")],
        about="mg/dL value labelled mmol/L and the reverse",
    )
    fixture(
        "csv/calcium_without_unit.csv",
        csv_bytes([["c1", "s1", "2.4", ""]], header=lab_header),
        [NO_SOURCES, ("value_without_unit", 2, "calcium_value")],
        about="lab value with no unit",
    )
    fixture(
        "csv/calcium_decimal_comma.csv",
        csv_bytes([["c1", "s1", "2,4", "mmol/L"]], header=lab_header, sep=";"),
        [NO_SOURCES, ("not_a_number", 2, "calcium_value")],
        raises=True,
        about="lab value with a decimal comma",
    )
    fixture(
        "csv/calcium_with_unit_in_cell.csv",
        csv_bytes([["c1", "s1", "9.8 mg/dL", "mg/dL"]], header=lab_header),
        [NO_SOURCES, ("not_a_number", 2, "calcium_value")],
        raises=True,
        about="unit typed into the value cell",
    )
    fixture(
        "csv/numbers_quoted_as_text.csv",
        csv_bytes(with_row(age_years='"54"', case_id='"007"')),
        [NO_SOURCES],
        about="quoted numbers and leading zeros are kept",
    )
    fixture(
        "csv/nbsp_and_trailing_spaces.csv",
        csv_bytes(with_row(sex="female\u00a0", ssc_subset=" limited ", case_id="c1 ")),
        [NO_SOURCES, ("normalised", 2, "sex"), ("normalised", 2, "ssc_subset")],
        about="non-breaking and trailing spaces are trimmed and noted",
    )
    fixture(
        "csv/formula_text.csv",
        csv_bytes(with_row(notes='=HYPERLINK("http://x")', case_id="'=1+1")),
        [NO_SOURCES],
        about="formula-looking text is text; an escaped one is unescaped",
    )
    fixture(
        "csv/duplicate_case_ids.csv",
        csv_bytes([GOOD[0], GOOD[1], GOOD[0]]),
        [NO_SOURCES, ("duplicate_case_id", 4, "case_id")],
        raises=True,
        about="the same case twice",
    )
    fixture(
        "csv/duplicate_ids_nbsp.csv",
        csv_bytes([GOOD[0], with_row(case_id="c\u00a01")[0], with_row(case_id="c 1")[0]]),
        [NO_SOURCES, ("duplicate_case_id", 4, "case_id")],
        raises=True,
        about="ids equal once a non-breaking space is read as a space (crashed the hint)",
    )
    fixture(
        "csv/missing_case_id.csv",
        csv_bytes(with_row(case_id="")),
        [NO_SOURCES, ("missing_value", 2, "case_id")],
        raises=True,
        about="empty identifier",
    )
    fixture(
        "csv/missing_source_column.csv",
        csv_bytes([[r[0]] + r[2:] for r in GOOD], header=[HEADER[0]] + HEADER[2:]),
        [("missing_column", None, "source_id")],
        raises=True,
        about="no source_id column",
    )
    fixture(
        "csv/contradiction_ssc_subset.csv",
        csv_bytes(with_row(conditions="dermatomyositis")),
        [NO_SOURCES, ("contradiction", 2, "ssc_subset")],
        about="SSc subset without systemic sclerosis",
    )
    fixture(
        "csv/contradiction_not_applicable.csv",
        csv_bytes(with_row(ssc_subset="not_applicable")),
        [NO_SOURCES, ("contradiction", 2, "ssc_subset")],
        about="systemic sclerosis with subset not_applicable",
    )
    header = ["case_id", "source_id", "subtype", "calcium_status", "phosphate_status"]
    fixture(
        "csv/contradiction_metastatic.csv",
        csv_bytes([["c1", "s1", "metastatic", "normal", "normal"]], header=header),
        [NO_SOURCES, ("contradiction", 2, "subtype")],
        about="metastatic calcinosis with normal calcium and phosphate",
    )
    fixture("csv/empty.csv", b"", [("empty_file", None, "")], raises=True, about="zero bytes")
    fixture(
        "csv/whitespace_only.csv",
        b" \r\n\t\n",
        [("empty_file", None, "")],
        raises=True,
        about="only blank lines",
    )
    fixture(
        "csv/bom_only.csv",
        b"\xef\xbb\xbf",
        [("empty_file", None, "")],
        raises=True,
        about="a byte-order mark and nothing else",
    )
    fixture(
        "csv/header_only.csv",
        csv_bytes([]),
        [NO_SOURCES, ("no_rows", None, "")],
        raises=True,
        about="header, no cases",
    )
    fixture(
        "csv/blank_lines_between_rows.csv",
        csv_bytes([GOOD[0], [], with_row(case_id="c3", ssc_subset="limted")[0]]).replace(
            b"\n\n", b"\n,,,,,,,\n\n"
        ),
        [NO_SOURCES, ("unknown_term", 5, "ssc_subset")],
        raises=True,
        about="blank rows keep later row numbers right",
    )
    fixture(
        "csv/crlf.csv",
        csv_bytes(GOOD, end="\r\n"),
        [NO_SOURCES],
        about="Windows line ends",
    )
    fixture(
        "csv/lone_cr.csv",
        csv_bytes(GOOD, end="\r"),
        [NO_SOURCES],
        about="classic Mac line ends",
    )
    fixture(
        "csv/quoted_newlines.csv",
        csv_bytes(with_row(notes='"line one\nline two, with comma"')),
        [NO_SOURCES],
        about="a quoted cell spanning lines",
    )
    fixture(
        "csv/huge_cell.csv",
        csv_bytes(with_row(notes="x" * 40_000)),
        [NO_SOURCES, ("cell_too_long", 2, "notes")],
        raises=True,
        about="a cell longer than Excel allows",
    )
    many = [[f"c{i}", "s1", "40", "male", "", "", "", ""] for i in range(3, 700)]
    fixture(
        "csv/nul_byte_late.csv",
        csv_bytes(GOOD + many + [with_row(case_id="c999", notes="a\x00b")[0]]),
        [NO_SOURCES],
        about="a NUL byte past the head that sniffing looks at: kept as text",
    )
    fixture(
        "csv/nul_byte_early.csv",
        csv_bytes(with_row(notes="a\x00b")),
        [("format_mismatch", None, "")],
        raises=True,
        about="a NUL byte near the start: binary, not text",
    )
    fixture(
        "csv/unknown_column.csv",
        csv_bytes([r + ["blue"] for r in GOOD], header=HEADER + ["ward colour"]),
        [NO_SOURCES],
        about="a column outside the schema is kept (an info note only)",
    )
    fixture(
        "tsv/tab_separated.tsv",
        csv_bytes(GOOD, sep="\t"),
        [NO_SOURCES],
        about="tab-separated with the .tsv extension",
    )
    fixture(
        "csv/unknown_source.csv",
        csv_bytes(with_row(source_id="s9")),
        [("unknown_source", 2, "source_id")],
        raises=True,
        about="source_id missing from the sidecar sources table",
    )
    FIXTURES.append(
        {
            "file": "csv/unknown_source.sources.csv",
            "data": csv_bytes(SOURCES[1:], header=SOURCES[0]),
        }
    )


def add_mismatches():
    good_xlsx = xlsx_bytes(GOOD)
    mismatch = [("format_mismatch", None, "")]
    for name, data, about in [
        ("wrong/xlsx_named.csv", good_xlsx, "a workbook saved as .csv"),
        ("wrong/json_named.csv", json_bytes(records()), "JSON saved as .csv"),
        ("wrong/csv_named.xlsx", csv_bytes(GOOD), "CSV renamed .xlsx"),
        ("wrong/csv_named.json", csv_bytes(GOOD), "CSV renamed .json"),
        ("wrong/pdf_named.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF"),
        ("wrong/html_named.csv", b"<html><body><table></table></body></html>", "an HTML page"),
        ("wrong/binary_named.csv", bytes(range(256)) * 4, "binary data"),
        ("wrong/xls_named.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "an old .xls"),
        ("wrong/xlsx_named.json", good_xlsx, "a workbook saved as .json"),
    ]:
        fixture(name, data, mismatch, raises=True, about=about)
    fixture(
        "wrong/old_excel.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        [("unsupported_format", None, "")],
        raises=True,
        about="an extension casestats does not read",
    )


def add_xlsx():
    import datetime as dt

    fixture("xlsx/good.xlsx", xlsx_bytes(GOOD), about="baseline workbook with Sources sheet")
    rows = [GOOD[0][:2] + [dt.datetime(2019, 3, 12)] + GOOD[0][3:], GOOD[1]]
    fixture(
        "xlsx/date_cell.xlsx",
        xlsx_bytes(rows),
        [("date_cell", 2, "age_years"), ("not_a_number", 2, "age_years")],
        raises=True,
        about="Excel turned an age into a date",
    )
    rows = [GOOD[0][:2] + [43891] + GOOD[0][3:], GOOD[1]]
    fixture(
        "xlsx/date_serial.xlsx",
        xlsx_bytes(rows),
        [("age_out_of_range", 2, "age_years")],
        raises=True,
        about="a date serial number where the age should be",
    )
    rows = [GOOD[0][:2] + ["=B2*2"] + GOOD[0][3:], GOOD[1]]
    fixture(
        "xlsx/formula.xlsx",
        xlsx_bytes(rows),
        [("formula", 2, "age_years"), ("not_a_number", 2, "age_years")],
        raises=True,
        about="a formula instead of a value",
    )
    rows = [GOOD[0][:2] + [54.0] + GOOD[0][3:], GOOD[1][:2] + ["61"] + GOOD[1][3:]]
    fixture(
        "xlsx/numbers_and_text_numbers.xlsx",
        xlsx_bytes(rows),
        about="an age as a number and one stored as text",
    )
    rows = [GOOD[0][:3] + [True] + GOOD[0][4:], GOOD[1]]
    fixture(
        "xlsx/boolean_cell.xlsx",
        xlsx_bytes(rows),
        [("unknown_term", 2, "sex")],
        raises=True,
        about="TRUE in the sex column",
    )

    def error_cell(book):
        cell = book["Cases"]["H2"]
        cell.value = "#DIV/0!"
        cell.data_type = "e"

    fixture(
        "xlsx/excel_error.xlsx",
        xlsx_bytes(GOOD, build=error_cell),
        [("excel_error", 2, "notes")],
        about="an Excel error value",
    )

    def merge_header(book):
        sheet = book["Cases"]
        sheet.insert_rows(1)
        sheet["A1"] = "Patient"
        sheet["C1"] = "Demographics"
        sheet.merge_cells("A1:B1")
        sheet.merge_cells("C1:H1")

    fixture(
        "xlsx/merged_header.xlsx",
        xlsx_bytes(GOOD, build=merge_header),
        [("missing_column", None, "case_id"), ("blank_header", 1, "")],
        raises=True,
        exact=False,
        about="merged group headers above the real header",
    )

    def readme_first(book):
        readme = book.create_sheet("Readme", 0)
        readme["A1"] = "how to fill the Cases sheet"

    fixture(
        "xlsx/cases_not_first_sheet.xlsx",
        xlsx_bytes(GOOD, build=readme_first),
        about="Cases sheet found by name",
    )
    fixture(
        "xlsx/other_sheet_name.xlsx",
        xlsx_bytes(GOOD, title="Sheet 1", sources=False),
        [NO_SOURCES],
        about="no Cases sheet: the first one is read",
    )
    fixture(
        "xlsx/header_only.xlsx",
        xlsx_bytes([]),
        [("no_rows", None, "")],
        raises=True,
        about="header, no cases",
    )
    fixture(
        "xlsx/empty_sheet.xlsx",
        xlsx_bytes([], header=None, sources=False),
        [("empty_file", None, "")],
        raises=True,
        about="a workbook with an empty sheet",
    )
    rows = [GOOD[0][:3] + ["female\u00a0", " limited "] + GOOD[0][5:], GOOD[1]]
    fixture(
        "xlsx/nbsp_and_spaces.xlsx",
        xlsx_bytes(rows),
        [("normalised", 2, "sex"), ("normalised", 2, "ssc_subset")],
        about="non-breaking and trailing spaces",
    )
    fixture(
        "xlsx/duplicate_case_ids.xlsx",
        xlsx_bytes([GOOD[0], GOOD[1], GOOD[0]]),
        [("duplicate_case_id", 4, "case_id")],
        raises=True,
        about="the same case twice",
    )
    # openpyxl cuts longer strings on writing, so the cell is put into the XML directly
    fixture(
        "xlsx/huge_cell.xlsx",
        replace_member(
            xlsx_bytes(GOOD),
            "xl/worksheets/sheet1.xml",
            lambda body: body.replace(b"<t>ok</t>", b"<t>" + b"x" * 40_000 + b"</t>"),
        ),
        [("cell_too_long", 2, "notes")],
        raises=True,
        about="a cell longer than Excel allows",
    )
    fixture(
        "xlsx/lying_dimension.xlsx",
        replace_member(
            xlsx_bytes(GOOD),
            "xl/worksheets/sheet1.xml",
            # lxml writes "<dimension .../>", the standard library "<dimension ... />"
            lambda body: re.sub(
                rb'<dimension ref="A1:H3"\s*/>', b'<dimension ref="A1:XFD1048576" />', body
            ),
        ),
        about="the sheet claims the full grid; the real cells are read",
    )
    fixture(
        "xlsx/escaped_formula_text.xlsx",
        xlsx_bytes(with_row(notes="'=SUM(A1)", case_id="'+44")),
        about="text escaped by write_cases is unescaped",
    )
    add_hostile_xlsx()


def _bomb() -> bytes:
    """A workbook-shaped zip whose one sheet inflates 1000-fold to 50 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", EPOCH), b"<Types/>")
        z.writestr(zipfile.ZipInfo("xl/workbook.xml", EPOCH), b"<workbook/>")
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w") as member:
            chunk = b" " * 1_000_000
            for _ in range(50):
                member.write(chunk)
    return out.getvalue()


def _without_declaration(xml: bytes) -> bytes:
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def add_hostile_xlsx():
    fixture(
        "hostile/zip_bomb.xlsx",
        _bomb(),
        [("zip_bomb", None, "")],
        raises=True,
        about="50 kB that inflate to 50 MB: refused before parsing",
    )
    only_zip = io.BytesIO()
    with zipfile.ZipFile(only_zip, "w") as z:
        z.writestr(zipfile.ZipInfo("readme.txt", EPOCH), b"not a workbook")
    fixture(
        "hostile/plain_zip.xlsx",
        only_zip.getvalue(),
        [("format_mismatch", None, "")],
        raises=True,
        about="a zip archive that is no workbook",
    )
    good = xlsx_bytes(GOOD)
    fixture(
        "hostile/truncated.xlsx",
        good[: len(good) // 2],
        [("unreadable_xlsx", None, "")],
        raises=True,
        about="a download cut in half",
    )
    entity = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    )
    fixture(
        "hostile/external_entity.xlsx",
        replace_member(
            good,
            "xl/worksheets/sheet1.xml",
            lambda body: entity + _without_declaration(body).replace(b"<t>ok</t>", b"<t>&xxe;</t>"),
        ),
        [("unreadable_xlsx", None, "")],
        raises=True,
        about="XML external entity: defusedxml refuses it",
    )
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
    )
    fixture(
        "hostile/billion_laughs.xlsx",
        replace_member(
            good,
            "xl/sharedStrings.xml" if b"sharedStrings" in good else "xl/worksheets/sheet1.xml",
            lambda body: laughs + _without_declaration(body).replace(b"<t>ok</t>", b"<t>&c;</t>"),
        ),
        [("unreadable_xlsx", None, "")],
        raises=True,
        about="entity expansion bomb",
    )


def add_json():
    fixture("json/good.json", json_bytes(records()), about="baseline JSON with sources")
    fixture(
        "json/bare_list.json",
        json.dumps(records()).encode(),
        [NO_SOURCES],
        about="a bare list of records",
    )
    fixture(
        "json/bom.json",
        b"\xef\xbb\xbf" + json_bytes(records()),
        about="UTF-8 BOM before JSON",
    )
    good = json_bytes(records()).decode()
    fixture(
        "json/nan.json",
        good.replace('"age_years": "54"', '"age_years": NaN').encode(),
        [("json_constant", 1, "age_years"), ("not_a_number", 1, "age_years")],
        raises=True,
        about="NaN is not JSON (nor an age)",
    )
    fixture(
        "json/infinity.json",
        good.replace('"age_years": "61"', '"age_years": -Infinity').encode(),
        [("json_constant", 2, "age_years"), ("not_a_number", 2, "age_years")],
        raises=True,
        about="-Infinity is not JSON",
    )
    fixture(
        "json/duplicate_keys.json",
        good.replace('"sex": "female"', '"sex": "female", "sex": "male"').encode(),
        [("duplicate_key", 1, "sex")],
        raises=True,
        about="a key twice in one record",
    )
    fixture(
        "json/duplicate_top_key.json",
        good.replace('{\n "cases"', '{\n "sources": [],\n "cases"', 1).encode(),
        [("duplicate_key", None, "sources"), NO_SOURCES],
        raises=True,
        about="the sources key twice: the first (empty) one is kept",
    )
    fixture(
        "json/nested_object.json",
        good.replace('"sex": "female"', '"sex": {"value": "female"}').encode(),
        [("nested_value", 1, "sex"), ("unknown_term", 1, "sex")],
        raises=True,
        about="an object where a value belongs",
    )
    fixture(
        "json/nested_list.json",
        good.replace('"sites": "elbow (bilateral)"', '"sites": ["elbow", "knee"]').encode(),
        [("nested_value", 2, "sites"), ("unknown_term", 2, "sites")],
        raises=True,
        about="a list where a semicolon list belongs",
    )
    fixture(
        "json/numbers_literal.json",
        good.replace('"age_years": "54"', '"age_years": 54.50').encode(),
        about="a number keeps its literal text 54.50",
    )
    fixture(
        "json/huge_number.json",
        good.replace('"age_years": "54"', '"age_years": 1e400').encode(),
        [("not_a_number", 1, "age_years")],
        raises=True,
        about="a number beyond float range",
    )
    fixture(
        "json/booleans_and_nulls.json",
        good.replace('"sex": "female"', '"sex": true')
        .replace('"notes": "ok"', '"notes": null')
        .encode(),
        [("unknown_term", 1, "sex")],
        raises=True,
        about="true in the sex field, null notes",
    )
    fixture(
        "json/invalid_syntax.json",
        good[:-10].encode(),
        [("invalid_json", 27, "")],
        raises=True,
        about="cut short: located at the line of the unterminated string",
    )
    fixture(
        "json/trailing_comma.json",
        b'[{"case_id": "c1", "source_id": "s1",}]',
        [("invalid_json", 1, "")],
        raises=True,
        about="trailing comma",
    )
    fixture(
        "json/deep_nesting.json",
        b"[" * 100_000 + b"]" * 100_000,
        [("invalid_json", None, "")],
        raises=True,
        about="nesting deeper than any parser should follow",
    )
    fixture(
        "json/no_cases_key.json",
        b'{"patients": []}',
        [("json_structure", None, "")],
        raises=True,
        about="an object without a cases list",
    )
    fixture(
        "json/extra_top_key.json",
        good.replace('{\n "cases"', '{\n "comment": "x",\n "cases"', 1).encode(),
        [("json_structure", None, "comment")],
        raises=True,
        about="a top-level key that would be lost",
    )
    fixture(
        "json/record_not_object.json",
        json.dumps([records()[0], "c2"]).encode(),
        [NO_SOURCES, ("json_structure", 2, "")],
        raises=True,
        about="a string where a record belongs",
    )
    fixture(
        "json/cp1252.json",
        json_bytes(records(with_row(notes="Sjögren")))
        .decode()
        .replace("\\u00f6", "ö")
        .encode("cp1252"),
        [("undecodable", None, "")],
        raises=True,
        about="JSON must be UTF-8",
    )
    fixture(
        "json/scalar_document.json",
        b"42",
        [("format_mismatch", None, "")],
        raises=True,
        about="a number, not a table",
    )
    fixture(
        "json/empty_list.json",
        b"[]",
        [("empty_file", None, "")],
        raises=True,
        about="no records, so no columns either",
    )
    fixture(
        "json/huge_cell.json",
        json_bytes(records(with_row(notes="x" * 40_000))),
        [("cell_too_long", 1, "notes")],
        raises=True,
        about="a cell longer than Excel allows",
    )
    fixture(
        "json/ragged_records.json",
        json_bytes([records()[0], {"case_id": "c2", "source_id": "s1", "extra": "x"}]),
        about="records with different keys: missing cells are empty",
    )


def build() -> list[dict]:
    FIXTURES.clear()
    add_csv()
    add_mismatches()
    add_xlsx()
    add_json()
    return FIXTURES


def main() -> None:
    fixtures = build()
    expected = {}
    for item in fixtures:
        path = FILES / item["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item["data"])
        if "problems" not in item:  # a sidecar, not a fixture
            continue
        raises = item["raises"]
        if raises is None:
            raises = False
        expected[item["file"]] = {
            "about": item["about"],
            "problems": [
                {"code": code, "row": row, "column": column}
                for code, row, column in item["problems"]
            ],
            "raises": raises,
            "exact": item["exact"],
        }
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(expected)} fixtures written to {FILES}")


if __name__ == "__main__":
    main()
