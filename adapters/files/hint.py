"""A guess at why a file's first records do not decode: the wrong code page or the wrong RECFM.

The two mistakes a mainframe transfer makes most often are a file converted to ASCII for a job
that reads EBCDIC (or the reverse), and variable-length records (each behind a 4-byte record
descriptor word, RDW) sent to a job that reads fixed-length ones (or the reverse). Either makes
record 1 fail as a header, which says nothing about the cause. :func:`layout_hint` looks at the
first bytes and says what they look like, only when that disagrees with the job's settings.

Pure: bytes and settings in, a sentence out (no file access), so the file job calls it with the
head it already has and the rule is testable on its own.
"""

from __future__ import annotations

from scoregate.adapters.codecs.fixedwidth import LayoutError, codepage

HEAD_BYTES = 4096
"""How much of the file the hint looks at."""

_ASCII_TEXT = frozenset(range(0x20, 0x7F)) | {0x0A, 0x0D, 0x09}
# EBCDIC space, punctuation, letters and digits (the same in cp037, cp500, cp1047 and cp273).
_EBCDIC_TEXT = frozenset(
    [0x40, *range(0x4B, 0x51), *range(0x5A, 0x62), *range(0x6B, 0x70), *range(0x7A, 0x80), *range(0x81, 0x8A),
     *range(0x91, 0x9A), *range(0xA2, 0xAA), *range(0xC1, 0xCA), *range(0xD1, 0xDA), *range(0xE2, 0xEA),
     *range(0xF0, 0xFA)]
)
_MAX_RDW = 32_760


def is_ebcdic(encoding: str) -> bool:
    """Whether the job's code page is an EBCDIC one (the fixed-width engine's own answer)."""
    try:
        return codepage(encoding).ebcdic
    except LayoutError:
        return False


def looks_like(head: bytes) -> str | None:
    """``ascii`` or ``ebcdic`` when the bytes are clearly text in one of them (packed decimal
    fields are binary in both, hence the margins), else None."""
    if not head:
        return None
    ascii_share = sum(b in _ASCII_TEXT for b in head) / len(head)
    ebcdic_share = sum(b in _EBCDIC_TEXT for b in head) / len(head)
    if ascii_share >= 0.75 and ascii_share > ebcdic_share + 0.3:
        return "ascii"
    if ebcdic_share >= 0.6 and ebcdic_share > ascii_share + 0.15:
        return "ebcdic"
    return None


def rdw_lengths(head: bytes, count: int = 3) -> list[int]:
    """The lengths of the first records if the head is a chain of RDWs (big-endian length that
    counts the RDW itself, then two zero bytes), else []."""
    lengths, at = [], 0
    while len(lengths) < count and at + 4 <= len(head):
        length = int.from_bytes(head[at:at + 2], "big")
        if not (4 < length <= _MAX_RDW) or head[at + 2:at + 4] != b"\0\0":
            return []
        lengths.append(length)
        at += length
    return lengths if len(lengths) >= min(count, 2) or at >= len(head) else []


def layout_hint(head: bytes, encoding: str, recfm: str, lrecl: int) -> str:
    """What the first bytes of a file suggest, where it disagrees with the job; "" when nothing does."""
    hints = []
    lengths = rdw_lengths(head)
    variable = recfm in ("V", "VB")
    if lengths and not variable:
        shown = ", ".join(str(n - 4) for n in lengths)
        hints.append(f"the file starts with record descriptor words (records of {shown} bytes): variable-length "
                     f"records, but the job reads RECFM {recfm}; check input.recfm")
    elif variable and head and not lengths:
        hints.append(f"the file does not start with a record descriptor word: fixed-length records (LRECL {lrecl}?), "
                     f"but the job reads RECFM {recfm}; check input.recfm")
    text = looks_like(head[4:] if lengths else head)
    expects = "ebcdic" if is_ebcdic(encoding) else "ascii"
    if text is not None and text != expects:
        seen = "ASCII" if text == "ascii" else "EBCDIC"
        hints.append(f"the first records look like {seen} text, but the job reads {encoding} "
                     f"({'EBCDIC' if expects == 'ebcdic' else 'ASCII'}); check input.encoding")
    return "; ".join(f"hint: {h}" for h in hints)
