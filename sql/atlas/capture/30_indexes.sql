-- What the count tables' check reads besides the change log: the observations of a taxon,
-- dataset and year, counted again for every detail row a refresh touched (checked_observations
-- in sql/atlas/counts.sql). The index carries what the check needs of each observation (its
-- side of the border and its point, at most a few dozen bytes: geom is a Point), so the check
-- reads the key's entries side by side in the index instead of one heap page per observation:
-- at 10 000 000 observations the first check after a rebuild spent 35 s in those heap reads.
-- Built inside the capture transaction: writes to observations wait for it, reads do not.
CREATE INDEX IF NOT EXISTS observations_checked_idx
    ON public.observations (id_taxa_obs, id_datasets, year_obs) INCLUDE (within_quebec, geom);
