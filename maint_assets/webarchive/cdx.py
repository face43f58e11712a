"""The CDX index of a WARC store: only WARCs TrackDB has not seen indexed, newest first, in
batches, one worker process per core; a WARC that cannot be read is recorded with its error in
TrackDB and skipped, never blocking the others."""

import os
import tempfile
from itertools import groupby
from pathlib import Path

import dagster as dg
from pydantic import Field

from maint_assets.core.automation import EAGER, HOURLY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement
from maint_assets.core.stores import FileStore
from maint_assets.webarchive.cdx_outputs import OutbackCdx, publish_cdxj
from maint_assets.webarchive.indexing import IndexedWarc, index_all
from maint_assets.webarchive.keys import CDX_INDEX, GROUP, STORE_POOL, TRACKDB
from maint_assets.webarchive.resources import CdxSettings

SQL = "webarchive/trackdb_files"


class CdxConfig(dg.Config):
    batch_size: int = Field(default=1000, ge=1, description="WARCs per run, newest first")
    workers: int = Field(default=0, ge=0, description="worker processes; 0 = one per core")


@dg.asset(
    key=CDX_INDEX,
    deps=[TRACKDB],
    group_name=GROUP,
    freshness_policy=HOURLY_FRESHNESS,
    pool=STORE_POOL,
    automation_condition=EAGER,
    kinds={"pywb"},
    description="CDX index of the store's WARCs (CDXJ files for pywb, or OutbackCDX)",
)
def cdx_index(
    context: dg.AssetExecutionContext,
    config: CdxConfig,
    webarchive_db: PostgresResource,
    warc_store: FileStore,
    cdx: CdxSettings,
) -> dg.MaterializeResult:
    store = warc_store.url
    params = {
        "store": store,
        "batch": config.batch_size,
        "default_collection": cdx.default_collection,
    }
    with webarchive_db.connect() as conn:
        batch = conn.execute(statement(SQL, "to_index"), params).fetchall()
    fmt = "cdxj" if cdx.output == "cdxj" else "cdx11"
    with tempfile.TemporaryDirectory(prefix="cdx-") as tmp:
        results = _index(warc_store, batch, Path(tmp), fmt, config.workers or os.cpu_count() or 1)
        indexed = [r for r in results if not r.error]
        refused = _publish(cdx, indexed, context.run.run_id)
    failed = [r for r in results if r.error]
    with webarchive_db.connect() as conn, conn.transaction():
        conn.execute(
            statement(SQL, "record_indexed"),
            {
                "store": store,
                "paths": [r.path for r in indexed],
                "records": [r.records for r in indexed],
                "firsts": [r.first_capture for r in indexed],
                "lasts": [r.last_capture for r in indexed],
                "bad_lines": [len(refused.get(r.path, [])) for r in indexed],
            },
        )
        conn.execute(
            statement(SQL, "record_failed"),
            {
                "store": store,
                "paths": [r.path for r in failed],
                "errors": [r.error for r in failed],
            },
        )
        waiting = conn.execute(statement(SQL, "waiting"), params).fetchone()[0]
    for r in failed:
        context.log.warning(f"not indexed: {r.path}: {r.error}")
    bad = [line for lines in refused.values() for line in lines]
    for line in bad[:20]:
        context.log.warning(f"line refused by the CDX server: {line.rstrip()}")
    records = sum(r.records for r in indexed)
    return dg.MaterializeResult(
        metadata={
            "output": cdx.output,
            "warcs_indexed": len(indexed),
            "records": records,
            "warcs_failed": len(failed),
            "lines_refused": len(bad),
            "warcs_waiting": waiting,
            "failed": dg.MetadataValue.md(
                "\n".join(f"- `{r.path}`: {r.error}" for r in failed[:50]) or "none"
            ),
        }
    )


@dg.asset_check(
    asset=CDX_INDEX,
    name="every_warc_readable",
    description="No WARC of the store is left unindexed because it could not be read "
    "(truncated, not a WARC); warns with the newest ones and their errors.",
)
def every_warc_readable(
    webarchive_db: PostgresResource, warc_store: FileStore
) -> dg.AssetCheckResult:
    with webarchive_db.connect() as conn:
        rows = conn.execute(statement(SQL, "unreadable"), {"store": warc_store.url}).fetchall()
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "unreadable_warcs": rows[0][0] if rows else 0,
            "newest": dg.MetadataValue.md("\n".join(f"- `{p}`: {e}" for _, p, e in rows) or "none"),
        },
    )


def _index(
    warc_store: FileStore, batch: list[tuple[str, str]], tmp: Path, fmt: str, workers: int
) -> list[IndexedWarc]:
    tasks = [
        {"store_url": warc_store.url, "endpoint_url": warc_store.endpoint_url, "path": path,
         "collection": collection, "out": str(tmp / f"{i}.{fmt}"), "fmt": fmt}
        for i, (path, collection) in enumerate(batch)
    ]
    return index_all(tasks, workers)


def _publish(cdx: CdxSettings, indexed: list[IndexedWarc], run_id: str) -> dict[str, list[str]]:
    """Publish the lines; returns the lines the CDX server refused, by WARC."""
    if cdx.output == "cdxj":
        by_collection = sorted(indexed, key=lambda r: r.collection)
        for collection, group in groupby(by_collection, key=lambda r: r.collection):
            publish_cdxj(
                Path(cdx.cdxj_dir),
                collection,
                [r.output for r in group],
                run_id,
                cdx.max_index_files,
            )
        return {}
    client = OutbackCdx(cdx.outbackcdx_url, cdx.outbackcdx_collection, cdx.max_lines)
    refused = {}
    for r in indexed:
        with r.output.open() as lines:
            refused[r.path] = client.post(lines)
    return refused
