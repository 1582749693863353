"""Copybook parsing: a realistic copybook resolves to the expected offsets, bad ones name their line."""

from __future__ import annotations

import re

import pytest

from scoregate.adapters.codecs.fixedwidth import Kind, Layout, LayoutError, layout_from_spec, parse_copybook

from fixedwidth_samples import REQUEST_COPYBOOK

# (record type, field, offset, length, kind, digits, scale, signed)
EXPECTED = [
    ("HEADER-AREA", "REC-TYPE", 0, 1, Kind.TEXT, 0, 0, False),
    ("HEADER-AREA", "FILE-ID", 1, 8, Kind.TEXT, 0, 0, False),
    ("HEADER-AREA", "BUSINESS-DATE", 9, 8, Kind.ZONED, 8, 0, False),
    ("HEADER-AREA", "SOURCE-SYSTEM", 17, 10, Kind.TEXT, 0, 0, False),
    ("HEADER-AREA", "FILLER", 27, 93, Kind.TEXT, 0, 0, False),
    ("DETAIL-AREA", "REC-TYPE", 0, 1, Kind.TEXT, 0, 0, False),
    ("DETAIL-AREA", "CUSTOMER-REF", 1, 12, Kind.TEXT, 0, 0, False),
    ("DETAIL-AREA", "APPLICANT-AGE", 13, 3, Kind.ZONED, 3, 0, False),
    ("DETAIL-AREA", "ANNUAL-INCOME", 16, 6, Kind.PACKED, 11, 2, True),
    ("DETAIL-AREA", "LOAN-AMOUNT", 22, 5, Kind.PACKED, 9, 2, True),
    ("DETAIL-AREA", "DEBT-RATIO", 27, 5, Kind.ZONED, 4, 4, True),
    ("DETAIL-AREA", "ACCOUNT-BALANCE", 32, 9, Kind.ZONED, 9, 2, True),
    ("DETAIL-AREA", "OPEN-ACCOUNTS", 41, 2, Kind.BINARY, 4, 0, True),
    ("DETAIL-AREA", "TOTAL-LIMIT", 43, 4, Kind.BINARY, 9, 0, False),
    ("DETAIL-AREA", "HOME-OWNERSHIP", 47, 8, Kind.TEXT, 0, 0, False),
    ("DETAIL-AREA", "PAYMENT-AMOUNT(1)", 55, 4, Kind.PACKED, 7, 2, True),
    ("DETAIL-AREA", "PAYMENT-DAYS(1,1)", 59, 2, Kind.ZONED, 2, 0, False),
    ("DETAIL-AREA", "PAYMENT-DAYS(1,2)", 61, 2, Kind.ZONED, 2, 0, False),
    ("DETAIL-AREA", "PAYMENT-AMOUNT(2)", 63, 4, Kind.PACKED, 7, 2, True),
    ("DETAIL-AREA", "PAYMENT-DAYS(2,1)", 67, 2, Kind.ZONED, 2, 0, False),
    ("DETAIL-AREA", "PAYMENT-DAYS(2,2)", 69, 2, Kind.ZONED, 2, 0, False),
    ("DETAIL-AREA", "PAYMENT-AMOUNT(3)", 71, 4, Kind.PACKED, 7, 2, True),
    ("DETAIL-AREA", "PAYMENT-DAYS(3,1)", 75, 2, Kind.ZONED, 2, 0, False),
    ("DETAIL-AREA", "PAYMENT-DAYS(3,2)", 77, 2, Kind.ZONED, 2, 0, False),
    ("DETAIL-AREA", "DELINQUENCIES", 79, 2, Kind.ZONED, 2, 0, False),
    ("DETAIL-AREA", "EMPLOYER-NAME", 81, 20, Kind.TEXT, 0, 0, False),
    ("DETAIL-AREA", "FILLER", 101, 19, Kind.TEXT, 0, 0, False),
    ("TRAILER-AREA", "REC-TYPE", 0, 1, Kind.TEXT, 0, 0, False),
    ("TRAILER-AREA", "RECORD-COUNT", 1, 9, Kind.ZONED, 9, 0, False),
    ("TRAILER-AREA", "TOTAL-INCOME", 10, 9, Kind.PACKED, 17, 2, True),
    ("TRAILER-AREA", "HASH-TOTAL", 19, 12, Kind.ZONED, 12, 0, False),
    ("TRAILER-AREA", "FILLER", 31, 89, Kind.TEXT, 0, 0, False),  # "PIC X(8" continued by "9)."
]


