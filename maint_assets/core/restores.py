"""Restoring stored dumps: the restore checks every backup asset carries, and loading the
latest dumps of several folders into one database."""

import tempfile
from pathlib import Path

import dagster as dg

from maint_assets.core import databases
from maint_assets.core.artifacts import Artifact, ArtifactCorrupt, ArtifactStore
from maint_assets.core.pg_tools import PgToolError
from maint_assets.core.postgres import PostgresResource


def load_latest(
    artifacts: ArtifactStore, folders: list[str], url: str, major: int, tmp: Path
) -> list[Artifact]:
    """Fetch (checksum verified) and load the latest artifact of each folder, in order, each
    as its manifest says (format, triggers)."""
    loaded = []
    for folder in folders:
        artifact = artifacts.latest(folder)
        if artifact is None:
            raise ArtifactCorrupt(f"no dump in {artifacts.describe()}/{folder}")
        path = artifacts.fetch(artifact, tmp / artifact.name)
        databases.load_dump(
            url,
            path,
            artifact.manifest["format"],
            major,
            artifact.key,
            disable_triggers=artifact.manifest.get("disable_triggers", False),
        )
        loaded.append(artifact)
    return loaded


def restore_check(
    artifacts: ArtifactStore, server: PostgresResource, folders: list[str], scratch: str
) -> dg.AssetCheckResult:
    """Load the latest dumps of ``folders`` into a scratch database on ``server``; passed
    when they all load and the last one's tables hold the row counts of its manifest."""
    major = databases.major_version(server)
    with (
        tempfile.TemporaryDirectory() as tmp,
        databases.scratch_database(server, scratch) as url,
    ):
        try:
            loaded = load_latest(artifacts, folders, url, major, Path(tmp))
        except (PgToolError, ArtifactCorrupt) as err:
            return dg.AssetCheckResult(passed=False, metadata={"error": str(err)})
        expected = loaded[-1].manifest.get("tables", {})
        wrong = databases.count_mismatches(url, expected)
    return dg.AssetCheckResult(
        passed=not wrong,
        metadata={
            "artifact": loaded[-1].key,
            "restored_after": dg.MetadataValue.json([a.key for a in loaded[:-1]]),
            "tables_checked": len(expected),
            "mismatches": dg.MetadataValue.json(
                {t: {"found": f, "expected": e} for t, (f, e) in wrong.items()}
            ),
        },
    )
