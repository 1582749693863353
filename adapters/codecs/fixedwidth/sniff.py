"""A hint for a file that does not read as configured: which framing or code page it looks like.

Called with the first bytes of a file whose framing broke or whose first records were all
rejected. It looks for what gives a format away: a chain of record descriptor words (V), a
block descriptor word in front of one (VB with BDWs), newlines between records (a text-mode
transfer), ASCII spaces and digits (0x20, 0x30-0x39) where EBCDIC ones (0x40, 0xF0-0xF9) were
expected, or the other way round. The answer is one sentence naming the likely setting, or None.
"""

from __future__ import annotations

import numpy as np

_ASCII_TEXT = [0x20, *range(0x30, 0x3A), *range(0x41, 0x5B), *range(0x61, 0x7B)]
_EBCDIC_TEXT = [0x40, *range(0xF0, 0xFA), *range(0xC1, 0xCA), *range(0xD1, 0xDA), *range(0xE2, 0xEA),
                *range(0x81, 0x8A), *range(0x91, 0x9A), *range(0xA2, 0xAA)]


def _rdw_chain(data: bytes, pos: int, lrecl: int, end: int | None = None) -> int:
    """How many valid RDWs chain from ``pos`` (stopping at ``end`` or the data's end)."""
    end = len(data) if end is None else end
    count = 0
    while pos + 4 <= end and count < 8:
        length = int.from_bytes(data[pos: pos + 2], "big")
        if data[pos + 2] or data[pos + 3] or not 4 < length <= lrecl + 4:
            return count
        count, pos = count + 1, pos + length
    return count if pos == end or count >= 2 else 0


def _bdw_then_rdw(data: bytes, lrecl: int) -> bool:
    if len(data) < 8 or data[2] or data[3]:
        return False
    block = int.from_bytes(data[:2], "big")
    return block >= 8 and _rdw_chain(data, 4, lrecl, min(block, len(data))) > 0


def _share(sample: np.ndarray, byte_values: list[int]) -> float:
    return float(np.isin(sample, byte_values).mean()) if sample.size else 0.0


def framing_hint(head: bytes, *, recfm: str, encoding: str, lrecl: int, block_descriptors: bool) -> str | None:
    """One sentence naming the framing or code page ``head`` (a file's first bytes) looks like,
    when that differs from the configured ``recfm``/``encoding``; None when nothing stands out."""
    recfm, sample = recfm.upper(), np.frombuffer(head[:65536], np.uint8)
    ascii_like, ebcdic_like = _share(sample, _ASCII_TEXT), _share(sample, _EBCDIC_TEXT)
    lines = head.count(b"\n") >= 2 and ascii_like > 0.5
    is_ascii = encoding.lower().replace("_", "-") in ("ascii", "latin-1", "latin1", "iso-8859-1", "us-ascii")
    text = " (text lines: recfm LS)" if lines else ""
    if not is_ascii and ascii_like > 0.6 and ascii_like > 2 * ebcdic_like:
        return f"the data looks ASCII (spaces 0x20, digits 0x30-0x39) but the job says {encoding}: " \
               f"set encoding ascii{text}"
    if is_ascii and ebcdic_like > 0.6 and ebcdic_like > 2 * ascii_like:
        return f"the data looks EBCDIC (spaces 0x40, digits 0xF0-0xF9) but the job says {encoding}: " \
               "set encoding cp037 (or the code page of the country that wrote it)"
    if recfm.startswith("V"):
        if lines and not _rdw_chain(head, 0, lrecl):
            return f"the file holds text lines, not RDWs, but the job says RECFM {recfm}: set recfm LS"
        if not block_descriptors and not _rdw_chain(head, 0, lrecl) and _bdw_then_rdw(head, lrecl):
            return "the file starts with a block descriptor word before its first RDW: set recfm VB " \
                   "with block_descriptors"
        if block_descriptors and not _bdw_then_rdw(head, lrecl) and _rdw_chain(head, 0, lrecl):
            return "the file has RDWs but no block descriptor words: set block_descriptors false"
        if not _rdw_chain(head, 0, lrecl) and not _bdw_then_rdw(head, lrecl) and len(head) >= 4:
            return f"the first bytes ({head[:4].hex().upper()}) are neither an RDW nor a BDW, but the job says " \
                   f"RECFM {recfm}: a file of fixed-length records is RECFM FB"
        return None
    if _bdw_then_rdw(head, lrecl) and not _rdw_chain(head, 0, lrecl):
        return f"the first bytes look like a block descriptor word and an RDW, but the job says RECFM {recfm}: " \
               "set recfm VB with block_descriptors"
    if (count := _rdw_chain(head, 0, lrecl)) and (count >= 2 or len(head) <= lrecl + 4):
        length = int.from_bytes(head[:2], "big")
        return f"the first bytes look like an RDW (a {length - 4}-byte record), but the job says RECFM " \
               f"{recfm}: set recfm V (VB if the transfer kept block descriptor words)"
    if recfm != "LS" and lines:
        return f"the file holds text lines (newline-terminated), but the job says RECFM {recfm}: set recfm LS"
    return None
