-- Sessions whose snapshot may not see what a transaction wrote (core/older_snapshots.py).

-- name: older_snapshots
-- Sessions of this database whose snapshot may not see the rows transaction %(xid)s wrote:
-- taken before it committed (a REPEATABLE READ or SERIALIZABLE transaction begun then, a
-- statement calling STABLE functions begun then). Such a session holds no lock on a table it
-- has not read yet, and reads a table swapped in under a name it knows, in that snapshot:
-- empty. Conservative: an xmin up to the xid (an older transaction still open keeps later
-- snapshots' xmin low too); with %(committed)s (a time after the commit), only transactions
-- begun before it. A frozen xid's age is the largest: never older. Of another role's session
-- a role without pg_read_all_stats (the maintenance role) sees the xmin but not its type nor
-- when it began: one with a user (not a background process) counts as a client's, begun
-- before.
SELECT a.pid, coalesce(a.backend_type, '?'), coalesce(a.usename::text, '?'),
       coalesce(nullif(a.application_name, ''), '?'), coalesce(a.state, '?'),
       coalesce(date_trunc('second', a.xact_start)::text, '?'),
       coalesce(date_trunc('second', clock_timestamp() - a.xact_start)::text, '?')
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
  AND (a.backend_type = 'client backend' OR a.backend_type IS NULL AND a.usesysid IS NOT NULL)
  AND a.backend_xmin IS NOT NULL AND age(a.backend_xmin) >= age(%(xid)s::text::xid)
  AND (%(committed)s::timestamptz IS NULL OR coalesce(a.xact_start < %(committed)s, true))
ORDER BY a.xact_start NULLS FIRST, a.pid;
