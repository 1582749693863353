"""Model versions on disk: hot loading under load, pinning, corrupt artifacts never serve."""

from __future__ import annotations

import json
import shutil

import pytest
from load_support import ScoringLoad, wait_until

from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest
from scoregate.core.errors import UnknownModel
from scoregate.core.registry import ModelLoadError, ModelRegistry, load_version

MODEL = "credit-risk"


def test_new_version_hot_loads_under_concurrent_load(core, models_dir, demo_artifact, applicant, new_version) -> None:
    request = ScoreRequest(request_id="r", model=MODEL, features=applicant)
    with ScoringLoad(core.client_settings(), request, callers=4) as load:
        wait_until(lambda: len(load.answers) > 50, timeout=10)
        new_version(models_dir, "2", demo_artifact)
        wait_until(lambda: load.versions[-1] == "2" and load.versions.count("2") > 50, timeout=10)
    seen = load.versions
    assert load.failures == []
    assert set(seen) == {"1", "2"}
    # Once version 2 answered, the default never went back.
    first_two = seen.index("2")
    assert "1" not in seen[first_two + 8 :]  # a few calls that started on 1 may finish after
    with ScoringClient(core.client_settings()) as client:
        assert client.score(request.model_copy(update={"version": "1"})).version == "1"  # pinning still works


def test_corrupt_version_is_reported_and_never_serves(core, models_dir, demo_artifact, applicant) -> None:
    broken = models_dir / MODEL / ".incoming"
    shutil.copytree(demo_artifact, broken)
    meta = json.loads((broken / "metadata.json").read_text())
    meta["version"] = "3"
    (broken / "metadata.json").write_text(json.dumps(meta))
    data = (broken / "model.ubj").read_bytes()
    (broken / "model.ubj").write_bytes(data[: len(data) // 3])  # truncated booster
    broken.rename(models_dir / MODEL / "3")

    with ScoringClient(core.client_settings()) as client:
        wait_until(lambda: any(m.version == "3" for m in client.list_models()), timeout=10)
        states = {m.version: m for m in client.list_models()}
        assert states["3"].state == "failed" and states["3"].error
        assert states["1"].state == "loaded" and states["1"].is_default
        result = client.score(ScoreRequest(request_id="r", model=MODEL, features=applicant))
        assert result.version == "1"
        with pytest.raises(UnknownModel):
            client.score(ScoreRequest(request_id="r", model=MODEL, version="3", features=applicant))


def test_failed_version_is_retried_when_its_files_change(models_dir, demo_artifact, new_version) -> None:
    registry = ModelRegistry(models_dir)
    registry.refresh()
    partial = models_dir / MODEL / "2"
    partial.mkdir()
    (partial / "metadata.json").write_text("{")  # a copy still in progress
    assert [s.state for s in registry.refresh()] == ["failed"]
    assert registry.refresh() == []  # unchanged files are not retried on every scan
    shutil.rmtree(partial)
    new_version(models_dir, "2", demo_artifact)
    assert [(s.version, s.state) for s in registry.refresh()] == [("2", "loaded")]
    assert registry.default_version(MODEL) == "2"


def test_alias_pins_the_default_version(models_dir, demo_artifact, new_version) -> None:
    new_version(models_dir, "2", demo_artifact)
    registry = ModelRegistry(models_dir, aliases={MODEL: "1"})
    registry.refresh()
    assert registry.default_version(MODEL) == "1"
    assert registry.get(MODEL).model.version == "1"
    assert registry.get(MODEL, "2").model.version == "2"


def test_load_refuses_a_truncated_booster(tmp_path, demo_artifact) -> None:
    target = tmp_path / MODEL / "1"
    shutil.copytree(demo_artifact, target)
    data = (demo_artifact / "model.ubj").read_bytes()
    for cut in (1, len(data) // 3, len(data) // 2, len(data) - 1):
        (target / "model.ubj").write_bytes(data[:cut])
        with pytest.raises(ModelLoadError, match="truncated"):
            load_version(target)
    (target / "model.ubj").write_bytes(data)
    assert load_version(target).version == "1"


def test_load_rejects_metadata_that_disagrees_with_the_booster(tmp_path, demo_artifact) -> None:
    target = tmp_path / MODEL / "1"
    shutil.copytree(demo_artifact, target)
    meta = json.loads((target / "metadata.json").read_text())
    meta["feature_schema"]["features"] = meta["feature_schema"]["features"][:-1]
    (target / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="features"):
        load_version(target)


def test_a_version_names_its_runtime_and_an_unknown_one_never_serves(tmp_path, demo_artifact) -> None:
    target = tmp_path / MODEL / "1"
    shutil.copytree(demo_artifact, target)
    described = load_version(target).runtime.describe()
    assert described.runtime == "xgboost" and described.platform.startswith("xgboost ")
    meta = json.loads((target / "metadata.json").read_text())
    meta["runtime"] = "onnx"
    (target / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="unknown runtime 'onnx'.*known: xgboost"):
        load_version(target)
