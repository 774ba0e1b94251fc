"""Rendering the report's blocks as self-contained HTML, as Markdown and as plain text."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from casestats.reporting._blocks import _Figure, _Paragraph, _Section, _Table, _TableOneBlock

__all__ = ["markdown_table", "text_table"]


def _source_links(row) -> list[tuple[str, str]]:
    links = []
    doi, pmid, url = (str(row.get(k, "") or "").strip() for k in ("doi", "pmid", "url"))
    if doi:
        links.append((f"doi:{doi}", f"https://doi.org/{doi}"))
    if pmid:
        links.append((f"PMID {pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
    if url and not doi:
        links.append(("link", url))
    return links


def _citation(row) -> str:
    citation = str(row.get("citation", "") or "").strip()
    if citation:
        return citation
    parts = [row.get(k, "") for k in ("first_author", "year", "title", "journal")]
    return ". ".join(str(p) for p in parts if p) or str(row["source_id"])


_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 60em;
  margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; border-bottom: 2px solid #336; padding-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 2em; color: #336; }
table { border-collapse: collapse; margin: .5em 0 1.5em; font-size: .9em; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: .3em; }
th, td { padding: .2em .6em; border-bottom: 1px solid #ddd; text-align: left;
  vertical-align: top; }
th { background: #eef1f6; }
figure { margin: 1em 0 2em; }
figure img { width: 40em; max-width: 100%; height: auto; }
figcaption { font-size: .9em; color: #444; }
.caveat { background: #fff6e0; border-left: 4px solid #e0a000; padding: .5em 1em; }
nav ol { columns: 2; }
.scroll { overflow-x: auto; max-width: 100%; }
p, li { overflow-wrap: anywhere; }
"""


def _html_block(block, out: Path) -> str:
    if isinstance(block, _Paragraph):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, _Table):
        body = block.frame.to_html(index=False, escape=True, border=0, na_rep="")
        caption = f"<caption>{html.escape(block.caption)}</caption>"
        body = body.replace("<thead>", caption + "\n  <thead>", 1)
        return f'<div class="scroll">{body}</div>'
    if isinstance(block, _TableOneBlock):
        return f'<div class="scroll">{block.table.to_html(caption=block.caption)}</div>'
    if isinstance(block, _Figure):
        svg = (out / "figures" / f"{block.name}.svg").read_bytes()
        data = base64.b64encode(svg).decode("ascii")
        caption = html.escape(block.caption)
        return (
            f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{caption}">'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    items = []
    for _, row in block.frame.iterrows():
        links = " ".join(
            f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
            for text, href in _source_links(row)
        )
        items.append(f"<li>{html.escape(_citation(row))} {links}</li>")
    return "<ol>\n" + "\n".join(items) + "\n</ol>"


def markdown_table(frame: pd.DataFrame, *, digits: int = 3) -> str:
    """A DataFrame as a plain Markdown table, numbers rounded for reading.

    Parameters
    ----------
    frame : pandas.DataFrame
    digits : int
        Significant digits of floats; missing values are empty cells.

    Returns
    -------
    str

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"level": ["elbow"], "estimate": [0.123456]})))
    | level | estimate |
    |---|---|
    | elbow | 0.123 |
    """

    def cell(value) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if isinstance(value, float):
            return f"{value:.{digits}g}"
        return str(value).replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _md_block(block) -> str:
    if isinstance(block, _Paragraph):
        return block.text
    if isinstance(block, _Table):
        return f"*{block.caption}*\n\n" + markdown_table(block.frame)
    if isinstance(block, _Figure):
        return f"![{block.caption}](figures/{block.name}.png)"
    if isinstance(block, _TableOneBlock):
        return f"*{block.caption}*\n\n" + block.table.to_markdown().rstrip()
    lines = []
    for i, (_, row) in enumerate(block.frame.iterrows(), start=1):
        links = " ".join(f"[{text}]({href})" for text, href in _source_links(row))
        lines.append(f"{i}. {_citation(row)} {links}".rstrip())
    return "\n".join(lines)


def _slug(title: str) -> str:
    return "-".join(title.lower().split())


def _render_html(title: str, sections: list[_Section], out: Path) -> str:
    nav = "\n".join(
        f'<li><a href="#{_slug(s.title)}">{html.escape(s.title)}</a></li>' for s in sections
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<nav><ol>\n{nav}\n</ol></nav>",
    ]
    for section in sections:
        parts.append(f'<section id="{_slug(section.title)}">')
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        css = ' class="caveat"' if section.title == "Caveat" else ""
        for block in section.blocks:
            rendered = _html_block(block, out)
            if css and isinstance(block, _Paragraph):
                rendered = rendered.replace("<p>", f"<p{css}>", 1)
            parts.append(rendered)
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _render_markdown(title: str, sections: list[_Section]) -> str:
    parts = [f"# {title}"]
    for section in sections:
        parts.append(f"## {section.title}")
        parts += [_md_block(block) for block in section.blocks]
    return "\n\n".join(parts) + "\n"


def text_table(frame: pd.DataFrame) -> str:
    """A DataFrame of text as aligned plain text for a terminal: first column left, rest right.

    Examples
    --------
    >>> print(text_table(pd.DataFrame({"Characteristic": ["Sex", "    female"], "N": ["", "3"]})))
    Characteristic  N
    -----------------
    Sex
        female      3
    """
    rows = [list(map(str, frame.columns))]
    rows += [["" if pd.isna(v) else str(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        rest = [v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True)]
        cells = [row[0].ljust(widths[0]), *rest]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)