def _table(layout: Layout) -> list[tuple]:
    return [(t.name, f.name, f.offset, f.length, f.kind, f.digits, f.scale, f.signed)
            for t in layout.record_types for f in t.fields]


def test_realistic_copybook_resolves_offsets_and_lengths(request_layout: Layout) -> None:
    assert _table(request_layout) == EXPECTED
    assert [t.length for t in request_layout.record_types] == [120, 120, 120]
    detail = request_layout.record_type("DETAIL-AREA")
    ratio = detail.field("DEBT-RATIO")
    assert (ratio.sign_leading, ratio.sign_separate) == (True, True)
    assert detail.field("TOTAL-LIMIT").native and not detail.field("OPEN-ACCOUNTS").native
    assert detail.field("ANNUAL-INCOME").line == 17  # where the entry starts
    selector = request_layout.selector
    assert selector is not None and (selector.offset, selector.length) == (0, 1)
    assert "DETAIL-AREA    PAYMENT-DAYS(3,2)                  77      2  9(2) zoned" in request_layout.describe()


def test_the_same_copybook_in_free_format_and_without_sequence_numbers() -> None:
    lines = REQUEST_COPYBOOK.splitlines()
    bare = "\n".join(("      " + line[6:72]).rstrip() for line in lines)  # sequence area blanked, no 73-80
    assert _table(parse_copybook(bare)) == _table(parse_copybook(REQUEST_COPYBOOK))
    free = "\n".join(
        ("*> " + line[7:72] if line[6] == "*" else line[7:72]).rstrip() for line in lines if line[6] != "-"
    ).replace("'SCORE", "'SCOREREQ'.")
    free = re.sub(r"X\(8$", "X(89).", free, flags=re.MULTILINE)  # what the continued word reads as
    assert _table(parse_copybook(free)) == _table(parse_copybook(REQUEST_COPYBOOK))


def test_several_01_records_are_record_types_and_05_items_get_a_root() -> None:
    text = """
       01  HDR-REC.
           05  HDR-TYPE   PIC X.
           05  HDR-DATE   PIC 9(8).
       01  DTL-REC.
           05  DTL-TYPE   PIC X.
           05  AMOUNT     PIC S9(5)V99 COMP-3.
           05  AMOUNTS    PIC S9(3) COMP-3 OCCURS 2.
    """
    layout = parse_copybook(text)
    assert [(t.name, t.length) for t in layout.record_types] == [("HDR-REC", 9), ("DTL-REC", 9)]
    assert [f.name for f in layout.record_type("DTL-REC").fields] == ["DTL-TYPE", "AMOUNT", "AMOUNTS(1)", "AMOUNTS(2)"]
    fragment = parse_copybook("  05  A  PIC X(3).\n  05  B  PIC 9(2).\n", name="FRAG", fixed_format=False)
    assert (fragment.name, [f.offset for f in fragment.record_type().fields]) == ("FRAG", [0, 3])


def test_inner_redefines_is_a_view_and_usage_and_sign_flow_down_from_groups() -> None:
    text = """
       01  REC.
           05  DATE-X          PIC X(8).
           05  DATE-N REDEFINES DATE-X PIC 9(8).
           05  AMOUNTS         COMP-3.
               10  A1          PIC S9(3).
               10  A2          PIC S9(5).
           05  SIGNED-GROUP    SIGN LEADING SEPARATE.
               10  B1          PIC S9(3).
           05  PARTS.
               10  NAME        PIC X(4).
           05  OTHER.
               10  NAME        PIC X(4).
           05              PIC X(2).
    """
    rtype = parse_copybook(text).record_type()
    by_name = {f.name: f for f in rtype.fields}
    assert by_name["DATE-N"].redefines and by_name["DATE-N"].offset == 0 and not by_name["DATE-X"].redefines
    assert (by_name["A1"].kind, by_name["A1"].length, by_name["A2"].offset) == (Kind.PACKED, 2, 10)
    assert (by_name["B1"].sign_leading, by_name["B1"].sign_separate, by_name["B1"].length) == (True, True, 4)
    assert {"NAME OF PARTS", "NAME OF OTHER"} <= set(by_name)  # duplicates qualified COBOL-style
    assert rtype.length == 8 + 5 + 4 + 8 + 2 and by_name["FILLER"].filler


