"""Decode speed of the copybook constructs that real extracts use, against a fixed layout.

Three generated files of about the same size: FIXED (zoned, packed, text, a fixed OCCURS 10
table; RECFM FB), ODO (the same fields, the table OCCURS 0 TO 10 DEPENDING ON a count; RECFM VB,
records of eleven lengths) and EDITED (numeric-edited pictures: floating $, CR, trailing minus,
zero suppression, * fill; RECFM FB). Each is decoded in full with ``RecordCodec.iter_batches``
in interleaved rounds; the figure is the median MB/s, and the ratio to FIXED is the target
(>= 0.5). Peak memory is the tracemalloc peak of a decode of the file and of a quarter of it:
independent of the file size when streaming holds.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from scoregate.adapters.codecs.fixedwidth import RecordCodec, parse_copybook

CHUNK = 4 * 1024 * 1024
BATCH = 65_536

_ITEMS = """
           05  ITEM {occurs}.
               10  ITEM-CODE   PIC X(4).
               10  ITEM-AMT    PIC S9(7)V99 COMP-3.
               10  ITEM-QTY    PIC 9(3).
"""
_COMMON = """
       01  REC.
           05  REC-ID      PIC X(12).
           05  AMOUNT      PIC S9(9)V99 COMP-3.
           05  RATE        PIC S9(3)V9(4).
           05  N-ITEMS     PIC 9(2).
           05  NAME        PIC X(20).
"""
_TOTAL = "           05  TOTAL       PIC S9(11)V99 COMP-3.\n"
FIXED = _COMMON + _ITEMS.format(occurs="OCCURS 10") + _TOTAL
ODO = _COMMON + _ITEMS.format(occurs="OCCURS 0 TO 10\n                   DEPENDING ON N-ITEMS") + _TOTAL
EDITED = """
       01  REC.
           05  REC-ID      PIC X(12).
           05  AMOUNT      PIC -(9)9.99.
           05  BALANCE     PIC $$$,$$$,$$9.99CR.
           05  RATE        PIC ZZ9.9999.
           05  N-ITEMS     PIC ZZZ9.
           05  NAME        PIC X(20).
           05  ITEM-AMT    PIC ZZ,ZZZ,ZZ9.99- OCCURS 10.
           05  TOTAL       PIC ***,***,***,**9.99.
"""


def _columns(kind: str, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    cols: dict[str, np.ndarray] = {
        "REC-ID": np.char.add("R", np.char.zfill(np.arange(n).astype(str), 11)),
        "AMOUNT": rng.integers(-10**9, 10**9, n), "RATE": rng.integers(-10**6, 10**6, n),
        "N-ITEMS": rng.integers(0, 11, n), "NAME": np.full(n, "A NAME OF TWENTY CHR"),
        "TOTAL": rng.integers(0, 10**12, n),
    }
    if kind == "EDITED":
        cols |= {"BALANCE": rng.integers(-10**10, 10**10, n),
                 **{f"ITEM-AMT({i})": rng.integers(-10**9, 10**9, n) for i in range(1, 11)}}
        cols["N-ITEMS"], cols["RATE"] = rng.integers(0, 10**4, n), rng.integers(0, 10**6, n)
        return cols
    for i in range(1, 11):
        cols |= {f"ITEM-CODE({i})": np.full(n, "CODE"), f"ITEM-AMT({i})": rng.integers(-10**8, 10**8, n),
                 f"ITEM-QTY({i})": rng.integers(0, 1000, n)}
    return cols


def codecs() -> dict[str, RecordCodec]:
    return {"FIXED": RecordCodec(parse_copybook(FIXED), "cp037", "FB"),
            "ODO": RecordCodec(parse_copybook(ODO), "cp037", "VB"),
            "EDITED": RecordCodec(parse_copybook(EDITED), "cp037", "FB")}


def write_files(folder: Path, megabytes: float) -> dict[str, Path]:
    """One file per copybook, each about ``megabytes`` MB."""
    rng = np.random.default_rng(14)
    paths = {}
    for kind, codec in codecs().items():
        path = folder / f"{kind}.DAT"
        with path.open("wb") as out:
            while out.tell() < megabytes * 1e6:
                out.write(codec.encode(_columns(kind, 20_000, rng)))
        paths[kind] = path
    return paths


def _chunks(path: Path, limit: int | None = None) -> Iterator[bytes]:
    with path.open("rb") as f:
        left = limit if limit is not None else 1 << 62
        while left > 0 and (data := f.read(min(CHUNK, left))):
            left -= len(data)
            yield data


def decode_seconds(codec: RecordCodec, path: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    records = sum(len(b) for b in codec.iter_batches(_chunks(path), BATCH))
    return time.perf_counter() - t0, records


def peak_mb(codec: RecordCodec, path: Path, limit: int | None) -> float:
    tracemalloc.start()
    for _ in codec.iter_batches(_chunks(path, limit), BATCH):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def measure(folder: Path, megabytes: float, rounds: int) -> dict:
    """Per kind: size, records, median wall MB/s and CPU MB/s over ``rounds`` interleaved rounds,
    tracemalloc peaks of the whole file and of its first quarter."""
    paths = write_files(folder, megabytes)
    all_codecs = codecs()
    wall: dict[str, list[float]] = {k: [] for k in paths}
    cpu: dict[str, list[float]] = {k: [] for k in paths}
    records: dict[str, int] = {}
    for _ in range(rounds):  # interleaved, so that a busy moment hits every kind alike
        for kind, path in paths.items():
            c0 = time.process_time()
            seconds, records[kind] = decode_seconds(all_codecs[kind], path)
            cpu[kind].append(time.process_time() - c0)
            wall[kind].append(seconds)
    out: dict = {}
    for kind, path in paths.items():
        size = path.stat().st_size / 1e6
        out[kind] = {"mb": size, "records": records[kind], "mb_s": size / statistics.median(wall[kind]),
                     "cpu_mb_s": size / statistics.median(cpu[kind]),
                     "rec_s": records[kind] / statistics.median(wall[kind]),
                     "peak_mb_full": peak_mb(all_codecs[kind], path, None),
                     "peak_mb_quarter": peak_mb(all_codecs[kind], path, path.stat().st_size // 4)}
    return out
