"""The channel registry: every channel the gateway can run, by the name a gateway file uses.

A channel is one package and one registration: a :class:`ChannelSpec` naming its configuration
model, its builder and its banner lines. The gateway (``scoregate.app``) wires whatever is
registered and names no channel itself.

- Built-in channels are listed in :data:`CHANNELS` as ``"module:attribute"`` strings, like the
  codecs' ``FORMATS`` (kombu's ``TRANSPORT_ALIASES``): knowing the names imports no channel.
- Other distributions register theirs through the entry point group ``scoregate.channels``
  (``lines = "my_package.channel:CHANNEL"`` in their ``pyproject.toml``), read with
  :mod:`importlib.metadata` each time the names are asked for. A built-in name wins.

An unknown name fails with a "did you mean" suggestion (:class:`UnknownChannel`).
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from scoregate.adapters.channel import Channel
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.outcomes.store import OutcomeStore
from scoregate.adapters.state.settings import StateSection
from scoregate.core.client import ScoringClient, scoring_client
from scoregate.core.contract import ModelDescription
from scoregate.core.hooks import ClientHooks
from scoregate.core.settings import ClientSettings

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from scoregate.adapters.state.redis_client import RedisStore

ENTRY_POINT_GROUP = "scoregate.channels"
"""The entry point group through which other distributions register a :class:`ChannelSpec`."""

#: channel name -> "module:attribute" of its ChannelSpec (the built-in channels).
CHANNELS: dict[str, str] = {
    "soap": "scoregate.adapters.soap.spec:CHANNEL",
    "amqp": "scoregate.adapters.amqp.spec:CHANNEL",
    "files": "scoregate.adapters.files.spec:CHANNEL",
    "outcome_files": "scoregate.adapters.outcome_files.spec:CHANNEL",
    "outcome_queue": "scoregate.adapters.outcome_queue.spec:CHANNEL",
}

class ModelLookup(Protocol):
    """A model's description (feature schema, bands) by name and optional version."""

    def __call__(self, model: str, version: str | None = None) -> ModelDescription | None:
        """None when nobody can say (no core answers, none is asked); raises an exception whose
        message is the problem (``UnknownModel``) when the model does not exist."""


class ChannelConfigModel(Protocol):
    """What a channel's configuration model offers (a strict pydantic model in practice)."""

    @classmethod
    def load(cls, file: Path, **overrides: Any) -> Any:
        """Read the channel's file (TOML, JSON or YAML; relative paths against its folder);
        ``overrides`` replace its top-level keys. Raises pydantic's ValidationError."""


@dataclass
class ChannelContext:
    """What the gateway hands a channel builder besides the channel's own configuration.

    A context rather than a ready client, because channels differ in the client they need: a
    channel that scores on threads (AMQP, files) asks for a blocking :meth:`scoring_client`; one
    that scores in its event loop (SOAP) must create its asyncio client inside that loop, at
    ``start()``, from :attr:`client_settings` and :attr:`hooks`. Either way the client carries the
    gateway's hooks (fallback model, decision recording) and the gateway closes it after ``stop``.
    """

    name: str
    """The channel's registered name (its metrics label and readiness path)."""
    client_settings: ClientSettings
    hooks: ClientHooks = ClientHooks()
    """Fallback scorer and decision observer to plug into every scoring client the channel makes."""
    metrics: ChannelMetrics | None = None
    """The channel's metric families (None: a registry of its own, e.g. in ``config check``)."""
    workdir: Path | None = None
    """``scoregate up --workdir`` (the demo's drop directories), else None."""
    state: StateSection = StateSection()
    """The servers of state shared by the gateway's replicas (``[state]``); empty: embedded stores."""
    redis: RedisStore | None = None
    """The gateway's ``[state] redis`` (shared reply and nonce caches), else None: per process."""
    outcomes: Callable[[], OutcomeStore] | None = None
    """The outcome store beside the gateway's audit (opened on the first call), for the channels
    that take in outcomes; None when the gateway keeps no audit."""
    _clients: list[ScoringClient] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.metrics is None:
            self.metrics = ChannelMetrics(self.name)

    def scoring_client(self) -> ScoringClient:
        """A blocking client on the gateway's settings and hooks; closed by :meth:`close`."""
        client = scoring_client(self.client_settings, self.hooks)  # scoregate core or V2 server
        self._clients.append(client)
        return client

    def close(self) -> None:
        """Close the clients made here; the gateway calls it after the channel has stopped."""
        while self._clients:
            self._clients.pop().close()


@dataclass(frozen=True)
class Banner:
    """What a channel's ``describe`` needs so that every line of ``scoregate up``'s banner runs as
    printed from the current folder in a fresh shell."""

    command: str = "scoregate"
    """How a fresh shell runs this scoregate (its path when it is not the one on PATH)."""
    workdir: Path | None = None
    """Where sample requests are copied (``up``'s working folder); None: shown where they lie."""

    def path(self, path: Path) -> str:
        """``path`` relative to the current folder when it lies below it, else absolute."""
        path = path.absolute()
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def sample(self, path: Path) -> str:
        """A sample request to print: copied into the working folder (an installed package may be
        read-only, and is no place to send people to), then shown."""
        if self.workdir is not None:
            folder = self.workdir / "samples"
            folder.mkdir(parents=True, exist_ok=True)
            path = Path(shutil.copyfile(path, folder / path.name))
        return self.path(path)