def test_record_types_can_be_named_or_turned_off() -> None:
    text = """
       01  REC.
           05  KIND    PIC X.
           05  A-AREA.
               10  A1  PIC X(4).
           05  B-AREA REDEFINES A-AREA.
               10  B1  PIC 9(4).
    """
    assert [t.name for t in parse_copybook(text).record_types] == ["A-AREA", "B-AREA"]
    assert [t.name for t in parse_copybook(text, record_types=()).record_types] == ["REC"]
    assert [t.name for t in parse_copybook(text, record_types=["REC"]).record_types] == ["REC"]
    two = text + "       01  OTHER-REC.\n           05  O1  PIC X(5).\n"
    assert [t.name for t in parse_copybook(two, record_types=["OTHER-REC"]).record_types] == ["OTHER-REC"]
    with pytest.raises(LayoutError, match="not 01 records"):
        parse_copybook(two, record_types=["A-AREA"])
    with pytest.raises(LayoutError, match="not found"):
        parse_copybook(text, record_types=["C-AREA"])


BAD = [
    # (entries, the bad line, message fragment)
    ("05 A PIC X.\n05 B PIC 9(4) OCCURS 1 TO 5 DEPENDING ON A.", 2, "integer numeric item"),
    ("05 B PIC 9(4) OCCURS 1 TO 5 DEPENDING ON N.\n05 N PIC 9.", 1, "must come before the table"),
    ("05 A PIC 9.\n05 B OCCURS 5 TIMES\n   DEPENDING ON C PIC X.", 2, "no item of that name"),
    ("05 T OCCURS 2.\n 10 N PIC 9.\n 10 B PIC X OCCURS 1 TO 5 DEPENDING ON N.", 3, "inside a table"),
    ("05 N PIC 9.\n05 B PIC X OCCURS 5 TO 2 DEPENDING ON N.", 2, "no larger than the maximum"),
    ("05 N PIC 9.\n05 B PIC X OCCURS 1 TO 5.", 2, "needs DEPENDING ON"),
    ("05 A PIC ZZ*9.99.", 1, "Z and * together"),
    ("05 A PIC $$ZZ9.", 1, "floating string together"),
    ("05 A PIC 9.99.9.", 1, "more than one decimal point"),
    ("05 A PIC ++9-.", 1, "a floating sign and another sign"),
    ("05 A PIC Z(19)9.", 1, "more than 18 digits"),
    ("05 A PIC ZZ9 COMP-3.", 1, "must be USAGE DISPLAY"),
    ("05 A PIC N(10) COMP.", 1, "national item"),
    ("05 A PIC 9(3) USAGE NATIONAL.", 1, "NATIONAL numbers"),
    ("05 A PIC S9(3) COMP-1.", 1, "takes no PICTURE"),
    ("05 A USAGE INDEX.", 1, "INDEX"),
    ("05 A PIC 9(32).", 1, "32 digits"),
    ("05 A PIC S9(19) COMP.", 1, "at most 18 digits"),
    ("05 A PIC G(4).", 1, "DBCS"),
    ("05 A PIC +9.99E+99.", 1, "floating-point"),
    ("05 A PIC S9(3)S.", 1, "S must come first"),
    ("05 A PIC 9P9.", 1, "P must stand at one end"),
    ("05 A PIC X.\n05 B REDEFINES C PIC X.", 2, "REDEFINES C"),
    ("05 A PIC X.\n66 B RENAMES C.", 2, "RENAMES C"),
    ("05 A PIC X.\n05 B.", 2, "neither a PIC"),
    ("05 A PIC X(3).\n05 B PIC X(2) WIBBLE.", 2, "unexpected 'WIBBLE'"),
    ("05 A PIC X COMP-3.", 1, "USAGE DISPLAY"),
    ("05 A USAGE POINTER.", 1, "POINTER"),
    ("PIC X(3).", 1, "level number"),
    ("05 A PIC X(3).\n05 B PIC 9(3)\n   OCCURS 0 TIMES.", 3, "positive count"),  # the token's line
]


