-- Outcomes (defaults, repayments) joined to the audit's decisions (postgres_outcomes.py): the same
-- tables as the SQLite outcome file (adapters/outcomes/sqlite.py), beside the decisions table.
CREATE TABLE outcomes (
    id bigserial PRIMARY KEY,
    reference text NOT NULL UNIQUE,  -- as the audit keeps it: the keyed hash when it masks references
    outcome text NOT NULL,
    bad smallint NOT NULL,
    outcome_date date NOT NULL,
    amount double precision,
    received timestamptz NOT NULL DEFAULT now(),
    source text NOT NULL,
    intake bigint NOT NULL,
    intake_row integer NOT NULL
);

-- Second outcomes of a reference: duplicates (agree on good or bad) and contradictions.
CREATE TABLE outcome_set_aside (
    id bigserial PRIMARY KEY,
    kind text NOT NULL,
    reference text NOT NULL,
    outcome text NOT NULL,
    outcome_date date NOT NULL,
    amount double precision,
    received timestamptz NOT NULL DEFAULT now(),
    source text NOT NULL,
    intake bigint NOT NULL
);
CREATE INDEX outcome_set_aside_intake ON outcome_set_aside (intake);

-- One row per decision with an outcome: only what the figures need (no features, no reference).
CREATE TABLE outcome_joined (
    decision_id bigint PRIMARY KEY,
    outcome_id bigint NOT NULL,
    model text NOT NULL,
    version text NOT NULL,
    shadow boolean NOT NULL,
    request_id text NOT NULL,
    month text NOT NULL,
    probability double precision NOT NULL,
    decision text NOT NULL,
    bad smallint NOT NULL,
    refresh bigint NOT NULL
);
CREATE INDEX outcome_joined_model_month ON outcome_joined (model, month);
CREATE INDEX outcome_joined_request ON outcome_joined (request_id);

-- Decisions per version, month and band, with or without an outcome (coverage, approval rate).
CREATE TABLE outcome_volume (
    model text NOT NULL,
    version text NOT NULL,
    shadow boolean NOT NULL,
    month text NOT NULL,
    decision text NOT NULL,
    floor double precision NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (model, version, shadow, month, decision)
);

-- Figures kept until a new outcome or decision of their period makes them stale. The body is JSON
-- text as Python wrote it (it may hold NaN, which jsonb refuses); its outcome count is a column.
CREATE TABLE outcome_figures (
    model text NOT NULL,
    version text NOT NULL,
    by text NOT NULL,
    period text NOT NULL,
    stale boolean NOT NULL,
    outcomes bigint NOT NULL,
    body text NOT NULL,
    PRIMARY KEY (model, version, by, period)
);

-- Counters and watermarks: intake, refresh (the generation), outcome_mark, decision_mark, late.
CREATE TABLE outcome_state (key text PRIMARY KEY, value bigint NOT NULL);
