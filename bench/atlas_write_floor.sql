-- The writes alone: as many row changes as an incremental refresh of the atlas count tables
-- makes, as plain statements, in one transaction that is rolled back. Rows inserted, deleted
-- or given new years lie together (whole pages: their index entries are written close
-- together, the most favourable layout); rows whose count changes lie one to a page, as a
-- refresh's do, so that each new version fits on its page (a HOT update: no index entry). What an incremental refresh cannot go
-- below on these tables, whose indexes are production's (seven on each count table; a new
-- row, or a changed min_year/max_year, writes an entry in each).
--
--   psql -X -v region_inserts=35798 -v region_deletes=34700 -v region_updates=49352 \
--        -v dataset_year_updates=40215 -v detail_inserts=50000 -v detail_deletes=51651 \
--        -f bench/atlas_write_floor.sql <atlas database>
--
-- The numbers are a refresh's (its metadata; for the dataset table, the rows whose first or
-- last year moved): see bench/README.md.
\timing on
BEGIN;
SET LOCAL work_mem = '256MB';
CREATE TEMP TABLE region_rows AS
    SELECT * FROM atlas_api.obs_region_counts TABLESAMPLE SYSTEM (5) REPEATABLE (1)
    LIMIT :region_inserts + :region_deletes;
CREATE TEMP TABLE region_counted AS
    SELECT * FROM atlas_api.obs_region_counts TABLESAMPLE BERNOULLI (1) REPEATABLE (2)
    EXCEPT SELECT * FROM region_rows
    LIMIT :region_updates;
CREATE TEMP TABLE detail_rows AS
    SELECT * FROM maint_assets.region_taxon_dataset_year_counts TABLESAMPLE SYSTEM (5) REPEATABLE (1)
    LIMIT :detail_inserts + :detail_deletes;
CREATE TEMP TABLE dataset_keys AS
    SELECT fid, id_taxa_obs, id_datasets
    FROM atlas_api.obs_regions_taxa_datasets_counts TABLESAMPLE SYSTEM (5) REPEATABLE (1)
    LIMIT :dataset_year_updates;
ANALYZE region_rows; ANALYZE region_counted; ANALYZE detail_rows; ANALYZE dataset_keys;
CREATE TEMP TABLE region_new AS SELECT * FROM region_rows LIMIT :region_inserts;
CREATE TEMP TABLE detail_new AS SELECT * FROM detail_rows LIMIT :detail_inserts;
-- rows to insert again (their deletion is not timed)
DELETE FROM atlas_api.obs_region_counts t USING region_new n
WHERE t.fid = n.fid AND t.id_taxa_obs = n.id_taxa_obs AND t.year_obs = n.year_obs;
DELETE FROM maint_assets.region_taxon_dataset_year_counts t USING detail_new n
WHERE t.fid = n.fid AND t.id_taxa_obs = n.id_taxa_obs AND t.id_datasets = n.id_datasets
  AND t.year_obs = n.year_obs;
\echo '== timed: region table inserts, deletes, count updates'
INSERT INTO atlas_api.obs_region_counts SELECT * FROM region_new ORDER BY fid, id_taxa_obs, year_obs;
DELETE FROM atlas_api.obs_region_counts t
USING (SELECT * FROM region_rows OFFSET :region_inserts LIMIT :region_deletes) d
WHERE t.fid = d.fid AND t.id_taxa_obs = d.id_taxa_obs AND t.year_obs = d.year_obs;
UPDATE atlas_api.obs_region_counts t SET count_obs = t.count_obs + 1
FROM region_counted u
WHERE t.fid = u.fid AND t.id_taxa_obs = u.id_taxa_obs AND t.year_obs = u.year_obs;
\echo '== timed: dataset table, first or last year moved'
UPDATE atlas_api.obs_regions_taxa_datasets_counts t SET min_year = t.min_year - 1
FROM dataset_keys k
WHERE t.fid = k.fid AND t.id_taxa_obs = k.id_taxa_obs AND t.id_datasets = k.id_datasets;
\echo '== timed: detail inserts, deletes'
INSERT INTO maint_assets.region_taxon_dataset_year_counts
SELECT * FROM detail_new ORDER BY fid, id_taxa_obs, id_datasets, year_obs;
DELETE FROM maint_assets.region_taxon_dataset_year_counts t
USING (SELECT * FROM detail_rows OFFSET :detail_inserts) d
WHERE t.fid = d.fid AND t.id_taxa_obs = d.id_taxa_obs AND t.id_datasets = d.id_datasets
  AND t.year_obs = d.year_obs;
ROLLBACK;
