"""Asset factories for relations refreshed entirely by SQL: materialized views and derived
tables rebuilt from one CREATE TABLE AS. Each refresh runs in one transaction holding the
asset's advisory lock, with the database resource's timeouts."""

from collections.abc import Sequence

import dagster as dg

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.refresh import rebuild_table, refresh_matview

Dep = dg.AssetKey | dg.AssetSpec | dg.AssetsDefinition


def _schema_and_name(key: dg.AssetKey) -> tuple[str, str]:
    # Keys are [domain, schema, table].
    return key.path[-2], key.path[-1]


def matview_asset(
    key: dg.AssetKey,
    *,
    deps: Sequence[Dep],
    db: str,
    group: str,
    pool: str,
    description: str,
    automation_condition: dg.AutomationCondition | None = None,
) -> dg.AssetsDefinition:
    @dg.asset(
        key=key,
        deps=deps,
        group_name=group,
        pool=pool,
        description=description,
        kinds={"postgres", "view"},
        required_resource_keys={db},
        automation_condition=automation_condition,
    )
    def _refresh(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        database: PostgresResource = getattr(context.resources, db)
        schema, name = _schema_and_name(key)
        with database.locked_transaction(key.to_user_string()) as conn:
            outcome = refresh_matview(conn, schema, name)
        return dg.MaterializeResult(metadata=outcome.metadata())

    return _refresh


def rebuilt_table_asset(
    key: dg.AssetKey,
    *,
    sql_group: str,
    deps: Sequence[Dep],
    db: str,
    group: str,
    pool: str,
    description: str,
    automation_condition: dg.AutomationCondition | None = None,
) -> dg.AssetsDefinition:
    @dg.asset(
        key=key,
        deps=deps,
        group_name=group,
        pool=pool,
        description=description,
        kinds={"postgres", "table"},
        required_resource_keys={db},
        automation_condition=automation_condition,
    )
    def _rebuild(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        database: PostgresResource = getattr(context.resources, db)
        schema, name = _schema_and_name(key)
        with database.locked_transaction(key.to_user_string()) as conn:
            outcome = rebuild_table(conn, sql_group, schema, name)
        return dg.MaterializeResult(metadata=outcome.metadata())

    return _rebuild
