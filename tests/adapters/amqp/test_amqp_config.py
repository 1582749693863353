"""AmqpChannelConfig: strict, helpful errors, and the topology it plans."""

from __future__ import annotations

import pytest
from amqp_support import DEMO_CONFIG, json_queue, xml_queue
from pydantic import ValidationError

from scoregate.adapters.configfile import read_config_file
from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.amqp.topology import plan


def config(**kw: object) -> AmqpChannelConfig:
    return AmqpChannelConfig.model_validate({"queues": [json_queue("q.json")], **kw})


def test_the_demo_config_is_valid_and_resolves_copybooks_against_its_folder() -> None:
    demo = AmqpChannelConfig.model_validate(read_config_file(DEMO_CONFIG), context={"base_dir": DEMO_CONFIG.parent})
    assert [q.name for q in demo.queues] == ["scoregate.demo.json", "scoregate.demo.fixedwidth"]
    assert [q.codec().format_name for q in demo.queues] == ["json", "fixedwidth"]
    assert demo.queues[1].format_options["request_copybook"] == str(DEMO_CONFIG.parent / "copybooks" / "LOANREQ.cpy")
    with pytest.raises(ValidationError, match="No such file"):  # without the context: the working directory
        AmqpChannelConfig.model_validate(read_config_file(DEMO_CONFIG))


def test_unknown_format_suggests_the_closest_name() -> None:
    with pytest.raises(ValidationError, match=r"unknown message format 'xlm'; did you mean 'xml'\?"):
        config(queues=[{**json_queue("q"), "format": "xlm"}])


def test_the_soap_body_format_is_refused_on_a_queue_saying_which_formats_fit() -> None:
    # Registered beside the others, but it answers in each request's own form, read against a WSDL.
    with pytest.raises(ValidationError, match=r"format 'soap' answers in the form of each request .* message formats to "
                                              r"configure: fixedwidth, json, xml"):
        config(queues=[{**json_queue("q"), "format": "soap"}])


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"prefetchh": 10}, "Extra inputs are not permitted"),
        ({"queues": []}, "at least 1 item"),
        ({"queues": [json_queue("q"), json_queue("q")]}, "queue names must be unique"),
        ({"queues": [{**xml_queue("q"), "format_options": {"root": "X"}}]}, "Extra inputs are not permitted"),
        ({"retry": {"max_attempts": 0}}, "greater than or equal to 1"),
        ({"dead_letter": {"exchange": None}}, "dead_letter.queue needs dead_letter.exchange"),
    ],
)
def test_config_errors_are_reported(kw: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        config(**kw)


def test_a_response_path_the_format_cannot_write_fails_at_config_time() -> None:
    queue = json_queue("q")
    queue["response"]["result"].append({"target": "result.score.value", "source": "probability"})
    with pytest.raises(ValidationError, match="lies under 'result.score'"):
        config(queues=[queue])


def test_topology_plan_declares_dead_letters_queues_and_delay_queues() -> None:
    quorum = {**json_queue("q.json"), "queue_type": "quorum", "delivery_limit": 5}
    found = {**xml_queue("q.xml"), "declare": False}
    steps = plan(config(queues=[quorum, found], prefetch=50,
                        retry={"max_attempts": 4, "initial_delay_s": 0.5, "max_delay_s": 1.0}))
    calls = [(s.method, s.kwargs) for s in steps]
    assert calls[0] == ("basic_qos", {"prefetch_count": 50})
    assert calls[1] == ("exchange_declare", {"exchange": "scoregate.dead-letter", "exchange_type": "topic", "durable": True})
    assert ("queue_bind", {"queue": "scoregate.dead-letter", "exchange": "scoregate.dead-letter", "routing_key": "#"}) in calls
    assert ("queue_declare", {"queue": "q.json", "durable": True, "arguments": {
        "x-queue-type": "quorum", "x-delivery-limit": 5, "x-dead-letter-exchange": "scoregate.dead-letter"}}) in calls
    assert ("queue_declare", {"queue": "q.xml", "passive": True}) in calls
    delay_queues = {k["queue"]: k["arguments"] for m, k in calls if k.get("queue", "").startswith("q.json.retry")}
    assert delay_queues == {
        "q.json.retry.500ms": {"x-message-ttl": 500, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "q.json"},
        "q.json.retry.1000ms": {"x-message-ttl": 1000, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "q.json"},
    }


def test_no_delay_queues_when_replying_at_once() -> None:
    steps = plan(config(retry={"reply_at_once": True}))
    assert not [s for s in steps if ".retry." in str(s.kwargs.get("queue", ""))]
