"""Benchmarks of casestats: start-up, the main job, scale to 10^6 patients, Monte Carlo tests.

Run from the repository root with the project's environment::

    python benchmarks/run.py            # every table, 3 repeats of each scale step
    python benchmarks/run.py --quick    # one repeat of the scale steps (about 2 minutes)

Each figure is the median over repeats, with the spread (min-max) beside
it. Every timed thing runs in a fresh subprocess, so imports, caches and peak
memory of one measurement never leak into the next. The targets come from
issue 8 and are printed next to the numbers; nothing here asserts them (the
test suite never times anything).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

# The 2 x 5 table of the Monte Carlo benchmark: patients with calcinosis at
# five sites, limited vs diffuse SSc (small counts, where Monte Carlo is used).
MC_TABLE = [[12, 5, 9, 3, 7], [4, 8, 2, 6, 1]]
# Scale steps, in the order the worker runs them.
STEPS = ("import casestats + pandas", "read_parquet", "read_csv", "validate",
         "import analyses (scipy)", "subtype_frequency", "disease_association",
         "site_distribution")  # fmt: skip
# The steps the 10^6 target covers (read is either CSV or Parquet).
TARGET_STEPS = ("validate", "subtype_frequency", "site_distribution", "disease_association")


# ---------------------------------------------------------------------------
# Small helpers


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command in the repository root and fail loudly if it fails."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise SystemExit(f"command failed: {' '.join(args)}\n{done.stdout}\n{done.stderr}")
    return done


def spread(values: list[float], fmt: str = "{:.3f}") -> tuple[str, str]:
    """Median and min-max of repeated measurements, as text."""
    if len(values) == 1:
        return fmt.format(values[0]), "(1 run)"
    return fmt.format(statistics.median(values)), (
        f"{fmt.format(min(values))}-{fmt.format(max(values))}"
    )


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    """Print a plain-text table (also valid Markdown, to paste into the README)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n### {title}\n")
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    sys.stdout.flush()


