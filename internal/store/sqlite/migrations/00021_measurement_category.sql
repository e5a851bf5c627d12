-- +goose Up
-- The Citizen Lab category of a measurement's domain, set at import from
-- domain_categories, so that aggregations can group by it as OONI does.
ALTER TABLE measurements ADD COLUMN category_code TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE measurements DROP COLUMN category_code;
