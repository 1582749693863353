"""The channel registry: names without imports, specs by name, helpful refusals."""

from __future__ import annotations

import sys

import pytest

from scoregate.adapters import registry
from scoregate.adapters.registry import ChannelContext, ChannelSpec, UnknownChannel, channel_names, channel_spec
from scoregate.core.settings import ClientSettings


def test_built_in_channels_are_known_by_name_without_importing_them() -> None:
    loaded = {m for m in sys.modules if m.startswith(("scoregate.adapters.soap", "scoregate.adapters.amqp"))}
    names = channel_names()
    assert names[:3] == ["soap", "amqp", "files"]
    assert {m for m in sys.modules if m.startswith(("scoregate.adapters.soap", "scoregate.adapters.amqp"))} == loaded


@pytest.mark.parametrize("name", list(registry.CHANNELS))
def test_each_built_in_spec_loads_under_its_own_name(name: str) -> None:
    spec = channel_spec(name)
    assert isinstance(spec, ChannelSpec) and spec.name == name
    assert callable(spec.config.load) and callable(spec.build) and callable(spec.describe)


def test_an_unknown_name_gets_a_suggestion() -> None:
    with pytest.raises(UnknownChannel, match=r"unknown channel 'amqq'; did you mean 'amqp'\?"):
        channel_spec("amqq")


def test_a_registration_under_another_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.CHANNELS, "ftp", "scoregate.adapters.files.spec:CHANNEL")
    with pytest.raises(TypeError, match=r"channel 'ftp': scoregate.adapters.files.spec:CHANNEL is not a ChannelSpec named 'ftp'"):
        channel_spec("ftp")


def test_the_context_closes_the_clients_it_made() -> None:
    context = ChannelContext("files", ClientSettings(target="127.0.0.1:1"))
    client = context.scoring_client()
    assert context.metrics is not None and context.metrics.channel == "files"
    context.close()
    with pytest.raises(ValueError, match="closed channel"):  # gRPC's own refusal, before any connection attempt
        client.describe("credit-risk")
