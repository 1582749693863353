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


class MLServer:
    """A real Seldon MLServer (its XGBoost runtime) serving one model version's booster, in the
    ``mlserver`` side environment, on free ports; stopped by :meth:`stop`.

    ``parallel_workers`` 0 infers in the server process; MLServer's default is 1 worker process.
    ``max_batch_size`` > 1 turns its adaptive batching on (waiting ``max_batch_time`` seconds).
    """

    def __init__(self, folder: Path, version_dir: Path, *, parallel_workers: int = 0, max_batch_size: int = 0,
                 max_batch_time: float = 0.0) -> None:
        import shutil
        import socket
        import time
        import urllib.request

        def free() -> int:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return s.getsockname()[1]

        meta = json.loads((version_dir / "metadata.json").read_text())
        folder.mkdir(parents=True, exist_ok=True)
        model = folder / meta["name"]
        model.mkdir(exist_ok=True)
        shutil.copy(version_dir / "model.ubj", model / "model.ubj")
        model_settings = {"name": meta["name"], "implementation": "mlserver_xgboost.XGBoostModel",
                          "parameters": {"uri": "./model.ubj", "version": meta["version"]}}
        if max_batch_size > 1:
            model_settings.update(max_batch_size=max_batch_size, max_batch_time=max_batch_time)
        (model / "model-settings.json").write_text(json.dumps(model_settings))
        self.http_port, self.grpc_port = free(), free()
        (folder / "settings.json").write_text(json.dumps({
            "debug": False, "host": "127.0.0.1", "http_port": self.http_port, "grpc_port": self.grpc_port,
            "metrics_port": free(), "parallel_workers": parallel_workers,
        }))
        python = side_python("mlserver")
        self.process = subprocess.Popen([str(python.parent / "mlserver"), "start", str(folder)], cwd=folder,
                                        stdout=subprocess.DEVNULL, stderr=open(folder / "mlserver.log", "w"))
        self.log = folder / "mlserver.log"
        deadline = time.monotonic() + 120
        while True:
            assert self.process.poll() is None, f"MLServer exited: {self.log.read_text()[-3000:]}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/v2/models/{meta['name']}/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"MLServer not ready in 120 s: {self.log.read_text()[-3000:]}"
            time.sleep(0.3)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
