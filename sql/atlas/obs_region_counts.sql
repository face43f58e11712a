-- atlas_api.obs_region_counts: observations per region, taxon and year, for every
-- (type, scale) in the zoom lookup; an observation counts in a region when it lies within
-- it and both sit on the same side of the province border (production's rule).

-- name: build
CREATE TABLE {table} AS
SELECT r.type::text AS type, r.scale, r.fid, o.id_taxa_obs, o.year_obs,
       count(o.id)::integer AS count_obs
FROM public.observations o
JOIN public.regions r ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
GROUP BY r.type, r.scale, r.fid, o.id_taxa_obs, o.year_obs;

-- name: indexes
CREATE UNIQUE INDEX obs_region_counts_type_fid_id_taxa_obs_year_obs_idx
    ON {table} (fid, id_taxa_obs, year_obs);
CREATE INDEX obs_region_counts_fid_idx ON {table} (fid);
CREATE INDEX obs_region_counts_id_taxa_obs_idx ON {table} (id_taxa_obs);
CREATE INDEX obs_region_counts_type_idx ON {table} (type);
CREATE INDEX obs_region_counts_year_obs_idx ON {table} (year_obs);
CREATE INDEX obs_region_counts_type_fid_idx ON {table} (type, fid);
CREATE INDEX obs_region_counts_type_scale_idx ON {table} (type, scale);
