-- +goose Up
-- Salts of the personal fields that enter ledger leaves only as commitments.
-- Redaction erases the salt (and the cleartext in records.body); the
-- commitment stays so that the leaf can still be rebuilt and proven.
CREATE TABLE ledger_fields (
    collection  TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    field       TEXT    NOT NULL,
    salt        BYTEA,
    commitment  BYTEA   NOT NULL,
    redacted_at TEXT,
    PRIMARY KEY (collection, id, version, field)
);

-- +goose Down
DROP TABLE ledger_fields;
