-- +goose Up
-- OONI measurements, normalised and scored, partitioned by month of
-- measurement_start_time (unix microseconds, UTC). Partitions are created
-- on demand before rows of a new month are written. A measurement's uid
-- fixes its start time, so (uid, measurement_start_time) deduplicates.
CREATE TABLE measurements (
    uid                    TEXT             NOT NULL,
    measurement_uid        TEXT             NOT NULL DEFAULT '',
    report_id              TEXT             NOT NULL DEFAULT '',
    test_name              TEXT             NOT NULL,
    input                  TEXT             NOT NULL DEFAULT '',
    domain                 TEXT             NOT NULL DEFAULT '',
    probe_cc               TEXT             NOT NULL,
    probe_asn              BIGINT           NOT NULL,
    measurement_start_time BIGINT           NOT NULL,
    platform               TEXT             NOT NULL DEFAULT '',
    service                TEXT             NOT NULL DEFAULT '',
    outcome                TEXT             NOT NULL,
    blocking_type          TEXT             NOT NULL DEFAULT '',
    tls_handshake_ms       DOUBLE PRECISION,
    download_kbps          DOUBLE PRECISION,
    scores                 TEXT             NOT NULL DEFAULT '{}',
    raw_file               TEXT             NOT NULL DEFAULT '',
    raw_line               BIGINT           NOT NULL DEFAULT 0,
    raw_sha256             TEXT             NOT NULL DEFAULT '',
    PRIMARY KEY (uid, measurement_start_time)
) PARTITION BY RANGE (measurement_start_time);
CREATE INDEX measurements_by_time ON measurements (measurement_start_time, uid);
CREATE INDEX measurements_by_country ON measurements (probe_cc, measurement_start_time);
CREATE INDEX measurements_by_platform ON measurements (platform, measurement_start_time);

CREATE TABLE domain_categories (
    domain   TEXT NOT NULL,
    category TEXT NOT NULL,
    list     TEXT NOT NULL,
    PRIMARY KEY (domain, category, list)
);

-- +goose Down
DROP TABLE domain_categories;
DROP TABLE measurements;
