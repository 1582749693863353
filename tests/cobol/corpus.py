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
    # Enterprise COBOL's limit is 31 digits.
    "cobrix-data_types.cpy": Refusal(43, "37 digits"),
    # COMP-0 is no IBM usage (Cobrix's own test of an unknown usage): refused for good.
    "cobrix-test6.cpy": Refusal(90, "COMP-0"),
    # Tabs expanded to 8 columns push "PIC X(25)." past column 72 on line 6, so the entry would
    # run on into line 7 (an IBM compiler, which sees no tabs, would never get this file).
    "carddemo-CUSTREC.cpy": Refusal(6, "period ending this entry is past column 72"),
}


def corpus_files() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.cpy"))


def read(path: Path) -> str:
    # latin-1: a few public copybooks carry stray non-ASCII bytes in comments.
    return path.read_text(encoding="latin-1")


def member_of(path: Path):
    """COPY members of a corpus copybook: the corpus files of the same source (``ibm-dbb-``),
    named as the COPY statement names them, in any case."""
    prefix = path.name[: len(path.name) - len(path.stem.split("-")[-1]) - len(path.suffix)]

    def member(name: str) -> str | None:
        found = [p for p in corpus_files() if p.name.lower() == f"{prefix}{name}.cpy".lower()]
        return read(found[0]) if found else None
    return member


def layout_of(path: Path) -> Layout:
    return parse_copybook(read(path), name=WRAPPER, copy_member=member_of(path))
