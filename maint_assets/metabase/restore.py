"""Restoring a backup into Metabase's application database, on request.

The restore is an op in a job, not an asset: it changes a live database. It refuses to run
unless its config names the target database exactly, backs the target up first, drops every
object of the target (sql/metabase/restore_metabase.sql: ``--clean`` alone left the tables a
later Metabase upgrade added), loads the backup and compares its views and row counts with the
backup's record, all in one transaction: a restore that fails half-way, or restores something
other than the record, rolls back and leaves the target as it was (the runbook's
``pg_restore -c`` wiped it with no way back). The database itself stays, with its owner,
grants and settings, and so do the extensions Metabase's role cannot drop
(metabase/extensions.py).
"""

import json
import tempfile
from pathlib import Path

import dagster as dg
from pydantic import Field

from maint_assets.core import databases
from maint_assets.core.artifact_steps import check_verdicts
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.pg_tools import url_parts
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement
from maint_assets.metabase.dumps import dump_app_db
from maint_assets.metabase.extensions import restore_listing
from maint_assets.metabase.keys import (
    BACKUP_FOLDER,
    METABASE_BACKUP,
    PRE_RESTORE_FOLDER,
    RESTORE_CHECK,
    SQL_RESTORE,
)


class RestoreConfig(dg.Config):
    confirm_target_database: str = Field(
        description="must equal the name of the database being restored: the restore replaces "
        "its content"
    )
    artifact_key: str = Field(
        default="",
        description="the backup to restore; when empty, the newest one its restore check passed",
    )
    allow_other_sessions: bool = Field(
        default=False,
        description="restore although other sessions are connected, when none of them is "
        "Metabase (a monitoring agent, a connection pooler's idle connections): their open "
        "transactions then hold the restore's drops up to its lock timeout",
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
    target = url_parts(metabase_db.url).get("dbname", "")
    if config.confirm_target_database != target:
        raise RestoreRefused(
            f"this job replaces the content of {metabase_db.describe()}: set "
            f"confirm_target_database to {target!r} to confirm (got "
            f"{config.confirm_target_database!r})"
        )
    backups = artifacts.list(BACKUP_FOLDER)
    if config.artifact_key:
        chosen = next((a for a in backups if a.key == config.artifact_key), None)
    else:
        # The newest backup proven to restore (its check's verdict in the event log), not the
        # newest file: a backup that failed its check, or was never checked, would replace a
        # working application database with one that may not load.
        verdicts = check_verdicts(
            context.instance, dg.AssetCheckKey(METABASE_BACKUP, RESTORE_CHECK)
        )
        # And one of this database: two databases' backups in one folder (a second Metabase,
        # a copy backed up with the same store) must not replace one with the other's.
        verified = [a for a in reversed(backups) if verdicts.get(a.key)]
        server = databases.server_and_oid(metabase_db)[0]
        chosen = next(
            (a for a in verified
             if _of_database(a.manifest, server, target, metabase_db.describe())),
            None,
        )
        if chosen is None and verified:
            raise RestoreRefused(
                f"no backup of database {target!r} in {artifacts.describe()}/{BACKUP_FOLDER} "
                f"passed its restore check; the newest that did, {verified[0].key}, is of "
                f"{verified[0].manifest.get('source', 'another database')}: name the one to "
                "restore in artifact_key"
            )
    if chosen is None:
        raise RestoreRefused(
            f"no backup {config.artifact_key} in {artifacts.describe()}/{BACKUP_FOLDER}"
            if config.artifact_key
            else f"no backup in {artifacts.describe()}/{BACKUP_FOLDER} passed its restore "
            "check: name the one to restore in artifact_key"
        )
    # Refused while Metabase still runs, before anything is backed up or changed: the
    # restore's drops would wait for its open transactions (its scheduler's) while every
    # Metabase request queued behind them, and a Metabase left running works on, with its
    # caches, over a database it did not migrate.
    with metabase_db.connect() as conn:
        others = conn.execute(statement(SQL_RESTORE, "other_sessions")).fetchall()
    if others:
        named = f"{len(others)} other session(s) are connected to {metabase_db.describe()}: " + (
            "; ".join(
                f"pid {pid} (user {user}, application {app!r}, connected since {since})"
                for pid, user, app, since in others[:10]
            )
        )
        if not config.allow_other_sessions:
            raise RestoreRefused(
                f"{named}. Stop Metabase first (scale its deployment to 0), then run the "
                "restore again; if none of them is Metabase (a monitoring agent, a pooler's "
                "idle connections), set allow_other_sessions: true. Nothing was backed up or "
                "changed"
            )
        context.log.warning(f"{named}: restoring all the same (allow_other_sessions)")
    major = databases.major_version(metabase_db)
    with tempfile.TemporaryDirectory() as tmp:
        chosen_path = artifacts.fetch(chosen, Path(tmp) / chosen.name)
        # Refused here, before the target is backed up or changed, if the backup needs an
        # extension the role cannot create or leave as it is.
        listing = restore_listing(
            metabase_db, chosen_path, major, chosen.manifest.get("extensions"), Path(tmp),
            chosen.key,
        )
        for kept in listing.left_in_place:
            if kept.recorded is None:
                context.log.warning(
                    f"extension {kept.name} left in place at version {kept.installed}: "
                    f"{chosen.key} predates the record of extension versions, so the version "
                    "it was made with is not known"
                )
            else:
                context.log.info(
                    f"extension {kept.name} left in place at version {kept.installed} (the "
                    f"backup's: {kept.recorded}): this role does not own it"
                )
        path, manifest = dump_app_db(metabase_db, Path(tmp))
        before = artifacts.put(
            path, PRE_RESTORE_FOLDER, path.name,
            {"asset": METABASE_BACKUP.to_user_string(), **manifest, "run_id": context.run_id},
        )
        context.log.info(f"{metabase_db.describe()} backed up to {before.key} before restoring")
        # Every object of the database dropped first, in the restore's transaction: the
        # backup's state comes back, not the backup's objects beside newer ones.
        # The restored views and row counts are compared with the backup's record inside
        # the same transaction, before its commit: a mismatch leaves the target as it was.
        databases.load_dump_after(
            metabase_db.url, chosen_path, major, chosen.key,
            statement(SQL_RESTORE, "drop_app_objects"), listing.path, Path(tmp),
            last=statement(SQL_RESTORE, "verify_restored") + "\n"
            + statement(SQL_RESTORE, "release_migration_lock"),
            variables={
                "expected_views": json.dumps(chosen.manifest.get("views", {})),
                "expected_rows": json.dumps(chosen.manifest["tables"]),
            },
        )
    return dg.Output(
        None,
        metadata={
            "restored": chosen.key,
            "backup_of_previous_content": before.key,
            "target": metabase_db.describe(),
        },
    )


def _of_database(manifest: dict, server: int, name: str, described: str) -> bool:
    """Whether a backup was made of database ``name`` of the server whose system identifier is
    ``server``; for a manifest older than that record, of the database ``described`` (name,
    host and port). The name alone matched another server's database of the same name."""
    if "system_identifier" in manifest:
        return (manifest["system_identifier"], manifest["database"]) == (server, name)
    return manifest.get("source") == described
