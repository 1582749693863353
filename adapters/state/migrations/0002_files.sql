-- The file channel's ledger (states as adapters/files/ledger.py) and its claims, shared by every
-- watcher of an inbox, on any host. Times are the database's: no host's clock is trusted.
CREATE TABLE file_ledger (
    id bigserial PRIMARY KEY,
    job text NOT NULL,
    name text NOT NULL,
    size bigint NOT NULL,
    sha256 text NOT NULL,
    state text NOT NULL,
    records bigint,
    rejects bigint,
    detail text NOT NULL DEFAULT '',
    started timestamptz NOT NULL DEFAULT now(),
    updated timestamptz NOT NULL DEFAULT now(),
    archive text
);
CREATE INDEX file_ledger_checksum ON file_ledger (job, sha256, size);
CREATE INDEX file_ledger_name ON file_ledger (job, name);
CREATE INDEX file_ledger_state ON file_ledger (job, state);

-- A claim: the input renamed into the work directory as NAME@TOKEN, held by OWNER (a random id
-- per process) until lease_until; a lapsed lease is taken over with SELECT ... FOR UPDATE SKIP LOCKED.
CREATE TABLE file_claims (
    token text PRIMARY KEY,
    job text NOT NULL,
    name text NOT NULL,
    owner text NOT NULL,
    lease_until timestamptz NOT NULL,
    claimed timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX file_claims_lease ON file_claims (job, lease_until);
