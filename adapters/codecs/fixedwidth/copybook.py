"""COBOL copybook text -> :class:`~.layout.Layout`; every error names its line.

Supported: level numbers 01-49 and groups; ``PIC``/``PICTURE`` with ``X``, ``A``, ``9``, ``S``,
``V`` and repeat counts (``X(10)``, ``S9(7)V99``, ``SV99``); ``USAGE`` (or bare) ``DISPLAY``,
``COMP``/``COMP-4``/``BINARY``/``COMPUTATIONAL(-n)``, ``COMP-5``, ``COMP-3``/``PACKED-DECIMAL``,
inherited from groups; ``SIGN [IS] LEADING|TRAILING [SEPARATE [CHARACTER]]`` (also on groups);
``OCCURS n [TIMES]`` on items and groups (flattened to ``NAME(1)``, nested ``NAME(1,2)``);
``REDEFINES``; ``FILLER`` and unnamed items; ``BLANK WHEN ZERO``; ``VALUE``, level 88,
``JUSTIFIED``, ``INDEXED BY``, ``KEY IS``, ``GLOBAL``/``EXTERNAL`` are read and ignored.
Fixed format: columns 1-6 (sequence numbers) and 73-80 are ignored, ``*``/``/``/``D`` in column 7
is a comment line, ``-`` continues the previous line (words and literals); an entry may span
lines. Free format (``*>`` comments) is detected when column 7 holds anything else.

Refused with a :class:`~.errors.LayoutError` naming the line: ``OCCURS ... DEPENDING ON``,
``COMP-1``/``COMP-2`` floats, ``POINTER``/``INDEX``, national ``PIC N``, edited pictures
(``Z``, ``*``, ``$``, ``.``, ``,``, ``+``, ``-``, ``B``, ``0``, ``/``, ``CR``, ``DB``), scaling
``P``, ``SYNCHRONIZED``, levels 66 and 77, more than 18 digits.

Record types: several 01 records are one record type each. A single 01 whose group items
redefine each other (header, detail and trailer areas sharing one area) gives one record type per
alternative, each with the fields outside the alternatives (the common type field): the
shallowest such set is used unless ``record_types`` names the groups. Any other REDEFINES is a
second view of the same bytes (decoded; written only when given). Pick record types by a type
field with :meth:`Layout.with_selector`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .errors import LayoutError
from .layout import MAX_DIGITS, Field, Kind, Layout, RecordType, numeric_length
from .lexer import Token, statements

_USAGES = {
    "DISPLAY": "DISPLAY", "COMP": "BINARY", "COMPUTATIONAL": "BINARY", "COMP-4": "BINARY",
    "COMPUTATIONAL-4": "BINARY", "BINARY": "BINARY", "COMP-5": "NATIVE", "COMPUTATIONAL-5": "NATIVE",
    "COMP-3": "PACKED", "COMPUTATIONAL-3": "PACKED", "PACKED-DECIMAL": "PACKED",
}
_UNSUPPORTED_USAGES = {
    "COMP-1": "floating point COMP-1", "COMP-2": "floating point COMP-2", "COMPUTATIONAL-1": "floating point COMP-1",
    "COMPUTATIONAL-2": "floating point COMP-2", "FLOAT-SHORT": "floating point", "FLOAT-LONG": "floating point",
    "POINTER": "USAGE POINTER", "PROCEDURE-POINTER": "USAGE POINTER", "FUNCTION-POINTER": "USAGE POINTER",
    "INDEX": "USAGE INDEX", "NATIONAL": "national (UTF-16) data", "DISPLAY-1": "DBCS data",
}
_CLAUSES = {"REDEFINES", "PIC", "PICTURE", "USAGE", "OCCURS", "SIGN", "LEADING", "TRAILING", "VALUE", "VALUES",
            "JUSTIFIED", "JUST", "BLANK", "SYNC", "SYNCHRONIZED", "GLOBAL", "EXTERNAL", "INDEXED", "ASCENDING",
            "DESCENDING", "IS", "RENAMES", *_USAGES, *_UNSUPPORTED_USAGES}
_PIC_SYMBOL = re.compile(r"([AXS9VP])(?:\((\d+)\))?")
_EDIT = re.compile(r"[Z*$+\-.,B0/]|CR|DB|E")


@dataclass(eq=False)
class _Entry:
    level: int
    name: str
    line: int
    pic: str | None = None
    usage: str | None = None
    occurs: int = 1
    redefines: str | None = None
    sign_leading: bool | None = None
    sign_separate: bool = False
    blank_when_zero: bool = False
    children: list[_Entry] = field(default_factory=list)
    offset: int = 0  # relative to the parent's start (one occurrence)
    size: int = 0  # one occurrence


class _Parser:
    """One entry's tokens -> _Entry (None for 88 levels)."""

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

    def skip_names(self) -> None:
        while self.i < len(self.tokens) and (self.tokens[self.i].literal or self.tokens[self.i].text not in _CLAUSES):
            self.i += 1

    def entry(self) -> _Entry | None:
        level_text = self.next("a level number")
        if not (level_text.isascii() and level_text.isdigit()):  # isdigit() alone takes '¹', which int() refuses
            raise self.fail(f"expected a level number, found {level_text!r}")
        level = int(level_text)
        if level == 88:
            return None
        if level in (66, 77) or not 1 <= level <= 49:
            raise self.fail(f"level {level_text} is not supported in a record layout")
        name = "FILLER"
        if self.i < len(self.tokens) and self.tokens[self.i].text not in _CLAUSES:
            name = self.next("a name")
        entry = _Entry(level, name, self.line)
        while self.i < len(self.tokens):
            self.clause(entry, self.next("a clause"))
        return entry

    def clause(self, e: _Entry, word: str) -> None:
        if word == "REDEFINES":
            e.redefines = self.next("the redefined name")
        elif word in ("PIC", "PICTURE"):
            if self.peek("IS"):
                self.i += 1
            e.pic = self.next("a picture string")
        elif word == "USAGE":
            if self.peek("IS"):
                self.i += 1
            self.clause(e, self.next("a usage"))
        elif word in _USAGES:
            e.usage = _USAGES[word]
        elif word in _UNSUPPORTED_USAGES:
            raise self.fail(f"{_UNSUPPORTED_USAGES[word]} ({word}) is not supported")
        elif word == "OCCURS":
            count = self.next("an OCCURS count")
            if self.peek("TO") or "DEPENDING" in (t.text for t in self.tokens):
                raise self.fail("OCCURS ... DEPENDING ON (variable-length tables) is not supported")
            if not (count.isascii() and count.isdigit()) or int(count) < 1:
                raise self.fail(f"OCCURS needs a positive count, not {count!r}")
            e.occurs = int(count)
            if self.peek("TIMES"):
                self.i += 1
        elif word in ("SIGN", "LEADING", "TRAILING"):
            if word == "SIGN":
                if self.peek("IS"):
                    self.i += 1
                word = self.next("LEADING or TRAILING")
                if word not in ("LEADING", "TRAILING"):
                    raise self.fail(f"SIGN must be LEADING or TRAILING, not {word!r}")
            e.sign_leading = word == "LEADING"
            if self.peek("SEPARATE"):
                self.i += 1
                e.sign_separate = True
                if self.peek("CHARACTER"):
                    self.i += 1
        elif word in ("VALUE", "VALUES", "INDEXED", "ASCENDING", "DESCENDING", "JUSTIFIED", "JUST",
                      "GLOBAL", "EXTERNAL", "IS"):
            self.skip_names()  # VALUE literals, index and key names, RIGHT: none affects the layout
        elif word == "BLANK":
            self.skip_names()
            e.blank_when_zero = True
        elif word in ("SYNC", "SYNCHRONIZED"):
            raise self.fail("SYNCHRONIZED (alignment slack bytes) is not supported")
        else:
            raise self.fail(f"unexpected {word!r} in the entry for {e.name}")


