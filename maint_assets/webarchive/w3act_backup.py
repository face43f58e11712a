"""W3ACT's database backed up twice from one snapshot: a pg_dump (custom format) and a zip of
every table as CSV with a header, each checksummed in the artifact store, under its retention
policy, and each proven by a blocking check: the dump restores with the manifest's row counts,
and the zip holds one CSV per table with those row counts."""

import csv
import io
import tempfile
import zipfile
from pathlib import Path

import dagster as dg
from psycopg import sql

from maint_assets.core import databases
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.automation import DAILY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.restores import Recorded, restore_check
from maint_assets.core.snapshots import exported_snapshot, pg_dump
from maint_assets.webarchive.keys import GROUP, W3ACT_BACKUP, W3ACT_POOL

DUMP_FOLDER = "webarchive/w3act/dump"
CSV_FOLDER = "webarchive/w3act/csv"


@dg.asset(
    key=W3ACT_BACKUP,
    group_name=GROUP,
    freshness_policy=DAILY_FRESHNESS,
    pool=W3ACT_POOL,
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
        tables = databases.count_rows(snap.conn, databases.user_tables(snap.conn))
        pg_dump(snap, ["--format=custom"], dump, f"the W3ACT database ({w3act_db.describe()})")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for table in tables:
                with (
                    zf.open(f"{table}.csv", "w") as member,
                    snap.conn.cursor().copy(
                        sql.SQL("COPY {} TO STDOUT WITH (FORMAT csv, HEADER)").format(
                            sql.Identifier(*table.split(".", 1))
                        )
                    ) as copy,
                ):
                    for block in copy:
                        member.write(block)
        manifest = {
            "asset": W3ACT_BACKUP.to_user_string(),
            "source": w3act_db.describe(),
            "server_version": snap.server_version,
            "tables": tables,
            "run_id": context.run.run_id,
        }
        stored = {
            DUMP_FOLDER: artifacts.put(
                dump, DUMP_FOLDER, dump.name, {**manifest, "format": "custom"}
            ),
            CSV_FOLDER: artifacts.put(
                archive, CSV_FOLDER, archive.name, {**manifest, "format": "csv-zip"}
            ),
        }
    pruned = [a.key for folder in stored for a in artifacts.prune(folder, artifacts.retention)]
    return dg.MaterializeResult(
        metadata={
            "dump": stored[DUMP_FOLDER].key,
            "csv_zip": stored[CSV_FOLDER].key,
            "store": artifacts.describe(),
            "tables": len(tables),
            "rows": sum(tables.values()),
            "size_bytes": sum(a.size for a in stored.values()),
            "sha256": dg.MetadataValue.json({f: a.sha256 for f, a in stored.items()}),
            "pruned": dg.MetadataValue.json(pruned),
        }
    )


@dg.asset_check(
    asset=W3ACT_BACKUP,
    name="dump_restores",
    blocking=True,
    description="The dump its run stored (checksum verified) restores into a scratch database "
    "on the restore server (never W3ACT's own server) with the tables and row counts of its "
    "manifest.",
)
def w3act_dump_restores(
    context: dg.AssetCheckExecutionContext,
    restore_server: PostgresResource,
    artifacts: ArtifactStore,
) -> dg.AssetCheckResult:
    return restore_check(
        context,
        artifacts,
        restore_server,
        [Recorded(W3ACT_BACKUP, DUMP_FOLDER, metadata_key="dump")],
        "maint_assets_check_w3act",
    )


@dg.asset_check(
    asset=W3ACT_BACKUP,
    name="csv_zip_complete",
    blocking=True,
    description="The stored zip (checksum verified) holds one CSV per table of its manifest, "
    "each with a header and the manifest's row count.",
)
def w3act_csv_zip_complete(artifacts: ArtifactStore) -> dg.AssetCheckResult:
    latest = artifacts.latest(CSV_FOLDER)
    if latest is None:
        return dg.AssetCheckResult(passed=False, metadata={"error": f"no zip in {CSV_FOLDER}"})
    with tempfile.TemporaryDirectory() as tmp:
        path = artifacts.fetch(latest, Path(tmp) / latest.name)
        with zipfile.ZipFile(path) as zf:
            found = {}
            for name in zf.namelist():
                with zf.open(name) as member:
                    rows = sum(1 for _ in csv.reader(io.TextIOWrapper(member, newline="")))
                found[name.removesuffix(".csv")] = rows - 1  # the header
    expected = latest.manifest["tables"]
    wrong = {
        t: {"found": found.get(t), "expected": n} for t, n in expected.items() if found.get(t) != n
    }
    return dg.AssetCheckResult(
        passed=not wrong and set(found) == set(expected),
        metadata={
            "artifact": latest.key,
            "tables": len(found),
            "mismatches": dg.MetadataValue.json(wrong),
            "unexpected": dg.MetadataValue.json(sorted(set(found) - set(expected))),
        },
    )
