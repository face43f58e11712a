"""What the backup and staging tests share: materializing the backups group with the sample
config, reading its results, and scratch databases made outside maint_assets."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import psycopg
from psycopg import sql

from maint_assets.atlas import checks, keys
from maint_assets.atlas.assets import dumps as dump_assets
from maint_assets.atlas.assets import staging
from maint_assets_tests.atlas.helpers import ALL_ASSETS

BACKUPS = dg.AssetSelection.groups(keys.GROUP_BACKUPS)
SAMPLE_ROWS = 500
STAGING_OP = "atlas__database__atlas_staging"
SAMPLE_ONLY = {"ops": {"atlas_snapshot_dumps": {"config": {"rows": SAMPLE_ROWS}}}}
SAMPLE_CONFIG = {  # the whole group: the staging rebuild confirmed
    "ops": {
        **SAMPLE_ONLY["ops"],
        STAGING_OP: {"config": {"confirm_database": "atlas_staging"}},
    }
}


def materialize_backups(
    resources, selection=BACKUPS, run_config=None, raise_on_error=True, instance=None
):
    if run_config is None:
        run_config = SAMPLE_CONFIG if selection is BACKUPS else {}
    return dg.materialize(
        [*ALL_ASSETS, *dump_assets.ASSETS, *staging.ASSETS, *checks.DUMP_CHECKS],
        resources=resources,
        selection=selection,
        run_config=run_config,
        raise_on_error=raise_on_error,
        instance=instance,
    )


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        f"{e.asset_key.path[-1]}:{e.check_name}": e.passed
        for e in result.get_asset_check_evaluations()
    }


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    return result.get_step_failure_events()[0].event_specific_data.error.to_string()


def confirmed_staging(database: str) -> dict:
    """The staging rebuild of ``database``, confirmed."""
    return {"ops": {STAGING_OP: {"config": {"database": database, "confirm_database": database}}}}


@contextmanager
def scratch_database(cluster, name: str, marker: str | None = None) -> Iterator[str]:
    """A database created outside maint_assets (``marker``: the comment it carries), with a
    table of 1 000 rows; dropped afterwards."""
    with cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if marker:
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(marker)
                )
            )
    url = cluster.url(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE precious AS SELECT generate_series(1, 1000) AS id")
    try:
        yield url
    finally:
        with cluster.connect(autocommit=True) as conn:
            for db in (name, f"{name}__previous", f"{name}__building"):
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db))
                )
