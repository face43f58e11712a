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
import random
from itertools import islice
from pathlib import Path

import dagster as dg
import psycopg
from pydantic import Field

from maint_assets.core.automation import EAGER, HOURLY_FRESHNESS
from maint_assets.core.file_stores import ObjectDenied, StoreError
from maint_assets.core.mounts import NOTHING_REMEMBERED, Remembered
from maint_assets.core.postgres import DatabaseUnavailable, MaintenanceLocked, PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import statement
from maint_assets.core.stores import FileStore
from maint_assets.webarchive.cdx_outputs import CdxServerError, CdxServerUnavailable, OutbackCdx
from maint_assets.webarchive.cdx_run import IndexRun, RunOptions, RunSummary, TransientFailures
from maint_assets.webarchive.cdx_segments import Ledger, filename_of
from maint_assets.webarchive.cdx_verify import Unreached, parse, resolve, sample, served
from maint_assets.webarchive.keys import (
    CDX_INDEX,
    GROUP_WEBARCHIVE,
    OWNERS,
    POOL_WARC_STORE,
    SQL_CDX_INDEX,
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


def index_lines_resolve(
    webarchive_db: PostgresResource, warc_store: FileStore, cdx: CdxSettings, *,
    retries: int, backoff_s: float,
) -> dg.AssetCheckResult:
    fmt = "cdxj" if cdx.target == "cdxj" else "cdx11"
    root = cdx.cdxj_dir if cdx.target == "cdxj" else cdx.outbackcdx_ledger_dir
    store = warc_store.identity
    server = (OutbackCdx(cdx.outbackcdx_url, cdx.outbackcdx_collection, 1,
                         retries=retries, backoff_s=backoff_s)
              if cdx.target == "outbackcdx" else None)
    problems: list[str] = []
    with webarchive_db.connect() as conn:
        memory = StoreMounts.of(conn, store)
        backend = warc_store.backend(memory.remembered() if memory else NOTHING_REMEMBERED)
        ledger = Ledger(conn, store, cdx.target, Path(root))
        live = ledger.live()
        problems += [f"segment file missing: {ledger.file(s)}" for s in live
                     if not ledger.file(s).exists()]
        problems += [f"segment {s.name} left {state} by a run" for s, state in ledger.unfinished()]
        orphans = conn.execute(statement(SQL_CDX_INDEX, "files_without_segment"),
                               {"store": store}).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} indexed file(s) point to no live segment")
        picked = list(sample(ledger, cdx.verify_sample, random.Random()))
        paths = sorted({filename_of(line, fmt) for _, line in picked})
        listed = dict(conn.execute(
            statement(SQL_CDX_INDEX, "segment_files"), {"store": store, "paths": paths}
        ).fetchall())
    exact: bool | None = None  # asked of the server with the first line it is asked about
    denied: dict[str, str] = {}
    unchecked = 0
    unreached = Unreached()
    not_served: list[str] = []  # resolved in the store; the CDX server could not be asked
    server_error = ""
    for _, line in picked:
        entry = parse(line, fmt)
        if (known := unreached.known(entry.filename)) is not None:
            # Its file, its disk or the whole store failed already (after retries): it would
            # wait as long for the same answer. Other files' lines are still tried.
            unreached.add(entry.filename, line, known)
            continue
        if entry.filename not in listed:
            problem = "its file is not in TrackDB"
        elif listed[entry.filename]:
            problem = "its file is gone from the store's listing"
        else:
            try:
                problem = resolve(backend, entry, retries, backoff_s)
            except ObjectDenied as err:
                # The file's permissions or policy: the store answered (no store error), and
                # nothing is known against the line, which is not checked.
                unreached.answered()
                denied[entry.filename] = str(err)
                unchecked += 1
                continue
            except StoreError as err:
                # Transient: nothing is known against the line, nor the index.
                unreached.failed(entry.filename, line, err)
                continue
            unreached.answered()
        if problem is None and server is not None:
            if server_error:
                not_served.append(line)  # retried and down, or refusing: as for the store
                continue
            try:
                if exact is None:
                    exact = server.index_version() >= 4
                problem = served(server, line, exact)
            except (CdxServerUnavailable, CdxServerError) as err:
                # Down (after retries), or refusing the lookups (a proxy's 403): either way
                # the server's answer is nothing against the line, nor the index.
                server_error = str(err)
                not_served.append(line)
                continue
        if problem:
            problems.append(f"`{line.strip()[:300]}`: {problem}")
    why = _why_unreached(store, unreached, retries)
    why_server = (f"{len(not_served)} sampled line(s) resolve in the store but were not checked "
                  f"against OutbackCDX: {server_error}") if not_served else None
    return dg.AssetCheckResult(
        check_name="index_lines_resolve",
        passed=not problems,
        description="; ".join(w for w in (why, why_server) if w) or None,
        metadata={
            "segments": len(live),
            "lines_checked": len(picked) - unchecked - unreached.count - len(not_served),
            "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:30]) or "none"),
            "files_denied": len(denied),
            "denied": dg.MetadataValue.md(
                "\n".join(f"- `{p}`: its lines not checked, the store refuses it ({e})"
                          for p, e in sorted(denied.items())[:30]) or "none"
            ),
            "lines_store_unreachable": unreached.count,
            "store_unreachable": dg.MetadataValue.md(
                f"{why}; by file:\n"
                + "\n".join(f"- `{p}` ({len(unreached.lines[p])} line(s)): {e}"
                            for p, e in list(unreached.errors.items())[:30])
                + "\n\nthe first lines:\n"
                + "\n".join(f"- `{line.strip()[:300]}`" for line in islice(
                    (line for lines in unreached.lines.values() for line in lines), 30))
                if why else "none"
            ),
            "lines_cdx_server_unreachable": len(not_served),
            "cdx_server_unreachable": dg.MetadataValue.md(
                f"{why_server}; the first of them:\n"
                + "\n".join(f"- `{line.strip()[:300]}`" for line in not_served[:30])
                if why_server else "none"
            ),
        },
    )


def _why_unreached(store: str, unreached: Unreached, retries: int) -> str | None:
    if not unreached.count:
        return None
    first = next(iter(unreached.errors.values()))
    rest = f"; {unreached.down}, the rest of the sample not tried" if unreached.down else ""
    return (f"{unreached.count} sampled line(s) of {len(unreached.lines)} file(s) not checked: "
            f"the store {store} could not be reached (tried {retries + 1} times) for them{rest}; "
            f"the first error: {first}")


def every_warc_readable(
    webarchive_db: PostgresResource, warc_store: FileStore
) -> dg.AssetCheckResult:
    params = {"store": warc_store.identity}
    with webarchive_db.connect() as conn:
        rows = conn.execute(statement(SQL_CDX_INDEX, "quarantined"), params).fetchall()
        denied = conn.execute(statement(SQL_CDX_INDEX, "denied"), params).fetchall()
    return dg.AssetCheckResult(
        check_name="every_warc_readable",
        passed=not rows and not denied,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "unreadable_warcs": rows[0][0] if rows else 0,
            "newest": dg.MetadataValue.md("\n".join(f"- `{p}`: {e}" for _, p, e in rows) or "none"),
            "warcs_denied": denied[0][0] if denied else 0,
            "denied": dg.MetadataValue.md(
                "\n".join(f"- `{p}`: the indexing user may not read it (refused {t:%Y-%m-%d %H:%M})"
                          for _, p, t in denied) or "none"
            ),
        },
    )


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
