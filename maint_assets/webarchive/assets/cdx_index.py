"""The CDX index of a WARC store (cdx_run does the work): every WARC and ARC file TrackDB lists,
newest first, in batches, one worker process per core; CDXJ segment files for pywb or
OutbackCDX; the lines of files that are gone, rewritten or re-queued removed; a file that
cannot be read quarantined, a store or server that cannot be reached retried, a file the
indexing user may not read reported (not quarantined: a chmod fixes it; tried again after the
others).

Checks, evaluated in the index's own step after each run (no extra step in the hourly run):
``index_lines_resolve`` (sampled lines point at their record) and ``every_warc_readable``
(nothing quarantined, no file the indexing user may not read).
"""

import os

import dagster as dg
import psycopg
from pydantic import Field

from maint_assets.core.automation import EAGER, HOURLY_FRESHNESS
from maint_assets.core.mounts import NOTHING_REMEMBERED, Remembered
from maint_assets.core.postgres import DatabaseUnavailable, MaintenanceLocked, PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.core.stored_files import StoreError
from maint_assets.core.stores import FileStore
from maint_assets.webarchive.cdx_outputs import CdxServerUnavailable
from maint_assets.webarchive.cdx_run import IndexRun, RunOptions, RunSummary, TransientFailures
from maint_assets.webarchive.checks import every_warc_readable, index_lines_resolve
from maint_assets.webarchive.keys import (
    CDX_INDEX,
    GROUP_WEBARCHIVE,
    OWNERS,
    POOL_WARC_STORE,
    SQL_DIR,
    TRACKDB,
)
from maint_assets.webarchive.resources import CdxSettings
from maint_assets.webarchive.store_mounts import MountNotRetired, StoreMounts

TRANSIENT = (
    TransientFailures, CdxServerUnavailable, StoreError, DatabaseUnavailable, MaintenanceLocked,
    # the server ended the session mid-run (restart, failover, network cut), a lock or
    # statement timeout: nothing recorded since the last commit; the run starts over
    psycopg.OperationalError,
)


class CdxConfig(dg.Config):
    batch_size: int = Field(default=1000, ge=1, description="files per run, newest first")
    workers: int = Field(default=0, ge=0, description="worker processes; 0 = one per core")
    retry_quarantined: bool = Field(
        default=False, description="index the quarantined files of the store again first"
    )
    file_retries: int = Field(
        default=3, ge=0, description="retries of a file (or CDX server call) on a store error"
    )
    retry_backoff_s: float = Field(
        default=2.0, ge=0, description="first wait before such a retry, doubled each time"
    )
    run_retries: int = Field(
        default=2, ge=0, description="runs retried by Dagster when files failed transiently"
    )
    run_retry_delay_s: float = Field(default=300.0, ge=0)
    retired_mounts: list[str] = Field(
        default=[],
        description="mount points under a local store's root (as a failed run names them, or "
        "relative to the root) whose disks are retired for good: no longer remembered, so "
        "that the lines of their WARCs the store says are gone are removed; a disk mounted "
        "there again is remembered again",
    )


CHECKS = [
    dg.AssetCheckSpec(
        "index_lines_resolve", asset=CDX_INDEX,
        description="Sampled index lines resolve to a record with their URL and timestamp at "
        "their offset and length in their file (and OutbackCDX answers them); every segment "
        "of the ledger exists and every indexed file's segment is live. A line whose file the "
        "store refuses, or that the store or OutbackCDX cannot be reached for (after "
        "retries), is not checked and is named, without failing the check.",
    ),
    dg.AssetCheckSpec(
        "every_warc_readable", asset=CDX_INDEX,
        description="No WARC or ARC file of the store is quarantined (unreadable: truncated, "
        "corrupt, not a WARC; or lines refused by the CDX server), and none waits because the "
        "indexing user may not read it; warns with the newest ones. The job "
        "webarchive_retry_failed indexes the quarantined ones again; the others are indexed by "
        "the first run after their permissions are fixed.",
    ),
]


