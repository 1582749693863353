"""Test helpers for the AMQP channel: a real pika producer, broker-side connection closing, cleanup.

The producer is what a legacy caller does: a BlockingConnection, persistent requests with
``reply_to`` and ``correlation_id``, replies read from a named exclusive queue or from direct
reply-to.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pika
import pika.exceptions

from scoregate.adapters.configfile import read_config_file
from scoregate.adapters.amqp import topology
from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.codecs.fixedwidth import RecordCodec, parse_copybook
from scoregate.app.demo import DEMO_APPLICANT
from scoregate.app.paths import DEFAULTS_DIR

URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEMO_CONFIG = DEFAULTS_DIR / "amqp" / "demo.toml"
DIRECT = "amq.rabbitmq.reply-to"


@dataclass
class Received:
    properties: pika.BasicProperties
    body: bytes
    routing_key: str = ""

    @property
    def correlation_id(self) -> str | None:
        return self.properties.correlation_id

    @property
    def headers(self) -> dict[str, Any]:
        return dict(self.properties.headers or {})

    def json(self) -> Any:
        return json.loads(self.body)


class Producer:
    """A legacy requester. ``reply_queue=None`` uses direct reply-to, otherwise that named queue."""

    def __init__(self, reply_queue: str | None = None, url: str = URL, params: pika.ConnectionParameters | None = None) -> None:
        self.connection = pika.BlockingConnection(params or pika.URLParameters(url))
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()
        self.replies: list[Received] = []
        if reply_queue is None:
            self.reply_to = DIRECT
            queue = DIRECT
        else:
            self.channel.queue_declare(reply_queue, exclusive=True, auto_delete=True)
            self.reply_to = queue = reply_queue
        self.channel.basic_consume(queue, self._on_reply, auto_ack=True)

    def _on_reply(self, channel: Any, method: Any, properties: pika.BasicProperties, body: bytes) -> None:
        self.replies.append(Received(properties, body))

    def send(
        self, queue: str, body: bytes | str | dict, *, correlation_id: str | None = None, message_id: str | None = None,
        content_type: str | None = "application/json", reply_to: str | None | bool = True,
        headers: dict | None = None, expiration: str | None = None, timestamp: int | None = None,
    ) -> str:
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        correlation_id = correlation_id or uuid.uuid4().hex
        properties = pika.BasicProperties(
            correlation_id=correlation_id, message_id=message_id, content_type=content_type, delivery_mode=2,
            reply_to=self.reply_to if reply_to is True else (reply_to or None), headers=headers,
            expiration=expiration, timestamp=timestamp,
        )
        self.channel.basic_publish("", queue, body, properties, mandatory=True)
        return correlation_id

    def wait(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Pump the connection until ``count`` replies in total have arrived, or the timeout."""
        deadline = time.monotonic() + timeout
        while len(self.replies) < count and time.monotonic() < deadline:
            self.connection.process_data_events(time_limit=0.05)
        return self.replies

    def settle(self, quiet: float = 0.5, timeout: float = 10.0) -> list[Received]:
        """Pump until no reply has arrived for ``quiet`` seconds (to catch duplicates)."""
        deadline = time.monotonic() + timeout
        seen, last_change = len(self.replies), time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - last_change < quiet:
            self.connection.process_data_events(time_limit=0.05)
            if len(self.replies) != seen:
                seen, last_change = len(self.replies), time.monotonic()
        return self.replies

    def close(self) -> None:
        try:
            self.connection.close()
        except pika.exceptions.AMQPError:
            pass


def duplicates(replies: list[Received]) -> dict[str, list[Received]]:
    """Replies by correlation id, for the ids answered more than once."""
    by_id: dict[str, list[Received]] = {}
    for reply in replies:
        by_id.setdefault(reply.correlation_id or "", []).append(reply)
    return {cid: rs for cid, rs in by_id.items() if len(rs) > 1}


def assert_doubled_only_where_in_doubt(replies: list[Received], stats: dict[str, int]) -> None:
    """Exactly one reply each, except where the broker stored a reply without confirming it (nacked
    as its queue went down, or the confirm lost with the connection). The gateway cannot tell that
    from a lost reply, so the request comes back and gets the same reply again from the cache; the
    gateway counts such publishes (``publish_nacked``, ``unconfirmed_at_loss``)."""
    doubled = duplicates(replies)
    extra = sum(len(rs) - 1 for rs in doubled.values())
    assert extra <= stats["publish_nacked"] + stats["unconfirmed_at_loss"], (extra, stats)
    assert all(len({r.body for r in rs}) == 1 for rs in doubled.values())  # the same reply again