def machine() -> str:
    """CPU model, cores, memory, Python and library versions of this machine."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    ) if Path("/proc/cpuinfo").exists() else platform.processor()  # fmt: skip
    memory = ""
    if Path("/proc/meminfo").exists():
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.1f} GiB RAM"
    versions = run(
        [
            PYTHON,
            "-c",
            "import numpy, pandas, scipy; "
            "print(numpy.__version__, pandas.__version__, scipy.__version__)",
        ]  # fmt: skip
    ).stdout.split()
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, numpy {versions[0]}, pandas {versions[1]}, "
        f"scipy {versions[2]}"
    )


# ---------------------------------------------------------------------------
# (1) import time


def bench_import(repeats: int) -> None:
    """Import time of casestats and of pandas, each in fresh interpreters."""
    code = "import time; t = time.perf_counter(); import {}; print(time.perf_counter() - t)"
    # casestats imports its modules lazily; the last row is the cost of first use.
    imports = {
        "pandas": "pandas",
        "casestats": "casestats",
        "casestats; casestats.read_cases": "casestats; casestats.read_cases",
    }
    times = {name: [] for name in imports}
    for _ in range(repeats):
        for name, what in imports.items():  # interleaved: drift in machine load hits all
            times[name].append(float(run([PYTHON, "-c", code.format(what)]).stdout))
    ratio = statistics.median(times["casestats"]) / statistics.median(times["pandas"])
    rows = [[name, *spread([t * 1000 for t in v], "{:.0f}")] for name, v in times.items()]
    rows.append(["ratio casestats / pandas", f"{ratio:.2f}x", "target <= 1.2x"])
    table(f"Import time, ms ({repeats} fresh processes each)", ["import", "median", "spread"], rows)


# ---------------------------------------------------------------------------
# (2) the main job


def bench_main_job(repeats: int) -> None:
    """Wall time of ``analyses/run_all.py`` in a subprocess, and its own split if it prints one."""
    times, output = [], ""
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            output = run([PYTHON, "analyses/run_all.py", "--out", out]).stdout
            times.append(time.perf_counter() - start)
    median, rng = spread(times, "{:.2f}")
    rows = [["analyses/run_all.py (wall, incl. interpreter start)", median, rng, "< 10 s"]]
    # run_all prints its split as "<part>: <seconds> s" lines once it has one.
    for line in output.splitlines():
        part, _, rest = line.strip().partition(":")
        if rest.strip().endswith(" s") and part.lower().strip() in (
            "imports", "analysis", "figures", "writing", "report", "total"
        ):  # fmt: skip
            rows.append([f"  {part.strip()} (last run)", rest.strip()[:-2], "", ""])
    table(f"Main job, s ({repeats} runs)", ["job", "median", "spread", "target"], rows)


# ---------------------------------------------------------------------------
# (3) scale


def write_data(n: int, folder: Path) -> None:
    """Write the synthetic series of `n` patients as CSV (+ sources) and Parquet (not timed)."""
    run([PYTHON, __file__, "--write", str(n), str(folder)])


def _write_worker(n: int, folder: Path) -> None:
    from casestats.synthetic import simulate_cases, simulate_sources

    frame = simulate_cases(n, seed=n)
    sources = simulate_sources(frame)
    frame.to_csv(folder / "cases.csv", index=False)
    sources.to_csv(folder / "cases.sources.csv", index=False)
    frame.to_parquet(folder / "cases.parquet", index=False)


def _scale_worker(folder: Path) -> None:
    """Time every scale step once, in this fresh process; print one JSON line per step.

    A line per step, flushed, so that a step cut off by the time limit still
    leaves the steps before it measured.
    """
    import resource

    start = time.perf_counter()
    import pandas as pd

    import casestats
    from casestats.caseseries import CaseSeries
    from casestats.io import read_raw
    from casestats.validation import check_table

    def report(step, seconds):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
        print(json.dumps({"step": step, "seconds": seconds, "peak_bytes": peak}), flush=True)

    def timed(step, fn, *args, **kwargs):
        begin = time.perf_counter()
        result = fn(*args, **kwargs)
        report(step, time.perf_counter() - begin)
        return result

    report("import casestats + pandas", time.perf_counter() - start)
    sources = pd.read_csv(folder / "cases.sources.csv", dtype=str, keep_default_na=False)
    raw = timed("read_parquet", read_parquet_raw, folder / "cases.parquet", sources)
    del raw  # only one raw table alive at a time: the peak is that of one path
    raw = timed("read_csv", read_raw, folder / "cases.csv")
    report_, canonical = timed("validate", check_table, raw)
    if not report_.ok:
        raise SystemExit(str(report_))
    cases = CaseSeries(canonical, sources=raw.sources, report=report_)
    del raw, canonical
    # scipy and the statistics modules load on first use: a cost paid once per process.
    timed("import analyses (scipy)", importlib.import_module, "casestats.analysis")
    timed("subtype_frequency", casestats.subtype_frequency, cases)
    timed("disease_association", casestats.disease_association, cases, outcome="finger")
    timed("site_distribution", casestats.site_distribution, cases, by="ssc_subset", rank="region")


def read_parquet_raw(path: Path, sources):
    """The Parquet raw table, through ``read_raw`` once it knows Parquet."""
    import dataclasses

    from casestats.io import FORMATS, read_raw

    if ".parquet" in FORMATS:
        return read_raw(path, sources=sources)
    from casestats.io._parquet import read_parquet

    return dataclasses.replace(read_parquet(path, str(path)), sources=sources)


def scale_run(folder: Path, limit: float) -> dict:
    """One fresh worker process: seconds per step, peak RSS, and the step cut off, if any."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    args = [PYTHON, __file__, "--worker", str(folder)]
    cut = None
    try:
        out = subprocess.run(
            args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=limit, check=True
        ).stdout
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    times = {line["step"]: line["seconds"] for line in lines}
    if len(times) < len(STEPS):
        cut = STEPS[len(times)]
    return {"times": times, "peak_bytes": max(line["peak_bytes"] for line in lines), "cut": cut}


