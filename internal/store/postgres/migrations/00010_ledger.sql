-- +goose Up
-- Hash tiles of the ledger (c2sp.org/tlog-tiles); a partial tile grows in place.
CREATE TABLE log_tiles (
    level  BIGINT NOT NULL,
    idx    BIGINT NOT NULL,
    hashes BYTEA  NOT NULL,
    PRIMARY KEY (level, idx)
);

-- How far the tiles reach, and the latest signed checkpoint.
CREATE TABLE log_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    tree_size       BIGINT NOT NULL,
    checkpoint      BYTEA,
    checkpoint_size BIGINT NOT NULL
);
INSERT INTO log_state (id, tree_size, checkpoint, checkpoint_size) VALUES (1, 0, NULL, 0);

-- +goose Down
DROP TABLE log_state;
DROP TABLE log_tiles;
