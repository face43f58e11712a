"""The spatial chain: region outlines for the web map and the two point-in-polygon count
tables, refreshed together (they share one point-in-polygon pass; see the count engine,
maint_assets/atlas/counts/, from refresh.py).

The count tables have no automation condition: the change sensor (automation.py) applies small
batches of changes itself and requests a run of this asset for the rest, so a new
observation is counted within seconds instead of waiting for a run to start."""

from collections.abc import Iterator

import dagster as dg
import psycopg
from pydantic import Field

from maint_assets.atlas import change_log
from maint_assets.atlas.assets import sources
from maint_assets.atlas.counts import refresh
from maint_assets.atlas.counts import tables as count_tables
from maint_assets.atlas.keys import (
    DB,
    GROUP_SPATIAL,
    OBS_REGION_COUNTS,
    OBS_REGIONS_TAXA_DATASETS_COUNTS,
    OBSERVATIONS,
    OWNERS,
    POOL_ATLAS_DB,
    REGIONS,
    SQL_WEB_REGIONS,
    WEB_REGIONS,
)
from maint_assets.core.automation import EAGER, WEEKLY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.refresh import refresh_matview
from maint_assets.core.sql_files import statement
from maint_assets.core.ui import column_lineage, column_schema

COUNT_KEYS = {
    count_tables.REGION_COUNTS: OBS_REGION_COUNTS,
    count_tables.DATASET_COUNTS: OBS_REGIONS_TAXA_DATASETS_COUNTS,
}
COUNTS_OP = "atlas_region_counts"
TOUCHED_CHECK = "touched_rows_match"


class CountsRefreshConfig(dg.Config):
    full: bool = Field(
        default=False, description="rebuild from scratch instead of applying changes"
    )
    max_incremental_changes: int = Field(
        default=count_tables.Limits.max_incremental_changes,
        description="above this many pending observation changes, rebuild",
    )
    max_region_recounts: int = Field(
        default=count_tables.Limits.max_region_recounts,
        description="above this many changed regions to count again, rebuild",
    )
    swap_timeout_s: float = Field(
        default=count_tables.Limits.swap_timeout_s,
        description="how long a rebuild keeps trying to swap its tables in while readers "
        "hold the live ones",
    )

    def limits(self) -> count_tables.Limits:
        return count_tables.Limits(
            max_incremental_changes=self.max_incremental_changes,
            max_region_recounts=self.max_region_recounts,
            swap_timeout_s=self.swap_timeout_s,
        )


# Each count table's columns and the source columns they are made from (the point-in-polygon
# join of an observation with each region it lies in, grouped).
_REGION = {c: [(REGIONS, c)] for c in ("type", "scale", "fid")}
LINEAGE = {
    count_tables.REGION_COUNTS: column_lineage(
        {
            **_REGION,
            "id_taxa_obs": [(OBSERVATIONS, "id_taxa_obs")],
            "year_obs": [(OBSERVATIONS, "year_obs")],
            "count_obs": [(OBSERVATIONS, "id")],
        }
    ),
    count_tables.DATASET_COUNTS: column_lineage(
        {
            "fid": _REGION["fid"],
            "type": _REGION["type"],
            "id_taxa_obs": [(OBSERVATIONS, "id_taxa_obs")],
            "id_datasets": [(OBSERVATIONS, "id_datasets")],
            "min_year": [(OBSERVATIONS, "year_obs")],
            "max_year": [(OBSERVATIONS, "year_obs")],
            "count_obs": [(OBSERVATIONS, "id")],
        }
    ),
}

DESCRIPTIONS = {
    count_tables.REGION_COUNTS: "Observations per region, taxon and year, for every counted level.",
    count_tables.DATASET_COUNTS: "Observations per region, taxon and dataset, first and last year.",
}


def count_events(
    result: refresh.CountsRefresh,
) -> list[dg.AssetMaterialization | dg.AssetCheckEvaluation]:
    """What a refresh of the count tables reports, in a run or from the sensor."""
    events: list[dg.AssetMaterialization | dg.AssetCheckEvaluation] = [
        dg.AssetMaterialization(asset_key=COUNT_KEYS[name], metadata=result.metadata(name))
        for name in COUNT_KEYS
    ]
    events += [
        dg.AssetCheckEvaluation(
            asset_key=COUNT_KEYS[name],
            check_name=TOUCHED_CHECK,
            passed=result.check_passed(name),
            metadata=result.check_metadata(name),
            blocking=True,
        )
        for name in COUNT_KEYS
    ]
    return events