@pytest.mark.parametrize(("entries", "line", "fragment"), BAD)
def test_bad_copybook_names_the_line(entries: str, line: int, fragment: str) -> None:
    # Fixed format with a comment and a blank line first: the reported line counts from the file's top.
    text = "000010* LOAN FILE\n\n000020 01  REC.\n" + "".join(
        f"{(i + 3) * 10:06d}     {entry}\n" for i, entry in enumerate(entries.splitlines()))
    with pytest.raises(LayoutError) as info:
        parse_copybook(text)
    assert info.value.line == line + 3, str(info.value)
    assert fragment in str(info.value) and str(info.value).startswith(f"line {line + 3}: ")


def test_group_with_a_picture_and_an_empty_copybook() -> None:
    with pytest.raises(LayoutError, match="line 2: group A cannot have a PIC"):
        parse_copybook("       01  R.\n           05  A   PIC X.\n               10  A1  PIC X.\n")
    with pytest.raises(LayoutError, match="no data description"):
        parse_copybook("      * only a comment\n")


def test_declarative_layout_matches_the_copybook() -> None:
    text = """
       01  REC.
           05  KIND      PIC X.
           05  AMOUNT    PIC S9(7)V99 COMP-3.
           05  COUNTS    PIC 9(3) OCCURS 2.
           05  RATE      PIC S9V999 SIGN TRAILING SEPARATE.
           05  TOTAL     PIC S9(9) COMP.
    """
    spec = {"fields": [
        {"name": "KIND", "type": "text", "length": 1},
        {"name": "AMOUNT", "type": "packed", "digits": 9, "scale": 2, "signed": True},
        {"name": "COUNTS", "type": "zoned", "digits": 3, "occurs": 2},
        {"name": "RATE", "type": "zoned", "digits": 4, "scale": 3, "signed": True, "sign_separate": True},
        {"name": "TOTAL", "type": "binary", "digits": 9, "signed": True, "offset": 17},
    ]}
    strip = [row[1:] for row in _table(parse_copybook(text))]
    assert [row[1:] for row in _table(layout_from_spec(spec))] == strip
    with pytest.raises(LayoutError, match="need digits"):
        layout_from_spec({"fields": [{"name": "X", "type": "zoned"}]})
    with pytest.raises(LayoutError, match="extra"):
        layout_from_spec({"fields": [{"name": "X", "type": "text", "length": 1, "colour": "red"}]})


def test_synchronized_items_get_ibm_slack_bytes() -> None:
    # IBM's worked example: COMP-PAY (5-9 digits) on a fullword, COMP-HRS (1-4) on a halfword,
    # both counted from the record start; each 14-byte occurrence is padded to 16 (the strictest
    # boundary inside it) so that the second occurrence aligns as the first does.
    text = """
       01  WORK-RECORD.
           05  WORK-CODE       PIC X.
           05  COMP-TABLE      OCCURS 2 TIMES.
               10  COMP-TYPE   PIC X.
               10  COMP-PAY    PIC S9(4)V99 COMP SYNC.
               10  COMP-HRS    PIC S9(3) COMP SYNC.
               10  COMP-NAME   PIC X(5).
           05  NOT-SYNCED      PIC S9(4) COMP.
    """
    rtype = parse_copybook(text).record_type()
    assert [(f.name, f.offset) for f in rtype.fields] == [
        ("WORK-CODE", 0), ("COMP-TYPE(1)", 1), ("COMP-PAY(1)", 4), ("COMP-HRS(1)", 8), ("COMP-NAME(1)", 10),
        ("COMP-TYPE(2)", 17), ("COMP-PAY(2)", 20), ("COMP-HRS(2)", 24), ("COMP-NAME(2)", 26), ("NOT-SYNCED", 33)]
    assert rtype.length == 35
