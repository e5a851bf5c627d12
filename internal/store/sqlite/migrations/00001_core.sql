-- +goose Up
CREATE TABLE records (
    rid            INTEGER PRIMARY KEY,
    collection     TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    current        INTEGER NOT NULL,
    visibility     TEXT    NOT NULL,
    owner          TEXT    NOT NULL DEFAULT '',
    submitted_by   TEXT    NOT NULL DEFAULT '',
    country        TEXT    NOT NULL DEFAULT '',
    platform       TEXT    NOT NULL DEFAULT '',
    types          TEXT    NOT NULL DEFAULT '',
    t              INTEGER NOT NULL DEFAULT 0,
    t_end          INTEGER NOT NULL DEFAULT 0,
    source_id      TEXT    NOT NULL DEFAULT '',
    ref            TEXT    NOT NULL DEFAULT '',
    granularity    TEXT,
    reason         TEXT,
    authority_type TEXT,
    period         TEXT,
    requests_lo    INTEGER, requests_hi  INTEGER, requests_kind  INTEGER,
    requested_lo   INTEGER, requested_hi INTEGER, requested_kind INTEGER,
    actioned_lo    INTEGER, actioned_hi  INTEGER, actioned_kind  INTEGER,
    search         TEXT    NOT NULL DEFAULT '',
    body           TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    leaf_index     INTEGER,
    UNIQUE (collection, id, version)
);
CREATE INDEX records_by_time ON records (collection, t DESC, id DESC) WHERE current = 1;
CREATE INDEX records_by_country ON records (collection, country, t DESC, id DESC) WHERE current = 1;
CREATE INDEX records_by_platform ON records (collection, platform, t DESC, id DESC) WHERE current = 1;
CREATE INDEX records_by_ref ON records (ref) WHERE current = 1 AND ref <> '';
CREATE UNIQUE INDEX records_by_source ON records (collection, submitted_by, source_id) WHERE current = 1 AND source_id <> '';

-- Full text over the folded search column; the table itself holds the text.
CREATE VIRTUAL TABLE records_fts USING fts5 (search, content = 'records', content_rowid = 'rid', tokenize = 'unicode61');
-- +goose StatementBegin
CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN
    INSERT INTO records_fts (rowid, search) VALUES (new.rid, new.search);
END;
-- +goose StatementEnd

CREATE TABLE log_entries (
    idx  INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);

CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    hash       BLOB NOT NULL UNIQUE,
    org        TEXT NOT NULL,
    role       TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
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
DROP TRIGGER records_fts_insert;
DROP TABLE records_fts;
DROP TABLE records;