def bench_scale(sizes: list[int], repeats: int, limit: float) -> None:
    """Each step at each size: wall time, peak memory, and the 10^5 -> 10^6 growth."""
    results: dict[int, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp) / str(n)
            folder.mkdir()
            write_data(n, folder)
            megabytes = {p.suffix: p.stat().st_size / 1e6 for p in folder.glob("cases.*")}
            print(
                f"  {n:>9,} patients: CSV {megabytes['.csv']:.0f} MB, "
                f"Parquet {megabytes['.parquet']:.0f} MB",
                file=sys.stderr,
            )
            results[n] = [scale_run(folder, limit) for _ in range(repeats)]
            shutil.rmtree(folder)

    def step_cell(runs, step):
        done = [r["times"][step] for r in runs if step in r["times"]]
        if any(r["cut"] == step for r in runs):
            return f"> {limit:.0f} (cut off)"
        return _cell(done) if done else "not reached"

    def totals(runs, read):
        steps = (read, *TARGET_STEPS)
        return [
            sum(r["times"][s] for s in steps) for r in runs if all(s in r["times"] for s in steps)
        ]

    header = ["step", *(f"n = {n:,}" for n in sizes)]
    rows = [[step, *(step_cell(results[n], step) for n in sizes)] for step in STEPS]
    for read in ("read_csv", "read_parquet"):
        label = f"total via {read[5:]} (read + validate + 3 analyses)"
        rows.append([label, *(_cell(totals(results[n], read)) for n in sizes)])
    peaks = [_cell([r["peak_bytes"] / 1e6 for r in results[n]], "{:.0f}") for n in sizes]
    rows.append(["peak RSS, MB", *peaks])
    table(f"Scale: wall s, median (min-max) of {repeats} fresh processes", header, rows)

    if 10**5 in results and 10**6 in results:
        big, small = results[10**6], results[10**5]
        rows = []
        for read in ("read_csv", "read_parquet"):
            if not totals(big, read) or not totals(small, read):
                rows.append([f"total via {read[5:]}", "not measured (a step was cut off)", ""])
                continue
            median = statistics.median(totals(big, read))
            ratio = median / statistics.median(totals(small, read))
            rows.append([f"total via {read[5:]}", f"{median:.2f} s", f"{ratio:.1f}x"])
        peak = statistics.median(r["peak_bytes"] for r in big) / 1e9
        rows.append(["peak RSS at 10^6", f"{peak:.2f} GB", ""])
        table(
            "Scale targets at 10^6 patients (< 15 s, < 3 GB, 10^5 -> 10^6 ratio <= 12x)",
            ["what", "at 10^6", "ratio to 10^5"],
            rows,
        )


def _cell(values: list[float], fmt: str = "{:.2f}") -> str:
    if not values:
        return "not measured"
    median, rng = spread(values, fmt)
    return median if len(values) == 1 else f"{median} ({rng})"


# ---------------------------------------------------------------------------
# (4) Monte Carlo test


def bench_monte_carlo(repeats: int) -> None:
    """contingency_test(method="monte-carlo", 10^5 resamples) and R's fisher.test on one table."""
    code = (
        "import time, json; from casestats import contingency_test; "
        f"t = time.perf_counter(); r = contingency_test({MC_TABLE}, method='monte-carlo', "
        "n_resamples=100_000); print(json.dumps([time.perf_counter() - t, r.pvalue]))"
    )
    python = [json.loads(run([PYTHON, "-c", code]).stdout) for _ in range(repeats)]
    rows = [["casestats contingency_test", *spread([t for t, _ in python]),
             f"{python[0][1]:.4f}"]]  # fmt: skip
    if shutil.which("Rscript"):
        flat = ", ".join(str(v) for col in zip(*MC_TABLE, strict=True) for v in col)
        r_code = (
            f"m <- matrix(c({flat}), nrow = 2); set.seed(1); "
            "t <- system.time(p <- fisher.test(m, simulate.p.value = TRUE, B = 1e5)$p.value); "
            "cat(t[['elapsed']], p, '\\n')"
        )
        r_runs = [run(["Rscript", "-e", r_code]).stdout.split() for _ in range(repeats)]
        r_times = [float(t) for t, _ in r_runs]
        r_label = "R fisher.test(simulate.p.value=TRUE, B=1e5)"
        rows.append([r_label, *spread(r_times), f"{float(r_runs[0][1]):.4f}"])
        exact = run(["Rscript", "-e", f"cat(fisher.test(matrix(c({flat}), nrow = 2))$p.value)"])
        rows.append(["R fisher.test (exact, for reference)", "", "", f"{float(exact.stdout):.4f}"])
    else:
        rows.append(["R fisher.test", "Rscript not found", "", ""])
    table(
        f"Monte Carlo R x C test on {MC_TABLE}, 10^5 resamples, s ({repeats} runs; target < 2 s)",
        ["implementation", "median", "spread", "p-value"],
        rows,
    )


# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat of the scale steps")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10**4, 10**5, 10**6], help="patients per scale run"
    )
    parser.add_argument(
        "--limit", type=float, default=300, help="seconds before a scale run is cut off"
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _scale_worker(args.worker)
        return 0
    if args.write:
        _write_worker(int(args.write[0]), Path(args.write[1]))
        return 0

    print(f"casestats benchmarks, {time.strftime('%Y-%m-%d %H:%M')}\nmachine: {machine()}")
    bench_import(repeats=7 if args.quick else 15)
    bench_main_job(repeats=1 if args.quick else 3)
    bench_scale(args.sizes, repeats=1 if args.quick else 3, limit=args.limit)
    bench_monte_carlo(repeats=3 if args.quick else 5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
