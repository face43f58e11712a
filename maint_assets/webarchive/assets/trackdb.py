"""TrackDB: a PostgreSQL table of every file of a WARC store, refreshed from a listing.

One listing, streamed into a temporary table with COPY, then set-based: new files inserted,
changed ones updated (and queued for indexing again), files no longer listed flagged as
missing, never deleted, and the indexing status of the others kept. Only new and changed files
are classified (their paths read for kind, collection, crawl time), unless the rules changed
(``LAYOUT_VERSION``): then all are, so that files classified by older rules (ARC files once
"unknown") are corrected. An empty listing of a store that had files is refused: an unmounted
volume must not look like a deleted archive.

Rows are keyed on the store's identity (one spelling of its URL); rows recorded under older
spellings are moved or merged into it first (store_spellings).

A name that is not UTF-8 cannot be a TrackDB path (text): the file is left out of the listing
and named in the run's log and metadata, and the rest of the store is listed as usual. So is a
folder the listing user may not read, and the files recorded under it are not flagged missing
(the listing did not look there); nor are those of a folder removed between its parent's scan
and its own (a folder being moved or deleted): not read this time, named, and flagged by the
next listing that finds its parent without it. A file removed between its folder's scan and its
stat is not in the listing, like one removed before it.
Symlinks are not followed (loops, files listed twice); their number and the first ones are
reported the same way, so that a disk linked into the store is seen to be absent.
"""

from datetime import UTC, datetime

import dagster as dg
from pydantic import Field

from maint_assets.core.automation import EAGER, HOURLY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import statement
from maint_assets.core.stored_files import Skipped
from maint_assets.core.stores import FileStore, report_skipped
from maint_assets.core.ui import column_schema
from maint_assets.webarchive.keys import (
    GROUP_WEBARCHIVE,
    OWNERS,
    POOL_WARC_STORE,
    SQL_DIR,
    SQL_TRACKDB,
    TRACKDB,
    WARC_FILES,
)
from maint_assets.webarchive.layout import LAYOUT_VERSION, classify
from maint_assets.webarchive.store_spellings import Adoption, adopt_older_spellings

# What a folder not read means for TrackDB's rows under it.
KEPT = "their files already in TrackDB are kept as they were, not flagged missing"

warc_files = dg.AssetSpec(
    WARC_FILES,
    group_name=GROUP_WEBARCHIVE,
    owners=OWNERS,
    kinds={"s3"},
    description="The WARC files of the store (a directory or an S3 prefix), maintained by the "
    "crawlers; the sensor webarchive_new_files records new or changed ones.",
)


class TrackDbConfig(dg.Config):
    allow_empty_listing: bool = Field(
        default=False, description="accept a listing with no file for a store that had files"
    )


@dg.asset(
    key=TRACKDB,
    deps=[WARC_FILES],
    group_name=GROUP_WEBARCHIVE,
    owners=OWNERS,
    freshness_policy=HOURLY_FRESHNESS,
    pool=POOL_WARC_STORE,
    kinds={"postgres"},
    automation_condition=EAGER,
    description="Every file of the WARC store: kind, collection, stream, job, crawl time, "
    "first/last seen, missing flag, CDX indexing status",
)
def trackdb_files(
    context: dg.AssetExecutionContext,
    config: TrackDbConfig,
    webarchive_db: PostgresResource,
    warc_store: FileStore,
) -> dg.MaterializeResult:
    store, now = warc_store.identity, datetime.now(UTC)
    with webarchive_db.step_connection() as conn:
        apply_schema(conn, SQL_DIR, bookkeeping_only=True)
    # Run again if the connection is cut: one transaction, and a listing run twice lists the
    # same store.
    with webarchive_db.locked_step(f"webarchive/trackdb/{store}", rerun_if_cut=True) as conn:
        adopted = adopt_older_spellings(conn, store)
        _report_spellings(context, store, adopted)
        conn.execute(statement(SQL_TRACKDB, "create_listing"))
        files, skipped = 0, Skipped()
        with conn.cursor().copy(statement(SQL_TRACKDB, "copy_listing")) as copy:
            for found in warc_store.list(skipped):
                copy.write_row((found.path, found.size, found.mtime))
                files += 1
        conn.execute(statement(SQL_TRACKDB, "analyze_listing"))
        params = {"store": store, "now": now, "files": files, "layout_version": LAYOUT_VERSION}
        present = conn.execute(statement(SQL_TRACKDB, "present_files"), params).fetchone()[0]
        if files == 0 and present and not config.allow_empty_listing:
            raise dg.Failure(
                f"the listing of {store} is empty but TrackDB has {present} file(s) there; "
                "nothing was changed (allow_empty_listing accepts it)"
            )
        row = conn.execute(statement(SQL_TRACKDB, "previous_listing"), params).fetchone()
        every_file = row is None or row[1] != LAYOUT_VERSION
        to_classify = conn.execute(
            statement(SQL_TRACKDB, "to_classify"), {**params, "every_file": every_file}
        ).fetchall()
        with conn.cursor().copy(statement(SQL_TRACKDB, "copy_layouts")) as copy:
            for path, mtime in to_classify:
                copy.write_row((path, *classify(path, mtime)))
        new, changed = conn.execute(statement(SQL_TRACKDB, "upsert_files"), params).fetchone()
        flagged = conn.execute(statement(SQL_TRACKDB, "flag_missing"), {
            **params, "previous": row[0] if row else None, "unread": skipped.folders_not_read,
            "links": skipped.symlinks,
        }).rowcount
        conn.execute(statement(SQL_TRACKDB, "record_listing"), params)
        kinds = conn.execute(statement(SQL_TRACKDB, "kind_counts"), params).fetchall()
        columns = column_schema(conn, TRACKDB.path[1], TRACKDB.path[2])
    return dg.MaterializeResult(
        metadata={
            **columns,
            "store": store, "files_listed": files, "new": new, "changed": changed,
            "flagged_missing": flagged,
            **report_skipped(context.log, skipped, KEPT),
            "other_spellings": dg.MetadataValue.json(list(adopted.left)),
            "spellings_merged": dg.MetadataValue.json(
                [adopted.moved] * bool(adopted.moved) + adopted.merged
            ),
            "spelling_conflicts": dg.MetadataValue.md(
                "\n".join(f"- `{other}`: `{c}`" for other, found in adopted.left.items()
                          for c in found) or "none"
            ),
            "by_kind": dg.MetadataValue.md(
                "| kind | present | missing |\n|---|---|---|\n"
                + "\n".join(f"| {k} | {p} | {m} |" for k, p, m in kinds)
            ),
        }
    )


def _report_spellings(context: dg.AssetExecutionContext, store: str, adopted: Adoption) -> None:
    if adopted.moved:
        context.log.info(f"TrackDB's rows of {adopted.moved!r} moved to {store!r}, the store's "
                         "identity")
    for other in adopted.merged:
        context.log.info(f"TrackDB's rows of {other!r} merged into {store!r}, the store's "
                         "identity (each file keeps its earliest indexing)")
    for other, conflicts in adopted.left.items():
        context.log.warning(
            f"TrackDB also has rows of {other!r}, another spelling of {store!r} listed before "
            "stores had one identity, not merged: it records files with another size or time "
            "(with their index lines, which may duplicate this store's); conflicts:\n"
            + "\n".join(conflicts)
        )
