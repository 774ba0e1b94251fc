"""The casestats command line, run as a user would (a subprocess), and the template."""

import shlex
import subprocess
import sys

import openpyxl
import pytest

import casestats
from casestats.io._template import DROPDOWN_ROWS, write_template

COMMANDS = ["validate", "summary", "report", "datasets", "template", "check"]


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "casestats.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture()
def bad_csv(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,source_id,age_years,sex\n1,x,~87,F\n2,x,,bogus\n", encoding="utf-8")
    (tmp_path / "cases.sources.csv").write_text("source_id\nx\n", encoding="utf-8")
    return path


@pytest.fixture()
def filled(tmp_path):
    """The template with two cases typed in, as a user would in Excel."""
    path = write_template(tmp_path / "template.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    headers = [cell.value for cell in sheet[1]]
    rows = [
        {"case_id": "p1", "source_id": "doe2020", "age_years": 54, "sex": "female",
         "subtype": "dystrophic", "sites": "elbow (left); knee", "ssc_subset": "limited"},
        {"case_id": "p2", "source_id": "doe2020", "age_years": "90+", "sex": "male",
         "subtype": "idiopathic", "sites": "hand"},
    ]  # fmt: skip
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    book["Sources"].append(
        ["doe2020", "case_report", "Doe J", 2020, "A case", "J Cases", "10.1000/x"]
    )
    out = tmp_path / "filled.xlsx"
    book.save(out)
    return out


@pytest.mark.parametrize("command", COMMANDS)
def test_help_on_each_command(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert f"usage: casestats {command}" in result.stdout


def test_datasets_lists_names_and_citations():
    result = run("datasets")
    assert result.returncode == 0
    for name in casestats.list_datasets()["name"]:
        assert name in result.stdout
    assert "cite:" in result.stdout


def test_summary_of_bundled_dataset():
    result = run("summary", "calcinosis_case_reports")
    assert result.returncode == 0, result.stderr
    assert "116 (58%)" in result.stdout  # female / sex reported (116 of 200), dataset 3.0.0
    assert "Caveat:" in result.stdout


def test_summary_of_own_patients_prints_no_published_literature_caveat(tmp_path):
    path = tmp_path / "clinic.csv"
    path.write_text("case_id,source_id,sex\nc1,clinic,F\nc2,clinic,M\n", encoding="utf-8")
    (tmp_path / "clinic.sources.csv").write_text(
        "source_id,kind\nclinic,own_patients\n", encoding="utf-8"
    )
    result = run("summary", path)
    assert result.returncode == 0, result.stderr
    from casestats.sources import OWN_PATIENTS_CAVEAT

    assert f"Caveat: {OWN_PATIENTS_CAVEAT}" in result.stdout
    assert "published literature" not in result.stdout


def test_summary_by_field_writes_docx(tmp_path):
    import docx

    out = tmp_path / "table1.docx"
    result = run("summary", "calcinosis_case_reports", "--by", "subtype", "--out", str(out))
    assert result.returncode == 0, result.stderr
    header = [c.text.replace("\n", " ") for c in docx.Document(str(out)).tables[0].rows[0].cells]
    assert header[:2] == ["Characteristic", "Overall (N = 220)"] and header[-2:] == ["p", "test"]
    bad = run("summary", "calcinosis_case_reports", "--by", "sites")
    assert bad.returncode == 2 and "single-valued" in bad.stderr


def test_validate_bad_csv_lists_located_problems(bad_csv):
    result = run("validate", bad_csv)
    assert result.returncode == 1
    assert "2 errors" in result.stdout
    assert "C2, column 'age_years'" in result.stdout
    assert "D3, column 'sex'" in result.stdout


def test_validate_good_file_exits_zero(filled):
    result = run("validate", filled)
    assert result.returncode == 0, result.stdout
    assert "0 errors" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "no-such-file.csv"),
        ("summary", "no-such-file.csv"),
        ("report", "no-such-file.csv", "--out", "x"),
        ("summary", "ssc_calcinosis_cohorts"),  # counts, not cases
        ("template", "--out", "no/such/folder/cases.xlsx"),
        ("template", "--out", "cases.csv"),
    ],
)
def test_unusable_input_is_one_line_and_exit_2(args, tmp_path):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"casestats {args[0]}: ")


def test_summary_of_file_with_errors_exits_2(bad_csv):
    result = run("summary", bad_csv)
    assert result.returncode == 2
    assert "2 errors" in result.stderr and "casestats validate" in result.stderr


