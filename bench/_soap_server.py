"""One HTTP server of the SOAP benchmark, run as its own process; prints ``listening on port N``.

    python bench/_soap_server.py static|lxml|soap|soap-percall|soap-nocore CORE_TARGET [TLS_DIR]

All three run the same way: uvicorn, one worker, one event loop, 127.0.0.1 port 0, no access log.

- ``static``: answers every POST with a prepared response (the HTTP stack's ceiling).
- ``lxml``: the hand-written handler (_soap_handlers.HandWritten) scoring through the core, one
  core call per request (coalescing off): the per-request baseline.
- ``soap``: the real SoapChannel on the demo contract, scoring through the core (client defaults:
  concurrent requests coalesced into shared calls).
- ``soap-percall``: the same with coalescing off, one core call per request.
- ``soap-nocore``: the SoapChannel whose scoring client is replaced by a prepared result, given
  after ``SOAP_NOCORE_DELAY_MS`` (default 2, about a core call's round trip, so that as many
  requests are in flight as with the core): what the channel costs without the gRPC client, for
  bench/soap_ab.py. Measurement only; the tests use the real core.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import uvicorn
from _soap_handlers import CONFIG, RESULT, HandWritten, envelope

from scoregate.adapters.soap import SoapChannel, SoapChannelConfig
from scoregate.core import heap
from scoregate.core.client import AsyncScoringClient
from scoregate.core.errors import ScoreError
from scoregate.core.settings import ClientSettings

_XML = [(b"content-type", b"text/xml; charset=utf-8")]


async def _body(receive) -> bytes:  # noqa: ANN001
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def static_app():  # noqa: ANN201
    reply = HandWritten().encode(RESULT, "LN20110342")
    headers = [*_XML, (b"content-length", str(len(reply)).encode())]

    async def app(scope, receive, send) -> None:  # noqa: ANN001
        await _body(receive)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": reply})

    return app


def lxml_app(target: str):  # noqa: ANN201
    handler, state = HandWritten(), {}

    async def app(scope, receive, send) -> None:  # noqa: ANN001
        client = state.get("client") or state.setdefault(
            "client", AsyncScoringClient(ClientSettings(target=target, coalesce=False)))
        try:
            request, reference = handler.decode(await _body(receive))
            status, reply = 200, handler.encode(await client.score(request), reference)
        except (ScoreError, ValueError) as exc:
            status, reply = 500, f"<fault>{type(exc).__name__}</fault>".encode()
        headers = [*_XML, (b"content-length", str(len(reply)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": reply})

    return app


async def serve_plain(app) -> None:  # noqa: ANN001
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say so (see soap/server.py _bind).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None, access_log=False, server_header=False))
    print(f"listening on port {sock.getsockname()[1]}", flush=True)
    await server.serve(sockets=[sock])  # uvicorn's own handlers stop it on SIGTERM


class _PreparedAnswers:
    """soap-nocore's stand-in for the scoring client: every request gets RESULT after a fixed delay."""

    coalescer = None

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s

    async def score(self, request):  # noqa: ANN001, ANN201
        await asyncio.sleep(self.delay_s)
        return RESULT


async def serve_soap(target: str, coalesce: bool, tls_dir: str | None = None, nocore: bool = False) -> None:
    # TLS_DIR (soap only): server.crt/server.key and clients' ca.pem there: HTTPS requiring client certificates.
    tls = {} if tls_dir is None else {
        "tls_cert_file": f"{tls_dir}/server.crt", "tls_key_file": f"{tls_dir}/server.key", "tls_client_ca_file": f"{tls_dir}/ca.pem",
        "client_certificates": [{"subject": "CN=bench-client", "caller": "bench"}],
    }
    client = AsyncScoringClient(ClientSettings(target=target, coalesce=coalesce)) if not nocore else \
        _PreparedAnswers(float(os.environ.get("SOAP_NOCORE_DELAY_MS", "2")) / 1000)
    channel = SoapChannel(SoapChannelConfig.load(CONFIG, port=0, **tls), client=client)
    await channel.start()
    heap.settle()  # as the gateway does once its channels are up (app/runner.py)
    print(f"listening on port {channel.port}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    await channel.stop(1.0)
    if client.coalescer is not None:  # how many requests shared a call, for whoever reads the output
        print(f"coalescing: {client.coalescer.stats}", flush=True)


def main() -> None:
    mode, target = sys.argv[1], sys.argv[2]
    assert envelope()  # the workload builds
    if mode.startswith("soap"):
        asyncio.run(serve_soap(target, mode == "soap", sys.argv[3] if len(sys.argv) > 3 else None, mode == "soap-nocore"))
    else:
        asyncio.run(serve_plain(static_app() if mode == "static" else lxml_app(target)))


if __name__ == "__main__":
    main()
