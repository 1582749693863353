"""The JSON message format: one JSON object per message, paths are dotted object keys.

``{"applicant": {"income": 58000}}`` reads as ``{"applicant.income": 58000}``; writing does the
reverse, and a list value (reason codes) becomes a JSON array. Arrays in a request are kept whole
as the value of their path. Keys that themselves contain a dot cannot be addressed (no legacy
contract seen so far needs it).

Parsing is strict, because a lenient parser turns producer bugs into silent defaults: NaN and
Infinity literals, duplicate keys, a top level that is not an object, and bytes that are not in
the configured encoding are all ``MALFORMED``, with the line and column where JSON says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field

from scoregate.adapters.codecs.base import FormatOptions, malformed

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 32
_ACCEPTED = ("application/json", "text/json")


class JsonOptions(FormatOptions):
    encoding: str = "utf-8"
    """Character encoding of requests and replies (JSON is UTF-8 unless a legacy producer says otherwise)."""
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, gt=0)
    """Largest request accepted; bigger ones are answered MALFORMED before parsing."""
    max_depth: int = Field(default=DEFAULT_MAX_DEPTH, ge=1, le=500)
    """Deepest nesting of objects and arrays accepted; deeper requests are answered MALFORMED
    (Python's parser itself gives up near 1,000 levels)."""
    indent: int | None = None
    """Pretty-print replies with this indent; None writes compact JSON."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _depth(document: Any) -> int:
    """Nesting depth of objects and arrays (a scalar is 0), without recursion."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _flatten(obj: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{path}.", out)
        else:
            out[path] = value


class JsonFormat:
    """bytes <-> ``{dotted.path: value}``; see the module docstring."""

    format_name: ClassVar[str] = "json"
    Options: ClassVar[type[FormatOptions]] = JsonOptions

    def __init__(self, options: JsonOptions | None = None) -> None:
        self.options = options or JsonOptions()
        self.content_type = "application/json"
        self.content_encoding = self.options.encoding

    def accepts(self, content_type: str) -> bool:
        base = content_type.split(";")[0].strip().lower()
        return base in _ACCEPTED or base.endswith("+json")

    def read(self, payload: bytes) -> dict[str, Any]:
        if len(payload) > self.options.max_bytes:
            raise malformed(f"message of {len(payload)} bytes exceeds the limit of {self.options.max_bytes}")
        try:
            text = payload.decode(self.options.encoding)
        except UnicodeDecodeError as exc:
            raise malformed(f"not valid {self.options.encoding} at byte {exc.start}") from None
        try:
            document = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise malformed(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        except ValueError as exc:
            raise malformed(f"not valid JSON: {exc}") from None
        except RecursionError:
            raise malformed(f"nested deeper than {self.options.max_depth} levels") from None
        if _depth(document) > self.options.max_depth:
            raise malformed(f"nested deeper than {self.options.max_depth} levels")
        if not isinstance(document, dict):
            raise malformed(f"the message must be a JSON object, not {type(document).__name__}")
        out: dict[str, Any] = {}
        _flatten(document, "", out)
        return out

    def write(self, values: Mapping[str, Any], *, error: bool = False) -> bytes:
        document: dict[str, Any] = {}
        for path, value in values.items():
            *parents, leaf = path.split(".")
            node = document
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = list(value) if isinstance(value, tuple) else value
        text = json.dumps(
            document, ensure_ascii=False, allow_nan=False, indent=self.options.indent,
            separators=None if self.options.indent is not None else (",", ":"),
        )
        return text.encode(self.options.encoding)

    def check_targets(self, paths: list[str], *, error: bool = False) -> None:
        """A path may not be both a value and an object (``a`` and ``a.b``), nor have empty parts."""
        seen = set(paths)
        for path in paths:
            parts = path.split(".")
            if any(not p for p in parts):
                raise ValueError(f"JSON path {path!r} has an empty key")
            for i in range(1, len(parts)):
                if ".".join(parts[:i]) in seen:
                    raise ValueError(f"JSON path {path!r} lies under {'.'.join(parts[:i])!r}, which is a value")
