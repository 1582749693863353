"""Record formats through the real file channel and a real core: a VB file whose details carry an
OCCURS DEPENDING ON table, scored by configuration alone (a job file and a copybook, odo/); files
that do not read as their job says, set aside with a hint naming the likely framing or code page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from files_support import dirs, drop, read_response, wait_for, with_channel

from scoregate.adapters.codecs.fixedwidth import parse_copybook
from scoregate.adapters.files import FileChannel, FileJobConfig
from scoregate.adapters.files.demo import _details, write_demo_file
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ColumnBatch

ODO_JOB = Path(__file__).parent / "odo" / "loans_odo.toml"
HEADER, DETAIL, TRAILER = "LR-HEADER-REC", "LR-DETAIL-REC", "LR-TRAILER-REC"


def _write_vb_file(config: FileJobConfig, path: Path, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The demo's applications with 0-8 accounts each, as a VB file with BDWs; (references, features)."""
    today = datetime.now(UTC).date()
    cols, features, _ = _details(np.random.default_rng(14), 0, n, today)
    rng = np.random.default_rng(15)
    cols["LD-ACCOUNT-COUNT"] = rng.integers(0, 9, n)
    for i in range(1, 9):
        cols[f"LD-ACCT-TYPE({i})"] = np.full(n, "CC")
        cols[f"LD-ACCT-BALANCE({i})"] = rng.integers(-10**6, 10**8, n)
    codec = config.input_codec
    path.write_bytes(
        codec.encode({"LH-FILE-ID": ["ODO00001"], "LH-RUN-DATE": [int(today.strftime("%Y%m%d"))]}, HEADER)
        + codec.encode(cols, DETAIL)
        + codec.encode({"LT-RECORD-COUNT": [n], "LT-TOTAL-LOAN-AMOUNT": [int(cols["LD-LOAN-AMOUNT"].sum())],
                        "LT-TOTAL-INCOME": [int(cols["LD-ANNUAL-INCOME"].sum())]}, TRAILER))
    return cols["LD-APPL-NO"], features


def test_a_vb_file_with_an_odo_table_is_scored_by_configuration_alone(tmp_path: Path, client: ScoringClient) -> None:
    config = FileJobConfig.load(ODO_JOB).model_copy(
        update={"base_dir": tmp_path / "job", "poll_s": 0.05, "batch_records": 300, "chunk_bytes": 16 * 1024})
    references, features = _write_vb_file(config, tmp_path / "LOANS.ODO", 1_000)
    framed = config.input_codec.split((tmp_path / "LOANS.ODO").read_bytes(), final=True)
    assert len(set(framed.lengths.tolist())) == 11  # header, trailer and details of nine lengths
    drop(config, tmp_path / "LOANS.ODO")

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: (dirs(config)["outbox"] / "LOANS.ODO.RSP.done").exists(), timeout=60)

    with_channel(config, client, body)
    outbox = dirs(config)["outbox"]
    assert (outbox / "LOANS.ODO.REJ").read_bytes() == b""
    detail = read_response(config.output_codec, outbox / "LOANS.ODO.RSP")["RS-DETAIL-REC"]
    assert list(detail["RD-APPL-NO"]) == list(references)
    names = tuple(f.name for f in client.describe("credit-risk").feature_schema.features)
    expected = client.score_batch(ColumnBatch(names, features), "credit-risk")
    # The savings balance sits after the table, at an offset that moves with each record's count:
    # read at the wrong place, it would change the scores.
    np.testing.assert_allclose(detail["RD-PD"] / 1e6, expected.probabilities, atol=5.1e-7)


@pytest.mark.parametrize(("encoding", "recfm", "code", "hint"), [
    ("ascii", "FB", "WRONG_FORMAT", "looks ASCII"),  # an ASCII transfer of an EBCDIC job's file
    ("cp037", "VB", "WRONG_FORMAT", "look like an RDW"),  # RDWs kept by the transfer, the job says FB
])
def test_a_file_that_does_not_read_as_configured_is_set_aside_with_a_hint(
        tmp_path: Path, job_config: FileJobConfig, client: ScoringClient, encoding: str, recfm: str, code: str,
        hint: str) -> None:
    demo = write_demo_file(tmp_path / "WRONG.DAT", 50, encoding=encoding)
    if recfm == "VB":
        records = job_config.input_codec.split(demo.path.read_bytes(), final=True).records
        demo.path.write_bytes(b"".join(b"\0\xcc\0\0" + r.tobytes() for r in records))  # RDW: 200 + 4 bytes
    drop(job_config, demo.path)
    error = dirs(job_config)["error"]

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: (error / "WRONG.DAT.reason").exists() and (error / "WRONG.DAT").exists())

    with_channel(job_config, client, body)
    reason = (error / "WRONG.DAT.reason").read_text()
    assert f"reason: {code}" in reason and hint in reason, reason
    assert not (dirs(job_config)["outbox"] / "WRONG.DAT.RSP").exists()


def test_a_fixed_file_in_a_vb_job_loses_framing_and_says_so(tmp_path: Path, client: ScoringClient) -> None:
    config = FileJobConfig.load(ODO_JOB).model_copy(update={"base_dir": tmp_path / "job", "poll_s": 0.05})
    demo = write_demo_file(tmp_path / "FIXED.DAT", 20)
    drop(config, demo.path)
    error = dirs(config)["error"]

    async def body(channel: FileChannel) -> None:
        await wait_for(lambda: (error / "FIXED.DAT.reason").exists() and (error / "FIXED.DAT").exists())

    with_channel(config, client, body)
    reason = (error / "FIXED.DAT.reason").read_text()
    assert "reason: BAD_FRAMING" in reason and "record 1:" in reason and "RECFM FB" in reason, reason


def test_the_job_chooses_framing_and_code_page_and_a_wrong_name_is_one_line() -> None:
    from pydantic import ValidationError

    from scoregate.adapters.files.config import RecordLayout

    spec = RecordLayout(copybook=Path("X.cpy"), detail="R", encoding="ibm-1141", recfm="VBS", block_descriptors=True)
    codec = spec.codec(parse_copybook("       01  R.\n           05  A  PIC X(4).\n"))
    assert (codec.codepage.name, codec.framer.recfm, codec.framer.block_descriptors) == ("cp1141", "VBS", True)
    with pytest.raises(ValidationError, match="unknown encoding 'cp1074'.*did you mean 'cp1047'"):
        RecordLayout(copybook=Path("X.cpy"), detail="R", encoding="cp1074")
    ascii_signs = RecordLayout(copybook=Path("X.cpy"), detail="R", encoding="ascii", sign_convention="ascii")
    assert ascii_signs.codec(parse_copybook("       01  R.\n           05  A  PIC S9.\n")).encode({"A": [-3]}) == b"s"
    with pytest.raises(ValidationError, match="sign_convention 'ascii' is for ASCII files"):
        RecordLayout(copybook=Path("X.cpy"), detail="R", encoding="cp037", sign_convention="ascii")
