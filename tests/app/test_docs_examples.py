"""The worked examples of docs/configuration/examples.md are true: the multi-record-type VB job
checks, and scores a VB file on a real core (an OCCURS table summed by an expr, ages as of the
header's date, a copied field, rejects in VB by the job's own copybook)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from scoregate.adapters.codecs.fixedwidth import RecordCodec, parse_copybook
from scoregate.adapters.files import FileJobConfig
from scoregate.adapters.files.job import process_file
from scoregate.app.cli import main
from scoregate.core.client import ScoringClient

ACCOUNTS = Path(__file__).parents[2] / "docs" / "configuration" / "examples" / "accounts"


def _vb_records(data: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(data):
        length = int.from_bytes(data[at: at + 2], "big")
        out.append(data[at + 4: at + length])
        at += length
    return out


def test_the_vb_accounts_example_checks_and_scores(tmp_path: Path, shared_core) -> None:  # noqa: ANN001
    check = CliRunner().invoke(main, ["config", "check", str(ACCOUNTS / "gateway.toml")])
    assert (check.exit_code, check.output) == (0, f"{ACCOUNTS / 'gateway.toml'}: ok (files)\n")
    job = FileJobConfig.load(ACCOUNTS / "accounts.toml")
    codec = job.input_codec
    details = {"AD-CUSTOMER-NO": np.array(["C000000001", "C000000002", "C000000003"]), "AD-BRANCH": np.array(["0417", "0042", "0417"]),
               "AD-BIRTH-DATE": np.array([19800101, 19921231, 19750615]), "AD-ANNUAL-INCOME": np.array([Decimal("52000.00")] * 3),
               "AD-HOUSING": np.array(["R", "Z", "M"]), "AD-DEPENDANTS": np.array([0, 2, 1]), "AD-ACCOUNT-COUNT": np.array([2, 1, 5]),
               "AD-REQUESTED-LIMIT": np.array([Decimal("5000.00")] * 3)}
    for n in range(1, 6):
        details[f"AD-ACCT-BALANCE({n})"] = np.array([Decimal("1200.00") * (n <= 2), Decimal("300.00") * (n == 1), Decimal("800.00")])
        details[f"AD-ACCT-LIMIT({n})"] = np.array([Decimal("3000.00") * (n <= 2), Decimal("1000.00") * (n == 1), Decimal("2000.00")])
    source = tmp_path / "ACCOUNTS.VB"
    source.write_bytes(codec.encode({"AH-BATCH-ID": np.array(["NIGHT001"]), "AH-BUSINESS-DATE": np.array([20261130])}, "AR-HEADER-REC")
                       + codec.encode(details, "AR-DETAIL-REC") + codec.encode({"AT-RECORD-COUNT": np.array([3])}, "AR-TRAILER-REC"))
    with ScoringClient(shared_core.client_settings()) as client:
        summary = process_file(source, job, client, tmp_path / "out", today=date(2026, 12, 1))
    assert (summary.outcome, summary.scored, summary.rejected) == ("done", 2, 1)
    response = RecordCodec(job.output_codec.layout, "cp037", "F")
    answers = [response.decode_one(r) for r in _vb_records(summary.response.read_bytes())]
    assert answers[0]["RH-BATCH-ID"] == "NIGHT001" and answers[0]["RH-MODEL"] == "credit-risk:1"
    assert [(a["RD-CUSTOMER-NO"], a["RD-BRANCH"]) for a in answers[1:3]] == [("C000000001", "0417"), ("C000000003", "0417")]
    assert all(a["RD-DECISION"] in "ARD" and 0 <= a["RD-SCORE"] <= 999 for a in answers[1:3])
    assert (answers[3]["RT-RECORD-COUNT"], answers[3]["RT-REJECT-COUNT"]) == (2, 1)
    reject_codec = RecordCodec(parse_copybook((ACCOUNTS / "ACCTREJ.cpy").read_text()), "cp037", "F")
    (reject,) = [reject_codec.decode_one(r) for r in _vb_records(summary.rejects.read_bytes())]
    assert (reject["RJ-CUSTOMER-NO"], reject["RJ-RECORD-NO"], reject["RJ-REASON-CODE"], reject["RJ-FIELD"]) == \
        ("C000000002", 3, "UNKNOWN_CATEGORY", "AD-HOUSING")
