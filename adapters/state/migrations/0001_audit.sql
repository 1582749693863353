-- The audit trail: every decision, append-only, partitioned by day (retention drops partitions).
-- The writer creates each day's partition before its first row (postgres_audit.py).
CREATE SEQUENCE decisions_id_seq AS bigint;
CREATE TABLE decisions (
    id bigint NOT NULL DEFAULT nextval('decisions_id_seq'),
    time timestamptz NOT NULL,
    channel text NOT NULL,
    reference text NOT NULL,
    request_id text NOT NULL,
    model text NOT NULL,
    version text NOT NULL,
    probability double precision NOT NULL,
    decision text NOT NULL,
    reasons text NOT NULL,          -- JSON as written: the chain's MAC covers these bytes
    fallback smallint NOT NULL,
    latency_ms double precision NOT NULL,
    caller text NOT NULL DEFAULT '',
    writer text NOT NULL DEFAULT '',
    seq bigint NOT NULL DEFAULT 0,
    mac text NOT NULL DEFAULT ''
) PARTITION BY RANGE (time);
ALTER SEQUENCE decisions_id_seq OWNED BY decisions.id;
CREATE INDEX decisions_reference ON decisions (reference);
CREATE INDEX decisions_request_id ON decisions (request_id);
CREATE INDEX decisions_writer_seq ON decisions (writer, seq);
CREATE INDEX decisions_id ON decisions (id);

-- Append-only: rows are never updated or deleted (retention drops whole partitions).
CREATE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END $$;
CREATE TRIGGER decisions_no_update BEFORE UPDATE OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION decisions_append_only();

-- What the trail was written with: masked fields, the mask key's and the audit key's fingerprints.
CREATE TABLE audit_settings (key text PRIMARY KEY, value text NOT NULL);

-- Where each writer's chain continues after retention dropped its first rows: the last (seq, mac)
-- of the writer in the partitions dropped (``scoregate audit prune``; ``audit verify`` starts there).
CREATE TABLE audit_anchors (writer text PRIMARY KEY, seq bigint NOT NULL, mac text NOT NULL);
