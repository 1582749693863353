"""GnuCOBOL as the oracle for the constructs real extracts use beyond plain fields (OCCURS DEPENDING
ON, edited pictures, COMP-1/COMP-2, SYNCHRONIZED, scaling P, more than 18 digits), both ways. Their
values are written out here. COMP-1/COMP-2: GnuCOBOL writes IEEE 754 in the host's byte order, so
that copybook is read with ``floating_point="ieee-le"`` (a mainframe's are IBM hexadecimal, the
engine's default). Options and GnuCOBOL's limits: see test_gnucobol_oracle.py."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from scoregate.adapters.codecs.fixedwidth import Layout, parse_copybook

from corpus import ORACLE_DIR, WRAPPER, read
from gnucobol import DATA_FILE, Compiler, Shape, Slot, cobol_ref, parse_display
from oracle_cases import Case, Values, check_cobol_reads, check_cobol_writes, differences

def _explicit(file: str, root: str, width: int, slots: list[tuple[str, str | None]], rows: list[Values],
              length: int | None = None, unread: frozenset[str] = frozenset()) -> Case:
    shape = Shape(root, tuple(Slot(n, cobol_ref(n), p) for n, p in slots), None, length)
    return Case(read(ORACLE_DIR / file), None, width, [shape], [(0, r) for r in rows], unread=unread)


D = Decimal
_ODO_SLOTS = [("ODO-ID", None), ("ODO-COUNT", "9(2)"),
              *[s for i in range(1, 6) for s in ((f"ODO-CODE({i})", None), (f"ODO-AMOUNT({i})", "S9(5)V9(2)"))]]
BEYOND = {
    "odo": (_explicit("odo.cpy", "ODO-REC", 43, _ODO_SLOTS, [
        {"ODO-ID": "A1", "ODO-COUNT": D(3), "ODO-CODE(1)": "AAA", "ODO-AMOUNT(1)": D("-12345.67"),
         "ODO-CODE(2)": "BB", "ODO-AMOUNT(2)": D("0.01"), "ODO-CODE(3)": "C", "ODO-AMOUNT(3)": D("99999.99")},
        {"ODO-ID": "B2", "ODO-COUNT": D(1), "ODO-CODE(1)": "ZZZ", "ODO-AMOUNT(1)": D("-0.5")},
        {"ODO-ID": "C3", "ODO-COUNT": D(5), **{f"ODO-CODE({i})": f"E{i}" for i in range(1, 6)},
         **{f"ODO-AMOUNT({i})": D(i * 111) for i in range(1, 6)}},
    ], length=43), "OCCURS ... DEPENDING ON"),
    "edited": (_explicit("edited.cpy", "EDITED-REC", 64, [
        ("ED-ID", None), ("ED-ZERO-SUPPRESS", "9(5)"), ("ED-AMOUNT", "S9(5)V9(2)"), ("ED-CURRENCY", "S9(5)V9(2)"),
        ("ED-PLUS", "S9(5)"), ("ED-CHECK-PROTECT", "9(5)V9(2)"), ("ED-DEBIT", "S9(5)V9(2)"),
        ("ED-TRAILING-MINUS", "S9(4)V9(2)")], [
        {"ED-ID": "E1", "ED-ZERO-SUPPRESS": D(42), "ED-AMOUNT": D("-1234.5"), "ED-CURRENCY": D("-1234.5"),
         "ED-PLUS": D(-123), "ED-CHECK-PROTECT": D("12.5"), "ED-DEBIT": D("-7.25"), "ED-TRAILING-MINUS": D("-12.34")},
        {"ED-ID": "E2", "ED-ZERO-SUPPRESS": D(0), "ED-AMOUNT": D("99999.99"), "ED-CURRENCY": D(0),
         "ED-PLUS": D(99999), "ED-CHECK-PROTECT": D("99999.99"), "ED-DEBIT": D("3"), "ED-TRAILING-MINUS": D("9999.99")},
        # GnuCOBOL 3.1 drops the DB of "7.25DB" when it de-edits (CR it keeps).
    ], unread=frozenset({"ED-DEBIT"})), "edited numeric pictures"),
    "floats": (_explicit("floats.cpy", "FLOAT-REC", 16, [
        ("FL-ID", None), ("FL-SHORT", "S9(5)V9(3)"), ("FL-LONG", "S9(9)V9(4)")], [
        {"FL-ID": "F1", "FL-SHORT": D("1.5"), "FL-LONG": D("-0.25")},
        {"FL-ID": "F2", "FL-SHORT": D("-1024.125"), "FL-LONG": D("123456.0625")},
    ]), "COMP-1/COMP-2 (IEEE 754, little-endian, as GnuCOBOL writes them)"),
    "sync": (_explicit("sync.cpy", "SYNC-REC", 18, [
        ("SY-FLAG", None), ("SY-HALF", "S9(4)"), ("SY-CODE", None), ("SY-FULL", "S9(9)"), ("SY-MARK", None),
        ("SY-UNSIGNED", "9(4)"), ("SY-TAIL", None)], [
        {"SY-FLAG": "A", "SY-HALF": D(-2), "SY-CODE": "XYZ", "SY-FULL": D(-123456789), "SY-MARK": "M",
         "SY-UNSIGNED": D(9999), "SY-TAIL": "ZZ"},
    ]), "SYNCHRONIZED"),
    "scaling": (_explicit("scaling.cpy", "SCALE-REC", 12, [
        ("SC-ID", None), ("SC-HUNDREDS", "S9(5)"), ("SC-THOUSANDTHS", "SV9(5)"), ("SC-BINARY-HUNDREDS", "S9(6)")], [
        {"SC-ID": "P1", "SC-HUNDREDS": D(-12300), "SC-THOUSANDTHS": D("0.00123"), "SC-BINARY-HUNDREDS": D(456700)},
        {"SC-ID": "P2", "SC-HUNDREDS": D(99900), "SC-THOUSANDTHS": D("-0.00999"), "SC-BINARY-HUNDREDS": D(-999900)},
    ]), "scaling position P"),
    "digits31": (_explicit("digits31.cpy", "BIG-REC", 63, [
        ("BG-ID", None), ("BG-PACKED", "S9(31)"), ("BG-PACKED-DEC", "S9(21)V9(10)"), ("BG-ZONED", "S9(25)V9(2)")], [
        {"BG-ID": "B1", "BG-PACKED": D("-1234567890123456789012345678901"),
         "BG-PACKED-DEC": D("123456789012345678901.0123456789"), "BG-ZONED": D("-1234567890123456789012345.67")},
        {"BG-ID": "B2", "BG-PACKED": D("9" * 31), "BG-PACKED-DEC": D("-0.0000000001"), "BG-ZONED": D(0)},
    ]), "more than 18 digits"),
}
BEYOND_PARAMS = list(BEYOND)
FLOATING_POINT = {"floats": "ieee-le"}
"""How each case's COMP-1/COMP-2 are stored: GnuCOBOL on x86 writes little-endian IEEE 754."""


