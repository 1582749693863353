"""Sample data for the fixed-width tests: a realistic copybook, detail columns, and a comparison
that names fields on mismatch. (A uniquely named module, not conftest: test modules import it.)"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

# A bank-style request file: header / detail / trailer sharing one 119-byte area through REDEFINES,
# with sequence numbers (1-6), comments (column 7), identification (73-80), VALUE and 88 levels,
# continued lines (an entry over two lines, a literal and a word continued with '-'), OCCURS on a
# group and on an item inside it, FILLER, COMP-3, COMP, COMP-5 and SIGN clauses.
_SOURCE = [
    ("*", "*****************************************************************"),
    ("*", "  SCORING REQUEST FILE - ONE HEADER, N DETAILS, ONE TRAILER"),
    ("*", "*****************************************************************"),
    (" ", "01  SCORE-REQUEST-REC."),
    (" ", "    05  REC-TYPE                PIC X."),
    (" ", "        88  IS-HEADER           VALUE 'H'."),
    (" ", "        88  IS-DETAIL           VALUE 'D'."),
    (" ", "    05  HEADER-AREA."),
    (" ", "        10  FILE-ID             PIC X(8)   VALUE 'SCORE"),
    ("-", "    'REQ'."),
    (" ", "        10  BUSINESS-DATE       PIC 9(8)."),
    (" ", "        10  SOURCE-SYSTEM       PIC X(10)."),
    (" ", "        10  FILLER              PIC X(93)  VALUE SPACES."),
    (" ", "    05  DETAIL-AREA REDEFINES HEADER-AREA."),
    (" ", "        10  CUSTOMER-REF        PIC X(12)."),
    (" ", "        10  APPLICANT-AGE       PIC 9(3)."),
    (" ", "        10  ANNUAL-INCOME       PIC S9(9)V99"),
    (" ", "                                USAGE IS COMP-3."),
    (" ", "        10  LOAN-AMOUNT         PIC S9(7)V99 COMP-3."),
    (" ", "        10  DEBT-RATIO          PIC SV9(4)  SIGN IS LEADING"),
    (" ", "                                SEPARATE CHARACTER."),
    (" ", "        10  ACCOUNT-BALANCE     PIC S9(7)V99."),
    (" ", "        10  OPEN-ACCOUNTS       PIC S9(4) COMP."),
    (" ", "        10  TOTAL-LIMIT         PIC 9(9) COMP-5."),
    (" ", "        10  HOME-OWNERSHIP      PIC X(8)."),
    (" ", "        10  RECENT-PAYMENTS     OCCURS 3 TIMES."),
    (" ", "            15  PAYMENT-AMOUNT  PIC S9(5)V99 COMP-3."),
    (" ", "            15  PAYMENT-DAYS    PIC 9(2) OCCURS 2."),
    ("*", "            DAYS LATE, FIRST AND SECOND NOTICE"),
    (" ", "        10  DELINQUENCIES       PIC 9(2)."),
    (" ", "        10  EMPLOYER-NAME       PIC X(20)."),
    (" ", "        10  FILLER              PIC X(19)."),
    (" ", "    05  TRAILER-AREA REDEFINES HEADER-AREA."),
    (" ", "        10  RECORD-COUNT        PIC 9(9)."),
    (" ", "        10  TOTAL-INCOME        PIC S9(15)V99 COMP-3."),
    (" ", "        10  HASH-TOTAL          PIC 9(12)."),
    (" ", "        10  FILLER              PIC X(8"),
    ("-", "    9)."),
]
REQUEST_COPYBOOK = "".join(f"{(i + 1) * 100:06d}{ind}{code:<65}SCOREREQ\n" for i, (ind, code) in enumerate(_SOURCE))

REQUEST_TYPES = {"H": "HEADER-AREA", "D": "DETAIL-AREA", "T": "TRAILER-AREA"}


def detail_columns(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """n plausible detail records as columns (numbers scaled, as decode returns them)."""
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {
        "CUSTOMER-REF": np.array([f"C{i:011d}" for i in range(n)]),
        "APPLICANT-AGE": rng.integers(18, 100, n),
        "ANNUAL-INCOME": rng.integers(-10**11 + 1, 10**11, n),
        "LOAN-AMOUNT": rng.integers(0, 10**9, n),
        "DEBT-RATIO": rng.integers(-9999, 10000, n),
        "ACCOUNT-BALANCE": rng.integers(-10**9 + 1, 10**9, n),
        "OPEN-ACCOUNTS": rng.integers(-9999, 10000, n),
        "TOTAL-LIMIT": rng.integers(0, 2**32, n),
        "HOME-OWNERSHIP": rng.choice(np.array(["RENT", "MORTGAGE", "OWN"]), n),
        "DELINQUENCIES": rng.integers(0, 100, n),
        "EMPLOYER-NAME": rng.choice(np.array(["ACME [EU]", "Café ^ Co", "", "X" * 20]), n),
    }
    for i in (1, 2, 3):
        cols[f"PAYMENT-AMOUNT({i})"] = rng.integers(-10**7 + 1, 10**7, n)
        for j in (1, 2):
            cols[f"PAYMENT-DAYS({i},{j})"] = rng.integers(0, 100, n)
    return cols


def assert_columns_equal(actual: Mapping[str, np.ndarray], expected: Mapping[str, object]) -> None:
    """Compare the expected columns (a subset is fine), naming every field that differs."""
    problems = []
    for name, want in expected.items():
        if name not in actual:
            problems.append(f"{name}: missing")
            continue
        got, want = np.asarray(actual[name]), np.asarray(want)
        if got.shape != want.shape or not (got == want).all():
            rows = np.flatnonzero(got != want)[:3] if got.shape == want.shape else []
            problems.append(f"{name}: rows {list(rows)}: got {got[rows] if len(rows) else got!r}, "
                            f"want {want[rows] if len(rows) else want!r}")
    assert not problems, "\n".join(problems)
