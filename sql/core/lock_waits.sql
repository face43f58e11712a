-- Locks readers would queue behind: taken with a short timeout, retried, and when never free,
-- the sessions holding them named.

-- name: short_lock_timeout
-- A waiting ACCESS EXCLUSIVE request queues every later reader of the relation behind it, so
-- it waits this briefly and the caller retries later (a long reader, such as a nightly
-- pg_dump, is never joined by a queue of blocked readers).
SELECT set_config('lock_timeout', %(timeout)s, true);

-- name: lock_holders
-- Who kept a step from its locks, for the failure's message.
SELECT DISTINCT format('%%I.%%I', n.nspname, c.relname), a.pid,
       coalesce(a.usename::text, '?'), coalesce(nullif(a.application_name, ''), '?'),
       coalesce(a.state, '?'), date_trunc('second', a.xact_start)::text,
       date_trunc('second', now() - a.xact_start)::text
FROM pg_locks l
JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_stat_activity a ON a.pid = l.pid
JOIN unnest(%(schemas)s::text[], %(names)s::text[], %(any_lock)s::boolean[]) AS t (s, r, any_lock)
  ON t.s = n.nspname AND t.r = c.relname
-- A relation the step only reads is held up by an ACCESS EXCLUSIVE lock alone.
WHERE l.granted AND l.pid <> pg_backend_pid() AND (t.any_lock OR l.mode = 'AccessExclusiveLock')
ORDER BY 1, 2;
