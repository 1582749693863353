"""``scoregate models``: the table, promote, rollback and history, on a real models directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scoregate.app.cli_models import MODELS_DIR_ENV, models
from scoregate.core.aliases import alias_history, move_alias, read_aliases
from scoregate.core.contract import ModelMetadata

MODEL = "credit-risk"


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    monkeypatch.delenv(MODELS_DIR_ENV, raising=False)
    return CliRunner()


@pytest.fixture
def three(models_dir: Path, demo_artifact: Path, new_version) -> Path:  # noqa: ANN001
    new_version(models_dir, "2", demo_artifact)
    new_version(models_dir, "3", demo_artifact, corrupt=True)
    return models_dir


def _rows(output: str) -> dict[str, list[str]]:
    """Table rows by version (the table's second column)."""
    lines = output.splitlines()
    assert lines[0].split() == ["MODEL", "VERSION", "DEFAULT", "ALIASES", "STATE", "AUC", "PRECISION", "RECALL", "F1"]
    return {line.split()[1]: line.split() for line in lines[1:] if line.startswith(MODEL + " ")}


def test_list_shows_aliases_state_and_metrics(runner, three, demo_artifact) -> None:
    move_alias(three, MODEL, "production", "1")
    move_alias(three, MODEL, "candidate", "3")
    result = runner.invoke(models, ["list", "--models-dir", str(three)])
    assert result.exit_code == 0, result.output
    rows = _rows(result.output)
    metrics = ModelMetadata.model_validate_json((demo_artifact / "metadata.json").read_text()).metrics
    assert rows["1"] == [MODEL, "1", "*", "production", "loaded", f"{metrics.auc:.3f}", f"{metrics.precision:.3f}",
                         f"{metrics.recall:.3f}", f"{metrics.f1:.3f}"]
    assert rows["2"][2:6] == ["-", "-", "loaded", f"{metrics.auc:.3f}"]  # not the default, no alias
    assert rows["3"][2:5] == ["-", "candidate", "failed"]
    assert "credit-risk/3:" in result.output
    assert "alias candidate cannot serve: version 3 failed to load" in result.output
    move_alias(three, MODEL, "shadow", "7", require_version=False)
    result = runner.invoke(models, ["list", "--models-dir", str(three)])
    assert _rows(result.output)["7"][2:5] == ["-", "shadow", "missing"]

    # The group alone lists too, and the default follows the highest version without an alias.
    (three / MODEL / "aliases.json").unlink()
    result = runner.invoke(models, ["--models-dir", str(three)])
    assert result.exit_code == 0, result.output
    assert _rows(result.output)["2"][2] == "*", result.output


def test_list_reads_the_demo_models_by_default(runner) -> None:
    result = runner.invoke(models, ["list"])
    assert result.exit_code == 0, result.output
    assert _rows(result.output)["1"][4] == "loaded"


def test_promote_rollback_and_history(runner, three) -> None:
    args = ["--models-dir", str(three)]
    result = runner.invoke(models, ["promote", MODEL, "1", *args])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "credit-risk production: (unset) -> 1"
    result = runner.invoke(models, ["promote", MODEL, "2", "--alias", "production", *args])
    assert result.output.strip() == "credit-risk production: 1 -> 2"
    assert read_aliases(three, MODEL) == {"production": "2"}

    result = runner.invoke(models, ["promote", MODEL, "3", *args])
    assert result.exit_code == 1 and "does not load, not promoted" in result.output
    result = runner.invoke(models, ["promote", MODEL, "9", *args])
    assert result.exit_code == 1 and "no version '9'" in result.output
    assert read_aliases(three, MODEL) == {"production": "2"}
    result = runner.invoke(models, ["promote", MODEL, "3", "--alias", "candidate", "--force", *args])
    assert result.exit_code == 0, result.output

    result = runner.invoke(models, ["rollback", MODEL, *args])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "credit-risk production: 2 -> 1 (rolled back)"
    assert read_aliases(three, MODEL) == {"production": "1", "candidate": "3"}

    result = runner.invoke(models, ["history", MODEL, *args])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["TIME", "ALIAS", "FROM", "TO", "ACTION", "ACTOR"]
    assert [line.split()[1:5] for line in lines[1:]] == [
        ["production", "-", "1", "move"], ["production", "1", "2", "move"], ["candidate", "-", "3", "move"],
        ["production", "2", "1", "rollback"],
    ]
    assert all(line.split()[5] == alias_history(three, MODEL)[0].actor for line in lines[1:])
    result = runner.invoke(models, ["history", MODEL, "--alias", "candidate", *args])
    assert len(result.output.splitlines()) == 2


def test_moves_need_an_explicit_models_dir(runner, three, monkeypatch) -> None:
    result = runner.invoke(models, ["promote", MODEL, "1"])
    assert result.exit_code == 2 and "--models-dir" in result.output  # never into the installed package
    result = runner.invoke(models, ["rollback", MODEL, "--models-dir", str(three)])
    assert result.exit_code == 1 and "no move to roll back" in result.output
    monkeypatch.setenv(MODELS_DIR_ENV, str(three))
    result = runner.invoke(models, ["promote", MODEL, "1"])
    assert result.exit_code == 0, result.output
    assert read_aliases(three, MODEL) == {"production": "1"}


def _describe_lines(output: str) -> dict[str, list[str]]:
    """The feature table's rows by feature name."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("NAME "))
    assert lines[start].split() == ["NAME", "KIND", "UNIT", "VALID", "RANGE", "CODES", "MAY", "BE", "MISSING", "REQUIRED"]
    rows = {}
    for line in lines[start + 1:]:
        if not line:
            break
        rows[line.split()[0]] = line.split()
    return rows


def test_describe_prints_features_bands_reasons_and_metrics(runner, models_dir) -> None:
    meta = ModelMetadata.model_validate_json((models_dir / MODEL / "1" / "metadata.json").read_text())
    result = runner.invoke(models, ["describe", MODEL, "--models-dir", str(models_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{MODEL} version 1 (default)\n")
    rows = _describe_lines(result.output)
    assert list(rows) == list(meta.feature_schema.names)
    assert rows["age"] == ["age", "integer", "years", "18", "..", "100", "-", "no", "yes"]
    assert rows["employment_years"][-2:] == ["yes", "no"]  # may be missing, so not required
    assert rows["home_ownership"][:5] == ["home_ownership", "category", "-", "-", "RENT,OWN,MORTGAGE,OTHER"]
    assert "APPROVE   [0, 0.15)" in result.output and "DECLINE   [0.4, 1]" in result.output
    for feature in meta.feature_schema.features:
        assert any(line.split()[:2] == [feature.reason_code, feature.name] and line.endswith(feature.description)
                   for line in result.output.splitlines()), feature.name
    m = meta.metrics
    metrics_row = result.output.splitlines()[-1].split()
    assert metrics_row == [str(m.rows), f"{m.auc:.4f}", f"{m.precision:.4f}", f"{m.recall:.4f}", f"{m.f1:.4f}", f"{m.threshold:g}"]
    assert "loaded" not in result.output  # registry log lines stay out of the description


def test_describe_json_is_the_metadata(runner, models_dir) -> None:
    import json

    meta = ModelMetadata.model_validate_json((models_dir / MODEL / "1" / "metadata.json").read_text())
    result = runner.invoke(models, ["describe", MODEL, "--version", "1", "--json", "--models-dir", str(models_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["name"], data["version"], data["is_default"]) == (MODEL, "1", True)
    assert [f["name"] for f in data["features"]] == list(meta.feature_schema.names)
    assert all(f["required"] is not f["nullable"] for f in data["features"])
    assert data["features"][0]["unit"] == "years"
    assert data["metrics"] == meta.metrics.model_dump()
    assert [b["name"] for b in data["bands"]] == [b.name for b in meta.bands]


@pytest.mark.parametrize(("args", "message"), [
    (["credit-riskx"], "unknown model 'credit-riskx' in {dir}; did you mean 'credit-risk'? (models: credit-risk)"),
    (["credit-risk", "--version", "9"], "model credit-risk has no loaded version or alias '9' in {dir} (loaded: 1)"),
])
def test_describe_unknown_model_is_one_line(runner, models_dir, args, message) -> None:
    result = runner.invoke(models, ["describe", *args, "--models-dir", str(models_dir)])
    assert result.exit_code == 1
    assert result.output == f"Error: {message.format(dir=models_dir)}\n"


def test_describe_asks_a_running_core(runner, core, models_dir) -> None:
    local = runner.invoke(models, ["describe", MODEL, "--models-dir", str(models_dir)])
    remote = runner.invoke(models, ["describe", MODEL, "--core", core.target])
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output  # units, description and metrics travel over DescribeModel
    missing = runner.invoke(models, ["describe", "credit-riskx", "--core", core.target])
    assert missing.exit_code == 1
    assert missing.output == f"Error: {core.target}: unknown model 'credit-riskx'\n"
