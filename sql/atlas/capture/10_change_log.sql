-- Change capture for the atlas sources: statement-level triggers with transition tables
-- append one compact row per changed observation, region or taxa_obs to a change log.
-- Idempotent: `maint-assets capture atlas` installs it on an existing production database.
--
-- Consumers (the incrementally maintained assets) never rely on positions being committed in
-- order: each remembers a transaction-id frontier (every change by a transaction older than
-- it is consumed) plus the positions it consumed beyond that frontier.
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/core/roles.sql) does not have.
DO $$ BEGIN
    IF to_regnamespace('maint_assets') IS NULL THEN CREATE SCHEMA maint_assets; END IF;
END $$;

CREATE TABLE IF NOT EXISTS maint_assets.change_log (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    logged_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    source text NOT NULL,           -- the table's name (change_log.SOURCES)
    op "char" NOT NULL,             -- I(nsert), U(pdate), D(elete)
    row_id bigint NOT NULL,
    -- What the count tables depend on, before and after the change (observations only).
    old_geom geometry(Point, 4326),
    old_within_quebec boolean,
    old_id_taxa_obs integer,
    old_year_obs integer,
    old_id_datasets integer,
    new_geom geometry(Point, 4326),
    new_within_quebec boolean,
    new_id_taxa_obs integer,
    new_year_obs integer,
    new_id_datasets integer
);
CREATE INDEX IF NOT EXISTS change_log_source_xid_idx ON maint_assets.change_log (source, xid);

-- Bumped when history is lost (the log, or a source table, truncated): consumers then
-- rebuild in full instead of applying changes.
CREATE TABLE IF NOT EXISTS maint_assets.change_log_epoch (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    epoch integer NOT NULL DEFAULT 1,
    truncated_at timestamptz
);
INSERT INTO maint_assets.change_log_epoch DEFAULT VALUES ON CONFLICT DO NOTHING;
-- The partitions of public.observations capture was installed on, as schema.name (20_triggers.sql).
ALTER TABLE maint_assets.change_log_epoch ADD COLUMN IF NOT EXISTS partitions text[];

-- The partitions of public.observations (at every level) capture does not cover: `attached`,
-- those without its triggers (ATTACH fires no trigger, and a table attached after capture was
-- installed has none of its own, so what production's routing trigger inserts into it
-- directly is never logged), and `detached`, those it was installed on that are no longer
-- partitions (DETACH fires no trigger either: their rows left unlogged). By name, which a
-- dump and restore keeps.
CREATE OR REPLACE FUNCTION maint_assets.uncaptured_partitions(OUT attached text[],
                                                             OUT detached text[])
LANGUAGE sql STABLE AS $$
    WITH partition AS (
        SELECT t.relid, format('%I.%I', n.nspname, c.relname) AS name
        FROM pg_partition_tree('public.observations') t
        JOIN pg_class c ON c.oid = t.relid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE t.level > 0
    )
    SELECT coalesce((SELECT array_agg(p.name ORDER BY p.name) FROM partition p
                     WHERE (SELECT count(*) FROM pg_trigger g
                            WHERE g.tgrelid = p.relid AND NOT g.tgisinternal
                              AND g.tgname IN ('maint_capture_insert', 'maint_capture_update',
                                               'maint_capture_delete', 'maint_capture_truncate'))
                           < 4), '{}'),
           coalesce((SELECT array_agg(r.name ORDER BY r.name)
                     FROM maint_assets.change_log_epoch e, unnest(e.partitions) AS r(name)
                     WHERE r.name NOT IN (SELECT name FROM partition)), '{}')
$$;

CREATE TABLE IF NOT EXISTS maint_assets.change_consumers (
    consumer text NOT NULL,
    source text NOT NULL,
    frontier xid8 NOT NULL,
    carried bigint[] NOT NULL DEFAULT '{}',
    epoch integer NOT NULL,
    consumed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, source)
);
-- Consumers earlier versions had and this one does not (the two count tables are now kept
-- by one consumer, atlas/counts): left in place, their old positions would stop the log from
-- being trimmed.
DELETE FROM maint_assets.change_consumers
WHERE consumer IN ('atlas/atlas_api/obs_region_counts',
                   'atlas/atlas_api/obs_regions_taxa_datasets_counts');

CREATE OR REPLACE FUNCTION maint_assets.change_history_lost() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE maint_assets.change_log_epoch SET epoch = epoch + 1, truncated_at = now();
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER change_log_truncated AFTER TRUNCATE ON maint_assets.change_log
    FOR EACH STATEMENT EXECUTE FUNCTION maint_assets.change_history_lost();
-- Also in session_replication_role = replica (see the end of 20_triggers.sql).
ALTER TABLE maint_assets.change_log ENABLE ALWAYS TRIGGER change_log_truncated;

