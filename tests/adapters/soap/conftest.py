"""SOAP channel fixtures: the demo contract and a real SoapChannel over HTTP on 127.0.0.1:0."""

from __future__ import annotations

import pytest
from soap_support import ATTRIBUTES, DEMO_CONFIG, INLINE, ChannelThread

from scoregate.adapters.soap import SoapChannelConfig
from scoregate.core.settings import ClientSettings


@pytest.fixture(scope="session")
def soap_config() -> SoapChannelConfig:
    return SoapChannelConfig.load(DEMO_CONFIG, port=0, host="127.0.0.1")


@pytest.fixture(scope="session")
def soap_server(shared_core, soap_config) -> ChannelThread:
    """The demo endpoint on a free port, scoring with the session's shared core."""
    server = ChannelThread(soap_config, shared_core.client_settings()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def attributes_server(shared_core) -> ChannelThread:
    """The attributes12 contract (SOAP 1.2 only) on a free port."""
    server = ChannelThread(SoapChannelConfig.load(ATTRIBUTES / "loan-score.toml", port=0), shared_core.client_settings()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def inline_server(shared_core) -> ChannelThread:
    """The inline-many contract (SOAP 1.1) on a free port."""
    server = ChannelThread(SoapChannelConfig.load(INLINE / "apply.toml", port=0), shared_core.client_settings()).start()
    yield server
    server.stop()


@pytest.fixture
def channel_factory():
    started: list[ChannelThread] = []

    def start(config: SoapChannelConfig, settings: ClientSettings) -> ChannelThread:
        server = ChannelThread(config, settings).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
