"""The SOAP endpoint writes each response with one socket write (adapters/soap/onewrite.py), and
what uvicorn writes outside a response (100 Continue) still goes out at once.

The writes are counted on asyncio's own socket transport class, around the real method: the
endpoint runs in this process (soap_server), the client is a plain blocking socket, and the
core's gRPC connections do not use asyncio transports, so every counted write is the endpoint's.
"""

from __future__ import annotations

import asyncio.selector_events
import socket
from urllib.parse import urlsplit

from soap_support import ACTION, assess_envelope, born_years_ago

_Transport = asyncio.selector_events._SelectorSocketTransport


def _request(path: str, body: bytes, expect_continue: bool = False) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: text/xml; charset=utf-8\r\n"
            f'SOAPAction: "{ACTION}"\r\nContent-Length: {len(body)}\r\n')
    return (head + ("Expect: 100-continue\r\n" if expect_continue else "") + "\r\n").encode()


def _read_response(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(65536)
    return head, body


def test_each_response_is_one_socket_write(soap_server, monkeypatch) -> None:
    writes: list[bytes] = []
    original = _Transport.write

    def counted(self, data) -> None:  # noqa: ANN001
        writes.append(bytes(data))
        original(self, data)

    monkeypatch.setattr(_Transport, "write", counted)
    url = urlsplit(soap_server.url)
    body = assess_envelope(born_years_ago(41)).encode()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        for _ in range(3):  # one keep-alive connection, three requests in turn
            sock.sendall(_request(url.path, body) + body)
            head, answer = _read_response(sock)
            assert head.startswith(b"HTTP/1.1 200") and b"DecisionCode" in answer
    assert len(writes) == 3
    assert all(w.startswith(b"HTTP/1.1 200") and w.endswith(b"Envelope>") for w in writes)


def test_100_continue_is_sent_before_the_body_arrives(soap_server) -> None:
    url = urlsplit(soap_server.url)
    body = assess_envelope(born_years_ago(41)).encode()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(_request(url.path, body, expect_continue=True))
        assert sock.recv(65536).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")  # the body is not sent yet
        sock.sendall(body)
        head, answer = _read_response(sock)
    assert head.startswith(b"HTTP/1.1 200") and b"DecisionCode" in answer
