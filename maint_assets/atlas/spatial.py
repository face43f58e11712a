"""The spatial chain: region outlines for the web map and point-in-polygon count tables."""

import dagster as dg
from pydantic import Field

from maint_assets.atlas import change_log, sources
from maint_assets.atlas.counts import SOURCES, refresh_counts
from maint_assets.atlas.keys import DB, POOL, SPATIAL, key
from maint_assets.core.automation import EAGER, WEEKLY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_assets import matview_asset

WEB_REGIONS = key("atlas_api", "web_regions")
OBS_REGION_COUNTS = key("atlas_api", "obs_region_counts")
OBS_REGIONS_TAXA_DATASETS_COUNTS = key("atlas_api", "obs_regions_taxa_datasets_counts")


class CountsRefreshConfig(dg.Config):
    full: bool = Field(
        default=False, description="rebuild from scratch instead of applying changes"
    )
    max_incremental_changes: int = Field(
        default=200_000, description="above this many pending observation changes, rebuild"
    )
    regions_per_level: int = Field(
        default=3, description="regions per (type, scale) checked against a direct recount"
    )


RECOUNT_CHECK = "matches_direct_recount"


def _count_table_asset(asset_key: dg.AssetKey, description: str) -> dg.AssetsDefinition:
    schema, name = asset_key.path[-2:]

    @dg.asset(
        key=asset_key,
        deps=[sources.observations, sources.regions, sources.regions_zoom_lookup],
        group_name=SPATIAL,
        pool=POOL,
        kinds={"postgres", "table"},
        description=description,
        automation_condition=EAGER,
        freshness_policy=WEEKLY_FRESHNESS,
        check_specs=[
            dg.AssetCheckSpec(
                RECOUNT_CHECK,
                asset=asset_key,
                blocking=True,
                description="Rows of a sample of regions (a few per level, up to 10 000 km²) "
                "equal a direct ST_Within recount, read in the same snapshot as the refresh.",
            )
        ],
    )
    def _counts(
        context: dg.AssetExecutionContext, config: CountsRefreshConfig, atlas_db: PostgresResource
    ) -> dg.MaterializeResult:
        lock = asset_key.to_user_string()
        with atlas_db.locked_transaction(lock, repeatable_read=True) as conn:
            result = refresh_counts(
                conn,
                schema,
                name,
                f"atlas/{name}",
                consumer=lock,
                full=config.full,
                max_incremental_changes=config.max_incremental_changes,
                sample_seed=context.run.run_id,
                regions_per_level=config.regions_per_level,
            )
        # Trimming only after the commit: a failed refresh must find its changes again.
        with atlas_db.connect() as conn:
            trimmed = change_log.trim(conn, SOURCES)
        check = result.check
        return dg.MaterializeResult(
            metadata={**result.metadata(), "change_log_trimmed": trimmed},
            check_results=[
                dg.AssetCheckResult(
                    check_name=RECOUNT_CHECK,
                    passed=check.passed,
                    metadata={
                        "regions_sampled": len(check.regions),
                        "rows_compared": check.rows_compared,
                        "mismatched_rows": check.mismatched_rows,
                        "sampled_fids": dg.MetadataValue.json(check.regions),
                    },
                )
            ],
        )

    return _counts


web_regions = matview_asset(
    WEB_REGIONS,
    deps=[sources.regions, sources.regions_zoom_lookup],
    db=DB,
    group=SPATIAL,
    pool=POOL,
    automation_condition=EAGER,
    freshness_policy=WEEKLY_FRESHNESS,
    description="Region outlines simplified for the zoom level each level is shown at.",
)

obs_region_counts = _count_table_asset(
    OBS_REGION_COUNTS,
    "Observations per region, taxon and year, for every counted region level.",
)

obs_regions_taxa_datasets_counts = _count_table_asset(
    OBS_REGIONS_TAXA_DATASETS_COUNTS,
    "Observations per region, taxon and dataset, with first and last year.",
)

ASSETS = [web_regions, obs_region_counts, obs_regions_taxa_datasets_counts]
