"""The file channel end to end: real EBCDIC files in temporary directories, a real core, the real watcher."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from files_support import (
    WATCHER_SCRIPT,
    dirs,
    drop,
    read_response,
    wait_for,
    with_channel,
)
from scoregate.adapters.files import FileChannel, FileJobConfig, process_file
from scoregate.adapters.files.demo import write_demo_file
from scoregate.adapters.files.ledger import FileState, Ledger
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ColumnBatch

RSP_DETAIL, RSP_HEADER, RSP_TRAILER = "RS-DETAIL-REC", "RS-HEADER-REC", "RS-TRAILER-REC"


def outputs_ready(config: FileJobConfig, name: str) -> bool:
    return (dirs(config)["outbox"] / f"{name}.RSP.done").exists() and (dirs(config)["archive"] / name).exists()


def test_clean_file_gets_the_cores_scores_header_and_trailer(tmp_path: Path, job_config: FileJobConfig,
                                                             client: ScoringClient) -> None:
    # Two scoring chunks and more, so that chunk boundaries are crossed.
    config = job_config.model_copy(update={"batch_records": 700, "chunk_bytes": 64 * 1024})
    demo = write_demo_file(tmp_path / "LOANS.D1125", 2_000, with_features=True, file_id="NIGHTLY1")
    drop(config, demo.path)

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: outputs_ready(config, "LOANS.D1125"))

    with_channel(config, client, body)
    outbox = dirs(config)["outbox"]
    response = read_response(config.output_codec, outbox / "LOANS.D1125.RSP")
    detail = response[RSP_DETAIL]
    expected = client.score_batch(ColumnBatch(tuple(f.name for f in client.describe("credit-risk").feature_schema.features),
                                              demo.features), "credit-risk", reason_count=4,
                                  reason_bands=config.request.reason_bands)
    assert expected.rejects == {}
    assert list(detail["RD-APPL-NO"]) == list(demo.references)  # input order, keyed by the reference
    p = expected.probabilities
    np.testing.assert_allclose(detail["RD-PD"] / 1e6, p, atol=5.1e-7)
    assert np.array_equal(detail["RD-SCORE"], np.rint(999 * (1 - np.round(p, 6))).astype(np.int64))
    bands = np.array(["A", "R", "D"])[expected.decisions]
    assert list(detail["RD-DECISION"]) == list(bands)
    codes = np.array([*expected.reason_codes, ""])[expected.reason_features[:, 0]]
    assert list(detail["RD-REASON-CODE(1)"]) == list(codes)
    # The demo job asks reasons for adverse decisions only: approvals leave the field blank.
    assert config.request.reason_bands == ("DECLINE", "REVIEW")
    approved = bands == "A"
    assert approved.any() and set(detail["RD-REASON-CODE(1)"][approved]) == {""}
    assert (detail["RD-REASON-CODE(1)"][~approved] != "").any()
    assert set(detail["RD-MODEL"]) == {"credit-risk:1"}
    header = response[RSP_HEADER]
    assert (header["RH-FILE-ID"][0], header["RH-MODEL"][0]) == ("NIGHTLY1", "credit-risk:1")
    trailer = response[RSP_TRAILER]
    assert (trailer["RT-RECORD-COUNT"][0], trailer["RT-REJECT-COUNT"][0]) == (2_000, 0)
    assert trailer["RT-TOTAL-LOAN-AMOUNT"][0] == demo.total_loan_cents
    raw = (outbox / "LOANS.D1125.RSP").read_bytes()
    assert len(raw) == 100 * 2_002 and raw[:1] == "H".encode("cp037") and raw[-100:-99] == "T".encode("cp037")
    assert (outbox / "LOANS.D1125.REJ").read_bytes() == b""
    assert not list(dirs(config)["work"].iterdir()) and not list(dirs(config)["inbox"].iterdir())
    assert not [p for p in outbox.iterdir() if p.name.startswith(".")]  # no temporary file left
    ledger = Ledger(config.path(config.ledger))
    assert [(e.name, e.state, e.records, e.rejects) for e in ledger.entries()] == [("LOANS.D1125", FileState.DONE, 2_000, 0)]


def test_partially_written_file_is_not_touched(tmp_path: Path, job_config: FileJobConfig, client: ScoringClient) -> None:
    demo = write_demo_file(tmp_path / "PART.DAT", 50)
    path = drop(job_config, demo.path, done=False)

    async def body(channel: FileChannel) -> None:
        await asyncio.sleep(0.5)  # ten polls
        assert path.exists() and not list(dirs(job_config)["work"].iterdir())
        (path.parent / "PART.DAT.done").touch()
        await wait_for(lambda: outputs_ready(job_config, "PART.DAT"))

    with_channel(job_config, client, body)


@pytest.mark.parametrize("damage", ["count", "total"])
def test_trailer_mismatch_sets_the_whole_file_aside(tmp_path: Path, job_config: FileJobConfig, client: ScoringClient,
                                                    damage: str) -> None:
    demo = write_demo_file(tmp_path / "BAD.DAT", 300, trailer_count=299 if damage == "count" else None)
    if damage == "total":  # one cent more in the last detail's loan amount than the trailer says
        codec = job_config.input_codec
        data = bytearray(demo.path.read_bytes())
        record = codec.decode(codec.split(bytes(data[-400:-200]), final=True)).parts["LR-DETAIL-REC"].columns
        amount = int(record["LD-LOAN-AMOUNT"][0]) + 1
        f = codec.layout.record_type("LR-DETAIL-REC").field("LD-LOAN-AMOUNT")
        patched = codec.encode_records({"LD-LOAN-AMOUNT": np.array([amount])}, "LR-DETAIL-REC")[0, f.offset: f.end]
        data[-400 + f.offset: -400 + f.end] = patched.tobytes()
        demo.path.write_bytes(bytes(data))
    drop(job_config, demo.path)
    error = dirs(job_config)["error"]

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: (error / "BAD.DAT.reason").exists() and (error / "BAD.DAT").exists())

    with_channel(job_config, client, body)
    reason = (error / "BAD.DAT.reason").read_text()
    assert ("TRAILER_COUNT" if damage == "count" else "TRAILER_TOTAL") in reason
    assert "LT-RECORD-COUNT says 299" in reason if damage == "count" else "LT-TOTAL-LOAN-AMOUNT" in reason
    assert not list(dirs(job_config)["outbox"].iterdir())  # nothing published, not even a temporary file


def test_bad_records_go_to_the_reject_file_and_the_rest_is_scored(tmp_path: Path, job_config: FileJobConfig,
                                                                   client: ScoringClient) -> None:
    invalid = {3: "packed_sign", 10: "zoned_digit", 11: "unknown_code", 250: "age"}
    demo = write_demo_file(tmp_path / "MIXED.DAT", 400, invalid=invalid, with_features=True)
    drop(job_config, demo.path)

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: outputs_ready(job_config, "MIXED.DAT"))

    with_channel(job_config, client, body)
    outbox = dirs(job_config)["outbox"]
    rej = (outbox / "MIXED.DAT.REJ").read_bytes()
    width = 9 + 20 + 30 + 100 + 200
    assert len(rej) == 4 * width
    rows = [rej[i: i + width] for i in range(0, len(rej), width)]
    found = [(int(r[:9].decode("cp037")), r[9:29].decode("cp037").strip(), r[29:59].decode("cp037").strip()) for r in rows]
    # Record numbers count the header: detail n is record n + 1.
    assert found == [(4, "BAD_PACKED_SIGN", "LD-SAVINGS-BALANCE"), (11, "BAD_ZONED_DIGIT", "LD-LOAN-TERM"),
                     (12, "UNKNOWN_CATEGORY", "LD-HOME-OWNERSHIP"), (251, "OUT_OF_RANGE", "LD-BIRTH-DATE")]
    original = (dirs(job_config)["archive"] / "MIXED.DAT").read_bytes()
    for (number, _, _), row in zip(found, rows, strict=True):
        assert row[-200:] == original[(number - 1) * 200: number * 200]  # the original bytes, unchanged
    response = read_response(job_config.output_codec, outbox / "MIXED.DAT.RSP")
    good = np.array([n not in invalid for n in range(1, 401)])
    assert list(response[RSP_DETAIL]["RD-APPL-NO"]) == list(demo.references[good])
    trailer = response[RSP_TRAILER]
    assert (trailer["RT-RECORD-COUNT"][0], trailer["RT-REJECT-COUNT"][0]) == (396, 4)


def test_the_same_file_dropped_twice_is_detected(tmp_path: Path, job_config: FileJobConfig, client: ScoringClient) -> None:
    demo = write_demo_file(tmp_path / "ONCE.DAT", 100)
    copy = tmp_path / "AGAIN.DAT"
    copy.write_bytes(demo.path.read_bytes())
    drop(job_config, demo.path)

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: outputs_ready(job_config, "ONCE.DAT"))
        drop(job_config, copy)
        await wait_for(lambda: (dirs(job_config)["error"] / "AGAIN.DAT.reason").exists())

    with_channel(job_config, client, body)
    assert "DUPLICATE" in (dirs(job_config)["error"] / "AGAIN.DAT.reason").read_text()
    assert not (dirs(job_config)["outbox"] / "AGAIN.DAT.RSP").exists()


def test_a_repeated_drop_is_processed_again_when_configured(tmp_path: Path, job_config: FileJobConfig,
                                                             client: ScoringClient) -> None:
    config = job_config.model_copy(update={"on_duplicate": "process"})
    demo = write_demo_file(tmp_path / "ONCE.DAT", 50)
    (tmp_path / "AGAIN.DAT").write_bytes(demo.path.read_bytes())
    drop(config, demo.path)

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: outputs_ready(config, "ONCE.DAT"))
        drop(config, tmp_path / "AGAIN.DAT")
        await wait_for(lambda: outputs_ready(config, "AGAIN.DAT"))

    with_channel(config, client, body)
    outbox = dirs(config)["outbox"]
    assert (outbox / "AGAIN.DAT.RSP").read_bytes() == (outbox / "ONCE.DAT.RSP").read_bytes()


def test_two_watchers_on_one_inbox_never_process_a_file_twice(tmp_path: Path, job_config: FileJobConfig,
                                                               client: ScoringClient) -> None:
    names = [f"F{i:02d}.DAT" for i in range(8)]
    for i, name in enumerate(names):
        drop(job_config, write_demo_file(tmp_path / name, 200, seed=i).path)

    async def body() -> list[FileChannel]:
        channels = [FileChannel(job_config, client), FileChannel(job_config, client)]
        for channel in channels:
            await channel.start()
        await wait_for(lambda: all(outputs_ready(job_config, n) for n in names))
        for channel in channels:
            await channel.stop(5)
        return channels

    channels = asyncio.run(body())
    processed = [s.name for c in channels for s in c.summaries]
    assert sorted(processed) == names  # each exactly once, whichever watcher took it
    ledger = Ledger(job_config.path(job_config.ledger))
    assert sorted((e.name, e.state) for e in ledger.entries()) == [(n, FileState.DONE) for n in names]
    assert not list(dirs(job_config)["error"].iterdir())


def test_two_gateway_processes_on_one_inbox_never_process_a_file_twice(
        tmp_path: Path, job_config: FileJobConfig, client: ScoringClient, shared_core) -> None:
    settings, stop_file = tmp_path / "job.json", tmp_path / "stop"
    settings.write_text(job_config.model_dump_json())
    other = subprocess.Popen([sys.executable, "-c", WATCHER_SCRIPT, str(settings), shared_core.target, str(stop_file)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "started"
        names = [f"G{i:02d}.DAT" for i in range(12)]

        async def body(channel: FileChannel) -> FileChannel:
            for i, name in enumerate(names):
                drop(job_config, write_demo_file(tmp_path / name, 300, seed=i).path)
            await wait_for(lambda: all(outputs_ready(job_config, n) for n in names), timeout=30)
            return channel

        # Summaries are read after stop(): a file archived a moment ago may still be finishing.
        mine = [s.name for s in with_channel(job_config, client, body).summaries]
        stop_file.touch()
        theirs = other.communicate(timeout=30)[0].split()
    finally:
        other.kill()
    assert sorted(mine + theirs) == names  # each file exactly once, by one process or the other
    entries = Ledger(job_config.path(job_config.ledger)).entries()
    assert sorted((e.name, e.state) for e in entries) == [(n, FileState.DONE) for n in names]


def test_unknown_model_sets_the_file_aside_with_a_reason(tmp_path: Path, job_config: FileJobConfig,
                                                          client: ScoringClient) -> None:
    config = job_config.model_copy(update={"request": job_config.request.model_copy(update={"model": "no-such-model"})})
    drop(config, write_demo_file(tmp_path / "NOMODEL.DAT", 20).path)
    error = dirs(config)["error"]

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: (error / "NOMODEL.DAT.reason").exists())

    with_channel(config, client, body)
    assert "UNKNOWN_MODEL" in (error / "NOMODEL.DAT.reason").read_text()
    assert (error / "NOMODEL.DAT").exists() and not list(dirs(config)["outbox"].iterdir())


def test_recfm_vb_input_with_rdws(tmp_path: Path, job_config: FileJobConfig, client: ScoringClient) -> None:
    demo = write_demo_file(tmp_path / "FB.DAT", 250, with_features=True)
    records = np.frombuffer(demo.path.read_bytes(), np.uint8).reshape(-1, 200)
    config = job_config.model_copy(update={"input": job_config.input.model_copy(update={"recfm": "VB"})})
    vb = tmp_path / "VB.DAT"
    vb.write_bytes(config.input_codec.framer.join(records, 0x40))
    assert vb.stat().st_size == 252 * 204  # an RDW of 4 bytes in front of each record
    drop(config, vb)

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: outputs_ready(config, "VB.DAT"))

    with_channel(config, client, body)
    response = read_response(config.output_codec, dirs(config)["outbox"] / "VB.DAT.RSP")
    assert list(response[RSP_DETAIL]["RD-APPL-NO"]) == list(demo.references)


def test_process_file_one_off(tmp_path: Path, job_config: FileJobConfig, client: ScoringClient) -> None:
    demo = write_demo_file(tmp_path / "ONEOFF.DAT", 500, invalid={7: "unknown_code"})
    os.utime(demo.path, (1_700_000_000, 1_700_000_000))
    seen: list[int] = []
    summary = process_file(demo.path, job_config, client, tmp_path / "out", progress=seen.append)
    assert (summary.outcome, summary.records, summary.scored, summary.rejected) == ("done", 500, 499, 1)
    assert sum(seen) == demo.path.stat().st_size and demo.path.exists()  # read, never moved
    assert demo.path.stat().st_mtime == 1_700_000_000  # nor touched: it is no claim of ours
    assert (tmp_path / "out" / "ONEOFF.DAT.RSP.done").exists()


def test_edge_files_all_rejected_no_details_empty(tmp_path: Path, job_config: FileJobConfig, client: ScoringClient) -> None:
    out = tmp_path / "out"
    bad = write_demo_file(tmp_path / "ALLBAD.DAT", 3, invalid={1: "age", 2: "packed_sign", 3: "unknown_code"})
    summary = process_file(bad.path, job_config, client, out)
    assert (summary.outcome, summary.scored, summary.rejected) == ("done", 0, 3)
    response = read_response(job_config.output_codec, out / "ALLBAD.DAT.RSP")
    assert len(response[RSP_DETAIL]["RD-APPL-NO"]) == 0
    assert (response[RSP_TRAILER]["RT-RECORD-COUNT"][0], response[RSP_TRAILER]["RT-REJECT-COUNT"][0]) == (0, 3)

    none = write_demo_file(tmp_path / "NODETAIL.DAT", 0)
    assert process_file(none.path, job_config, client, out).outcome == "done"
    assert (out / "NODETAIL.DAT.RSP").stat().st_size == 200  # header and trailer

    (tmp_path / "EMPTY.DAT").write_bytes(b"")
    summary = process_file(tmp_path / "EMPTY.DAT", job_config, client, out)
    assert summary.outcome == "failed" and "NO_HEADER" in (out / "EMPTY.DAT.reason").read_text()
    assert not (out / "EMPTY.DAT.RSP").exists()


def test_drop_demo_file_is_picked_up(tmp_path: Path, job_config: FileJobConfig, client: ScoringClient) -> None:
    from scoregate.adapters.files.demo import drop_demo_file

    async def body(channel: FileChannel) -> None:
        assert channel.name == "files" and channel.health().ready
        demo = drop_demo_file(dirs(job_config)["inbox"], 100, invalid={5: "age"})
        await wait_for(lambda: outputs_ready(job_config, demo.path.name))

    with_channel(job_config, client, body)


def test_readiness_names_a_drop_directory_that_cannot_be_written(tmp_path: Path, job_config: FileJobConfig,
                                                                  client: ScoringClient) -> None:
    # Tests run as root, for whom permission bits never refuse: a regular file where the error
    # directory should be is unwritable as a directory for anyone.
    async def body(channel: FileChannel) -> None:
        error_dir = dirs(job_config)["error"]
        error_dir.rmdir()
        error_dir.write_bytes(b"")
        health = channel.health()
        assert not health.ready and health.detail == f"drop directory unwritable: {error_dir}"
        error_dir.unlink()
        error_dir.mkdir()
        assert channel.health().ready

    with_channel(job_config, client, body)
