"""Element paths, the mapping's vocabulary: ``{"A/B[2]/C": value}`` <-> nested dicts and lists.

A path names elements by local name from below the wrapper element, and may end in an attribute
(``Loan/@amount``; values.py has the whole vocabulary). A repeated element takes a 1-based index
(``Address[2]``); the unindexed path also names its first occurrence, as XPath's string value does,
so ``Addresses/Address/YearsAtAddress`` reads the first address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

_SEGMENT = re.compile(r"^(?P<name>@?[^\[\]/@]+)(?:\[(?P<index>[1-9][0-9]*)\])?$")
TEXT = "$"
"""Key of an element's own text when it also has attributes (``<Score scale="1000">742</Score>``)."""


def _segment(part: str, path: str) -> tuple[str, int | None]:
    match = _SEGMENT.match(part)
    if not match:
        raise ValueError(f"bad element path {path!r} (segment {part!r})")
    index = match.group("index")
    return match.group("name"), int(index) - 1 if index else None


# Paths come from the mapping, a few dozen per contract, and are split on every request otherwise.
@lru_cache(maxsize=4096)
def segments(path: str) -> tuple[tuple[str, int | None], ...]:
    """``A/B[2]/@c`` -> ``(("A", None), ("B", 1), ("@c", None))`` (0-based indexes); ValueError if malformed."""
    parts = tuple(_segment(part, path) for part in path.split("/"))
    if any(name.startswith("@") and (index is not None or n < len(parts) - 1) for n, (name, index) in enumerate(parts)):
        raise ValueError(f"bad element path {path!r} (an attribute ends a path and has no index)")
    return parts


def _holder(holder: Any, key: Any) -> dict[str, Any]:
    """The dict at ``holder[key]`` (a dict's key or a list's index), made one if it holds a plain
    value so far (that value becomes the element's text)."""
    child = holder[key] if isinstance(holder, list) else holder.get(key)
    if not isinstance(child, dict):
        holder[key] = {} if child is None else {TEXT: child}
    return holder[key]


def nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """{path: value} -> the nested dicts and lists zeep's serializers take.

    A list value at a path is a repeated element; ``[n]`` in a path fills its n-th occurrence.
    An attribute is the key ``@name``; the text of an element that also has attributes, ``$``.
    """
    root: dict[str, Any] = {}
    for path, value in values.items():
        node = root
        parts = segments(path)
        last_at = len(parts) - 1
        for i, (name, index) in enumerate(parts):
            if index is None:
                child = node.get(name)
                holder, key = (child, 0) if isinstance(child, list) and i < last_at else (node, name)
            else:
                items = node.setdefault(name, [])
                if not isinstance(items, list):
                    items = node[name] = [items]
                while len(items) <= index:
                    items.append({})
                holder, key = items, index
            if i < last_at:
                node = _holder(holder, key)
            elif isinstance(holder[key] if isinstance(holder, list) else holder.get(key), dict) and not isinstance(value, dict):
                holder[key][TEXT] = value  # attributes came first: this is the element's text
            else:
                holder[key] = value
    return root


def fixed_point(value: Any) -> Any:
    """Floats -> Decimal throughout: ``str(3.2e-05)`` is no xs:decimal, ``Decimal``'s fixed form is."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: fixed_point(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fixed_point(v) for v in value]
    return value
