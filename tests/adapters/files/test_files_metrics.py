"""Prometheus metrics of the file channel: records are its requests, files its events.

Real EBCDIC files in temporary directories, a real core, the real watcher. Expected counts are
read back from the files the channel wrote (response and reject files), never written down.
"""

from __future__ import annotations

import socket
from pathlib import Path

from files_support import dirs, drop, read_response, wait_for, with_channel
from scoregate.adapters.files import FileChannel, FileJobConfig
from scoregate.adapters.files.demo import write_demo_file
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.core.client import ScoringClient
from scoregate.core.settings import ClientSettings

REQUESTS = "scoregate_channel_requests_total"
ERRORS = "scoregate_channel_errors_total"
EVENTS = "scoregate_channel_events_total"
IN_FLIGHT = "scoregate_channel_in_flight"
REJECT_WIDTH = 9 + 20 + 30 + 100 + 200  # reject layout + the demo's LRECL


def sample(metrics: ChannelMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, {"channel": "files", **labels}) or 0.0


def requests(metrics: ChannelMetrics) -> dict[str, float]:
    found = {}
    for family in metrics.registry.collect():
        for s in family.samples:
            if s.name == REQUESTS and s.value:
                found[s.labels["outcome"]] = s.value
    return found


def events(metrics: ChannelMetrics) -> dict[str, float]:
    return {s.labels["event"]: s.value for family in metrics.registry.collect() for s in family.samples
            if s.name == EVENTS}


def settled(channel: FileChannel, count: int = 1):
    return lambda: len(channel.summaries) >= count


def test_scored_and_rejected_records_match_the_response_and_reject_files(
        tmp_path: Path, job_config: FileJobConfig, client: ScoringClient) -> None:
    config = job_config.model_copy(update={"batch_records": 100})  # several chunks
    invalid = {3: "packed_sign", 10: "zoned_digit", 11: "unknown_code", 250: "age", 399: "age"}
    demo = write_demo_file(tmp_path / "MIXED.DAT", 400, invalid=invalid)
    drop(config, demo.path)
    metrics = ChannelMetrics("files")
    in_flight: dict[str, float] = {}

    def hook(step: str) -> None:  # in the job's thread, at the point the step names
        if step in ("chunk", "renamed"):
            in_flight.setdefault(step, sample(metrics, IN_FLIGHT))  # the first chunk written, the file published

    async def body(channel: FileChannel) -> None:
        await wait_for(settled(channel))

    with_channel(config, client, body, metrics=metrics, hook=hook)
    outbox = dirs(config)["outbox"]
    scored = len(read_response(config.output_codec, outbox / "MIXED.DAT.RSP")["RS-DETAIL-REC"]["RD-APPL-NO"])
    rej = (outbox / "MIXED.DAT.REJ").read_bytes()
    rejected = len({int(rej[i: i + 9].decode("cp037")) for i in range(0, len(rej), REJECT_WIDTH)})
    assert rejected == len(invalid) and scored + rejected == demo.records  # the files are what they should be

    assert requests(metrics) == {"scored": scored, "error": rejected}
    assert sample(metrics, ERRORS, kind="invalid_input") == rejected
    assert events(metrics) == {"file_claimed": 1, "file_done": 1}
    assert metrics.registry.get_sample_value(
        "scoregate_channel_unit_seconds_count", {"channel": "files", "unit": "file"}
    ) == 1
    # Records are in flight from their chunk's reading until the response is published.
    assert 0 < in_flight["chunk"] < demo.records
    assert in_flight["renamed"] == demo.records
    assert sample(metrics, IN_FLIGHT) == 0


def test_a_bad_trailer_sets_the_file_aside_and_its_records_count_as_dead_letters(
        tmp_path: Path, job_config: FileJobConfig, client: ScoringClient) -> None:
    demo = write_demo_file(tmp_path / "BAD.DAT", 300, trailer_count=299)
    drop(job_config, demo.path)
    metrics = ChannelMetrics("files")

    async def body(channel: FileChannel) -> None:
        await wait_for(settled(channel))

    with_channel(job_config, client, body, metrics=metrics)
    assert "TRAILER_COUNT" in (dirs(job_config)["error"] / "BAD.DAT.reason").read_text()
    assert not list(dirs(job_config)["outbox"].iterdir())
    assert events(metrics) == {"file_claimed": 1, "file_set_aside": 1}
    # Every detail was read before the trailer refused them all; none was answered.
    assert requests(metrics) == {"dead_letter": demo.records}
    assert sample(metrics, IN_FLIGHT) == 0


def test_a_repeated_drop_is_an_event_and_no_records(
        tmp_path: Path, job_config: FileJobConfig, client: ScoringClient) -> None:
    demo = write_demo_file(tmp_path / "ONCE.DAT", 50)
    (tmp_path / "AGAIN.DAT").write_bytes(demo.path.read_bytes())
    drop(job_config, demo.path)
    metrics = ChannelMetrics("files")

    async def body(channel: FileChannel) -> None:
        await wait_for(settled(channel))
        drop(job_config, tmp_path / "AGAIN.DAT")
        await wait_for(settled(channel, 2))

    with_channel(job_config, client, body, metrics=metrics)
    assert (dirs(job_config)["error"] / "AGAIN.DAT.reason").exists()
    assert events(metrics) == {"file_claimed": 2, "file_done": 1, "file_duplicate": 1}
    assert sum(requests(metrics).values()) == demo.records  # the first drop's records only


def test_core_unavailable_puts_the_file_back_as_a_retry_event(tmp_path: Path, job_config: FileJobConfig) -> None:
    with socket.socket() as s:  # a port nothing listens on: the core is really unreachable
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo = write_demo_file(tmp_path / "WAIT.DAT", 20)
    drop(job_config, demo.path)
    metrics = ChannelMetrics("files")

    async def body(channel: FileChannel) -> None:
        await wait_for(settled(channel))

    with ScoringClient(ClientSettings(target=f"127.0.0.1:{port}", timeout_s=0.5, retry_attempts=1)) as down:
        with_channel(job_config, down, body, metrics=metrics)
    assert (dirs(job_config)["inbox"] / "WAIT.DAT").exists()
    assert events(metrics)["file_retry"] >= 1 and "file_done" not in events(metrics)
    # The core is asked for the model before any record is read: nothing was taken, nothing answered.
    assert requests(metrics) == {}
    assert sample(metrics, IN_FLIGHT) == 0
