"""`scoregate scaffold files` on the demo copybooks, end to end: the draft fails `config check` on
its TODO placeholders alone (the code maps the copybook has no 88-levels for), each named by file,
line and key; filled in as the copybook's header says, it checks and scores a demo file through
the watcher's pipeline on a real core exactly as the hand-written demo job does."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from files_support import DEMO_JOB

from scoregate.adapters.files import FileJobConfig
from scoregate.adapters.files.demo import write_demo_file
from scoregate.adapters.files.job import process_file
from scoregate.adapters.placeholders import find_placeholders
from scoregate.app.cli import main
from scoregate.app.config_check import directory_lookup
from scoregate.app.paths import DEMO_MODELS_DIR

# What the job's author knows and the copybook does not say: the legacy codes of two categories.
CODES = {f"{field}'s code for {code}": legacy for field, codes in {
    "LD-HOME-OWNERSHIP": {"RENT": "R", "OWN": "O", "MORTGAGE": "M", "OTHER": "X"},
    "LD-LOAN-PURPOSE": {"DEBT_CONSOLIDATION": "DC", "CREDIT_CARD": "CC", "HOME_IMPROVEMENT": "HI", "CAR": "CA",
                        "SMALL_BUSINESS": "SB", "OTHER": "OT"},
}.items() for code, legacy in codes.items()}


def _numbers_of_minus_one_are_missing(file: Path) -> None:
    """The copybook's banner says so (NUMERIC FIELDS OF -1 MEAN 'NOT REPORTED'): the author adds
    ``missing = [-1]`` to the features the model accepts missing."""
    schema = directory_lookup(DEMO_MODELS_DIR)("credit-risk").feature_schema
    text = file.read_text()
    for feature in (f.name for f in schema.features if f.nullable):
        text = text.replace(f'{{ feature = "{feature}", source', f'{{ feature = "{feature}", missing = [-1], source')
    file.write_text(text)


def test_the_demo_copybooks_scaffolded_check_and_score_a_file_as_the_demo_job(
        tmp_path: Path, client, fill_placeholders) -> None:  # noqa: ANN001
    for copybook in ("LOANREQ.cpy", "LOANRSP.cpy"):
        shutil.copy(DEMO_JOB.parent / copybook, tmp_path)
    file, gateway = tmp_path / "files.toml", tmp_path / "gateway.toml"
    runner = CliRunner()
    made = runner.invoke(main, ["scaffold", "files", str(tmp_path / "LOANREQ.cpy"), "--response", str(tmp_path / "LOANRSP.cpy"),
                                "--model", "credit-risk", "--out", str(file)])
    assert made.exit_code == 0, made.output

    check = runner.invoke(main, ["config", "check", str(gateway)])
    assert check.exit_code == 2 and "Traceback" not in check.output
    lines = check.output.removeprefix("Error: ").splitlines()
    assert lines == [p.problem(file) for p in find_placeholders(file)] and len(lines) == 10
    for line in lines:
        assert re.match(rf"{re.escape(str(file))}:\d+: request\.features\[(3|8)\]\.codes: TODO: LD-\S+ code for \w+ \(a key to replace\)$", line), line

    fill_placeholders(file, CODES)
    _numbers_of_minus_one_are_missing(file)
    check = runner.invoke(main, ["config", "check", str(gateway)])
    assert (check.exit_code, check.output) == (0, f"{gateway}: ok (files)\n")

    # The demo file's run date is today, so ages as of its header (the draft's guess) are the
    # demo job's ages as of today: the two jobs must write the same bytes.
    today = date.today()
    source = write_demo_file(tmp_path / "LOANS001", 300, today=today, invalid={7: "packed_sign", 12: "unknown_code", 20: "age"}).path
    ours = process_file(source, FileJobConfig.load(file), client, tmp_path / "ours", today=today)
    # The demo job asks reasons for adverse decisions only (reason_bands); a draft, for every one.
    demo_job = FileJobConfig.load(DEMO_JOB)
    demo_job = demo_job.model_copy(update={"request": demo_job.request.model_copy(update={"reason_bands": ()})})
    demo = process_file(source, demo_job, client, tmp_path / "demo", today=today)
    assert (ours.outcome, ours.scored, ours.rejected) == (demo.outcome, demo.scored, demo.rejected) == ("done", 297, 3)
    assert ours.response.read_bytes() == demo.response.read_bytes()
    assert ours.rejects.read_bytes() == demo.rejects.read_bytes()