-- observations: one function per event, because a trigger with transition tables may only
-- handle one event. Updates pair old and new rows by id, and by (id, within_quebec) where
-- the id is on more than one row: production's key is (id, within_quebec), so both
-- partitions can hold an id, and paired by id alone two such rows made four changes. (A row
-- of such an id that moves partition is then logged as a delete and an insert: the same
-- deltas.) Updates that leave every counted column as it was are not logged.
CREATE OR REPLACE FUNCTION maint_assets.capture_observations_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO maint_assets.change_log (source, op, row_id, new_geom, new_within_quebec,
                                         new_id_taxa_obs, new_year_obs, new_id_datasets)
    SELECT 'observations', 'I', id, geom, within_quebec, id_taxa_obs, year_obs, id_datasets
    FROM inserted;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION maint_assets.capture_observations_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO maint_assets.change_log (source, op, row_id, old_geom, old_within_quebec,
                                         old_id_taxa_obs, old_year_obs, old_id_datasets)
    SELECT 'observations', 'D', id, geom, within_quebec, id_taxa_obs, year_obs, id_datasets
    FROM deleted;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION maint_assets.capture_observations_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO maint_assets.change_log (source, op, row_id,
        old_geom, old_within_quebec, old_id_taxa_obs, old_year_obs, old_id_datasets,
        new_geom, new_within_quebec, new_id_taxa_obs, new_year_obs, new_id_datasets)
    WITH shared AS (
        SELECT id FROM deleted GROUP BY id HAVING count(*) > 1
        UNION
        SELECT id FROM inserted GROUP BY id HAVING count(*) > 1
    )
    SELECT 'observations',
           CASE WHEN o.id IS NULL THEN 'I' WHEN n.id IS NULL THEN 'D' ELSE 'U' END,
           coalesce(n.id, o.id),
           o.geom, o.within_quebec, o.id_taxa_obs, o.year_obs, o.id_datasets,
           n.geom, n.within_quebec, n.id_taxa_obs, n.year_obs, n.id_datasets
    FROM (SELECT d.*, CASE WHEN s.id IS NULL THEN -1 ELSE d.within_quebec::integer END AS side
          FROM deleted d LEFT JOIN shared s ON s.id = d.id) o
    FULL JOIN
         (SELECT i.*, CASE WHEN s.id IS NULL THEN -1 ELSE i.within_quebec::integer END AS side
          FROM inserted i LEFT JOIN shared s ON s.id = i.id) n
      ON n.id = o.id AND n.side = o.side
    WHERE o.id IS NULL OR n.id IS NULL
       OR (o.geom::bytea, o.within_quebec, o.id_taxa_obs, o.year_obs, o.id_datasets)
          IS DISTINCT FROM (n.geom::bytea, n.within_quebec, n.id_taxa_obs, n.year_obs, n.id_datasets);
    RETURN NULL;
END $$;

-- The zoom lookup has no key: one row per statement that changed it says that the counted
-- levels must be compared again (the count tables keep the levels they last counted).
CREATE OR REPLACE FUNCTION maint_assets.capture_statement() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO maint_assets.change_log (source, op, row_id)
        SELECT TG_TABLE_NAME, 'I', 0 WHERE EXISTS (SELECT 1 FROM inserted);
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO maint_assets.change_log (source, op, row_id)
        SELECT TG_TABLE_NAME, 'D', 0 WHERE EXISTS (SELECT 1 FROM deleted);
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO maint_assets.change_log (source, op, row_id)
        SELECT TG_TABLE_NAME, 'U', 0 WHERE EXISTS (SELECT 1 FROM inserted);
    ELSE
        INSERT INTO maint_assets.change_log (source, op, row_id) VALUES (TG_TABLE_NAME, 'D', 0);
    END IF;
    RETURN NULL;
END $$;

-- regions and taxa_obs: which rows changed is enough (a changed region is recounted whole;
-- a changed name is resolved again).
CREATE OR REPLACE FUNCTION maint_assets.capture_ids() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    id_column text := TG_ARGV[0];
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO maint_assets.change_log (source, op, row_id)
                        SELECT %L, ''I'', %I FROM inserted', TG_TABLE_NAME, id_column);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('INSERT INTO maint_assets.change_log (source, op, row_id)
                        SELECT %L, ''D'', %I FROM deleted', TG_TABLE_NAME, id_column);
    ELSE
        EXECUTE format('INSERT INTO maint_assets.change_log (source, op, row_id)
                        SELECT %L, ''U'', %I FROM inserted
                        UNION SELECT %L, ''U'', %I FROM deleted',
                       TG_TABLE_NAME, id_column, TG_TABLE_NAME, id_column);
    END IF;
    RETURN NULL;
END $$;
