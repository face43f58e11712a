"""W3ACT's database backed up twice from one snapshot: a pg_dump (custom format) and a zip of
every table as CSV with a header, each checksummed in the artifact store, under its retention
policy, and each proven by a blocking check: the dump restores with the manifest's row counts,
and the zip holds one CSV per table with those row counts (both in checks.py).

The zip is laid out as the runbook's ``w3act get-csv`` folder zipped (python-w3act's
``w3act/dbc/client.py``): ``w3act-db-csv/<table>.csv`` for each table of ``public``, which is
where its ``load_csv`` reads them once extracted. A table of another schema, which get-csv
leaves out, is kept as ``w3act-db-csv/<schema>.<table>.csv``."""

import tempfile
import zipfile
from pathlib import Path

import dagster as dg

from maint_assets.core import database_content
from maint_assets.core.artifact_steps import put_artifact
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.automation import DAILY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.snapshots import exported_snapshot, pg_dump
from maint_assets.core.sql_files import compose
from maint_assets.webarchive.keys import (
    GROUP_WEBARCHIVE,
    OWNERS,
    POOL_W3ACT_DB,
    SQL_W3ACT_BACKUP,
    W3ACT_BACKUP,
    W3ACT_CSV_CHECK,
    W3ACT_CSV_FOLDER,
    W3ACT_DUMP_CHECK,
    W3ACT_DUMP_FOLDER,
)


@dg.asset(
    key=W3ACT_BACKUP,
    group_name=GROUP_WEBARCHIVE,
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    pool=POOL_W3ACT_DB,
    kinds={"postgres", "s3"},
    description="pg_dump -Fc and a CSV-per-table zip of the W3ACT database, from one snapshot",
)
def w3act_backup(
    context: dg.AssetExecutionContext,
    w3act_db: PostgresResource,
    artifacts: ArtifactStore,
) -> dg.MaterializeResult:
    with tempfile.TemporaryDirectory() as tmp, exported_snapshot(w3act_db) as snap:
        dump, archive = Path(tmp) / "w3act.dump", Path(tmp) / "w3act-db-csv.zip"
        tables = database_content.count_rows(snap.conn, database_content.user_tables(snap.conn))
        pg_dump(snap, ["--format=custom"], dump, f"the W3ACT database ({w3act_db.describe()})")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for table in tables:
                with (
                    zf.open(csv_member(table), "w") as member,
                    snap.conn.cursor().copy(
                        compose(
                            SQL_W3ACT_BACKUP, "copy_table", table=tuple(table.split(".", 1))
                        )
                    ) as copy,
                ):
                    for block in copy:
                        member.write(block)
        manifest = {
            "source": w3act_db.describe(),
            "server_version": snap.server_version,
            "tables": tables,
        }
        recorded = {
            **put_artifact(
                context, artifacts, dump, W3ACT_DUMP_FOLDER, {**manifest, "format": "custom"},
                name="dump", checked_by=W3ACT_DUMP_CHECK,
            ),
            **put_artifact(
                context, artifacts, archive, W3ACT_CSV_FOLDER, {**manifest, "format": "csv-zip"},
                name="csv_zip", checked_by=W3ACT_CSV_CHECK,
            ),
        }
    return dg.MaterializeResult(
        metadata={
            **recorded,
            "tables": len(tables),
            "rows": sum(tables.values()),
        }
    )


CSV_FOLDER = "w3act-db-csv"


def csv_member(table: str) -> str:
    """The zip member of ``table`` (``schema.table``)."""
    schema, name = table.split(".", 1)
    return f"{CSV_FOLDER}/{name if schema == 'public' else table}.csv"


def table_of(member: str) -> str:
    """The ``schema.table`` of a zip member written by ``csv_member``."""
    name = member.removeprefix(f"{CSV_FOLDER}/").removesuffix(".csv")
    return name if "." in name else f"public.{name}"
