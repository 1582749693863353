"""The SQLite :class:`~scoregate.adapters.outcomes.store.OutcomeStore`: a file beside the audit.

``audit.sqlite`` gets ``audit.outcomes.sqlite``. The audit stays append-only and untouched: this
file attaches it read-only and copies, for each decision with an outcome, only what the figures
need (version, probability, decision, month, request id; no features, no reference).

**Masked references**: when the audit keeps references as a keyed hash, outcomes are hashed with
the same key (``SCOREGATE_MASK_KEY``) before they are stored, so they join and this file does not
reveal them either. A missing or wrong key is refused, as the audit's reader refuses it.

**Incremental**: two watermarks (the last outcome and the last decision joined) let
:meth:`refresh` join only what is new on either side, so an outcome that arrives before its
decision is matched when the decision appears; the figures kept (``figures``) are marked stale
only for the months the new rows fall in.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from scoregate.adapters.decisions.shadow import SHADOW_SUFFIX
from scoregate.adapters.decisions.sqlite import AuditError, _Masker
from scoregate.adapters.outcomes.records import Outcome, period_of
from scoregate.adapters.outcomes.store import Counts, Intake, Joined, Pairs, Volume

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outcomes (
    id INTEGER PRIMARY KEY, reference TEXT NOT NULL UNIQUE, outcome TEXT NOT NULL, bad INTEGER NOT NULL,
    outcome_date TEXT NOT NULL, amount REAL, received TEXT NOT NULL, source TEXT NOT NULL,
    intake INTEGER NOT NULL, intake_row INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS set_aside (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, reference TEXT NOT NULL, outcome TEXT NOT NULL,
    outcome_date TEXT NOT NULL, amount REAL, received TEXT NOT NULL, source TEXT NOT NULL, intake INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS set_aside_intake ON set_aside (intake);
CREATE TABLE IF NOT EXISTS joined (
    decision_id INTEGER PRIMARY KEY, outcome_id INTEGER NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL,
    shadow INTEGER NOT NULL, request_id TEXT NOT NULL, month TEXT NOT NULL, probability REAL NOT NULL,
    decision TEXT NOT NULL, bad INTEGER NOT NULL, refresh INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS joined_model_month ON joined (model, month);
CREATE INDEX IF NOT EXISTS joined_refresh ON joined (refresh);
CREATE INDEX IF NOT EXISTS joined_request ON joined (request_id);
CREATE TABLE IF NOT EXISTS volume (
    model TEXT NOT NULL, version TEXT NOT NULL, shadow INTEGER NOT NULL, month TEXT NOT NULL,
    decision TEXT NOT NULL, floor REAL NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (model, version, shadow, month, decision)
);
CREATE TABLE IF NOT EXISTS figures (
    model TEXT NOT NULL, version TEXT NOT NULL, by TEXT NOT NULL, period TEXT NOT NULL,
    stale INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (model, version, by, period)
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
_STAGE = "CREATE TEMP TABLE IF NOT EXISTS stage (reference TEXT, outcome TEXT, bad INTEGER, outcome_date TEXT, amount REAL)"
_SHADOW = f"(d.channel LIKE '%{SHADOW_SUFFIX}')"
# One row per decision (not a fallback answer: that is not the model's score) with an outcome.
_JOIN = f"""
INSERT OR IGNORE INTO joined
SELECT d.id, o.id, d.model, d.version, {_SHADOW}, d.request_id, substr(d.time, 1, 7), d.probability,
       d.decision, o.bad, :refresh
