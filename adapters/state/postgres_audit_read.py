"""Reading the PostgreSQL audit trail: ``audit show``, ``models compare``, ``audit verify``, ``audit prune``.

Every replica writes to the one table, so each of these sees the decisions of all of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import psycopg
from psycopg import sql

from scoregate.adapters.decisions.chain import Break, StoredRow, key_fingerprint, verify
from scoregate.adapters.decisions.masking import AuditError, Masker
from scoregate.adapters.decisions.records import COLUMNS, DecisionRecord
from scoregate.adapters.state.postgres_pool import StateUnavailable, connect, one_line, redacted
from scoregate.adapters.state.postgres_schema import VERSION_TABLE

_SELECT = ", ".join(COLUMNS)
_PARTITION = re.compile(r"decisions_(\d{8})")
# A shadow row has the same request id and reference as its primary, on "<channel><suffix>".
_PAIRS = """
SELECT p.version, p.probability, p.decision, s.version, s.probability, s.decision
FROM decisions AS p JOIN decisions AS s
  ON s.request_id = p.request_id AND s.reference = p.reference AND s.channel = p.channel || %s
WHERE p.model = %s AND s.model = %s
"""


def _open(url: str) -> psycopg.Connection:
    conn = connect(url)
    if not conn.execute("SELECT to_regclass(%s) IS NOT NULL", (VERSION_TABLE,)).fetchone()[0]:
        conn.close()
        raise AuditError(f"no scoregate audit at {redacted(url)}: run `scoregate state migrate` and a gateway with [state] postgres")
    return conn


def _values(row: tuple) -> tuple:
    """A row's values as the writer gave them (the time as its ISO text, in UTC): what the MAC covers."""
    return (row[0].astimezone(UTC).isoformat(), *row[1:])


def _record(row: tuple) -> DecisionRecord:
    (at, channel, reference, request_id, model, version, probability, decision, reasons, fallback, latency, caller) = row
    return DecisionRecord(
        time=at.astimezone(UTC), channel=channel, reference=reference, request_id=request_id, model=model,
        version=version, probability=probability, decision=decision,
        reasons=tuple((f, c, float(v)) for f, c, v in json.loads(reasons)), fallback=bool(fallback),
        latency_ms=latency, caller=caller,
    )


class PostgresAuditReader:
    """``audit show``: the decisions of every replica for a reference. Masked references are found
    with the mask key (the trail's own masking setting is read from it)."""

    def __init__(self, url: str, *, masked_fields: frozenset[str] | None = None, mask_key: bytes | None = None) -> None:
        self.url = url
        self._conn = _open(url)
        try:
            stored = dict(self._conn.execute("SELECT key, value FROM audit_settings").fetchall())
            fields = frozenset(f for f in stored.get("masked_fields", "").split(",") if f)
            self._masker = Masker(fields if masked_fields is None else frozenset(masked_fields), mask_key)
            if stored.get("key_fingerprint", "") != self._masker.fingerprint():
                raise AuditError(f"audit at {redacted(url)}: the mask key does not match the one the trail was written with")
        except BaseException:
            self._conn.close()
            raise

    def find(self, reference: str) -> list[DecisionRecord]:
        if "reference" in self._masker.fields:
            reference = self._masker.value(reference)
        rows = self._conn.execute(f"SELECT {_SELECT} FROM decisions WHERE reference = %s ORDER BY time, id", (reference,))
        return [_record(r) for r in rows]

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM decisions").fetchone()[0])

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> PostgresAuditReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def shadow_pairs(url: str, model: str, suffix: str) -> list[tuple]:
    """As ``sqlite.shadow_pairs``: every request of ``model`` with a shadow score, from every replica."""
    with _open(url) as conn:
        return [tuple(r) for r in conn.execute(_PAIRS, (suffix, model, model))]


def _stored_rows(conn: psycopg.Connection) -> Iterator[StoredRow]:
    # A server-side cursor: years of decisions are walked, not loaded.
    with conn.transaction(), conn.cursor(name="audit_verify") as cursor:
        cursor.itersize = 10_000
        cursor.execute(f"SELECT id, writer, seq, mac, {_SELECT} FROM decisions ORDER BY id")
        for row in cursor:
            # A row without a MAC was written without the key: chain.verify reports it as not chained.
            yield StoredRow(row[0], row[1] if row[3] else "", row[2], row[3], _values(row[4:]))


def verify_postgres(url: str, key: bytes) -> tuple[Break | None, dict[str, int]]:
    """``audit verify`` on the shared trail: every writer's chain, from its anchor after a prune."""
    try:
        with _open(url) as conn:
            stored = conn.execute("SELECT value FROM audit_settings WHERE key = 'chain_key_fingerprint'").fetchone()
            if stored is None:
                raise AuditError(f"the audit at {redacted(url)} was written without an audit key: it has no chain to verify")
            if stored[0] != key_fingerprint(key):
                raise AuditError(f"audit at {redacted(url)}: this is not the audit key its chain was written with")
            anchors = {w: (int(s), m) for w, s, m in conn.execute("SELECT writer, seq, mac FROM audit_anchors")}
            return verify(_stored_rows(conn), key, anchors)
    except StateUnavailable as error:
        raise AuditError(str(error)) from None
    except psycopg.Error as error:
        raise AuditError(f"audit at {redacted(url)}: {one_line(error)}") from None


@dataclass(frozen=True)
class Pruned:
    partition: str
    day: date
    rows: int


def prune(url: str, older_than: timedelta, now: datetime | None = None) -> list[Pruned]:
    """Drop the day partitions wholly older than ``older_than``, oldest first. Each writer's last
    dropped link becomes its anchor, so that ``audit verify`` still walks the rest of its chain."""
    cutoff = ((now or datetime.now(UTC)) - older_than).date()
    dropped = []
    with _open(url) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'decisions'::regclass ORDER BY c.relname")]
        for name in names:
            match = _PARTITION.fullmatch(name)
            if match is None:
                continue
            day = datetime.strptime(match[1], "%Y%m%d").date()
            if day + timedelta(days=1) > cutoff:  # a partition ends at the next midnight
                continue
            with conn.transaction():
                table = sql.Identifier(name)
                rows = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0]
                conn.execute(sql.SQL(
                    "INSERT INTO audit_anchors (writer, seq, mac)"
                    " SELECT DISTINCT ON (writer) writer, seq, mac FROM {} WHERE mac <> '' ORDER BY writer, seq DESC"
                    " ON CONFLICT (writer) DO UPDATE SET seq = excluded.seq, mac = excluded.mac"
                    " WHERE excluded.seq > audit_anchors.seq").format(table))
                conn.execute(sql.SQL("DROP TABLE {}").format(table))
            dropped.append(Pruned(name, day, int(rows)))
    return dropped
