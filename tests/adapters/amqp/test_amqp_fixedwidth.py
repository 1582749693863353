"""Fixed-width (EBCDIC copybook) messages through the shared layout engine: the format, then the broker."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from amqp_support import demo_record_codecs, fixed_queue, fixed_request, json_queue, json_request
from pydantic import ValidationError

from scoregate.adapters.amqp.config import QueueConfig
from scoregate.adapters.codecs.fixedwidth_message import FixedWidthFormat
from scoregate.core.errors import InvalidInput, ViolationCode


@pytest.fixture(scope="module")
def fmt() -> FixedWidthFormat:
    return QueueConfig.model_validate(fixed_queue("q")).codec().format


def test_read_decodes_an_ebcdic_record(fmt) -> None:
    values = fmt.read(fixed_request("F-7"))
    assert values["APPLICATION-ID"] == "F-7"
    assert values["ANNUAL-INCOME"] == Decimal("58000.00")  # COMP-3
    assert values["INTEREST-RATE"] == Decimal("7.90")  # zoned with implied decimals
    assert values["HOME-OWNERSHIP"] == "M" and values["MONTHS-SINCE-DELINQ"] == ""
    assert fixed_request("F-7")[:3] == "F-7".encode("cp037")


def test_bad_record_names_the_field_and_keeps_the_reference(fmt) -> None:
    record = bytearray(fixed_request("F-8"))
    record[12:15] = b"\x40\x40\x40"  # APPLICANT-AGE: spaces in a zoned field
    with pytest.raises(InvalidInput) as caught:
        fmt.read(bytes(record))
    (violation,) = caught.value.violations
    assert (violation.field, violation.code) == ("APPLICANT-AGE", ViolationCode.MALFORMED)
    assert "404040" in violation.message
    assert caught.value.values["APPLICATION-ID"] == "F-8"
    with pytest.raises(InvalidInput, match="record: MALFORMED"):
        fmt.read(b"\xc1\xc2")


def test_write_fills_the_response_record_and_cuts_long_text(fmt) -> None:
    _, response = demo_record_codecs()
    body = fmt.write({"APPLICATION-ID": "F-9", "RESULT-CODE": "00", "RISK-SCORE": 712, "PROBABILITY": 0.2875431,
                      "DECISION": "R", "REASON-CODE(1)": "R02", "MODEL-VERSION": "credit-risk:1"})
    assert len(body) == 135
    out = response.decode_one(body)
    assert (out["RISK-SCORE"], out["PROBABILITY"], out["REASON-CODE(1)"], out["REASON-CODE(2)"]) == \
        (712, Decimal("0.287543"), "R02", "")
    error = response.decode_one(fmt.write({"RESULT-CODE": "10", "ERROR-TEXT": "x" * 200}, error=True))
    assert error["ERROR-TEXT"] == "x" * 80


def test_a_mapping_to_a_field_the_layout_lacks_fails_at_config_time() -> None:
    queue = fixed_queue("q")
    queue["response"]["result"].append({"target": "CUSTOMER-NAME", "source": "reference"})
    with pytest.raises(ValidationError, match=r"fields \['CUSTOMER-NAME'\] are not in record LOAN-RESPONSE"):
        QueueConfig.model_validate(queue)


def test_fixed_width_requests_get_replies_in_their_layout(gateway, producer, make_config, ids) -> None:
    gateway(make_config(queues=[fixed_queue(f"{ids}.fixed"), json_queue(f"{ids}.json")]))
    _, response = demo_record_codecs()
    p = producer()
    good = p.send(f"{ids}.fixed", fixed_request("F-1"), content_type="application/octet-stream")
    bad = p.send(f"{ids}.fixed", fixed_request("F-2", **{"HOME-OWNERSHIP": "Q"}), content_type=None)
    short = p.send(f"{ids}.fixed", b"\xc6\x60\xf3", content_type=None)
    same_as_json = p.send(f"{ids}.json", json.dumps(json_request("J-1")).encode())
    replies = {r.correlation_id: r for r in p.wait(4)}
    assert len(replies) == 4
    assert replies[good].properties.content_encoding == "cp037"
    ok = response.decode_one(replies[good].body)
    assert (ok["APPLICATION-ID"], ok["RESULT-CODE"], ok["MODEL-VERSION"]) == ("F-1", "00", "credit-risk:1")
    # The same applicant through the JSON queue gets the same score and reasons.
    as_json = json.loads(replies[same_as_json].body)["result"]
    assert ok["RISK-SCORE"] == as_json["score"]
    assert [ok[f"REASON-CODE({n})"] for n in (1, 2, 3)] == as_json["reasons"]
    rejected = response.decode_one(replies[bad].body)
    assert (rejected["APPLICATION-ID"], rejected["RESULT-CODE"]) == ("F-2", "10")
    assert "HOME-OWNERSHIP: UNKNOWN_CATEGORY" in rejected["ERROR-TEXT"]
    malformed = response.decode_one(replies[short].body)
    assert malformed["RESULT-CODE"] == "10" and malformed["ERROR-TEXT"] == "invalid input: record is 3 bytes, expected 83"

