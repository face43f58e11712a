"""Helpers shared by the atlas tests: the graph's definitions and plain-SQL queries."""

import dagster as dg
import psycopg

from maint_assets.atlas import checks, sources, spatial
from maint_assets.atlas.taxonomy import assets as taxonomy

DERIVED = [*taxonomy.ASSETS, *spatial.ASSETS]
ALL_ASSETS = [*sources.ALL, *DERIVED]


def materialize(
    resources: dict[str, object],
    selection=None,
    run_config=None,
    raise_on_error: bool = True,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*ALL_ASSETS, *checks.CHECKS],
        resources=resources,
        selection=selection or dg.AssetSelection.assets(*DERIVED),
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
