-- Locks readers would queue behind: taken with a short timeout, retried, and when never free,
-- the sessions holding them named.

-- name: short_lock_timeout
-- A waiting ACCESS EXCLUSIVE request queues every later reader of the relation behind it, so
-- it waits this briefly and the caller retries later (a long reader, such as a nightly
-- pg_dump, is never joined by a queue of blocked readers). Also sets the previous timeout
-- back once the locks are taken.
SELECT set_config('lock_timeout', %(timeout)s, true);

-- name: lock_timeout
SELECT current_setting('lock_timeout');

-- name: lock_holders
-- Who kept a step from its locks, for the failure's message; asked right after each refused
-- attempt, while they are still there. Besides the relations named, every relation of the
-- schemas the step moves or alters whole (their sequences, indexes, the incoming tables) and
-- their types and functions (moved with ALTER ... SET SCHEMA), whatever the lock: an
-- autovacuum worker's SHARE UPDATE EXCLUSIVE lock on an incoming table refuses the switch
-- as surely as a reader of production. A session waiting for this transaction is flagged: it
-- and the step wait for each other, which the server's deadlock check, run after
-- deadlock_timeout, never sees while each attempt waits less than that. The query is shown
-- for background processes only (autovacuum says what it does and whether it prevents
-- wraparound); a client's may hold data.
SELECT DISTINCT o.object, a.pid, coalesce(a.backend_type, '?'),
       coalesce(a.usename::text, '?'), coalesce(nullif(a.application_name, ''), '?'),
       coalesce(a.state, '?'), date_trunc('second', a.xact_start)::text,
       date_trunc('second', clock_timestamp() - a.xact_start)::text, l.mode,
       pg_backend_pid() = ANY (pg_blocking_pids(a.pid)),
       CASE WHEN a.backend_type <> 'client backend' THEN a.query END
FROM pg_locks l
JOIN pg_stat_activity a ON a.pid = l.pid
JOIN LATERAL (
    SELECT format('%%I.%%I', n.nspname, c.relname) AS object, n.nspname AS schema,
           c.relname AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE l.locktype = 'relation' AND c.oid = l.relation
      -- an index its holder locked with its table (any reader, vacuum) says nothing more
      AND NOT EXISTS (
          SELECT FROM pg_index x JOIN pg_locks t ON t.relation = x.indrelid
          WHERE x.indexrelid = c.oid AND t.pid = l.pid AND t.granted)
    UNION ALL
    SELECT pg_describe_object(l.classid, l.objid, l.objsubid), n.nspname, NULL
    FROM pg_namespace n
    WHERE l.locktype = 'object' AND l.database = (
            SELECT oid FROM pg_database WHERE datname = current_database())
      AND n.oid = CASE l.classid
                  WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = l.objid)
                  WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = l.objid)
                  END
) o ON true
LEFT JOIN unnest(%(schemas)s::text[], %(names)s::text[], %(any_lock)s::boolean[]) AS t (s, r, any_lock)
  ON t.s = o.schema AND t.r = o.name
-- A relation the step only reads is held up by an ACCESS EXCLUSIVE lock alone.
WHERE l.granted AND l.pid <> pg_backend_pid()
  AND (t.any_lock OR l.mode = 'AccessExclusiveLock' AND t.s IS NOT NULL
       OR o.schema = ANY (%(whole)s::text[]))
ORDER BY 1, 2;
