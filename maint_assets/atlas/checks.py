"""Checks of the atlas graph: api.taxa covers every resolved name once, no materialized view
is left unpopulated, the change log is consumed. (The count tables check every row each
refresh touched within the refresh, and are compared whole every week: see spatial.py.)"""

import dagster as dg
from pydantic import Field

from maint_assets.atlas import sources
from maint_assets.atlas.keys import key
from maint_assets.atlas.taxonomy.assets import API_TAXA, TAXA_OBS_GROUP_LOOKUP
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement


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
    api_taxa_coverage,
    change_log_consumed,
    *(
        _populated_check(k)
        for k in (TAXA_OBS_GROUP_LOOKUP, API_TAXA, key("atlas_api", "web_regions"))
    ),
]
