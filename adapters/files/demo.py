"""Demo input files for the demo job (``app/defaults/files/loans.toml``, copybook LOANREQ).

``write_demo_file(path, records)`` writes a header, ``records`` detail records drawn from the
``credit-risk`` model's training distribution (EBCDIC cp037, packed amounts, -1 for "not
reported"; so the demo trips no drift warning) and a
trailer whose count and control totals match. ``invalid`` plants bad records on request
(1-based detail numbers -> one of ``INVALID_KINDS``); they still count in the trailer, as a sender
that wrote them would count them. Files of any size are written chunk by chunk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from scoregate.adapters.codecs.fixedwidth import RecordCodec, parse_copybook
from scoregate.core.train import generate_dataset

COPYBOOK = Path(__file__).resolve().parents[2] / "app" / "defaults" / "files" / "LOANREQ.cpy"
HEADER, DETAIL, TRAILER = "LR-HEADER-REC", "LR-DETAIL-REC", "LR-TRAILER-REC"
HOME = {"R": "RENT", "O": "OWN", "M": "MORTGAGE", "X": "OTHER"}
PURPOSE = {"DC": "DEBT_CONSOLIDATION", "CC": "CREDIT_CARD", "HI": "HOME_IMPROVEMENT", "CA": "CAR",
           "SB": "SMALL_BUSINESS", "OT": "OTHER"}
INVALID_KINDS = ("packed_sign", "zoned_digit", "unknown_code", "age")
"""packed_sign: LD-SAVINGS-BALANCE gets a sign nibble of 5; zoned_digit: LD-LOAN-TERM is blank;
unknown_code: LD-HOME-OWNERSHIP is 'Z'; age: LD-BIRTH-DATE makes the applicant 12 (out of range)."""
CHUNK = 100_000


def demo_codec(encoding: str = "cp037") -> RecordCodec:
    layout = parse_copybook(COPYBOOK.read_text(encoding="latin-1"), record_types=[HEADER, DETAIL, TRAILER])
    return RecordCodec(layout.with_selector("LR-REC-TYPE", {"H": HEADER, "D": DETAIL, "T": TRAILER}), encoding, "FB")


@dataclass
class DemoFile:
    path: Path
    records: int
    total_loan_cents: int
    total_income_cents: int
    features: np.ndarray | None
    """(records, 20) float64 in the model's feature order (NaN: missing), when asked for."""
    references: np.ndarray | None
    labels: np.ndarray | None = None
    """(records,) 0/1: whether each applicant defaults, drawn by the demo data's own label process
    (``generate_dataset``), when features were asked for; the demo outcome files carry them."""


# Legacy codes in the order of the model's category codes (core/train.py's schema).
_HOME_KEYS = np.array(["R", "O", "M", "X"])
_PURPOSE_KEYS = np.array(["DC", "CC", "HI", "CA", "SB", "OT"])


