"""The PostgreSQL :class:`~scoregate.adapters.outcomes.store.OutcomeStore`: outcomes beside the
decisions of the PostgreSQL audit (``[state] postgres``), shared by every replica.

The same tables and semantics as the SQLite store (``adapters/outcomes/sqlite.py``; its docstring
says why): the first outcome of a reference counts, later ones are set aside as duplicates or
contradictions; masked references are hashed with the audit's key; :meth:`refresh` joins only
what is new on either side (two watermarks), so an outcome that arrives before its decision is
matched when the decision appears.

What differs: several replicas take outcomes in and refresh at once, so ``add`` and ``refresh``
run one at a time under a transaction-scoped advisory lock. And the audit has several writers
whose transactions commit out of id order (a round holding ids 100-200 may commit after one
holding 201-300), so a decision watermark read while a round is open could step over rows that
appear later: ``refresh`` reads it under a brief SHARE lock on the decisions table, which waits
for the writers' open rounds and holds new ones for that one statement (the writers are behind a
queue: no answer waits for it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np
import psycopg
from psycopg_pool import PoolTimeout

from scoregate.adapters.decisions.masking import AuditError, Masker
from scoregate.adapters.decisions.shadow import SHADOW_SUFFIX
from scoregate.adapters.outcomes.records import Outcome, period_of
from scoregate.adapters.outcomes.store import Counts, Intake, Joined, Pairs, Volume
from scoregate.adapters.state.postgres_pool import StateUnavailable, one_line, open_pool, redacted
from scoregate.adapters.state.postgres_schema import VERSION_TABLE

_LOCK_ID = 0x5C0E0C0E  # pg_advisory_xact_lock key: "scoregate outcomes", one intake or refresh at a time
_WATERMARK_LOCK = "5s"  # how long refresh waits for the audit writers' open rounds; then it tries next round
_SHADOW = "(d.channel LIKE %(shadow)s)"
_MONTH = "to_char(d.time AT TIME ZONE 'UTC', 'YYYY-MM')"
# One row per decision (not a fallback answer: that is not the model's score) with an outcome. The
# statement answers what it joined (rows and months changed) and how many of its outcomes came late
# (after their month's figures had outcomes): no index on the refresh column to find them again,
# which cost a fifth of a large join's time.
_JOIN = f"""
WITH j AS (
  INSERT INTO outcome_joined
  SELECT d.id, o.id, d.model, d.version, {_SHADOW}, d.request_id, {_MONTH}, d.probability, d.decision, o.bad, %(refresh)s
  FROM outcomes AS o JOIN decisions AS d ON d.reference = o.reference
  WHERE d.fallback = 0 AND {{where}}
  ON CONFLICT DO NOTHING
  RETURNING model, version, month, outcome_id
)
SELECT model, version, month, count(*), (
  SELECT count(DISTINCT l.outcome_id) FROM j AS l WHERE l.outcome_id > %(so)s AND EXISTS (
    SELECT FROM outcome_figures AS f WHERE f.model = l.model AND f.version = l.version AND f.by = 'month'
      AND f.period = l.month AND f.outcomes > 0))
