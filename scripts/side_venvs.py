"""Virtual environments beside the project's, for tools whose dependencies clash with it, cached.

- ``tritonclient``: the standard V2 client (``tritonclient[grpc]``), which pins protobuf below 7
  while scoregate's gRPC stack needs 7: its calls run in this environment, in a process of their own.
- ``mlserver``: Seldon MLServer and its XGBoost runtime, with XGBoost's CPU-only build
  (``mlserver-xgboost`` asks for ``xgboost``, whose wheel brings ~500 MB of CUDA libraries, so it
  is installed without its dependencies beside ``xgboost-cpu``, which provides the same module).

Each lives under ``${XDG_CACHE_HOME:-~/.cache}/scoregate/venvs/NAME-HASH`` (the hash of its
install steps: a changed step makes a new one) and is made once, under a file lock, by the first
test or benchmark that needs it. ``python scripts/side_venvs.py`` makes them all ahead of time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "scoregate" / "venvs"

#: name -> pip install steps, each a list of arguments after ``pip install``
SIDE_VENVS: dict[str, list[list[str]]] = {
    "tritonclient": [["tritonclient[grpc]>=2.50,<3", "numpy>=2,<3"]],
    "mlserver": [
        # uvloop 0.22 breaks MLServer 1.7's worker processes (SeldonIO/MLServer#2286, unreleased fix)
        ["mlserver>=1.6,<2", "uvloop<0.22", "xgboost-cpu>=3.2,<4", "scikit-learn>=1.4,<2", "tritonclient[grpc]>=2.50,<3"],
        ["--no-deps", "mlserver-xgboost>=1.6,<2"],
    ],
}


def side_venv(name: str) -> Path:
    """The python of the named environment, made first if it is not complete."""
    steps = SIDE_VENVS[name]
    key = hashlib.sha256(json.dumps(steps).encode()).hexdigest()[:10]
    root = CACHE / f"{name}-{key}"
    python = root / "bin" / "python"
    done = root / ".complete"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test processes wait for one install
        if not done.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(root)], check=True)
            for step in steps:
                subprocess.run([str(python), "-m", "pip", "install", "-q", *step], check=True)
            done.write_text(json.dumps(steps))
    return python


if __name__ == "__main__":
    for venv in SIDE_VENVS:
        print(venv, side_venv(venv))