def _layout(case: Case, name: str = "") -> Layout:
    return parse_copybook(case.text, name=WRAPPER, floating_point=FLOATING_POINT.get(name, "hfp"))


@pytest.mark.parametrize("name", BEYOND)
def test_the_compiler_writes_and_reads_each_construct(cobol: Compiler, tmp_path: Path,
                                                                          name: str) -> None:
    """The COBOL half of the tests below works, so that a failure below is the engine's: the
    program writes records of the IBM length, and reads back the values it wrote."""
    case = BEYOND[name][0]
    exe = case.build(cobol)
    cobol.run(exe, "WRITE", tmp_path)
    assert (tmp_path / DATA_FILE).stat().st_size == len(case.writes) * case.width
    shown = parse_display(cobol.run(exe, "R0", tmp_path), case.shapes[0], case.shapes)
    assert not differences(shown, [{n: v for n, v in values.items() if n not in case.unread}
                                   for _, values in case.writes])


@pytest.mark.parametrize("name", BEYOND_PARAMS)
def test_scoregate_decodes_constructs_cobol_writes(cobol: Compiler, tmp_path: Path, name: str) -> None:
    case = BEYOND[name][0]
    check_cobol_writes(cobol, tmp_path, case, lambda: _layout(case, name))


@pytest.mark.parametrize("name", BEYOND_PARAMS)
def test_cobol_reads_constructs_scoregate_encodes(cobol: Compiler, tmp_path: Path, name: str) -> None:
    case = BEYOND[name][0]
    check_cobol_reads(cobol, tmp_path, case, _layout(case, name), {0: [values for _, values in case.writes]})
