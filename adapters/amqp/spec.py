"""The RabbitMQ channel's registration (``adapters/registry.py``): config, builder, preflight (each
queue's mapping against its model), banner lines."""

from __future__ import annotations

from pathlib import Path

from scoregate.adapters.amqp.channel import AmqpChannel
from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.mapping_check import check_config
from scoregate.adapters.registry import Banner, ChannelContext, ChannelSpec

SAMPLE_REQUEST = "sample-request.json"
"""A sample request beside the channel's file, for the banner's ``scoregate amqp request`` line."""


def build(config: AmqpChannelConfig, context: ChannelContext) -> AmqpChannel:
    return AmqpChannel(config, context.scoring_client(), metrics=context.metrics)


def describe(channel: AmqpChannel, config_file: Path, banner: Banner) -> list[str]:
    queues = channel.config.queues
    lines = [f"{channel.config.url.rsplit('@', 1)[-1]} queues {', '.join(q.name for q in queues)}"]
    sample = config_file.parent / SAMPLE_REQUEST
    json_queue = next((q.name for q in queues if q.format == "json"), None)
    if sample.is_file() and json_queue:
        lines.append(f"{banner.command} amqp request {json_queue} {banner.sample(sample)}")
    return lines


CHANNEL = ChannelSpec(name="amqp", config=AmqpChannelConfig, build=build, describe=describe, check=check_config)
