"""The SOAP benchmark's load client, its own process: N keep-alive connections posting the prepared
envelope, each waiting for its answer before sending again. Prints one JSON object.

    python bench/_soap_load.py PORT PATH --clients 16 --seconds 5 --warmup-s 1

asyncio with raw streams rather than an HTTP library: the client shares the machine's two cores
with the servers and the core, so it should cost as little per request as it can (an httpx client
measured itself rather than the server, research: soap-feasibility §1.4).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import time

from _soap_handlers import NS, envelope


async def _client(port: int, request: bytes, start: float, stop: float, out: list, errors: list, total: list,
                  tls: ssl.SSLContext | None = None) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls)
    clock = time.perf_counter_ns
    try:
        while time.perf_counter() < stop:
            t0 = clock()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            t1 = clock()
            total.append(1)
            if head[9:12] != b"200":
                errors.append(head[9:12].decode())
            elif t1 / 1e9 >= start:
                out.append((t1, t1 - t0))
    finally:
        writer.close()


async def run(port: int, path: str, clients: int, seconds: float, warmup_s: float, tls: ssl.SSLContext | None = None) -> dict:
    body = envelope()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/xml; charset=utf-8\r\n"
        f'SOAPAction: "{NS}/AssessCreditApplication"\r\nContent-Length: {len(body)}\r\n\r\n'
    ).encode() + body
    now = time.perf_counter()
    start, stop = now + warmup_s, now + warmup_s + seconds
    out: list[tuple[int, int]] = []
    errors: list[str] = []
    total: list[int] = []
    await asyncio.gather(*(_client(port, request, start, stop, out, errors, total, tls) for _ in range(clients)))
    counted = [d for finished, d in out if finished / 1e9 <= stop]
    return {"samples_us": [d // 1000 for d in counted], "seconds": seconds, "req_per_s": len(counted) / seconds,
            "errors": len(errors), "clients": clients, "total": len(total)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("path")
    p.add_argument("--clients", type=int, default=1)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--warmup-s", type=float, default=1.0)
    p.add_argument("--tls", nargs=3, metavar=("CA", "CERT", "KEY"), help="HTTPS with a client certificate")
    a = p.parse_args()
    tls = None
    if a.tls:
        tls = ssl.create_default_context(cafile=a.tls[0])
        tls.load_cert_chain(a.tls[1], a.tls[2])
    print(json.dumps(asyncio.run(run(a.port, a.path, a.clients, a.seconds, a.warmup_s, tls))))


if __name__ == "__main__":
    main()
