-- A stand-in for Metabase's application database (a few of its tables, with their foreign
-- keys), for the demo and the tests: what the backup and restore must carry over.

-- name: create
CREATE TABLE IF NOT EXISTS core_user (
    id serial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    first_name text,
    last_name text,
    is_superuser boolean NOT NULL DEFAULT false,
    date_joined timestamptz NOT NULL DEFAULT now()
);
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
