-- The two count tables as production defines them (columns all nullable, no constraints,
-- these index names: the unique index of obs_region_counts is named after a column list it
-- no longer has, the dataset table's is cut at 63 characters). Created empty; the spatial
-- count assets fill them, and every rebuild keeps this definition (or whatever the live
-- table's definition is) exactly.
CREATE TABLE IF NOT EXISTS atlas_api.obs_region_counts (
    type text,
    scale integer,
    fid integer,
    id_taxa_obs integer,
    year_obs integer,
    count_obs integer
);
CREATE INDEX IF NOT EXISTS obs_region_counts_fid_idx ON atlas_api.obs_region_counts (fid);
CREATE INDEX IF NOT EXISTS obs_region_counts_id_taxa_obs_idx
    ON atlas_api.obs_region_counts (id_taxa_obs);
CREATE UNIQUE INDEX IF NOT EXISTS obs_region_counts_type_fid_id_taxa_obs_year_obs_idx
    ON atlas_api.obs_region_counts (fid, id_taxa_obs, year_obs);
CREATE INDEX IF NOT EXISTS obs_region_counts_type_fid_idx ON atlas_api.obs_region_counts (type, fid);
CREATE INDEX IF NOT EXISTS obs_region_counts_type_idx ON atlas_api.obs_region_counts (type);
CREATE INDEX IF NOT EXISTS obs_region_counts_type_scale_idx
    ON atlas_api.obs_region_counts (type, scale);
CREATE INDEX IF NOT EXISTS obs_region_counts_year_obs_idx ON atlas_api.obs_region_counts (year_obs);

CREATE TABLE IF NOT EXISTS atlas_api.obs_regions_taxa_datasets_counts (
    fid integer,
    type text,
    id_taxa_obs integer,
    id_datasets integer,
    min_year integer,
    max_year integer,
    count_obs integer
);
CREATE UNIQUE INDEX IF NOT EXISTS obs_regions_taxa_datasets_counts_fid_id_taxa_obs_id_datasets_id
    ON atlas_api.obs_regions_taxa_datasets_counts (fid, id_taxa_obs, id_datasets);
CREATE INDEX IF NOT EXISTS obs_regions_taxa_datasets_counts_fid_idx
    ON atlas_api.obs_regions_taxa_datasets_counts (fid);
CREATE INDEX IF NOT EXISTS obs_regions_taxa_datasets_counts_id_datasets_idx
    ON atlas_api.obs_regions_taxa_datasets_counts (id_datasets);
CREATE INDEX IF NOT EXISTS obs_regions_taxa_datasets_counts_id_taxa_obs_idx
    ON atlas_api.obs_regions_taxa_datasets_counts (id_taxa_obs);
CREATE INDEX IF NOT EXISTS obs_regions_taxa_datasets_counts_max_year_idx
    ON atlas_api.obs_regions_taxa_datasets_counts (max_year);
CREATE INDEX IF NOT EXISTS obs_regions_taxa_datasets_counts_min_year_idx
    ON atlas_api.obs_regions_taxa_datasets_counts (min_year);
CREATE INDEX IF NOT EXISTS obs_regions_taxa_datasets_counts_type_fid_idx
    ON atlas_api.obs_regions_taxa_datasets_counts (type, fid);
