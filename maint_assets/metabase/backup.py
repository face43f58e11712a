"""Backing up Metabase's application database, proving each backup restores, and restoring
one on request.

The restore is a job, not an asset: it changes a live database. It refuses to run unless its
config names the target database exactly, backs the target up first, and restores with
``pg_restore --clean --single-transaction``: a restore that fails half-way rolls back and
leaves the target as it was (the runbook's ``pg_restore -c`` wiped it with no way back).
"""

import tempfile
from pathlib import Path

import dagster as dg
from psycopg import conninfo
from pydantic import Field

from maint_assets.core import databases
from maint_assets.core.artifacts import Artifact, ArtifactStore
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.restores import Recorded, restore_check
from maint_assets.core.snapshots import exported_snapshot, pg_dump

APP_DB_BACKUP = dg.AssetKey(["metabase", "app_db_backup"])
FOLDER = "metabase/app_db_backup"
PRE_RESTORE_FOLDER = "metabase/before_restore"
GROUP = "metabase"


def _dump(
    metabase_db: PostgresResource, artifacts: ArtifactStore, folder: str, tmp: Path, run_id: str
) -> Artifact:
    """pg_dump -Fc of the application database, with every table's row count, from one
    snapshot."""
    path = tmp / "metabase.dump"
    with exported_snapshot(metabase_db) as snap:
        tables = databases.count_rows(snap.conn, databases.user_tables(snap.conn))
        pg_dump(
            snap, ["--format=custom"], path,
            f"the Metabase application database ({metabase_db.describe()})",
        )
        version = snap.server_version
    return artifacts.put(
        path,
        folder,
        path.name,
        {
            "asset": APP_DB_BACKUP.to_user_string(),
            "format": "custom",
            "source": metabase_db.describe(),
            "server_version": version,
            "tables": tables,
            "run_id": run_id,
        },
    )


@dg.asset(
    key=APP_DB_BACKUP,
    group_name=GROUP,
    kinds={"postgres", "s3"},
    description="pg_dump -Fc of the Metabase application database (no owners, no "
    "privileges), with row counts, in the artifact store under its retention policy.",
)
def app_db_backup(
    context: dg.AssetExecutionContext, metabase_db: PostgresResource, artifacts: ArtifactStore
) -> dg.MaterializeResult:
    with tempfile.TemporaryDirectory() as tmp:
        artifact = _dump(metabase_db, artifacts, FOLDER, Path(tmp), context.run.run_id)
    pruned = artifacts.prune(FOLDER, artifacts.retention)
    return dg.MaterializeResult(
        metadata={
            "artifact": artifact.key,
            "store": artifacts.describe(),
            "size_bytes": artifact.size,
            "sha256": artifact.sha256,
            "tables": len(artifact.manifest["tables"]),
            "pruned": dg.MetadataValue.json([a.key for a in pruned]),
        }
    )


@dg.asset_check(
    asset=APP_DB_BACKUP,
    name="restores",
    blocking=True,
    description="The backup its run stored (checksum verified) restores into a scratch "
    "database on the restore server (never Metabase's own server) and every table holds the "
    "row count of its manifest.",
)
def app_db_backup_restores(
    context: dg.AssetCheckExecutionContext,
    restore_server: PostgresResource,
    artifacts: ArtifactStore,
) -> dg.AssetCheckResult:
    return restore_check(
        context,
        artifacts,
        restore_server,
        [Recorded(APP_DB_BACKUP, FOLDER)],
        "maint_assets_check_metabase",
    )


class RestoreConfig(dg.Config):
    confirm_target_database: str = Field(
        description="must equal the name of the database being restored: the restore replaces "
        "its content"
    )
    artifact_key: str = Field(
        default="", description="the backup to restore; the latest one when empty"
    )


class RestoreRefused(RuntimeError):
    pass


@dg.op(
    description="Back up the Metabase application database, then restore a backup into "
    "it in one transaction."
)
def restore_app_db(
    context: dg.OpExecutionContext,
    config: RestoreConfig,
    metabase_db: PostgresResource,
    artifacts: ArtifactStore,
) -> dg.Output[None]:
    target = conninfo.conninfo_to_dict(metabase_db.url).get("dbname", "")
    if config.confirm_target_database != target:
        raise RestoreRefused(
            f"this job replaces the content of {metabase_db.describe()}: set "
            f"confirm_target_database to {target!r} to confirm (got "
            f"{config.confirm_target_database!r})"
        )
    backups = artifacts.list(FOLDER)
    chosen = (
        next((a for a in backups if a.key == config.artifact_key), None)
        if config.artifact_key
        else (backups[-1] if backups else None)
    )
    if chosen is None:
        raise RestoreRefused(
            f"no backup {config.artifact_key or ''} in {artifacts.describe()}/{FOLDER}".strip()
        )
    major = databases.major_version(metabase_db)
    with tempfile.TemporaryDirectory() as tmp:
        before = _dump(metabase_db, artifacts, PRE_RESTORE_FOLDER, Path(tmp), context.run_id)
        context.log.info(f"{metabase_db.describe()} backed up to {before.key} before restoring")
        path = artifacts.fetch(chosen, Path(tmp) / chosen.name)
        databases.load_dump(metabase_db.url, path, "custom", major, chosen.key, clean=True)
    wrong = databases.count_mismatches(metabase_db.url, chosen.manifest["tables"])
    if wrong:
        raise RuntimeError(f"restored {chosen.key} but row counts differ: {wrong}")
    return dg.Output(
        None,
        metadata={
            "restored": chosen.key,
            "backup_of_previous_content": before.key,
            "target": metabase_db.describe(),
        },
    )


@dg.job(description="Restore a Metabase application-database backup (stop Metabase first).")
def restore_metabase() -> None:
    restore_app_db()
