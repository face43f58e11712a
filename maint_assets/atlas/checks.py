"""Checks of the atlas graph: counts agree with a direct recount, api.taxa covers every
resolved name once, and no materialized view is left unpopulated."""

import dagster as dg
from pydantic import Field

from maint_assets.atlas import sources
from maint_assets.atlas.keys import key
from maint_assets.atlas.spatial import OBS_REGION_COUNTS, OBS_REGIONS_TAXA_DATASETS_COUNTS
from maint_assets.atlas.taxonomy.assets import API_TAXA, TAXA_OBS_GROUP_LOOKUP
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement


class RecountConfig(dg.Config):
    regions_per_level: int = Field(default=3, description="regions sampled per (type, scale)")


def _recount_check(asset_key: dg.AssetKey, query: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key,
        blocking=True,
        name="matches_direct_recount",
        description="Rows of a sample of regions equal a direct ST_Within recount.",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, config: RecountConfig, atlas_db: PostgresResource
    ) -> dg.AssetCheckResult:
        with atlas_db.connect() as conn:
            fids = [
                r[0]
                for r in conn.execute(
                    statement("atlas/checks", "sample_regions"),
                    {"seed": context.run.run_id, "per_level": config.regions_per_level},
                )
            ]
            mismatches, sampled_rows = conn.execute(
                statement("atlas/checks", query), {"fids": fids}
            ).fetchone()
        return dg.AssetCheckResult(
            passed=mismatches == 0,
            metadata={
                "regions_sampled": len(fids),
                "rows_compared": sampled_rows,
                "mismatched_rows": mismatches,
                "sampled_fids": dg.MetadataValue.json(fids),
            },
        )

    return _check


@dg.asset_check(
    asset=API_TAXA,
    blocking=True,
    name="one_row_per_resolved_taxa_obs",
    description="Every resolved taxa_obs has exactly one api.taxa row, and no other has.",
)
def api_taxa_coverage(atlas_db: PostgresResource) -> dg.AssetCheckResult:
    with atlas_db.connect() as conn:
        resolved, missing, duplicated, unexpected = conn.execute(
            statement("atlas/checks", "api_taxa_coverage")
        ).fetchone()
    return dg.AssetCheckResult(
        passed=missing == duplicated == unexpected == 0,
        metadata={
            "resolved_taxa_obs": resolved,
            "missing": missing,
            "duplicated": duplicated,
            "unexpected": unexpected,
        },
    )


def _populated_check(asset_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    schema, name = asset_key.path[-2:]

    @dg.asset_check(
        asset=asset_key,
        blocking=True,
        name="populated",
        description="The materialized view is populated (readable).",
    )
    def _check(atlas_db: PostgresResource) -> dg.AssetCheckResult:
        with atlas_db.connect() as conn:
            row = conn.execute(
                statement("atlas/checks", "matview_populated"), {"schema": schema, "name": name}
            ).fetchone()
        return dg.AssetCheckResult(
            passed=bool(row and row[0]), metadata={"exists": row is not None}
        )

    return _check


class BacklogConfig(dg.Config):
    max_age_minutes: float = Field(
        default=120, description="fail when a change has waited longer than this"
    )


@dg.asset_check(
    asset=sources.observations.key,
    name="change_log_consumed",
    description="The change log does not hold changes older than the allowed age: its "
    "consumers run, so it cannot grow without bound.",
)
def change_log_consumed(config: BacklogConfig, atlas_db: PostgresResource) -> dg.AssetCheckResult:
    with atlas_db.connect() as conn:
        backlog = conn.execute(statement("atlas/change_log", "backlog")).fetchall()
    oldest = max((age for _, _, age in backlog), default=0.0)
    return dg.AssetCheckResult(
        passed=oldest <= config.max_age_minutes * 60,
        metadata={
            "oldest_change_age_minutes": round(float(oldest) / 60, 1),
            "pending_changes": dg.MetadataValue.json({s: n for s, n, _ in backlog}),
        },
    )


CHECKS = [
    _recount_check(OBS_REGION_COUNTS, "recount_region_counts_mismatches"),
    _recount_check(OBS_REGIONS_TAXA_DATASETS_COUNTS, "recount_datasets_counts_mismatches"),
    api_taxa_coverage,
    change_log_consumed,
    *(
        _populated_check(k)
        for k in (TAXA_OBS_GROUP_LOOKUP, API_TAXA, key("atlas_api", "web_regions"))
    ),
]
