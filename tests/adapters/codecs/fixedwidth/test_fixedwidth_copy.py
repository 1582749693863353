"""COPY statements inside a copybook: members resolved by the caller (beside the copybook file for
the file channel and fixed-width queues), REPLACING pseudo-text and words, errors naming the member."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoregate.adapters.codecs.copybook_files import members_beside, read_copybook
from scoregate.adapters.codecs.fixedwidth import LayoutError, parse_copybook

MAIN = """\
       01  ORDER-REC.
           05  ORDER-ID          PIC X(6).
           COPY AMOUNTS.
           COPY PARTY REPLACING ==:TAG:== BY ==BUYER==
                                ==NAME-LEN== BY ==12==.
           COPY PARTY REPLACING ==:TAG:== BY ==SELLER== NAME-LEN BY 4.
"""
MEMBERS = {
    "AMOUNTS": "           05  AMOUNT   PIC S9(5)V99 COMP-3.\n           05  AMT-2    PIC 9(2).\n",
    # A member with the tag convention: ':TAG:-NAME' becomes 'BUYER-NAME' (a part of a word).
    "PARTY": "           05  :TAG:-PARTY.\n               10  :TAG:-NAME  PIC X(NAME-LEN).\n"
             "               10  :TAG:-CODE  PIC 9(3).\n",
}


def test_members_take_the_place_of_their_copy_statements() -> None:
    layout = parse_copybook(MAIN, copy_member=MEMBERS.get)
    fields = [(f.name, f.offset, f.length) for f in layout.record_type().fields]
    assert fields == [("ORDER-ID", 0, 6), ("AMOUNT", 6, 4), ("AMT-2", 10, 2), ("BUYER-NAME", 12, 12),
                      ("BUYER-CODE", 24, 3), ("SELLER-NAME", 27, 4), ("SELLER-CODE", 31, 3)]
    # The member's entries carry the line of the COPY statement.
    assert layout.record_type().field("SELLER-CODE").line == 6


def test_a_word_operand_replaces_whole_words_only() -> None:
    text = "       01  R.\n           COPY AMOUNTS REPLACING AMT BY TOTAL.\n"
    members = {"AMOUNTS": "           05  AMT    PIC 9.\n           05  AMT-2  PIC 9.\n"}
    assert [f.name for f in parse_copybook(text, copy_member=members.get).record_type().fields] == ["TOTAL", "AMT-2"]


@pytest.mark.parametrize(("text", "members", "line", "message"), [
    ("       01  R.\n           COPY NOPE.\n", {}, 2, "COPY NOPE: no member NOPE beside the copybook"),
    ("       01  R.\n           COPY LOOP.\n", {"LOOP": "           COPY LOOP.\n"}, 2, "the member copies itself"),
    ("       01  R.\n           COPY BAD.\n", {"BAD": "      * x\n           05  A  PIC Q.\n"}, 2,
     "in line 2 of member BAD: PIC Q"),
    ("       01  R.\n           COPY AMOUNTS REPLACING ==A== WITH ==B==.\n", MEMBERS, 2, "expected BY"),
    ("       01  R.\n           COPY AMOUNTS REPLACING ==A BY ==B==.\n", MEMBERS, 2, "expected BY"),
])
def test_copy_errors_name_the_line_and_the_member(text: str, members: dict, line: int, message: str) -> None:
    with pytest.raises(LayoutError) as caught:
        parse_copybook(text, copy_member=members.get)
    assert caught.value.line == line and message in str(caught.value), str(caught.value)


def test_without_members_a_copy_statement_is_refused_naming_the_member() -> None:
    with pytest.raises(LayoutError, match=r"^line 3: COPY AMOUNTS: COPY statements are resolved only when the "
                       r"copybook is read from a file \(its member AMOUNTS beside it\)"):
        parse_copybook(MAIN)


def test_members_are_the_files_beside_the_copybook(tmp_path: Path) -> None:
    (tmp_path / "orders.cpy").write_text(MAIN)
    (tmp_path / "amounts.CPY").write_text(MEMBERS["AMOUNTS"])
    (tmp_path / "PARTY").write_text(MEMBERS["PARTY"])
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "NOPE.cpy").write_text(MEMBERS["AMOUNTS"])
    layout = read_copybook(tmp_path / "orders.cpy", name="ORDERS")
    assert layout.record_type().field("SELLER-CODE").offset == 31
    assert members_beside(tmp_path / "orders.cpy")("NOPE") is None  # only the copybook's own folder


def test_scaffolding_reads_the_members_88_levels(tmp_path: Path) -> None:
    from scoregate.adapters.copybook_leaves import Copybook

    (tmp_path / "main.cpy").write_text("       01  R.\n           COPY STATUS.\n")
    (tmp_path / "STATUS.cpy").write_text("           05  ST  PIC X.\n               88  ST-OPEN  VALUE 'O'.\n")
    copybook = Copybook.read(tmp_path / "main.cpy")
    assert [c.name for c in copybook.conditions["ST"]] == ["ST-OPEN"]
    assert copybook.layout.record_type().field("ST").length == 1
