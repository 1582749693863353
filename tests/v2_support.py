"""The standard V2 client (tritonclient) and Seldon MLServer, each in its cached side environment."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALLS = Path(__file__).resolve().parent / "v2" / "triton_calls.py"


def _side_venvs():  # noqa: ANN202 - the scripts/side_venvs.py module
    spec = importlib.util.spec_from_file_location("side_venvs", ROOT / "scripts" / "side_venvs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def side_python(name: str) -> Path:
    """The python of a side environment (made on first use, a minute or two; cached afterwards)."""
    return _side_venvs().side_venv(name)


def triton_calls(python: Path, target: str, calls: list[dict]) -> list:
    """Answers to ``calls`` made by tritonclient against ``target`` (see tests/v2/triton_calls.py)."""
    done = subprocess.run([str(python), str(CALLS), target], input=json.dumps(calls), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
