"""The web archive's checks. The W3ACT and Shine backups' read the artifacts their run's
materialization recorded, never the newest file of a folder (another run's, or one put there by
hand). The CDX index's (``index_lines_resolve``: sampled lines point at their record;
``every_warc_readable``: nothing quarantined or refused) are evaluated in the index's own step
(assets/cdx_index.py), with no extra step in the hourly run."""

import csv
import io
import random
import tempfile
import zipfile
from itertools import islice
from pathlib import Path

import dagster as dg

from maint_assets.core.artifacts import ArtifactCorrupt, ArtifactStore
from maint_assets.core.mounts import NOTHING_REMEMBERED
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.restores import ArtifactMissing, Recorded, recorded_artifact, restore_check
from maint_assets.core.sql_files import statement
from maint_assets.core.stored_files import ObjectDenied, StoreError
from maint_assets.core.stores import FileStore
from maint_assets.webarchive.assets.w3act_backup import table_of
from maint_assets.webarchive.cdx_outputs import CdxServerError, CdxServerUnavailable, OutbackCdx
from maint_assets.webarchive.cdx_segments import Ledger, filename_of
from maint_assets.webarchive.cdx_verify import Unreached, parse, resolve, sample, served
from maint_assets.webarchive.keys import (
    SHINE_BACKUP,
    SHINE_DUMP_CHECK,
    SHINE_DUMP_FOLDER,
    SHINE_SCRATCH_PREFIX,
    SQL_CDX_INDEX,
    W3ACT_BACKUP,
    W3ACT_CSV_CHECK,
    W3ACT_CSV_FOLDER,
    W3ACT_DUMP_CHECK,
    W3ACT_DUMP_FOLDER,
    W3ACT_SCRATCH_PREFIX,
)
from maint_assets.webarchive.resources import CdxSettings
from maint_assets.webarchive.store_mounts import StoreMounts


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
    asset=SHINE_BACKUP,
    name=SHINE_DUMP_CHECK,
    blocking=True,
    description="The dump its run stored (checksum verified) restores into a scratch database "
    "on the restore server (never Shine's own server) with the tables and row counts of its "
    "manifest.",
)
def shine_dump_restores(
    context: dg.AssetCheckExecutionContext,
    restore_server: PostgresResource,
    artifacts: ArtifactStore,
) -> dg.AssetCheckResult:
    return restore_check(
        context, artifacts, restore_server,
        [Recorded(SHINE_BACKUP, SHINE_DUMP_FOLDER)], SHINE_SCRATCH_PREFIX,
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
