"""The entry tree of one 01 record -> sizes, offsets and flattened :class:`~.layout.Field` s.

Three passes: :func:`inherit` (once: USAGE, SIGN, BLANK WHEN ZERO and SYNCHRONIZED flow down from
groups; each elementary item's picture is read), :func:`place` (sizes and offsets for given OCCURS
DEPENDING ON counts; rerun per shape) and :func:`flatten` (the fields of one placement).

SYNCHRONIZED follows IBM Enterprise COBOL: a binary item of 1-4 digits on a halfword (2-byte)
boundary, 5-18 digits and COMP-1 on a fullword (4), COMP-2 on a doubleword (8); other items are
not moved. Offsets count from the start of the 01 record (which IBM places on a doubleword). Slack
bytes go before a synchronized item (intra-occurrence), and at the end of each occurrence of a
table element holding synchronized items, so that every occurrence aligns as the first does
(inter-occurrence: the element is rounded up to its strictest boundary).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .entries import Entry
from .errors import LayoutError
from .items import item_field, read_item

Counts = Mapping[Entry, int]


def inherit(e: Entry, usage: str, sign: tuple[bool | None, bool], blank: bool, sync: bool, options: dict) -> None:
    """Usage, sign, BLANK WHEN ZERO and SYNCHRONIZED flow down; elementary items read their picture."""
    usage = e.usage or usage
    if e.sign_leading is None:
        e.sign_leading, e.sign_separate = sign
    e.blank_when_zero |= blank
    e.sync |= sync
    if e.renames is not None:
        return
    if not e.children:
        e.usage = usage
        e.item = read_item(e, options)
        return
    if e.pic is not None:
        raise LayoutError(f"group {e.name} cannot have a PIC clause", e.line)
    for child in e.children:
        inherit(child, usage, (e.sign_leading, e.sign_separate), e.blank_when_zero, e.sync, options)


def place(e: Entry, counts: Counts, start: int = 0) -> None:
    """Sizes and offsets (relative to the parent) with ``counts`` occurrences of each ODO table.
    ``start`` is the item's absolute offset, for SYNCHRONIZED alignment."""
    if not e.children:
        e.size = e.item.length
        e.align = e.item.align if e.sync else 1
        return
    cursor, starts, align = 0, {}, 1
    for child in e.children:
        if child.renames is not None:
            continue
        if child.redefines is not None:
            if child.redefines not in starts:
                raise LayoutError(f"REDEFINES {child.redefines}: no earlier item of that name at this level", child.line)
            child.offset = starts[child.redefines]
            place(child, counts, start + child.offset)
        else:
            place(child, counts, start + cursor)
            # A synchronized elementary item waits for its boundary (a group's items placed themselves).
            child.offset = cursor + (0 if child.children else -(start + cursor) % child.align)
        starts.setdefault(child.name, child.offset)
        align = max(align, child.align)
        n = counts.get(child, child.occurs)
        # The next item starts after the longest of an item and everything redefining it.
        cursor = max(cursor, child.offset + child.size * n)
    if e.occurs > 1 or e.depending_on:
        cursor += -cursor % align  # inter-occurrence slack bytes
    e.size, e.align = cursor, align


@dataclass(frozen=True)
class Flat:
    parent: str
    entry: Entry
    field: object  # Field


def flatten(e: Entry, counts: Counts, base: int, subs: tuple[int, ...], view: bool, parent: str,
            out: list[Flat], skip: Sequence[Entry]) -> None:
    """Append the elementary items under ``e`` (at ``base``), one per occurrence."""
    table = e.occurs > 1 or e.depending_on is not None
    for i in range(counts.get(e, e.occurs)):
        start = base + e.offset + i * e.size
        here = (*subs, i + 1) if table else subs
        if e.children:
            for child in e.children:
                if child not in skip and child.renames is None:
                    flatten(child, counts, start, here, view or child.redefines is not None, e.name, out, skip)
            continue
        name = e.name + (f"({','.join(map(str, here))})" if here else "")
        out.append(Flat(parent, e, item_field(e, name, start, view)))


def walk(e: Entry, skip: Sequence[Entry] = ()) -> list[Entry]:
    """``e`` and everything under it, in the order of the copybook."""
    out = [e]
    for child in e.children:
        if child not in skip:
            out.extend(walk(child, skip))
    return out