def _details(rng: np.random.Generator, first: int, n: int, today: date) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Detail columns of ``n`` applications drawn from the demo model's own training distribution
    (``core.train.generate_dataset``), so that the demo's requests show no drift against it."""
    matrix, labels, schema = generate_dataset(n, int(rng.integers(2**31)))
    f = {name: matrix[:, i] for i, name in enumerate(schema.names)}

    def units(values: np.ndarray, scale: int, missing: int = 0) -> np.ndarray:
        """Real values -> integers in units of the field's last digit; NaN -> the field's sentinel."""
        return np.where(np.isnan(values), missing, np.rint(np.nan_to_num(values) * 10**scale)).astype(np.int64)

    age = f["age"].astype(np.int64)
    # Born on the 1st of a month already past this year: the age today is exactly the drawn one.
    born_month = rng.integers(1, today.month + 1, n)
    cols = {
        "LD-APPL-NO": np.char.add("A", np.char.zfill((np.arange(first, first + n) + 1).astype(str), 11)),
        "LD-BIRTH-DATE": (today.year - age) * 10000 + born_month * 100 + 1,
        "LD-ANNUAL-INCOME": units(f["annual_income"], 2),
        "LD-EMPLOY-YEARS": units(f["employment_years"], 1, -10),
        "LD-HOME-OWNERSHIP": _HOME_KEYS[f["home_ownership"].astype(int)],
        "LD-RESIDENCE-YEARS": units(f["residence_years"], 0),
        "LD-DEPENDANTS": units(f["number_of_dependants"], 0),
        "LD-LOAN-AMOUNT": units(f["loan_amount"], 2),
        "LD-LOAN-TERM": units(f["loan_term_months"], 0),
        "LD-LOAN-PURPOSE": _PURPOSE_KEYS[f["loan_purpose"].astype(int)],
        "LD-INTEREST-RATE": units(f["interest_rate"], 2),
        "LD-COSIGNER": np.where(f["has_cosigner"] == 1, "Y", "N"),
        "LD-DEBT-TO-INCOME": units(f["debt_to_income"], 4, -10_000),
        "LD-REVOLVING-UTIL": units(f["revolving_utilisation"], 4, -10_000),
        "LD-OPEN-ACCOUNTS": units(f["open_accounts"], 0),
        "LD-CREDIT-HIST-YEARS": units(f["credit_history_years"], 1, -10),
        "LD-DELINQ-2Y": units(f["delinquencies_2y"], 0),
        "LD-MONTHS-SINCE-DELINQ": units(f["months_since_last_delinquency"], 0, -1),
        "LD-INQUIRIES-6M": units(f["inquiries_6m"], 0),
        "LD-BANKRUPTCIES": units(f["bankruptcies"], 0),
        "LD-SAVINGS-BALANCE": units(f["savings_balance"], 2, -100),
    }
    return cols, _features(cols, today), labels


def _features(c: dict[str, np.ndarray], today: date) -> np.ndarray:
    def real(name: str, scale: float, sentinel: int | None = None) -> np.ndarray:
        values = c[name].astype(np.float64) * scale
        return values if sentinel is None else np.where(c[name] == sentinel, np.nan, values)

    born = c["LD-BIRTH-DATE"]
    by, bm, bd = born // 10000, born // 100 % 100, born % 100
    age = ((today.year - by) * 12 + today.month - bm - (today.day < bd)) // 12
    home = np.array(["RENT", "OWN", "MORTGAGE", "OTHER"])
    purpose = np.array(["DEBT_CONSOLIDATION", "CREDIT_CARD", "HOME_IMPROVEMENT", "CAR", "SMALL_BUSINESS", "OTHER"])
    return np.column_stack([
        age, real("LD-ANNUAL-INCOME", 0.01), real("LD-EMPLOY-YEARS", 0.1, -10),
        _codes(c["LD-HOME-OWNERSHIP"], HOME, home),
        real("LD-RESIDENCE-YEARS", 1), real("LD-DEPENDANTS", 1), real("LD-LOAN-AMOUNT", 0.01), real("LD-LOAN-TERM", 1),
        _codes(c["LD-LOAN-PURPOSE"], PURPOSE, purpose),
        real("LD-INTEREST-RATE", 0.01), (c["LD-COSIGNER"] == "Y").astype(np.float64),
        real("LD-DEBT-TO-INCOME", 1e-4, -10_000), real("LD-REVOLVING-UTIL", 1e-4, -10_000), real("LD-OPEN-ACCOUNTS", 1),
        real("LD-CREDIT-HIST-YEARS", 0.1, -10), real("LD-DELINQ-2Y", 1), real("LD-MONTHS-SINCE-DELINQ", 1, -1),
        real("LD-INQUIRIES-6M", 1), real("LD-BANKRUPTCIES", 1), real("LD-SAVINGS-BALANCE", 0.01, -100),
    ]).astype(np.float64)


def _codes(column: np.ndarray, legacy: dict[str, str], codes: np.ndarray) -> np.ndarray:
    """Legacy codes -> the model's category index."""
    index = {key: float(list(codes).index(value)) for key, value in legacy.items()}
    keys, inverse = np.unique(column, return_inverse=True)
    return np.array([index[k] for k in keys])[inverse.reshape(-1)]


