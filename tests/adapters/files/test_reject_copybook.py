"""Reject records laid out by a copybook of the job's (`[reject]`), written in the input's RECFM:
a VB input gets VB rejects (RDWs), with the record number, reason code and text, the caller's field
and input fields copied byte for byte; the built-in layout follows the input's RECFM too."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from files_support import DEMO_JOB

from scoregate.adapters.codecs.fixedwidth import RecordCodec, parse_copybook
from scoregate.adapters.files import FileJobConfig
from scoregate.adapters.files.demo import demo_codec, write_demo_file
from scoregate.adapters.files.job import process_file
from scoregate.adapters.files.preflight import JobProblems
from scoregate.adapters.files.rejects import reject_layout

REJECT_COPYBOOK = """\
      * LOANREJ: ONE REJECTED LOAN APPLICATION, THE LAYOUT THE BATCH'S OWN ERROR REPORT READS.
       01  LOAN-REJECT.
           05  RJ-APPL-NO          PIC X(12).
           05  RJ-RECORD-NO        PIC 9(09).
           05  RJ-REASON-CODE      PIC X(20).
           05  RJ-FIELD            PIC X(30).
           05  RJ-REASON-TEXT      PIC X(60).
           05  FILLER              PIC X(09).
"""
REJECT_SECTION = """
[reject]
copybook = "LOANREJ.cpy"
fields = [
  { target = "RJ-APPL-NO", source = "input", field = "LD-APPL-NO" },
  { target = "RJ-RECORD-NO", source = "record_number" },
  { target = "RJ-REASON-CODE", source = "reason_code" },
  { target = "RJ-FIELD", source = "field" },
  { target = "RJ-REASON-TEXT", source = "reason_text" },
]
"""
BROKEN = {5: "packed_sign", 9: "unknown_code", 14: "age"}


def _vb_job(folder: Path, reject: str) -> Path:
    for copybook in ("LOANREQ.cpy", "LOANRSP.cpy"):
        shutil.copy(DEMO_JOB.parent / copybook, folder)
    (folder / "LOANREJ.cpy").write_text(REJECT_COPYBOOK)
    text = DEMO_JOB.read_text().replace('recfm = "FB"', 'recfm = "VB"', 1)  # the input's; the response stays FB
    job = folder / "job.toml"
    job.write_text(text + reject)
    return job


def _vb_input(folder: Path, today: date) -> Path:
    """The demo file with three bad details, its records framed VB (RDW before each)."""
    fb = write_demo_file(folder / "fb", 20, today=today, invalid=BROKEN).path
    records = np.frombuffer(fb.read_bytes(), np.uint8).reshape(-1, 200)
    vb = folder / "LOANS.VB"
    vb.write_bytes(RecordCodec(demo_codec().layout, "cp037", "VB").framer.join(records))
    return vb


def _vb_records(data: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(data):
        length = int.from_bytes(data[at: at + 2], "big")
        assert data[at + 2: at + 4] == b"\0\0"
        out.append(data[at + 4: at + length])
        at += length
    return out


def test_a_vb_input_gets_vb_rejects_laid_out_by_the_jobs_copybook(tmp_path: Path, client) -> None:  # noqa: ANN001
    today = date.today()
    source = _vb_input(tmp_path, today)
    summary = process_file(source, FileJobConfig.load(_vb_job(tmp_path, REJECT_SECTION)), client, tmp_path / "out", today=today)
    assert (summary.outcome, summary.scored, summary.rejected) == ("done", 17, 3)
    codec = RecordCodec(parse_copybook(REJECT_COPYBOOK), "cp037", "VB")
    rejects = [codec.decode_one(record) for record in _vb_records(summary.rejects.read_bytes())]
    requests = np.frombuffer((tmp_path / "fb").read_bytes(), np.uint8).reshape(-1, 200)
    appl_nos = {n: requests[n, 1:13].tobytes().decode("cp037") for n in BROKEN}  # record n+1 is detail n
    assert [(r["RJ-RECORD-NO"], r["RJ-REASON-CODE"], r["RJ-FIELD"]) for r in rejects] == [
        (6, "BAD_PACKED_SIGN", "LD-SAVINGS-BALANCE"), (10, "UNKNOWN_CATEGORY", "LD-HOME-OWNERSHIP"), (15, "OUT_OF_RANGE", "LD-BIRTH-DATE")]
    assert [r["RJ-APPL-NO"] for r in rejects] == [appl_nos[5], appl_nos[9], appl_nos[14]]
    assert all(r["RJ-REASON-TEXT"] for r in rejects)


def test_the_built_in_reject_layout_follows_the_inputs_recfm_too(tmp_path: Path, client) -> None:  # noqa: ANN001
    today = date.today()
    summary = process_file(_vb_input(tmp_path, today), FileJobConfig.load(_vb_job(tmp_path, "")), client, tmp_path / "out", today=today)
    records = _vb_records(summary.rejects.read_bytes())
    codec = RecordCodec(reject_layout(200), "cp037", "VB")
    assert [codec.decode_one(r)["REJ-RECORD-NO"] for r in records] == [6, 10, 15]


@pytest.mark.parametrize(("edit", "problem"), [
    ('target = "RJ-FIELD"', "reject.fields[3].target: RJ-FIELDX is not a field of LOAN-REJECT; did you mean RJ-FIELD?"),
    ('field = "LD-APPL-NO"', "reject.fields[0]: RJ-APPL-NO has 12 bytes and LD-BIRTH-DATE 8: a copied field keeps the input's bytes, "
                             "so their lengths must be equal"),
    ('target = "RJ-REASON-CODE"', "reject.fields[2].target: RJ-RECORD-NO is 9(9) zoned: a reason_code needs a PIC X field"),
])
def test_a_reject_mapping_that_does_not_fit_its_copybook_is_a_config_error(tmp_path: Path, edit: str, problem: str) -> None:
    replacement = {'target = "RJ-FIELD"': 'target = "RJ-FIELDX"', 'field = "LD-APPL-NO"': 'field = "LD-BIRTH-DATE"',
                   'target = "RJ-REASON-CODE"': 'target = "RJ-RECORD-NO"'}[edit]
    job = _vb_job(tmp_path, REJECT_SECTION.replace(edit, replacement))
    with pytest.raises(JobProblems) as caught:
        FileJobConfig.load(job)
    assert caught.value.problems == [problem]
