"""`scoregate state migrate`: the versioned schema applied once, in order, and checked; a server
that does not answer is one line. The real server, a schema per test, the CLI in process (click)."""

from __future__ import annotations

import psycopg
from click.testing import CliRunner

from scoregate.adapters.state import postgres_schema
from scoregate.adapters.state.postgres_pool import connect
from scoregate.app.cli import main


def test_migrate_applies_every_version_once_and_says_when_up_to_date(pg_url: str) -> None:
    with connect(pg_url) as conn:
        assert postgres_schema.current(conn) == 0
        assert "run `scoregate state migrate" in postgres_schema.problem(conn)
    first = CliRunner().invoke(main, ["state", "migrate", "--postgres", pg_url])
    assert first.exit_code == 0, first.output
    versions = [m.version for m in postgres_schema.migrations()]
    assert versions == sorted(versions) and versions[0] == 1
    assert all(f"applied {v:04d}_" in first.output for v in versions)
    again = CliRunner().invoke(main, ["state", "migrate", "--postgres", pg_url])
    assert again.exit_code == 0 and f"schema at version {versions[-1]}, up to date" in again.output
    with psycopg.connect(pg_url) as conn:
        assert [r[0] for r in conn.execute("SELECT version FROM scoregate_schema ORDER BY version")] == versions
        assert postgres_schema.problem(conn) is None
        conn.execute("INSERT INTO scoregate_schema (version, name) VALUES (999, 'from_the_future')")
        assert "upgrade scoregate" in postgres_schema.problem(conn)


def test_migrate_reads_the_gateway_files_state_section_with_its_placeholder(pg_url: str, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    config = tmp_path / "gateway.toml"
    config.write_text('[state]\npostgres = "${STATE_PG}"\n')
    monkeypatch.setenv("STATE_PG", pg_url)
    done = CliRunner().invoke(main, ["state", "migrate", "--config", str(config)])
    assert done.exit_code == 0, done.output


def test_a_server_that_does_not_answer_or_no_url_is_one_line(tmp_path) -> None:  # noqa: ANN001
    down = CliRunner().invoke(main, ["state", "migrate", "--postgres", "postgresql://scoregate:secret@127.0.0.1:9/x"])
    assert down.exit_code == 1 and "not reachable" in down.output and "secret" not in down.output
    assert down.output.strip().count("\n") == 0, down.output
    config = tmp_path / "gateway.toml"
    config.write_text("[health]\nport = 0\n")
    none = CliRunner(env={"SCOREGATE_STATE_POSTGRES": None}).invoke(main, ["state", "migrate", "--config", str(config)])
    assert none.exit_code == 1 and "has no [state] postgres" in none.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[state]\npostgres = "mysql://x"\n')
    wrong = CliRunner().invoke(main, ["state", "migrate", "--config", str(bad)])
    assert wrong.exit_code == 2 and "postgresql://" in wrong.output, wrong.output
