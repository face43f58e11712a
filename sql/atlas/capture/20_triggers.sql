-- The triggers. Statements on public.observations are captured by the parent's triggers
-- (their transition tables hold the rows of every partition, including rows an UPDATE moves
-- from one partition to the other); statements aimed at a partition directly, such as the
-- insert trigger's move of a row into within_quebec, by the partition's own: on every
-- partition, since PostgreSQL gives a partition none of its parent's statement triggers.
DO $$
DECLARE
    captured record;
BEGIN
    -- A partition attached or detached since capture was last installed (its parent has
    -- capture's triggers) moved rows unlogged: the history is lost, and every consumer
    -- rebuilds, as after a TRUNCATE.
    IF EXISTS (SELECT 1 FROM pg_trigger
               WHERE tgrelid = 'public.observations'::regclass
                 AND tgname = 'maint_capture_insert')
       AND EXISTS (SELECT 1 FROM maint_assets.uncaptured_partitions()
                   WHERE attached <> '{}' OR detached <> '{}') THEN
        UPDATE maint_assets.change_log_epoch SET epoch = epoch + 1, truncated_at = now();
    END IF;
    -- Each captured table with the function each statement calls (NULL: no trigger):
    -- observations and each of its partitions with their rows; regions and taxa_obs with the
    -- keys of the rows changed; the tables whose statements are logged as such, one row each,
    -- which is what the sensor needs to say that they changed: the zoom lookup (no key: the
    -- counted levels are compared again), and the taxonomy's hand-kept tables, the groups and
    -- their members (atlas-db's TAXA_status_group_inject.sql and
    -- TAXA_group_invasive_species.sql add CDPNQ and invasive species, SENSITIVE decides
    -- obs_map's scale) and the sources' priorities, which the group lookup and api.taxa read.
    FOR captured IN
        SELECT relid AS target, 'maint_assets.capture_observations_insert()' AS on_insert,
               'maint_assets.capture_observations_update()' AS on_update,
               'maint_assets.capture_observations_delete()' AS on_delete,
               'maint_assets.change_history_lost()' AS on_truncate
        FROM pg_partition_tree('public.observations')
        UNION ALL
        SELECT * FROM (VALUES
            ('public.regions'::regclass, 'maint_assets.capture_ids(''fid'')',
             'maint_assets.capture_ids(''fid'')', 'maint_assets.capture_ids(''fid'')',
             'maint_assets.change_history_lost()'),
            ('public.taxa_obs'::regclass, 'maint_assets.capture_ids(''id'')',
             'maint_assets.capture_ids(''id'')', 'maint_assets.capture_ids(''id'')', NULL)
        ) AS keyed
        UNION ALL
        SELECT target, 'maint_assets.capture_statement()', 'maint_assets.capture_statement()',
               'maint_assets.capture_statement()', 'maint_assets.capture_statement()'
        FROM unnest(ARRAY['atlas_api.regions_zoom_lookup', 'public.taxa_groups',
                          'public.taxa_group_members', 'api.taxa_ref_sources',
                          'api.taxa_vernacular_sources']::regclass[]) AS target
    LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER maint_capture_insert AFTER INSERT ON %s
                        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
                        EXECUTE FUNCTION %s', captured.target, captured.on_insert);
        EXECUTE format('CREATE OR REPLACE TRIGGER maint_capture_update AFTER UPDATE ON %s
                        REFERENCING OLD TABLE AS deleted NEW TABLE AS inserted FOR EACH STATEMENT
                        EXECUTE FUNCTION %s', captured.target, captured.on_update);
        EXECUTE format('CREATE OR REPLACE TRIGGER maint_capture_delete AFTER DELETE ON %s
                        REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
                        EXECUTE FUNCTION %s', captured.target, captured.on_delete);
        IF captured.on_truncate IS NOT NULL THEN
            EXECUTE format('CREATE OR REPLACE TRIGGER maint_capture_truncate AFTER TRUNCATE ON %s
                            FOR EACH STATEMENT EXECUTE FUNCTION %s',
                           captured.target, captured.on_truncate);
        END IF;
    END LOOP;
    UPDATE maint_assets.change_log_epoch
    SET partitions = (SELECT coalesce(array_agg(format('%I.%I', n.nspname, c.relname)), '{}')
                      FROM pg_partition_tree('public.observations') t
                      JOIN pg_class c ON c.oid = t.relid
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE t.level > 0);
END $$;

-- Capture fires ALWAYS, also in sessions with session_replication_role = replica (atlas-db's
-- own load scripts set it: dump/make_dump.sh, scripts/PARTITION_observations.sql), where a
-- trigger enabled the default way does not fire and the change, TRUNCATE included, was lost
-- silently. (CREATE OR REPLACE TRIGGER sets it back to the default: set again each time.)
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT t.tgrelid::regclass AS rel, t.tgname
        FROM pg_trigger t
        WHERE t.tgname IN ('maint_capture_insert', 'maint_capture_update',
                           'maint_capture_delete', 'maint_capture_truncate')
          AND NOT t.tgisinternal AND t.tgenabled <> 'A'
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', r.rel, r.tgname);
    END LOOP;
END $$;
