"""A file job's mistakes are found when it loads, each as one line naming the file and the key:
`config check` and `files process` exit 2 without a traceback, before any file is dropped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scoregate.adapters.files.config import FileJobConfig
from scoregate.adapters.files.preflight import JobProblems
from scoregate.app.cli import main
from scoregate.app.paths import DEFAULTS_DIR

DEMO = DEFAULTS_DIR / "files"


@pytest.fixture
def job(tmp_path: Path) -> Path:
    for copybook in DEMO.glob("*.cpy"):
        shutil.copy(copybook, tmp_path)
    shutil.copy(DEMO / "loans.toml", tmp_path / "job.toml")
    return tmp_path / "job.toml"


def _edit(job: Path, old: str, new: str) -> None:
    text = job.read_text()
    assert old in text
    job.write_text(text.replace(old, new, 1))


def _check(job: Path) -> tuple[int, list[str]]:
    gateway = job.parent / "gateway.toml"
    gateway.write_text(f'[channels.files]\nconfig = "{job.name}"\n')
    result = CliRunner().invoke(main, ["config", "check", str(gateway)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output.removeprefix("Error: ").splitlines()


def test_the_demo_job_passes(job: Path) -> None:
    assert _check(job) == (0, [f"{job.parent / 'gateway.toml'}: ok (files)"])


def test_a_mapping_source_not_in_the_copybook(job: Path) -> None:
    _edit(job, '{ feature = "loan_amount", source = "LD-LOAN-AMOUNT" }', '{ feature = "loan_amount", source = "DTL-LOAN-AMNT" }')
    assert _check(job) == (2, [f"{job}: request.features[6] (loan_amount): DTL-LOAN-AMNT is not a field of LR-DETAIL-REC; "
                               "did you mean LD-LOAN-AMOUNT?"])


def test_deleted_copybooks_are_named(job: Path) -> None:
    for copybook in job.parent.glob("*.cpy"):
        copybook.unlink()
    assert _check(job) == (2, [f"{job}: input.copybook: no such file {job.parent / 'LOANREQ.cpy'}",
                               f"{job}: output.copybook: no such file {job.parent / 'LOANRSP.cpy'}"])


def test_a_copybook_that_does_not_parse_names_its_line(job: Path) -> None:
    copybook = job.parent / "LOANREQ.cpy"
    lines = copybook.read_text(encoding="latin-1").splitlines()
    n = next(i for i, line in enumerate(lines) if "PIC" in line)
    lines[n] = lines[n].replace("PIC", "PIC OCCURS 2 DEPENDING ON X PIC", 1)
    copybook.write_text("\n".join(lines) + "\n", encoding="latin-1")
    code, output = _check(job)
    assert code == 2 and len(output) == 1
    assert output[0].startswith(f"{job}: input.copybook: {copybook} line {n + 1}: ")


def test_response_targets_tables_and_header_dates_are_looked_up(job: Path) -> None:
    _edit(job, '"RD-PD"', '"RD-PDX"')
    _edit(job, '{ feature = "interest_rate", source = "LD-INTEREST-RATE" }',
          '{ feature = "interest_rate", expr = "sum(`LD-RATE(*)`) / 2" }')
    _edit(job, 'type = "date", age = "years" }', 'type = "date", age = "years", as_of = "header:LH-RUN-DAY" }')
    with pytest.raises(JobProblems) as caught:
        FileJobConfig.load(job)
    assert caught.value.problems == [
        "request.features[0].as_of: LH-RUN-DAY is not a field of LR-HEADER-REC; did you mean LH-RUN-DATE?",
        "request.features[9] (interest_rate): LD-RATE(*) is not a field of LR-DETAIL-REC; did you mean LD-BIRTH-DATE?",
        "response.result[2].target: RD-PDX is not a field of RS-DETAIL-REC; did you mean RD-PD?",
    ]


def test_files_process_says_it_in_one_line_too(job: Path, tmp_path: Path) -> None:
    _edit(job, '"RD-PD"', '"RD-PDX"')
    (tmp_path / "IN.DAT").write_bytes(b"")
    result = CliRunner().invoke(main, ["files", "process", str(tmp_path / "IN.DAT"), "--job", str(job), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output == f"Error: {job}: response.result[2].target: RD-PDX is not a field of RS-DETAIL-REC; did you mean RD-PD?\n"


def test_gateway_serve_refuses_to_start_in_the_same_line(job: Path) -> None:
    import subprocess
    import sys

    _edit(job, '"RD-PD"', '"RD-PDX"')
    gateway = job.parent / "gateway.toml"
    gateway.write_text(f'[channels.files]\nconfig = "{job.name}"\n')
    done = subprocess.run([sys.executable, "-m", "scoregate.app.cli", "--log-format", "text", "gateway", "serve",
                           "--config", str(gateway)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (f"Error: {job}: response.result[2].target: RD-PDX is not a field of "
                                           "RS-DETAIL-REC; did you mean RD-PD?")


def test_a_control_total_over_a_floating_point_field_is_refused(job: Path) -> None:
    _edit(job.parent / "LOANREQ.cpy", "LD-ANNUAL-INCOME        PIC S9(09)V99 COMP-3.",
          "LD-ANNUAL-INCOME        COMP-2.                     ")
    assert _check(job) == (2, [f"{job}: trailer_check.totals: LD-ANNUAL-INCOME is COMP-2 hfp: a control total is an "
                               "exact decimal sum, so it needs a zoned, packed, binary or edited numeric field"])
