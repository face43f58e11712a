"""Sources written in ways the change capture did not see, or held rows production's own
queries ignore: a zoom-lookup row without a level, writes in session_replication_role replica
(atlas-db's load scripts set it), a TRUNCATE of regions. The count tables and web_regions
still equal a full recomputation, and are asked to refresh."""

import dagster as dg
import psycopg
import pytest

from maint_assets.atlas.assets import sources
from maint_assets.atlas.assets.counts import OBS_REGION_COUNTS, WEB_REGIONS
from maint_assets_tests.atlas.helpers import (
    COUNTS,
    FULL_COUNTS,
    differences,
    materialize,
    metadata,
    rows,
    sensor_tick,
)

# A new observation at an existing one's place (inside the province), so the refresh has
# something to count besides the zoom-lookup change.
NEW_OBSERVATION = """
    INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables, obs_value,
                                     id_taxa_obs)
    SELECT id_datasets, geom, 2030, id_variables, 1, id_taxa_obs
    FROM observations_partitions.within_quebec ORDER BY id LIMIT 1"""


def _step_errors(result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        str(e.event_specific_data.error.cause or e.event_specific_data.error)[:300]
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    ]


# Production's zoom lookup has no key and nullable columns: a row whose type or scale is
# NULL joins no region, in production's count functions and web_regions alike.
@pytest.mark.parametrize(
    ("row", "full"),
    [(("hex", None, 3), False), ((None, None, None), True)],
    ids=["scale_null_incremental", "type_and_scale_null_rebuild"],
)
def test_a_zoom_lookup_row_without_a_level_is_ignored_as_production_ignores_it(
    resources, atlas_url, row, full
):
    materialize(resources, selection=COUNTS)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO atlas_api.regions_zoom_lookup (type, scale, zoom) VALUES (%s, %s, %s)",
            row,
        )
        conn.execute(NEW_OBSERVATION)
    result = materialize(
        resources,
        selection=COUNTS,
        run_config=FULL_COUNTS if full else None,
        raise_on_error=False,
    )
    # it was a NotNullViolation on maint_assets.counted_levels (column "scale"), in the
    # incremental refresh and in the rebuild alike, so the counts never advanced again
    assert result.success, _step_errors(result)
    mode = metadata(result, OBS_REGION_COUNTS)["refresh_mode"]
    assert mode == ("full" if full else "incremental")
    assert differences(atlas_url) == 0


def test_web_regions_is_not_refused_for_two_zoom_rows_without_a_level(resources, atlas_url):
    materialize(resources, selection=[WEB_REGIONS])
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO atlas_api.regions_zoom_lookup (type, scale, zoom)"
            " VALUES (NULL, NULL, 3), (NULL, NULL, 4)"
        )
        conn.execute("UPDATE atlas_api.regions_zoom_lookup SET zoom = 8 WHERE type = 'protected'")
    # production's REFRESH succeeds (the NULL rows join no region, so no fid repeats); on
    # current code the repeated-levels guard groups the two NULL rows as one level and refuses
    result = materialize(resources, selection=[WEB_REGIONS], raise_on_error=False)
    assert result.success, _step_errors(result)
    assert differences(atlas_url, WEB_REGIONS) == 0


# Production's own scripts (atlas-db dump/make_dump.sh, scripts/PARTITION_observations.sql)
# load rows with session_replication_role = replica, which skips every trigger that is not
# ENABLE ALWAYS / ENABLE REPLICA, capture's included.
REPLICA_WRITES = {
    "insert": """INSERT INTO observations_partitions.within_quebec (id, id_datasets, geom,
                     year_obs, id_variables, obs_value, id_taxa_obs, within_quebec)
                 SELECT id + 50000000, id_datasets, geom, 1999, id_variables, 1, id_taxa_obs,
                        true
                 FROM observations_partitions.within_quebec WHERE id % 10 = 0""",
    "region_update": """UPDATE public.regions SET geom = ST_Multi(ST_Translate(geom, 0.05, 0))
                        WHERE type = 'hex' AND scale = 20""",
    "truncate": "TRUNCATE public.observations",
}


@pytest.mark.parametrize("write", list(REPLICA_WRITES))
def test_writes_made_in_replica_replication_role_are_not_lost(resources, atlas_url, write):
    materialize(resources, selection=COUNTS)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(REPLICA_WRITES[write])
        conn.execute("RESET session_replication_role")
    result = materialize(resources, selection=COUNTS)
    # it was an incremental refresh of 0 changes whose check passed, and the tables
    # differed from the recount (20 960 / 2 848 / 138 521 rows on the test template)
    assert differences(atlas_url) == 0, metadata(result, OBS_REGION_COUNTS)


def test_a_truncated_regions_table_is_reported_so_web_regions_refreshes(resources, atlas_url):
    materialize(resources, selection=[WEB_REGIONS])
    with dg.instance_for_test() as instance:
        cursor = sensor_tick(atlas_url, None, instance).cursor
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute("TRUNCATE public.regions")
        tick = sensor_tick(atlas_url, cursor, instance)
    recorded = {e.asset_key for e in tick.asset_events if isinstance(e, dg.AssetMaterialization)}
    # web_regions (eager on regions) is stale: 48 824 rows differ from the recomputation
    assert differences(atlas_url, WEB_REGIONS) > 0
    assert rows(atlas_url, "SELECT count(*) FROM public.regions") == [(0,)]
    # the tick recorded nothing for regions (a TRUNCATE only bumps the epoch), so nothing
    # asked web_regions to refresh; it asked only for a rebuild of the counts
    assert sources.regions.key in recorded, (recorded, tick.run_requests)
