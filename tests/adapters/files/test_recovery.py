"""Crashes, outages and shutdowns: whatever happens, exactly one complete response per file."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from files_support import (
    CRASH_SCRIPT,
    dirs,
    drop,
    read_response,
    wait_for,
    with_channel,
)
from scoregate.adapters.files import FileChannel, FileJobConfig
from scoregate.adapters.files.demo import write_demo_file
from scoregate.adapters.files.ledger import FileState, Ledger
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.core.client import ScoringClient

RECORDS = 1_000


def complete(config: FileJobConfig, name: str) -> bool:
    return (dirs(config)["outbox"] / f"{name}.RSP.done").exists() and (dirs(config)["archive"] / name).exists()


def assert_one_complete_response(config: FileJobConfig, name: str, records: int = RECORDS) -> None:
    outbox = dirs(config)["outbox"]
    assert sorted(p.name for p in outbox.iterdir()) == sorted(
        f"{name}{suffix}" for suffix in (".RSP", ".RSP.done", ".REJ", ".REJ.done"))  # no temporary, no second copy
    response = read_response(config.output_codec, outbox / f"{name}.RSP")
    assert len(response["RS-DETAIL-REC"]["RD-APPL-NO"]) == records
    assert len(set(response["RS-DETAIL-REC"]["RD-APPL-NO"])) == records
    assert response["RS-TRAILER-REC"]["RT-RECORD-COUNT"][0] == records
    assert not list(dirs(config)["work"].iterdir()) and not list(dirs(config)["inbox"].iterdir())


def killed_at(step: str, tmp_path: Path, config: FileJobConfig, target: str, name: str) -> Path:
    """A real process claims ``name``, runs its job and is SIGKILLed at ``step``; returns its claim."""
    write_demo_file(tmp_path / name, RECORDS)
    drop(config, tmp_path / name)
    settings = tmp_path / "job.json"
    settings.write_text(config.model_dump_json())
    run = subprocess.run([sys.executable, "-c", CRASH_SCRIPT, str(settings), step, target, name],
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == -signal.SIGKILL, run.stderr
    [claimed] = dirs(config)["work"].iterdir()
    return claimed


def events(metrics: ChannelMetrics) -> dict[str, float]:
    return {s.labels["event"]: s.value for family in metrics.registry.collect() for s in family.samples
            if s.name == "scoregate_channel_events_total"}


# "chunk": mid-file, part of the response in a temporary file; "renamed": outputs in the outbox,
# ledger still "claimed", no done files; "written": done files out, input not archived yet.
@pytest.mark.parametrize("step", ["chunk", "renamed", "written"])
def test_killed_mid_file_then_restarted_gives_exactly_one_complete_response(
        tmp_path: Path, job_config: FileJobConfig, client: ScoringClient, shared_core, step: str) -> None:
    config = job_config.model_copy(update={"batch_records": 300})
    claimed = killed_at(step, tmp_path, config, shared_core.target, "CRASH.DAT")
    outbox = dirs(config)["outbox"]
    if step == "chunk":
        assert [p for p in outbox.iterdir() if p.name.endswith(".tmp")]  # it died with a partial output
    assert claimed.name.split("@")[0] == "CRASH.DAT"

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: complete(config, "CRASH.DAT"))

    metrics = ChannelMetrics("files")
    with_channel(config, client, body, metrics=metrics)
    assert_one_complete_response(config, "CRASH.DAT")
    entries = Ledger(config.path(config.ledger)).entries()
    states = [e.state for e in entries]
    assert states[-1] is FileState.DONE and states.count(FileState.DONE) == 1
    # The killed attempt does not stay "claimed" beside the done one: it says what became of it.
    assert FileState.CLAIMED not in states
    if step != "written":
        assert states == [FileState.SUPERSEDED, FileState.DONE]
        assert entries[0].detail == f"stopped unfinished; superseded by entry {entries[1].id}"
    counted = {(s.name, s.labels.get("outcome") or s.labels.get("event")): s.value
               for family in metrics.registry.collect() for s in family.samples
               if s.name in ("scoregate_channel_requests_total", "scoregate_channel_events_total") and s.value}
    if step == "written":  # published before the crash: only archived now, its records not counted again
        assert counted == {("scoregate_channel_events_total", "file_reclaimed"): 1,
                           ("scoregate_channel_events_total", "file_recovered"): 1}
    else:
        assert counted == {("scoregate_channel_events_total", "file_reclaimed"): 1,
                           ("scoregate_channel_events_total", "file_done"): 1,
                           ("scoregate_channel_requests_total", "scored"): RECORDS}


def test_core_down_the_file_waits_and_is_scored_when_the_core_is_back(
        tmp_path: Path, job_config: FileJobConfig, core_factory, models_dir: Path) -> None:
    core = core_factory(models_dir=models_dir)
    port = core.port
    core.stop()
    client = ScoringClient(core.client_settings(timeout_s=1.0, retry_attempts=2, breaker_reset_s=0.2))
    write_demo_file(tmp_path / "WAIT.DAT", 200)
    drop(job_config, tmp_path / "WAIT.DAT")
    inbox = dirs(job_config)["inbox"]

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: any(s.outcome == "retry" for s in channel.summaries))
        assert (inbox / "WAIT.DAT").exists() and (inbox / "WAIT.DAT.done").exists()  # back for a retry
        assert not list(dirs(job_config)["outbox"].iterdir()) and not list(dirs(job_config)["error"].iterdir())
        assert not channel.health().ready and "scoring core unreachable" in channel.health().detail
        await asyncio.to_thread(core_factory, models_dir=models_dir, address=f"127.0.0.1:{port}")
        await wait_for(lambda: complete(job_config, "WAIT.DAT"), timeout=30)
        # The outputs are out a moment before the watcher records the file's fate and readiness.
        await wait_for(lambda: channel.health().ready, timeout=5)

    try:
        with_channel(job_config, client, body)
    finally:
        client.close()
    assert_one_complete_response(job_config, "WAIT.DAT", 200)
    states = [e.state for e in Ledger(job_config.path(job_config.ledger)).entries()]
    assert FileState.RETRY in states and states[-1] is FileState.DONE


def test_stop_abandons_a_long_file_cleanly_and_the_next_start_finishes_it(
        tmp_path: Path, job_config: FileJobConfig, client: ScoringClient) -> None:
    config = job_config.model_copy(update={"batch_records": 100})
    write_demo_file(tmp_path / "LONG.DAT", RECORDS)
    drop(config, tmp_path / "LONG.DAT")

    async def stopped_early() -> None:
        channel = FileChannel(config, client, hook=lambda step: time.sleep(0.1) if step == "chunk" else None)
        await channel.start()
        await wait_for(lambda: any(p.name.endswith(".tmp") for p in dirs(config)["outbox"].iterdir()))
        await channel.stop(0.1)  # far less than the ~1 s the file needs
        assert [s.outcome for s in channel.summaries] == ["retry"]

    asyncio.run(stopped_early())
    assert (dirs(config)["inbox"] / "LONG.DAT").exists() and not list(dirs(config)["outbox"].iterdir())

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: complete(config, "LONG.DAT"))

    with_channel(config, client, body)
    assert_one_complete_response(config, "LONG.DAT")


def test_killed_after_archiving_before_done_is_marked_done_at_restart_and_not_redone(
        tmp_path: Path, job_config: FileJobConfig, client: ScoringClient, shared_core) -> None:
    # A real crash: the job runs in a child process that SIGKILLs itself at the "archived" hook,
    # right after the input's rename into the archive and before the ledger says "done".
    write_demo_file(tmp_path / "LATE.DAT", RECORDS)
    drop(job_config, tmp_path / "LATE.DAT")
    settings = tmp_path / "job.json"
    settings.write_text(job_config.model_dump_json())
    run = subprocess.run([sys.executable, "-c", CRASH_SCRIPT, str(settings), "archived", shared_core.target,
                          "LATE.DAT"], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == -signal.SIGKILL, run.stderr
    ledger = Ledger(job_config.path(job_config.ledger))  # a second connection, as another process would have
    [crashed] = ledger.entries()
    assert (crashed.state, crashed.archive) == (FileState.WRITTEN, "LATE.DAT")  # the state the crash leaves
    assert complete(job_config, "LATE.DAT") and not list(dirs(job_config)["work"].iterdir())  # no orphan claim
    outbox = dirs(job_config)["outbox"]
    published = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in outbox.iterdir()}
    metrics = ChannelMetrics("files")

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: ledger.entries()[-1].state is FileState.DONE)
        await asyncio.sleep(10 * job_config.poll_s)  # several polls: nothing else may happen
        assert channel.summaries == [] and channel.health().ready

    with_channel(job_config, client, body, metrics=metrics)
    assert [(e.id, e.state) for e in ledger.entries()] == [(crashed.id, FileState.DONE)]
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in outbox.iterdir()} == published  # untouched
    assert_one_complete_response(job_config, "LATE.DAT")
    assert [p.name for p in dirs(job_config)["archive"].iterdir()] == ["LATE.DAT"]
    assert metrics.registry.get_sample_value(
        "scoregate_channel_events_total", {"channel": "files", "event": "file_recovered"}) == 1

    # The ledger now knows the file as processed: the same content dropped again is a duplicate.
    (tmp_path / "LATE.DAT").write_bytes((dirs(job_config)["archive"] / "LATE.DAT").read_bytes())
    drop(job_config, tmp_path / "LATE.DAT")

    async def again(channel: FileChannel) -> None:
        await wait_for(lambda: bool(channel.summaries))
        assert [s.outcome for s in channel.summaries] == ["duplicate"]

    with_channel(job_config, client, again)
    assert published.keys() == {p.name for p in outbox.iterdir()}
    ledger.close()


def test_the_claim_of_a_host_that_is_gone_is_taken_over_once_its_lease_lapses(
        tmp_path: Path, job_config: FileJobConfig, client: ScoringClient, shared_core) -> None:
    config = job_config.model_copy(update={"batch_records": 300, "claim_lease_s": 60.0})
    claimed = killed_at("chunk", tmp_path, config, shared_core.target, "GONE.DAT")
    # A pod deleted mid-file comes back under another host name. One machine has one host name,
    # so the dead process's claim is renamed to another host's: the one thing not produced for real.
    foreign = claimed.with_name("GONE.DAT@pod-7f9c.1.t5f3a")
    claimed.rename(foreign)
    os.utime(foreign, (time.time() - 30, time.time() - 30))  # refreshed 30 s ago: within its lease

    async def within_the_lease(channel: FileChannel) -> None:
        await asyncio.sleep(0.5)  # ten polls

    with_channel(config, client, within_the_lease)
    assert [p.name for p in dirs(config)["work"].iterdir()] == [foreign.name]  # left to its owner

    os.utime(foreign, (time.time() - 61, time.time() - 61))  # silent for longer than the lease
    metrics = ChannelMetrics("files")

    async def lapsed(channel: FileChannel) -> None:
        await wait_for(lambda: complete(config, "GONE.DAT"))

    with_channel(config, client, lapsed, metrics=metrics)
    assert_one_complete_response(config, "GONE.DAT")
    assert events(metrics) == {"file_reclaimed": 1, "file_done": 1}


def test_a_running_job_keeps_refreshing_its_claim(tmp_path: Path, job_config: FileJobConfig,
                                                  client: ScoringClient) -> None:
    # Lease 0.5 s: the owner refreshes every 0.1 s, and the file takes about 1 s (10 chunks of 0.1 s).
    config = job_config.model_copy(update={"batch_records": 100, "claim_lease_s": 0.5})
    write_demo_file(tmp_path / "SLOW.DAT", RECORDS)
    drop(config, tmp_path / "SLOW.DAT")
    stamps: list[float] = []

    def slow(step: str) -> None:
        if step == "chunk":
            [claimed] = dirs(config)["work"].iterdir()
            stamps.append(claimed.stat().st_mtime)
            time.sleep(0.1)

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: complete(config, "SLOW.DAT"))

    with_channel(config, client, body, hook=slow)
    assert_one_complete_response(config, "SLOW.DAT")
    assert len(stamps) >= 8 and stamps[-1] - stamps[0] >= 0.5  # refreshed all along, never lapsed


def test_a_gateway_whose_claim_was_taken_over_publishes_nothing(tmp_path: Path, job_config: FileJobConfig,
                                                                client: ScoringClient) -> None:
    config = job_config.model_copy(update={"batch_records": 100})
    write_demo_file(tmp_path / "TAKEN.DAT", RECORDS)
    drop(config, tmp_path / "TAKEN.DAT")
    work = dirs(config)["work"]
    metrics = ChannelMetrics("files")

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: any(work.iterdir()))
        # What another gateway's takeover does once this one has been silent past the lease (a
        # paused VM, say): it renames the claim to its own. This gateway runs on meanwhile.
        [mine] = work.iterdir()
        mine.rename(work / "TAKEN.DAT@pod-7f9c.1.t5f3a")
        await wait_for(lambda: bool(channel.summaries))
        return channel.summaries

    summaries = with_channel(config, client, body, metrics=metrics,
                             hook=lambda step: time.sleep(0.1) if step == "chunk" else None)
    assert [(s.name, s.outcome) for s in summaries] == [("TAKEN.DAT", "lost")]
    assert not list(dirs(config)["outbox"].iterdir())  # no response, no reject file, no temporary
    assert [p.name for p in work.iterdir()] == ["TAKEN.DAT@pod-7f9c.1.t5f3a"]  # left to its new owner
    states = [e.state for e in Ledger(config.path(config.ledger)).entries()]
    assert states == [FileState.RETRY]
    assert events(metrics) == {"file_claimed": 1, "file_claim_lost": 1}


def test_a_claim_taken_over_between_publishing_and_archiving_is_answered_once(
        tmp_path: Path, job_config: FileJobConfig, client: ScoringClient) -> None:
    config = job_config.model_copy(update={"claim_lease_s": 60.0})
    write_demo_file(tmp_path / "LATE.DAT", RECORDS)
    drop(config, tmp_path / "LATE.DAT")
    work = dirs(config)["work"]
    foreign = work / "LATE.DAT@pod-7f9c.1.t5f3a"

    def taken_over(step: str) -> None:
        if step == "written":  # published, ledger "written", input not archived yet
            [mine] = work.iterdir()
            mine.rename(foreign)
            os.utime(foreign, (time.time() - 61, time.time() - 61))  # and silent past the lease since

    async def first(channel: FileChannel) -> None:
        await wait_for(lambda: bool(channel.summaries))
        assert [s.outcome for s in channel.summaries] == ["done"]

    with_channel(config, client, first, hook=taken_over)
    assert [p.name for p in work.iterdir()] == [foreign.name]
    metrics = ChannelMetrics("files")

    async def second(channel: FileChannel) -> None:
        await wait_for(lambda: complete(config, "LATE.DAT"))

    with_channel(config, client, second, metrics=metrics)
    assert_one_complete_response(config, "LATE.DAT")
    assert events(metrics) == {"file_reclaimed": 1, "file_recovered": 1}  # archived only, not scored again
    states = [e.state for e in Ledger(config.path(config.ledger)).entries()]
    assert states == [FileState.DONE]
