"""Audit stores by name: the embedded SQLite one opens from the registry, a typo is answered."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scoregate.adapters.decisions.records import DecisionRecord
from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.adapters.decisions.store import open_store


def test_the_sqlite_store_opens_by_name_and_keeps_what_it_is_given(tmp_path: Path) -> None:
    store = open_store("sqlite", path=tmp_path / "audit.sqlite")
    try:
        assert isinstance(store, AuditLog)
        record = DecisionRecord(time=datetime(2026, 12, 1, tzinfo=UTC), channel="lines", reference="R-1",
                                request_id="q-1", model="credit-risk", version="1", probability=0.25, decision="APPROVE")
        store.record([record])
        assert store.flush(10)
        assert store.find("R-1") == [record]
    finally:
        store.close()


def test_an_unknown_store_name_gets_a_suggestion() -> None:
    with pytest.raises(ValueError, match=r"unknown audit store 'sqlit'; did you mean 'sqlite'\?"):
        open_store("sqlit", path="x")
