"""Request -> reply against the real broker and a real core: formats, reply routes, error replies,
dead letters, expiry."""

from __future__ import annotations

import time

import pytest
from amqp_support import get_all, json_request, message_count, wait_for, xml_request
from lxml import etree

NS = {"l": "urn:example:loans"}


@pytest.mark.parametrize("direct", [False, True], ids=["named-reply-queue", "direct-reply-to"])
def test_json_request_gets_its_reply(gateway, producer, ids, direct) -> None:
    gateway()
    p = producer(direct=direct)
    sent = [p.send(f"{ids}.json", json_request(f"A-{i}"), message_id=f"m-{i}") for i in range(3)]
    replies = p.wait(3)
    assert sorted(r.correlation_id for r in replies) == sorted(sent)
    for reply in replies:
        body = reply.json()
        assert reply.properties.content_type == "application/json"
        assert reply.properties.content_encoding == "utf-8"
        assert reply.headers["x-scoregate-status"] == "ok"
        assert reply.headers["x-scoregate-model"] == "credit-risk:1"
        assert body["application_id"] == f"A-{sent.index(reply.correlation_id)}"
        assert body["result"]["decision"] in {"APPROVE", "REVIEW", "DECLINE"}
        assert 0 <= body["result"]["score"] <= 1000
        assert len(body["result"]["reasons"]) == 3
        assert body["result"]["model"] == "credit-risk:1"


@pytest.mark.parametrize("direct", [False, True], ids=["named-reply-queue", "direct-reply-to"])
def test_xml_request_gets_its_reply(gateway, producer, ids, direct) -> None:
    gateway()
    p = producer(direct=direct)
    correlation = p.send(f"{ids}.xml", xml_request("X-7"), content_type="text/xml")
    (reply,) = p.wait(1)
    assert reply.correlation_id == correlation
    assert reply.properties.content_type == "application/xml"
    root = etree.fromstring(reply.body)
    assert root.tag == "{urn:example:loans}ScoreResponse"
    assert root.findtext("l:ApplicationId", namespaces=NS) == "X-7"
    assert root.findtext("l:Decision", namespaces=NS) in {"A", "R", "D"}
    assert len(root.findall("l:Reasons/l:Reason", NS)) == 3
    assert root.find("l:Model", NS).get("version") == "1"


def test_bad_payloads_get_error_replies_in_their_format(gateway, producer, ids) -> None:
    responder = gateway()
    p = producer()
    broken_json = p.send(f"{ids}.json", b'{"application": {"id": "B-1"', message_id="b1")
    bad_field = p.send(f"{ids}.json", json_request("B-2", annual_income="lots"), message_id="b2")
    out_of_range = p.send(f"{ids}.json", json_request("B-3", age=7), message_id="b3")
    bad_code = p.send(f"{ids}.json", json_request("B-4", home_ownership="CASTLE"), message_id="b4")
    broken_xml = p.send(f"{ids}.xml", b"<LoanRequest><Applicant>", content_type="application/xml")
    doctype = p.send(f"{ids}.xml", b'<!DOCTYPE x [<!ENTITY e "boom">]><LoanRequest>&e;</LoanRequest>',
                     content_type="application/xml")
    replies = {r.correlation_id: r for r in p.wait(6)}
    assert len(replies) == 6

    def error(cid: str) -> dict:
        reply = replies[cid]
        assert reply.headers["x-scoregate-status"] == "invalid_input"
        return reply.json()["error"]

    assert error(broken_json)["code"] == "INVALID_INPUT"
    assert error(broken_json)["violations"][0].startswith(": MALFORMED: not valid JSON")
    assert replies[bad_field].json()["application_id"] == "B-2"
    assert error(bad_field)["violations"][0].startswith("applicant.annual_income: WRONG_TYPE")
    # Violations found by the core's schema check come back under the producer's own path.
    assert error(out_of_range)["violations"][0].startswith("applicant.age: OUT_OF_RANGE")
    assert error(bad_code)["violations"][0].startswith("applicant.home_ownership: UNKNOWN_CATEGORY")
    for cid in (broken_xml, doctype):
        root = etree.fromstring(replies[cid].body)
        assert root.tag == "{urn:example:loans}ScoreError"
        assert root.findtext("l:Code", namespaces=NS) == "INVALID_INPUT"
        assert "MALFORMED" in root.findtext("l:Violations/l:Violation", namespaces=NS)
    assert wait_for(lambda: responder.stats["error_replies"] == 6)


