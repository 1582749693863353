"""The RabbitMQ channel's registration (``adapters/registry.py``): config, builder, preflight (fixed-width
fields against their copybook, each queue's mapping against its model), banner lines, scaffold."""

from __future__ import annotations

from pathlib import Path

from scoregate.adapters.amqp.channel import AmqpChannel
from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.amqp.preflight import check_sources
from scoregate.adapters.amqp.scaffold import SCAFFOLDER
from scoregate.adapters.mapping_check import check_config
from scoregate.adapters.registry import Banner, ChannelContext, ChannelSpec, ModelLookup

SAMPLE_REQUEST = "sample-request.json"
"""A sample request beside the channel's file, for the banner's ``scoregate amqp request`` line."""


def build(config: AmqpChannelConfig, context: ChannelContext) -> AmqpChannel:
    return AmqpChannel(config, context.scoring_client(), metrics=context.metrics, redis=context.redis)


def check(config: AmqpChannelConfig, models: ModelLookup) -> list[str]:
    """Fixed-width queues read only fields of their copybook (``preflight.py``), and each queue's
    mapping fits its model (``mapping_check.py``)."""
    return check_sources(config) + check_config(config, models)


def describe(channel: AmqpChannel, config_file: Path, banner: Banner) -> list[str]:
    queues = channel.config.queues
    lines = [f"{channel.config.url.rsplit('@', 1)[-1]} queues {', '.join(q.name for q in queues)}"]
    sample = config_file.parent / SAMPLE_REQUEST
    json_queue = next((q.name for q in queues if q.format == "json"), None)
    if sample.is_file() and json_queue:
        lines.append(f"{banner.command} amqp request {json_queue} {banner.sample(sample)}")
    return lines


CHANNEL = ChannelSpec(name="amqp", config=AmqpChannelConfig, build=build, describe=describe, check=check, scaffold=SCAFFOLDER)
