"""Fuzz targets: each takes arbitrary bytes and must either decode them or refuse them cleanly.

A target is a function of no arguments that builds the decoder once and returns the per-input
callable; the callable returns normally for input that decodes *or* is refused with the error the
decoder documents (``LayoutError`` for a copybook, ``InvalidInput`` for a message, ``SoapFault`` or
``InvalidInput`` for a SOAP request). Anything else escaping it is a finding.

The builders import scoregate inside, so that ``fuzz/run.py`` can import them under atheris'
coverage instrumentation; the regression tests call the same callables without atheris.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

OneInput = Callable[[bytes], None]
REPO = Path(__file__).resolve().parents[1]
DEFAULTS = REPO / "app" / "defaults"


def copybook() -> OneInput:
    """The copybook parser (lexer, clauses, PIC, OCCURS, REDEFINES) on any text."""
    from scoregate.adapters.codecs.fixedwidth import LayoutError, parse_copybook

    def one(data: bytes) -> None:
        fixed = (None, True, False)[data[0] % 3] if data else None
        try:
            layout = parse_copybook(data[1:].decode("latin-1"), fixed_format=fixed)
        except LayoutError:
            return
        layout.describe()

    return one


def records() -> OneInput:
    """The record decoder: the demo file layout (header/detail/trailer by selector), FB, VB, VB with BDWs."""
    from scoregate.adapters.codecs.fixedwidth import RecordCodec, RecordError
    from scoregate.adapters.files.demo import demo_codec

    layout = demo_codec().layout
    codecs = [
        RecordCodec(layout, "cp037", "FB"),
        RecordCodec(layout, "cp037", "VB"),
        RecordCodec(layout, "cp037", "VB", block_descriptors=True),
        RecordCodec(layout, "latin-1", "FB", line_end=b"\n"),
    ]

    def one(data: bytes) -> None:
        if len(data) < 2:
            return
        codec, chunk = codecs[data[0] % len(codecs)], 1 + data[1] % 97
        batch_records = 3 if data[1] & 0x80 else 64  # small batches cross chunk and record boundaries more often
        body = data[2:]
        chunks = (body[i:i + chunk] for i in range(0, len(body), chunk))
        for batch in codec.iter_batches(chunks, batch_records=batch_records):
            for part in batch.parts.values():
                part.columns  # noqa: B018 - decoded columns are built lazily by some parts
            batch.explain(5)
        try:
            codec.decode_one(body[:codec.lrecl])
        except RecordError:
            pass

    return one


def _amqp_codec(index: int):  # noqa: ANN202
    from scoregate.adapters.amqp.config import AmqpChannelConfig

    return AmqpChannelConfig.load(DEFAULTS / "amqp" / "demo.toml").queues[index].codec()


def _message(index: int) -> OneInput:
    from scoregate.core.errors import InvalidInput

    codec = _amqp_codec(index)

    def one(data: bytes) -> None:
        try:
            codec.decode(data, request_id="fuzz", channel="fuzz")
        except InvalidInput:
            pass

    return one


def json_message() -> OneInput:
    """The JSON message format and the demo queue's mapping, bytes to ScoreRequest."""
    return _message(0)


def fixedwidth_message() -> OneInput:
    """The fixed-width EBCDIC message format (demo LOANREQ copybook) and its mapping."""
    return _message(1)


def soap_request() -> OneInput:
    """The SOAP request path without HTTP: open the envelope (parse, version, operation, headers), read the body."""
    from scoregate.adapters.soap.codec import SoapCodec
    from scoregate.adapters.soap.config import SoapChannelConfig
    from scoregate.adapters.soap.contract import ServiceContract
    from scoregate.adapters.soap.faults import SoapFault
    from scoregate.core.errors import InvalidInput

    config = SoapChannelConfig.load(DEFAULTS / "soap" / "loan-risk.toml")
    codec = SoapCodec(ServiceContract(config.wsdl), config.limits.max_body_bytes)
    content_types = ("text/xml; charset=utf-8", "application/soap+xml; charset=utf-8", "text/xml; charset=iso-8859-1", "")

    def one(data: bytes) -> None:
        content_type = content_types[data[0] % len(content_types)] if data else ""
        try:
            codec.read(codec.open(data[1:], content_type, '""'))
        except (SoapFault, InvalidInput):
            pass

    return one


TARGETS: dict[str, Callable[[], OneInput]] = {
    "copybook": copybook,
    "records": records,
    "json_message": json_message,
    "fixedwidth_message": fixedwidth_message,
    "soap_request": soap_request,
}
