"""One data description entry's tokens -> :class:`Entry` (level, name and the clauses that shape bytes).

Clauses that do not change the bytes (``VALUE``, ``INDEXED BY``, ``KEY IS``, ``JUSTIFIED``,
``GLOBAL``/``EXTERNAL``) are read and ignored; clauses that describe data the engine cannot read
(``POINTER``, ``INDEX``, DBCS ``DISPLAY-1``) are refused here, naming the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import LayoutError
from .lexer import Token

USAGES = {
    "DISPLAY": "DISPLAY", "COMP": "BINARY", "COMPUTATIONAL": "BINARY", "COMP-4": "BINARY",
    "COMPUTATIONAL-4": "BINARY", "BINARY": "BINARY", "COMP-5": "NATIVE", "COMPUTATIONAL-5": "NATIVE",
    "COMP-3": "PACKED", "COMPUTATIONAL-3": "PACKED", "PACKED-DECIMAL": "PACKED",
    "COMP-1": "FLOAT4", "COMPUTATIONAL-1": "FLOAT4", "COMP-2": "FLOAT8", "COMPUTATIONAL-2": "FLOAT8",
    "FLOAT-SHORT": "IEEE4", "FLOAT-LONG": "IEEE8", "NATIONAL": "NATIONAL",
}
UNSUPPORTED_USAGES = {
    "POINTER": "USAGE POINTER (an address, meaningless outside the program)",
    "PROCEDURE-POINTER": "USAGE PROCEDURE-POINTER (an address)", "FUNCTION-POINTER": "USAGE FUNCTION-POINTER (an address)",
    "POINTER-32": "USAGE POINTER-32 (an address)", "INDEX": "USAGE INDEX (an internal table index)",
    "DISPLAY-1": "DBCS data (USAGE DISPLAY-1)", "OBJECT": "USAGE OBJECT REFERENCE",
}
_IGNORED = {"VALUE", "VALUES", "INDEXED", "ASCENDING", "DESCENDING", "JUSTIFIED", "JUST", "GLOBAL", "EXTERNAL", "IS"}
CLAUSES = {"REDEFINES", "PIC", "PICTURE", "USAGE", "OCCURS", "SIGN", "LEADING", "TRAILING", "BLANK", "SYNC",
           "SYNCHRONIZED", "RENAMES", *_IGNORED, *USAGES, *UNSUPPORTED_USAGES}


@dataclass(eq=False)
class Entry:
    """One data description entry, and after resolution its size and offset."""

    level: int
    name: str
    line: int
    pic: str | None = None
    usage: str | None = None
    occurs: int = 1
    """The count, or for OCCURS ... DEPENDING ON the maximum."""
    occurs_min: int | None = None
    depending_on: str | None = None
    redefines: str | None = None
    renames: tuple[str, str | None] | None = None
    """Level 66: (first item, THRU item or None)."""
    sign_leading: bool | None = None
    sign_separate: bool = False
    blank_when_zero: bool = False
    sync: bool = False
    children: list[Entry] = field(default_factory=list)
    item: Any = None
    """Elementary items: what the picture and usage say (``items.Item``)."""
    offset: int = 0
    """Relative to the parent's start (one occurrence)."""
    size: int = 0
    """Bytes of one occurrence, inter-occurrence slack bytes included."""
    align: int = 1
    """Boundary (1, 2, 4, 8) the strictest SYNCHRONIZED item inside needs."""


