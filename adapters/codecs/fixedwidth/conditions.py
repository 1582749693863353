"""Level-88 condition names of a copybook: the codes a field may hold, with their names.

``05 HOME-OWNERSHIP PIC X. 88 HOME-RENT VALUE 'R'. 88 HOME-OWN VALUE 'O'.`` says that
HOME-OWNERSHIP holds R or O and what each means; ``scoregate scaffold`` pre-fills code maps from
them. The layout (``copybook.py``) has no use for them when decoding, so they are read here, from
the same statements, rather than carried on every :class:`~.layout.Field`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexer import statements


@dataclass(frozen=True)
class Condition:
    name: str
    """The condition name (``HOME-RENT``)."""
    values: tuple[str, ...]
    """Its values as the field holds them (quotes removed); a ``THRU`` range gives its two ends."""


def conditions(text: str, fixed_format: bool | None = None) -> dict[str, tuple[Condition, ...]]:
    """Item name -> its level-88 conditions, in copybook order (items without any are left out).
    An item of an ``OCCURS`` table is named without subscripts."""
    found: dict[str, list[Condition]] = {}
    owner: str | None = None
    for tokens in statements(text, fixed_format):
        words = [t.text for t in tokens]
        if not words or not words[0].isdigit():
            continue
        if int(words[0]) != 88:
            # Conditions belong to the item above them; FILLER items get none worth naming.
            owner = words[1] if len(words) > 1 and not tokens[1].literal and words[1] != "FILLER" else None
            continue
        if owner is None or len(words) < 2:
            continue
        values = tuple(_literal(t.text) if t.literal else t.text for t in tokens[2:]
                       if t.literal or t.text not in ("VALUE", "VALUES", "ARE", "IS", "THRU", "THROUGH"))
        found.setdefault(owner, []).append(Condition(words[1], values))
    return {name: tuple(items) for name, items in found.items()}


def _literal(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text
