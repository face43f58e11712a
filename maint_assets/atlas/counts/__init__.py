"""The count engine: what keeps the two point-in-polygon count tables (obs_region_counts,
obs_regions_taxa_datasets_counts) exact, from the change log. Read refresh.py first (a
refresh: apply the pending changes, or rebuild), then tables.py (what it keeps and how it is
bounded), deltas.py (applying changes), rebuild.py (built aside, then swapped in),
touched_check.py (the check of every row a refresh touches), region_cells.py (the regions cut
into grid cells), table_definitions.py (the live tables' definitions, given to a rebuilt copy)
and statements.py (the fragments of sql/atlas/counts.sql, composed).

The change log it reads is shared with the taxonomy, the staging database and the change
sensor, so it stays beside them: maint_assets/atlas/change_log.py. The assets and checks that
run the engine: maint_assets/atlas/assets/counts.py, maint_assets/atlas/checks.py and the
change sensor in maint_assets/atlas/automation.py."""
