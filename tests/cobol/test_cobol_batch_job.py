"""The COBOL batch job of examples/cobol, compiled by GnuCOBOL, against the real file channel.

LOANWRIT writes a loan request file (header, details with packed, zoned and separate-sign
fields, trailer with count and control totals); ``scoregate files process`` scores it on a real
core; LOANREAD reads the response file and checks every answer and the trailer. The files are
ASCII (GnuCOBOL has no EBCDIC CODE-SET), so the job is the demo job with encoding latin-1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from scoregate.adapters.files import FileJobConfig
from scoregate.adapters.files.demo import _features
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ColumnBatch

from gnucobol import Compiler

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "cobol"
COPYBOOKS = ROOT / "app" / "defaults" / "files"
APPLICANTS = [f"APP{i:09d}" for i in range(1, 7)]


@pytest.fixture(scope="module")
def programs(cobol: Compiler) -> dict[str, Path]:
    """LOANWRIT and LOANREAD, compiled as the example's README says."""
    return {name: cobol.build((EXAMPLES / f"{name}.cbl").read_text(encoding="ascii"), extra=("-I", str(COPYBOOKS)))
            for name in ("LOANWRIT", "LOANREAD")}


@pytest.fixture
def job(tmp_path: Path) -> Path:
    """The demo job, reading and writing ASCII files."""
    data = tomllib.loads((COPYBOOKS / "loans.toml").read_text(encoding="utf-8"))
    for side in ("input", "output"):
        data[side]["encoding"] = "latin-1"
        data[side]["copybook"] = str(COPYBOOKS / data[side]["copybook"])
    path = tmp_path / "cobol-job.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run(exe: Path, mode: str, tmp_path: Path, **dd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **{f"DD_{name}": str(path) for name, path in dd.items()}}
    return subprocess.run([str(exe), mode], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


def process(request: Path, job: Path, out: Path, target: str) -> subprocess.CompletedProcess:
    """``scoregate files process`` as an operator runs it."""
    return subprocess.run([sys.executable, "-m", "scoregate.app.cli", "files", "process", str(request), "--job", str(job),
                           "--out", str(out), "--core", target], capture_output=True, text=True, timeout=120)


def answers(stdout: str) -> dict[str, dict[str, str]]:
    """LOANREAD's ``ANSWER appl SCORE s PD p DECISION d REASONS r1 r2 r3 r4`` lines, by applicant."""
    out = {}
    for line in stdout.splitlines():
        if line.startswith("ANSWER "):
            words = line.split()
            # An answer without reasons (the job asks them for adverse decisions only) ends at REASONS.
            reason = words[9] if len(words) > 9 else ""
            out[words[1]] = {"score": words[3], "pd": words[5], "decision": words[7], "reason": reason}
    return out


def test_cobol_request_file_is_answered_as_the_core_scores_it(programs, job: Path, tmp_path: Path, shared_core) -> None:
    request = tmp_path / "LOANS.COBOL"
    written = run(programs["LOANWRIT"], "GOOD", tmp_path, LOANREQ=request)
    assert written.returncode == 0, written.stdout + written.stderr
    assert request.stat().st_size == 200 * 8  # header, 6 details, trailer

    done = process(request, job, tmp_path / "out", shared_core.target)
    assert done.returncode == 0, done.stderr
    assert "done: 6 records, 6 scored, 0 rejected" in done.stdout
    response = tmp_path / "out" / "LOANS.COBOL.RSP"

    read = run(programs["LOANREAD"], "", tmp_path, LOANREQ=request, LOANRSP=response)
    assert read.returncode == 0, read.stdout
    assert "TRAILER 000000006 SCORED 000000000 REJECTED" in read.stdout
    got = answers(read.stdout)
    assert list(got) == APPLICANTS

    # The same applicants scored by the core directly, from the request file the program wrote.
    config = FileJobConfig.load(job)
    batch = config.input_codec.decode(config.input_codec.split(request.read_bytes(), final=True))
    assert not len(batch.errors)
    features = _features(dict(batch.parts["LR-DETAIL-REC"].columns), datetime.now(UTC).date())
    with ScoringClient(shared_core.client_settings()) as client:
        names = tuple(f.name for f in client.describe("credit-risk").feature_schema.features)
        expected = client.score_batch(ColumnBatch(names, features), "credit-risk", reason_count=4,
                                      reason_bands=config.request.reason_bands)
    assert expected.rejects == {}
    p = np.round(expected.probabilities, 6)
    assert [float(got[a]["pd"]) for a in APPLICANTS] == pytest.approx(list(p), abs=5e-7)
    assert [int(got[a]["score"]) for a in APPLICANTS] == list(np.rint(999 * (1 - p)).astype(int))
    assert [got[a]["decision"] for a in APPLICANTS] == list(np.array(["A", "R", "D"])[expected.decisions])
    reasons = np.array([*expected.reason_codes, ""])[expected.reason_features[:, 0]]
    assert [got[a]["reason"] for a in APPLICANTS] == list(reasons)

    # LOANREAD's checks can fail: a score that disagrees with its PD, a trailer count one short.
    records = bytearray(response.read_bytes())
    records[100 + 13: 100 + 16] = b"500"  # RD-SCORE of the first answer
    records[-99: -90] = b"000000005"  # RT-RECORD-COUNT
    tampered = tmp_path / "TAMPERED.RSP"
    tampered.write_bytes(bytes(records))
    read = run(programs["LOANREAD"], "", tmp_path, LOANREQ=request, LOANRSP=tampered)
    assert read.returncode == 8
    assert "ERROR APP000000001 SCORE 500 DISAGREES WITH PD" in read.stdout
    assert "ERROR TRAILER COUNT 000000005, ANSWERS 000000006" in read.stdout


def test_a_broken_packed_field_is_rejected_and_the_rest_answered(programs, job: Path, tmp_path: Path,
                                                                 shared_core) -> None:
    request = tmp_path / "LOANS.BADFIELD"
    assert run(programs["LOANWRIT"], "BADFIELD", tmp_path, LOANREQ=request).returncode == 0

    done = process(request, job, tmp_path / "out", shared_core.target)
    assert done.returncode == 0, done.stderr
    assert "done: 6 records, 5 scored, 1 rejected" in done.stdout
    rejects = (tmp_path / "out" / "LOANS.BADFIELD.REJ").read_bytes()
    assert b"APP000000003" in rejects and b"LD-INTEREST-RATE" in rejects and b"BAD_PACKED" in rejects

    read = run(programs["LOANREAD"], "", tmp_path, LOANREQ=request, LOANRSP=tmp_path / "out" / "LOANS.BADFIELD.RSP")
    assert read.returncode == 0, read.stdout  # counts and loan total agree with the five answers
    assert "TRAILER 000000005 SCORED 000000001 REJECTED" in read.stdout
    assert list(answers(read.stdout)) == [a for a in APPLICANTS if a != "APP000000003"]


def test_a_trailer_total_that_disagrees_refuses_the_whole_file(programs, job: Path, tmp_path: Path,
                                                               shared_core) -> None:
    request = tmp_path / "LOANS.BADTOTAL"
    assert run(programs["LOANWRIT"], "BADTOTAL", tmp_path, LOANREQ=request).returncode == 0

    done = process(request, job, tmp_path / "out", shared_core.target)
    assert done.returncode != 0
    assert "LT-TOTAL-LOAN-AMOUNT says 95001.00" in done.stderr + done.stdout
    assert not (tmp_path / "out" / "LOANS.BADTOTAL.RSP").exists()
