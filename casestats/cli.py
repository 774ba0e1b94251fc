"""The ``casestats`` command: from a spreadsheet to a report without writing Python.

::

    casestats template --out cases.xlsx     # an empty workbook with drop-down lists
    casestats validate cases.xlsx           # every problem, located; exit 1 on errors
    casestats summary cases.xlsx            # Table 1 in the terminal
    casestats report cases.xlsx --out rep   # rep/report.html, tables and figures
    casestats datasets                      # the bundled datasets and their citations
    casestats check cases.xlsx              # is it safe to publish?
    casestats export cases.xlsx --phenopackets --out packets/   # GA4GH Phenopackets v2

A ``FILE|DATASET`` argument names a bundled dataset (``casestats datasets``)
or a file. Exit status: 0 success, 1 the input has errors (or is not
publishable), 2 the command could not run (missing file, unreadable input,
bad option): one readable line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
from pathlib import Path

__all__ = ["main"]

#: Cohorts used with the bundled case dataset when ``--cohorts`` is not given.
_DEFAULT_COHORTS = {"calcinosis_case_reports": "ssc_calcinosis_cohorts"}


class _Failure(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def _bundled() -> list[str]:
    from casestats.datasets import list_datasets

    return list_datasets()["name"].tolist()


def _load_cases(argument: str, sources: str | None = None):
    """A bundled case dataset or a case file, validated."""
    from casestats.datasets import dataset_metadata, load_dataset
    from casestats.exceptions import CaseSeriesValidationError
    from casestats.io import read_cases

    if argument in _bundled():
        if dataset_metadata(argument).get("kind") != "cases":
            raise _Failure(f"{argument} is a dataset of published counts, not of cases")
        return load_dataset(argument)
    path = _existing(argument)
    if sources is not None:
        _existing(sources, datasets=False)  # as validate says it: no such file
    try:
        return read_cases(path, sources=sources)
    except CaseSeriesValidationError as err:
        report = err.report
    if report.source != str(path):
        # the sources file (given, or <stem>.sources.csv) could not be read: name it
        first = report.problems.iloc[0]
        why = f"{first['code']}: expected {first['expected']}" + (
            f"; {first['hint']}" if first["hint"] else ""
        )
        raise _Failure(f"cannot read the sources table {report.source} ({why})")
    errors = report.count("error")
    again = shlex.join(["casestats", "validate", argument] + ["--sources", sources] * bool(sources))
    plural = "s" * (errors != 1)
    raise _Failure(f"{argument} has {errors} error{plural}; to list them, run: {again}")


def _load_cohorts(argument: str):
    from casestats.datasets import load_dataset

    if argument in _bundled():
        return load_dataset(argument)
    import pandas as pd

    path = _existing(argument)
    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (ValueError, UnicodeDecodeError) as err:
        raise _Failure(f"cannot read cohorts from {argument}: {err}") from None


def _existing(argument: str, *, datasets: bool = True) -> Path:
    path = Path(argument)
    if path.is_file():
        return path
    if "\0" not in argument and path.exists():
        from casestats.io._table import file_kind

        raise _Failure(f"{argument} is {file_kind(path.stat().st_mode)}, not a regular file")
    if not datasets:
        raise _Failure(f"no such file: {argument}")
    known = ", ".join(_bundled())
    raise _Failure(f"no such file or bundled dataset: {argument} (bundled: {known})")


def _progress(step: int, n_steps: int, label: str) -> None:
    width = 20
    done = round(width * step / n_steps)
    bar = "#" * done + "." * (width - done)
    print(f"[{step}/{n_steps}] {bar} {label}", file=sys.stderr, flush=True)


# -- commands -----------------------------------------------------------------


def _validate(args) -> int:
    from casestats.io import validate

    path = _existing(args.file, datasets=False)
    if args.sources is not None:
        _existing(args.sources, datasets=False)
    report = validate(path, sources=args.sources)
    print(report)
    return 0 if report.ok else 1


def _summary(args) -> int:
    from casestats.reporting.table_one import table_one

    cases = _load_cases(args.cases, args.sources)
    try:
        table = table_one(cases, by=args.by, tests=args.by is not None)
        if args.out:
            table.save(args.out)
    except ValueError as err:
        raise _Failure(str(err)) from None
    if args.out:
        print(args.out)
        return 0
    title = cases.metadata.get("title") or args.cases
    print(f"{title}: {len(cases)} patients\n")
    print(table.summary())
    print(f"\nCaveat: {cases.caveat}")
    return 0


def _report(args) -> int:
    import matplotlib

    # the report is written to files: never open a window
    matplotlib.use("Agg")
    from casestats.reporting import report

    out = Path(args.out)
    _clear_report_folder(out, force=args.force)
    cases = _load_cases(args.cases, args.sources)
    cohorts_name = args.cohorts or _DEFAULT_COHORTS.get(args.cases)
    cohorts = _load_cohorts(cohorts_name) if cohorts_name else None
    path = report(
        cases, cohorts=cohorts, out=args.out, site_rank=args.site_level, progress=_progress
    )
    print(path)
    return 0


# what report() writes into its folder; --force removes these and nothing else
_REPORT_FILES = ("report.html", "report.md")
_REPORT_FOLDERS = ("tables", "figures")


def _clear_report_folder(out: Path, *, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise _Failure(f"--out {out} is a file, not a folder")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not force:
        raise _Failure(
            f"the folder {out} is not empty: a new report would mix with the old files; "
            "give an empty or new folder, or --force to replace the report in it"
        )
    for name in _REPORT_FILES:
        (out / name).unlink(missing_ok=True)
    for name in _REPORT_FOLDERS:
        if (out / name).is_dir():
            shutil.rmtree(out / name)


def _datasets(args) -> int:
    from casestats.datasets import dataset_metadata, list_datasets

    for row in list_datasets().itertuples(index=False):
        meta = dataset_metadata(row.name)
        print(f"{row.name}  ({row.kind}, {row.n_rows} rows)")
        print(f"  {row.title}")
        if meta.get("citation"):
            print(f"  cite: {meta['citation']}")
        print()
    return 0


def _template(args) -> int:
    from casestats.io._template import write_cohort_template, write_template

    out = Path(args.out or ("cohorts.xlsx" if args.cohorts else "cases.xlsx"))
    if out.suffix.lower() != ".xlsx":
        raise _Failure(f"the template is an Excel workbook: give a .xlsx name, not {out.name}")
    if not out.parent.is_dir():
        raise _Failure(f"no such folder: {out.parent}")
    if out.exists() and not args.force:
        raise _Failure(f"{out} exists: give a new name, or --force to overwrite it")
    print((write_cohort_template if args.cohorts else write_template)(out))
    return 0


def _vocabulary(args) -> int:
    from casestats.schema import load_schema

    schema = load_schema()
    if args.field is None:
        for name, field in schema.fields.items():
            if field.vocabulary:
                print(f"{name}: {', '.join(schema.terms(field.vocabulary))}")
        return 0
    try:
        table = schema.vocabulary(args.field)
    except ValueError as err:
        raise _Failure(str(err)) from None
    for row in table.itertuples(index=False):
        synonyms = f"  (also: {row.synonyms})" if row.synonyms else ""
        print(f"{row.term}{synonyms}")
    return 0


def _extract(args) -> int:
    from casestats.extraction import extract

    text, out = Path(args.file), Path(args.out)
    if not text.is_file():
        raise _Failure(f"no such file: {text}")
    if out.suffix.lower() != ".xlsx" or not out.parent.is_dir():
        raise _Failure(f"give a .xlsx name in an existing folder for --out, not {out}")
    source = text.read_text(encoding="utf-8", errors="replace")
    result = extract(source, source_id=args.source_id or text.stem)
    print(result)
    print(result.write(out))
    return 0


def _check(args) -> int:
    try:
        from casestats.privacy import check_publishable
    except ModuleNotFoundError:
        raise _Failure("this version of casestats has no privacy check") from None

    result = check_publishable(_load_cases(args.cases, args.sources))
    print(result)
    return 0 if result.ok else 1


def _export(args) -> int:
    from casestats.io import write_phenopackets

    cases = _load_cases(args.cases, args.sources)
    try:
        path = write_phenopackets(cases, args.out, force=args.force)
    except (ImportError, FileExistsError, FileNotFoundError) as err:
        raise _Failure(str(err).replace("force=True", "--force")) from None
    print(path)
    return 0


# -- parser -------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casestats",
        description="Statistics of calcinosis cutis case series: validate, summarise, report.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    cases_help = "a case file (.csv, .xlsx, .json) or a bundled dataset name"
    sources_help = "the sources table (default: the Sources sheet or <stem>.sources.csv)"

    sub = commands.add_parser(
        "validate", help="list every problem in a case file", description=_validate_text()
    )
    sub.add_argument("file", help="a case file (.csv, .xlsx, .json)")
    sub.add_argument("--sources", help=sources_help)
    sub.set_defaults(run=_validate)

    sub = commands.add_parser(
        "summary", help="print Table 1", description="Print Table 1 (patients) as plain text."
    )
    sub.add_argument("cases", metavar="FILE|DATASET", help=cases_help)
    sub.add_argument("--sources", help=sources_help)
    sub.add_argument("--by", help="a single-valued field whose values become columns, with tests")
    sub.add_argument("--out", help="write the table to a file (.docx .html .md .csv .xlsx)")
    sub.set_defaults(run=_summary)

    sub = commands.add_parser(
        "report",
        help="write the HTML and Markdown report",
        description="Run every analysis and write report.html, report.md, tables/ and figures/.",
    )
    sub.add_argument("cases", metavar="FILE|DATASET", help=cases_help)
    sub.add_argument("--sources", help=sources_help)
    sub.add_argument(
        "--cohorts",
        metavar="DATASET_OR_CSV",
        help="published cohort rows for the limited vs diffuse SSc synthesis "
        "(default with the bundled case dataset: ssc_calcinosis_cohorts)",
    )
    sub.add_argument("--out", default="report", help="output folder (default: report)")
    sub.add_argument(
        "--force", action="store_true", help="replace the report in a non-empty --out folder"
    )
    sub.add_argument(
        "--site-level",
        choices=("site", "region", "limb"),
        default="region",
        help="anatomical level of the site tables (default: region)",
    )
    sub.set_defaults(run=_report)

    sub = commands.add_parser(
        "datasets", help="list the bundled datasets", description="List bundled datasets."
    )
    sub.set_defaults(run=_datasets)

    sub = commands.add_parser(
        "template",
        help="write an empty case spreadsheet",
        description="Write an empty .xlsx with the schema headers, a data dictionary and "
        "drop-down lists for the controlled vocabularies.",
    )
    sub.add_argument("--out", help="file to write (default: cases.xlsx, or cohorts.xlsx)")
    sub.add_argument(
        "--cohorts", action="store_true", help="the spreadsheet of study-level cohort counts"
    )
    sub.add_argument("--force", action="store_true", help="overwrite an existing file")
    sub.set_defaults(run=_template)

    sub = commands.add_parser(
        "extract",
        help="draft case records from a case report's text",
        description="Draft one case record per patient from a plain-text case report, with an "
        "Evidence sheet quoting the source for every cell; check it, then run validate.",
    )
    sub.add_argument("file", help="the case report as plain text (.txt, .md)")
    sub.add_argument("--out", default="draft.xlsx", help="workbook to write (default: draft.xlsx)")
    sub.add_argument("--source-id", help="source_id of the publication (default: the file name)")
    sub.set_defaults(run=_extract)

    sub = commands.add_parser(
        "vocabulary",
        help="print the terms a field accepts",
        description="Print the terms of a field's controlled vocabulary with their synonyms; "
        "without FIELD, every controlled field and its terms.",
    )
    sub.add_argument("field", nargs="?", metavar="FIELD", help="a field such as sites or sex")
    sub.set_defaults(run=_vocabulary)

    sub = commands.add_parser(
        "check",
        help="check that a case series is safe to publish",
        description="Check a case series for identifying details before publication.",
    )
    sub.add_argument("cases", metavar="FILE|DATASET", help=cases_help)
    sub.add_argument("--sources", help=sources_help)
    sub.set_defaults(run=_check)

    sub = commands.add_parser(
        "export",
        help="write GA4GH Phenopackets v2 JSON",
        description="Write one phenopacket per patient: a folder gets <case_id>.json files, "
        "a .json name one Cohort file. Needs pip install casestats[phenopackets].",
    )
    sub.add_argument("cases", metavar="FILE|DATASET", help=cases_help)
    sub.add_argument("--sources", help=sources_help)
    sub.add_argument("--phenopackets", action="store_true", required=True, help="the format")
    sub.add_argument("--out", default="phenopackets", help="folder or .json file to write")
    sub.add_argument("--force", action="store_true", help="replace files that exist")
    sub.set_defaults(run=_export)
    return parser


def _validate_text() -> str:
    return (
        "Check a case file in one pass and print every problem with its row, cell and a hint. "
        "Exit status 1 when there are errors, 0 otherwise (warnings and notes allowed)."
    )


def main(argv: list[str] | None = None) -> int:
    """Run the ``casestats`` command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 1 the input has errors, 2 the command could
        not run.

    Examples
    --------
    >>> main(["validate", "no-such-file.csv"])
    2
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except _Failure as err:
        print(f"casestats {args.command}: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (`casestats summary ... | head`): stop quietly, as Unix tools
        # do; what is still buffered goes to /dev/null so the exit flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (OSError, ValueError) as err:
        # an unwritable folder, a dataset that is not what the command expects...
        print(f"casestats {args.command}: {type(err).__name__}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
