"""Record framing: a chunk of a stream <-> a 2-D array of records, per RECFM.

- ``F``/``FB``: records of exactly LRECL bytes, back to back (blocking is invisible once the
  dataset is transferred). With ``line_end`` each record is followed by a terminator
  (``b"\\n"``, ``b"\\r\\n"``, EBCDIC ``b"\\x25"`` or ``b"\\x15"``).
- ``V``/``VB``: each record starts with a 4-byte record descriptor word (RDW: big-endian length
  including the RDW itself, then two zero bytes). With ``block_descriptors`` the records come in
  blocks, each led by a block descriptor word (BDW, 4 bytes, or the 4-byte extended form with the
  high bit set).
- ``VS``/``VBS``: spanned: a record may come in segments (first, middle ..., last; the third byte
  of each segment descriptor says which), reassembled in ``spanned.py``. Written unspanned.
- ``LS``: line sequential (a text-mode transfer): records end at a newline (``\n``, a ``\r``
  before it is dropped), any length up to LRECL; short lines are padded with spaces (a transfer
  trims trailing blanks), so they are not SHORT_RECORDs. Written as LRECL bytes and ``\n``.

Splitting is streaming: ``split(chunk)`` frames what it can and returns the bytes of an incomplete
last record as ``remainder`` to put in front of the next chunk; ``final=True`` on the last chunk
turns a leftover into a (short) record. The common shapes are framed without a Python loop:
F/FB (a reshape; zero-copy), line ends at every LRECL+1 bytes (a strided check), V records that
all have the same RDW. Otherwise lines are split at their terminators (vectorised), and RDWs are
walked in a loop over records. A bad RDW cannot be stepped over (nothing says where the next
record starts): the rest of the chunk becomes one record of length -1 and ``broken`` is set; the
caller should set the file aside.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .errors import LayoutError
from .descriptors import RDW_SIZE, descriptor_end, gather, walk_rdws
from .spanned import split_spanned

DEFAULT_BLOCK_SIZE = 32760
"""Largest block IBM access methods write, and the default BLKSIZE for VB output."""
BAD_FRAME = -1
"""``lengths`` value of a record that could not be framed (bad RDW or BDW)."""


class RecordFormat(StrEnum):
    F = "F"
    FB = "FB"
    V = "V"
    VB = "VB"
    VS = "VS"
    VBS = "VBS"
    LS = "LS"


@dataclass(frozen=True)
class Framed:
    """The records framed from one chunk."""

    records: np.ndarray
    """(n, lrecl) uint8, zero-padded after a short record's data; read-only when it views the chunk."""
    lengths: np.ndarray | None
    """(n,) data bytes of each record (before padding; above lrecl: cut), BAD_FRAME for the
    unframeable tail; None when every record is exactly lrecl bytes."""
    remainder: bytes
    """An incomplete record at the end of the chunk, to prepend to the next one."""
    broken: bool = False
    """Framing was lost (bad RDW/BDW): the stream cannot be read past this chunk."""


