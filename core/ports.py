"""A port that is already taken, said in one line that names the port and who holds it.

Every listener of scoregate (the core's gRPC and metrics ports, the gateway's health port, the
SOAP channel) raises :class:`PortInUse` instead of a bare ``OSError: [Errno 98]``; the CLI prints
its message and nothing else. The holder is looked up in ``/proc`` (Linux; another user's process,
or another system, gives no name and the message says only that the port is taken).
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

_LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp


class CannotListen(OSError):
    """A listener could not start; ``str()`` is the whole message for the user."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


class PortInUse(CannotListen):
    """Raised by a listener whose port is taken, naming who holds it."""

    def __init__(self, port: int, what: str, hint: str = "") -> None:
        self.port = port
        self.what = what
        holder = listening_process(port)
        who = f"by {holder}" if holder else "by another process"
        fix = f"stop it, or choose another port{f' ({hint})' if hint else ''}"
        super().__init__(errno.EADDRINUSE, f"port {port} ({what}) is already in use {who}: {fix}")


def is_in_use(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno == errno.EADDRINUSE


def _taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As servers do: connections of a previous process in TIME_WAIT do not make the port taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host or "0.0.0.0", port))
        except OSError as error:
            return is_in_use(error)
    return False


def ensure_free(address: str, what: str, hint: str = "") -> None:
    """Raise PortInUse before handing ``host:port`` to a library that would only log why it
    cannot bind (gRPC writes a C++ log line and raises a bare RuntimeError)."""
    host, _, port = address.rpartition(":")
    if port.isdigit() and int(port) and _taken(host.strip("[]"), int(port)):
        raise PortInUse(int(port), what, hint)


def bind_tcp(host: str, port: int, what: str, hint: str = "") -> socket.socket:
    """A bound TCP socket for an asyncio server (uvicorn's ``sockets=``); PortInUse when taken.

    The socket carries proto=IPPROTO_TCP (as getaddrinfo gives it): asyncio turns Nagle off
    (TCP_NODELAY) only on such sockets, and with Nagle on, an HTTP response's second write waits
    for the client's delayed ACK: 40 ms per request (measured with bench/soap_bench.py)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        if is_in_use(error):
            raise PortInUse(port, what, hint) from None
        raise
    return sock


def cannot_listen(address: str, what: str) -> CannotListen:
    return CannotListen(errno.EADDRNOTAVAIL, f"cannot listen on {address} ({what}): not an address of this machine?")


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def _command(pid: str) -> str:
    words = [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    if len(words) > 1 and Path(words[0]).name.startswith("python") and words[1] != "-c":
        words = words[2:] if words[1] == "-m" else words[1:]  # the module or script it runs
    if words:
        words[0] = Path(words[0]).name
    text = " ".join(" ".join(words).split())
    return text[:60] + "..." if len(text) > 60 else text


def listening_process(port: int) -> str | None:
    """``pid 1234 (scoregate up)`` for the process listening on ``port``, when it can be seen."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") in wanted for fd in fds):
                return f"pid {pid} ({_command(pid)})"
        except OSError:  # gone, or not ours to look at
            continue
    return None
