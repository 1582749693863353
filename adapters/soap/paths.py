"""Element paths, the mapping's vocabulary: nested zeep values <-> ``{"A/B[2]/C": value}``.

A path names elements by local name from below the wrapper element. A repeated element takes a
1-based index (``Address[2]``); the unindexed path also names its first occurrence, as XPath's
string value does, so ``Addresses/Address/YearsAtAddress`` reads the first address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

_SEGMENT = re.compile(r"^(?P<name>[^\[\]/]+)(?:\[(?P<index>[1-9][0-9]*)\])?$")


def flatten(value: Any, prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    """zeep's ``serialize_object(..., dict)`` output -> {path: leaf value} (leaves keep their types)."""
    out = {} if out is None else out
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key.startswith("_"):
                continue  # zeep's _value_1 / _raw_elements: xsd:any content, not addressable by name
            flatten(item, f"{prefix}/{key}" if prefix else key, out)
    elif isinstance(value, list):
        for n, item in enumerate(value, 1):
            flatten(item, f"{prefix}[{n}]", out)
            if n == 1:
                flatten(item, prefix, out)
    else:
        out[prefix] = value
    return out


def _segment(part: str, path: str) -> tuple[str, int | None]:
    match = _SEGMENT.match(part)
    if not match:
        raise ValueError(f"bad element path {path!r} (segment {part!r})")
    index = match.group("index")
    return match.group("name"), int(index) - 1 if index else None


# Paths come from the mapping, a few dozen per contract, and are split on every request otherwise.
@lru_cache(maxsize=4096)
def _segments(path: str) -> tuple[tuple[str, int | None], ...]:
    return tuple(_segment(part, path) for part in path.split("/"))


def nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """{path: value} -> the nested dicts and lists zeep's serializers take.

    A list value at a path is a repeated element; ``[n]`` in a path fills its n-th occurrence.
    """
    root: dict[str, Any] = {}
    for path, value in values.items():
        node = root
        segments = _segments(path)
        last_at = len(segments) - 1
        for i, (name, index) in enumerate(segments):
            last = i == last_at
            if index is None:
                if last:
                    node[name] = value
                else:
                    child = node.setdefault(name, {})
                    node = child[0] if isinstance(child, list) else child
                continue
            items = node.setdefault(name, [])
            if not isinstance(items, list):
                items = node[name] = [items]
            while len(items) <= index:
                items.append({})
            if last:
                items[index] = value
            else:
                node = items[index]
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
