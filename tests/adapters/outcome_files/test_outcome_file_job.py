"""The outcome file job on real files and a real audit: the demo outcome file (EBCDIC, copybook)
joined to the decisions of the demo loan file's applications, a plain-layout text file with bad
records, a file that cannot be read, and the channel registered like the others."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scoregate.adapters.decisions.records import DecisionRecord
from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.adapters.files.demo import write_demo_file
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.outcome_files.channel import OutcomeFileChannel
from scoregate.adapters.outcome_files.config import OutcomeJobConfig
from scoregate.adapters.outcome_files.demo import drop_outcome_file
from scoregate.adapters.outcomes.store import open_outcome_store
from scoregate.adapters.registry import ChannelContext, channel_spec
from scoregate.app.paths import DEFAULTS_DIR
from scoregate.core.settings import ClientSettings
from scoregate.core.train import SCHEMA

RECORDS = 300


@pytest.fixture()
def demo(tmp_path: Path):  # noqa: ANN201
    """The demo loan file's applications, each audited as a decision (the first 250 only)."""
    loans = write_demo_file(tmp_path / "LOANS", RECORDS, with_features=True)
    at = datetime(2026, 11, 3, tzinfo=UTC)
    with AuditLog(tmp_path / "audit.sqlite") as log:
        log.record([DecisionRecord(time=at, channel="files", reference=str(ref), request_id=f"f/{i}", model="credit-risk",
                                   version="1", probability=0.5, decision="REVIEW")
                    for i, ref in enumerate(loans.references[:250])])
    return loans


def run_until(channel: OutcomeFileChannel, done: callable) -> None:  # noqa: ANN001
    async def main() -> None:
        await channel.start()
        deadline = time.monotonic() + 20
        while not done() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await channel.stop(5)
    asyncio.run(main())


def test_the_demo_outcome_file_is_joined_reported_and_archived(tmp_path: Path, demo) -> None:
    config = OutcomeJobConfig.load(DEFAULTS_DIR / "outcomes" / "outcomes.toml", base_dir=tmp_path)
    with open_outcome_store("sqlite", audit=tmp_path / "audit.sqlite") as store:
        channel = OutcomeFileChannel(config, lambda: store, ChannelMetrics("outcome_files"))
        amounts = demo.features[:, SCHEMA.names.index("loan_amount")]
        drop_outcome_file(tmp_path / "outcomes" / "inbox", demo.references, demo.labels, amounts, name="OUT1")
        run_until(channel, lambda: channel.files == 1)
        counts = store.counts()
        assert (counts.outcomes, counts.matched, counts.unknown) == (RECORDS, 250, RECORDS - 250)
        joined = store.joined("credit-risk")
        assert joined.bad.sum() == demo.labels[:250].sum() > 0  # the label process's defaults, written off ones too
    archive = tmp_path / "outcomes" / "archive"
    assert (archive / "OUT1").is_file() and not (tmp_path / "outcomes" / "inbox" / "OUT1.done").exists()
    report = (archive / "OUT1.report").read_text()
    assert f"{RECORDS} outcomes read, 0 records not read; {RECORDS} new" in report and "250 matched" in report


def test_a_plain_layout_names_bad_records_and_an_unreadable_file_goes_aside(tmp_path: Path, demo) -> None:
    job = tmp_path / "plain.toml"
    job.write_text("""
inbox = "in"
archive = "done"
error = "bad"
done_suffix = ""
stable_s = 0.1
poll_s = 0.05
outcome_codes = { "1" = "default", "0" = "paid" }
[layout]
encoding = "latin-1"
recfm = "LS"
fields = [{ name = "REF", type = "text", length = 12 }, { name = "DATE", type = "zoned", digits = 8 },
          { name = "FLAG", type = "text", length = 1 }]
[fields]
reference = "REF"
outcome_date = "DATE"
outcome = "FLAG"
""")
    config = OutcomeJobConfig.load(job, done_suffix=None)
    (tmp_path / "in").mkdir()
    refs = [str(r) for r in demo.references[:4]]
    lines = [f"{refs[0]}202612011", f"{refs[1]}202612010", f"{refs[2]}202612019", f"{refs[3]}202613010", f"{refs[0]}202612020"]
    (tmp_path / "in" / "OUT2").write_text("\n".join(lines) + "\n", encoding="latin-1")
    (tmp_path / "in" / "BROKEN").write_bytes(b"\xff" * 21 + b"\n")  # not one line of the layout
    with open_outcome_store("sqlite", audit=tmp_path / "audit.sqlite") as store:
        channel = OutcomeFileChannel(config, lambda: store, ChannelMetrics("outcome_files"))
        run_until(channel, lambda: (tmp_path / "done" / "OUT2.report").exists() and (tmp_path / "bad" / "BROKEN").exists())
        counts = store.counts()
        assert (counts.outcomes, counts.contradictory) == (2, 1)
    report = (tmp_path / "done" / "OUT2.report").read_text().splitlines()
    assert "3 outcomes read, 2 records not read; 2 new, 0 duplicate, 1 contradictory" in report[0]
    assert report[1] == "record 3: unknown outcome '9' (one of default, written_off, paid or their codes D, W, P)"
    assert report[2] == "record 4: bad outcome date 20261301 (YYYY-MM-DD or YYYYMMDD)"
    assert "cannot be read: no record reads in the job's layout; record 1:" in (tmp_path / "bad" / "BROKEN.reason").read_text()


def test_registered_like_the_other_channels_and_needs_the_audit(tmp_path: Path) -> None:
    spec = channel_spec("outcome_files")
    config = spec.load(DEFAULTS_DIR / "outcomes" / "outcomes.toml", workdir=tmp_path)
    assert config.path(config.inbox) == tmp_path / "outcomes" / "inbox"
    with pytest.raises(ValueError, match=r"set \[audit\] path"):
        spec.build(config, ChannelContext("outcome_files", ClientSettings()))
    with pytest.raises(ValueError, match="fields.outcome = 'NOPE' is not a field of the layout"):
        spec.load(DEFAULTS_DIR / "outcomes" / "outcomes.toml", {"fields": {"reference": "OC-APPL-NO", "outcome_date": "OC-OUTCOME-DATE",
                                                                           "outcome": "NOPE"}})


def test_outcomes_load_reads_a_file_by_hand(tmp_path: Path, demo) -> None:
    from click.testing import CliRunner

    from scoregate.app.cli import main

    inbox = tmp_path / "in"
    result = CliRunner().invoke(main, ["files", "demo", "--outcomes", "--records", str(RECORDS), "--out", str(inbox)])
    assert result.exit_code == 0 and f"({RECORDS} outcomes, {int(demo.labels.sum())} defaulted" in result.output
    (file,) = [p for p in inbox.iterdir() if not p.name.endswith(".done")]
    result = CliRunner().invoke(main, ["outcomes", "load", str(file), "--db", str(tmp_path / "audit.sqlite")])
    assert result.exit_code == 0, result.output
    assert f"{RECORDS} outcomes read, 0 records not read; {RECORDS} new" in result.output
    assert f"outcomes: {RECORDS} kept, 250 matched, {RECORDS - 250} unknown reference" in result.output
