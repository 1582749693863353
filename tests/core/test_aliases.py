"""Model aliases: moved on disk, picked up by a live registry and a running core without a restart."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from load_support import ScoringLoad, wait_until

from scoregate.core.aliases import (
    ALIASES_FILE,
    DEFAULT_ALIAS,
    HISTORY_FILE,
    AliasError,
    alias_history,
    move_alias,
    read_aliases,
    rollback_alias,
)
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest
from scoregate.core.errors import UnknownModel
from scoregate.core.registry import ModelRegistry

MODEL = "credit-risk"


@pytest.fixture
def three_versions(models_dir: Path, demo_artifact: Path, new_version) -> Path:  # noqa: ANN001
    """credit-risk 1 and 2 (loadable) and 3 (no booster file: fails to load)."""
    new_version(models_dir, "2", demo_artifact)
    new_version(models_dir, "3", demo_artifact, corrupt=True)
    return models_dir


def test_moving_an_alias_changes_what_a_live_registry_serves(three_versions: Path) -> None:
    registry = ModelRegistry(three_versions)
    registry.refresh()
    assert registry.get(MODEL).model.version == "2"  # no alias: the highest loaded version

    assert move_alias(three_versions, MODEL, DEFAULT_ALIAS, "1") is None
    assert move_alias(three_versions, MODEL, "candidate", "2") is None
    assert registry.get(MODEL).model.version == "2"  # nothing changes before the next scan
    assert registry.refresh() == []  # alias moves are not version changes

    assert registry.default_version(MODEL) == "1"
    assert registry.get(MODEL).model.version == "1"
    assert registry.get(MODEL, DEFAULT_ALIAS).model.version == "1"
    assert registry.get(MODEL, "candidate").model.version == "2"
    assert registry.get(MODEL, "2").model.version == "2"  # versions still answer by number
    with pytest.raises(UnknownModel):
        registry.get(MODEL, "shadow")
    assert {s.version: s.aliases for s in registry.states()} == {"1": ("production",), "2": ("candidate",), "3": ()}

    assert move_alias(three_versions, MODEL, DEFAULT_ALIAS, "2") == "1"
    registry.refresh()
    assert registry.get(MODEL).model.version == "2"


def test_an_alias_that_cannot_serve_never_breaks_serving(three_versions: Path, caplog) -> None:
    registry = ModelRegistry(three_versions, aliases={MODEL: "1"})  # the settings pin
    registry.refresh()
    assert registry.get(MODEL).model.version == "1"
    move_alias(three_versions, MODEL, DEFAULT_ALIAS, "2")
    registry.refresh()
    assert registry.get(MODEL).model.version == "2"  # the alias wins over the pin

    # A version that failed to load, then one that does not exist: fall back to the pin.
    for target, why in (("3", "failed to load"), ("7", "is not loaded")):
        move_alias(three_versions, MODEL, DEFAULT_ALIAS, target, require_version=False)
        move_alias(three_versions, MODEL, "candidate", target, require_version=False)
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="scoregate.core.registry"):
            registry.refresh()
            registry.refresh()
        assert registry.get(MODEL).model.version == "1"
        assert registry.get(MODEL, DEFAULT_ALIAS).model.version == "1"  # production always answers
        with pytest.raises(UnknownModel):
            registry.get(MODEL, "candidate")  # asked for by name, it must not answer as another version
        states = {s.alias: s for s in registry.aliases(MODEL)}
        assert not states[DEFAULT_ALIAS].serving and why in states[DEFAULT_ALIAS].error
        assert states[DEFAULT_ALIAS].version == target
        errors = [r.getMessage() for r in caplog.records]
        assert len(errors) == 2, errors  # once per alias, not once per scan
        assert any("using version 1" in e for e in errors), errors

    # A hand-edited file that does not parse keeps the last good aliases.
    (three_versions / MODEL / ALIASES_FILE).write_text('{"production": 2}')
    registry.refresh()
    assert registry.aliases(MODEL)[-1].version == "7"
    assert registry.get(MODEL).model.version == "1"

    (three_versions / MODEL / ALIASES_FILE).unlink()
    registry.refresh()
    assert registry.aliases(MODEL) == []
    assert registry.get(MODEL).model.version == "1"


def test_alias_target_loaded_later_starts_serving(models_dir: Path, demo_artifact: Path, new_version) -> None:  # noqa: ANN001
    move_alias(models_dir, MODEL, DEFAULT_ALIAS, "2", require_version=False)
    registry = ModelRegistry(models_dir)
    registry.refresh()
    assert registry.get(MODEL).model.version == "1"
    new_version(models_dir, "2", demo_artifact)
    registry.refresh()
    assert registry.get(MODEL).model.version == "2"
    assert [s.serving for s in registry.aliases()] == [True]


def test_history_and_rollback(three_versions: Path) -> None:
    move_alias(three_versions, MODEL, DEFAULT_ALIAS, "1", actor="ann@ops")
    move_alias(three_versions, MODEL, "candidate", "2", actor="ann@ops")
    move_alias(three_versions, MODEL, DEFAULT_ALIAS, "2")

    history = alias_history(three_versions, MODEL, DEFAULT_ALIAS)
    assert [(m.previous, m.version, m.action) for m in history] == [(None, "1", "move"), ("1", "2", "move")]
    assert history[0].actor == "ann@ops"
    assert "@" in history[1].actor and history[1].time.endswith("+00:00")
    assert len(alias_history(three_versions, MODEL)) == 3

    assert rollback_alias(three_versions, MODEL, DEFAULT_ALIAS) == ("2", "1")
    assert read_aliases(three_versions, MODEL) == {"production": "1", "candidate": "2"}
    assert rollback_alias(three_versions, MODEL, DEFAULT_ALIAS) == ("1", None)  # undoes its creation
    assert read_aliases(three_versions, MODEL) == {"candidate": "2"}
    with pytest.raises(AliasError, match="no move to roll back"):
        rollback_alias(three_versions, MODEL, DEFAULT_ALIAS)
    assert [m.action for m in alias_history(three_versions, MODEL, DEFAULT_ALIAS)] == [
        "move", "move", "rollback", "rollback",
    ]

    # A file edited by hand is not rolled back to a version nobody chose.
    (three_versions / MODEL / ALIASES_FILE).write_text('{"candidate": "1"}')
    with pytest.raises(AliasError, match="points at '1'"):
        rollback_alias(three_versions, MODEL, "candidate")


def test_move_rejects_bad_names_and_missing_versions(models_dir: Path) -> None:
    with pytest.raises(AliasError, match="no version"):
        move_alias(models_dir, MODEL, DEFAULT_ALIAS, "9")
    with pytest.raises(AliasError, match="bad alias"):
        move_alias(models_dir, MODEL, "2", "1")  # an alias that looks like a version
    with pytest.raises(AliasError, match="bad version"):
        move_alias(models_dir, MODEL, DEFAULT_ALIAS, "../1", require_version=False)
    with pytest.raises(AliasError, match="no model"):
        move_alias(models_dir, "other", DEFAULT_ALIAS, "1", require_version=False)
    assert not (models_dir / MODEL / ALIASES_FILE).exists()
    assert not (models_dir / MODEL / HISTORY_FILE).exists()


def test_concurrent_moves_are_all_kept(models_dir: Path) -> None:
    threads = [
        threading.Thread(target=move_alias, args=(models_dir, MODEL, f"team-{i}", "1")) for i in range(16)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert read_aliases(models_dir, MODEL) == {f"team-{i}": "1" for i in range(16)}
    assert len(alias_history(models_dir, MODEL)) == 16
    assert [p.name for p in (models_dir / MODEL).iterdir() if p.name.endswith(".tmp")] == []


def test_running_core_follows_an_alias_under_load(core_factory, models_dir, demo_artifact, applicant, new_version) -> None:  # noqa: ANN001
    new_version(models_dir, "2", demo_artifact)
    core = core_factory(models_dir=models_dir, poll_interval_s=0.1)
    request = ScoreRequest(request_id="r", model=MODEL, features=applicant)
    with ScoringLoad(core.client_settings(), request, callers=3) as load:
        answers = load.answers
        wait_until(lambda: len(answers) > 30)
        assert {v for _, v in answers} == {"2"}
        move_alias(models_dir, MODEL, DEFAULT_ALIAS, "1")
        wait_until(lambda: answers[-1][1] == "1")  # the next scan, without a restart
        switched = next(t for t, v in answers if v == "1")
        wait_until(lambda: answers[-1][0] > switched + 1.5)
    assert load.failures == []
    assert {v for _, v in answers} == {"1", "2"}
    # Once version 1 answered, version 2 never did again (but for calls already in flight).
    settled = [v for t, v in answers if t > switched + 0.5]
    assert settled and set(settled) == {"1"}
    with ScoringClient(core.client_settings()) as client:
        assert client.score(request.model_copy(update={"version": "2"})).version == "2"
        assert client.score(request.model_copy(update={"version": DEFAULT_ALIAS})).version == "1"
        assert {m.version: m.is_default for m in client.list_models()} == {"1": True, "2": False}

