"""File channel fixtures: the demo job in a temporary directory, a client on the shared core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from files_support import DEMO_JOB

from scoregate.adapters.files import FileJobConfig
from scoregate.core.client import ScoringClient


@pytest.fixture
def job_config(tmp_path: Path) -> FileJobConfig:
    config = FileJobConfig.load(DEMO_JOB)
    return config.model_copy(update={"base_dir": tmp_path / "job", "poll_s": 0.05, "retry_s": 0.3})


@pytest.fixture
def client(shared_core) -> Iterator[ScoringClient]:
    with ScoringClient(shared_core.client_settings()) as c:
        yield c
