-- public.observations, partitioned by within_quebec as in production. Rows are inserted into
-- the parent with within_quebec unset (false); the trigger on the outside_quebec partition
-- moves those that fall inside the province polygon (regions admin scale 1).
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
    id_taxa integer,
    id_variables integer NOT NULL REFERENCES public.variables (id),
    obs_value numeric NOT NULL,
    issue varchar,
    created_by varchar DEFAULT current_user,
    modified_at timestamptz NOT NULL DEFAULT now(),
    modified_by varchar,
    id_taxa_obs integer NOT NULL REFERENCES public.taxa_obs (id),
    within_quebec boolean NOT NULL DEFAULT false,
    dwc_event_date text NOT NULL DEFAULT '',
    coordinate_uncertainty text,
    coordinate_uncertainty_id_variables integer REFERENCES public.variables (id),
    record_by text,
    PRIMARY KEY (id, within_quebec)
) PARTITION BY LIST (within_quebec);

CREATE TABLE IF NOT EXISTS observations_partitions.within_quebec
    PARTITION OF public.observations FOR VALUES IN (true);
CREATE TABLE IF NOT EXISTS observations_partitions.outside_quebec
    PARTITION OF public.observations FOR VALUES IN (false);
CREATE UNIQUE INDEX IF NOT EXISTS within_quebec_id_key ON observations_partitions.within_quebec (id);
CREATE UNIQUE INDEX IF NOT EXISTS outside_quebec_id_key ON observations_partitions.outside_quebec (id);

CREATE INDEX IF NOT EXISTS observations_geom_idx ON public.observations USING gist (geom);
CREATE INDEX IF NOT EXISTS observations_id_idx ON public.observations (id);
CREATE INDEX IF NOT EXISTS observations_id_datasets_idx ON public.observations (id_datasets);
CREATE INDEX IF NOT EXISTS observations_id_taxa_obs_idx ON public.observations (id_taxa_obs);
CREATE INDEX IF NOT EXISTS observations_year_obs_idx ON public.observations (year_obs);
CREATE INDEX IF NOT EXISTS observations_modified_at_idx ON public.observations (modified_at);
CREATE INDEX IF NOT EXISTS observations_org_id_obs_idx ON public.observations (org_id_obs);
CREATE INDEX IF NOT EXISTS observations_dwc_event_date_idx ON public.observations (dwc_event_date);
CREATE INDEX IF NOT EXISTS observations_id_datasets_id_taxa_idx ON public.observations (id_datasets, id_taxa);
CREATE INDEX IF NOT EXISTS observations_geom_date_idx
    ON public.observations (geom, year_obs, month_obs, day_obs, time_obs);
CREATE INDEX IF NOT EXISTS observations_taxa_date_geom_idx
    ON public.observations (id_taxa_obs, dwc_event_date, geom);
CREATE INDEX IF NOT EXISTS observations_unique_rows
    ON public.observations (geom, dwc_event_date, id_taxa_obs, obs_value, id_variables, within_quebec);

CREATE OR REPLACE FUNCTION public.format_dwc_datetime(y integer, m integer, d integer, t time)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws('T',
        concat_ws('-', y::text, lpad(m::text, 2, '0'), lpad(d::text, 2, '0')),
        t::text)
$$;

CREATE OR REPLACE FUNCTION public.set_dwc_event_date() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.dwc_event_date := public.format_dwc_datetime(NEW.year_obs, NEW.month_obs, NEW.day_obs, NEW.time_obs);
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER set_dwc_event_date_trggr BEFORE INSERT ON public.observations
    FOR EACH ROW EXECUTE FUNCTION public.set_dwc_event_date();

CREATE OR REPLACE FUNCTION public.observations_set_modified_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.modified_at := now();
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER update_modified_at BEFORE UPDATE ON public.observations
    FOR EACH ROW EXECUTE FUNCTION public.observations_set_modified_at();

CREATE OR REPLACE FUNCTION observations_partitions.update_within_quebec() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    inside boolean;
BEGIN
    inside := ST_Within(NEW.geom,
        (SELECT geom FROM public.regions WHERE type = 'admin' AND scale = 1 LIMIT 1));
    IF inside IS NULL THEN
        RAISE EXCEPTION 'cannot place observation % inside or outside Québec: '
            'public.regions has no admin region of scale 1 (the province polygon)', NEW.id;
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
    FOR EACH ROW EXECUTE FUNCTION observations_partitions.update_within_quebec();
