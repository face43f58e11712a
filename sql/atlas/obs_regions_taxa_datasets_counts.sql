-- atlas_api.obs_regions_taxa_datasets_counts: observations per region, taxon and dataset,
-- with the first and last year observed; same spatial rule as obs_region_counts.

-- name: build
CREATE TABLE {table} AS
SELECT r.fid, r.type::text AS type, o.id_taxa_obs, o.id_datasets,
       min(o.year_obs) AS min_year, max(o.year_obs) AS max_year,
       count(o.id)::integer AS count_obs
FROM public.observations o
JOIN public.regions r ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
GROUP BY r.fid, r.type, o.id_taxa_obs, o.id_datasets;

-- name: indexes
CREATE UNIQUE INDEX obs_regions_taxa_datasets_counts_unique_idx
    ON {table} (fid, id_taxa_obs, id_datasets);
CREATE INDEX obs_regions_taxa_datasets_counts_fid_idx ON {table} (fid);
CREATE INDEX obs_regions_taxa_datasets_counts_id_datasets_idx ON {table} (id_datasets);
CREATE INDEX obs_regions_taxa_datasets_counts_id_taxa_obs_idx ON {table} (id_taxa_obs);
CREATE INDEX obs_regions_taxa_datasets_counts_min_year_idx ON {table} (min_year);
CREATE INDEX obs_regions_taxa_datasets_counts_max_year_idx ON {table} (max_year);
CREATE INDEX obs_regions_taxa_datasets_counts_type_fid_idx ON {table} (type, fid);