def _picture(e: _Entry, usage: str) -> tuple[Kind, int, int, bool, int]:
    """(kind, digits, scale, signed, length) of an elementary item."""
    assert e.pic is not None
    symbols, pos = [], 0
    for m in _PIC_SYMBOL.finditer(e.pic):
        if m.start() != pos:
            break
        symbols.append((m.group(1), int(m.group(2) or 1)))
        pos = m.end()
    if pos != len(e.pic):
        rest = e.pic[pos:]
        what = ("national PIC N" if rest[0] in "NG" else "an edited picture" if _EDIT.match(rest) else "this picture")
        raise LayoutError(f"PIC {e.pic}: {what} is not supported (at {rest!r})", e.line)
    letters = "".join(s for s, _ in symbols)
    if "P" in letters:
        raise LayoutError(f"PIC {e.pic}: scaling position P is not supported", e.line)
    if "X" in letters or "A" in letters:
        if set(letters) - {"X", "A", "9"} or usage != "DISPLAY":
            raise LayoutError(f"PIC {e.pic}: an alphanumeric item must be USAGE DISPLAY without S or V", e.line)
        return Kind.TEXT, 0, 0, False, sum(c for _, c in symbols)
    if letters.count("S") > (letters[:1] == "S") or letters.count("V") > 1:
        raise LayoutError(f"PIC {e.pic}: S must come first and V at most once", e.line)
    digits = sum(c for s, c in symbols if s == "9")
    scale = sum(c for s, c in symbols[letters.find("V") + 1:] if s == "9") if "V" in letters else 0
    if not 1 <= digits <= MAX_DIGITS:
        raise LayoutError(f"PIC {e.pic}: {digits} digits; 1 to {MAX_DIGITS} are supported", e.line)
    kind = {"DISPLAY": Kind.ZONED, "PACKED": Kind.PACKED}.get(usage, Kind.BINARY)
    separate = kind is Kind.ZONED and "S" in letters and e.sign_separate
    return kind, digits, scale, "S" in letters, numeric_length(kind, digits, separate)


