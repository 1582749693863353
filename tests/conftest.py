"""Fixtures shared by every test layer: the demo model and a real scoring core on a free port."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pg_support import pg_migrated, pg_url, throwaway_postgres  # noqa: F401 - fixtures: a PostgreSQL schema per test
from scoregate.app.paths import DEMO_MODEL, DEMO_MODELS_DIR
from scoregate.core.server import CoreServer
from scoregate.core.settings import ClientSettings, CoreSettings


class CoreThread:
    """A real CoreServer on 127.0.0.1:0, running its own event loop in a background thread."""

    def __init__(self, settings: CoreSettings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.server: CoreServer | None = None
        self.port = 0
        self._thread = threading.Thread(target=self.loop.run_forever, name="core-server", daemon=True)

    def start(self) -> CoreThread:
        self._thread.start()
        self.server = CoreServer(self.settings)
        self.port = asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(30)
        return self

    def stop(self, grace: float = 1.0) -> None:
        if self.loop.is_closed():
            return
        if self.server is not None:
            asyncio.run_coroutine_threadsafe(self.server.stop(grace), self.loop).result(30)
            self.server = None
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self.loop.close()

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client_settings(self, **overrides: object) -> ClientSettings:
        return ClientSettings(target=self.target, **overrides)


@pytest.fixture(scope="session")
def demo_artifact() -> Path:
    path = DEMO_MODELS_DIR / DEMO_MODEL / "1"
    assert (path / "metadata.json").is_file(), f"the shipped demo model is missing at {path}"
    return path


@pytest.fixture(scope="session")
def demo_xgboost_line(demo_artifact: Path) -> tuple[bool, str]:
    """Whether this XGBoost is of the release line (major.minor) that trained the shipped demo
    model, and the line's name. Retraining reproduces the artifact within one line only: 3.2 and
    3.4, say, grow different trees from the same rows (holdout AUC 0.8245 against 0.8273)."""
    import xgboost

    trained_by = json.loads((demo_artifact / "metadata.json").read_text())["training"]["xgboost"]
    return xgboost.__version__.split(".")[:2] == trained_by.split(".")[:2], trained_by


@pytest.fixture
def models_dir(tmp_path: Path, demo_artifact: Path) -> Path:
    """A writable models directory holding a copy of the demo model as credit-risk/1."""
    root = tmp_path / "models"
    shutil.copytree(demo_artifact, root / DEMO_MODEL / "1")
    return root


@pytest.fixture
def core_factory() -> Iterator:
    started: list[CoreThread] = []

    def start(**settings: object) -> CoreThread:
        settings.setdefault("address", "127.0.0.1:0")
        core = CoreThread(CoreSettings(**settings)).start()
        started.append(core)
        return core

    yield start
    for core in started:
        core.stop()


@pytest.fixture
def core(core_factory, models_dir: Path) -> CoreThread:
    """A running core serving the demo model, polling its models directory every 0.2 s."""
    return core_factory(models_dir=models_dir, poll_interval_s=0.2)


@pytest.fixture(scope="session")
def shared_core(tmp_path_factory, demo_artifact: Path) -> Iterator[CoreThread]:
    """One core for the read-only tests of a session (saves a model load per test)."""
    root = tmp_path_factory.mktemp("shared") / "models"
    shutil.copytree(demo_artifact, root / DEMO_MODEL / "1")
    core = CoreThread(CoreSettings(address="127.0.0.1:0", models_dir=root)).start()
    yield core
    core.stop()


@pytest.fixture
def free_port() -> int:
    """A port nobody listens on now: a core to be started there later, or an outage for real."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_model_version(models_dir: Path, version: str, source: Path | None = None, *, corrupt: bool = False) -> Path:
    """Drop a copy of ``source`` (default: version 1 of the demo model in ``models_dir``) in as
    ``version``, its metadata saying so, the documented way: copied aside, then renamed in.

    ``corrupt``: without its booster file, so that it fails to load (a truncated booster is not
    always refused: XGBoost may read past its end)."""
    staging = models_dir / DEMO_MODEL / f".incoming-{version}"
    shutil.copytree(source or models_dir / DEMO_MODEL / "1", staging)
    meta = json.loads((staging / "metadata.json").read_text())
    meta["version"] = version
    (staging / "metadata.json").write_text(json.dumps(meta))
    if corrupt:
        (staging / "model.ubj").unlink()
    target = models_dir / DEMO_MODEL / version
    staging.rename(target)
    return target


@pytest.fixture
def new_version():  # noqa: ANN201
    """``add_model_version`` as a fixture, for tests outside this folder."""
    return add_model_version


@pytest.fixture
def fill_placeholders():  # noqa: ANN201
    """``fill(file, answers)``: what an author does to a scaffolded channel file, each ``"TODO: ..."``
    placeholder replaced by the answer whose key its text contains (an error for one left unanswered)."""
    from scoregate.adapters.placeholders import find_placeholders
    from scoregate.adapters.tomltext import value

    def fill(file: Path, answers: dict[str, object]) -> None:
        text = file.read_text()
        for placeholder in find_placeholders(file):
            answer = next((a for part, a in answers.items() if part in placeholder.text), None)
            assert answer is not None, f"no answer for {placeholder.key}: {placeholder.text}"
            text = text.replace(json.dumps(placeholder.text), value(str(answer) if placeholder.in_key else answer), 1)
        file.write_text(text)

    return fill


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The machine's Redis (started, or installed, by scripts/ensure_redis.sh when it does not answer)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        import subprocess

        subprocess.run(["bash", str(Path(__file__).resolve().parents[1] / "scripts" / "ensure_redis.sh")], check=True)
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_server: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    import uuid

    import redis

    prefix = f"test:{uuid.uuid4().hex[:10]}:"
    yield prefix
    with redis.Redis.from_url(redis_server) as client:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)


class ThrowawayRedis:
    """A redis-server of this test's own on a free port, to stop and start again (never the shared one)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self) -> ThrowawayRedis:
        import subprocess
        import time

        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return self
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def throwaway_redis(redis_server: str, free_port: int) -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis(free_port).start()
    yield server
    server.stop()
