"""Record and block descriptor words (RDW, BDW) -> where records start; records picked out of a chunk.

The RDW chain of a V file is the one loop per record the engine runs (each length says where the
next record starts); everything around it is vectorised.
"""

from __future__ import annotations

import numpy as np

RDW_SIZE = 4


def descriptor_end(data: bytes, pos: int, *, block: bool) -> int | None:
    """End offset of the block or record whose 4-byte descriptor is at ``pos``; None if invalid."""
    if block and data[pos] & 0x80:  # extended BDW: a 31-bit length in all four bytes
        length = int.from_bytes(data[pos: pos + RDW_SIZE], "big") & 0x7FFFFFFF
    else:
        if data[pos + 2] or data[pos + 3]:
            return None  # spanned-segment flags (RECFM VS/VBS: spanned.py) or garbage
        length = data[pos] << 8 | data[pos + 1]
    return pos + length if length >= RDW_SIZE * (2 if block else 1) else None


def gather(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray, width: int) -> np.ndarray:
    """(n, width) rows buf[start:start+length], zero-padded: rows of a sliding-window view of the
    chunk picked by their start (one index per record, not per byte), then the bytes past each
    record's length cleared."""
    if starts.size == 0:
        return np.zeros((0, width), np.uint8)
    inside = starts + width <= buf.size  # all but the last few rows: windows of the chunk itself
    if inside.all():
        rows = np.lib.stride_tricks.sliding_window_view(buf, width)[starts]
    else:
        cut = int(starts[~inside][0])  # only the tail is copied, to pad it
        tail = np.concatenate([buf[cut:], np.zeros(width, np.uint8)])
        rows = np.empty((starts.size, width), np.uint8)
        rows[inside] = np.lib.stride_tricks.sliding_window_view(buf, width)[starts[inside]] \
            if buf.size >= width else rows[inside]
        rows[~inside] = np.lib.stride_tricks.sliding_window_view(tail, width)[starts[~inside] - cut]
    take = np.clip(lengths, 0, width)
    if (take < width).any():
        rows *= np.arange(width, dtype=np.int32) < take.astype(np.int32)[:, None]
    return rows


def walk_rdws(data: bytes, buf: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Follow the RDW chain (no BDWs): (record starts, lengths, where the unread rest starts,
    broken). Each length says where the next record starts, so this is a loop per record; it is
    kept to one index and one addition, and the RDWs it passed are checked afterwards in one
    vector operation (a bad one ends the chain there)."""
    starts: list[int] = []
    add, last, p = starts.append, len(data) - RDW_SIZE, 0
    while p <= last:
        length = data[p] << 8 | data[p + 1]
        if length < RDW_SIZE:
            break
        add(p)
        p += length
    broken = p <= last  # stopped at a length below 4
    at = np.array(starts, np.int64)
    if (wrong := np.flatnonzero(buf[at + 2] | buf[at + 3])).size:  # spanned flags (VS) or garbage
        at, p, broken = at[: wrong[0]], int(at[wrong[0]]), True
    lengths = (buf[at].astype(np.int64) << 8 | buf[at + 1]) - RDW_SIZE
    if at.size and at[-1] + RDW_SIZE + lengths[-1] > len(data):  # continues in the next chunk
        at, lengths, p = at[:-1], lengths[:-1], int(at[-1])
        broken = False
    return at + RDW_SIZE, lengths, p, broken
