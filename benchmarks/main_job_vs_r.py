"""The main job against the same analysis written in plain R: whole-process wall time.

Run from the repository root with the project's environment::

    python benchmarks/main_job_vs_r.py                      # 5 alternating runs of each
    python benchmarks/main_job_vs_r.py --repeats 3 --r-script ../shared/bench/main_job.R

The Python side is the README's main job without its set-up step
(``python analyses/run_all.py --out DIR``); the R side is
``Rscript main_job.R PROJECT_DIR DIR``, the yardstick kept beside the project.
The two run back to back, alternating, each in a fresh process and a fresh
output folder, and the script prints both medians and their ratio: shared
machines are noisy, so quote the ratio rather than the seconds. It also prints
the CPU seconds (user + system) of each run, which another user's load
disturbs less than the wall time, and the load average before and after. Where
``Rscript`` or the R script is missing, the R side is skipped with a message.

As written, the yardstick stops on the bundled data since version 3.0.0 (220
patients): R's ``fisher.test`` on the limb-by-subtype tables runs out of its
default network-algorithm workspace ("FEXACT error 7"). The benchmark runs a
copy of the script in its temporary folder with ``workspace = 2e7`` given to
that one call, says so in its output, and changes nothing else: the R job then
computes the same exact p-values as casestats, and does all of its work.

The Python job draws its figures in forked processes, one per core at a time
(``run_all.py --processes``); the R script runs on one core. Whole-process wall
time is the measure, so that parallelism counts, and is fair: the CPU column
(the job and every process it waited for) shows the work it cost.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the yardstick lives in shared/bench beside the checkout (or beside its worktrees folder)
DEFAULT_R_SCRIPT = next(
    (p / "shared" / "bench" / "main_job.R" for p in ROOT.parents
     if (p / "shared" / "bench" / "main_job.R").is_file()),
    ROOT.parent / "shared" / "bench" / "main_job.R",
)  # fmt: skip


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wall_time(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one command, start to exit; a failure stops the benchmark."""
    cpu, began = _cpu_of_children(), time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode:
        tail = f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        raise SystemExit(f"failed: {' '.join(command)}\n{tail}")
    return seconds, _cpu_of_children() - cpu


#: (what the yardstick says, what the benchmark runs instead): see the module docstring
R_FIXES = (("fisher.test(tab)$p.value", "fisher.test(tab, workspace = 2e7)$p.value"),)


def runnable_r_script(script: Path, folder: Path) -> Path:
    """The yardstick, or a copy in `folder` with :data:`R_FIXES` applied (and printed)."""
    text = script.read_text(encoding="utf-8")
    fixes = [(old, new) for old, new in R_FIXES if old in text]
    if not fixes:
        return script
    for old, new in fixes:
        text = text.replace(old, new)
        print(f"R yardstick: running `{new}` where it says `{old}` (FEXACT workspace)")
    copy = folder / script.name
    copy.write_text(text, encoding="utf-8")
    return copy


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def outputs(folder: Path) -> str:
    """What a run wrote, as 'N tables, N figures, N other files'."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    tables = sum(p.suffix in {".csv", ".md"} and "tables" in p.parts for p in files)
    figures = sum(p.suffix in {".png", ".svg"} and "figures" in p.parts for p in files)
    return f"{tables} tables, {figures} figures, {len(files) - tables - figures} other files"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each side (default 5)")
    parser.add_argument("--r-script", type=Path, default=DEFAULT_R_SCRIPT, help="the R yardstick")
    args = parser.parse_args(argv)

    rscript = shutil.which("Rscript")
    has_r = rscript is not None and args.r_script.is_file()
    if not has_r:
        missing = "Rscript is not installed" if rscript is None else f"{args.r_script} not found"
        print(f"R side skipped: {missing}. Only the Python main job is timed.")

    times: dict[str, list[float]] = {"python": [], "R": []}
    cpu: dict[str, list[float]] = {"python": [], "R": []}
    written: dict[str, str] = {}
    load_before = _load()
    commands = {"python": [sys.executable, "analyses/run_all.py", "--out"]}
    with tempfile.TemporaryDirectory() as tmp:
        if has_r:
            commands["R"] = [rscript, str(runnable_r_script(args.r_script, Path(tmp))), str(ROOT)]
        for i in range(args.repeats):
            for side, command in commands.items():
                out = Path(tmp) / f"{side}{i}"
                wall, used = wall_time([*command, str(out)])
                times[side].append(wall)
                cpu[side].append(used)
                written[side] = outputs(out)

    print(f"\n{args.repeats} alternating runs each, whole-process time (s); "
          f"load average (1, 5, 15 min) {load_before} before, {_load()} after, "
          f"{os.cpu_count()} CPUs\n")  # fmt: skip
    print("| side | wall median | wall min-max | CPU median | outputs |")
    print("|---|---|---|---|---|")
    for side in commands:
        values = times[side]
        print(
            f"| {side} | {statistics.median(values):.2f} | {min(values):.2f}-"
            f"{max(values):.2f} | {statistics.median(cpu[side]):.2f} | {written[side]} |"
        )
    if has_r:
        for what, numbers in (("wall", times), ("CPU", cpu)):
            ratio = statistics.median(numbers["python"]) / statistics.median(numbers["R"])
            print(f"\nratio python / R, {what} medians: {ratio:.2f} (target <= 1.0 for wall)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
