"""Latency between a channel and a real core: the one way to have requests really in flight.

A core on loopback answers in about a millisecond, before any ``stop(grace)`` could begin; a real
network between gateway and core takes longer. The relay is a real TCP hop, not a fake core.
"""

from __future__ import annotations

import queue
import socket
import threading
import time


class SlowLink:
    """A TCP relay to ``127.0.0.1:port`` that delivers every byte ``delay_s`` late, each way.

    Latency only: bytes are timestamped as read and written when due, so throughput is not capped.
    """

    def __init__(self, port: int, delay_s: float) -> None:
        self.target = port
        self.delay_s = delay_s
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, name="slow-link", daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                near, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                far = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                near.close()
                continue
            self._sockets += [near, far]
            for src, dst in ((near, far), (far, near)):
                pending: queue.SimpleQueue = queue.SimpleQueue()
                threading.Thread(target=self._read, args=(src, pending), daemon=True).start()
                threading.Thread(target=self._write, args=(dst, pending), daemon=True).start()

    def _read(self, src: socket.socket, pending: queue.SimpleQueue) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            pending.put((time.monotonic() + self.delay_s, data))
            if not data:
                return

    def _write(self, dst: socket.socket, pending: queue.SimpleQueue) -> None:
        while True:
            due, data = pending.get()
            time.sleep(max(0.0, due - time.monotonic()))
            try:
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                dst.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        for s in self._sockets:
            try:
                s.close()
            except OSError:
                pass
