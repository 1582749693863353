"""Demo outcome files for the demo outcome job (``app/defaults/outcomes``, copybook OUTCOME).

The outcomes come from the caller: the references and the 0/1 labels that the demo data's own
label process drew for the applications of the demo loan files (``core.train.generate_dataset``),
so the figures ``models performance`` shows are the demo model's real performance on them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from scoregate.adapters.codecs.copybook_files import read_copybook
from scoregate.adapters.codecs.fixedwidth import RecordCodec

COPYBOOK = Path(__file__).resolve().parents[2] / "app" / "defaults" / "outcomes" / "OUTCOME.cpy"
RECORD = "OC-OUTCOME-REC"
WRITTEN_OFF_SHARE = 0.3
"""Of the loans that defaulted, the share already written off."""


def outcome_codec(encoding: str = "cp037") -> RecordCodec:
    return RecordCodec(read_copybook(COPYBOOK), encoding, "FB")


def write_outcome_file(path: Path, references: np.ndarray, bad: np.ndarray, amounts: np.ndarray,
                       today: date | None = None, seed: int = 23) -> int:
    """One record per loan: D or W (defaulted, written off) where ``bad``, else P (repaid), dated
    ``today``, with the amount lost (part of the loan) or repaid (the loan). Returns the records."""
    rng = np.random.default_rng(seed)
    today = today or datetime.now(UTC).date()
    bad = np.asarray(bad).astype(bool)
    written_off = bad & (rng.random(len(bad)) < WRITTEN_OFF_SHARE)
    lost = np.asarray(amounts) * rng.uniform(0.2, 1.0, len(bad))
    codec = outcome_codec()
    records = codec.encode_records({
        "OC-APPL-NO": np.asarray(references),
        "OC-OUTCOME-DATE": np.full(len(bad), int(today.strftime("%Y%m%d"))),
        "OC-OUTCOME": np.where(written_off, "W", np.where(bad, "D", "P")),
        "OC-AMOUNT": np.rint(np.where(bad, lost, amounts) * 100).astype(np.int64),
    }, RECORD)
    path.write_bytes(codec.framer.join(records, codec.codepage.space))
    return len(bad)


def drop_outcome_file(inbox: Path, references: np.ndarray, bad: np.ndarray, amounts: np.ndarray,
                      name: str | None = None, done_suffix: str | None = ".done") -> Path:
    """Write an outcome file into ``inbox`` as a transfer would: hidden, renamed, then its done file."""
    inbox.mkdir(parents=True, exist_ok=True)
    name = name or f"OUTCOMES.D{datetime.now(UTC).strftime('%y%m%d.T%H%M%S')}"
    hidden = inbox / f".{name}.part"
    write_outcome_file(hidden, references, bad, amounts)
    hidden.rename(inbox / name)
    if done_suffix:
        (inbox / (name + done_suffix)).touch()
    return inbox / name