FROM outcomes AS o JOIN audit.decisions AS d ON d.reference = o.reference
WHERE d.fallback = 0 AND {{where}}
"""
_VOLUME = f"""
INSERT INTO volume
SELECT d.model, d.version, {_SHADOW}, substr(d.time, 1, 7), d.decision, min(d.probability), count(*)
FROM audit.decisions AS d WHERE d.fallback = 0 AND d.id > :from AND d.id <= :to
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT DO UPDATE SET count = count + excluded.count, floor = min(floor, excluded.floor)
"""


def _locked(method):  # noqa: ANN001, ANN202
    """One caller at a time on the connection: the intake channels and the gateway's watcher share it."""
    @functools.wraps(method)
    def call(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        with self._lock:
            return method(self, *args, **kwargs)
    return call


def outcomes_path(audit: Path) -> Path:
    """Where the outcomes of the SQLite audit ``audit`` are kept: ``NAME.outcomes.SUFFIX`` beside it."""
    audit = Path(audit)
    return audit.with_name(f"{audit.stem}.outcomes{audit.suffix or '.sqlite'}")


class SqliteOutcomeStore:
    """Outcomes of the decisions in the SQLite audit file ``audit``; ``mask_key`` as the audit's."""

    def __init__(self, audit: Path, *, mask_key: bytes | None = None, path: Path | None = None) -> None:
        self.audit = Path(audit)
        if not self.audit.is_file():
            raise AuditError(f"no audit file at {self.audit}")
        self.path = Path(path) if path else outcomes_path(self.audit)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across a process crash
        self._conn.execute("PRAGMA busy_timeout=10000")  # a second process (the CLI) waits its turn
        self._conn.executescript(_SCHEMA)
        self._conn.execute("ATTACH DATABASE ? AS audit", (self.audit.resolve().as_uri() + "?mode=ro",))
        self._masker = self._audit_masker(mask_key)

    def _audit_masker(self, key: bytes | None) -> _Masker | None:
        """The audit's reference hash; None when it masks references and no key was given (reading
        the figures needs none; taking outcomes in does)."""
        settings = dict(self._conn.execute("SELECT key, value FROM audit.settings").fetchall())
        masked = frozenset(json.loads(settings.get("masked_fields", "[]")))
        if "reference" not in masked:
            return _Masker(frozenset(), None)
        if not key:
            return None
        masker = _Masker(masked, key)
        if settings.get("key_fingerprint", "") != masker.fingerprint():
            raise AuditError(f"{self.audit}: the mask key does not match the one the audit was written with")
        return masker

    def _ref(self, reference: str) -> str:
        if self._masker is None:
            raise AuditError(f"{self.audit} keeps references as a keyed hash: outcomes join only with its mask key"
                             " (SCOREGATE_MASK_KEY)")
        return self._masker.value(reference) if self._masker.fields else reference

    def _state(self, key: str) -> int:
        row = self._conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row else 0

    def _set(self, key: str, value: int) -> None:
        self._conn.execute("INSERT INTO state VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value", (key, value))

    @_locked
    def add(self, outcomes: Iterable[Outcome], source: str = "") -> Intake:
        """Keep the first outcome of each reference; later ones are set aside as duplicates or
        contradictions (counted, kept in ``set_aside`` for whoever asks why)."""
        received = datetime.now(UTC).isoformat()
        self._ref("")  # without the key of a masking audit: refused before anything is read
        rows = ((self._ref(o.reference), o.outcome, o.bad, o.outcome_date.isoformat(), o.amount) for o in outcomes)
        conn = self._conn
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            intake = self._state("intake") + 1
            self._set("intake", intake)
            conn.execute(_STAGE)
            conn.execute("DELETE FROM stage")
            conn.executemany("INSERT INTO stage VALUES (?, ?, ?, ?, ?)", rows)
            before = conn.total_changes
            conn.execute(
                "INSERT OR IGNORE INTO outcomes (reference, outcome, bad, outcome_date, amount, received, source, intake, intake_row)"
                " SELECT reference, outcome, bad, outcome_date, amount, ?, ?, ?, rowid FROM stage ORDER BY rowid",
                (received, source, intake))
            accepted = conn.total_changes - before
            conn.execute(
                "INSERT INTO set_aside (kind, reference, outcome, outcome_date, amount, received, source, intake)"
                " SELECT CASE WHEN o.bad = s.bad THEN 'duplicate' ELSE 'contradictory' END, s.reference, s.outcome,"
                " s.outcome_date, s.amount, ?, ?, ? FROM stage AS s JOIN outcomes AS o ON o.reference = s.reference"
                " WHERE NOT (o.intake = ? AND o.intake_row = s.rowid)", (received, source, intake, intake))
            kinds = dict(conn.execute("SELECT kind, count(*) FROM set_aside WHERE intake = ? GROUP BY kind",
                                      (intake,)).fetchall())
            conn.execute("DELETE FROM stage")
        return Intake(accepted, kinds.get("duplicate", 0), kinds.get("contradictory", 0))

    @_locked
    def refresh(self) -> list[tuple[str, str, str]]:
        conn = self._conn
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            refresh = self._state("refresh") + 1
            seen_o, seen_d = self._state("outcome_mark"), self._state("decision_mark")
            last_o = conn.execute("SELECT coalesce(max(id), 0) FROM outcomes").fetchone()[0]
            last_d = conn.execute("SELECT coalesce(max(id), 0) FROM audit.decisions").fetchone()[0]
            if (last_o, last_d) == (seen_o, seen_d):
                return []
            marks = {"refresh": refresh, "so": seen_o, "lo": last_o, "sd": seen_d, "ld": last_d}
            # New outcomes against every decision so far, then new decisions against the older outcomes.
            conn.execute(_JOIN.format(where="o.id > :so AND o.id <= :lo AND d.id <= :ld"), marks)
            conn.execute(_JOIN.format(where="o.id <= :so AND d.id > :sd AND d.id <= :ld"), marks)
            conn.execute(_VOLUME, {"from": seen_d, "to": last_d})
            late = conn.execute(
                "SELECT count(DISTINCT j.outcome_id) FROM joined AS j JOIN figures AS f ON f.model = j.model AND"
                " f.version = j.version AND f.by = 'month' AND f.period = j.month AND json_extract(f.body, '$.outcomes') > 0"
                " WHERE j.refresh = ? AND j.outcome_id > ?",
                (refresh, seen_o)).fetchone()[0]
            changed = conn.execute("SELECT DISTINCT model, version, month FROM joined WHERE refresh = ?", (refresh,)).fetchall()
            changed += conn.execute(
                "SELECT DISTINCT model, version, substr(time, 1, 7) FROM audit.decisions WHERE id > ? AND id <= ?",
                (seen_d, last_d)).fetchall()
            changed = sorted(set(changed))
            stale = [(m, v, by, period_of(month, by)) for m, v, month in changed for by in ("month", "quarter", "year")]
            conn.executemany("UPDATE figures SET stale = 1 WHERE model = ? AND version = ? AND by = ? AND period = ?", stale)
            self._set("late", self._state("late") + late)
            for key, value in (("refresh", refresh), ("outcome_mark", last_o), ("decision_mark", last_d)):
                self._set(key, value)
        return changed

    @_locked
    def generation(self) -> int:
        return self._state("refresh")

    @_locked
    def counts(self) -> Counts:
        one = lambda sql: int(self._conn.execute(sql).fetchone()[0])  # noqa: E731
        outcomes = one("SELECT count(*) FROM outcomes")
        matched = one("SELECT count(DISTINCT outcome_id) FROM joined")
        aside = dict(self._conn.execute("SELECT kind, count(*) FROM set_aside GROUP BY kind").fetchall())
        return Counts(outcomes, matched, outcomes - matched, aside.get("duplicate", 0), aside.get("contradictory", 0),
                      self._state("late"))

    def _where(self, model: str, months: list[str] | None, version: str | None = None) -> tuple[str, list]:
        where, args = "model = ?", [model]
        if months is not None:
            where += f" AND month IN ({', '.join('?' * len(months))})"
            args += months
        if version is not None:
            where += " AND version = ?"
            args.append(version)
        return where, args

    @_locked
    def joined(self, model: str, months: list[str] | None = None, version: str | None = None) -> Joined:
        where, args = self._where(model, months, version)
        rows = self._conn.execute(
            f"SELECT version, probability, bad, decision, month, shadow, request_id FROM joined WHERE {where}", args).fetchall()
        columns = list(zip(*rows)) if rows else [()] * 7
        return Joined(
            version=np.array(columns[0], dtype=object), probability=np.array(columns[1], dtype=np.float64),
            bad=np.array(columns[2], dtype=np.int8), decision=np.array(columns[3], dtype=object),
            month=np.array(columns[4], dtype=object), shadow=np.array(columns[5], dtype=bool),
            request=np.array(columns[6], dtype=object),
        )

    @_locked
    def pairs(self, model: str, months: list[str] | None = None) -> Pairs:
        where, args = self._where(model, months)
        where = where.replace("model", "p.model").replace("month", "p.month")
        join = (f"FROM joined AS p JOIN joined AS s ON s.request_id = p.request_id AND s.model = p.model AND s.shadow = 1"
                f" WHERE p.shadow = 0 AND {where}")
        top = self._conn.execute(f"SELECT p.version, s.version {join} GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1",
                                 args).fetchone()
        if top is None:
            return Pairs("", "", np.empty(0, np.int8), np.empty(0), np.empty(0))
        cursor = self._conn.execute(f"SELECT p.bad, p.probability, s.probability {join} AND p.version = ? AND s.version = ?",
                                    [*args, *top])
        chunks = []
        while rows := cursor.fetchmany(100_000):  # numbers only, a chunk at a time: a million pairs stay small
            chunks.append(np.array(rows, dtype=np.float64))
        values = np.concatenate(chunks) if chunks else np.empty((0, 3))
        return Pairs(top[0], top[1], values[:, 0].astype(np.int8), values[:, 1], values[:, 2])

    @_locked
    def volume(self, model: str, months: list[str] | None = None) -> Volume:
        where, args = self._where(model, months)
        rows = self._conn.execute(f"SELECT version, month, shadow, decision, floor, count FROM volume WHERE {where}", args)
        return Volume([(v, m, bool(s), d, f, n) for v, m, s, d, f, n in rows])

    @_locked
    def models(self) -> list[str]:
        return [m for (m,) in self._conn.execute("SELECT DISTINCT model FROM volume ORDER BY model")]

    @_locked
    def months(self, model: str) -> list[str]:
        return [m for (m,) in self._conn.execute("SELECT DISTINCT month FROM volume WHERE model = ? ORDER BY month", (model,))]

    @_locked
    def cached(self, model: str, by: str) -> dict[tuple[str, str], dict]:
        rows = self._conn.execute("SELECT version, period, body FROM figures WHERE model = ? AND by = ? AND stale = 0", (model, by))
        return {(v, p): json.loads(body) for v, p, body in rows}

    @_locked
    def keep(self, model: str, by: str, figures: dict[tuple[str, str], dict]) -> None:
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                "INSERT INTO figures VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT DO UPDATE SET stale = 0, body = excluded.body",
                [(model, v, by, p, json.dumps(body)) for (v, p), body in figures.items()])

    @_locked
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SqliteOutcomeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
