"""Production's tablespace in the schema dump, and a restore check judging the dump it checks by
another dump's failure (found by a real-schema trial)."""

import os
import time
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from maint_assets.atlas import keys
from maint_assets.atlas.backups import dumps
from maint_assets.core.artifact_steps import check_verdicts
from maint_assets.core.databases import database_url
from maint_assets_tests.atlas.backup_helpers import (
    check_results,
    materialize_backups,
)
from maint_assets_tests.atlas.helpers import rows

# Production keeps its big tables in this tablespace (reference/atlas-db.md §2, §6: the
# schema dump of atlas-db says "SET default_tablespace = ssdpool" before observations and
# its partitions).
TABLESPACE = "ssdpool"


@pytest.fixture
def atlas_url(small_atlas_url: str) -> str:
    return small_atlas_url


def _tablespace_dir(pg_cluster) -> Path:
    # inside the cluster's home, reachable by the server's user (postgres when we are root)
    path = Path(pg_cluster.home).parent / f"ts_{TABLESPACE}_{time.time_ns()}"
    path.mkdir()
    owner = pg_cluster.data_dir.stat()
    os.chown(path, owner.st_uid, owner.st_gid)
    return path


def test_a_staging_server_without_productions_tablespace_still_restores_the_schema_dump(
    backup_resources, staging_server, atlas_url, pg_cluster, monkeypatch
):
    """Production's observations live in tablespace ssdpool. The schema dump records it
    (pg_dump writes SET default_tablespace = ssdpool before those tables) and pg_restore
    replays it unless told --no-tablespaces: a restore server or staging server without that
    tablespace (any other machine) refuses the whole dump. Here the tablespace is dropped
    once the schema is dumped: the staging server then lacks it."""
    location = _tablespace_dir(pg_cluster)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE TABLESPACE {} LOCATION {}").format(
                sql.Identifier(TABLESPACE), sql.Literal(str(location))
            )
        )
        conn.execute(
            sql.SQL("ALTER TABLE observations_partitions.outside_quebec SET TABLESPACE {}").format(
                sql.Identifier(TABLESPACE)
            )
        )

    def then_drop_tablespace(snap, out):
        dump = real_schema_dump(snap, out)
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute(
                "ALTER TABLE observations_partitions.outside_quebec SET TABLESPACE pg_default"
            )
            conn.execute(sql.SQL("DROP TABLESPACE {}").format(sql.Identifier(TABLESPACE)))
        return dump

    real_schema_dump = dumps.schema_dump
    monkeypatch.setattr(dumps, "schema_dump", then_drop_tablespace)
    try:
        result = materialize_backups(backup_resources, raise_on_error=False)
        checks = check_results(result)
        failed = {
            e.check_name + ":" + e.asset_key.path[-1]: e.metadata.get("error").value
            for e in result.get_asset_check_evaluations()
            if not e.passed
        }
        assert set(checks.values()) == {True}, failed
        staging = database_url(staging_server, "atlas_staging")
        assert rows(staging, "SELECT count(*) FROM public.observations")[0][0] > 0
    finally:
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP TABLESPACE IF EXISTS {}").format(sql.Identifier(TABLESPACE)))


def test_a_prerequisite_that_does_not_load_is_no_verdict_on_the_dump_checked(
    backup_resources, s3_store, dagster_instance
):
    """The reference data dump's restore check loads the schema dump first. Run on its own
    (a check re-run from the UI: recorded_artifact supports it), when that schema dump no
    longer loads (here its stored copy is damaged), the check's evaluation names the
    reference data dump as the artifact that failed: check_verdicts records False for it, and
    retention deletes reference data dumps for their schema dump's fault."""
    import boto3

    dumps_only = dg.AssetSelection.assets(*keys.DUMP_FOLDERS).without_checks() - (
        dg.AssetSelection.assets(keys.ROLES_DUMP)
    )
    materialize_backups(
        backup_resources,
        dumps_only,
        {"ops": {"atlas_snapshot_dumps": {"config": {"rows": 200}}}},
        instance=dagster_instance,
    )
    schema = s3_store.latest(keys.DUMP_FOLDERS[keys.SCHEMA_DUMP])
    reference = s3_store.latest(keys.DUMP_FOLDERS[keys.REFERENCE_DATA_DUMP])
    s3 = boto3.client("s3", endpoint_url=s3_store.endpoint_url, region_name="us-east-1")
    s3.put_object(
        Bucket=s3_store.bucket, Key=f"{s3_store.prefix}/{schema.key}", Body=b"\0" * schema.size
    )  # bit rot: same size, other bytes
    check_key = dg.AssetCheckKey(keys.REFERENCE_DATA_DUMP, "restores")
    result = materialize_backups(
        backup_resources,
        dg.AssetSelection.checks(check_key),
        {},
        raise_on_error=False,
        instance=dagster_instance,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert schema.key in str(evaluation.metadata["error"].value)
    verdicts = check_verdicts(dagster_instance, check_key)
    assert reference.key not in verdicts, (
        f"the reference data dump {reference.key} judged by its schema dump's failure: {verdicts}"
    )
