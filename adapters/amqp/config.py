"""``AmqpChannelConfig``: broker, request queues with their format and mapping, retry, dead-lettering.

Every field is documented where it is declared; defaults are the named constants below. Formats are
checked against the codec registry when the config is built, so an unknown format name fails at
``config check`` with a "did you mean", and a format's options are validated by the format itself.
Validate with ``context={"base_dir": <folder of the config file>}`` so that relative paths in
format options (copybooks) resolve against the config, not the working directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from scoregate.adapters.configfile import read_config_file
from scoregate.adapters.codecs.base import MappedCodec, create_format, message_format_class
from scoregate.adapters.mapping import RequestMapping, ResponseMapping

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEFAULT_CONNECTION_NAME = "scoregate-amqp"
DEFAULT_PREFETCH = 100
DEFAULT_HEARTBEAT_S = 30
DEFAULT_DLX = "scoregate.dead-letter"
DEFAULT_DLQ = "scoregate.dead-letter"
DEFAULT_DEADLINE_HEADER = "x-deadline"
# Labels many producers put on any payload (Spring AMQP's SimpleMessageConverter sends every
# string as text/plain): they say nothing against the queue's format.
GENERIC_CONTENT_TYPES = frozenset({"text/plain", "application/octet-stream"})
# RabbitMQ 4.0 made 20 the quorum default; 3.x has none, so it is always declared explicitly.
DEFAULT_DELIVERY_LIMIT = 20


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _relative_to_config(path: Path | None, info: ValidationInfo) -> Path | None:
    base = (info.context or {}).get("base_dir")
    return Path(base) / path if path is not None and base is not None else path


class TlsConfig(_Strict):
    """TLS to the broker (an ``amqps://`` URL): the CA that signs the broker's certificate and this
    client's own certificate, for a broker that asks for one (``ssl_options.verify = verify_peer``)."""

    ca_file: Path
    """PEM certificates of the CA(s) the broker's certificate must be signed by."""
    cert_file: Path | None = None
    """PEM certificate this client presents; with key_file."""
    key_file: Path | None = None
    server_name: str | None = None
    """Name the broker's certificate is checked against; default: the URL's host."""

    @field_validator("ca_file", "cert_file", "key_file")
    @classmethod
    def _resolve(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        path = _relative_to_config(path, info)
        if path is not None and not path.is_file():
            raise ValueError(f"{path} is not a file")
        return path

    @model_validator(mode="after")
    def _pair(self) -> TlsConfig:
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("cert_file and key_file go together")
        return self


class QueueConfig(_Strict):
    """One request queue: where requests come from and what they look like."""

    name: str = Field(min_length=1, max_length=255)
    """Queue name. Replies go wherever each request's ``reply_to`` says."""
    format: str
    """Message format of requests and replies: a registered name (``json``, ``xml``, ``fixedwidth``)."""
    format_options: dict[str, Any] = {}
    """Options of the format (validated by the format's own model, e.g. XML root names)."""
    request: RequestMapping
    """Legacy paths -> canonical features (model, version pin, reason count, reference path)."""
    response: ResponseMapping
    """Canonical result / error -> legacy paths of the reply."""
    declare: bool = True
    """Declare the queue (durable, with the dead-letter exchange); False uses it as found (passive
    declare: a missing queue is reported by health and retried), for brokers managed elsewhere."""
    queue_type: Literal["classic", "quorum"] = "classic"
    """Type of a declared queue. Quorum queues survive node loss and cost ~1 ms per sequential round trip."""
    delivery_limit: int | None = Field(default=DEFAULT_DELIVERY_LIMIT, ge=1)
    """Quorum only: deliveries before the broker dead-letters a message (a crash-loop backstop; the
    gateway's own retries do not count, they republish). Declared explicitly: 3.x has no default."""
    content_types: tuple[str, ...] | None = None
    """Content types a request may be labelled with (``type/subtype``; parameters such as
    ``charset`` are ignored; ``*`` accepts any). None: the format's own (JSON: ``application/json``,
    ``text/json``, ``*+json``; XML: ``application/xml``, ``text/xml``, ``*+xml``) plus
    ``text/plain`` and ``application/octet-stream``, labels that say nothing about the syntax. A
    request labelled otherwise gets an INVALID_INPUT error reply in this queue's format (as every
    request without a ``reply_to``, one without is dead-lettered). A request without a content
    type is taken to be in the queue's format."""
    check_content_type: bool = True
    """False accepts any content type (as ``content_types = ["*"]``)."""

    @model_validator(mode="before")
    @classmethod
    def _validate_options(cls, data: Any, info: ValidationInfo) -> Any:
        """Validate ``format_options`` with the format's own model and the validation context
        (``base_dir`` for relative paths), and keep them resolved for every later ``codec()``."""
        if isinstance(data, dict) and isinstance(data.get("format"), str):
            try:
                cls = message_format_class(data["format"])
            except ValueError:
                return data  # the format field's own check says what is wrong with the name
            options = cls.Options.model_validate(data.get("format_options") or {}, context=info.context)
            data = {**data, "format_options": options.model_dump(mode="json")}
        return data

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        message_format_class(value)  # raises UnknownFormat with suggestions, or names the formats a queue may use
        return value

    @model_validator(mode="after")
    def _codec_builds(self) -> QueueConfig:
        self.codec()  # format options valid, response paths writable
        return self

    def codec(self) -> MappedCodec:
        """The queue's codec (a new one each call; cheap, and formats are immutable)."""
        return MappedCodec(create_format(self.format, self.format_options), self.request, self.response)

    def declare_arguments(self, dead_letter_exchange: str | None) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if self.queue_type == "quorum":
            args["x-queue-type"] = "quorum"
            if self.delivery_limit is not None:
                args["x-delivery-limit"] = self.delivery_limit
        if dead_letter_exchange:
            # Broker-side dead letters (expired in the queue, delivery limit) go where ours go.
            args["x-dead-letter-exchange"] = dead_letter_exchange
        return args


class RetryConfig(_Strict):
    """What happens to a request while the core is unavailable (never an error reply by default)."""

    max_attempts: int = Field(default=5, ge=1, le=20)
    """Scoring attempts per request, the first included; after the last it is dead-lettered."""
    initial_delay_s: float = Field(default=1.0, gt=0)
    """Delay before the second attempt; each later one doubles it, up to ``max_delay_s``."""
    max_delay_s: float = Field(default=60.0, gt=0)
    reply_when_exhausted: bool = True
    """After the last attempt, also send the producer a server-side error reply (it still waits)."""
    reply_at_once: bool = False
    """Reply "core unavailable, try later" on the first failure and do not retry (some producers
    prefer a prompt answer to a long wait)."""

    def delays(self) -> tuple[float, ...]:
        """Delay before attempts 2..max_attempts; one delay queue per distinct delay."""
        return tuple(min(self.initial_delay_s * 2**i, self.max_delay_s) for i in range(self.max_attempts - 1))


class DeadLetterConfig(_Strict):
    """Where unanswerable requests go, with the reason in an ``x-scoregate-reason`` header."""

    exchange: str | None = DEFAULT_DLX
    """Topic exchange the gateway publishes dead letters to, with routing key ``<queue>.<reason>``
    (``scoregate.demo.json.no_reply_to``). Requests the broker dead-letters itself (expired while
    queued, a quorum delivery limit) arrive with the queue's name alone as the key, so expired
    requests and poison messages can be bound to different queues. None: ``basic.reject``
    instead, leaving it to the queue's own dead-letter policy (the reason header is then lost:
    the broker only writes ``x-death``)."""
    queue: str | None = DEFAULT_DLQ
    """Queue bound to the exchange with ``#`` (every dead letter); None binds nothing (someone
    else consumes)."""
    declare: bool = True
    """Declare the exchange (and the queue); False uses them as found."""


class AmqpChannelConfig(_Strict):
    """The RabbitMQ channel: one connection, one confirm channel, any number of request queues."""

    url: str = DEFAULT_URL
    """AMQP URL (``amqp://user:pass@host:port/vhost``, ``amqps://`` for TLS); URL query options
    such as ``heartbeat`` are overridden by the fields below."""
    tls: TlsConfig | None = None
    """CA and client certificate for an ``amqps://`` URL (without it: the system's CAs, no client certificate)."""
    password_file: Path | None = None
    """File holding the broker password (a mounted secret), in place of the URL's; read at each connect."""
    connection_name: str = DEFAULT_CONNECTION_NAME
    """``connection_name`` client property: how operators (and the tests) find this connection."""
    queues: tuple[QueueConfig, ...] = Field(min_length=1)
    """The request queues consumed."""
    prefetch: int = Field(default=DEFAULT_PREFETCH, ge=1, le=65535)
    """Unacknowledged deliveries per queue (basic_qos); also the largest batch sent to the core."""
    heartbeat_s: int = Field(default=DEFAULT_HEARTBEAT_S, ge=0)
    """AMQP heartbeat; the I/O thread never scores, so it is never starved."""
    reconnect_initial_s: float = Field(default=0.5, gt=0)
    """First delay before reconnecting after the connection is lost; doubles per failure, with jitter."""
    reconnect_max_s: float = Field(default=15.0, gt=0)
    workers: int = Field(default=1, ge=1, le=16)
    """Scoring threads; each drains whatever deliveries are waiting into one batch call."""
    batch_linger_ms: float = Field(default=0.0, ge=0, le=100)
    """While busy (the last batch had several requests), wait up to this long for a batch to fill:
    fewer, larger core calls for some latency. A lone request is never delayed."""
    retry: RetryConfig = RetryConfig()
    dead_letter: DeadLetterConfig = DeadLetterConfig()
    deadline_header: str = DEFAULT_DEADLINE_HEADER
    """Request header with an absolute deadline (epoch milliseconds, or ISO 8601 with a zone)."""
    persistent_replies: bool = False
    """Publish replies with delivery_mode 2; only useful when producers read durable reply queues."""
    reply_cache_size: int = Field(default=10_000, ge=0)
    """Replies remembered by message id, so a redelivery is answered the same (0 disables)."""
    reply_cache_ttl_s: float = Field(default=600.0, gt=0)
    """How long a reply is remembered, here and in Redis (``[state] redis``): longer than a request
    can take to come back (a replica's restart, the broker's consumer timeout)."""
    describe_refresh_s: float = Field(default=2.0, gt=0)
    """How long the default version of a model is trusted before asking the core again (a hot
    swap reaches this channel at most this much later)."""

    @model_validator(mode="after")
    def _unique_queues(self) -> AmqpChannelConfig:
        names = [q.name for q in self.queues]
        if len(set(names)) != len(names):
            raise ValueError("queue names must be unique")
        if self.dead_letter.queue and not self.dead_letter.exchange:
            raise ValueError("dead_letter.queue needs dead_letter.exchange")
        if self.tls is not None and not self.url.startswith("amqps://"):
            raise ValueError("tls needs an amqps:// url")
        return self

    @field_validator("password_file")
    @classmethod
    def _password_file(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        path = _relative_to_config(path, info)
        if path is not None and not path.is_file():
            raise ValueError(f"{path} is not a file")
        return path

    def queue(self, name: str) -> QueueConfig:
        return next(q for q in self.queues if q.name == name)

    @classmethod
    def load(cls, file: Path | str, **overrides: Any) -> AmqpChannelConfig:
        """Read a JSON, TOML or YAML file; relative paths (copybooks) resolve against its folder;
        ``overrides`` replace top-level keys (``url``, ``prefetch``, ...)."""
        file = Path(file)
        data = {**read_config_file(file), **overrides}
        return cls.model_validate(data, context={"base_dir": file.resolve().parent})