def _as_array(chunk: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    return chunk.reshape(-1).view(np.uint8) if isinstance(chunk, np.ndarray) else np.frombuffer(chunk, np.uint8)


class Framer:
    """Splits chunks into records and joins records back into bytes, for one RECFM."""

    def __init__(self, recfm: str, lrecl: int, *, line_end: bytes | None = None, block_descriptors: bool = False,
                 block_size: int = DEFAULT_BLOCK_SIZE, pad: int = 0x20) -> None:
        try:
            self.recfm = RecordFormat(recfm.upper())
        except ValueError:
            raise LayoutError(f"unknown RECFM {recfm!r}; supported: {', '.join(RecordFormat)}") from None
        self.variable = self.recfm in (RecordFormat.V, RecordFormat.VB, RecordFormat.VS, RecordFormat.VBS)
        self.spanned = self.recfm in (RecordFormat.VS, RecordFormat.VBS)
        self.text = self.recfm is RecordFormat.LS
        if self.variable and line_end:
            raise LayoutError("line ends apply to RECFM F/FB/LS only; V/VB records carry RDWs")
        if block_descriptors and self.recfm not in (RecordFormat.VB, RecordFormat.VBS):
            raise LayoutError("block descriptor words need RECFM VB or VBS")
        if self.text:
            line_end = line_end or b"\n"
        self.pad = pad
        if self.variable and lrecl > 0xFFFF - RDW_SIZE:
            raise LayoutError(f"LRECL {lrecl} does not fit an RDW")
        self.lrecl, self.line_end = lrecl, line_end or b""
        self.block_descriptors, self.block_size = block_descriptors, block_size

    # -- reading --------------------------------------------------------------------------------
    def split(self, chunk: bytes | bytearray | memoryview | np.ndarray, final: bool = False) -> Framed:
        buf = _as_array(chunk)
        if self.spanned:
            return self._split_spanned(buf, final)
        if self.variable:  # the RDW walk reads a bytes object: the chunk itself when it is one
            return self._split_variable(buf, final, chunk if isinstance(chunk, bytes) else buf.tobytes())
        if self.text:
            return self._text_lines(self._split_lines(buf, final))
        return self._split_lines(buf, final) if self.line_end else self._split_fixed(buf, final)

    def _split_spanned(self, buf: np.ndarray, final: bool) -> Framed:
        data, starts, lengths, rest, broken = split_spanned(buf, final, self.block_descriptors)
        lens = np.array(lengths, np.int64)
        records = gather(data, np.array(starts, np.int64), lens, self.lrecl)
        if not broken:
            return Framed(records, lens, rest)
        tail = np.frombuffer(rest or b"\0", np.uint8)
        bad = gather(tail, np.zeros(1, np.int64), np.array([len(rest)]), self.lrecl)
        return Framed(np.concatenate([records, bad]), np.append(lens, BAD_FRAME), b"", True)

    def _text_lines(self, framed: Framed) -> Framed:
        """LS: short lines are space-padded, not short."""
        if framed.lengths is None:
            return framed
        records, lengths = framed.records.copy(), framed.lengths
        records[np.arange(self.lrecl) >= lengths[:, None]] = self.pad
        return Framed(records, np.maximum(lengths, self.lrecl), framed.remainder, framed.broken)

    def _split_fixed(self, buf: np.ndarray, final: bool) -> Framed:
        n = buf.size // self.lrecl
        records = buf[: n * self.lrecl].reshape(n, self.lrecl)
        rest = buf[n * self.lrecl:]
        if not (final and rest.size):
            return Framed(records, None, rest.tobytes())
        lengths = np.full(n + 1, self.lrecl, np.int64)
        lengths[-1] = rest.size
        tail = gather(rest, np.array([0]), lengths[-1:], self.lrecl)
        return Framed(np.concatenate([records, tail]), lengths, b"")

    def _split_lines(self, buf: np.ndarray, final: bool) -> Framed:
        end = np.frombuffer(self.line_end, np.uint8)
        stride = self.lrecl + end.size
        n = buf.size // stride
        grid = buf[: n * stride].reshape(n, stride)
        # Well-formed files (every line exactly LRECL) need no search for terminators, which also
        # keeps binary fields that happen to hold the terminator byte intact.
        if (grid[:, self.lrecl:] == end).all():
            rest = buf[n * stride:]
            if not (final and rest.size):
                return Framed(grid[:, : self.lrecl], None, rest.tobytes())
            if rest.size <= self.lrecl:  # the last line of a file often lacks its terminator
                lengths = np.full(n + 1, self.lrecl, np.int64)
                lengths[-1] = rest.size
                tail = gather(rest, np.array([0]), lengths[-1:], self.lrecl)
                return Framed(np.concatenate([grid[:, : self.lrecl], tail]), lengths, b"")
        hits = np.flatnonzero(buf == end[-1]) - (end.size - 1)
        for k in range(end.size - 1):  # a multi-byte terminator: the bytes before must match too
            hits = hits[(hits >= 0) & (buf[np.maximum(hits + k, 0)] == end[k])]
        starts = np.concatenate([[0], hits[:-1] + end.size]) if hits.size else np.zeros(0, np.int64)
        lengths = hits - starts
        consumed = int(hits[-1]) + end.size if hits.size else 0
        if final and consumed < buf.size:
            starts, lengths = np.append(starts, consumed), np.append(lengths, buf.size - consumed)
            consumed = buf.size
        if self.text and lengths.size:  # LS: a CR before the newline (a Windows transfer) is no data
            lengths = lengths - ((lengths > 0) & (buf[np.maximum(starts + lengths - 1, 0)] == 0x0D))
        return Framed(gather(buf, starts, lengths, self.lrecl), lengths.astype(np.int64),
                      buf[consumed:].tobytes())

    def _split_variable(self, buf: np.ndarray, final: bool, data: bytes) -> Framed:
        if not self.block_descriptors and (framed := self._split_uniform(buf, final)) is not None:
            return framed
        # RDWs chain: each length says where the next record starts, so this walks record by record.
        size = len(data)
        if not self.block_descriptors:
            s, lens, pos, broken = walk_rdws(data, buf)
            broken = broken or (final and pos < size)  # the RDW chain must end exactly at the end
            if broken:  # nothing says where the next record starts: the tail is one unframeable record
                s, lens = np.append(s, pos), np.append(lens, BAD_FRAME)
            records = gather(buf, s, np.where(lens == BAD_FRAME, size - s, lens), self.lrecl)
            return Framed(records, lens, b"" if broken else data[pos:], broken)
        starts: list[int] = []
        lengths: list[int] = []
        pos, broken = 0, False
        while pos + RDW_SIZE <= size:  # block by block (BDWs), then record by record inside
            end = descriptor_end(data, pos, block=True)
            if end is None:
                broken = True
                break
            if end > size:
                break  # the block continues in the next chunk
            p = pos + RDW_SIZE
            while p < end:
                rec_end = descriptor_end(data, p, block=False) if end - p >= RDW_SIZE else None
                if rec_end is None or rec_end > end:
                    broken = True  # a bad RDW, or a record overrunning its block
                    break
                starts.append(p + RDW_SIZE)
                lengths.append(rec_end - p - RDW_SIZE)
                p = rec_end
            pos = p if broken else end
            if broken:
                break
        broken = broken or (final and pos < size)  # the RDW chain must end exactly at the end
        if broken:
            # Nothing says where the next record starts: keep the tail as one unframeable record.
            starts.append(pos)
            lengths.append(BAD_FRAME)
        s = np.array(starts, np.int64)
        lens = np.array(lengths, np.int64)
        records = gather(buf, s, np.where(lens == BAD_FRAME, size - s, lens), self.lrecl)
        return Framed(records, lens, b"" if broken else data[pos:], broken)

    def _split_uniform(self, buf: np.ndarray, final: bool) -> Framed | None:
        """V records that all carry the same RDW, as a strided view; None if they don't."""
        if buf.size < RDW_SIZE:
            return None
        length = int(buf[0]) << 8 | int(buf[1])
        if buf[2] or buf[3] or not RDW_SIZE < length <= self.lrecl + RDW_SIZE:
            return None
        n = buf.size // length
        grid = buf[: n * length].reshape(n, length)
        rest = buf[n * length:]
        if not (grid[:: max(1, n // 8), :RDW_SIZE] == buf[:RDW_SIZE]).all():
            return None  # a sample of eight RDWs first: varying records (ODO) fail here cheaply
        if not (grid[:, :RDW_SIZE] == buf[:RDW_SIZE]).all() or (final and rest.size):
            return None
        data = length - RDW_SIZE
        if data == self.lrecl:
            return Framed(grid[:, RDW_SIZE:], None, rest.tobytes())
        records = np.zeros((n, self.lrecl), np.uint8)
        records[:, :data] = grid[:, RDW_SIZE:]
        return Framed(records, np.full(n, data, np.int64), rest.tobytes())

    # -- writing --------------------------------------------------------------------------------
    def join(self, records: np.ndarray, pad: int = 0x40, lengths: np.ndarray | None = None) -> bytes:
        """Frame records: F pads to LRECL with ``pad`` (the code page's space); V/VB write each
        record at its ``lengths`` entry (default: all ``records.shape[1]`` bytes)."""
        n, width = records.shape
        if lengths is not None and self.variable and (lengths != width).any():
            return self._join_varying(records, lengths)
        if not self.variable:
            if width < self.lrecl:
                records = np.concatenate([records, np.full((n, self.lrecl - width), pad, np.uint8)], axis=1)
            if self.line_end:
                ends = np.broadcast_to(np.frombuffer(self.line_end, np.uint8), (n, len(self.line_end)))
                records = np.concatenate([records, ends], axis=1)
            return np.ascontiguousarray(records).tobytes()
        rdw = np.frombuffer((width + RDW_SIZE).to_bytes(2, "big") + b"\0\0", np.uint8)
        framed = np.concatenate([np.broadcast_to(rdw, (n, RDW_SIZE)), records], axis=1)
        if not self.block_descriptors:
            return framed.tobytes()
        per_block = max(1, (self.block_size - RDW_SIZE) // (width + RDW_SIZE))
        out = bytearray()
        for first in range(0, n, per_block):
            block = framed[first: first + per_block]
            out += (block.nbytes + RDW_SIZE).to_bytes(2, "big") + b"\0\0" + block.tobytes()
        return bytes(out)

    def _join_varying(self, records: np.ndarray, lengths: np.ndarray) -> bytes:
        """V/VB records of different lengths (OCCURS DEPENDING ON), without a loop per record."""
        n, width = records.shape
        sizes = lengths.astype(np.int64) + RDW_SIZE
        rdw = np.zeros((n, RDW_SIZE), np.uint8)
        rdw[:, 0], rdw[:, 1] = sizes >> 8, sizes & 0xFF
        grid = np.concatenate([rdw, records], axis=1)
        # Row-major boolean selection keeps each record's first ``size`` bytes, in record order.
        framed = grid[np.arange(width + RDW_SIZE) < sizes[:, None]]
        if not self.block_descriptors:
            return framed.tobytes()
        ends = np.cumsum(sizes)
        out, first, done = bytearray(), 0, 0
        while first < n:  # one step per block, not per record
            last = max(first + 1, int(np.searchsorted(ends, done + self.block_size - RDW_SIZE, "right")))
            block = framed[done: int(ends[last - 1])]
            out += (block.size + RDW_SIZE).to_bytes(2, "big") + b"\0\0" + block.tobytes()
            first, done = last, int(ends[last - 1])
        return bytes(out)
