"""The decoders that read bytes from outside, fuzzed (fuzz/targets.py, fuzz/run.py).

Two checks per target: every seed and every input that once broke a decoder
(``fuzz/regressions/TARGET/``) is decoded or refused with the decoder's own error, replayed
without atheris; and atheris, coverage-guided from the seed corpus, finds nothing within its time
budget (``SCOREGATE_FUZZ_SECONDS``: 30 s per target in CI, 10 s elsewhere).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FUZZ = REPO / "fuzz"
sys.path.insert(0, str(FUZZ))

from targets import TARGETS  # noqa: E402 - fuzz/ is not a package

SECONDS = int(os.environ.get("SCOREGATE_FUZZ_SECONDS", "30" if os.environ.get("CI") else "10"))


def _inputs(target: str) -> list[Path]:
    return sorted(p for folder in ("corpus", "regressions") for p in (FUZZ / folder / target).glob("*") if p.is_file())


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_seeds_and_past_findings_are_decoded_or_refused_cleanly(target: str) -> None:
    one_input = TARGETS[target]()
    inputs = _inputs(target)
    assert any(p.parent.parent.name == "corpus" for p in inputs), f"no seed corpus for {target}"
    for path in inputs:
        one_input(path.read_bytes())  # raises on a finding: the decoder's error was not its documented one


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzzing_finds_nothing_within_the_budget(target: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(FUZZ / "run.py"), target, "--seconds", str(SECONDS), "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=SECONDS + 120,
    )
    findings = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-", "leak-")))
    tail = "\n".join(done.stderr.splitlines()[-40:])
    assert done.returncode == 0 and not findings, f"{target}: {findings} in {tmp_path}\n{tail}"
    assert "Done " in done.stderr, tail  # it ran to its time limit, not stopped early