@dg.multi_asset(
    name=COUNTS_OP,
    specs=[
        dg.AssetSpec(
            asset_key,
            deps=[sources.observations, sources.regions, sources.regions_zoom_lookup],
            group_name=GROUP_SPATIAL,
            kinds={"postgres", "table"},
            description=DESCRIPTIONS[name],
            owners=OWNERS,
            freshness_policy=WEEKLY_FRESHNESS,
        )
        for name, asset_key in COUNT_KEYS.items()
    ],
    check_specs=[
        dg.AssetCheckSpec(
            TOUCHED_CHECK,
            asset=asset_key,
            blocking=True,
            description="Every row the refresh touched is compared, in the refresh's own "
            "snapshot: the detail rows against the observations counted again (changed "
            "regions: against a direct ST_Within recount), the table's rows against the "
            "detail. Rows that disagree are rolled back and the tables rebuilt, and the check "
            "fails.",
        )
        for asset_key in COUNT_KEYS.values()
    ],
    pool=POOL_ATLAS_DB,
    can_subset=False,
)
def region_counts(
    context: dg.AssetExecutionContext, config: CountsRefreshConfig, atlas_db: PostgresResource
) -> Iterator[dg.MaterializeResult]:
    with atlas_db.maintenance_step(count_tables.LOCK, rerun_if_cut=True) as conn:
        result = refresh.refresh_counts(
            atlas_db, conn, full=config.full, limits=config.limits(), log=context.log.info
        )
        with atlas_db.transaction(conn):
            trimmed = change_log.trim(conn, count_tables.SOURCES)
        columns = {name: column_schema(conn, *count_tables.PUBLIC[name]) for name in COUNT_KEYS}
    for name, asset_key in COUNT_KEYS.items():
        yield dg.MaterializeResult(
            asset_key=asset_key,
            metadata={
                **result.metadata(name),
                **columns[name],
                **LINEAGE[name],
                "change_log_trimmed": trimmed,
            },
            check_results=[
                dg.AssetCheckResult(
                    asset_key=asset_key,
                    check_name=TOUCHED_CHECK,
                    passed=result.check_passed(name),
                    metadata=result.check_metadata(name),
                )
            ],
        )


@dg.asset(
    key=WEB_REGIONS,
    deps=[sources.regions, sources.regions_zoom_lookup],
    group_name=GROUP_SPATIAL,
    pool=POOL_ATLAS_DB,
    kinds={"postgres", "view"},
    owners=OWNERS,
    required_resource_keys={DB},
    automation_condition=EAGER,
    freshness_policy=WEEKLY_FRESHNESS,
    description="Region outlines simplified for the zoom level each level is shown at.",
)
def web_regions(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    database: PostgresResource = getattr(context.resources, DB)
    with database.maintenance_step(WEB_REGIONS.to_user_string(), rerun_if_cut=True) as conn:
        refresh.require_postgis(conn, database.describe())
        outcome = refresh_matview(
            database, conn, "atlas_api", "web_regions", before=_refuse_repeated_levels
        )
    warning = outcome.warning("atlas_api.web_regions")
    if warning:
        context.log.warning(warning)
    return dg.MaterializeResult(metadata=outcome.metadata())


def _refuse_repeated_levels(conn: psycopg.Connection) -> None:
    """Run in the refresh's transaction, on the snapshot the REFRESH reads: a level added or
    removed by another session meanwhile is seen by both or neither."""
    repeated = conn.execute(statement(SQL_WEB_REGIONS, "repeated_levels")).fetchall()
    if repeated:
        levels = ", ".join(f"{t} {s} ({n} rows, zooms {z})" for t, s, n, z in repeated)
        raise dg.Failure(
            "atlas_api.regions_zoom_lookup holds a (type, scale) level more than once: "
            f"{levels}. web_regions would list each of its regions once per row, which "
            "its unique index on fid refuses; remove the extra rows. The outlines keep "
            "their previous version.",
            allow_retries=False,
        )


ASSETS = [web_regions, region_counts]