def test_without_a_reply_to_a_request_is_dead_lettered_and_every_unreadable_one_is_answered(gateway, producer, ids) -> None:
    responder = gateway()
    p = producer()
    p.send(f"{ids}.json", json_request("D-1"), reply_to=None, message_id="no-reply")
    other = p.send(f"{ids}.json", "IDX 0001", content_type="application/x-cobol", message_id="other-format")
    deep = p.send(f"{ids}.json", b"[" * 100_000, message_id="deep")
    big = p.send(f"{ids}.json", b'{"note": "' + b"x" * (1024 * 1024) + b'"}', message_id="big")
    garbled = p.send(f"{ids}.json", b"\xff\xfe{}", message_id="garbled")
    # The producer that waits gets a typed error in its own format, not a timeout.
    replies = {r.correlation_id: r for r in p.wait(4)}
    assert {replies[c].headers["x-scoregate-status"] for c in (other, deep, big, garbled)} == {"invalid_input"}

    def violation(cid: str) -> str:
        (only,) = replies[cid].json()["error"]["violations"]
        return only

    assert violation(other).startswith("content_type: MALFORMED: content type 'application/x-cobol' is not accepted")
    assert violation(deep) == ": MALFORMED: nested deeper than 32 levels"
    assert violation(big).startswith(": MALFORMED: message of 1048588 bytes exceeds the limit of 1048576")
    assert violation(garbled) == ": MALFORMED: not valid utf-8 at byte 0"
    # Counted at the ack, which waits for the dead letter's confirm.
    assert wait_for(lambda: responder.stats["dead_lettered"] == 1 and responder.stats["error_replies"] == 4)
    assert responder.stats["retried"] == 0  # answered at once, never retried as an internal error
    (dead,) = get_all(f"{ids}.dead")
    assert dead.headers["x-scoregate-reason"] == "no_reply_to"
    assert dead.headers["x-scoregate-queue"] == f"{ids}.json"
    assert dead.routing_key == f"{ids}.json.no_reply_to"
    assert p.settle(quiet=0.3) == list(replies.values())  # nothing more

    # A request that expires while queued is dead-lettered by the broker, under the queue's own name.
    responder.stop(1.0)
    p.send(f"{ids}.json", json_request("E-1"), message_id="expired", expiration="1")
    assert wait_for(lambda: message_count(f"{ids}.dead") == 1)
    (expired,) = get_all(f"{ids}.dead")
    assert (expired.properties.message_id, expired.routing_key) == ("expired", f"{ids}.json")


def test_expired_requests_are_not_scored(gateway, producer, ids) -> None:
    responder = gateway()
    p = producer()
    stale = int(time.time()) - 30
    p.send(f"{ids}.json", json_request("E-1"), timestamp=stale, expiration="60000", message_id="e1")  # alive
    p.send(f"{ids}.json", json_request("E-2"), timestamp=stale, expiration="5000", message_id="e2")
    p.send(f"{ids}.json", json_request("E-3"), headers={"x-deadline": int(time.time() * 1000) - 1000}, message_id="e3")
    p.send(f"{ids}.json", json_request("E-4"), headers={"x-deadline": "2001-01-01T00:00:00Z"}, message_id="e4")
    replies = p.settle(quiet=0.5)
    assert [r.json()["application_id"] for r in replies] == ["E-1"]
    assert wait_for(lambda: responder.stats["dropped"] == 3)
    assert responder.stats["scored_rows"] == 1


def test_a_reply_to_a_vanished_named_queue_is_returned_and_the_request_acked(gateway, producer, ids) -> None:
    responder = gateway()
    p = producer()
    p.send(f"{ids}.json", json_request("G-1"), reply_to=f"{ids}.gone")
    deadline = time.monotonic() + 10
    while responder.stats["returned"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert responder.stats["returned"] == 1  # mandatory on a named reply queue: NO_ROUTE comes back
    time.sleep(0.2)
    assert message_count(f"{ids}.json") == 0  # acked: retrying would not bring the producer back
    assert get_all(f"{ids}.dead") == []