class EntryParser:
    """One entry's tokens -> Entry (None for level 88 condition names)."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens, self.i = tokens, 0
        self.line = tokens[0].line

    def fail(self, message: str) -> LayoutError:
        token = self.tokens[min(self.i, len(self.tokens) - 1)]
        return LayoutError(message, token.line)

    def next(self, what: str) -> str:
        if self.i >= len(self.tokens):
            raise self.fail(f"expected {what} before the end of the entry")
        self.i += 1
        return self.tokens[self.i - 1].text

    def peek(self, *words: str) -> bool:
        return self.i < len(self.tokens) and not self.tokens[self.i].literal and self.tokens[self.i].text in words

    def optional(self, *words: str) -> None:
        if self.peek(*words):
            self.i += 1

    def skip_names(self) -> None:
        while self.i < len(self.tokens) and (self.tokens[self.i].literal or self.tokens[self.i].text not in CLAUSES):
            self.i += 1

    def entry(self) -> Entry | None:
        level_text = self.next("a level number")
        if not (level_text.isascii() and level_text.isdigit()):  # isdigit() alone takes '¹', which int() refuses
            raise self.fail(f"expected a level number, found {level_text!r}")
        level = int(level_text)
        if level == 88:
            return None
        if level == 77 or not (1 <= level <= 49 or level == 66):
            raise self.fail(f"level {level_text} is not supported in a record layout")
        name = "FILLER"
        if self.i < len(self.tokens) and self.tokens[self.i].text not in CLAUSES:
            name = self.next("a name")
        entry = Entry(level, name, self.line)
        if level == 66:
            if self.next("RENAMES") != "RENAMES":
                raise self.fail("a level 66 entry must be NAME RENAMES item [THRU item]")
            first = self.next("the renamed item")
            last = self.next("the THRU item") if self.peek("THRU", "THROUGH") and self.next("THRU") else None
            entry.renames = (first, last)
            if self.i < len(self.tokens):
                raise self.fail(f"unexpected {self.tokens[self.i].text!r} after RENAMES")
            return entry
        while self.i < len(self.tokens):
            self.clause(entry, self.next("a clause"))
        return entry

    def clause(self, e: Entry, word: str) -> None:
        if word == "REDEFINES":
            e.redefines = self.next("the redefined name")
        elif word in ("PIC", "PICTURE"):
            self.optional("IS")
            e.pic = self.next("a picture string")
        elif word == "USAGE":
            self.optional("IS")
            self.clause(e, self.next("a usage"))
        elif word in USAGES:
            e.usage = USAGES[word]
        elif word in UNSUPPORTED_USAGES:
            raise self.fail(f"{UNSUPPORTED_USAGES[word]} is not supported in a record layout")
        elif word == "OCCURS":
            self.occurs(e)
        elif word in ("SIGN", "LEADING", "TRAILING"):
            if word == "SIGN":
                self.optional("IS")
                word = self.next("LEADING or TRAILING")
                if word not in ("LEADING", "TRAILING"):
                    raise self.fail(f"SIGN must be LEADING or TRAILING, not {word!r}")
            e.sign_leading = word == "LEADING"
            if self.peek("SEPARATE"):
                self.i += 1
                e.sign_separate = True
                self.optional("CHARACTER")
        elif word in _IGNORED:
            self.skip_names()  # VALUE literals, index and key names, RIGHT: none affects the layout
        elif word == "BLANK":
            self.skip_names()
            e.blank_when_zero = True
        elif word in ("SYNC", "SYNCHRONIZED"):
            e.sync = True
            self.optional("LEFT", "RIGHT")
        else:
            raise self.fail(f"unexpected {word!r} in the entry for {e.name}")

    def occurs(self, e: Entry) -> None:
        """``OCCURS n [TIMES]`` or ``OCCURS [m TO] n [TIMES] DEPENDING [ON] name``."""
        count = self.next("an OCCURS count")
        low = None
        if self.peek("TO"):
            self.i += 1
            low, count = count, self.next("the OCCURS maximum")
        if not (count.isascii() and count.isdigit()) or int(count) < 1:
            raise self.fail(f"OCCURS needs a positive count, not {count!r}")
        if low is not None and (not (low.isascii() and low.isdigit()) or int(low) > int(count)):
            raise self.fail(f"OCCURS {low} TO {count}: the minimum must be a number no larger than the maximum")
        e.occurs = int(count)
        self.optional("TIMES")
        if self.peek("DEPENDING"):
            self.i += 1
            self.optional("ON")
            e.depending_on = self.next("the DEPENDING ON item")
            # Without "m TO", IBM assumes a minimum of 1, but checks a count of 0 only under
            # SSRANGE; files with empty tables written that way are common, so 0 is accepted.
            e.occurs_min = int(low) if low is not None else 0
        elif low is not None:
            raise self.fail(f"OCCURS {low} TO {count} needs DEPENDING ON")
