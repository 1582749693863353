"""A channel from another distribution (``lines_dist/``), installed by pip for these tests only.

Nothing outside this folder knows it: the distribution registers its channel through the
``scoregate.channels`` entry point group, and these tests find it as the gateway does. It is
installed into a folder of its own (not the test venv), which ``lines_installed`` puts on the
path of this process and of the ``scoregate`` commands the tests run.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# The shared behaviour suite, as tests/contract/ imports it.
sys.path.insert(0, str(HERE.parent / "contract"))


@pytest.fixture(scope="session")
def lines_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``pip install --no-deps --target`` of lines_dist/, built from a copy (pip builds in the tree)."""
    work = tmp_path_factory.mktemp("lines")
    source = shutil.copytree(HERE / "lines_dist", work / "source")
    site = work / "site"
    # Offline when the venv has setuptools (python3.11 venvs do); else pip fetches it from PyPI.
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("setuptools") else []
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *isolation, "--target", str(site), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    return site


@pytest.fixture
def lines_installed(lines_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The channel visible to this process (entry points are read from sys.path); yields the
    environment for a ``scoregate`` command that must see it too."""
    monkeypatch.syspath_prepend(str(lines_site))
    yield {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(lines_site), os.environ.get("PYTHONPATH")]))}
