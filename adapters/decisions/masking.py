"""Personal data in an audit store: the fields kept as a keyed hash (HMAC-SHA256 with ``mask_key``).

Shared by every store, so that a reference masked in SQLite and in PostgreSQL is the same value
and ``audit show --ref`` finds it with the same key.
"""

from __future__ import annotations

import hmac

from scoregate.adapters.decisions.records import COLUMNS

#: Fields that may be masked: the text fields a caller supplies or that identify a request.
MASKABLE_FIELDS = frozenset({"channel", "reference", "request_id", "caller"})


class AuditError(ValueError):
    """An audit file that cannot be used as asked (masking settings or key that do not match)."""


class Masker:
    """Keyed hashes of the fields an operator chose to keep out of the store in clear."""

    def __init__(self, fields_: frozenset[str], key: bytes | None) -> None:
        unknown = fields_ - MASKABLE_FIELDS
        if unknown:
            raise AuditError(f"cannot mask {sorted(unknown)}; maskable fields: {sorted(MASKABLE_FIELDS)}")
        if fields_ and not key:
            raise AuditError("masking needs a mask_key (kept outside the audit file)")
        self.fields = fields_
        self.key = key or b""
        self._positions = [list(COLUMNS).index(f) for f in sorted(fields_)]

    def value(self, text: str) -> str:
        return "hmac:" + hmac.digest(self.key, text.encode(), "sha256")[:16].hex()

    def fingerprint(self) -> str:
        return self.value("scoregate audit key check") if self.fields else ""

    def apply(self, row: tuple) -> tuple:
        """A row for ``_INSERT`` with the masked columns hashed."""
        if not self.fields:
            return row
        masked = list(row)
        for i in self._positions:
            masked[i] = self.value(masked[i])
        return tuple(masked)