def _resolve(e: _Entry, usage: str, sign: tuple[bool | None, bool], blank: bool) -> None:
    """Sizes and relative offsets, bottom-up; usage, SIGN and BLANK WHEN ZERO flow down from groups."""
    usage = e.usage or usage
    if e.sign_leading is None:
        e.sign_leading, e.sign_separate = sign
    e.blank_when_zero |= blank
    if not e.children:
        if e.pic is None:
            raise LayoutError(f"{e.name} has neither a PIC clause nor subordinate items", e.line)
        e.size = _picture(e, usage)[4]
        e.usage = usage
        return
    if e.pic is not None:
        raise LayoutError(f"group {e.name} cannot have a PIC clause", e.line)
    cursor, starts = 0, {}
    for child in e.children:
        _resolve(child, usage, (e.sign_leading, e.sign_separate), e.blank_when_zero)
        if child.redefines is not None:
            if child.redefines not in starts:
                raise LayoutError(f"REDEFINES {child.redefines}: no earlier item of that name at this level",
                                  child.line)
            child.offset = starts[child.redefines]
        else:
            child.offset = cursor
        starts.setdefault(child.name, child.offset)
        # The next item starts after the longest of an item and everything redefining it.
        cursor = max(cursor, child.offset + child.size * child.occurs)
    e.size = cursor


def _flatten(e: _Entry, base: int, subs: tuple[int, ...], view: bool, parent: str, out: list,
             skip: Sequence[_Entry]) -> None:
    for i in range(e.occurs):
        start = base + e.offset + i * e.size
        here = (*subs, i + 1) if e.occurs > 1 else subs
        if e.children:
            for child in e.children:
                if child not in skip:
                    _flatten(child, start, here, view or child.redefines is not None, e.name, out, skip)
            continue
        kind, digits, scale, signed, length = _picture(e, e.usage or "DISPLAY")
        name = e.name + (f"({','.join(map(str, here))})" if here else "")
        zoned_sign = kind is Kind.ZONED and signed
        out.append((parent, Field(
            name, start, length, kind, digits=digits, scale=scale, signed=signed,
            sign_leading=bool(e.sign_leading) and zoned_sign, sign_separate=e.sign_separate and zoned_sign,
            native=e.usage == "NATIVE", blank_when_zero=e.blank_when_zero and kind is Kind.ZONED,
            filler=e.name == "FILLER", redefines=view, line=e.line)))


