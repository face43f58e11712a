-- A transaction's search_path for a while (core/search_path.py).

-- name: set
-- Set until the transaction or savepoint ends (set_config's third argument), the previous one
-- returned, to set back.
SELECT current_setting('search_path'), set_config('search_path', %(path)s, true);

-- name: restore
SELECT set_config('search_path', %(path)s, true);
