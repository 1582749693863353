"""GnuCOBOL as an oracle: generate a COBOL program around a copybook, compile it once, run it.

The program holds the copybook in WORKING-STORAGE as it is (wrapped in an 01 when it has none)
and a SEQUENTIAL (record sequential) file of fixed records as wide as its longest 01. Run with ``WRITE`` it
MOVEs known values into the fields, record after record, and WRITEs them; run with ``R<k>`` it
READs every record of the file as record kind k and DISPLAYs each field as ``F0001=...``.
Numbers go through a staging item ``PIC S9(i)V9(s) SIGN LEADING SEPARATE`` on both ways (its
text moved in, or displayed), so values of any size need no numeric literal and print exactly.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass
from decimal import Context, Decimal
from pathlib import Path

COBC_OPTIONS = ("-std=ibm", "-fsign=EBCDIC")
"""``-std=ibm``: COMP/BINARY big-endian in 2, 4 or 8 bytes (binary-byteorder, binary-size
2-4-8), no truncation to the PICTURE (binary-truncate: no, IBM's TRUNC(BIN)), F accepted as a
packed positive sign (hostsign). ``-fsign=EBCDIC``: an overpunched zoned sign is written the
way an EBCDIC file reads after translation to ASCII ({ABCDEFGHI positive, }JKLMNOPQR negative)
instead of GnuCOBOL's default (plain digit positive, 0x70-0x79 negative)."""

DATA_FILE = "oracle.dat"
_PICTURE = re.compile(r"^(S?)(?:9\((\d+)\))?(?:V9\((\d+)\))?$")
_NAME = re.compile(r"^(?P<base>[^( ]+)(?:\((?P<subs>[\d,]+)\))?(?: OF (?P<parent>\S+))?$")
_CHUNK = 40  # longest text literal per MOVE, so that every line stays inside column 72
_EXACT = Context(prec=80)  # Decimal's default 28 digits would round 31-digit values


def shift(value: Decimal | int, places: int) -> Decimal:
    """``value * 10**places``, exactly."""
    return Decimal(value).scaleb(places, _EXACT)


@dataclass(frozen=True)
class Slot:
    """One field the program sets and shows."""

    name: str
    """The field's name in scoregate's layout (``NAME(1,2) OF PARENT``)."""
    ref: str
    """The same field as a COBOL reference (``NAME OF PARENT (1, 2)``)."""
    picture: str | None = None
    """Numbers: the staging picture, ``S9(i)V9(s)`` (either part may be absent); None: text."""

    @property
    def sign_digits_scale(self) -> tuple[bool, int, int]:
        assert self.picture is not None
        m = _PICTURE.match(self.picture)
        assert m, self.picture
        return bool(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)

    def staged(self, value: Decimal | int) -> str:
        """The staging item's text for ``value``."""
        signed, digits, scale = self.sign_digits_scale
        scaled = shift(value, scale)
        assert scaled == scaled.to_integral_value(), (self.name, value)
        text = str(abs(int(scaled))).zfill(digits + scale)
        return (("-" if scaled < 0 else "+") + text) if signed else text

    def shown(self, text: str) -> str | Decimal:
        """A displayed value back as Python: text without trailing spaces, numbers as Decimal."""
        if self.picture is None:
            return text.rstrip(" ")
        return shift(int(text), -self.sign_digits_scale[2])


def staging_picture(digits: int, scale: int, signed: bool) -> str:
    return ("S" if signed else "") + (f"9({digits - scale})" if digits > scale else "") + (
        f"V9({scale})" if scale else "")


def cobol_ref(name: str, qualifier: str | None = None) -> str:
    """``NAME(1,2) OF PARENT`` -> ``NAME OF PARENT OF QUALIFIER (1, 2)``."""
    m = _NAME.match(name)
    assert m, name
    ref = m["base"] + (f" OF {m['parent']}" if m["parent"] else "")
    if qualifier and qualifier not in (m["base"], m["parent"]):
        ref += f" OF {qualifier}"
    return ref + (f" ({', '.join(m['subs'].split(','))})" if m["subs"] else "")


@dataclass(frozen=True)
class Shape:
    """One kind of record as the program sees it: the 01 it lives in and the fields it sets."""

    root: str
    slots: tuple[Slot, ...]
    record_type: str | None = None
    """scoregate's record type for it (None: the layout's only one)."""
    length: int | None = None
    """Move a record read into the 01 as its first ``length`` bytes: for a table with OCCURS
    DEPENDING ON, whose plain MOVE would size the 01 by the count it held before."""


def _wrap(words: list[str], indent: int = 11) -> list[str]:
    """Words -> Area B lines (fixed format), none past column 72."""
    lines, line = [], " " * indent
    for word in words:
        if len(line) + 1 + len(word) > 72 and line.strip():
            lines.append(line)
            line = " " * (indent + 4)
        line += " " + word
    return [*lines, line]


def _staging(slots: list[Slot]) -> list[str]:
    out = []
    for i, s in enumerate(slots):
        if s.picture is not None:
            signed, digits, scale = s.sign_digits_scale
            size = digits + scale + int(signed)
            sign = " SIGN LEADING SEPARATE" if signed else ""
            out += [f"       01  D{i:04d} PIC {s.picture}{sign}.", f"       01  X{i:04d} REDEFINES D{i:04d} PIC X({size})."]
    return out


def program(copybook: str, wrapper: str | None, width: int, kinds: list[Shape],
            records: list[tuple[int, dict[str, str | Decimal | int]]]) -> str:
    """The COBOL source: ``WRITE`` writes ``records`` ((kind index, values by field name)),
    ``R<k>`` shows every record of the file as kind k."""
    slots = [s for k in kinds for s in k.slots]
    index = {id(s): i for i, s in enumerate(slots)}
    src = [
        "       IDENTIFICATION DIVISION.", "       PROGRAM-ID. ORACLE.", "       ENVIRONMENT DIVISION.",
        "       INPUT-OUTPUT SECTION.", "       FILE-CONTROL.",
        f"           SELECT DATA-FILE ASSIGN TO '{DATA_FILE}'", "               ORGANIZATION IS SEQUENTIAL.",
        "       DATA DIVISION.", "       FILE SECTION.", "       FD  DATA-FILE RECORDING MODE IS F.",
        f"       01  DATA-REC PIC X({width}).", "       WORKING-STORAGE SECTION.",
        "       01  WS-MODE PIC X(8).", "       01  WS-EOF PIC X VALUE 'N'.", *_staging(slots),
    ]
    if wrapper:
        src.append(f"       01  {wrapper}.")
    src += copybook.expandtabs(8).splitlines()
    src += ["       PROCEDURE DIVISION.", "       MAIN-PARA.", "           ACCEPT WS-MODE FROM COMMAND-LINE",
            "           EVALUATE WS-MODE", "             WHEN 'WRITE'", "               PERFORM WRITE-ALL"]
    for k in range(len(kinds)):
        src += [f"             WHEN 'R{k}'", f"               PERFORM READ-{k}"]
    src += ["           END-EVALUATE", "           STOP RUN.", "       WRITE-ALL.", "           OPEN OUTPUT DATA-FILE"]
    for k, values in records:
        kind = kinds[k]
        src += _wrap(["MOVE", "SPACES", "TO", kind.root])
        for s in kind.slots:
            if s.name not in values:
                continue
            value = values[s.name]
            if s.picture is None:
                text = str(value)
                if len(text) <= _CHUNK:
                    src += _wrap(["MOVE", f"'{text}'", "TO", *s.ref.split()]) if text else []
                for start in range(0, len(text) if len(text) > _CHUNK else 0, _CHUNK):
                    part = text[start: start + _CHUNK]
                    src += _wrap(["MOVE", f"'{part}'", "TO", *s.ref.split(), f"({start + 1}:{len(part)})"])
            else:
                i = index[id(s)]
                src += _wrap(["MOVE", f"'{s.staged(value)}'", "TO", f"X{i:04d}"])
                src += _wrap(["MOVE", f"D{i:04d}", "TO", *s.ref.split()])
        src += _wrap(["WRITE", "DATA-REC", "FROM", kind.root])
    src += ["           CLOSE DATA-FILE."]
    for k, kind in enumerate(kinds):
        src += [f"       READ-{k}.", "           OPEN INPUT DATA-FILE", "           PERFORM UNTIL WS-EOF = 'Y'",
                "             READ DATA-FILE", "               AT END MOVE 'Y' TO WS-EOF",
                f"               NOT AT END PERFORM SHOW-{k}", "             END-READ", "           END-PERFORM",
                "           CLOSE DATA-FILE.", f"       SHOW-{k}.",
                *_wrap(["MOVE", "DATA-REC", "TO", kind.root] if kind.length is None else
                       ["MOVE", f"DATA-REC (1:{kind.length})", "TO", kind.root, f"(1:{kind.length})"]),
                "           DISPLAY 'REC'"]
        for s in kind.slots:
            i = index[id(s)]
            if s.picture is None:
                src += _wrap(["DISPLAY", f"'F{i:04d}='", *s.ref.split()])
            else:
                src += _wrap(["MOVE", *s.ref.split(), "TO", f"D{i:04d}"])
                src += _wrap(["DISPLAY", f"'F{i:04d}='", f"X{i:04d}"])
        src += ["           CONTINUE."]
    return "\n".join(src) + "\n"


def parse_display(output: str, kind: Shape, kinds: list[Shape]) -> list[dict[str, str | Decimal]]:
    """What ``R<k>`` printed -> one dict (field name -> value) per record."""
    index = {id(s): i for i, s in enumerate(s for k in kinds for s in k.slots)}
    by_key = {f"F{index[id(s)]:04d}": s for s in kind.slots}
    records: list[dict[str, str | Decimal]] = []
    for line in output.split("\n"):
        if line == "REC":
            records.append({})
        elif line[:5] in by_key and line[5:6] == "=":
            slot = by_key[line[:5]]
            records[-1][slot.name] = slot.shown(line[6:])
    return records


class Compiler:
    """``cobc -x`` with the IBM options, one executable per distinct source, cached in ``workdir``."""

    def __init__(self, cobc: str, workdir: Path) -> None:
        self.cobc, self.workdir = cobc, workdir

    def build(self, source: str, names: tuple[str, ...] = (), extra: tuple[str, ...] = ()) -> Path:
        """Compile ``source``; ``names`` are reserved words the copybook uses as data names,
        ``extra`` options come after (and override) the IBM ones."""
        options = (*COBC_OPTIONS, *(f"-fnot-reserved={n}" for n in names), *extra)
        digest = hashlib.sha256((source + repr(options)).encode()).hexdigest()[:16]
        exe = self.workdir / f"oracle-{digest}"
        if not exe.exists():
            src = exe.with_suffix(".cob")
            src.write_text(source, encoding="latin-1")
            done = subprocess.run([self.cobc, "-x", *options, "-o", str(exe), str(src)],
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, f"cobc failed on {src}:\n{done.stderr}"
        return exe

    @staticmethod
    def run(exe: Path, mode: str, cwd: Path, env: dict[str, str] | None = None) -> str:
        done = subprocess.run([str(exe), mode], cwd=cwd, env=env, capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr.decode("latin-1")
        return done.stdout.decode("latin-1").replace("\r\n", "\n")
