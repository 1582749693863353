"""A throwaway RabbitMQ node with only a TLS listener, started by the test itself.

Its own node name, ports, Mnesia and log directories and Erlang cookie (HOME) in a temporary
folder; it registers with the machine's epmd like any node, and shares nothing else with the
broker the other tests use. ``listeners.tcp = none``: plain AMQP is not served at all.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

from tls_support import TestPki

# Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user, who cannot write the test's
# folder; the script it calls runs the node as whoever starts it.
_SERVER_SCRIPTS = (Path("/usr/lib/rabbitmq/bin/rabbitmq-server"), Path("/usr/sbin/rabbitmq-server"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TlsBroker:
    """``start()`` returns once the TLS port accepts connections; ``stop()`` ends the node's process group."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pki = TestPki(folder)
        self.server_cert = self.pki.server()
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def _environment(self) -> dict[str, str]:
        f = self.folder
        for name in ("mnesia", "log"):
            (f / name).mkdir(exist_ok=True)
        (f / "rabbitmq.conf").write_text(
            "listeners.tcp = none\n"
            f"listeners.ssl.default = 127.0.0.1:{self.port}\n"
            f"ssl_options.cacertfile = {self.pki.ca_file}\n"
            f"ssl_options.certfile = {self.server_cert.cert_file}\n"
            f"ssl_options.keyfile = {self.server_cert.key_file}\n"
            "ssl_options.verify = verify_peer\n"
            "ssl_options.fail_if_no_peer_cert = true\n"
        )
        (f / "enabled_plugins").write_text("[].\n")  # no management plugin: no port of its own
        (f / "rabbitmq-env.conf").write_text("")  # not the machine's /etc/rabbitmq/rabbitmq-env.conf
        env = {k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")}
        env.update({
            "HOME": str(f),  # the node's own Erlang cookie
            "RABBITMQ_CONF_ENV_FILE": str(f / "rabbitmq-env.conf"),
            "RABBITMQ_NODENAME": f"scoregate-tls-{uuid.uuid4().hex[:8]}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(_free_port()),
            "RABBITMQ_DIST_PORT": str(_free_port()),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "RABBITMQ_MNESIA_BASE": str(f / "mnesia"),
            "RABBITMQ_LOG_BASE": str(f / "log"),
            "RABBITMQ_CONFIG_FILE": str(f / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(f / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(f / "enabled_plugins"),
            "RABBITMQ_PLUGINS_EXPAND_DIR": str(f / "plugins-expand"),
            "RABBITMQ_PID_FILE": str(f / "node.pid"),
        })
        return env

    def start(self, timeout: float = 90) -> TlsBroker:
        script = next((p for p in _SERVER_SCRIPTS if p.exists()), None)
        assert script is not None, "rabbitmq-server is not installed (scripts/ensure_rabbitmq.sh installs it)"
        log = (self.folder / "server.out").open("w")
        self.process = subprocess.Popen([str(script)], env=self._environment(), stdout=log, stderr=subprocess.STDOUT,
                                        cwd=self.folder, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the TLS broker did not start:\n{(self.folder / 'server.out').read_text()[-3000:]}")
                time.sleep(0.3)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # the node's own session: the script and its beam
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
