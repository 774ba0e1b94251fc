"""Time and memory of casestats.validate on full-size hostile inputs (issue 19).

Run from the repository root with the project's environment::

    python benchmarks/hostile_limits.py            # every input
    python benchmarks/hostile_limits.py csv_commas  # the inputs whose name contains this

Each input is built in a temporary folder (some are tens of megabytes, so they are not in
tests/corpus/), then read by ``casestats.validate`` in a fresh subprocess cut off after
60 s; the table gives the wall time, the peak RSS (``getrusage``) and the first problem.
The target is 5 s and 500 MB per input. The test suite checks that each limit is applied
before the work (tests/test_hostile_limits.py) but never times anything.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = b"case_id,source_id,sex\n"

WORKER = """
import resource, sys, time
import casestats
start = time.perf_counter()
report = casestats.validate(sys.argv[1])
elapsed = time.perf_counter() - start
first = report.items[0] if report.items else None
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{elapsed:.2f}\\t{peak:.0f}\\t{len(report.items)}\\t"
      f"{first.code if first else ''}: {(first.expected if first else '')[:50]}")
"""


def _sparse_xlsx() -> bytes:
    """A few kilobytes: A1, XFD2 and A1048576 (a dense read pads 17 billion cells)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>case_id</t></is></c></row>'
        '<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>y</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return _workbook({"xl/worksheets/sheet1.xml": sheet})


def _workbook(parts: dict[str, str]) -> bytes:
    from openpyxl import Workbook

    book, buffer = Workbook(), io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, parts.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def _null_parquet(path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"case_id": pa.nulls(30_000_000, pa.string())}), path)


INPUTS = {
    "csv_commas_50MB_header.csv": lambda: b"," * 50_000_000 + b"\n",
    "csv_commas_50MB_row2.csv": lambda: HEADER + b"," * 50_000_000 + b"\n",
    "csv_blank_lines_10MB_middle.csv": lambda: HEADER + b"\n" * 10_000_000 + b"1,s1,F\n",
    "csv_blank_lines_10MB_end.csv": lambda: HEADER + b"1,s1,F\n" + b"\n" * 10_000_000,
    "csv_crlf_blank_lines_10MB.csv": lambda: HEADER + b"\r\n" * 5_000_000 + b"1,s1,F\r\n",
    "csv_one_row_too_many.csv": lambda: HEADER + b"1,s1,F\n" * 1_048_576,
    "csv_quoted_blank_flood.csv": lambda: HEADER + b'"a\nb",s1,F\n' + b"\n" * 10_000_000,
    "json_empty_objects_10MB.json": lambda: b"[" + b"{}," * 3_333_333 + b"{}]",
    "json_deep_1000.json": lambda: b"[" * 1000 + b"]" * 1000,
    "json_deep_record.json": lambda: b'[{"case_id": ' + b"[" * 980 + b"]" * 980 + b"}]",
    "xlsx_sparse_A1_XFD2_A1048576.xlsx": _sparse_xlsx,
    "parquet_30M_null_rows.parquet": None,  # written by _null_parquet
    "csv_16384_columns.csv": lambda: (
        b",".join(b"c%d" % i for i in range(16_384)) + b"\n" + b"x," * 16_383 + b"x\n"
    ),
}


def main(argv: list[str]) -> int:
    wanted = argv[1] if len(argv) > 1 else ""
    print("| input | size | time (s) | peak RSS (MB) | problems | first problem |")
    print("|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, build in INPUTS.items():
            if wanted not in name:
                continue
            path = Path(folder) / name
            if build is None:
                _null_parquet(path)
            else:
                path.write_bytes(build())
            size = f"{path.stat().st_size / 1e6:.2f} MB"
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            start = time.perf_counter()
            try:
                done = subprocess.run(
                    [sys.executable, "-c", WORKER, str(path)],
                    capture_output=True, text=True, timeout=60, env=env,
                )  # fmt: skip
            except subprocess.TimeoutExpired:
                print(f"| {name} | {size} | > 60 (cut off) | | | |")
                continue
            if done.returncode:
                tail = done.stderr.strip().splitlines()[-1:] or ["?"]
                print(f"| {name} | {size} | {time.perf_counter() - start:.1f} | | | {tail[0]} |")
                continue
            elapsed, peak, count, first = done.stdout.strip().split("\t")
            print(f"| {name} | {size} | {elapsed} | {peak} | {count} | {first} |")
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
