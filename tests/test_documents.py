"""Committed files name no path of a developer's machine: a command in a README that only works in
one home directory, or a benchmark table showing where someone's virtual environment was, is
wrong for every other reader. Paths inside containers (``/var/lib/scoregate``, ``/opt/...``) and
the conventional ``/tmp`` of an example are fine; home directories, CI workspaces and pytest's
temporary folders are not."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT_SUFFIXES = {".md", ".py", ".toml", ".yaml", ".yml", ".json", ".txt", ".cfg", ".ini", ".sh", ".cpy", ".wsdl", ".xsd",
                 ".xml", ".rst", ".Dockerfile"}
SKIPPED_DIRS = {".git", "__pycache__", "node_modules", "build", "dist"}
# Written in pieces so that this file does not match itself.
MACHINE_PATHS = re.compile("|".join([
    r"/" + r"home/[A-Za-z0-9._-]+", r"/" + r"root/", r"/" + r"Users/[A-Za-z0-9._-]+", r"(?<![\w.])/" + r"work/",
    r"/" + r"tmp/pytest-", r"/" + r"tmp/venv", r"[A-Z]:\\" + r"Users\\",
]))


def _committed_files() -> list[Path]:
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60).stdout
        names = [n for n in listed.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an unpacked sdist): the tree
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                 if p.is_file() and not (SKIPPED_DIRS & set(p.parts)) and not any(x.startswith(".venv") for x in p.parts)]
    return [ROOT / n for n in names if Path(n).suffix in TEXT_SUFFIXES or Path(n).name.endswith("Dockerfile")]


def test_no_committed_file_names_a_path_of_a_developer_machine() -> None:
    files = _committed_files()
    assert len(files) > 100  # the listing worked
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if match := MACHINE_PATHS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r} in {line.strip()[:100]!r}")
    assert not found, "paths of a developer's machine in committed files:\n" + "\n".join(found)


def test_the_check_finds_what_it_looks_for() -> None:
    for sample in ("run " + "/" + "work/.venv/bin/python", "see " + "/" + "home/alice/x", "/" + "tmp/pytest-of-root/p0",
                   "C:" + "\\" + "Users" + "\\" + "bob"):
        assert MACHINE_PATHS.search(sample), sample
    for fine in ("/var/lib/scoregate/drop", "/opt/scoregate/defaults", "the ./work/ folder", "ledger /tmp/ledger.sqlite"):
        assert not MACHINE_PATHS.search(fine), fine
