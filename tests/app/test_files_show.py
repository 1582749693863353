"""`scoregate files show`: response and reject files, EBCDIC and packed, as readable tables."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from scoregate.adapters.files.demo import write_demo_file
from scoregate.app.cli import main


def test_a_response_and_a_reject_file_shown_as_tables(tmp_path: Path, shared_core) -> None:
    source = tmp_path / "LOANS.DAT"
    write_demo_file(source, 6, invalid={2: "packed_sign", 5: "unknown_code"})
    runner = CliRunner()
    processed = runner.invoke(main, ["files", "process", str(source), "--out", str(tmp_path / "out"),
                                     "--core", shared_core.target])
    assert processed.exit_code == 0, processed.output
    assert "6 records, 4 scored, 2 rejected" in processed.output

    response = runner.invoke(main, ["files", "show", str(tmp_path / "out" / "LOANS.DAT.RSP")])
    assert response.exit_code == 0, response.output
    assert "RS-DETAIL-REC (4 records)" in response.output and "RS-TRAILER-REC (1 record)" in response.output
    assert "credit-risk:1" in response.output and "A00000000001" in response.output

    rejects = runner.invoke(main, ["files", "show", str(tmp_path / "out" / "LOANS.DAT.REJ")])
    assert rejects.exit_code == 0, rejects.output
    lines = rejects.output.splitlines()
    header = next(line for line in lines if line.startswith("#  REJ-RECORD-NO"))
    assert header.split() == ["#", "REJ-RECORD-NO", "REJ-REASON", "REJ-FIELD", "REJ-MESSAGE", "REJ-RECORD"]
    assert any("BAD_PACKED_SIGN" in line and "LD-SAVINGS-BALANCE" in line and line.split()[1] == "3" for line in lines)
    assert any("UNKNOWN_CATEGORY" in line and "LD-HOME-OWNERSHIP" in line and line.split()[1] == "6" for line in lines)

    wrong = runner.invoke(main, ["files", "show", str(source)])
    assert wrong.exit_code == 2 and "is neither a response (.RSP) nor a reject (.REJ) file" in wrong.output
