"""What a RabbitMQ channel's configuration model cannot see: every field a fixed-width queue's
mapping reads (sources, ``as_of`` dates, the fields of an ``expr``, the reference) is a field of
its request copybook. JSON and XML messages have no schema to look paths up in: their paths are
not checked (a wrong one is a missing value at run time).
"""

from __future__ import annotations

from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.codecs.fixedwidth_message import FixedWidthFormat
from scoregate.adapters.mapping_check import missing_fields


def check_sources(config: AmqpChannelConfig) -> list[str]:
    """One line per field a fixed-width queue's request mapping reads and its copybook lacks."""
    problems = []
    for i, queue in enumerate(config.queues):
        fmt = queue.codec().format
        if not isinstance(fmt, FixedWidthFormat):
            continue
        record = fmt.request.layout.record_type()
        names = {f.name for f in record.fields if not f.filler}
        where = f"queues[{i}].request"
        if queue.request.reference:
            problems += missing_fields(f"{where}.reference", [queue.request.reference], names, record.name)
        for j, spec in enumerate(queue.request.features):
            problems += missing_fields(f"{where}.features[{j}] ({spec.feature})", spec.fields, names, record.name)
    return problems
