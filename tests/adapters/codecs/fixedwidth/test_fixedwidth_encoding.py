"""Code pages: cp1047 against IBM's own table, the others against Python's codecs, names and aliases."""

from __future__ import annotations

import numpy as np
import pytest

from scoregate.adapters.codecs.fixedwidth import CODE_PAGES, EncodeError, LayoutError, Text, codepage

# IBM CP 1047 -> ISO 10646, "Copyright IBM Corporation 1995, Table Version 1.00", as registered at
# IANA (charset-reg/IBM1047): the Unicode code point (all below U+0100) of bytes 0x00..0xFF.
IBM1047_TO_UCS = bytes.fromhex(
    "000102039C09867F978D8E0B0C0D0E0F101112139D8508871819928F1C1D1E1F"
    "80818283840A171B88898A8B8C050607909116939495960498999A9B14159E1A"
    "20A0E2E4E0E1E3E5E7F1A22E3C282B7C26E9EAEBE8EDEEEFECDF21242A293B5E"
    "2D2FC2C4C0C1C3C5C7D1A62C255F3E3FF8C9CACBC8CDCECFCC603A2340273D22"
    "D8616263646566676869ABBBF0FDFEB1B06A6B6C6D6E6F707172AABAE6B8C6A4"
    "B57E737475767778797AA1BFD05BDEAEACA3A5B7A9A7B6BCBDBEDDA8AF5DB4D7"
    "7B414243444546474849ADF4F6F2F3F57D4A4B4C4D4E4F505152B9FBFCF9FAFF"
    "5CF7535455565758595AB2D4D6D2D3D530313233343536373839B3DBDCD9DA9F"
)


def test_cp1047_matches_ibm_table() -> None:
    cp = codepage("cp1047")
    assert cp.to_unicode.astype(np.uint8).tobytes() == IBM1047_TO_UCS
    assert cp.decode_text(bytes.fromhex("ADBD5FB0BABB")) == "[]^¬Ý¨"
    # Only the bracket/caret/not-sign positions differ from cp037; line ends match it (0x25 = LF).
    differ = np.flatnonzero(codepage("cp037").to_unicode != cp.to_unicode)
    assert [hex(b) for b in differ] == ["0x5f", "0xad", "0xb0", "0xba", "0xbb", "0xbd"]
    assert cp.decode_text(b"\x25\x15") == "\n\x85"


@pytest.mark.parametrize("name", [n for n in CODE_PAGES if n not in ("latin-1", "cp1047")])
def test_ebcdic_code_pages_agree_with_their_codecs(name: str) -> None:
    every = bytes(range(256))
    cp = codepage(name)
    expected = every.decode(name)  # Python's codec, or the ebcdic package's
    expected = expected[:0x15] + "\x85" + expected[0x16:]  # IBM's NEL, where the package says LF
    assert cp.decode_text(every) == expected
    assert cp.encode_text(expected) == every


@pytest.mark.parametrize(("euro", "base"), [("cp1140", "cp037"), ("cp1141", "cp273"), ("cp1142", "cp277"),
                                            ("cp1143", "cp278"), ("cp1144", "cp280"), ("cp1145", "cp284"),
                                            ("cp1146", "cp285"), ("cp1147", "cp297"), ("cp1148", "cp500"),
                                            ("cp1149", "cp871")])
def test_euro_variants_differ_from_their_base_by_the_euro_sign(euro: str, base: str) -> None:
    differ = np.flatnonzero(codepage(euro).to_unicode != codepage(base).to_unicode)
    # Python's cp273 reads 0xBC as OVERLINE, the ebcdic package's cp1141 as MACRON (IBM's glyph).
    differ = [b for b in differ.tolist() if not (euro == "cp1141" and b == 0xBC)]
    assert len(differ) == 1 and codepage(euro).decode_text(bytes(differ)) == "\u20ac"
    assert codepage(base).decode_text(bytes(differ)) == "\u00a4"
    text = Text(3, codepage(euro))
    cells = text.encode(np.array(["\u20ac1"]))
    assert text.decode(cells)[0].tolist() == ["\u20ac1"]
    with pytest.raises(EncodeError, match="UNMAPPABLE_CHARACTER"):
        text.encode(np.array(["\u00a4"]))  # the currency sign the euro replaced


@pytest.mark.parametrize("name", CODE_PAGES)
def test_every_code_page_round_trips_all_bytes(name: str) -> None:
    cp = codepage(name)
    every = bytes(range(256))
    assert cp.encode_text(cp.decode_text(every)) == every
    assert (cp.byte("0"), cp.space) == ((0xF0, 0x40) if cp.ebcdic else (0x30, 0x20))


@pytest.mark.parametrize(("alias", "name"), [("ASCII", "latin-1"), ("IBM-1047", "cp1047"), ("037", "cp037"),
                                             ("ISO-8859-1", "latin-1"), ("cp500", "cp500"), ("1141", "cp1141"),
                                             ("CCSID273", "cp273"), ("ibm-285", "cp285")])
def test_aliases(alias: str, name: str) -> None:
    assert codepage(alias) is codepage(name)


def test_unknown_code_page_suggests_a_name() -> None:
    with pytest.raises(LayoutError, match="did you mean 'cp1047'"):
        codepage("cp1074")
