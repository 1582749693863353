"""The outcome stores against a real audit (SQLite, and PostgreSQL: ``any_audit``): the join by
reference (masked too), and every outcome that is not a plain match counted: late, duplicate,
unknown reference, contradictory."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from scoregate.adapters.decisions.records import DecisionRecord
from outcome_support import audit_log, store_name

from scoregate.adapters.decisions.sqlite import AuditError
from scoregate.adapters.outcomes.records import Outcome, OutcomeError
from scoregate.adapters.outcomes.sqlite import outcomes_path
from scoregate.adapters.outcomes.store import open_outcome_store


def decision(reference: str, month: int, probability: float, *, version: str = "1", channel: str = "soap",
             request_id: str | None = None) -> DecisionRecord:
    return DecisionRecord(
        time=datetime(2026, month, 15, tzinfo=UTC), channel=channel, reference=reference,
        request_id=request_id or f"req-{reference}",
        model="credit-risk", version=version, probability=probability,
        decision="APPROVE" if probability < 0.15 else "DECLINE",
    )


def write(audit: Path | str, records: list[DecisionRecord], **options: object) -> None:
    with audit_log(audit, **options) as log:
        log.record(records)


def outcome(reference: str, word: str = "paid") -> Outcome:
    return Outcome.parse(reference, word, "2026-06-30")


def test_outcomes_join_by_reference_and_each_odd_one_is_counted(any_audit: Path | str, tmp_path: Path) -> None:
    audit = any_audit
    write(audit, [decision("A1", 1, 0.1), decision("A2", 1, 0.5), decision("A3", 2, 0.2)])
    with open_outcome_store(store_name(audit), audit=audit) as store:
        if isinstance(audit, Path):
            assert store.path == outcomes_path(audit) == tmp_path / "audit.outcomes.sqlite"
        intake = store.add([outcome("A1"), outcome("A2", "D"), outcome("A2", "written off"), outcome("A1", "default"),
                            outcome("NOPE")], source="LOANS.OUT")
        assert (intake.accepted, intake.duplicate, intake.contradictory) == (3, 1, 1)
        assert store.refresh() == [("credit-risk", "1", "2026-01"), ("credit-risk", "1", "2026-02")]
        counts = store.counts()
        assert (counts.outcomes, counts.matched, counts.unknown, counts.duplicate, counts.contradictory, counts.late) == (3, 2, 1, 1, 1, 0)
        joined = store.joined("credit-risk")
        assert sorted(zip(joined.request, joined.bad.tolist())) == [("req-A1", 0), ("req-A2", 1)]  # the first outcome counts
        # A month with figures kept, then an outcome for it: late, and the month's figures go stale.
        store.keep("credit-risk", "month", {("1", "2026-01"): {"outcomes": 2}, ("1", "2026-02"): {"outcomes": 0}})
        store.add([outcome("A1b")])  # no decision: not late, just unknown
        store.refresh()
        assert store.counts().late == 0
        store.add([outcome("A3", "default")])  # February had figures without outcomes: not late
        store.refresh()
        assert store.counts().late == 0
        assert set(store.cached("credit-risk", "month")) == {("1", "2026-01")}  # February's went stale
        write(audit, [decision("A4", 1, 0.3)])
        store.add([outcome("A4", "default")])  # January's figures rested on outcomes: late
        store.refresh()
        assert store.counts().late == 1
        assert store.cached("credit-risk", "month") == {}
        assert store.refresh() == []  # nothing new on either side


def test_an_outcome_before_its_decision_is_matched_when_the_decision_appears(any_audit: Path | str) -> None:
    audit = any_audit
    write(audit, [decision("A1", 3, 0.1)])
    with open_outcome_store(store_name(audit), audit=audit) as store:
        store.add([outcome("EARLY", "default")])
        store.refresh()
        assert store.counts().unknown == 1
        write(audit, [decision("EARLY", 3, 0.7), decision("EARLY", 3, 0.6, version="2", channel="soap:shadow")])
        store.refresh()
        counts = store.counts()
        assert (counts.matched, counts.unknown) == (1, 0)
        joined = store.joined("credit-risk")
        assert sorted(zip(joined.version, joined.shadow.tolist())) == [("1", False), ("2", True)]
        volume = {(v, s, d): n for v, _m, s, d, _f, n in store.volume("credit-risk").rows}
        assert volume == {("1", False, "APPROVE"): 1, ("1", False, "DECLINE"): 1, ("2", True, "DECLINE"): 1}


def test_masked_references_join_through_the_audits_key(any_audit: Path | str, tmp_path: Path) -> None:
    audit, name = any_audit, store_name(any_audit)
    key = b"k" * 32
    write(audit, [decision("A0000001", 4, 0.3, request_id="r1")], masked_fields={"reference"}, mask_key=key)
    with open_outcome_store(name, audit=audit) as reader:  # reading needs no key, taking outcomes in does
        with pytest.raises(AuditError, match="outcomes join only with its mask key"):
            reader.add([outcome("A0000001", "default")])
    with pytest.raises(AuditError, match="does not match"):
        open_outcome_store(name, audit=audit, mask_key=b"wrong")
    with open_outcome_store(name, audit=audit, mask_key=key) as store:
        store.add([outcome("A0000001", "default"), outcome("A0000001", "paid")])
        store.refresh()
        assert store.counts().matched == 1
        written = kept(audit, tmp_path)
        assert b"hmac:" in written and b"A0000001" not in written  # the outcome store does not reveal it either


def kept(audit: Path | str, folder: Path) -> bytes:
    """Everything the outcome store holds: the SQLite file (with its WAL), or the PostgreSQL tables' rows."""
    if isinstance(audit, Path):
        return b"".join(f.read_bytes() for f in folder.glob("audit.outcomes.sqlite*"))
    import psycopg

    with psycopg.connect(audit) as conn:
        rows = [conn.execute(f"SELECT t::text FROM {table} AS t").fetchall() for table in ("outcomes", "outcome_set_aside")]
    return repr(rows).encode()


