"""``scoregate models performance``, the outcome part of ``models compare`` and ``models promote``,
``scoregate outcomes status``: real audit and outcome files, the CLI as a user runs it."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from outcome_support import ROWS

from scoregate.app.cli import main
from scoregate.core.aliases import read_aliases

MODEL = "credit-risk"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_performance_prints_a_row_and_a_bar_per_version_and_period(audit: Path) -> None:
    code, out = run("models", "performance", MODEL, "--db", str(audit))
    assert code == 0, out
    rows = [line.split() for line in out.splitlines() if re.match(r"2026-0\d ", line)]
    assert [(r[0], r[1]) for r in rows] == [("2026-01", "1"), ("2026-01", "2"), ("2026-02", "1"), ("2026-02", "2")]
    assert all(re.fullmatch(r"#+\.*", r[-1]) for r in rows)  # the AUC bar
    champion, challenger = float(rows[0][7]), float(rows[1][7])
    assert champion > challenger > 0.5
    assert rows[0][2:5] == [str(ROWS // 2), str(ROWS // 2), "100.0%"]
    assert f"outcomes: {ROWS - 10} kept, {ROWS - 10} matched, 0 unknown reference" in out
    assert "calibration per score decile" in out and "DECLINE" in out
    code, out = run("models", "performance", MODEL, "--db", str(audit), "--by", "quarter", "--version", "2",
                    "--auc-floor", "0.99")
    assert code == 0 and "2026-Q1  2" in out
    assert re.search(r"warning: credit-risk version 2 AUC 0\.\d+ in 2026-Q1 is below the floor 0\.99", out)


def test_compare_shows_the_champion_ahead_with_its_interval(audit: Path) -> None:
    code, out = run("models", "compare", MODEL, "--db", str(audit))
    assert code == 0, out
    assert f"on outcomes: {ROWS - 10} requests scored by both" in out
    assert re.search(r"AUC 1 - 2: \+0\.\d+, 95% CI \[\+0\.\d+, \+0\.\d+\] \(DeLong\): the champion is ahead", out)
    assert "warning: challenger" not in out


def test_promote_asks_for_force_when_the_candidate_is_worse_on_the_outcomes(audit: Path, models_dir: Path, new_version,
                                                                         demo_artifact: Path) -> None:
    new_version(models_dir, "2", demo_artifact)
    args = ("--db", str(audit), "--models-dir", str(models_dir))
    code, out = run("models", "promote", MODEL, "2", *args)
    assert code == 1 and "the champion is ahead" in out
    assert "version 2 is worse than the version it would replace on the outcomes" in out and "--force" in out
    assert "production" not in read_aliases(models_dir, MODEL)
    code, out = run("models", "promote", MODEL, "2", "--force", *args)
    assert code == 0 and "-> 2" in out
    assert read_aliases(models_dir, MODEL)["production"] == "2"


def test_status_and_bad_files_are_one_line(audit: Path, tmp_path: Path, monkeypatch) -> None:
    code, out = run("outcomes", "status", "--db", str(audit))
    assert code == 0 and f"{ROWS - 10} matched" in out
    other = tmp_path / "notes.txt"
    other.write_text("not a database, just text that is long enough " * 50)
    code, out = run("models", "performance", MODEL, "--db", str(other))
    assert code == 1 and "is not a scoregate audit file" in out and "Traceback" not in out
    code, out = run("models", "performance", "nope", "--db", str(audit))
    assert code == 1 and "no decisions of nope" in out
