"""An input that does not read as its job says: set aside with a hint naming the likely framing."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scoregate.adapters.codecs.fixedwidth import DecodedBatch, Reason, framing_hint
from scoregate.adapters.files.config import RecordLayout
from scoregate.adapters.files.rejects import FileRejected

HEAD_BYTES = 65536
"""How much of the file the hint looks at."""
HOPELESS = 0.9
"""Share of the first batch's records rejected from which a file looks misconfigured."""


def check_framing(batch: DecodedBatch, source: Path, spec: RecordLayout, lrecl: int) -> None:
    """Raise FileRejected when framing is lost (nothing says where the next record starts), or when
    nearly every record of the first batch is rejected and the bytes look like another framing or
    code page: such a file is a configuration mistake, better set aside whole than rejected record
    by record. Called by the reader for each decoded batch."""
    broken = batch.errors.reason == Reason.BAD_RDW
    hopeless = batch.start == 0 and len(batch) > 0 and batch.bad.mean() >= HOPELESS
    if not (broken.any() or hopeless):
        return
    with source.open("rb") as f:
        head = f.read(HEAD_BYTES)
    hint = framing_hint(head, recfm=spec.recfm, encoding=spec.encoding, lrecl=lrecl,
                        block_descriptors=spec.block_descriptors)
    if broken.any():
        record = batch.start + int(batch.errors.record[np.argmax(broken)]) + 1
        raise FileRejected("BAD_FRAMING", f"record {record}: no valid record or block descriptor word there "
                                          f"(RECFM {spec.recfm})" + (f"; {hint}" if hint else ""))
    if hint:
        bad = int(batch.bad.sum())
        raise FileRejected("WRONG_FORMAT", f"{bad} of the first {len(batch)} records do not read as configured; {hint}")
