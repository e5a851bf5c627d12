-- +goose Up
CREATE TABLE records (
    rid            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection     TEXT     NOT NULL,
    id             TEXT     NOT NULL,
    version        INTEGER  NOT NULL,
    current        SMALLINT NOT NULL,
    visibility     TEXT     NOT NULL,
    owner          TEXT     NOT NULL DEFAULT '',
    submitted_by   TEXT     NOT NULL DEFAULT '',
    country        TEXT     NOT NULL DEFAULT '',
    platform       TEXT     NOT NULL DEFAULT '',
    types          TEXT     NOT NULL DEFAULT '',
    t              BIGINT   NOT NULL DEFAULT 0,
    t_end          BIGINT   NOT NULL DEFAULT 0,
    source_id      TEXT     NOT NULL DEFAULT '',
    ref            TEXT     NOT NULL DEFAULT '',
    granularity    TEXT,
    reason         TEXT,
    authority_type TEXT,
    period         TEXT,
    requests_lo    BIGINT, requests_hi  BIGINT, requests_kind  SMALLINT,
    requested_lo   BIGINT, requested_hi BIGINT, requested_kind SMALLINT,
    actioned_lo    BIGINT, actioned_hi  BIGINT, actioned_kind  SMALLINT,
    search         TEXT     NOT NULL DEFAULT '',
    body           TEXT     NOT NULL,
    created_at     TEXT     NOT NULL,
    updated_at     TEXT     NOT NULL,
    leaf_index     BIGINT,
    UNIQUE (collection, id, version)
);
CREATE INDEX records_by_time ON records (collection, t DESC, id DESC) WHERE current = 1;
CREATE INDEX records_by_country ON records (collection, country, t DESC, id DESC) WHERE current = 1;
CREATE INDEX records_by_platform ON records (collection, platform, t DESC, id DESC) WHERE current = 1;
CREATE INDEX records_by_ref ON records (ref) WHERE current = 1 AND ref <> '';
CREATE UNIQUE INDEX records_by_source ON records (collection, submitted_by, source_id) WHERE current = 1 AND source_id <> '';
CREATE INDEX records_search ON records USING GIN (to_tsvector('simple', search)) WHERE current = 1;

CREATE TABLE log_entries (
    idx  BIGINT PRIMARY KEY,
    data BYTEA NOT NULL
);

CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    hash       BYTEA NOT NULL UNIQUE,
    org        TEXT NOT NULL,
    role       TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    revoked    SMALLINT NOT NULL DEFAULT 0
);

CREATE TABLE audit (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_org   TEXT NOT NULL DEFAULT '',
    actor_token TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    collection  TEXT NOT NULL DEFAULT '',
    record_id   TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 0,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_record ON audit (record_id);

-- +goose Down
DROP TABLE audit;
DROP TABLE tokens;
DROP TABLE log_entries;
DROP TABLE records;
