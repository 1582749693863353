"""What every channel is: a lifecycle (start, stop with grace, health) and what becomes of a request.

Channels are driven by ``scoregate.app``; each one owns its transport loop and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from scoregate.core.probe import CoreHealth


class Disposition(StrEnum):
    """What the transport loop does with a request after the handler is done with it: an AMQP
    message, or a whole file of the file channel."""

    ANSWERED = "answered"
    """The answer (a result or an error in the caller's format) is to be sent, then the request acked."""
    RETRY = "retry"
    """Not answered yet (the core is unavailable): keep the request for a later attempt (a file
    goes back into the inbox)."""
    DEAD_LETTER = "dead_letter"
    """Cannot be answered at all (no reply address, unknown format; a file refused whole): set
    aside with a reason (a file into the error directory, with its reason file)."""
    DROPPED = "dropped"
    """Answered by nobody on purpose (the caller stopped waiting): acked and counted."""


@dataclass(frozen=True)
class ChannelHealth:
    ready: bool
    detail: str = ""
    """When not ready: the dependency that is missing (core unreachable, broker down, ...). When
    ready: an optional note (answering by the fallback model while the core is unreachable)."""


class _ReadinessSource(Protocol):
    def readiness(self) -> CoreHealth: ...


def core_health(client: _ReadinessSource) -> ChannelHealth:
    """A channel's readiness as far as the core goes, from its scoring client's probe: every
    channel reports an unreachable core the same way (the last check in each ``health()``)."""
    state = client.readiness()
    return ChannelHealth(state.ready, state.detail)


class Channel(Protocol):
    """A legacy channel's lifecycle, in the order the gateway calls it."""

    name: str

    async def start(self) -> None:
        """Open the listener, consumer or watcher. Called once; the channel takes work after it."""

    async def stop(self, grace: float) -> None:
        """Stop taking work, finish what is in flight within ``grace`` seconds, release the rest
        (requeue, leave the file) so that nothing is lost. Called once."""

    def health(self) -> ChannelHealth:
        """Readiness, naming what is missing. Must not block."""
