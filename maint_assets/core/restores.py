"""Restoring stored dumps: the restore checks every backup asset carries, and loading a chain
of dumps into one database.

What is loaded is the artifact a materialization recorded (its ``artifact`` metadata), never
the newest file of a folder: a check proves the dump its own run wrote, and a file another run
or a person put there in the meantime is not mistaken for it.
"""

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import psycopg

from maint_assets.core import database_content, databases
from maint_assets.core.artifacts import Artifact, ArtifactCorrupt, ArtifactStore
from maint_assets.core.pg_tools import PgToolError
from maint_assets.core.postgres import DatabaseUnavailable, PostgresResource
from maint_assets.core.restore_server import GENERIC_REMEDY, error_cause, failed_restore


class ArtifactMissing(RuntimeError):
    """No materialization recorded an artifact, or the one it recorded is gone."""


class PrerequisiteFailed(RuntimeError):
    """A dump loaded before the one a restore check proves did not load: no verdict on the
    one checked (its check, run on its own, named it as the failed artifact, and retention
    deleted it for the other dump's fault)."""

    def __init__(self, key: str, err: Exception) -> None:
        super().__init__(f"{key}, loaded before the artifact checked, did not load: {err}")
        self.key = key


class SnapshotsDiffer(ValueError):
    """Dumps to be loaded together were read from different snapshots."""


def one_snapshot(chain: list[Artifact]) -> None:
    """Raise SnapshotsDiffer, naming each artifact's snapshot, unless the manifests of
    ``chain`` record one snapshot (``snapshot``: what it saw, pg_current_snapshot()) or none
    records any (dumps older than that record, or not written from a shared snapshot). Dumps
    of different moments loaded into one database join rows that never existed together: a
    sample naming a dataset the reference data dump, read earlier, does not have."""
    if len({a.manifest.get("snapshot") for a in chain}) > 1:
        listed = "; ".join(
            f"{a.key} read {a.manifest.get('snapshot') or 'an unrecorded snapshot'}"
            for a in chain
        )
        raise SnapshotsDiffer(
            f"the dumps to load together were not read from one snapshot ({listed}): "
            "write them again in one run, together"
        )


@dataclass(frozen=True)
class Recorded:
    """The artifact an asset's materialization recorded under ``metadata_key``, in ``folder``."""

    asset_key: dg.AssetKey
    folder: str
    metadata_key: str = "artifact"


def recorded_artifact(
    instance: dg.DagsterInstance, run_id: str, artifacts: ArtifactStore, source: Recorded
) -> Artifact:
    """The artifact ``source``'s asset recorded in run ``run_id`` or, when that run did not
    materialize it (a check run on its own, a dump another run wrote), in its latest
    materialization."""
    name = source.asset_key.to_user_string()
    in_run = [
        e
        for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        if e.asset_materialization and e.asset_materialization.asset_key == source.asset_key
    ]
    entry = in_run[-1] if in_run else instance.get_latest_materialization_event(source.asset_key)
    if entry is None or entry.asset_materialization is None:
        raise ArtifactMissing(f"{name} has no materialization: no artifact to load")
    recorded = entry.asset_materialization.metadata.get(source.metadata_key)
    if recorded is None:
        raise ArtifactMissing(
            f"the materialization of {name} in run {entry.run_id} recorded no "
            f"{source.metadata_key!r}"
        )
    found = next((a for a in artifacts.list(source.folder) if a.key == recorded.value), None)
    if found is None:
        raise ArtifactMissing(
            f"{recorded.value}, written by {name} in run {entry.run_id}, is no longer in "
            f"{artifacts.describe()}"
        )
    return found


RUN_TAG = "in run "
_RUN_ID = re.compile(re.escape(RUN_TAG) + r"([0-9a-f-]{36})\b")


def drop_scratch_of_finished_runs(
    instance: dg.DagsterInstance, server: PostgresResource, prefix: str
) -> list[str]:
    """Drop the scratch databases of ``prefix`` whose run is over (a run killed before its
    check dropped its own): each names its run in its marker; one whose run is still going,
    or that names none, is left alone. Returns the names dropped."""
    dropped = []
    for name, comment in databases.databases_like(server, prefix + "_"):
        found = _RUN_ID.search(comment or "")
        if not (comment or "").startswith(databases.MARKER) or found is None:
            continue
        run = instance.get_run_by_id(found.group(1))
        if run is not None and not run.is_finished:
            continue
        databases.drop_database(server, name)
        dropped.append(name)
    return dropped


def load_chain(
    artifacts: ArtifactStore, chain: list[Artifact], url: str, major: int, tmp: Path
) -> None:
    """Fetch (checksum verified) and load each artifact of ``chain``, in order, each as its
    manifest says (format, triggers)."""
    for artifact in chain:
        path = artifacts.fetch(artifact, tmp / artifact.name)
        databases.load_dump(
            url,
            path,
            artifact.manifest["format"],
            major,
            artifact.key,
            disable_triggers=artifact.manifest.get("disable_triggers", False),
        )


