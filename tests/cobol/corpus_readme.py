"""The per-file table of tests/data/copybooks/README.md, computed from what the engine and the
oracle tests do, so that it cannot go stale: ``test_copybook_corpus.py`` compares the README with
it. After a change to the engine, the corpus or the oracle's lists, rewrite the table with::

    python tests/cobol/corpus_readme.py

Each row keeps its File, Origin and Licence cells as written (a new copybook needs its row added
by hand, with them); Constructs (for a copybook that parses: from its layout and text), Engine and
Oracle are computed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from scoregate.adapters.codecs.fixedwidth import Kind, Layout, LayoutError

sys.path.insert(0, str(Path(__file__).parent))

from corpus import CORPUS_DIR, EXPECTED_REFUSALS, corpus_files, layout_of, member_of, read  # noqa: E402
from oracle_cases import NOT_COMPILED, engine_case  # noqa: E402

README = CORPUS_DIR / "README.md"
HEADER = "| File | Origin (repository, path) | Licence | Constructs | Engine | Oracle |"
_ROW = re.compile(r"^\| `([^`]+\.cpy)` \| (.*) \| (.*) \| (.*) \| (.*) \| (.*) \|$")


def _code(text: str) -> str:
    """The code area of a fixed-format copybook's non-comment lines."""
    lines = text.expandtabs(8).splitlines()
    return "\n".join(s[7:72] for s in lines if len(s) > 7 and s[6] not in "*/")


def constructs(path: Path, layout: Layout) -> str:
    """What a parsed copybook uses, in a fixed order."""
    text = read(path)
    code = _code(text)
    fields = [f for t in layout.record_types for f in t.fields]
    kinds = {f.kind for f in fields}
    binary = sorted({f.length for f in fields if f.kind is Kind.BINARY and not f.native})
    zoned = [f for f in fields if f.kind is Kind.ZONED]
    shapes = [t for t in layout.record_types if t.shapes is not None]
    found = [
        ("PIC X", Kind.TEXT in kinds),
        ("zoned", any(not f.signed for f in zoned)),
        ("signed zoned (overpunch)", any(f.signed and not f.sign_separate for f in zoned)),
        ("separate sign", any(f.sign_separate for f in zoned)),
        ("COMP-3", Kind.PACKED in kinds),
        (f"COMP/BINARY ({'/'.join(map(str, binary))} bytes)", bool(binary)),
        ("COMP-5", any(f.kind is Kind.BINARY and f.native for f in fields)),
        ("COMP-1/COMP-2", Kind.FLOAT in kinds),
        ("PIC N", Kind.NATIONAL in kinds),
        ("edited pictures", Kind.EDITED in kinds),
        ("implied decimals", any(0 < f.scale <= f.digits for f in fields)),
        ("P scaling", any(f.scale < 0 or f.scale > f.digits for f in fields if f.digits)),
        ("more than 18 digits", any(f.digits > 18 for f in fields)),
        ("SYNC", bool(re.search(r"\bSYNC(HRONIZED)?\b", code, re.IGNORECASE))),
        ("OCCURS", any("(" in f.name for f in fields) and not shapes),
        ("OCCURS DEPENDING ON", bool(shapes)),
        ("ODO counted per outer occurrence", any("(" in d.counter for t in shapes for d in t.shapes.tables)),
        ("REDEFINES", any(f.redefines for f in fields) or bool(re.search(r"\bREDEFINES\b", code, re.IGNORECASE))),
        ("RENAMES", bool(re.search(r"^\s*66\s", code, re.MULTILINE))),
        (f"{len(layout.record_types)} record types", len(layout.record_types) > 1),
        ("88 levels", bool(re.search(r"^\s*88\s", code, re.MULTILINE))),
        ("COPY", bool(re.search(r"^\s*COPY\s", code, re.MULTILINE | re.IGNORECASE))),
        ("no 01 level", not re.search(r"^\s*0?1\s+\S", code, re.MULTILINE)),
        ("tabs in the source", "\t" in text),
    ]
    return ", ".join(name for name, there in found if there)


def engine(path: Path) -> tuple[str, Layout | None]:
    """``parses`` or ``refused: line N (phrase)``, and the layout when it parses."""
    try:
        return "parses", layout_of(path)
    except LayoutError as exc:
        phrase = EXPECTED_REFUSALS[path.name].reason if path.name in EXPECTED_REFUSALS else exc.reason
        return f"refused: line {exc.line} ({phrase})", None


def oracle(path: Path, layout: Layout | None) -> str:
    """Whether test_gnucobol_oracle.py compiles it and compares both directions."""
    if layout is None:
        return "-"
    if path.name in NOT_COMPILED:
        return f"no: {NOT_COMPILED[path.name]}"
    case, _ = engine_case(read(path), copy_member=member_of(path))
    notes = [f"`-fnot-reserved` {', '.join(case.names)}"] if case.names else []
    notes += ["COPY members inlined"] if re.search(r"^\s*COPY\s", _code(read(path)), re.MULTILINE) else []
    return "yes" + (f" ({'; '.join(notes)})" if notes else "")


def table(readme: str) -> str:
    """The README with its per-file table recomputed."""
    kept = {m[1]: m.groups()[1:] for line in readme.splitlines() if (m := _ROW.match(line))}
    rows = [HEADER, "|---|---|---|---|---|---|"]
    for path in corpus_files():
        origin, licence, old_constructs, _, _ = kept.get(path.name, ("(origin?)", "(licence?)", "", "", ""))
        status, layout = engine(path)
        rows.append(f"| `{path.name}` | {origin} | {licence} | "
                    f"{constructs(path, layout) if layout else old_constructs} | {status} | {oracle(path, layout)} |")
    lines = readme.splitlines()
    start = lines.index(HEADER)
    end = start + 1
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "\n".join([*lines[:start], *rows, *lines[end:]]) + "\n"


if __name__ == "__main__":
    README.write_text(table(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {README}")
