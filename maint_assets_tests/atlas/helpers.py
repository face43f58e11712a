"""Helpers shared by the atlas tests: the graph's definitions, plain-SQL queries, and an
independent recomputation of the spatial tables (production's own queries, written here)."""

import dagster as dg
import psycopg

from maint_assets.atlas import checks
from maint_assets.atlas.assets import counts as count_assets
from maint_assets.atlas.assets import sources, taxonomy
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.core.postgres import PostgresResource

DERIVED = [*taxonomy.ASSETS, *count_assets.ASSETS]
ALL_ASSETS = [*sources.ALL, *DERIVED]
COUNTS = [count_assets.OBS_REGION_COUNTS, count_assets.OBS_REGIONS_TAXA_DATASETS_COUNTS]
FULL_COUNTS = {"ops": {count_assets.COUNTS_OP: {"config": {"full": True}}}}


def atlas_resources(db: PostgresResource) -> dict[str, object]:
    return {"atlas_db": db, "taxonomy": ChecklistResolver(accept_unresolved=True)}


def materialize(
    resources: dict[str, object],
    selection=None,
    run_config=None,
    raise_on_error: bool = True,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    # The two count tables are one step: selecting one selects both.
    if selection is None:
        selection = dg.AssetSelection.assets(*DERIVED)
    elif not isinstance(selection, dg.AssetSelection):
        selection = dg.AssetSelection.assets(*selection)
    return dg.materialize(
        [*ALL_ASSETS, *checks.TABLE_CHECKS],
        resources=resources,
        selection=selection.required_multi_asset_neighbors(),
        run_config=run_config,
        raise_on_error=raise_on_error,
        instance=instance,
    )


def rows(url: str, query: str, params: object = None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict[str, object]:
    events = [e for e in result.get_asset_materialization_events() if e.asset_key == key]
    return {k: v.value for k, v in events[-1].materialization.metadata.items()}


# Production's refresh functions (atlas_api.obs_region_counts_refresh() and
# obs_regions_taxa_datasets_counts_refresh() of the real schema dump) and its web_regions
# view, as the plain queries they run; the zoom lookup's levels taken once each. The
# point-in-polygon join both count functions make is computed once, into pg_temp.pairs, from
# a copy of the observations with a spatial index of its own (the replica has no valid one, as
# production): the join then goes region by region, each region's polygon prepared once by
# PostGIS, 0.52 s against 0.83 s a recomputation on the test template.
PAIRS = """
    CREATE TEMP TABLE points AS
    SELECT id, geom, within_quebec, id_taxa_obs, id_datasets, year_obs FROM public.observations;
    CREATE INDEX ON points USING gist (geom);
    ANALYZE points;
    CREATE TEMP TABLE pairs AS
    SELECT r.fid, r.type::text AS type, r.scale, o.id_taxa_obs, o.id_datasets, o.year_obs,
           count(o.id)::int AS n
    FROM public.regions r
    JOIN (SELECT DISTINCT type, scale FROM atlas_api.regions_zoom_lookup) z
      ON z.type = r.type AND z.scale = r.scale
    JOIN points o ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
    GROUP BY r.fid, r.type, r.scale, o.id_taxa_obs, o.id_datasets, o.year_obs"""
RECOUNT = {
    count_assets.OBS_REGION_COUNTS: (
        """SELECT type, scale, fid, id_taxa_obs, year_obs, sum(n)::int FROM pairs
           GROUP BY type, scale, fid, id_taxa_obs, year_obs""",
        """SELECT type, scale, fid, id_taxa_obs, year_obs, count_obs
           FROM atlas_api.obs_region_counts""",
    ),
    count_assets.OBS_REGIONS_TAXA_DATASETS_COUNTS: (
        """SELECT fid, type, id_taxa_obs, id_datasets, min(year_obs), max(year_obs), sum(n)::int
           FROM pairs GROUP BY fid, type, id_taxa_obs, id_datasets""",
        """SELECT fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs
           FROM atlas_api.obs_regions_taxa_datasets_counts""",
    ),
    count_assets.WEB_REGIONS: (
        """SELECT r.fid, r.type::text, r.scale, md5(ST_AsEWKB(ST_ForcePolygonCCW(ST_MakeValid(
                  ST_Transform(ST_SimplifyPreserveTopology(r.geom, t.tolerance), 4326)))))
           FROM public.regions r
           JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
           LEFT JOIN (VALUES (3, 0.17578), (4, 0.08789), (5, 0.04395), (6, 0.02197),
                             (7, 0.01099), (8, 0.00549), (9, 0.00274), (10, 0.00137))
                AS t (zoom, tolerance) ON t.zoom = z.zoom""",
        """SELECT fid, type::text, scale, md5(ST_AsEWKB(geom)) FROM atlas_api.web_regions""",
    ),
}


def differences(url: str, *keys: dg.AssetKey) -> int:
    """Rows in which the stored tables and their independent recomputation differ (for the
    count tables by default)."""
    found = 0
    with psycopg.connect(url) as conn:
        conn.execute(PAIRS)
        for key in keys or count_assets.COUNT_KEYS.values():
            expected, stored = RECOUNT[key]
            found += conn.execute(
                f"SELECT (SELECT count(*) FROM (({expected}) EXCEPT ALL ({stored})) a)"
                f" + (SELECT count(*) FROM (({stored}) EXCEPT ALL ({expected})) b)"
            ).fetchone()[0]
    return found


def sensor_tick(url: str, cursor: str | None, instance: dg.DagsterInstance) -> dg.SensorResult:
    """One tick of the change sensor against ``url``, from ``cursor``."""
    from maint_assets.atlas.automation import atlas_source_changes
    from maint_assets.atlas.resources import CountsSensorSettings
    from maint_assets.core.postgres import PostgresResource

    context = dg.build_sensor_context(
        cursor=cursor,
        instance=instance,
        resources={
            "atlas_db": PostgresResource(url=url),
            "atlas_counts_sensor": CountsSensorSettings(),
        },
    )
    return atlas_source_changes(context)
