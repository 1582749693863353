"""The JSON message format: golden bytes out, flat paths in, strict parsing."""

from __future__ import annotations

import pytest

from scoregate.adapters.codecs.base import UnknownFormat, create_format, format_class
from scoregate.adapters.codecs.json import JsonFormat, JsonOptions
from scoregate.core.errors import InvalidInput, ViolationCode


def malformed_message(payload: bytes, fmt: JsonFormat | None = None) -> str:
    with pytest.raises(InvalidInput) as caught:
        (fmt or JsonFormat()).read(payload)
    (violation,) = caught.value.violations
    assert violation.code is ViolationCode.MALFORMED
    return violation.message


def test_read_flattens_objects_into_dotted_paths() -> None:
    payload = b'{"application": {"id": "A-1"}, "applicant": {"age": 41, "income": 58000.5, "flags": {"vip": true}},' \
              b' "tags": ["x", "y"], "note": null}'
    assert JsonFormat().read(payload) == {
        "application.id": "A-1", "applicant.age": 41, "applicant.income": 58000.5, "applicant.flags.vip": True,
        "tags": ["x", "y"], "note": None,
    }


def test_write_nests_dotted_paths_golden() -> None:
    values = {"application_id": "A-1", "result.score": 712, "result.reasons": ("R02", "R12"), "result.model": "m:1",
              "result.probability": 0.123456}
    assert JsonFormat().write(values) == (
        b'{"application_id":"A-1","result":{"score":712,"reasons":["R02","R12"],"model":"m:1","probability":0.123456}}'
    )


def test_write_keeps_non_ascii_and_uses_the_configured_encoding() -> None:
    fmt = JsonFormat(JsonOptions(encoding="latin-1"))
    assert fmt.write({"error.message": "d\u00e9j\u00e0"}) == '{"error":{"message":"d\u00e9j\u00e0"}}'.encode("latin-1")
    assert fmt.read('{"a": "\u00e9"}'.encode("latin-1")) == {"a": "\u00e9"}


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b'{"a": 1', "line 1 column 8"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": Infinity}', "Infinity"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b"[1, 2]", "must be a JSON object, not list"),
        (b'"text"', "not str"),
        (b'{"a": "\xff"}', "not valid utf-8 at byte 7"),
        (b"", "not valid JSON"),
    ],
)
def test_strict_parsing_answers_malformed(payload: bytes, fragment: str) -> None:
    assert fragment in malformed_message(payload)


def test_size_limit_is_checked_before_parsing() -> None:
    assert "exceeds the limit of 10" in malformed_message(b'{"a": "0123456789"}', JsonFormat(JsonOptions(max_bytes=10)))


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [("application/json", True), ("application/json; charset=utf-8", True), ("TEXT/JSON", True),
     ("application/vnd.bank+json", True), ("application/xml", False), ("text/plain", False)],
)
def test_accepts_json_content_types(content_type: str, accepted: bool) -> None:
    assert JsonFormat().accepts(content_type) is accepted


@pytest.mark.parametrize(
    ("paths", "error"),
    [(["a", "a.b"], "lies under 'a'"), (["a..b"], "empty key"), (["result.x", "result.y", "code"], None)],
)
def test_check_targets(paths: list[str], error: str | None) -> None:
    if error is None:
        JsonFormat().check_targets(paths)
    else:
        with pytest.raises(ValueError, match=error):
            JsonFormat().check_targets(paths)


def test_registry_builds_formats_by_name_and_suggests_close_names() -> None:
    assert format_class("json") is JsonFormat
    fmt = create_format("json", {"indent": 2})
    assert fmt.write({"a": 1}) == b'{\n  "a": 1\n}'
    with pytest.raises(UnknownFormat, match=r"unknown message format 'jsn'; did you mean 'json'\?"):
        format_class("jsn")
    with pytest.raises(ValueError, match="extra_forbidden|Extra inputs"):
        create_format("json", {"indnt": 2})
