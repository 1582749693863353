"""What can be checked of the container files without a Docker engine."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from scoregate.app.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "docker" / "core.Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_every_copied_path_exists() -> None:
    copies = [args for op, args in _instructions() if op == "COPY" and not args.startswith("--from")]
    assert copies
    for args in copies:
        for source in shlex.split(args)[:-1]:
            assert (ROOT / source).exists(), f"{DOCKERFILE.name} copies missing {source}"


def test_runs_as_non_root_with_a_health_check() -> None:
    ops = dict(_instructions())
    assert ops["USER"] == "scoregate"
    assert "scoregate\", \"core\", \"health" in ops["HEALTHCHECK"]
    assert "/models" in ops["VOLUME"]


def test_the_commands_it_runs_exist() -> None:
    runner = CliRunner()
    for command in (["core", "serve", "--help"], ["core", "health", "--help"]):
        assert runner.invoke(main, command).exit_code == 0, command
