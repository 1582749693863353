"""Process-wide logging: JSON lines for machines, plain lines for a terminal, one context filter.

JSON by python-json-logger (a maintained formatter that handles exceptions, extras and
timestamps) rather than a hand-written ``json.dumps`` formatter. Every line carries
``request_id``, ``reference``, ``channel`` and (in the core) ``caller`` from :mod:`scoregate.core.logcontext`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from pythonjsonlogger.json import JsonFormatter

from scoregate.core.logcontext import ContextFilter, Masker

FORMATS = ("auto", "json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(reference)s] %(message)s"
JSON_FIELDS = ("asctime", "levelname", "name", "message", "request_id", "reference", "channel", "caller")

_filter = ContextFilter()
_handler: logging.Handler | None = None
effective_format = "text"
"""What ``auto`` became; child processes (the embedded core) are started with it."""


def _drop_colour(record: logging.LogRecord) -> bool:
    # uvicorn adds its message again with terminal colour codes as an extra; JSON would carry it.
    record.__dict__.pop("color_message", None)
    return True


def setup_logging(level: str = "info", fmt: str = "auto", masked_fields: Iterable[str] = (), key: bytes = b"") -> None:
    """Configure the root logger once per process. ``auto``: text on a terminal, else JSON."""
    global effective_format
    if fmt == "auto":
        fmt = "text" if sys.stderr.isatty() else "json"
    effective_format = fmt
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(
            JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}, timestamp=False,
        ))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(_filter)
    handler.addFilter(_drop_colour)
    mask_fields(masked_fields, key)
    global _handler
    root = logging.getLogger()
    if _handler is not None:  # called again (tests, a CLI command refining it): replace ours only
        root.removeHandler(_handler)
    _handler = handler
    root.addHandler(handler)
    root.setLevel(level.upper())
    # pika narrates every socket step, and one refused connection is 7 ERROR lines from it; the
    # AMQP channel writes one line per failed attempt with the reason instead (consumer.py).
    debug = logging.getLevelName(level.upper()) <= logging.DEBUG
    logging.getLogger("pika").setLevel(logging.DEBUG if debug else logging.CRITICAL)


def mask_fields(fields: Iterable[str], key: bytes = b"") -> None:
    """Set the personal-data fields (a gateway config is read after logging starts)."""
    _filter.masker = Masker(fields, key)
