"""Materialized views as assets: each refresh holds the asset's advisory lock, with the
database resource's timeouts (core/refresh.py's refresh_matview)."""

from collections.abc import Sequence

import dagster as dg

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.refresh import refresh_matview
from maint_assets.core.ui import column_schema

Dep = dg.AssetKey | dg.AssetSpec | dg.AssetsDefinition


def matview_asset(
    key: dg.AssetKey,
    *,
    deps: Sequence[Dep],
    db: str,
    group: str,
    pool: str,
    description: str,
    automation_condition: dg.AutomationCondition | None = None,
    freshness_policy: dg.FreshnessPolicy | None = None,
) -> dg.AssetsDefinition:
    # Keys are [domain, schema, view].
    schema, name = key.path[-2], key.path[-1]

    @dg.asset(
        key=key,
        deps=deps,
        group_name=group,
        pool=pool,
        description=description,
        kinds={"postgres", "view"},
        required_resource_keys={db},
        automation_condition=automation_condition,
        freshness_policy=freshness_policy,
    )
    def _refresh(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        database: PostgresResource = getattr(context.resources, db)
        with database.maintenance_step(key.to_user_string(), rerun_if_cut=True) as conn:
            outcome = refresh_matview(database, conn, schema, name)
            # A connection lost after the REFRESH committed: its materialization is still
            # recorded (refresh_matview), without the columns.
            columns = {} if conn.broken else column_schema(conn, schema, name)
        warning = outcome.warning(f"{schema}.{name}")
        if warning:
            context.log.warning(warning)
        return dg.MaterializeResult(metadata={**outcome.metadata(), **columns})

    return _refresh
