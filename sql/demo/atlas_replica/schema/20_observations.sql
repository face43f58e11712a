-- public.observations as production has it (compared by scripts/atlas_schema_diff.py):
-- partitioned by within_quebec into two tables of observations_partitions. Rows are inserted
-- into the parent with within_quebec unset (false); the trigger on the outside_quebec
-- partition moves those that fall inside the province polygon (regions admin scale 1).
--
-- Production's indexes are kept as they are, odd ones included: several were made ON ONLY
-- the parent and never attached to an index of each partition, which leaves them INVALID
-- (among them the GiST index on geom; `maint-assets capture atlas --build-geom-index` builds
-- the partitions' own, CONCURRENTLY, and attaches them); within_quebec has two indexes of
-- its own; the rest are attached to a partitioned index.
CREATE SEQUENCE IF NOT EXISTS observations_partitions.observations_id_seq;

CREATE TABLE IF NOT EXISTS public.observations (
    id bigint NOT NULL DEFAULT nextval('observations_partitions.observations_id_seq'),
    org_parent_event varchar,
    org_event varchar,
    org_id_obs varchar,
    id_datasets integer NOT NULL REFERENCES public.datasets (id) ON DELETE CASCADE,
    geom geometry(Point, 4326) NOT NULL,
    year_obs integer NOT NULL,
    month_obs integer,
    day_obs integer,
    time_obs time,
    id_taxa integer REFERENCES public.taxa (id),
    id_variables integer NOT NULL REFERENCES public.variables (id),
    obs_value numeric NOT NULL,
    issue varchar,
    created_by varchar DEFAULT CURRENT_USER,
    modified_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    modified_by varchar DEFAULT CURRENT_USER,
    id_taxa_obs integer NOT NULL REFERENCES public.taxa_obs (id),
    within_quebec boolean NOT NULL DEFAULT false,
    dwc_event_date text NOT NULL DEFAULT '',
    coordinate_uncertainty text,
    coordinate_uncertainty_id_variables integer REFERENCES public.variables (id),
    record_by text,
    CONSTRAINT observations_pkey PRIMARY KEY (id, within_quebec)
) PARTITION BY LIST (within_quebec);

CREATE TABLE IF NOT EXISTS observations_partitions.within_quebec
    PARTITION OF public.observations FOR VALUES IN (true);
CREATE TABLE IF NOT EXISTS observations_partitions.outside_quebec
    PARTITION OF public.observations FOR VALUES IN (false);

-- A replica made before the legacy taxa table was added gets its key too.
DO $$ BEGIN
    ALTER TABLE public.observations ADD CONSTRAINT observations_id_taxa_fkey
        FOREIGN KEY (id_taxa) REFERENCES public.taxa (id);
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN
    ALTER TABLE observations_partitions.within_quebec
        ADD CONSTRAINT within_quebec_unique_id UNIQUE (id);
EXCEPTION WHEN duplicate_table OR duplicate_object THEN NULL; END $$;
DO $$ BEGIN
    ALTER TABLE observations_partitions.outside_quebec
        ADD CONSTRAINT outside_quebec_unique_id UNIQUE (id);
EXCEPTION WHEN duplicate_table OR duplicate_object THEN NULL; END $$;

-- Partitioned indexes, each with the partitions' own index attached (re-attaching is a no-op).
CREATE INDEX IF NOT EXISTS observations_geom_date_time_idx
    ON ONLY public.observations (geom, year_obs, month_obs, day_obs, time_obs);
CREATE INDEX IF NOT EXISTS observations_geom_date_time_idx
    ON observations_partitions.within_quebec (geom, year_obs, month_obs, day_obs, time_obs);
CREATE INDEX IF NOT EXISTS outside_quebec_geom_year_obs_month_obs_day_obs_time_obs_idx
    ON observations_partitions.outside_quebec (geom, year_obs, month_obs, day_obs, time_obs);
ALTER INDEX public.observations_geom_date_time_idx
    ATTACH PARTITION observations_partitions.observations_geom_date_time_idx;
ALTER INDEX public.observations_geom_date_time_idx
    ATTACH PARTITION observations_partitions.outside_quebec_geom_year_obs_month_obs_day_obs_time_obs_idx;

CREATE INDEX IF NOT EXISTS observations_id_datasets_idx ON ONLY public.observations (id_datasets);
CREATE INDEX IF NOT EXISTS observations_id_idx ON ONLY public.observations (id);
CREATE INDEX IF NOT EXISTS observations_id_taxa_obs_dwc_event_date_geom_idx
    ON ONLY public.observations (id_taxa_obs, dwc_event_date, geom);
CREATE INDEX IF NOT EXISTS observations_id_taxa_obs_idx ON ONLY public.observations (id_taxa_obs);
CREATE INDEX IF NOT EXISTS observations_modified_at_idx ON ONLY public.observations (modified_at);
CREATE INDEX IF NOT EXISTS org_id_obs_idx ON ONLY public.observations (org_id_obs);
DO $$
DECLARE
    part text;
BEGIN
    FOREACH part IN ARRAY ARRAY['within_quebec', 'outside_quebec'] LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON observations_partitions.%I (id_datasets)',
                       part || '_id_datasets_idx', part);
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON observations_partitions.%I (id)',
                       part || '_id_idx', part);
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON observations_partitions.%I '
                       '(id_taxa_obs, dwc_event_date, geom)',
                       part || '_id_taxa_obs_dwc_event_date_geom_idx', part);
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON observations_partitions.%I (id_taxa_obs)',
                       part || '_id_taxa_obs_idx', part);
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON observations_partitions.%I (modified_at)',
                       part || '_modified_at_idx', part);
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON observations_partitions.%I (org_id_obs)',
                       part || '_org_id_obs_idx', part);
        EXECUTE format('ALTER INDEX public.observations_id_datasets_idx '
                       'ATTACH PARTITION observations_partitions.%I', part || '_id_datasets_idx');
        EXECUTE format('ALTER INDEX public.observations_id_idx '
                       'ATTACH PARTITION observations_partitions.%I', part || '_id_idx');
        EXECUTE format('ALTER INDEX public.observations_id_taxa_obs_dwc_event_date_geom_idx '
                       'ATTACH PARTITION observations_partitions.%I',
                       part || '_id_taxa_obs_dwc_event_date_geom_idx');
        EXECUTE format('ALTER INDEX public.observations_id_taxa_obs_idx '
                       'ATTACH PARTITION observations_partitions.%I', part || '_id_taxa_obs_idx');
        EXECUTE format('ALTER INDEX public.observations_modified_at_idx '
                       'ATTACH PARTITION observations_partitions.%I', part || '_modified_at_idx');
        EXECUTE format('ALTER INDEX public.org_id_obs_idx '
                       'ATTACH PARTITION observations_partitions.%I', part || '_org_id_obs_idx');
    END LOOP;
