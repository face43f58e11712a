-- webarchive/backup/w3act_backup: what the backup reads besides pg_dump.

-- name: copy_table
-- One table of the zip: every row as CSV with a header.
COPY {table} TO STDOUT WITH (FORMAT csv, HEADER);
