-- Counting every row of a table, never only those row-level security shows the role
-- (maint_assets/core/row_counts.py).

-- name: row_security_off
-- Local to the transaction: a query that policies would filter fails instead.
SELECT current_setting('row_security'), current_user, set_config('row_security', 'off', true);

-- name: set_row_security
SELECT set_config('row_security', %(value)s, true);

-- name: count_rows
SELECT count(*) FROM {relation};