END $$;

-- Made ON ONLY the parent and never attached: INVALID, used by no query.
CREATE INDEX IF NOT EXISTS dwc_event_date_idx ON ONLY public.observations (dwc_event_date);
CREATE INDEX IF NOT EXISTS observations_geom_idx ON ONLY public.observations USING gist (geom);
CREATE INDEX IF NOT EXISTS observations_id_datasets_id_taxa_idx
    ON ONLY public.observations (id_datasets, id_taxa);
CREATE INDEX IF NOT EXISTS observations_unique_rows
    ON ONLY public.observations (geom, dwc_event_date, id_taxa_obs, obs_value, id_variables,
                                 within_quebec);
CREATE INDEX IF NOT EXISTS observations_year_obs_idx ON ONLY public.observations (year_obs);

-- within_quebec's own indexes.
CREATE INDEX IF NOT EXISTS observations_id_taxa_obs_idx
    ON observations_partitions.within_quebec (id_taxa_obs);
CREATE INDEX IF NOT EXISTS within_quebec_year_obs_idx
    ON observations_partitions.within_quebec (year_obs);

-- The triggers, with functions of the same names and effect as production's. (An earlier
-- replica named format_dwc_datetime's arguments otherwise, which CREATE OR REPLACE refuses.)
DROP FUNCTION IF EXISTS public.format_dwc_datetime(integer, integer, integer, time);
CREATE OR REPLACE FUNCTION public.format_dwc_datetime(
    year integer DEFAULT NULL, month integer DEFAULT NULL, day integer DEFAULT NULL,
    time_obs time DEFAULT NULL
) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT lpad(year::text, 4, '0')
        || coalesce('-' || lpad(month::text, 2, '0'), '')
        || coalesce('-' || lpad(day::text, 2, '0'), '')
        || coalesce('T' || time_obs::text, '')
$$;

CREATE OR REPLACE FUNCTION public.set_dwc_event_date() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.dwc_event_date := public.format_dwc_datetime(NEW.year_obs, NEW.month_obs, NEW.day_obs,
                                                     NEW.time_obs);
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER set_dwc_event_date_trggr BEFORE INSERT ON public.observations
    FOR EACH ROW EXECUTE FUNCTION public.set_dwc_event_date();

CREATE OR REPLACE FUNCTION public.trigger_set_timestamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.modified_at := now();
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER update_modified_at BEFORE UPDATE ON public.observations
    FOR EACH ROW EXECUTE FUNCTION public.trigger_set_timestamp();

CREATE OR REPLACE FUNCTION public.log_action_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.modified_by := current_user;
    NEW.modified_at := now();
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER action_user_logger BEFORE INSERT OR UPDATE
    ON observations_partitions.outside_quebec
    FOR EACH ROW EXECUTE FUNCTION public.log_action_user();

-- A row without geometry is left to the NOT NULL constraint, which names the column
-- (production's function reports it as a missing province).
CREATE OR REPLACE FUNCTION public.update_within_quebec() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    provinces integer;
    inside boolean;
BEGIN
    IF NEW.geom IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT count(*), bool_or(ST_Within(NEW.geom, geom)) INTO provinces, inside
    FROM public.regions WHERE type = 'admin' AND scale = 1;
    IF provinces <> 1 THEN
        RAISE EXCEPTION 'cannot place observation % inside or outside Québec: public.regions '
            'has % admin regions of scale 1 (the province polygon), not one', NEW.id, provinces;
    END IF;
    IF inside THEN
        NEW.within_quebec := true;
        INSERT INTO observations_partitions.within_quebec VALUES (NEW.*);
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER update_within_quebec_trigger BEFORE INSERT
    ON observations_partitions.outside_quebec
    FOR EACH ROW EXECUTE FUNCTION public.update_within_quebec();
