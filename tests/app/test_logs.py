"""Log lines carry the request's identity; personal-data fields are masked (app/logs.py, core/logcontext.py)."""

from __future__ import annotations

import json
import logging

import pytest

from scoregate.app import logs
from scoregate.adapters.decisions.sqlite import _Masker as AuditLogMasker
from scoregate.core.logcontext import Masker, request_context

log = logging.getLogger("scoregate.test")


@pytest.fixture
def json_lines(capsys: pytest.CaptureFixture[str]):  # noqa: ANN201
    """Call it once to start JSON logging (inside the test, where capsys's stderr is live), then to read."""
    started = []

    def lines() -> list[dict]:
        if not started:
            started.append(logs.setup_logging("info", "json"))
            return []
        return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]

    yield lines
    logs.setup_logging("info", "text")


def test_json_line_carries_request_id_reference_and_channel(json_lines) -> None:  # noqa: ANN001
    json_lines()
    with request_context("req-7", "APP-1234", "soap"):
        log.info("scored %s", "one")
    log.info("outside")
    inside, outside = json_lines()
    assert inside["message"] == "scored one"
    assert (inside["request_id"], inside["reference"], inside["channel"]) == ("req-7", "APP-1234", "soap")
    assert inside["level"] == "INFO" and inside["logger"] == "scoregate.test" and inside["time"]
    assert outside["request_id"] == "" and outside["reference"] == ""


def test_inner_context_keeps_what_it_does_not_set(json_lines) -> None:  # noqa: ANN001
    json_lines()
    with request_context("req-1", channel="amqp"), request_context(reference="REF-9"):
        log.warning("inner")
    (line,) = json_lines()
    assert (line["request_id"], line["reference"], line["channel"]) == ("req-1", "REF-9", "amqp")


def test_masked_fields_show_a_stable_hash_never_the_value(json_lines) -> None:  # noqa: ANN001
    json_lines()
    logs.mask_fields(["reference", "applicant_name"], key=b"s3cret")
    try:
        with request_context("req-2", "APP-1234", "files"):
            log.info("one", extra={"applicant_name": "Jane Doe", "amount": 5000})
            log.info("two")
    finally:
        logs.mask_fields([])
    first, second = json_lines()
    expected = Masker(["reference"], b"s3cret").mask("APP-1234")
    assert first["reference"] == second["reference"] == expected != "APP-1234"
    assert first["applicant_name"].startswith("~") and "Jane" not in json.dumps(first)
    assert first["amount"] == 5000 and first["request_id"] == "req-2"


def test_the_key_changes_the_hash_and_logs_and_audit_agree() -> None:
    assert Masker(["x"], b"a").mask("APP-1") != Masker(["x"], b"b").mask("APP-1")
    audit = AuditLogMasker(frozenset({"reference"}), b"a").value("APP-1")
    assert audit.startswith("hmac:" + Masker(["x"], b"a").mask("APP-1")[1:])
    assert Masker(["x"]).mask("") == ""


def test_text_format_prints_the_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup_logging("info", "text")
    with request_context("req-3", "APP-5"):
        log.info("hello")
    err = capsys.readouterr().err
    assert "[req-3 APP-5] hello" in err


def test_json_lines_carry_no_terminal_colour_codes(json_lines) -> None:  # noqa: ANN001
    json_lines()
    # uvicorn logs its lines with a coloured copy of the message as an extra.
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 1,
                                            extra={"color_message": "Started server process [\x1b[36m%d\x1b[0m]"})
    (line,) = [line for line in json_lines() if line["logger"] == "uvicorn.error"]
    assert line["message"] == "Started server process [1]" and "color_message" not in line


def test_pikas_own_lines_are_silenced_unless_debugging() -> None:
    # One refused connection is 7 ERROR lines from pika; the AMQP channel says it once itself.
    try:
        logs.setup_logging("info", "text")
        assert not logging.getLogger("pika.adapters.utils.connection_workflow").isEnabledFor(logging.ERROR)
        logs.setup_logging("debug", "text")
        assert logging.getLogger("pika.adapters.base_connection").isEnabledFor(logging.DEBUG)
    finally:
        logs.setup_logging("info", "text")