FROM j GROUP BY 1, 2, 3
"""
_VOLUME = f"""
INSERT INTO outcome_volume AS v
SELECT d.model, d.version, {_SHADOW}, {_MONTH}, d.decision, min(d.probability), count(*)
FROM decisions AS d WHERE d.fallback = 0 AND d.id > %(sd)s AND d.id <= %(ld)s
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (model, version, shadow, month, decision)
DO UPDATE SET count = v.count + excluded.count, floor = least(v.floor, excluded.floor)
"""
_ANALYZE_ROWS = 1_000  # an intake or join this large refreshes its table's statistics (see _analyze)
T = TypeVar("T")


class PostgresOutcomeStore:
    """Outcomes of the decisions in the PostgreSQL audit at ``audit`` (the ``[state] postgres``
    URL); ``mask_key`` as the audit's."""

    def __init__(self, audit: str, *, mask_key: bytes | None = None) -> None:
        url = self.audit = audit
        self.where = f"outcomes in PostgreSQL at {redacted(url)}"
        self._mask_key = mask_key
        self._masker: Masker | None = None
        """The audit's reference hash; None when it masks references and no key was given (reading
        the figures needs none; taking outcomes in does)."""
        self._checked = False
        self._pool = open_pool(url, max_size=2, name="scoregate-outcomes")
        try:  # a store that answers now is checked now: a wrong key stops the gateway at start
            self._run(self._check)
        except StateUnavailable:
            pass  # checked on the first call that reaches the server
        except BaseException:
            self._pool.close()
            raise

    # -- connections ---------------------------------------------------------------------------
    def _run(self, work: Callable[[psycopg.Connection], T]) -> T:
        """``work`` on a pooled connection; the server unreachable is StateUnavailable in one line."""
        try:
            with self._pool.connection() as conn:
                if not self._checked and work is not self._check:
                    self._check(conn)
                return work(conn)
        except (psycopg.OperationalError, PoolTimeout) as error:
            raise StateUnavailable(f"{self.where} not reachable: {one_line(error)}") from None

    def _check(self, conn: psycopg.Connection) -> None:
        """The schema is there and the key is the audit's (as the SQLite store checks it)."""
        if not conn.execute("SELECT to_regclass('outcomes') IS NOT NULL").fetchone()[0]:
            have = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (VERSION_TABLE,)).fetchone()[0]
            raise AuditError(f"no scoregate outcome tables at {redacted(self.audit)}: run `scoregate state migrate`"
                             + ("" if have else " and a gateway with [state] postgres"))
        settings = dict(conn.execute("SELECT key, value FROM audit_settings").fetchall())
        masked = frozenset(f for f in settings.get("masked_fields", "").split(",") if f)
        if "reference" not in masked:
            self._masker = Masker(frozenset(), None)
        elif self._mask_key:
            masker = Masker(masked, self._mask_key)
            if settings.get("key_fingerprint", "") != masker.fingerprint():
                raise AuditError(f"audit at {redacted(self.audit)}: the mask key does not match the one the trail"
                                 " was written with")
            self._masker = masker
        self._checked = True

    def _ref(self, reference: str) -> str:
        if self._masker is None:
            raise AuditError(f"audit at {redacted(self.audit)} keeps references as a keyed hash: outcomes join only"
                             " with its mask key (SCOREGATE_MASK_KEY)")
        return self._masker.value(reference) if self._masker.fields else reference

    @staticmethod
    def _state(conn: psycopg.Connection, key: str) -> int:
        row = conn.execute("SELECT value FROM outcome_state WHERE key = %s", (key,)).fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _set(conn: psycopg.Connection, key: str, value: int) -> None:
        conn.execute("INSERT INTO outcome_state VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (key, value))

    # -- the store -----------------------------------------------------------------------------
    def add(self, outcomes: Iterable[Outcome], source: str = "") -> Intake:
        """Keep the first outcome of each reference; later ones are set aside as duplicates or
        contradictions (counted, kept in ``outcome_set_aside`` for whoever asks why)."""
        return self._run(lambda conn: self._add(conn, outcomes, source))

    def _add(self, conn: psycopg.Connection, outcomes: Iterable[Outcome], source: str) -> Intake:
        self._ref("")  # without the key of a masking audit: refused before anything is read
        received = datetime.now(UTC)
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            intake = self._state(conn, "intake") + 1
            self._set(conn, "intake", intake)
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS outcome_stage (row integer, reference text, outcome text,"
                         " bad smallint, outcome_date date, amount double precision) ON COMMIT DELETE ROWS")
            staged = 0
            # Binary: no text formatting of each number and date here nor parsing there (a quarter off the COPY).
            with conn.cursor().copy("COPY outcome_stage FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int4", "text", "text", "int2", "date", "float8"])
                for staged, o in enumerate(outcomes, 1):
                    copy.write_row((staged - 1, self._ref(o.reference), o.outcome, o.bad, o.outcome_date, o.amount))
            values = {"received": received, "source": source, "intake": intake}
            accepted = conn.execute(
                "INSERT INTO outcomes (reference, outcome, bad, outcome_date, amount, received, source, intake, intake_row)"
                " SELECT DISTINCT ON (reference) reference, outcome, bad, outcome_date, amount, %(received)s, %(source)s,"
                " %(intake)s, row FROM outcome_stage ORDER BY reference, row ON CONFLICT (reference) DO NOTHING",
                values).rowcount
            kinds = {} if accepted == staged else self._set_aside(conn, values)  # every row kept: none set aside
        self._analyze(conn, "outcomes", accepted)
        return Intake(accepted, kinds.get("duplicate", 0), kinds.get("contradictory", 0))

    @staticmethod
    def _set_aside(conn: psycopg.Connection, values: dict) -> dict[str, int]:
        """The staged rows not kept (a reference's later rows, or one already known): set aside by kind."""
        conn.execute(
            "INSERT INTO outcome_set_aside (kind, reference, outcome, outcome_date, amount, received, source, intake)"
            " SELECT CASE WHEN o.bad = s.bad THEN 'duplicate' ELSE 'contradictory' END, s.reference, s.outcome,"
            " s.outcome_date, s.amount, %(received)s, %(source)s, %(intake)s"
            " FROM outcome_stage AS s JOIN outcomes AS o ON o.reference = s.reference"
            " WHERE NOT (o.intake = %(intake)s AND o.intake_row = s.row)", values)
        return dict(conn.execute("SELECT kind, count(*) FROM outcome_set_aside WHERE intake = %s GROUP BY kind",
                                 (values["intake"],)).fetchall())

    def refresh(self) -> list[tuple[str, str, str]]:
        return self._run(self._refresh)

    def _refresh(self, conn: psycopg.Connection) -> list[tuple[str, str, str]]:
        with conn.transaction():  # a watermark no open audit round can fall below (the module's docstring)
            conn.execute(f"SET LOCAL lock_timeout = '{_WATERMARK_LOCK}'")
            try:
                conn.execute("LOCK TABLE decisions IN SHARE MODE")
            except psycopg.errors.LockNotAvailable:
                return []
            last_d = conn.execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0]
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            refresh = self._state(conn, "refresh") + 1
            seen_o, seen_d = self._state(conn, "outcome_mark"), self._state(conn, "decision_mark")
            last_o = conn.execute("SELECT coalesce(max(id), 0) FROM outcomes").fetchone()[0]
            last_d = max(last_d, seen_d)  # another replica's refresh may have gone further meanwhile
            if (last_o, last_d) == (seen_o, seen_d):
                return []
            marks = {"refresh": refresh, "so": seen_o, "lo": last_o, "sd": seen_d, "ld": last_d,
                     "shadow": f"%{SHADOW_SUFFIX}"}
            # New outcomes against every decision so far, then new decisions against the older outcomes
            # (whose outcome ids are all <= seen_o: none of them is late).
            groups = conn.execute(_JOIN.format(where="o.id > %(so)s AND o.id <= %(lo)s AND d.id <= %(ld)s"),
                                  marks).fetchall()
            late = groups[0][4] if groups else 0
            groups += conn.execute(_JOIN.format(where="o.id <= %(so)s AND d.id > %(sd)s AND d.id <= %(ld)s"),
                                   marks).fetchall()
            joined = sum(g[3] for g in groups)
            conn.execute(_VOLUME, marks)
            changed = [(m, v, month) for m, v, month, _, _ in groups]
            changed += conn.execute(f"SELECT DISTINCT model, version, {_MONTH} FROM decisions AS d"
                                    " WHERE d.id > %s AND d.id <= %s", (seen_d, last_d)).fetchall()
            changed = sorted(set(changed))
            stale = [(m, v, by, period_of(month, by)) for m, v, month in changed for by in ("month", "quarter", "year")]
            with conn.cursor() as cursor:
                cursor.executemany("UPDATE outcome_figures SET stale = true WHERE model = %s AND version = %s"
                                   " AND by = %s AND period = %s", stale)
            self._set(conn, "late", self._state(conn, "late") + late)
            for key, value in (("refresh", refresh), ("outcome_mark", last_o), ("decision_mark", last_d)):
                self._set(conn, key, value)
        self._analyze(conn, "outcome_joined", joined)
        return changed

    @staticmethod
    def _analyze(conn: psycopg.Connection, table: str, rows: int) -> None:
        """Fresh statistics after many new rows: the next join plans on them (a table autovacuum has
        not analyzed yet looks nearly empty, and a nested loop over it took seconds, not milliseconds)."""
        if rows >= _ANALYZE_ROWS:
            conn.execute(f"ANALYZE {table}")

    def generation(self) -> int:
        return self._run(lambda conn: self._state(conn, "refresh"))

    def counts(self) -> Counts:
        def work(conn: psycopg.Connection) -> Counts:
            outcomes = conn.execute("SELECT count(*) FROM outcomes").fetchone()[0]
            matched = conn.execute("SELECT count(DISTINCT outcome_id) FROM outcome_joined").fetchone()[0]
            aside = dict(conn.execute("SELECT kind, count(*) FROM outcome_set_aside GROUP BY kind").fetchall())
            return Counts(outcomes, matched, outcomes - matched, aside.get("duplicate", 0), aside.get("contradictory", 0),
                          self._state(conn, "late"))
        return self._run(work)

    @staticmethod
    def _where(model: str, months: list[str] | None, version: str | None = None, prefix: str = "") -> tuple[str, list]:
        where, args = f"{prefix}model = %s", [model]
        if months is not None:
            where += f" AND {prefix}month = ANY(%s)"
            args.append(list(months))
        if version is not None:
            where += f" AND {prefix}version = %s"
            args.append(version)
        return where, args

    def _rows(self, query: str, args: Any = None) -> list[tuple]:
        return self._run(lambda conn: conn.execute(query, args).fetchall())

    def joined(self, model: str, months: list[str] | None = None, version: str | None = None) -> Joined:
        where, args = self._where(model, months, version)
        rows = self._rows(f"SELECT version, probability, bad, decision, month, shadow, request_id FROM outcome_joined"
                          f" WHERE {where}", args)
        columns = list(zip(*rows)) if rows else [()] * 7
        return Joined(
            version=np.array(columns[0], dtype=object), probability=np.array(columns[1], dtype=np.float64),
            bad=np.array(columns[2], dtype=np.int8), decision=np.array(columns[3], dtype=object),
            month=np.array(columns[4], dtype=object), shadow=np.array(columns[5], dtype=bool),
            request=np.array(columns[6], dtype=object),
        )

    def pairs(self, model: str, months: list[str] | None = None) -> Pairs:
        where, args = self._where(model, months, prefix="p.")
        join = (f"FROM outcome_joined AS p JOIN outcome_joined AS s ON s.request_id = p.request_id AND s.model = p.model"
                f" AND s.shadow WHERE NOT p.shadow AND {where}")

        def work(conn: psycopg.Connection) -> Pairs:
            top = conn.execute(f"SELECT p.version, s.version {join} GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1",
                               args).fetchone()
            if top is None:
                return Pairs("", "", np.empty(0, np.int8), np.empty(0), np.empty(0))
            chunks = []
            with conn.cursor() as cursor:
                cursor.execute(f"SELECT p.bad, p.probability, s.probability {join} AND p.version = %s AND s.version = %s",
                               [*args, *top])
                while rows := cursor.fetchmany(100_000):  # numbers only, a chunk at a time
                    chunks.append(np.array(rows, dtype=np.float64))
            values = np.concatenate(chunks) if chunks else np.empty((0, 3))
            return Pairs(top[0], top[1], values[:, 0].astype(np.int8), values[:, 1], values[:, 2])
        return self._run(work)

    def volume(self, model: str, months: list[str] | None = None) -> Volume:
        where, args = self._where(model, months)
        rows = self._rows(f"SELECT version, month, shadow, decision, floor, count FROM outcome_volume WHERE {where}", args)
        return Volume([(v, m, bool(s), d, f, int(n)) for v, m, s, d, f, n in rows])

    def models(self) -> list[str]:
        return [m for (m,) in self._rows("SELECT DISTINCT model FROM outcome_volume ORDER BY model")]

    def months(self, model: str) -> list[str]:
        return [m for (m,) in self._rows("SELECT DISTINCT month FROM outcome_volume WHERE model = %s ORDER BY month",
                                         (model,))]

    def cached(self, model: str, by: str) -> dict[tuple[str, str], dict]:
        rows = self._rows("SELECT version, period, body FROM outcome_figures WHERE model = %s AND by = %s AND NOT stale",
                          (model, by))
        return {(v, p): json.loads(body) for v, p, body in rows}

    def keep(self, model: str, by: str, figures: dict[tuple[str, str], dict]) -> None:
        rows = [(model, v, by, p, int(body.get("outcomes") or 0), json.dumps(body)) for (v, p), body in figures.items()]

        def work(conn: psycopg.Connection) -> None:
            with conn.transaction(), conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO outcome_figures VALUES (%s, %s, %s, %s, false, %s, %s) ON CONFLICT (model, version, by, period)"
                    " DO UPDATE SET stale = false, outcomes = excluded.outcomes, body = excluded.body", rows)
        self._run(work)

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> PostgresOutcomeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
