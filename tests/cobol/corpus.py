"""The copybook corpus in tests/data/copybooks: where it is, and what the engine still refuses.

``EXPECTED_REFUSALS`` is the one list of copybooks the engine refuses today, each with the line
it must name and a phrase of the reason. When the engine learns a construct, the test of that
copybook fails (it parses now): delete its entry here, and the round-trip test takes it up.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from scoregate.adapters.codecs.fixedwidth import Layout, parse_copybook

CORPUS_DIR = Path(__file__).resolve().parents[1] / "data" / "copybooks"
ORACLE_DIR = CORPUS_DIR / "oracle"
WRAPPER = "CORPUS-REC"
"""The 01 given to copybooks of 05-level items (the engine's default, RECORD, is a COBOL
reserved word, so a compiler could not take it)."""


class Refusal(NamedTuple):
    line: int
    reason: str
    """A phrase the error message must contain."""


EXPECTED_REFUSALS: dict[str, Refusal] = {
    # OCCURS ... DEPENDING ON whose count sits in each occurrence of an outer table (a shape per
    # occurrence): refused.
    "cobrix-test21.cpy": Refusal(23, "counter is inside a table"),
    # Enterprise COBOL's limit is 31 digits.
    "cobrix-data_types.cpy": Refusal(43, "37 digits"),
    # COMP-0 is no IBM usage (Cobrix's own test of an unknown usage): refused for good.
    "cobrix-test6.cpy": Refusal(90, "COMP-0"),
    # COPY statements inside a copybook: the engine reads one file; refused for good.
    "ibm-dbb-epsmtcom.cpy": Refusal(3, "COPY"),
    "ibm-zopeneditor-SAM2PARM.cpy": Refusal(12, "COPY"),
    # Tabs expanded to 8 columns push "PIC X(25)." past column 72 on line 6, so the entry runs
    # on into line 7 (an IBM compiler, which sees no tabs, would never get this file). A clearer
    # message would name line 6 (test_a_period_past_column_72_is_named_on_its_own_line).
    "carddemo-CUSTREC.cpy": Refusal(7, "unexpected '05'"),
}


def corpus_files() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.cpy"))


def read(path: Path) -> str:
    # latin-1: a few public copybooks carry stray non-ASCII bytes in comments.
    return path.read_text(encoding="latin-1")


def layout_of(path: Path) -> Layout:
    return parse_copybook(read(path), name=WRAPPER)