def wait_for(predicate: Any, timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` passes. Counters move when a request is
    acked, which is after its reply is confirmed and so possibly after the producer has it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def get_all(queue: str, url: str = URL) -> list[Received]:
    """Drain a queue (basic_get) and return its messages."""
    out = []
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return out
            out.append(Received(properties, body, method.routing_key))


def message_count(queue: str, url: str = URL) -> int:
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        return connection.channel().queue_declare(queue, passive=True).method.message_count


def delete_topology(config: AmqpChannelConfig, extra_queues: tuple[str, ...] = (), url: str = URL) -> None:
    queues = [*extra_queues]
    exchanges = []
    for step in topology.plan(config):
        if step.method == "queue_declare":
            queues.append(step.kwargs["queue"])
        elif step.method == "exchange_declare":
            exchanges.append(step.kwargs["exchange"])
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        for name in queues:
            channel.queue_delete(name)
        for name in exchanges:
            channel.exchange_delete(name)


def connection_pids(connection_name: str, timeout: float = 15.0) -> list[str]:
    """Broker-side ids of the connections with that ``connection_name`` client property (rabbitmqctl, ~1-2 s)."""
    deadline = time.monotonic() + timeout
    pattern = re.compile(r'\{"connection_name","' + re.escape(connection_name) + r'"\}')
    while time.monotonic() < deadline:
        listing = subprocess.run(
            ["rabbitmqctl", "-q", "list_connections", "pid", "client_properties"],
            capture_output=True, text=True, check=True,
        ).stdout
        pids = [line.split("\t")[0] for line in listing.splitlines() if pattern.search(line)]
        if pids:
            return pids
        time.sleep(0.2)
    raise AssertionError(f"no broker connection named {connection_name!r}")


def close_connections(pids: list[str]) -> None:
    """Close connections from the broker side, as an operator or a broker shutdown would."""
    for pid in pids:
        subprocess.run(["rabbitmqctl", "-q", "close_connection", pid, "closed by test"], check=True, capture_output=True)


def vhost_url(vhost: str) -> str:
    return f"amqp://guest:guest@127.0.0.1:5672/{urllib.parse.quote(vhost, safe='')}"


def rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, check=True).stdout


def crash_vhost(vhost: str) -> None:
    """Kill the vhost's persistent message store, as a disk or broker failure would.

    The broker then restarts the whole vhost: every connection to it is closed (CONNECTION_FORCED,
    "vhost is down"), its queue processes stop, and the vhost comes back recovering durable queues
    and persistent messages from disk: a broker restart confined to one vhost, so the node and the
    other vhosts keep running.
    """
    assert re.fullmatch(r"[\w.-]+", vhost), vhost  # goes into an Erlang expression as is
    rabbitmqctl("eval", f'exit(rabbit_vhost_msg_store:vhost_store_pid(<<"{vhost}">>, msg_store_persistent), kill).')


# A valid applicant of the demo model (credit-risk), in canonical feature names.
APPLICANT = DEMO_APPLICANT
# Canonical feature -> JSON path of the demo JSON queue (app/defaults/amqp/demo.toml).
JSON_PATHS = {
    "age": "applicant.age", "annual_income": "applicant.annual_income",
    "employment_years": "applicant.employment_years", "home_ownership": "applicant.home_ownership",
    "residence_years": "applicant.residence_years", "number_of_dependants": "applicant.dependants",
    "loan_amount": "loan.amount", "loan_term_months": "loan.term_months", "loan_purpose": "loan.purpose",
    "interest_rate": "loan.interest_rate", "has_cosigner": "loan.cosigner",
    "debt_to_income": "credit.debt_to_income", "revolving_utilisation": "credit.revolving_utilisation",
    "open_accounts": "credit.open_accounts", "credit_history_years": "credit.history_years",
    "delinquencies_2y": "credit.delinquencies_2y",
    "months_since_last_delinquency": "credit.months_since_last_delinquency",
    "inquiries_6m": "credit.inquiries_6m", "bankruptcies": "credit.bankruptcies",
    "savings_balance": "credit.savings_balance",
}


def json_request(reference: str = "A-1", **features: Any) -> dict:
    """A request of the demo JSON format; keyword arguments override canonical features."""
    doc: dict[str, Any] = {"application": {"id": reference}}
    for feature, value in {**APPLICANT, **features}.items():
        section, key = JSON_PATHS[feature].split(".")
        doc.setdefault(section, {})[key] = value
    return doc


def camel(feature: str) -> str:
    return "".join(part.capitalize() for part in feature.split("_"))


def xml_request(reference: str = "X-1", **features: Any) -> bytes:
    """A request of the test XML format: <LoanRequest><ApplicationId/><Applicant><Age/>...</Applicant>."""
    items = []
    for feature, value in {**APPLICANT, **features}.items():
        tag = camel(feature)
        items.append(f'<{tag} xsi:nil="true"/>' if value is None else f"<{tag}>{value}</{tag}>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<LoanRequest xmlns="urn:example:loans" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<ApplicationId>{reference}</ApplicationId><Applicant>{''.join(items)}</Applicant></LoanRequest>"
    ).encode()


def declare_topology(config: AmqpChannelConfig, url: str = URL) -> None:
    """Declare what the gateway would, so requests can be queued before any gateway runs."""
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        for step in topology.plan(config):
            if step.method != "basic_qos":
                getattr(channel, step.method)(**step.kwargs)


def json_queue(name: str) -> dict[str, Any]:
    """The demo JSON queue (app/defaults/amqp/demo.toml) under another name."""
    queue = copy.deepcopy(read_config_file(DEMO_CONFIG)["queues"][0])
    queue["name"] = name
    return queue


def xml_queue(name: str) -> dict[str, Any]:
    demo = json_queue(name)
    features = []
    for spec in demo["request"]["features"]:
        features.append({**spec, "source": f"Applicant/{camel(spec['feature'])}"})
    return {
        "name": name,
        "format": "xml",
        "format_options": {"request_root": "LoanRequest", "namespace": "urn:example:loans"},
        "request": {"model": "credit-risk", "reason_count": 3, "reference": "ApplicationId", "features": features},
        "response": {
            "result": [
                {"target": "ApplicationId", "source": "reference"},
                {"target": "Score", "source": "score", "invert": True},
                {"target": "Decision", "source": "decision", "codes": {"APPROVE": "A", "REVIEW": "R", "DECLINE": "D"}},
                {"target": "Reasons/Reason", "source": "reason_codes", "count": 3},
                {"target": "Model/@version", "source": "version"},
                {"target": "Model", "source": "model"},
            ],
            "error": [
                {"target": "ApplicationId", "source": "reference"},
                {"target": "Code", "source": "code"},
                {"target": "Message", "source": "message"},
                {"target": "Violations/Violation", "source": "violations"},
            ],
        },
    }


def fixed_queue(name: str) -> dict[str, Any]:
    """The demo fixed-width queue (EBCDIC copybook records) under another name, copybooks absolute."""
    queue = copy.deepcopy(read_config_file(DEMO_CONFIG)["queues"][1])
    queue["name"] = name
    for key in ("request_copybook", "response_copybook"):
        queue["format_options"][key] = str(DEMO_CONFIG.parent / queue["format_options"][key])
    return queue


# The demo applicant as a LOANREQ record (app/defaults/amqp/copybooks/LOANREQ.cpy).
FIXED_APPLICANT = {
    "APPLICANT-AGE": 41, "ANNUAL-INCOME": Decimal("58000.00"), "EMPLOYMENT-YEARS": "6.5", "HOME-OWNERSHIP": "M",
    "RESIDENCE-YEARS": 4, "DEPENDANTS": 2, "LOAN-AMOUNT": Decimal("15000.00"), "LOAN-TERM-MONTHS": 36,
    "LOAN-PURPOSE": "CA", "INTEREST-RATE": Decimal("7.90"), "HAS-COSIGNER": "N", "DEBT-TO-INCOME": "0.31",
    "REVOLVING-UTILISATION": "0.42", "OPEN-ACCOUNTS": 7, "CREDIT-HISTORY-YEARS": "12", "DELINQUENCIES-2Y": 0,
    "MONTHS-SINCE-DELINQ": "", "INQUIRIES-6M": 1, "BANKRUPTCIES": 0, "SAVINGS-BALANCE": "4200",
}


def demo_record_codecs() -> tuple[RecordCodec, RecordCodec]:
    """(request, response) record codecs of the demo fixed-width queue, to build and read messages."""
    folder = DEMO_CONFIG.parent / "copybooks"
    return tuple(RecordCodec(parse_copybook((folder / f).read_text()), "cp037", "F")  # type: ignore[return-value]
                 for f in ("LOANREQ.cpy", "LOANRESP.cpy"))


def fixed_request(reference: str = "F-1", **fields: Any) -> bytes:
    request, _ = demo_record_codecs()
    return request.encode_one({"APPLICATION-ID": reference, **FIXED_APPLICANT, **fields})
