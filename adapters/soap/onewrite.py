"""One socket write per HTTP response.

uvicorn writes a response in two pieces: the status line and headers when the app sends
``http.response.start``, the body on ``http.response.body``; each goes to the socket at once, so a
SOAP answer costs two ``send()`` calls and two TCP segments (and two wake-ups of the caller). On
loopback under 16 clients the two sends were a fifth of the SOAP gateway's CPU per request
(py-spy; docs/BENCHMARKS.md, round 2). :class:`OneWriteProtocol` is uvicorn's own httptools protocol
with a transport that holds what is written until the response is complete, then writes it once.
Anything written outside a response (``100 Continue``, uvicorn's own error answers) goes out on
the event loop's next turn at the latest, and before the connection closes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _OneWriteTransport:
    """A transport that gathers writes and hands them to the real one in a single write."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._pending: list[bytes] = []
        self._scheduled = False
        self._loop = asyncio.get_running_loop()

    def write(self, data: bytes) -> None:
        if not data:
            return
        self._pending.append(bytes(data))
        if not self._scheduled:  # a write no response completes still leaves on the next turn
            self._scheduled = True
            self._loop.call_soon(self._flush_soon)

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        if self._pending:
            data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._pending = []
            self._transport.write(data)

    def _flush_soon(self) -> None:
        self._scheduled = False
        self.flush()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._pending = []
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._pending))

    def __getattr__(self, name: str) -> Any:  # everything else is the real transport's
        return getattr(self._transport, name)


class OneWriteProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, writing each response with one ``send()``."""

    def connection_made(self, transport) -> None:  # noqa: ANN001 - asyncio's signature
        super().connection_made(_OneWriteTransport(transport))

    def on_response_complete(self) -> None:
        self.transport.flush()  # type: ignore[attr-defined] # the whole response, now
        super().on_response_complete()