@dataclass(frozen=True)
class ScaffoldParameter:
    """One argument or option of ``scoregate scaffold NAME`` (the command is built from these)."""

    name: str
    """The key in :attr:`ScaffoldRequest.arguments`; the option is ``--name`` (``_`` as ``-``)."""
    help: str
    positional: bool = False
    """An argument (``scaffold soap WSDL``) rather than an option."""
    required: bool = False
    choices: tuple[str, ...] = ()
    """The values allowed (``--format json|xml|fixedwidth``); empty: an existing file's path."""


@dataclass(frozen=True)
class ScaffoldRequest:
    """What ``scoregate scaffold NAME`` hands the channel's :attr:`Scaffolder.write`."""

    model: ModelDescription
    """The model the draft maps onto (its features, kinds, units, codes, bands)."""
    out: Path
    """Where the channel file will be written: relative paths in it resolve against its folder."""
    arguments: dict[str, Any]
    """The values of the scaffolder's parameters, by name (paths as given; None when not given)."""


@dataclass(frozen=True)
class Scaffolder:
    """A channel's ``scoregate scaffold``: its parameters and the writer of the draft."""

    write: Callable[[ScaffoldRequest], str]
    """``write(request) -> text``: the channel file, commented TOML. It lists every operation and
    every leaf path or field of the contract with its type, proposes a source for each feature
    (marked ``# guess``) and puts a ``"TODO: ..."`` placeholder (``adapters/placeholders.py``)
    wherever nothing can be proposed, so that ``config check`` of a fresh draft fails on those
    alone. Raises ValueError in one line for a contract it cannot read."""
    parameters: tuple[ScaffoldParameter, ...] = ()
    help: str = ""
    """The command's help text."""


@dataclass(frozen=True)
class ChannelSpec:
    """One channel's registration. The gateway calls, in order: ``config.load`` (and ``check`` when
    given) for ``config check`` and at start; ``build`` at start; ``describe`` once the channel runs."""

    name: str
    """The name in the gateway file (``[channels.NAME]``), the metrics label and the readiness
    path (``/readyz/NAME``). The built channel's ``name`` must be the same."""
    config: type[ChannelConfigModel]
    """The model of the channel's own file, with ``load(path, **overrides)``."""
    build: Callable[[Any, ChannelContext], Channel]
    """``build(config, context) -> Channel``: an unstarted channel. Must not listen, connect or
    touch the file system yet (``config check`` builds to find what only building finds); a bad
    contract raises here, with the reason, before anything listens."""
    describe: Callable[[Any, Path, "Banner"], list[str]]
    """``describe(channel, config_file, banner) -> lines`` for the banner of ``scoregate up``,
    called once the channel has started: where it listens, then one call to try, runnable as
    printed (``banner.command`` starts a command, ``banner.sample`` hands out a sample request
    that lies beside ``config_file``, ``banner.path`` shows a path). The gateway adds the
    readiness to the first line."""
    workdir_key: str | None = None
    """A top-level key of the channel's file that ``scoregate up --workdir`` sets unless the
    gateway file's ``set`` does (the file channel's ``base_dir``: the demo's drop directories)."""
    check: Callable[[Any, ModelLookup], list[str]] | None = None
    """``check(config, models) -> problems``: a preflight beyond the config model's validation
    (the mapping against a WSDL, against the model's feature schema). Called by ``config check``
    and at start, after ``load`` and before ``build``; each problem is one line naming the key to
    fix, and any problem stops the gateway before anything listens. ``models`` is a
    :class:`ModelLookup`: a models directory or a core in ``config check``, the core at start.
    ``adapters/mapping_check.check_config`` checks request mappings against it."""
    scaffold: Scaffolder | None = None
    """Writes a first draft of this channel's file from a contract (``scoregate scaffold NAME``);
    None: the channel offers none."""

    def load(self, file: Path, overrides: dict[str, Any] | None = None, workdir: Path | None = None) -> Any:
        """The channel's configuration from its file, the gateway's ``set`` overrides and the workdir."""
        update = dict(overrides or {})
        if workdir is not None and self.workdir_key:
            update.setdefault(self.workdir_key, workdir)
        return self.config.load(file, **update)


class UnknownChannel(ValueError):
    """A channel name nobody registered; the message suggests the closest names."""

    def __init__(self, name: str, known: list[str]) -> None:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        super().__init__(f"unknown channel {name!r}{hint} (known: {', '.join(known)})")
        self.name = name


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    found: dict[str, importlib.metadata.EntryPoint] = {}
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry.name in CHANNELS:
            log.warning("channel %r of entry point %s ignored: a built-in channel has that name", entry.name, entry.value)
        else:
            found.setdefault(entry.name, entry)
    return found


def channel_names() -> list[str]:
    """Every registered name: the built-in channels, then those of entry points, sorted."""
    return [*CHANNELS, *sorted(_entry_points())]


def channel_spec(name: str) -> ChannelSpec:
    """The spec registered under ``name``; raises UnknownChannel (with a suggestion) or, for a
    registration that does not load, ImportError / TypeError naming it."""
    if name in CHANNELS:
        module, _, attribute = CHANNELS[name].partition(":")
        spec = getattr(importlib.import_module(module), attribute)
        where = CHANNELS[name]
    elif (entry := _entry_points().get(name)) is not None:
        spec, where = entry.load(), f"entry point {entry.value}"
    else:
        raise UnknownChannel(name, channel_names())
    if not isinstance(spec, ChannelSpec) or spec.name != name:
        raise TypeError(f"channel {name!r}: {where} is not a ChannelSpec named {name!r}")
    return spec
