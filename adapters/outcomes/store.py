"""Where outcomes are kept and joined to the decisions: the :class:`OutcomeStore` interface and
the stores, registered by name (``"module:Class"`` in :data:`OUTCOME_STORES`, as the audit's
``STORES``). SQLite (``sqlite.py``) keeps them in a file beside the SQLite audit; PostgreSQL
(``state/postgres_outcomes.py``) in tables beside the PostgreSQL audit's.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from scoregate.adapters.outcomes.records import Outcome

#: store name -> "module:Class" of its OutcomeStore
OUTCOME_STORES: dict[str, str] = {
    "sqlite": "scoregate.adapters.outcomes.sqlite:SqliteOutcomeStore",
    "postgres": "scoregate.adapters.state.postgres_outcomes:PostgresOutcomeStore",
}


@dataclass
class Intake:
    """What became of one batch of outcomes handed to :meth:`OutcomeStore.add`."""

    accepted: int = 0
    """New references, kept."""
    duplicate: int = 0
    """A second outcome for a reference that agrees on good or bad with the first (kept aside)."""
    contradictory: int = 0
    """A second outcome for a reference that disagrees with the first (kept aside; the first counts)."""


@dataclass
class Counts:
    """Every outcome the store has seen, by what became of it; nothing is dropped unseen."""

    outcomes: int = 0
    matched: int = 0
    """Outcomes joined to at least one decision."""
    unknown: int = 0
    """Outcomes whose reference no decision has (yet): matched when the decision appears."""
    duplicate: int = 0
    contradictory: int = 0
    late: int = 0
    """Outcomes that arrived after figures on outcomes were kept for their decision's month: the
    month's figures were revised (computed again)."""


@dataclass
class Joined:
    """Decisions with an outcome, as arrays (one element per decision row)."""

    version: np.ndarray
    probability: np.ndarray
    bad: np.ndarray
    decision: np.ndarray
    month: np.ndarray
    shadow: np.ndarray
    """True for a shadow score (the challenger scored the same request)."""
    request: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    """The request id (pairs a shadow score with the answer it shadowed)."""


@dataclass
class Pairs:
    """The answered (champion) and shadow (challenger) score of each request both scored that has an
    outcome: the most frequent pair of versions."""

    champion: str
    challenger: str
    bad: np.ndarray
    champion_probability: np.ndarray
    challenger_probability: np.ndarray


@dataclass
class Volume:
    """Decisions per version, month and decision band, with or without an outcome."""

    rows: list[tuple[str, str, bool, str, str, int]]
    """(version, month, shadow, decision, probability floor of the band, count)."""


class OutcomeStore(Protocol):
    """Keeps outcomes and their join to the audit's decisions."""

    audit: Any
    """The audit the outcomes are joined to, as ``--db`` of the CLI takes it (a path, a URL)."""

    def add(self, outcomes: Iterable[Outcome], source: str = "") -> Intake:
        """Keep a batch of outcomes (``source``: the file or queue they came from)."""

    def refresh(self) -> list[tuple[str, str, str]]:
        """Join what is new on either side; returns the (model, version, month) whose figures changed."""

    def counts(self) -> Counts:
        """What became of every outcome so far."""

    def generation(self) -> int:
        """Grows whenever a refresh joined something new (whoever called it): what was computed
        from the joined rows at an older generation may be stale."""

    def joined(self, model: str, months: list[str] | None = None, version: str | None = None) -> Joined:
        """The decisions of ``model`` with an outcome, in ``months`` (all: None)."""

    def pairs(self, model: str, months: list[str] | None = None) -> Pairs:
        """Champion and challenger scores of the same requests with an outcome, in ``months`` (all: None)."""

    def volume(self, model: str, months: list[str] | None = None) -> Volume:
        """Decision counts of ``model`` per version, month and band."""

    def models(self) -> list[str]:
        """Every model with decisions in the audit (joined so far)."""

    def months(self, model: str) -> list[str]:
        """Every month with decisions of ``model``, oldest first."""

    def cached(self, model: str, by: str) -> dict[tuple[str, str], dict]:
        """Figures kept from earlier computations: (version, period) -> figures, fresh ones only."""

    def keep(self, model: str, by: str, figures: dict[tuple[str, str], dict]) -> None:
        """Keep computed figures until a new outcome or decision in their period makes them stale."""

    def close(self) -> None:
        """Release the storage."""


def open_outcome_store(name: str, **options: Any) -> OutcomeStore:
    """The store registered under ``name``, opened with its own ``options`` (the audit's path, a key)."""
    try:
        target = OUTCOME_STORES[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(OUTCOME_STORES), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown outcome store {name!r}{hint} (known: {', '.join(sorted(OUTCOME_STORES))})") from None
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)(**options)
