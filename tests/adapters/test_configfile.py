"""The one configuration reader: TOML, YAML, JSON, and ${VARIABLES} from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoregate.adapters.configfile import MissingVariable, read_config_file


def test_the_three_formats_read_the_same(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('port = 8080\n[tls]\ncert = "c.pem"\n')
    (tmp_path / "a.yaml").write_text("port: 8080\ntls:\n  cert: c.pem\n")
    (tmp_path / "a.json").write_text('{"port": 8080, "tls": {"cert": "c.pem"}}')
    assert read_config_file(tmp_path / "a.toml") == read_config_file(tmp_path / "a.yaml") == read_config_file(tmp_path / "a.json")


def test_variables_come_from_the_environment_with_defaults(tmp_path: Path) -> None:
    file = tmp_path / "amqp.toml"
    file.write_text(
        'url = "amqp://app:${BROKER_PASSWORD}@${BROKER_HOST:-127.0.0.1}:5672/%2F"\n'
        'note = "costs $$5"\nqueues = ["${QUEUE}", "fixed"]\nport = 5672\n'
    )
    got = read_config_file(file, {"BROKER_PASSWORD": "s3cr:t", "QUEUE": "loans"})
    assert got == {"url": "amqp://app:s3cr:t@127.0.0.1:5672/%2F", "note": "costs $5", "queues": ["loans", "fixed"], "port": 5672}
    assert read_config_file(file, {"BROKER_PASSWORD": "x", "BROKER_HOST": "rabbit", "QUEUE": "q"})["url"].startswith("amqp://app:x@rabbit:")


def test_an_unset_variable_without_default_names_its_key(tmp_path: Path) -> None:
    file = tmp_path / "gateway.toml"
    file.write_text('[client]\ntarget = "${CORE_TARGET}"\n')
    with pytest.raises(MissingVariable, match=r"client\.target: environment variable CORE_TARGET is not set"):
        read_config_file(file, {})
