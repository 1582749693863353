"""GnuCOBOL as the oracle: what a COBOL program writes, scoregate decodes to the same values, and
what scoregate encodes, a COBOL program reads as the same values.

For each copybook a generated program (``gnucobol.py``) MOVEs known values into the record and
WRITEs it to a RECORD SEQUENTIAL file of fixed records; scoregate decodes the file with the same
copybook. The reverse: scoregate encodes, the program READs and DISPLAYs every field. The
copybooks: the parsed corpus (tests/data/copybooks), the demo request and response copybooks,
and the ones written for this test in tests/data/copybooks/oracle.

**Compiler options** (GnuCOBOL 3.1, ``cobc -x -std=ibm -fsign=EBCDIC``; see ``COBC_OPTIONS``):
``-std=ibm`` gives IBM's binary layout, COMP/COMP-4/BINARY big-endian in 2, 4 or 8 bytes for
1-4, 5-9 and 10-18 digits (GnuCOBOL's default packs 1-2 digits into one byte), and IBM's packed
signs (C/D signed, F unsigned, the same as GnuCOBOL's default). ``-fsign=EBCDIC`` writes an
overpunched zoned sign as an EBCDIC file reads after translation to ASCII: ``{ABCDEFGHI`` for
+0..+9 and ``}JKLMNOPQR`` for -0..-9 (GnuCOBOL's default ASCII convention puts 0x70-0x79 on
negatives and a plain digit on positives). With these, offsets, lengths, SYNC slack bytes,
OCCURS strides, REDEFINES and every byte of packed, binary and separate-sign fields match IBM.

**Where GnuCOBOL cannot match IBM**, and how the tests deal with it:

- Display data is ASCII, never EBCDIC: ``CODE-SET`` in an FD is accepted but not implemented in
  GnuCOBOL 3.1 (``warning: CODE-SET is not implemented``; checked below), so the files are read
  and written as ``latin-1``. EBCDIC itself is covered by the engine's own tests.
- ``COMP-5`` is host byte order (little-endian on x86), whatever ``-fbinary-byteorder`` says,
  where IBM's is big-endian: the tests read GnuCOBOL's COMP-5 fields as little-endian.
- ``COMP-1``/``COMP-2`` are IEEE 754 in host byte order, not IBM hexadecimal floating point.
- ``PIC N`` (USAGE NATIONAL) is unfinished in GnuCOBOL 3.1: one byte per character, not
  UTF-16, so it is not compared here.
- A packed item with a scaling ``P`` is written wrong by GnuCOBOL 3.1 (``PIC S9(3)PP COMP-3``
  holding -12300 becomes ``001D``): the P test uses display and binary items only.
- Items after an ``OCCURS DEPENDING ON`` table stay at their longest offset in GnuCOBOL 3.1,
  where IBM places them after the last entry, unless compiled with ``-fodoslide``: the
  ``odo-slide`` case is, the ``odo`` case puts its table last.
- A table whose ``DEPENDING ON`` counter sits in each occurrence of an outer table (Cobrix's
  test21, which the engine reads) is refused by GnuCOBOL 3.1 ("cannot have nested OCCURS
  DEPENDING", with ``-fcomplex-odo`` too): no oracle case; checked in test_gnucobol_constructs.py.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from scoregate.adapters.codecs.copybook_files import members_beside

from corpus import CORPUS_DIR, EXPECTED_REFUSALS, ORACLE_DIR, corpus_files, member_of, read
from gnucobol import COBC_OPTIONS, DATA_FILE, Compiler
from oracle_cases import NOT_COMPILED, check_cobol_reads, check_cobol_writes, engine_case, known_values

APP_FILES = Path(__file__).resolve().parents[2] / "app" / "defaults" / "files"
ENGINE_CASES = {
    **{p.name: p for p in corpus_files() if p.name not in EXPECTED_REFUSALS and p.name not in NOT_COMPILED},
    "LOANREQ.cpy": APP_FILES / "LOANREQ.cpy",
    "LOANRSP.cpy": APP_FILES / "LOANRSP.cpy",
    "oracle/usages.cpy": ORACLE_DIR / "usages.cpy",
}


def _case(name: str):
    """A corpus copybook's COPY members are the corpus files of its source (inlined for GnuCOBOL)."""
    path = ENGINE_CASES[name]
    return engine_case(read(path), copy_member=member_of(path) if path.parent == CORPUS_DIR else None)


@pytest.mark.parametrize("name", ENGINE_CASES)
def test_scoregate_decodes_what_cobol_writes(cobol: Compiler, tmp_path: Path, name: str) -> None:
    case, layout = _case(name)
    check_cobol_writes(cobol, tmp_path, case, lambda: layout)


