"""An artifact stored from an asset's step (``put_artifact``): put in the artifact store with
the asset and run in its manifest, and its folder pruned under the retention policy with the
verdicts of the asset's restore check, read from Dagster's event log (``check_verdicts``)."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from maint_assets.core.artifacts import ArtifactStore


def put_artifact(
    context: dg.AssetExecutionContext,
    artifacts: ArtifactStore,
    source: Path,
    folder: str,
    manifest: dict[str, Any],
    *,
    filename: str | None = None,
    name: str = "artifact",
    sha256: str | None = None,
    checked_by: str | None = None,
    asset_key: dg.AssetKey | None = None,
) -> dict[str, Any]:
    """Store ``source`` (consumed) in ``folder`` with ``manifest`` plus the asset and run,
    prune ``folder`` under the store's retention policy, and return the materialization
    metadata that records it: ``name`` (the key restore checks read),
    ``<name>_size_bytes``, ``<name>_sha256``, ``<name>_pruned``, ``<name>_aborted_uploads``
    and ``store``; with the default name the four are ``size_bytes``, ``sha256``, ``pruned``
    and ``aborted_uploads``.

    ``checked_by`` names the asset's check that restores what ``name`` records: the artifacts
    it failed (its evaluations in the event log) and the new one, not checked yet, do not
    count toward the number kept, so the retention never deletes the newest backups that
    restored in favour of ones that do not; those it failed are deleted but for the newest
    when no passing one is newer (``prune``). Artifacts no evaluation names (older than the
    event log, copied in by hand) count as passing ones: deleting them as failed needs
    evidence.

    ``asset_key``: the asset the artifact is of, when the step materializes several.

    Before storing, the unfinished uploads a killed or cut-off put left in ``folder`` are
    aborted when every run still in progress began after them (``<name>_aborted_uploads``)."""
    aborted = artifacts.abort_unfinished(folder, _oldest_run_in_progress(context.instance))
    if aborted:
        context.log.warning(
            f"aborted unfinished uploads left in {artifacts.describe()}: "
            f"{', '.join(u.key for u in aborted)}"
        )
    asset_key = asset_key or context.asset_key
    artifact = artifacts.put(
        source,
        folder,
        filename or source.name,
        {"asset": asset_key.to_user_string(), **manifest, "run_id": context.run.run_id},
        sha256=sha256,
    )
    verdicts = (
        check_verdicts(context.instance, dg.AssetCheckKey(asset_key, checked_by))
        if checked_by is not None
        else {}
    )
    source_db = manifest.get("source")
    listed = artifacts.list(folder)  # one read of the folder's manifests, for both
    pruned = artifacts.prune(
        folder, artifacts.retention, verdicts, unchecked={artifact.key}, source=source_db,
        listed=listed,
    )
    others = sorted({a.manifest.get("source") for a in listed} - {source_db, None})
    if source_db and others:
        adopt = "; ".join(
            f"maint-assets artifacts adopt {shlex.quote(folder)} --from {shlex.quote(other)} "
            f"--to {shlex.quote(source_db)}"
            for other in others
        )
        context.log.warning(
            f"{artifacts.describe()}/{folder} also holds backups of {'; '.join(others)}: "
            f"neither counted nor pruned by the retention of {source_db}'s. If they are "
            f"backups of this same database (its server moved or was renamed), say so once "
            f"and they are pruned with these: {adopt}"
        )
    prefix = "" if name == "artifact" else f"{name}_"
    return {
        name: artifact.key,
        f"{prefix}size_bytes": artifact.size,
        f"{prefix}sha256": artifact.sha256,
        f"{prefix}pruned": dg.MetadataValue.json([a.key for a in pruned]),
        f"{prefix}aborted_uploads": dg.MetadataValue.json(
            [{"key": u.key, "started": u.started.isoformat()} for u in aborted]
        ),
        "store": artifacts.describe(),
    }


_FINISHED = {
    dg.DagsterRunStatus.SUCCESS,
    dg.DagsterRunStatus.FAILURE,
    dg.DagsterRunStatus.CANCELED,
}


def _oldest_run_in_progress(instance: dg.DagsterInstance) -> datetime:
    """When the oldest run not finished (the caller's at least) was created: an upload begun
    before that belongs to no run that could still complete it."""
    unfinished = [s for s in dg.DagsterRunStatus if s not in _FINISHED]
    records = instance.get_run_records(dg.RunsFilter(statuses=unfinished))
    return min((r.create_timestamp for r in records), default=datetime.now(UTC))


# The metadata of a restore check's evaluation that failed because of its server, not the
# artifact (core/restore_server.py): it says nothing about the artifact.
RESTORE_SERVER_FAILURE = "restore_server_failure"
# Enough evaluations to cover a year of daily backups (the monthly slots of the default
# policy); an artifact older than that counts as unchecked, so it is kept, never deleted.
_VERDICT_HISTORY = 1000


def check_verdicts(instance: dg.DagsterInstance, check_key: dg.AssetCheckKey) -> dict[str, bool]:
    """{artifact key: passed} from the evaluations of ``check_key`` in the event log (the
    ``artifact`` each recorded), the latest evaluation of an artifact winning. Evaluations
    that failed because of the restore server (``RESTORE_SERVER_FAILURE``) are left out:
    retention deletes a failed artifact, which needs evidence against the artifact."""
    verdicts: dict[str, bool] = {}
    records = instance.event_log_storage.get_asset_check_execution_history(
        check_key, limit=_VERDICT_HISTORY
    )
    for record in records:  # newest first
        evaluation = record.event and record.event.dagster_event
        data = evaluation and evaluation.event_specific_data
        if not isinstance(data, dg.AssetCheckEvaluation) or RESTORE_SERVER_FAILURE in data.metadata:
            continue
        recorded = data.metadata.get("artifact")
        if recorded is not None:
            verdicts.setdefault(str(recorded.value), data.passed)
    return verdicts
