"""The SOAP channel's registration (``adapters/registry.py``): config, builder, preflight, banner lines."""

from __future__ import annotations

from pathlib import Path

from scoregate.adapters.mapping_check import check_config
from scoregate.adapters.registry import Banner, ChannelContext, ChannelSpec, ModelLookup
from scoregate.adapters.soap.config import SoapChannelConfig
from scoregate.adapters.soap.preflight import preflight
from scoregate.adapters.soap.scaffold import SCAFFOLDER
from scoregate.adapters.soap.server import SoapChannel

SAMPLE_REQUEST = "sample-request.xml"
"""A sample request beside the WSDL, for the banner's ``curl`` line (the demo ships one)."""


def build(config: SoapChannelConfig, context: ChannelContext) -> SoapChannel:
    # The asyncio client is made at start(), inside the loop that serves (ChannelContext says why).
    return SoapChannel(config, client_settings=context.client_settings, client_hooks=context.hooks, metrics=context.metrics,
                       redis=context.redis)


def check(config: SoapChannelConfig, models: ModelLookup) -> list[str]:
    """The WSDL loads and the mapping fits it (``preflight.py``), and each operation's mapping fits
    its model (``mapping_check.py``)."""
    return preflight(config) or check_config(config, models)


def describe(channel: SoapChannel, config_file: Path, banner: Banner) -> list[str]:
    lines = [channel.url, f"WSDL: {channel.url}?wsdl"]
    sample = channel.config.wsdl.parent / SAMPLE_REQUEST
    if sample.is_file():
        lines.append(f"curl -s -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: \"\"' "
                     f"--data-binary @{banner.sample(sample)} {channel.url}")
    return lines


CHANNEL = ChannelSpec(name="soap", config=SoapChannelConfig, build=build, describe=describe, check=check, scaffold=SCAFFOLDER)
