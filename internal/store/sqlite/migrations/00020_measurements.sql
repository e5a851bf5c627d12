-- +goose Up
-- OONI measurements, normalised and scored. Many more rows than records,
-- so they have their own narrow table; the raw JSON stays in its file.
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
);
CREATE INDEX measurements_by_time ON measurements (measurement_start_time, uid);
CREATE INDEX measurements_by_country ON measurements (probe_cc, measurement_start_time);
CREATE INDEX measurements_by_platform ON measurements (platform, measurement_start_time);

-- Citizen Lab categories of measured domains (derived tags only).
CREATE TABLE domain_categories (
    domain   TEXT NOT NULL,
    category TEXT NOT NULL,
    list     TEXT NOT NULL,
    PRIMARY KEY (domain, category, list)
);

-- +goose Down
DROP TABLE domain_categories;
DROP TABLE measurements;