def _corrupt(codec: RecordCodec, records: np.ndarray, cols: dict[str, np.ndarray], row: int, kind: str, today: date) -> None:
    rtype = codec.layout.record_type(DETAIL)
    if kind == "packed_sign":
        f = rtype.field("LD-SAVINGS-BALANCE")
        records[row, f.end - 1] = (records[row, f.end - 1] & 0xF0) | 0x05
    elif kind == "zoned_digit":
        f = rtype.field("LD-LOAN-TERM")
        records[row, f.offset: f.end] = codec.codepage.space
    elif kind == "unknown_code":
        records[row, rtype.field("LD-HOME-OWNERSHIP").offset] = codec.codepage.encode_text("Z")[0]
    elif kind == "age":
        f = rtype.field("LD-BIRTH-DATE")
        young = (today.year - 12) * 10000 + 101
        records[row, f.offset: f.end] = codec.encode_records({"LD-BIRTH-DATE": np.array([young])}, DETAIL)[0, f.offset: f.end]
    else:
        raise ValueError(f"unknown invalid kind {kind!r}; one of {INVALID_KINDS}")


def drop_demo_file(inbox: Path, records: int, name: str | None = None, done_suffix: str | None = ".done",
                   **options: object) -> DemoFile:
    """Write a demo file into ``inbox`` as a transfer would: under a hidden name, renamed when
    complete, then its done file (``scoregate files demo``). ``options`` go to write_demo_file."""
    inbox.mkdir(parents=True, exist_ok=True)
    name = name or f"LOANS.D{datetime.now(UTC).strftime('%y%m%d.T%H%M%S')}"
    hidden = inbox / f".{name}.part"
    demo = write_demo_file(hidden, records, **options)  # type: ignore[arg-type]
    hidden.rename(inbox / name)
    if done_suffix:
        (inbox / (name + done_suffix)).touch()
    demo.path = inbox / name
    return demo


def write_demo_file(path: Path, records: int, *, invalid: dict[int, str] | None = None, seed: int = 1125,
                    today: date | None = None, file_id: str = "LOANS001", with_features: bool = False,
                    trailer_count: int | None = None, encoding: str = "cp037") -> DemoFile:
    """Write a demo request file; ``trailer_count`` overrides the trailer's count (to test a mismatch)."""
    today = today or datetime.now(UTC).date()
    codec = demo_codec(encoding)
    rng = np.random.default_rng(seed)
    invalid = invalid or {}
    loan = income = 0
    features, references, labels = [], [], []
    with path.open("wb") as out:
        out.write(codec.encode({"LH-FILE-ID": np.array([file_id]), "LH-RUN-DATE": np.array([int(today.strftime("%Y%m%d"))]),
                                "LH-SOURCE-SYSTEM": np.array(["LOANORIG"])}, HEADER))
        for first in range(0, records, CHUNK):
            n = min(CHUNK, records - first)
            cols, feats, chunk_labels = _details(rng, first, n, today)
            encoded = codec.encode_records(cols, DETAIL)
            for number, kind in invalid.items():
                if first < number <= first + n:
                    _corrupt(codec, encoded, cols, number - 1 - first, kind, today)
            out.write(codec.framer.join(encoded, codec.codepage.space))
            loan += int(cols["LD-LOAN-AMOUNT"].sum())
            income += int(cols["LD-ANNUAL-INCOME"].sum())
            if with_features:
                features.append(feats)
                references.append(cols["LD-APPL-NO"])
                labels.append(chunk_labels)
        out.write(codec.encode({"LT-RECORD-COUNT": np.array([records if trailer_count is None else trailer_count]),
                                "LT-TOTAL-LOAN-AMOUNT": np.array([loan]), "LT-TOTAL-INCOME": np.array([income])}, TRAILER))
    return DemoFile(path, records, loan, income, np.concatenate(features) if with_features else None,
                    np.concatenate(references) if with_features else None,
                    np.concatenate(labels) if with_features else None)
