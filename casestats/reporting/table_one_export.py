"""Table 1 as a reader sees it: the display table, its footnotes, HTML and Word."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from casestats.reporting.table_one import TableOne

INDENT = "    "  # a level row sits under its characteristic

_SHORT = {
    "chi2": "chi-square",
    "fisher": "Fisher",
    "monte-carlo": "Fisher (Monte Carlo)",
    "wilcoxon": "Wilcoxon rank-sum",
    "kruskal": "Kruskal-Wallis",
}


# the display's short form of each caution (keyed by its first words); footnotes explain
_CAUTIONS = {
    "a group has ": "not tested: small group",
    "fewer than t": "not tested: one group",
    "every patien": "not tested: no variation",
    "every value ": "not tested: no variation",
}


def _p(p) -> str:
    if p is None or pd.isna(p):
        return ""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _test_cells(part: pd.DataFrame) -> tuple[str, str]:
    first = part.iloc[0]
    if pd.notna(first["pvalue"]):
        return _p(first["pvalue"]), _SHORT.get(first["test"], str(first["test"]))
    note = first["note"]
    if isinstance(note, str) and note.startswith("not tested"):
        return "–", _CAUTIONS.get(note.split(": ", 1)[1][:12], "not tested")
    return "", ""


def display_table(table: TableOne) -> pd.DataFrame:
    """One text column per group; characteristics above their indented levels."""
    frame = table.rows
    names = [f"{name} (N = {n})" for name, n in table.groups]
    group_names = [name for name, _ in table.groups]
    tested = (
        frame["pvalue"].notna().any()
        or frame["note"].astype(str).str.startswith("not tested").any()
    )
    out = []

    def line(text, values, p="", test=""):
        row = {"Characteristic": text, **dict(zip(names, values, strict=True))}
        if tested:
            row.update({"p": p, "test": test})
        out.append(row)

    for _, rows in frame.groupby("variable", sort=False):
        label, kind = rows["label"].iloc[0], rows["kind"].iloc[0]
        levels = list(dict.fromkeys(rows["level"]))
        # split by level once, not once per level (it was most of the time of Table 1's display)
        parts = dict(tuple(rows.groupby("level", sort=False)))

        def cells(level, parts=parts):
            part = parts[level]
            value = dict(zip(part["group"], part["value"], strict=True))
            return [value[g] for g in group_names], part

        if kind == "number":
            values, part = cells(levels[0])
            line(f"{label}, {part['level_label'].iloc[0]}", values, *_test_cells(part))
            levels = levels[1:]
        elif kind == "category":
            first = rows[rows["level"] != "not_reported"]
            line(label, [""] * len(names), *(_test_cells(first) if len(first) else ("", "")))
        else:
            line(label, [""] * len(names))
        for level in levels:
            values, part = cells(level)
            p, test = ("", "") if kind in ("number", "category") else _test_cells(part)
            if level == "not_reported":
                p, test = "", ""
            line(INDENT + part["level_label"].iloc[0], values, p, test)
    return pd.DataFrame(out)


def footnotes(frame: pd.DataFrame, cases, by: str | None, tests: bool, top) -> tuple[str, ...]:
    """Denominators, summaries, tests and cautions, as printed under the table."""
    kinds = set(frame["kind"])
    notes = [
        "N: patients in the column. n (%): patients, over the patients whose source reported "
        "the field; patients whose source did not report it are counted in the "
        "'not reported' row and are left out of every percentage."
    ]
    if "number" in kinds:
        text = "Numbers: median (interquartile range, linear interpolation) or mean (SD)."
        if "age_years" in set(frame["variable"]) and (cases.data["age_years"] == "90+").any():
            text += " Ages written 90+ count as 90."
        notes.append(text)
    if "multi" in kinds:
        labels = sorted(set(frame.loc[frame["kind"] == "multi", "label"]))
        notes.append(
            f"{', '.join(labels)}: a patient can have several, so each row counts the patients "
            "with that term and the shares do not sum to 100%. Lesion sites are counted at the "
            "region rank; a site stated only coarsely (e.g. 'upper limb') stays as stated."
            if "sites" in set(frame["variable"])
            else f"{', '.join(labels)}: a patient can have several, so each row counts the "
            "patients with that term and the shares do not sum to 100%."
        )
    if (frame["level"] == "other").any():
        notes.append(
            f"other (k terms, n patients): the patients with any of the k less frequent terms "
            f"not listed (top = {top})."
        )
    if "antibody" in kinds:
        notes.append("Autoantibodies: patients positive over the patients tested for each one.")
    if by is not None:
        unreported = int((~cases.reported(by)).sum())
        if unreported:
            notes.append(
                f"{unreported} patient{'s' * (unreported != 1)} whose source did not report "
                f"{by} {'are' if unreported != 1 else 'is'} in the Overall column only."
            )
    if tests:
        notes += _test_notes(frame)
    return tuple(notes)


def _test_notes(frame: pd.DataFrame) -> list[str]:
    from casestats.reporting.table_one import MIN_GROUP_SIZE, TEST_NAMES

    used = [t for t in TEST_NAMES if (frame["test"] == t).any()]
    notes = []
    if used:
        notes.append(
            "p: " + "; ".join(TEST_NAMES[t] for t in used) + ". Categories: chi-square when every "
            "expected count is at least 5, else Fisher's exact test; numbers: Wilcoxon rank-sum "
            "for two groups, Kruskal-Wallis for more. 'Not reported' is left out of the tests, "
            "and the p-values are not adjusted for multiple comparisons."
        )
    if frame["note"].astype(str).str.startswith("not tested").any():
        notes.append(
            f"Not tested where a group has fewer than {MIN_GROUP_SIZE} patients reporting the "
            "field: a p-value from so few patients would look more meaningful than it is."
        )
    return notes


_CSS = """
table.table-one { border-collapse: collapse; font-size: .9em; margin: .5em 0 1em;
  border-top: 2px solid #222; border-bottom: 2px solid #222; }
table.table-one caption { caption-side: top; text-align: left; font-weight: bold;
  padding-bottom: .3em; }
table.table-one th { border-bottom: 1px solid #222; font-weight: bold; text-align: center;
  padding: .25em .7em; background: none; }
table.table-one td { padding: .15em .7em; text-align: center; border: none; }
table.table-one td:first-child, table.table-one th:first-child { text-align: left; }
table.table-one td.level { padding-left: 1.8em; }
table.table-one tfoot td { text-align: left; font-size: .85em; color: #333;
  border-top: 1px solid #222; }
"""


def _header_lines(name) -> list[str]:
    """"dystrophic" over "(N = 26)", so a narrow column never breaks inside either."""
    label, _, count = str(name).partition(" (N = ")
    return [label, f"(N = {count}"] if count else [label]


def html_table(table: TableOne, caption: str = "Table 1. Patient characteristics") -> str:
    """A styled ``<table>`` with caption and footnotes (a fragment, style included)."""
    shown = table.to_table()
    head = "".join(
        "<th>" + "<br>".join(html.escape(part) for part in _header_lines(c)) + "</th>"
        for c in shown.columns
    )
    body = []
    for row in shown.itertuples(index=False):
        first = str(row[0])
        css = ' class="level"' if first.startswith(INDENT) else ""
        cells = [f"<td{css}>{html.escape(first.strip())}</td>"]
        cells += [f"<td>{html.escape(str(v))}</td>" for v in row[1:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    notes = "<br>".join(
        f"{i}. {html.escape(note)}" for i, note in enumerate(table.footnotes, start=1)
    )
    return (
        f"<style>{_CSS}</style>\n"
        f'<table class="table-one">\n<caption>{html.escape(caption)}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n"
        f'<tfoot><tr><td colspan="{len(shown.columns)}">{notes}</td></tr></tfoot>\n</table>\n'
    )


def write_docx(table: TableOne, path, caption: str = "Table 1. Patient characteristics") -> None:
    """A Word document holding the table, its caption and its footnotes.

    Laid out as journals print tables: 8 pt text, single spacing, rules above and
    below the header and at the foot only, the header repeated on every page, a
    wide first column and landscape pages when there are more than five columns.
    """
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    shown = table.to_table()
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(8)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    section = document.sections[0]
    if len(shown.columns) > 5:  # wide tables read better on a landscape page
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    heading = document.add_paragraph()
    heading.paragraph_format.space_after = Pt(4)
    heading.add_run(caption).bold = True

    grid = document.add_table(rows=1, cols=len(shown.columns))
    grid.autofit = False
    for cell, name in zip(grid.rows[0].cells, shown.columns, strict=True):
        for i, line in enumerate(_header_lines(name)):
            run = cell.paragraphs[0].add_run(line)
            run.bold = True
            if i == 0 and line != name:
                run.add_break()
    for row in shown.itertuples(index=False):
        cells = grid.add_row().cells
        first = str(row[0])
        cells[0].text = first.strip()
        if first.startswith(INDENT):
            cells[0].paragraphs[0].paragraph_format.left_indent = Pt(9)
        for cell, value in zip(cells[1:], row[1:], strict=True):
            cell.text = str(value).replace("< ", "<\u00a0")  # "< 0.001" stays on one line
    widths = _column_widths(list(shown.columns), section)
    for column, width in zip(grid.columns, widths, strict=True):  # LibreOffice reads the grid
        column.width = width
    for row in grid.rows:
        for j, (cell, width) in enumerate(zip(row.cells, widths, strict=True)):
            cell.width = width  # Word reads the cells
            if j:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _three_rules(grid)
    for i, note in enumerate(table.footnotes, start=1):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(2 if i == 1 else 0)
        paragraph.add_run(f"{i}. {note}").font.size = Pt(7)
    document.save(str(path))


def _column_widths(columns: list[str], section) -> list[int]:
    """A wide first column, a narrow p column, room for a test's name; groups share the rest."""
    usable = section.page_width - section.left_margin - section.right_margin
    fixed = {"p": 0.06, "test": 0.16}
    first = 0.23
    share = (1 - first - sum(fixed[c] for c in columns if c in fixed)) / sum(
        c not in fixed for c in columns[1:]
    )
    return [int(usable * (first if j == 0 else fixed.get(c, share))) for j, c in enumerate(columns)]


def _three_rules(grid) -> None:
    """Rules above and below the header and under the last row, narrow padding, header repeats."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def rule(cell, edge):
        borders = cell._tc.get_or_add_tcPr().first_child_found_in("w:tcBorders")
        if borders is None:
            borders = OxmlElement("w:tcBorders")
            cell._tc.get_or_add_tcPr().append(borders)
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "6")
        line.set(qn("w:color"), "000000")
        borders.append(line)

    margins = OxmlElement("w:tblCellMar")  # narrow cell padding: more room for the text
    for edge in ("left", "right"):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), "57")  # twentieths of a point: 0.1 cm
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    grid._tbl.tblPr.append(margins)
    header = grid.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell in header.cells:
        rule(cell, "top")
        rule(cell, "bottom")
    for cell in grid.rows[-1].cells:
        rule(cell, "bottom")
