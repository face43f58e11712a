"""Asset factories for relations refreshed entirely by SQL: materialized views and derived
tables rebuilt from one CREATE TABLE AS. Each refresh runs in one transaction holding the
asset's advisory lock, with the database resource's timeouts."""

from collections.abc import Callable, Sequence
from functools import partial

import dagster as dg
import psycopg

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.refresh import RefreshOutcome, rebuild_table, refresh_matview

Dep = dg.AssetKey | dg.AssetSpec | dg.AssetsDefinition
Refresh = Callable[[psycopg.Connection, str, str], RefreshOutcome]


def _sql_asset(
    key: dg.AssetKey,
    refresh: Refresh,
    kind: str,
    *,
    deps: Sequence[Dep],
    db: str,
    group: str,
    pool: str,
    description: str,
    automation_condition: dg.AutomationCondition | None,
) -> dg.AssetsDefinition:
    # Keys are [domain, schema, table].
    schema, name = key.path[-2], key.path[-1]

    @dg.asset(
        key=key,
        deps=deps,
        group_name=group,
        pool=pool,
        description=description,
        kinds={"postgres", kind},
        required_resource_keys={db},
        automation_condition=automation_condition,
    )
    def _refresh(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        database: PostgresResource = getattr(context.resources, db)
        with database.locked_transaction(key.to_user_string()) as conn:
            outcome = refresh(conn, schema, name)
        return dg.MaterializeResult(metadata=outcome.metadata())

    return _refresh


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
    return _sql_asset(
        key,
        refresh_matview,
        "view",
        deps=deps,
        db=db,
        group=group,
        pool=pool,
        description=description,
        automation_condition=automation_condition,
    )


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
    """A table rebuilt by the ``build`` and ``indexes`` statements of ``sql/<sql_group>.sql``."""
    return _sql_asset(
        key,
        partial(rebuild_table, group=sql_group),
        "table",
        deps=deps,
        db=db,
        group=group,
        pool=pool,
        description=description,
        automation_condition=automation_condition,
    )