def test_template_has_sheets_dropdowns_and_comments(tmp_path):
    result = run("template", "--out", "cases.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(tmp_path / "cases.xlsx")
    assert book.sheetnames == ["Cases", "Sources", "Data dictionary", "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    cases = book["Cases"]
    schema = casestats.load_schema()
    headers = [cell.value for cell in cases[1]]
    assert headers == list(schema.fields)
    assert cases.freeze_panes == "A2"
    assert cases["A1"].comment is not None
    letters = {name: cases.cell(row=1, column=i).column_letter for i, name in enumerate(headers, 1)}
    validations = {str(v.sqref): v for v in cases.data_validations.dataValidation}
    single = [name for name, field in schema.fields.items() if field.kind == "term"]
    assert {"sex", "subtype", "ssc_subset", "outcome", "renal_function"} <= set(single)
    assert len(validations) == len(single)
    lists = book["Lists"]
    for name in single:
        validation = validations[f"{letters[name]}2:{letters[name]}{DROPDOWN_ROWS + 1}"]
        assert validation.allow_blank
        column = validation.formula1.split("!")[1].split(":")[0].strip("$").rstrip("0123456789$")
        terms = [c.value for c in lists[column][1:] if c.value is not None]
        assert terms == schema.terms(schema.fields[name].vocabulary)
    dictionary = book["Data dictionary"]
    assert dictionary.max_row == len(schema.fields) + 1


def test_template_filled_reads_back(filled):
    cases = casestats.read_cases(filled)
    assert cases.data["case_id"].tolist() == ["p1", "p2"]
    assert cases.data["age_years"].tolist() == ["54", "90+"]
    assert cases.sources["source_id"].tolist() == ["doe2020"]


def test_report_from_filled_template(filled, tmp_path):
    result = run("report", filled, "--out", tmp_path / "rep")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "rep" / "report.html").is_file()
    assert "[1/8]" in result.stderr and "[8/8]" in result.stderr
    assert "No cohort counts were given" in (tmp_path / "rep" / "report.md").read_text()


def test_report_on_bundled_uses_cohorts_by_default(tmp_path):
    result = run("report", "calcinosis_case_reports", "--out", tmp_path / "rep")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("report.html")
    assert (tmp_path / "rep" / "figures" / "cohort_forest.svg").is_file()


def test_check_bundled_dataset():
    pytest.importorskip("casestats.privacy")
    result = run("check", "calcinosis_case_reports")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout


def test_check_flags_identifying_details(tmp_path):
    pytest.importorskip("casestats.privacy")
    path = tmp_path / "cases.csv"
    path.write_text(
        "case_id,source_id,notes\n1,x,seen by Dr Smith on 12/03/2021\n", encoding="utf-8"
    )
    (tmp_path / "cases.sources.csv").write_text("source_id\nx\n", encoding="utf-8")
    result = run("check", path)
    assert result.returncode == 1
    assert "notes" in result.stdout


def test_main_in_process_returns_status(bad_csv, capsys):
    from casestats.cli import main

    assert main(["validate", str(bad_csv)]) == 1
    assert "error" in capsys.readouterr().out


def test_template_refuses_to_overwrite_unless_forced(tmp_path):
    out = tmp_path / "cases.xlsx"
    out.write_bytes(b"my filled workbook")
    result = run("template", "--out", out)
    assert result.returncode != 0 and "--force" in result.stderr
    assert out.read_bytes() == b"my filled workbook"
    assert run("template", "--out", out, "--force").returncode == 0
    assert openpyxl.load_workbook(out)["Cases"]["A1"].value == "case_id"


def test_report_refuses_a_non_empty_folder_and_force_clears_the_old_report(filled, tmp_path):
    out = tmp_path / "rep"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "stale_figure.svg").write_text("<svg/>")
    (out / "notes.txt").write_text("mine")
    result = run("report", filled, "--out", out)
    assert result.returncode != 0 and "not empty" in result.stderr and "--force" in result.stderr
    assert (out / "figures" / "stale_figure.svg").exists()
    assert run("report", filled, "--out", out, "--force").returncode == 0
    assert not (out / "figures" / "stale_figure.svg").exists()
    assert (out / "notes.txt").read_text() == "mine" and (out / "report.html").is_file()


def test_check_locates_findings_as_validate_does(filled, tmp_path, capsys):
    pytest.importorskip("casestats.privacy")
    from casestats.cli import main

    book = openpyxl.load_workbook(filled)
    sheet = book["Cases"]
    headers = [cell.value for cell in sheet[1]]
    column = openpyxl.utils.get_column_letter(headers.index("notes") + 1)
    sheet[f"{column}1"] = "Notes"  # typed differently from the schema's name
    sheet[f"{column}3"] = "seen by Dr. Jones"
    path = tmp_path / "notes.xlsx"
    book.save(path)
    assert main(["validate", str(path)]) == 0
    assert f"Cases!{column}1, column 'Notes'" in capsys.readouterr().out
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: 2 rows, 1 error")
    assert f"error: Cases!{column}3, column 'Notes', case 'p2': possible_name" in out


def test_check_with_a_missing_sources_file_says_so(bad_csv, capsys):
    from casestats.cli import main

    missing = str(bad_csv.with_name("nope.csv"))
    for command in ("check", "validate"):
        assert main([command, str(bad_csv), "--sources", missing]) == 2
        err = capsys.readouterr().err
        assert err == f"casestats {command}: no such file: {missing}\n"


def test_check_with_an_unreadable_sources_file_names_it(tmp_path, capsys):
    from casestats.cli import main

    path = tmp_path / "cases.csv"
    path.write_text("case_id,source_id\n1,x\n", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert main(["check", str(path), "--sources", str(empty)]) == 2
    err = capsys.readouterr().err
    assert f"cannot read the sources table {empty} (empty_file" in err and "validate" not in err
    # validate with the same --sources fails on the same file
    assert main(["validate", str(path), "--sources", str(empty)]) == 1
    assert capsys.readouterr().out.startswith(f"{empty}: 0 rows, 1 error")


def test_advice_to_validate_repeats_the_sources_option(bad_csv, capsys):
    from casestats.cli import main

    sources = str(bad_csv.with_name("cases.sources.csv"))
    assert main(["summary", str(bad_csv), "--sources", sources]) == 2
    err = capsys.readouterr().err
    again = shlex.join(["casestats", "validate", str(bad_csv), "--sources", sources])
    assert err.strip().endswith(f"run: {again}")


def test_a_closed_pipe_ends_quietly():
    # `casestats summary ... | head -1`: the reader is gone before anything is written (the
    # child still has to import casestats); no traceback, no error line
    command = [sys.executable, "-m", "casestats.cli", "summary", "calcinosis_case_reports"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        proc.stdout.close()
        err = proc.stderr.read().decode()
        status = proc.wait()
    assert "BrokenPipeError" not in err and "Traceback" not in err
    assert status == 0