def _alternatives(root: _Entry, names: Sequence[str] | None) -> list[_Entry]:
    """The groups that are record types inside a single 01 (empty: the 01 is the only one)."""
    queue = [root]
    while queue:
        group = queue.pop(0)
        kids = group.children
        for k in kids:
            if names is not None:
                if k.name in names:
                    return [c for c in kids if c.name in names]
            elif k.redefines is not None:
                members = [c for c in kids if c.name == k.redefines or c.redefines == k.redefines]
                if all(m.children for m in members):
                    return members
        queue.extend(k for k in kids if k.children and k.occurs == 1)
    if names:
        raise LayoutError(f"record type groups {list(names)} not found as siblings in the copybook")
    return []


def _record_type(name: str, flat: list[tuple[str, Field]]) -> RecordType:
    counts: dict[str, int] = {}
    for _, f in flat:
        counts[f.name] = counts.get(f.name, 0) + (not f.filler)
    fields = tuple(replace(f, name=f"{f.name} OF {parent}") if counts[f.name] > 1 and not f.filler else f
                   for parent, f in flat)
    return RecordType(name, fields)


def parse_copybook(text: str, *, record_types: Sequence[str] | None = None, fixed_format: bool | None = None,
                   name: str = "") -> Layout:
    """Parse a copybook into a Layout (see the module docstring for what is supported).

    ``record_types`` names the record types: redefining groups of a single 01, some of several 01
    records, or the 01 itself (one type); ``()`` for none, None to find them as described above.
    ``fixed_format`` forces (True) or disables (False) the column rules instead of detecting them.
    """
    roots: list[_Entry] = []
    stack: list[_Entry] = []
    for tokens in statements(text, fixed_format):
        entry = _Parser(tokens).entry()
        if entry is None:
            continue
        while stack and stack[-1].level >= entry.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(entry)
        stack.append(entry)
    if not roots:
        raise LayoutError("the copybook holds no data description entries")
    if any(r.level != 1 for r in roots):  # a copybook of 05-level items meant for inclusion under an 01
        roots = [_Entry(1, name or "RECORD", roots[0].line, children=roots)]
    for root in roots:
        _resolve(root, "DISPLAY", (None, False), False)
    if len(roots) > 1:
        if record_types and (missing := set(record_types) - {r.name for r in roots}):
            raise LayoutError(f"record types {sorted(missing)} are not 01 records of the copybook")
        types = [_record_type(r.name, _collect(r)) for r in roots if not record_types or r.name in record_types]
    else:
        root = roots[0]
        # Naming the 01 itself means: one record type, every REDEFINES a view.
        members = [] if record_types and root.name in record_types else _alternatives(root, record_types)
        flat = _collect(root, skip=members)
        types = [_record_type(m.name, flat + _collect_member(root, m)) for m in members]
        types = types or [_record_type(root.name, flat)]
    return Layout(tuple(types), name=name or roots[0].name)


def _collect(root: _Entry, skip: Sequence[_Entry] = ()) -> list[tuple[str, Field]]:
    """Fields of ``root``, leaving out the record-type groups in ``skip``."""
    out: list[tuple[str, Field]] = []
    _flatten(root, 0, (), False, root.name, out, skip)
    return out


def _collect_member(root: _Entry, member: _Entry) -> list[tuple[str, Field]]:
    out: list[tuple[str, Field]] = []
    path = _path_to(root, member) or [root, member]
    _flatten(member, sum(p.offset for p in path[1:-1]), (), False, path[-2].name, out, ())
    return out


def _path_to(node: _Entry, target: _Entry) -> list[_Entry] | None:
    if node is target:
        return [node]
    for child in node.children:
        if (found := _path_to(child, target)) is not None:
            return [node, *found]
    return None