@dg.asset(
    key=CDX_INDEX,
    deps=[TRACKDB],
    check_specs=CHECKS,
    group_name=GROUP_WEBARCHIVE,
    owners=OWNERS,
    freshness_policy=HOURLY_FRESHNESS,
    pool=POOL_WARC_STORE,
    automation_condition=EAGER,
    kinds={"pywb"},
    description="CDX index of the store's WARC and ARC files (CDXJ segments for pywb, or "
    "OutbackCDX), kept equal to the store: lines of gone or rewritten files removed",
)
def cdx_index(
    context: dg.AssetExecutionContext,
    config: CdxConfig,
    webarchive_db: PostgresResource,
    warc_store: FileStore,
    cdx: CdxSettings,
) -> dg.MaterializeResult:
    options = RunOptions(config.batch_size, config.workers or _cores(), config.retry_quarantined,
                         config.file_retries, config.retry_backoff_s)
    try:
        with webarchive_db.connect() as conn:
            # Its own tables too (store_mounts), when it runs alone (webarchive_retry_failed)
            # before TrackDB's refresh has applied a new version's.
            apply_schema(conn, SQL_DIR, bookkeeping_only=True)
        with webarchive_db.maintenance_session(f"webarchive/cdx/{warc_store.identity}") as conn:
            memory = StoreMounts.of(conn, warc_store.identity)
            remembered = _mounts(context, memory, config.retired_mounts, warc_store.identity)
            run = IndexRun(conn, webarchive_db, warc_store.identity, warc_store.endpoint_url,
                           warc_store.backend(remembered), cdx, options, context.log.warning,
                           memory)
            try:
                summary = run.execute()
            finally:
                _log(context, run.summary)
    except TRANSIENT as err:
        if isinstance(err, DatabaseUnavailable) and err.refused:
            raise
        context.log.error(f"transient failure, nothing marked bad: {err}")
        raise dg.RetryRequested(
            max_retries=config.run_retries, seconds_to_wait=config.run_retry_delay_s
        ) from err
    return dg.MaterializeResult(
        metadata=_metadata(cdx, summary),
        check_results=[
            index_lines_resolve(webarchive_db, warc_store, cdx,
                                retries=config.file_retries, backoff_s=config.retry_backoff_s),
            every_warc_readable(webarchive_db, warc_store),
        ],
    )


def _mounts(
    context: dg.AssetExecutionContext, memory: StoreMounts | None, retired: list[str],
    store: str,
) -> Remembered:
    """The store's remembered mount points, once ``retired`` are retired and those mounted now
    remembered (before anything is removed: a disk unmounted during the run is known)."""
    if memory is None:
        if retired:
            raise dg.Failure(f"retired_mounts is set, but the store {store} is not local: it "
                             "has no mount points; nothing was retired")
        return NOTHING_REMEMBERED
    try:
        for folder in memory.retire(retired):
            context.log.info(f"mount point {memory.root / folder} retired: the WARCs under it "
                             "that the store says are gone lose their lines")
    except MountNotRetired as err:
        raise dg.Failure(str(err)) from err
    memory.record()
    return memory.remembered()


def _cores() -> int:
    return os.cpu_count() or 1


def _log(context: dg.AssetExecutionContext, s: RunSummary) -> None:
    for path, found in s.warnings.items():
        context.log.warning(f"warcio on {path}: " + " | ".join(found))
    for path, error in s.quarantined:
        context.log.warning(f"quarantined {path}: {error}")
    for path, error in s.transient:
        context.log.warning(f"not indexed this time (store error, not marked) {path}: {error}")
    for path, error in s.denied:
        context.log.warning(
            f"not indexed, the indexing user may not read {path} ({error}): fix its "
            "permissions; not quarantined, tried again after the other waiting files"
        )
    for path, why in s.stale:
        context.log.info(f"left for the next listing {path}: {why}")
    for path, lines in s.refused.items():
        for line in lines[:5]:
            context.log.warning(f"line of {path} refused by the CDX server: {line.rstrip()}")


def _metadata(cdx: CdxSettings, s: RunSummary) -> dict:
    return {
        "output": cdx.target,
        "warcs_indexed": len(s.indexed),
        "records": sum(r.records for r in s.indexed) - sum(len(v) for v in s.refused.values()),
        "warcs_quarantined": len(s.quarantined) + len(s.refused),
        "warcs_changed_since_listing": len(s.stale),
        "lines_refused": sum(len(v) for v in s.refused.values()),
        "warcs_removed": s.warcs_removed,
        "lines_removed": s.lines_removed,
        "duplicate_lines_removed": s.duplicate_lines_removed,
        "segments_compacted": s.compacted,
        "unfinished_recovered": s.recovered,
        "requeued": s.requeued,
        "requeued_for_rules": s.requeued_for_rules,
        "warcs_waiting": s.waiting,
        "warcs_with_warnings": len(s.warnings),
        "quarantined": dg.MetadataValue.md(
            "\n".join(f"- `{p}`: {e}" for p, e in s.quarantined[:50]) or "none"
        ),
        "warcs_denied": len(s.denied),
        "denied": dg.MetadataValue.md(
            "\n".join(f"- `{p}`: {e}" for p, e in s.denied[:50]) or "none"
        ),
    }
