"""RECFM VS/VBS: records spanned over segments, reassembled.

Each segment starts with a segment descriptor word (SDW): a big-endian length including the SDW,
a segment control byte (0 a whole record, 1 the first segment, 3 a middle one, 2 the last) and a
zero byte. With block descriptor words, a record may span blocks. Segments chain like RDWs, so
this walks them one by one (spanned files are rare; the common shapes stay vectorised in
``framing.py``). A record still open at the end of a chunk is read again from the start of its
first segment's block, so a chunk boundary never splits a record.
"""

from __future__ import annotations

import numpy as np

WHOLE, FIRST, LAST, MIDDLE = 0, 1, 2, 3
"""Segment control codes (byte 2 of an SDW)."""


def split_spanned(buf: np.ndarray, final: bool, block_descriptors: bool
                  ) -> tuple[np.ndarray, list[int], list[int], bytes, bool]:
    """(reassembled bytes, record starts in them, lengths, remainder, broken) of a chunk."""
    data = buf.tobytes()
    size = len(data)
    records: list[bytes] = []
    pending: bytearray | None = None
    mark = (0, 0)  # (where the open record's block or first segment starts, records before it)
    pos, broken, complete = 0, False, True
    while pos < size and not broken:
        block_start, before = pos, len(records)
        if block_descriptors:
            if size - pos < 4:
                complete = False
                break
            length = int.from_bytes(data[pos: pos + 4], "big") & 0x7FFFFFFF if data[pos] & 0x80 else \
                int.from_bytes(data[pos: pos + 2], "big")
            if length < 8 or (not data[pos] & 0x80 and (data[pos + 2] or data[pos + 3])):
                broken = True
                break
            if pos + length > size:
                complete = False
                break
            seg, end = pos + 4, pos + length
        else:
            seg, end = pos, size
        while seg < end:
            if end - seg < 4:
                broken, complete = block_descriptors, False
                break
            length, code = int.from_bytes(data[seg: seg + 2], "big"), data[seg + 2]
            if length < 4 or code > MIDDLE or data[seg + 3]:
                broken = True
                break
            if seg + length > end:
                broken, complete = block_descriptors, False
                break
            body = data[seg + 4: seg + length]
            if code in (WHOLE, FIRST) and pending is not None or code in (LAST, MIDDLE) and pending is None:
                broken = True  # a segment out of sequence
                break
            if code == WHOLE:
                records.append(body)
            elif code == FIRST:
                pending = bytearray(body)
                mark = (block_start, before) if block_descriptors else (seg, len(records))
            else:
                assert pending is not None
                pending += body
                if code == LAST:
                    records.append(bytes(pending))
                    pending = None
            seg += length
            if not block_descriptors:
                pos = seg
        if broken or not complete:
            break
        pos = end if block_descriptors else seg
    tail = pos if pending is None else mark[0]
    if pending is not None and not broken:
        records = records[: mark[1]]
        complete = False
    if broken or (final and (not complete or tail < size)):
        return _joined(records), *_offsets(records), data[tail:], True
    return _joined(records), *_offsets(records), b"" if final else data[tail:], False


def _joined(records: list[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(records), np.uint8) if records else np.zeros(1, np.uint8)


def _offsets(records: list[bytes]) -> tuple[list[int], list[int]]:
    lengths = [len(r) for r in records]
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist() if records else []
    return starts, lengths
