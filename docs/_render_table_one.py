"""Redraw the two pictures of Table 1 that the docs show (run by hand, not by the build).

The docs build stays offline and needs neither a browser nor an office suite, so the
pictures are committed. Run this after a change to Table 1's layout or to the bundled
data, and look at both files before committing them::

    python docs/_render_table_one.py

It needs Chromium (``/usr/bin/chromium``) for the HTML rendering, and LibreOffice
(``soffice``) with poppler's ``pdftoppm`` for the first page of the Word file, which is
how a co-author opening ``table1.docx`` sees it.
"""

from __future__ import annotations

import subprocess
import tempfile
import warnings
from pathlib import Path

import casestats

STATIC = Path(__file__).resolve().parent / "_static"
CHROMIUM = (
    "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--hide-scrollbars", "--window-size=1400,1500",
)


def main() -> None:
    cases = casestats.load_dataset("calcinosis_case_reports")
    with warnings.catch_warnings():  # small groups: the table says so in its footnotes
        warnings.simplefilter("ignore", casestats.SmallSampleWarning)
        table = casestats.table_one(cases, by="subtype", tests=True, top=6)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        page = work / "table1.html"
        page.write_text(
            '<html><body style="font-family: sans-serif; margin: 12px">'
            f"{table.to_html()}</body></html>",
            encoding="utf-8",
        )
        subprocess.run(
            [*CHROMIUM, f"--user-data-dir={work / 'profile'}",
             f"--screenshot={STATIC / 'table-one.png'}", page.as_uri()],
            check=True, capture_output=True,
        )
        table.save(work / "table1.docx")
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work),
             str(work / "table1.docx")],
            check=True, capture_output=True,
        )
        subprocess.run(
            ["pdftoppm", "-png", "-r", "130", "-f", "1", "-l", "1", "-singlefile",
             str(work / "table1.pdf"), str(STATIC / "table-one-docx")],
            check=True, capture_output=True,
        )


if __name__ == "__main__":
    main()
