"""Per-channel fallback in the gateway: configuration and a real SOAP call answered while the core is down."""

from __future__ import annotations

import asyncio
import urllib.request
from pathlib import Path

import pytest
from pydantic import ValidationError

from scoregate.app.config import GatewayConfig
from scoregate.app.gateway import Gateway
from scoregate.app.paths import DEFAULTS_DIR

SOAP = DEFAULTS_DIR / "soap" / "loan-risk.toml"


def _config(tmp_path: Path, text: str) -> GatewayConfig:
    file = tmp_path / "gateway.toml"
    file.write_text(text)
    return GatewayConfig.load(file)


def test_fallback_model_is_required_by_a_channel_that_asks_for_it(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match='soap have fallback = "model" but no fallback_model'):
        _config(tmp_path, f'[channels.soap]\nconfig = "{SOAP}"\nfallback = "model"\n')
    with pytest.raises(ValidationError, match="fallback"):
        _config(tmp_path, f'[channels.soap]\nconfig = "{SOAP}"\nfallback = "maybe"\n')


def test_soap_with_fallback_answers_while_the_core_is_down(free_port: int, tmp_path: Path) -> None:
    fallback = DEFAULTS_DIR / "fallback" / "credit-risk" / "1-fallback"
    config = _config(
        tmp_path,
        f'fallback_model = "{fallback}"\n[health]\nport = 0\n'
        f'[client]\ntarget = "127.0.0.1:{free_port}"\ntimeout_s = 1\nretry_attempts = 2\n'
        f'[channels.soap]\nconfig = "{SOAP}"\nfallback = "model"\nset = {{ port = 0 }}\n',
    )
    gateway = Gateway(config, config.client_settings())
    gateway.build()
    envelope = (DEFAULTS_DIR / "soap" / "sample-request.xml").read_bytes()

    async def run() -> str:
        await gateway.start()
        try:
            url = gateway.channels[0].url
            request = urllib.request.Request(url, envelope, {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
            return await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=30).read().decode())
        finally:
            await gateway.stop(2)

    reply = asyncio.run(run())
    assert "<ns0:RiskScore>" in reply and "credit-risk:1-fallback" in reply
