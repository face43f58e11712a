-- What the incremental count tables read besides the change log: the observations of one
-- taxon and dataset in year order, to find a row's first and last year again after a
-- change removed one (recompute_extremes in obs_regions_taxa_datasets_counts.sql). Built
-- inside the capture transaction: writes to observations wait for it (0.7 s per million
-- rows on the reference machine), reads do not.
CREATE INDEX IF NOT EXISTS observations_taxa_datasets_year_idx
    ON public.observations (id_taxa_obs, id_datasets, year_obs);
