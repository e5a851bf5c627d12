-- The SQLite schema after all migrations; written by `go test ./internal/store/sqlite -run SchemaDump -update`.

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

CREATE TABLE domain_categories (
    domain   TEXT NOT NULL,
    category TEXT NOT NULL,
    list     TEXT NOT NULL,
    PRIMARY KEY (domain, category, list)
);

CREATE TABLE ledger_fields (
    collection  TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    field       TEXT    NOT NULL,
    salt        BLOB,
    commitment  BLOB    NOT NULL,
    redacted_at TEXT,
    PRIMARY KEY (collection, id, version, field)
);

CREATE TABLE log_entries (
    idx  INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);

CREATE TABLE log_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    tree_size       INTEGER NOT NULL,
    checkpoint      BLOB,
    checkpoint_size INTEGER NOT NULL
);

CREATE TABLE log_tiles (
    level  INTEGER NOT NULL,
    idx    INTEGER NOT NULL,
    hashes BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE measurements (
    uid                    TEXT    NOT NULL PRIMARY KEY, -- measurement_uid, or report_id + input
    measurement_uid        TEXT    NOT NULL DEFAULT '',
    report_id              TEXT    NOT NULL DEFAULT '',
    test_name              TEXT    NOT NULL,
    input                  TEXT    NOT NULL DEFAULT '',
    domain                 TEXT    NOT NULL DEFAULT '',
    probe_cc               TEXT    NOT NULL,
    probe_asn              INTEGER NOT NULL,
    measurement_start_time INTEGER NOT NULL, -- unix microseconds, UTC
    platform               TEXT    NOT NULL DEFAULT '',
    service                TEXT    NOT NULL DEFAULT '',
    outcome                TEXT    NOT NULL,
    blocking_type          TEXT    NOT NULL DEFAULT '',
    tls_handshake_ms       REAL,
    download_kbps          REAL,
    scores                 TEXT    NOT NULL DEFAULT '{}',
    raw_file               TEXT    NOT NULL DEFAULT '',
    raw_line               INTEGER NOT NULL DEFAULT 0,
    raw_sha256             TEXT    NOT NULL DEFAULT ''
, category_code TEXT NOT NULL DEFAULT '');

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

CREATE VIRTUAL TABLE records_fts USING fts5 (search, content = 'records', content_rowid = 'rid', tokenize = 'unicode61');

CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    hash       BLOB NOT NULL UNIQUE,
    org        TEXT NOT NULL,
    role       TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX audit_by_record ON audit (record_id);

CREATE INDEX measurements_by_country ON measurements (probe_cc, measurement_start_time);

CREATE INDEX measurements_by_platform ON measurements (platform, measurement_start_time);

CREATE INDEX measurements_by_time ON measurements (measurement_start_time, uid);

CREATE INDEX records_by_country ON records (collection, country, t DESC, id DESC) WHERE current = 1;

CREATE INDEX records_by_platform ON records (collection, platform, t DESC, id DESC) WHERE current = 1;

CREATE INDEX records_by_ref ON records (ref) WHERE current = 1 AND ref <> '';

CREATE UNIQUE INDEX records_by_source ON records (collection, submitted_by, source_id) WHERE current = 1 AND source_id <> '';

CREATE INDEX records_by_time ON records (collection, t DESC, id DESC) WHERE current = 1;