@pytest.mark.parametrize("name", ENGINE_CASES)
def test_cobol_reads_what_scoregate_encodes(cobol: Compiler, tmp_path: Path, name: str) -> None:
    case, layout = _case(name)
    # Other values than the program was compiled with: it reads them from the file.
    rows = {k: known_values(s, layout.record_types[k], seed=2) for k, s in enumerate(case.shapes)}
    check_cobol_reads(cobol, tmp_path, case, layout, rows)


def test_copy_replacing_lays_out_as_gnucobol_expands_it(cobol: Compiler, tmp_path: Path) -> None:
    """The program keeps the COPY ... REPLACING statement and GnuCOBOL expands it from a copy
    library (-I); scoregate expands it from the same member: the records agree both ways."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "CUSTCOPY.cpy").write_bytes((CORPUS_DIR / "ibm-zopeneditor-CUSTCOPY.cpy").read_bytes())
    text = "       COPY CUSTCOPY REPLACING ==:TAG:== BY ==CUST==.\n"
    case, layout = engine_case(text, copy_member=members_beside(lib / "main.cpy"), options=("-I", str(lib)))
    assert [s.root for s in case.shapes] == ["CUST-REC", "CUST-CONTACT-REC"]
    assert "COPY CUSTCOPY REPLACING" in case.source()
    check_cobol_writes(cobol, tmp_path, case, lambda: layout)
    rows = {k: known_values(s, layout.record_types[k], seed=4) for k, s in enumerate(case.shapes)}
    check_cobol_reads(cobol, tmp_path, case, layout, rows)


def test_scoregate_decodes_the_ascii_signs_gnucobol_writes_by_default(cobol: Compiler, tmp_path: Path) -> None:
    """GnuCOBOL's (and Micro Focus's) own ASCII overpunch, a plain digit positive and 0x70-0x79
    ('p'-'y') for -0..-9, is read as well as the EBCDIC-style letters."""
    case, layout = engine_case(read(ORACLE_DIR / "usages.cpy"))
    check_cobol_writes(cobol, tmp_path, replace(case, options=("-fsign=ASCII",)), lambda: layout)
    assert set(range(0x70, 0x7A)) & set((tmp_path / DATA_FILE).read_bytes())  # it did write them


def test_cobol_reads_the_ascii_signs_scoregate_writes_when_asked(cobol: Compiler, tmp_path: Path) -> None:
    case, layout = engine_case(read(ORACLE_DIR / "usages.cpy"))
    case = replace(case, options=("-fsign=ASCII",), sign_convention="ascii")
    rows = {k: known_values(s, layout.record_types[k], seed=3) for k, s in enumerate(case.shapes)}
    check_cobol_reads(cobol, tmp_path, case, layout, rows)
    assert set(range(0x70, 0x7A)) & set((tmp_path / DATA_FILE).read_bytes())


def test_gnucobol_does_not_implement_code_set_so_the_files_are_ascii(cobol: Compiler, tmp_path: Path) -> None:
    """If a GnuCOBOL release implements CODE-SET, this fails: then add EBCDIC files to the oracle."""
    source = "\n".join([
        "       IDENTIFICATION DIVISION.", "       PROGRAM-ID. CODESET.", "       ENVIRONMENT DIVISION.",
        "       CONFIGURATION SECTION.", "       SPECIAL-NAMES.", "           ALPHABET EBC IS EBCDIC.",
        "       INPUT-OUTPUT SECTION.", "       FILE-CONTROL.", f"           SELECT F ASSIGN TO '{DATA_FILE}'",
        "               ORGANIZATION IS SEQUENTIAL.", "       DATA DIVISION.", "       FILE SECTION.",
        "       FD  F RECORDING MODE IS F CODE-SET IS EBC.", "       01  R PIC X(5).", "       PROCEDURE DIVISION.",
        "           OPEN OUTPUT F", "           MOVE 'AB 12' TO R", "           WRITE R", "           CLOSE F",
        "           STOP RUN.", ""])
    src = tmp_path / "codeset.cob"
    src.write_text(source, encoding="ascii")
    done = subprocess.run([cobol.cobc, "-x", *COBC_OPTIONS, "-o", str(tmp_path / "codeset"), str(src)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "CODE-SET is not implemented" in done.stderr
    cobol.run(tmp_path / "codeset", "", tmp_path)
    assert (tmp_path / DATA_FILE).read_bytes() == b"AB 12"
