"""Hand-run timing of the fixed-width decoder (not collected by pytest: no ``test_`` prefix).

200-byte cp037 records with text, zoned (signed, implied decimals), COMP-3 and COMP fields, all
decoded with per-record error flags. Prints MB/s for decode and encode::

    python tests/adapters/codecs/fixedwidth/timing_decode.py [records] [encoding]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from scoregate.adapters.codecs.fixedwidth import RecordCodec, parse_copybook

COPYBOOK = """\
       01  SCORE-REQ.
           05  REC-TYPE            PIC X.
           05  CUST-ID             PIC X(12).
           05  CUST-NAME           PIC X(30).
           05  BRANCH              PIC X(6).
           05  AGE                 PIC 9(3).
           05  INCOME              PIC S9(9)V99 COMP-3.
           05  BALANCE             PIC S9(9)V99.
           05  CREDIT-LIMIT        PIC S9(7)V99 COMP-3.
           05  TENURE-MONTHS       PIC 9(4).
           05  PREV-SCORE          PIC S9(4) COMP.
           05  ACCOUNTS            PIC S9(9) COMP.
           05  DELINQUENCIES       PIC 9(2).
           05  UTILISATION         PIC S9(3)V99 COMP-3.
           05  DEBT-TO-INCOME      PIC S9(3)V99.
           05  PAYMENTS            PIC S9(7)V99 COMP-3 OCCURS 6 TIMES.
           05  STATE               PIC X(2).
           05  PRODUCT             PIC X(4).
           05  OPEN-DATE           PIC 9(8).
           05  LAST-PAYMENT        PIC S9(7)V99 SIGN LEADING SEPARATE.
           05  EMPLOYMENT-YEARS    PIC 9(2).
           05  HOME-OWNER          PIC X.
           05  REFERENCE           PIC X(20).
           05  EMAIL               PIC X(29).
"""


def make_columns(codec: RecordCodec, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    columns: dict[str, np.ndarray] = {}
    for f in codec.layout.record_type().data_fields:
        if f.kind == "text":
            alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "))
            chars = alphabet[rng.integers(0, alphabet.size, (n, f.length - 1))]
            columns[f.name] = np.array(["".join(r) for r in chars[:1000]] * (n // 1000 + 1))[:n]
        else:
            top = 10 ** min(f.digits, 9) - 1
            low = -top if f.signed else 0
            columns[f.name] = rng.integers(low, top, n, dtype=np.int64)
    return columns


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    encoding = sys.argv[2] if len(sys.argv) > 2 else "cp037"
    layout = parse_copybook(COPYBOOK)
    codec = RecordCodec(layout, encoding, "FB")
    assert layout.width == 200, layout.width
    columns = make_columns(codec, n, np.random.default_rng(7))
    t = time.perf_counter()
    data = codec.encode(columns)
    encode_s = time.perf_counter() - t
    chunk = 65536 * 200
    chunks = [data[i: i + chunk] for i in range(0, len(data), chunk)]
    best = best_cpu = float("inf")
    for _ in range(3):
        t, cpu = time.perf_counter(), time.process_time()
        rows = bad = 0
        for batch in codec.iter_batches(chunks):
            rows += len(batch)
            bad += len(batch.errors)
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    assert rows == n and bad == 0, (rows, bad)
    check = codec.decode(codec.split(data[: 200 * 1000]))
    assert (check.columns["INCOME"] == columns["INCOME"][:1000]).all()
    mb = len(data) / 1e6
    print(f"{n} records x 200 B = {mb:.0f} MB, {encoding}, {len(codec._plans[0].decode)} fields")
    print(f"decode: {best:.2f} s  {mb / best:.0f} MB/s  {n / best / 1e3:.0f}k records/s"
          f"  (CPU time {best_cpu:.2f} s: {mb / best_cpu:.0f} MB/s; other load on the machine shows as the gap)")
    print(f"encode: {encode_s:.2f} s  {mb / encode_s:.0f} MB/s")


if __name__ == "__main__":
    main()
