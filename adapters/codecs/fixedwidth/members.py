"""COPY statements inside a copybook: the member's entries take the statement's place.

``COPY NAME [OF|IN LIBRARY] [SUPPRESS] [REPLACING a BY b ...].`` where each operand is pseudo-text
(``==:TAG:==``, ``==OLD-NAME==``) or one word. Replacing works on the member's code text, line by
line: an operand starting and ending with a word character replaces whole words only
(``==AMT== BY ==AMOUNT==`` leaves ``AMT-2`` alone), one with a colon or other delimiter at an end
is replaced wherever it is (the ``:TAG:`` prefix convention, ``:TAG:-REC`` -> ``CUST-REC``).

The engine reads no files: the caller gives ``copy_member(name) -> text or None`` (see
``scoregate.adapters.codecs.copybook_files`` for members beside a copybook file). Entries of a
member carry the line of the COPY statement; an error in them names the member's own line too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from .errors import LayoutError
from .lexer import Edit, Token, statements

CopyMember = Callable[[str], "str | None"]
"""A member's name (as written after COPY, upper case) -> its text, or None when there is none."""
MAX_DEPTH = 10
_WORD = re.compile(r"[A-Za-z0-9_-]")


def expanded(text: str, fixed: bool | None, copy_member: CopyMember | None,
             replacing: tuple[tuple[str, str], ...] = (), inside: tuple[str, ...] = ()) -> Iterator[list[Token]]:
    """The copybook's statements, each COPY statement replaced by its member's statements."""
    for tokens in statements(text, fixed, _replacer(replacing)):
        if tokens[0].literal or tokens[0].text != "COPY":
            yield tokens
            continue
        line = tokens[0].line
        name, pairs = _copy_statement(tokens)
        if copy_member is None:
            raise LayoutError(f"COPY {name}: COPY statements are resolved only when the copybook is read from a "
                              f"file (its member {name} beside it); here it was given as text", line)
        if name in inside or len(inside) >= MAX_DEPTH:
            raise LayoutError(f"COPY {name}: the member copies itself (through {' -> '.join(inside)})", line)
        member = copy_member(name)
        if member is None:
            raise LayoutError(f"COPY {name}: no member {name} beside the copybook "
                              f"(looked for {name}, {name}.cpy, {name}.cbl, {name}.cob, any case)", line)
        inner = expanded(member, None, copy_member, pairs, (*inside, name))
        while True:
            try:
                tokens = next(inner)
            except StopIteration:
                break
            except LayoutError as exc:  # a COPY statement inside the member, on the member's line
                where = f"in line {exc.line} of member {name}: " if exc.line is not None else f"in member {name}: "
                raise LayoutError(where + exc.reason, line) from None
            yield [Token(t.text, line, t.literal, t.origin or f"line {t.line} of member {name}") for t in tokens]


def _copy_statement(tokens: list[Token]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``COPY NAME ...`` -> (NAME, REPLACING pairs)."""
    if len(tokens) < 2:
        raise LayoutError("COPY needs a member name", tokens[0].line)
    name = tokens[1].text.strip("'\"").upper()
    rest = tokens[2:]
    i = 0
    if i < len(rest) and rest[i].text in ("OF", "IN"):
        i += 2
    if i < len(rest) and rest[i].text == "SUPPRESS":
        i += 1
    pairs: list[tuple[str, str]] = []
    if i < len(rest):
        if rest[i].text != "REPLACING":
            raise LayoutError(f"COPY {name}: unexpected {rest[i].text!r} (expected REPLACING)", rest[i].line)
        i += 1
        while i < len(rest):
            old, i = _operand(rest, i, name)
            if i >= len(rest) or rest[i].text != "BY":
                raise LayoutError(f"COPY {name} REPLACING: expected BY after {old!r}", tokens[0].line)
            new, i = _operand(rest, i + 1, name)
            if not old.strip():
                raise LayoutError(f"COPY {name} REPLACING: empty pseudo-text to replace", tokens[0].line)
            pairs.append((old, new))
    return name, tuple(pairs)


def _operand(tokens: list[Token], i: int, name: str) -> tuple[str, int]:
    """One REPLACING operand from ``tokens[i]``: ``==pseudo text==`` (maybe several tokens) or a word."""
    if i >= len(tokens):
        raise LayoutError(f"COPY {name} REPLACING: an operand is missing", tokens[-1].line)
    first = tokens[i].text
    if not first.startswith("=="):
        return first, i + 1
    words = [first[2:]]
    while not (words[-1].endswith("==") and (len(words) > 1 or len(first) >= 4)):
        i += 1
        if i >= len(tokens):
            raise LayoutError(f"COPY {name} REPLACING: pseudo-text {first!r} is not closed by ==", tokens[-1].line)
        words.append(tokens[i].text)
    words[-1] = words[-1][:-2]
    return " ".join(w for w in words if w), i + 1


def _replacer(replacing: tuple[tuple[str, str], ...]) -> Edit | None:
    """The REPLACING pairs as one edit of a line's code area."""
    if not replacing:
        return None
    rules = []
    for old, new in replacing:
        pattern = r"\s+".join(re.escape(w) for w in old.split())
        if _WORD.match(old[0]):
            pattern = r"(?<![A-Za-z0-9_-])" + pattern
        if _WORD.match(old[-1]):
            pattern += r"(?![A-Za-z0-9_-])"
        rules.append((re.compile(pattern, re.IGNORECASE), new))

    def edit(code: str) -> str:
        for rx, new in rules:
            code = rx.sub(lambda _: new, code)
        return code
    return edit
