-- A stand-in for Metabase's application database (a few of its tables, with their foreign
-- keys, and the usage-analytics views Metabase's migrations create on them), for the demo
-- and the tests: what the backup and restore must carry over.

-- name: create
CREATE TABLE IF NOT EXISTS core_user (
    id serial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    first_name text,
    last_name text,
    is_superuser boolean NOT NULL DEFAULT false,
    date_joined timestamptz NOT NULL DEFAULT now()
);
-- The core_user columns Metabase's v_users reads (its later migrations added them); added
-- to a stand-in created before them.
ALTER TABLE core_user
    ADD COLUMN IF NOT EXISTS last_login timestamptz,
    ADD COLUMN IF NOT EXISTS is_active boolean NOT NULL DEFAULT true,
    ADD COLUMN IF NOT EXISTS updated_at timestamp,
    ADD COLUMN IF NOT EXISTS sso_source varchar(254),
    ADD COLUMN IF NOT EXISTS locale varchar(5),
    ADD COLUMN IF NOT EXISTS type varchar(64) NOT NULL DEFAULT 'personal';
CREATE TABLE IF NOT EXISTS metabase_database (
    id serial PRIMARY KEY,
    name text NOT NULL,
    engine text NOT NULL,
    details text NOT NULL
);
CREATE TABLE IF NOT EXISTS report_card (
    id serial PRIMARY KEY,
    name text NOT NULL,
    database_id integer NOT NULL REFERENCES metabase_database (id),
    creator_id integer NOT NULL REFERENCES core_user (id),
    dataset_query text NOT NULL,
    display text NOT NULL DEFAULT 'table'
);
CREATE TABLE IF NOT EXISTS report_dashboard (
    id serial PRIMARY KEY,
    name text NOT NULL,
    creator_id integer NOT NULL REFERENCES core_user (id)
);
CREATE TABLE IF NOT EXISTS report_dashboardcard (
    id serial PRIMARY KEY,
    dashboard_id integer NOT NULL REFERENCES report_dashboard (id) ON DELETE CASCADE,
    card_id integer REFERENCES report_card (id) ON DELETE CASCADE,
    row integer NOT NULL DEFAULT 0,
    col integer NOT NULL DEFAULT 0
);
-- Metabase's query log (migration 51, the columns its later migrations added that
-- v_query_log reads): no foreign keys, as in Metabase, so the log outlives what it names.
CREATE TABLE IF NOT EXISTS query_execution (
    id serial PRIMARY KEY,
    hash bytea NOT NULL,
    started_at timestamptz NOT NULL,
    running_time integer NOT NULL,
    result_rows integer NOT NULL,
    native boolean NOT NULL,
    context varchar(32),
    error text,
    executor_id integer,
    card_id integer,
    dashboard_id integer,
    pulse_id integer,
    database_id integer,
    cache_hit boolean,
    action_id integer
);
CREATE INDEX IF NOT EXISTS idx_query_execution_started_at ON query_execution (started_at);
-- Metabase's audit log (Metabase 48), with the expression index its v_audit_log's
-- entity_qualified_id must match.
CREATE TABLE IF NOT EXISTS audit_log (
    id serial PRIMARY KEY,
    topic varchar(32) NOT NULL,
    "timestamp" timestamptz NOT NULL,
    end_timestamp timestamptz,
    user_id integer,
    model varchar(32),
    model_id integer,
    details text NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_audit_log_entity_qualified_id ON audit_log ((
    CASE WHEN model = 'Dataset' THEN 'card_' || model_id
         WHEN model_id IS NULL THEN NULL
         ELSE lower(model) || '_' || model_id END));
-- Three of the usage-analytics views Metabase's migrations create (Metabase 50 on), with
-- their PostgreSQL definitions as Metabase ships them in
-- resources/migrations/instance_analytics_views/{users/v3,query_log/v2,audit_log/v2}/
-- postgres-*.sql (Metabase is AGPL: the columns and expressions only, written out here).
-- v_users adds the external user 0 that the other views' user_id falls back to.
CREATE OR REPLACE VIEW v_users AS
SELECT id AS user_id, 'user_' || id AS entity_qualified_id, type,
       CASE WHEN type = 'api-key' THEN NULL ELSE email END AS email,
       first_name, last_name,
       coalesce(first_name || ' ' || last_name, first_name, last_name) AS full_name,
       date_joined, last_login, updated_at, is_superuser AS is_admin, is_active, sso_source,
       locale
FROM core_user
UNION
SELECT 0, 'user_0', 'anonymous', NULL, 'External', 'User', 'External User', NULL, NULL,
       NULL, false, NULL, NULL, NULL;
CREATE OR REPLACE VIEW v_query_log AS
SELECT id AS entity_id, started_at,
       cast(running_time AS double precision) / 1000 AS running_time_seconds,
       result_rows, native AS is_native, context AS query_source, error,
       coalesce(executor_id, 0) AS user_id,
       card_id, 'card_' || card_id AS card_qualified_id,
       dashboard_id, 'dashboard_' || dashboard_id AS dashboard_qualified_id,
       pulse_id,
       database_id, 'database_' || database_id AS database_qualified_id,
       cache_hit,
       action_id, 'action_' || action_id AS action_qualified_id
FROM query_execution;
CREATE OR REPLACE VIEW v_audit_log AS
SELECT id,
       CASE topic WHEN 'pulse-create' THEN 'subscription-create'
                  WHEN 'pulse-delete' THEN 'subscription-delete'
                  ELSE topic END AS topic,
       "timestamp", NULL AS end_timestamp, coalesce(user_id, 0) AS user_id,
       lower(model) AS entity_type, model_id AS entity_id,
       CASE WHEN model = 'Dataset' THEN 'card_' || model_id
            WHEN model_id IS NULL THEN NULL
            ELSE lower(model) || '_' || model_id END AS entity_qualified_id,
       details
FROM audit_log
WHERE topic NOT IN ('card-read', 'card-query', 'dashboard-read', 'dashboard-query',
                    'table-read');

-- name: is_empty
SELECT NOT EXISTS (SELECT 1 FROM core_user);

-- name: fill
INSERT INTO core_user (email, first_name, last_name, is_superuser)
SELECT 'user' || i || '@example.org', 'User', 'N' || i, i = 1 FROM generate_series(1, 12) i;
INSERT INTO metabase_database (name, engine, details)
VALUES ('atlas', 'postgres', '{"host": "atlas-db", "dbname": "atlas"}'),
       ('catalog', 'postgres', '{"host": "catalog-db", "dbname": "defaultdb"}');
INSERT INTO report_card (name, database_id, creator_id, dataset_query)
SELECT 'Question ' || i, 1 + i % 2, 1 + i % 12, '{"type": "native", "native": {"query": "SELECT ' || i || '"}}'
FROM generate_series(1, 40) i;
INSERT INTO report_dashboard (name, creator_id)
SELECT 'Dashboard ' || i, 1 + i % 12 FROM generate_series(1, 6) i;
INSERT INTO report_dashboardcard (dashboard_id, card_id, row, col)
SELECT 1 + i % 6, 1 + i % 40, i / 4, i % 4 FROM generate_series(0, 59) i;
INSERT INTO query_execution (hash, started_at, running_time, result_rows, native, context,
                             executor_id, card_id, dashboard_id, database_id, cache_hit)
SELECT sha256(convert_to('query ' || i % 40, 'UTF8')), now() - i * interval '1 hour',
       20 + i % 900, i % 500, i % 3 = 0, CASE WHEN i % 2 = 0 THEN 'dashboard' ELSE 'question' END,
       CASE WHEN i % 7 <> 0 THEN 1 + i % 12 END, 1 + i % 40,
       CASE WHEN i % 2 = 0 THEN 1 + i % 6 END, 1 + i % 2, i % 5 = 0
FROM generate_series(1, 200) i;
INSERT INTO audit_log (topic, "timestamp", user_id, model, model_id, details)
SELECT (ARRAY['card-create', 'card-update', 'dashboard-create', 'pulse-create',
              'card-read'])[1 + i % 5],
       now() - i * interval '1 day', CASE WHEN i % 9 <> 0 THEN 1 + i % 12 END,
       (ARRAY['Card', 'Dataset', 'Dashboard', 'Pulse', 'Card'])[1 + i % 5], 1 + i % 6, '{}'
FROM generate_series(1, 30) i;
