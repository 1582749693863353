"""COBOL source text -> tokens with line numbers, one list per data description entry.

Reference (fixed) format: columns 1-6 are sequence numbers and 73-80 identification, both
ignored; column 7 is the indicator (``*`` or ``/`` comment, ``D`` debugging line, also skipped,
``-`` continuation); code is in columns 8-72. A continued word resumes without a space; a
continued literal resumes after the quote that opens the continuation line. Free format
(comments after ``*>``) is assumed when some line has a character in column 7 that no fixed-format
line can have. Tabs are expanded to 8 columns first (copybooks edited on a PC carry them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    text: str
    line: int
    literal: bool = False
    origin: str = ""
    """Where a token copied in by a COPY statement comes from (``line 3 of member X``)."""


def _is_fixed(lines: list[str], fixed: bool | None) -> bool:
    if fixed is None:  # free format when column 7 holds something no fixed-format line can
        fixed = all(len(s) < 7 or s[6] in " */-Dd" for s in lines if s.strip() and not s.lstrip().startswith("*>"))
    return fixed


def periods_past_column_72(text: str, fixed: bool | None) -> set[int]:
    """Fixed-format lines whose code area (8-72) does not end an entry but whose ignored columns
    73-80 hold a period: an entry that ends there runs on into the next, which then fails to
    parse (tabs expanded by an editor push code past column 72). Sequence numbers rarely hold one."""
    lines = text.expandtabs(8).splitlines()
    if not _is_fixed(lines, fixed):
        return set()
    return {number for number, raw in enumerate(lines, 1) if "." in raw[72:] and raw[7:72].strip()
            and not raw[7:72].rstrip().endswith(".") and (len(raw) < 7 or raw[6] not in "*/Dd")}


Edit = Callable[[str], str]
"""A change to each line's code area (COPY ... REPLACING)."""


def _code_lines(text: str, fixed: bool | None, edit: Edit | None) -> Iterator[tuple[int, str, bool]]:
    """(line number, code text, is a continuation) for every line holding code."""
    lines = text.expandtabs(8).splitlines()
    fixed = _is_fixed(lines, fixed)
    for number, raw in enumerate(lines, 1):
        if fixed:
            indicator = raw[6] if len(raw) > 6 else " "
            if indicator in "*/Dd":
                continue
            code, continued = raw[7:72], indicator == "-"
        else:
            code, continued = raw.split("*>", 1)[0], False
            if code.lstrip().startswith("*"):
                continue
        yield number, edit(code) if edit else code, continued


def _tokens(text: str, fixed: bool | None, edit: Edit | None) -> Iterator[Token]:
    pending: list[tuple[int, str]] = []
    for number, code, continued in _code_lines(text, fixed, edit):
        if continued and pending:
            last_no, last = pending[-1]
            rest = code.lstrip()
            if _open_literal(last) and rest[:1] in "'\"":
                pending[-1] = (last_no, last.ljust(65) + rest[1:])  # a literal runs to column 72
            else:
                pending[-1] = (last_no, last.rstrip() + rest)  # a word resumes without a space
        elif code.strip():
            pending.append((number, code))
    for number, code in pending:
        yield from _scan(code, number)


def _open_literal(code: str) -> bool:
    quote = None
    for char in code:
        if quote is None and char in "'\"":
            quote = char
        elif char == quote:
            quote = None
    return quote is not None


def _scan(code: str, line: int) -> Iterator[Token]:
    i, n = 0, len(code)
    while i < n:
        char = code[i]
        if char.isspace() or char in ",;":
            i += 1
        elif char in "'\"":
            end = code.find(char, i + 1)
            end = n if end < 0 else end + 1
            yield Token(code[i:end], line, literal=True)
            i = end
        else:
            j = i
            while j < n and not code[j].isspace() and code[j] not in "'\"":
                j += 1
            word = code[i:j].rstrip(",;")
            if word.endswith("."):  # a period before a space or the line end ends the entry
                if word[:-1]:
                    yield Token(word[:-1].upper(), line)
                yield Token(".", line)
            else:
                yield Token(word.upper(), line)
            i = j


def statements(text: str, fixed: bool | None, edit: Edit | None = None) -> Iterator[list[Token]]:
    """The tokens of each period-ended statement (a data description entry, a COPY statement)."""
    current: list[Token] = []
    for token in _tokens(text, fixed, edit):
        if token.text == "." and not token.literal:
            if current:
                yield current
            current = []
        else:
            current.append(token)
    if current:
        yield current