def test_bad_outcome_values_are_named() -> None:
    with pytest.raises(OutcomeError, match="unknown outcome 'maybe'"):
        Outcome.parse("A1", "maybe", "2026-01-01")
    with pytest.raises(OutcomeError, match="bad outcome date '2026-13-01'"):
        Outcome.parse("A1", "paid", "2026-13-01")
    assert Outcome.parse(" A1 ", "W", "20260131", "12.5") == Outcome("A1", "written_off", date(2026, 1, 31), 12.5)


def test_an_unknown_store_name_suggests_the_known_one(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="did you mean 'sqlite'"):
        open_outcome_store("sqlit", audit=tmp_path / "a")


def test_loading_outcomes_into_a_masking_audit_without_its_key_is_one_line(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from scoregate.adapters.outcome_files.demo import write_outcome_file
    from scoregate.app.cli import main

    audit = tmp_path / "audit.sqlite"
    write(audit, [decision("A00000000001", 4, 0.3, request_id="r1")], masked_fields={"reference"}, mask_key=b"k" * 32)
    write_outcome_file(tmp_path / "OUT", ["A00000000001"], [1], [100.0])
    monkeypatch.delenv("SCOREGATE_MASK_KEY", raising=False)
    result = CliRunner().invoke(main, ["outcomes", "load", str(tmp_path / "OUT"), "--db", str(audit)])
    assert result.exit_code == 1 and "outcomes join only with its mask key (SCOREGATE_MASK_KEY)" in result.output
    monkeypatch.setenv("SCOREGATE_MASK_KEY", "k" * 32)
    result = CliRunner().invoke(main, ["outcomes", "load", str(tmp_path / "OUT"), "--db", str(audit)])
    assert result.exit_code == 0 and "1 matched" in result.output, result.output
