"""One configuration format: the demo channel files are commented TOML (JSON still read), a broken
or missing file is one line with exit code 2, and the JSON Schemas and key pages are current."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.configfile import ConfigFileError, read_config_file
from scoregate.adapters.files.config import FileJobConfig
from scoregate.app.cli import main
from scoregate.app.config_schema import CONFIG_MODELS, keys_markdown, write_key_docs, write_schemas
from scoregate.app.paths import DEFAULTS_DIR

REPO = Path(__file__).resolve().parents[2]
CHANNEL_FILES = ("soap/loan-risk.toml", "amqp/demo.toml", "files/loans.toml")


@pytest.mark.parametrize("name", CHANNEL_FILES)
def test_demo_channel_files_are_commented_toml(name: str) -> None:
    text = (DEFAULTS_DIR / name).read_text()
    tomllib.loads(text)
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 5
    assert not (DEFAULTS_DIR / name).with_suffix(".json").exists()


def test_json_channel_files_are_still_read(tmp_path: Path) -> None:
    data = read_config_file(DEFAULTS_DIR / "files" / "loans.toml")
    for side in ("input", "output"):
        data[side]["copybook"] = str(DEFAULTS_DIR / "files" / data[side]["copybook"])
    (tmp_path / "job.json").write_text(json.dumps(data))
    assert FileJobConfig.load(tmp_path / "job.json") == FileJobConfig.load(DEFAULTS_DIR / "files" / "loans.toml").model_copy(
        update={"base_dir": tmp_path})
    amqp = read_config_file(DEFAULTS_DIR / "amqp" / "demo.toml")
    assert AmqpChannelConfig.model_validate(amqp, context={"base_dir": DEFAULTS_DIR / "amqp"}).queues[0].name == "scoregate.demo.json"


def _check(tmp_path: Path, channel_file: str) -> tuple[int, str]:
    gateway = tmp_path / "gateway.toml"
    gateway.write_text(f'[channels.files]\nconfig = "{channel_file}"\n')
    result = CliRunner().invoke(main, ["config", "check", str(gateway)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_toml_syntax_error_is_one_line_with_line_and_column(tmp_path: Path) -> None:
    text = (DEFAULTS_DIR / "files" / "loans.toml").read_text().replace('inbox = "inbox"', 'inbox = "inbox', 1)
    (tmp_path / "job.toml").write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith('inbox = "inbox'))
    code, output = _check(tmp_path, "job.toml")
    assert code == 2
    assert output.splitlines() == [f"Error: {tmp_path / 'job.toml'}:{line}:15: Illegal character '\\n' (TOML syntax)"]


def test_a_missing_channel_file_is_one_line(tmp_path: Path) -> None:
    code, output = _check(tmp_path, "nowhere.toml")
    assert code == 2
    assert output == f"Error: {tmp_path / 'nowhere.toml'}: no such file\n"
    missing = CliRunner().invoke(main, ["config", "check", str(tmp_path / "gone.toml")])
    assert (missing.exit_code, missing.output) == (2, f"Error: {tmp_path / 'gone.toml'}: no such file\n")


def test_json_and_yaml_syntax_errors_name_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"name": "x",\n "inbox": }')
    (tmp_path / "a.yaml").write_text("name: x\ninbox: [a\n")
    with pytest.raises(ConfigFileError, match=r"a\.json:2:11: Expecting value \(JSON syntax\)$"):
        read_config_file(tmp_path / "a.json")
    with pytest.raises(ConfigFileError, match=r"a\.yaml:3:1: .* \(YAML syntax\)$"):
        read_config_file(tmp_path / "a.yaml")


def test_committed_schemas_and_key_pages_are_current(tmp_path: Path) -> None:
    """Stale when a config model changed: run `scoregate config schema` from the repository root."""
    for written in write_schemas(tmp_path / "schema") + write_key_docs(tmp_path / "keys"):
        committed = REPO / "docs" / ("schema" if written.parent.name == "schema" else "configuration") / written.name
        assert committed.exists(), f"{committed.name} is missing: run scoregate config schema"
        assert committed.read_text() == written.read_text(), f"{committed.name} is stale: run scoregate config schema"


def test_schemas_describe_every_file_kind_and_check_keys() -> None:
    schemas = {kind: json.loads((REPO / "docs" / "schema" / f"{kind}.schema.json").read_text()) for kind in CONFIG_MODELS}
    assert schemas["files"]["additionalProperties"] is False  # extra="forbid": an editor flags a typo
    assert "retry_s" in schemas["files"]["properties"]
    assert schemas["gateway"]["properties"]["client"]["properties"]["target"]["description"]
    assert "| `request.features[].expr` |" in keys_markdown("files")
