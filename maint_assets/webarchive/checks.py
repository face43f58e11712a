"""The W3ACT backup's checks: both read the artifacts their run's materialization recorded,
never the newest file of a folder (another run's, or one put there by hand). The CDX index's
checks are evaluated in its own step (assets/cdx_index.py): they need the run's ledger."""

import csv
import io
import tempfile
import zipfile
from pathlib import Path

import dagster as dg

from maint_assets.core.artifacts import ArtifactCorrupt, ArtifactStore
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.restores import ArtifactMissing, Recorded, recorded_artifact, restore_check
from maint_assets.webarchive.assets.w3act_backup import table_of
from maint_assets.webarchive.keys import (
    W3ACT_BACKUP,
    W3ACT_CSV_CHECK,
    W3ACT_CSV_FOLDER,
    W3ACT_DUMP_CHECK,
    W3ACT_DUMP_FOLDER,
    W3ACT_SCRATCH_PREFIX,
)


@dg.asset_check(
    asset=W3ACT_BACKUP,
    name=W3ACT_DUMP_CHECK,
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
        context, artifacts, restore_server,
        [Recorded(W3ACT_BACKUP, W3ACT_DUMP_FOLDER, metadata_key="dump")], W3ACT_SCRATCH_PREFIX,
    )


@dg.asset_check(
    asset=W3ACT_BACKUP,
    name=W3ACT_CSV_CHECK,
    blocking=True,
    description="The zip its run stored (checksum verified) holds one CSV per table of its "
    "manifest, each with a header and the manifest's row count.",
)
def w3act_csv_zip_complete(
    context: dg.AssetCheckExecutionContext, artifacts: ArtifactStore
) -> dg.AssetCheckResult:
    source = Recorded(W3ACT_BACKUP, W3ACT_CSV_FOLDER, metadata_key="csv_zip")
    try:
        recorded = recorded_artifact(context.instance, context.run.run_id, artifacts, source)
    except ArtifactMissing as err:
        return dg.AssetCheckResult(passed=False, metadata={"error": str(err)})
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = artifacts.fetch(recorded, Path(tmp) / recorded.name)
            found = _csv_rows(path)
    except (ArtifactCorrupt, zipfile.BadZipFile) as err:
        return dg.AssetCheckResult(
            passed=False, metadata={"artifact": recorded.key, "error": str(err)}
        )
    expected = recorded.manifest["tables"]
    wrong = {
        t: {"found": found.get(t), "expected": n} for t, n in expected.items() if found.get(t) != n
    }
    return dg.AssetCheckResult(
        passed=not wrong and set(found) == set(expected),
        metadata={
            "artifact": recorded.key,
            "tables": len(found),
            "mismatches": dg.MetadataValue.json(wrong),
            "unexpected": dg.MetadataValue.json(sorted(set(found) - set(expected))),
        },
    )


def _csv_rows(path: Path) -> dict[str, int]:
    """Rows of each CSV member of the zip at ``path``, its header aside."""
    found = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            with zf.open(name) as member:
                rows = sum(1 for _ in csv.reader(io.TextIOWrapper(member, newline="")))
            found[table_of(name)] = rows - 1
    return found
