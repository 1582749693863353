"""What an operator sees of broker outages: one line per failed attempt with its reason, one line
when consuming again, and counters that say what their names say.

The broker is real; the outage is a port with nothing behind it that later starts forwarding to
the broker (a plain TCP relay started by the test), so that "refused" and "back" both happen for
real without stopping the shared broker.
"""

from __future__ import annotations

import logging
import socket
import threading

import pytest
from amqp_support import json_request, wait_for

from scoregate.adapters.amqp import Responder
from scoregate.core.client import ScoringClient

CONSUMER_LOG = "scoregate.adapters.amqp.consumer"


class Relay:
    """Listens on ``port`` and pipes every connection to the broker at 127.0.0.1:5672."""

    def __init__(self, port: int) -> None:
        self.server = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", 5672))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.server.close()


def test_refused_attempts_are_one_warning_each_and_the_reconnect_one_info_line(
    make_config, shared_core, ids, producer, free_port: int, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=CONSUMER_LOG)
    url = f"amqp://guest:guest@127.0.0.1:{free_port}/%2F"
    config = make_config(url=url, reconnect_initial_s=0.1, reconnect_max_s=0.2)
    client = ScoringClient(shared_core.client_settings())
    responder = Responder(config, client)
    relay: Relay | None = None
    try:
        responder.start()
        assert wait_for(lambda: responder.stats["reconnect_attempts"] >= 3)
        assert not responder.health().ready
        assert responder.health().detail == (
            f"cannot connect to 127.0.0.1:{free_port}/%2F: connection refused (is the broker running on that port?)")
        relay = Relay(free_port)
        assert responder.wait_ready(10)
        attempts = responder.stats["reconnect_attempts"]
        lines = [r for r in caplog.records if r.name == CONSUMER_LOG]
        warnings = [r.getMessage() for r in lines if r.levelno == logging.WARNING]
        infos = [r.getMessage() for r in lines if r.levelno == logging.INFO]
        assert len(warnings) == attempts, warnings  # one per failed attempt, no more
        assert all("connection refused" in w and "reconnecting in" in w for w in warnings)
        assert len(infos) == 1 and f"connected to 127.0.0.1:{free_port}/%2F again after" in infos[0]
        assert f"and {attempts} failed attempt(s)" in infos[0]
        assert responder.stats["reconnects"] == 1  # the successful one; attempts counted apart

        # The channel works through the relay.
        p = producer()
        p.send(f"{ids}.json", json_request("RC-1"))
        (reply,) = p.wait(1)
        assert reply.headers["x-scoregate-status"] == "ok"
    finally:
        responder.stop(2.0)
        client.close()
        if relay is not None:
            relay.close()