def restore_check(
    context: dg.AssetCheckExecutionContext,
    artifacts: ArtifactStore,
    server: PostgresResource,
    sources: list[Recorded],
    scratch: str,
    template: str | None = None,
    remedy: str = GENERIC_REMEDY,
) -> dg.AssetCheckResult:
    """Load the artifacts ``sources`` recorded (the dumps the last one needs, then it) into a
    scratch database on ``server`` named ``scratch`` plus the run (two runs of the same check
    never share one, so neither drops the other's); passed when they all load and every table
    the last one's manifest names is there with its row count. A manifest that names no table
    fails: the check would prove nothing. Tables whose content the manifest records (a hash of
    their rows) must also hold the same rows, not only as many. ``template``: the scratch
    database is made from it when the server has it (``databases.create_database``).
    ``remedy``: what to do when the load fails because of the server (restore_server.py)."""
    try:
        chain = [
            recorded_artifact(context.instance, context.run.run_id, artifacts, s) for s in sources
        ]
        one_snapshot(chain)
    except (ArtifactMissing, SnapshotsDiffer) as err:
        # No "artifact": not a verdict on the artifact (artifact_steps.check_verdicts).
        return dg.AssetCheckResult(passed=False, metadata={"error": str(err)})
    artifact = chain[-1]
    counts: dict[str, int] = artifact.manifest.get("tables", {})
    expected = sorted(set(counts) | set(artifact.manifest.get("relations", [])))
    if not expected:
        return dg.AssetCheckResult(
            passed=False,
            metadata={
                "artifact": artifact.key,
                "error": "its manifest names no table: restoring it would compare nothing",
            },
        )
    try:
        loaded = _load_and_read(context, artifacts, server, chain, scratch, template)
    except (DatabaseUnavailable, psycopg.Error, PgToolError) as err:
        # The load's own failure is the artifact's unless the server caused it; before or
        # after it (the server not reached, no right to create the scratch database), only
        # the server's is a check result, any other error fails the check's step.
        if not isinstance(err, PgToolError) and error_cause(err) is None:
            raise
        return dg.AssetCheckResult(
            passed=False, metadata=failed_restore(artifact.key, err, remedy)
        )
    except ArtifactCorrupt as err:
        return dg.AssetCheckResult(
            passed=False, metadata={"artifact": artifact.key, "error": str(err)}
        )
    except PrerequisiteFailed as err:
        # No "artifact": not a verdict on the artifact checked (check_verdicts).
        return dg.AssetCheckResult(
            passed=False, metadata={"failed_prerequisite": err.key, "error": str(err)}
        )
    present, found, views, changed = loaded
    missing = [t for t in expected if t not in present]
    # the views the manifest records (older manifests and other dumps record none)
    recorded_views = artifact.manifest.get("views", {})
    wrong_views = database_content.view_mismatches(views, recorded_views)
    wrong = {
        t: {"found": found[t], "expected": n} for t, n in counts.items() if found.get(t, n) != n
    }
    return dg.AssetCheckResult(
        passed=not (missing or wrong or changed or wrong_views),
        metadata={
            "artifact": artifact.key,
            "restored_after": dg.MetadataValue.json([a.key for a in chain[:-1]]),
            "tables_checked": len(expected),
            "encoding": artifact.manifest.get("encoding") or "the restore server's default",
            "missing_tables": dg.MetadataValue.json(missing),
            "mismatches": dg.MetadataValue.json(wrong),
            # tables whose rows' content the manifest records (the observations sample's)
            "content_checked": len(artifact.manifest.get("content", {})),
            "content_mismatches": dg.MetadataValue.json(sorted(changed)),
            "views_checked": len(recorded_views),
            # missing, or defined otherwise than when the backup was made
            "view_mismatches": dg.MetadataValue.json(wrong_views),
        },
    )


def _load_and_read(
    context: dg.AssetCheckExecutionContext,
    artifacts: ArtifactStore,
    server: PostgresResource,
    chain: list[Artifact],
    scratch: str,
    template: str | None,
) -> tuple[set[str], dict[str, int], dict[str, str], dict[str, dict[str, str]]]:
    """Load ``chain`` into a scratch database (restore_check); the tables present, the row
    counts of those the manifest counts, the views' definitions and the tables whose content
    differs from the manifest's record."""
    artifact = chain[-1]
    counts: dict[str, int] = artifact.manifest.get("tables", {})
    major = databases.major_version(server)
    left = drop_scratch_of_finished_runs(context.instance, server, scratch)
    if left:
        context.log.info(f"dropped scratch databases of runs that ended without: {left}")
    with (
        tempfile.TemporaryDirectory() as tmp,
        databases.scratch_database(
            server, databases.scratch_name(scratch, context.run.run_id),
            f"restore check of {artifact.key} {RUN_TAG}{context.run.run_id}",
            artifact.manifest.get("encoding"),
            template,
        ) as url,
    ):
        for before in chain[:-1]:
            try:
                load_chain(artifacts, [before], url, major, Path(tmp))
            except (PgToolError, ArtifactCorrupt) as err:
                # the server's own failures stay the server's (restore_check)
                if isinstance(err, PgToolError) and error_cause(err) is not None:
                    raise
                raise PrerequisiteFailed(before.key, err) from err
        load_chain(artifacts, chain[-1:], url, major, Path(tmp))
        with PostgresResource(url=url).connect() as conn:
            present = set(database_content.user_tables(conn))
            found = database_content.count_rows(conn, [t for t in counts if t in present])
            views = database_content.view_definitions(conn)
        content = artifact.manifest.get("content", {})
        changed = database_content.content_mismatches(
            url, {t: c for t, c in content.items() if t in present}
        )
    return present, found, views, changed
