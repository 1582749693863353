"""The producer-side helper behind ``scoregate amqp request``."""

from __future__ import annotations

import json

import pytest
from amqp_support import declare_topology, json_request, xml_request

from scoregate.adapters.amqp.request import NoSuchQueue, send_request


def test_send_request_returns_the_reply(gateway, ids) -> None:
    gateway()
    reply = send_request(f"{ids}.json", json.dumps(json_request("CLI-1")).encode(), content_type="application/json")
    assert reply.headers["x-scoregate-status"] == "ok"
    assert json.loads(reply.body)["application_id"] == "CLI-1"
    named = send_request(f"{ids}.xml", xml_request("CLI-2"), reply_queue=f"{ids}.cli-replies")
    assert b"<ApplicationId>CLI-2</ApplicationId>" in named.body
    assert named.content_type == "application/xml"


def test_send_request_reports_a_missing_queue_and_a_timeout(ids, make_config) -> None:
    with pytest.raises(NoSuchQueue):
        send_request(f"{ids}.nowhere", b"{}")
    declare_topology(make_config())  # the queue exists, nobody consumes it
    with pytest.raises(TimeoutError):
        send_request(f"{ids}.json", b"{}", timeout_s=0.3)
