"""Score casestats.extract on a folder of case-report texts against hand-written records.

Usage::

    python benchmarks/extract_eval.py TEXT_DIR EXPECTED.csv [--quiet]

``TEXT_DIR`` holds one text per publication, named ``<source_id>.txt``.
``EXPECTED.csv`` is in the case schema (``cases.csv`` of a dataset will do)
with a ``source_id`` column and one row per patient; a source may have
several. Rows whose text is not in ``TEXT_DIR`` are skipped and counted. The
older layout of ``tests/extract_texts/expected.csv`` (a ``text`` column and a
``case`` number) works too.

Each expected patient is matched to one draft of its text: by the ``case``
number when there is one, otherwise by age and sex (same age +2, same sex
+1), ties broken by order. A draft no expected patient matches is an extra
patient: everything it filled counts against precision.

Only the extracted schema fields present in ``EXPECTED.csv`` are scored.
List fields (conditions, sites, treatments, autoantibodies) are scored per
item, the others per cell. For each field:

* precision: correct values / values the extractor filled;
* recall: correct values / values the curator filled;
* agreement: cells (both empty counts) identical to the curator's.

Every disagreement is listed with the extractor's evidence, then a summary
of the error kinds: ``invented`` (the curator left the cell empty),
``missed`` (the extractor left it empty), ``wrong`` (both filled, no item in
common), ``partial`` (a list with some items right), ``extra patient`` and
``patient count``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

from casestats.extraction import extract
from casestats.extraction._result import FIELDS

LISTS = {"conditions", "sites", "treatments", "autoantibodies"}
_MISSING = {"", "nr", "na", "n/a", "not reported", "unknown"}


def _items(field: str, cell) -> set[str]:
    cell = str(cell or "").strip()
    if cell.casefold() in _MISSING:
        return set()
    if field in LISTS:
        return {part.strip() for part in cell.split(";") if part.strip()}
    try:
        return {f"{float(cell):g}"}
    except ValueError:
        return {cell}


def _read_expected(expected_csv: Path) -> tuple[str, dict[str, list[dict]]]:
    with open(expected_csv, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"{expected_csv}: no rows")
    key = next((k for k in ("source_id", "text") if k in rows[0]), None)
    if key is None:
        raise SystemExit(f"{expected_csv}: needs a 'source_id' (or 'text') column")
    by_text = defaultdict(list)
    for row in rows:
        by_text[row[key]].append(row)
    return key, by_text


def _closeness(row: dict, record: dict) -> int:
    score = 0
    if _items("age_years", row.get("age_years")) & _items("age_years", record.get("age_years")):
        score += 2
    if row.get("sex") and row.get("sex") == record.get("sex"):
        score += 1
    return score


def match(rows: list[dict], drafts: list) -> list[tuple[dict, object]]:
    """Pair each expected row with a draft (or None): case number, else age/sex, else order."""
    records = [d.record() for d in drafts]
    if all(row.get("case") for row in rows):
        by_number = dict(enumerate(drafts, start=1))
        return [(row, by_number.get(int(row["case"]))) for row in rows]
    pairs = sorted(
        ((-_closeness(row, rec), abs(i - j), i, j)
         for i, row in enumerate(rows) for j, rec in enumerate(records)),
    )  # fmt: skip
    chosen, used_rows, used_drafts = {}, set(), set()
    for _, _, i, j in pairs:
        if i not in used_rows and j not in used_drafts:
            chosen[i] = j
            used_rows.add(i)
            used_drafts.add(j)
    return [(row, drafts[chosen[i]] if i in chosen else None) for i, row in enumerate(rows)]


def _kind(field: str, want: set, got: set) -> str:
    if not want:
        return "invented"
    if not got:
        return "missed"
    return "partial" if want & got else "wrong"


def score(text_dir: Path, expected_csv: Path):
    """(per-field counts, disagreements, skipped sources) over the texts in `text_dir`."""
    key, by_text = _read_expected(expected_csv)
    first = next(iter(by_text.values()))[0]
    fields = [name for name in FIELDS if name in first]
    counts = {name: Counter() for name in fields}
    disagreements, skipped = [], []
    for name, rows in sorted(by_text.items()):
        path = text_dir / f"{name}.txt"
        if not path.exists():
            skipped.append(name)
            continue
        drafts = list(extract(path.read_text(encoding="utf-8"), source_id=name).drafts)
        if len(drafts) != len(rows):
            disagreements.append(
                (name, "-", "patients", str(len(rows)), str(len(drafts)), "", "patient count")
            )
        pairs = match(rows, drafts)
        matched = {id(d) for _, d in pairs if d is not None}
        pairs += [({}, d) for d in drafts if id(d) not in matched]
        for row, draft in pairs:
            got_row = draft.record() if draft else {}
            label = row.get("case_id") or row.get("case") or (draft.case_id if draft else "?")
            for field in fields:
                want, got = _items(field, row.get(field)), _items(field, got_row.get(field))
                c = counts[field]
                c["tp"] += len(want & got)
                c["fp"] += len(got - want)
                c["fn"] += len(want - got)
                c["cells"] += 1
                c["agree"] += want == got
                if want != got:
                    quotes = (
                        [e.quote[:80] for e in draft.evidence if e.field == field] if draft else []
                    )
                    kind = "extra patient" if not row else _kind(field, want, got)
                    shown = ("; ".join(sorted(want)), "; ".join(sorted(got)))
                    disagreements.append(
                        (name, str(label), field, *shown, " | ".join(quotes[:2]), kind)
                    )
    return counts, disagreements, skipped


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def _table(counts: dict) -> list[str]:
    lines = [f"{'field':<18}{'precision':>10}{'recall':>8}{'agreement':>10}"
             f"{'tp':>5}{'fp':>5}{'fn':>5}"]  # fmt: skip
    total = Counter()
    for field, c in [*counts.items(), ("ALL", None)]:
        if c is None:
            c = total
        else:
            total.update(c)
        lines.append(f"{field:<18}{_ratio(c['tp'], c['tp'] + c['fp']):>10}"
                     f"{_ratio(c['tp'], c['tp'] + c['fn']):>8}{_ratio(c['agree'], c['cells']):>10}"
                     f"{c['tp']:>5}{c['fp']:>5}{c['fn']:>5}")  # fmt: skip
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("text_dir", type=Path)
    parser.add_argument("expected", type=Path)
    parser.add_argument("--quiet", action="store_true", help="no list of disagreements")
    args = parser.parse_args(argv)
    if not args.text_dir.is_dir():
        parser.error(f"{args.text_dir}: no such folder")
    counts, disagreements, skipped = score(args.text_dir, args.expected)
    n_cells = next(iter(counts.values()))["cells"] if counts else 0
    print(f"{n_cells} patients scored (expected or extra)\n")
    print("\n".join(_table(counts)))
    if skipped:
        print(f"\n{len(skipped)} sources in {args.expected.name} have no text in the folder "
              "(skipped)")  # fmt: skip
    if not args.quiet:
        print(f"\n{len(disagreements)} disagreements "
              "(source, case, field, expected, extracted, evidence, kind):")  # fmt: skip
        for item in disagreements:
            print("  " + " | ".join(item))
    print("\nerror kinds:")
    kinds = Counter(d[-1] for d in disagreements)
    for kind, n in kinds.most_common():
        fields = Counter(d[2] for d in disagreements if d[-1] == kind).most_common(4)
        print(f"  {kind:<14}{n:>4}  ({', '.join(f'{f} {k}' for f, k in fields)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
