-- +goose Up
-- The store fills the full-text index once per statement batch instead of
-- once per row: FTS5 costs far less fed in bulk.
DROP TRIGGER records_fts_insert;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN
    INSERT INTO records_fts (rowid, search) VALUES (new.rid, new.search);
END;
-- +goose StatementEnd
