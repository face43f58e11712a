"""Keeping the two point-in-polygon count tables exact, from the change log.

Both tables are made from one point-in-polygon pass (sql/atlas/counts.sql): the counted
regions cut into grid cells, and the counts per region, taxon, dataset and year (the
detail). A refresh either applies the pending changes, or rebuilds.

Applying changes happens in one REPEATABLE READ transaction: the changes it consumes, the
tables it reads and the check it makes are one snapshot, and it records its new change-log
position in that same transaction. Regions that changed (or whose level was added to or
removed from the zoom lookup) are cut and counted again whole; every changed observation
adds its current version and removes the version last counted, so an observation that
changed several times since is counted once, as it is now. The check then compares every
row the refresh touched: the detail rows against the observations counted again, and the
rows of both tables against the detail (which they are maintained apart from); the detail's
recount runs on a second connection while the refresh writes (maint_assets/atlas/counts/
touched_check.py). Rows that disagree roll the changes back and the tables are rebuilt; the
check reports it.

A rebuild never blocks readers for long: the new tables are built aside in the build schema
(one transaction, readers unaffected), given the live tables' exact definitions (columns,
index names, constraints, owner, privileges, comments), brought up to date with the changes
made meanwhile and checked (a second transaction), and swapped in under ACCESS EXCLUSIVE
locks taken with a short lock timeout, retried, so no reader waits behind a queued lock for
longer than that timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import errors

from maint_assets.atlas import change_log
from maint_assets.atlas.counts.deltas import adjust_row_counts, apply_and_check, apply_changes
from maint_assets.atlas.counts.rebuild import rebuild
from maint_assets.atlas.counts.region_cells import cut_version, regions_not_valid
from maint_assets.atlas.counts.statements import composed
from maint_assets.atlas.counts.table_definitions import read_definition
from maint_assets.atlas.counts.tables import (
    CONSUMER,
    LEVELS,
    PUBLIC,
    REBUILDING,
    SOURCES,
    SQL_FILES,
    CountsDrifted,
    CountTables,
    DriftedRebuildCut,
    Limits,
    NeedsRebuild,
    TableChange,
)
from maint_assets.atlas.counts.touched_check import TouchedCheck, export_snapshot
from maint_assets.atlas.keys import SQL_COUNTS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement


class PostgisMissing(RuntimeError):
    """The database has no PostGIS: nothing spatial can be counted."""


@dataclass(frozen=True)
class CountsRefresh:
    mode: str  # "incremental" or "full"
    reason: str | None  # why a rebuild was chosen
    changes: change_log.PendingChanges | None
    regions_recounted: int
    tables: dict[str, TableChange]
    check: TouchedCheck
    failed_check: TouchedCheck | None  # an incremental check that failed and caused the rebuild
    seconds: float
    regions_not_valid: list[int]  # counted regions whose geometry is not valid (slow to place)

    def metadata(self, table: str) -> dict[str, object]:
        change = self.tables[table]
        meta: dict[str, object] = {
            "dagster/row_count": change.rows,
            "refresh_mode": self.mode,
            "rows_added": change.added,
            "rows_updated": change.updated,
            "rows_removed": change.removed,
            "regions_recounted": self.regions_recounted,
            "refresh_seconds": round(self.seconds, 3),
        }
        if self.reason:
            meta["full_refresh_reason"] = self.reason
        if self.regions_not_valid:
            meta["regions_not_valid"] = self.regions_not_valid
        if self.changes:
            meta |= {
                "observations_inserted": self.changes.inserted,
                "observations_updated": self.changes.updated,
                "observations_deleted": self.changes.deleted,
                "regions_changed": self.changes.regions,
                "zoom_lookup_changes": self.changes.zoom_lookup,
            }
        return meta

    def check_passed(self, table: str) -> bool:
        return self.check.passed_for(table) and (
            self.failed_check is None or self.failed_check.passed_for(table)
        )

    def check_metadata(self, table: str) -> dict[str, object]:
        meta = self.check.metadata(table)
        if self.failed_check is not None:
            meta |= {f"before_rebuild_{k}": v for k, v in self.failed_check.metadata(table).items()}
            meta["outcome"] = "rows disagreed after applying changes: the tables were rebuilt"
        return meta


def require_postgis(conn: psycopg.Connection, describe: str) -> None:
    if conn.execute(statement(SQL_COUNTS, "postgis")).fetchone() is None:
        raise PostgisMissing(
            f"{describe} has no PostGIS extension (CREATE EXTENSION postgis): the atlas "
            "regions, observations and count tables need it"
        )


def refresh_counts(
    db: PostgresResource,
    conn: psycopg.Connection,
    full: bool = False,
    limits: Limits = Limits(),
    allow_rebuild: bool = True,
    log: Callable[[str], None] = lambda _: None,
) -> CountsRefresh:
    """Bring both count tables up to date. ``conn`` holds the maintenance lock (autocommit).
    Without ``allow_rebuild``, raises NeedsRebuild where a rebuild would be needed."""
    started = time.monotonic()
    require_postgis(conn, db.describe())
    change_log.require_partitions_captured(conn)
    reason = "full refresh requested" if full else None
    failed_check = None
    with db.transaction(conn, repeatable_read=True):
        conn.execute(statement(SQL_COUNTS, "settings"))
        snapshot = export_snapshot(conn)
        if reason is None:
            reason = _why_rebuild(conn)
        if reason is None:
            after, _ = change_log.position(conn, CONSUMER, SOURCES)
            changes = change_log.stage_pending(conn, after, SOURCES)
            if changes.observations > limits.max_incremental_changes:
                reason = (
                    f"{changes.observations} observation changes pending, more than "
                    f"{limits.max_incremental_changes}: a rebuild is cheaper"
                )
        if reason is None:
            try:
                with conn.transaction():  # a savepoint: rows that disagree roll back
                    recounted, tables, check = apply_and_check(
                        db, conn, snapshot, CountTables.live(), limits
                    )
                    if not check.passed:
                        raise CountsDrifted(check)
                    tables = adjust_row_counts(conn, tables)
            except NeedsRebuild as err:
                reason = str(err)
            except errors.QueryCanceled as err:
                # Changes that took longer to apply than a rebuild's longest statement (a
                # DBA's per-row trigger on a count table, large regions edited) are rebuilt;
                # any other cancel (an operator's pg_cancel_backend) fails the run.
                if not _statement_timeout(conn, err):
                    raise
                reason = (
                    f"applying the changes ran into the statement timeout "
                    f"({db.statement_timeout_s:g} s): a rebuild's statements are bounded by "
                    f"the tables' size, not the changes'"
                )
            except CountsDrifted as err:
                failed_check = err.check
                reason = f"{err}: rebuilt"
            else:
                change_log.advance(conn, CONSUMER, SOURCES)
                change_log.release(conn, REBUILDING)
                conn.execute(composed(SQL_COUNTS, "record_levels", levels=LEVELS))
                return CountsRefresh(
                    mode="incremental",
                    reason=None,
                    changes=changes,
                    regions_recounted=recounted,
                    tables=tables,
                    check=check,
                    failed_check=None,
                    seconds=time.monotonic() - started,
                    regions_not_valid=regions_not_valid(conn),
                )
    if not allow_rebuild:
        raise NeedsRebuild(reason)
    log(f"rebuilding the count tables: {reason}")
    try:
        rebuilt = rebuild(db, conn, limits, log)
    except psycopg.OperationalError as err:
        if failed_check is None or not conn.broken:
            raise
        raise DriftedRebuildCut(
            f"{failed_check.summary()}; the session rebuilding the tables was then lost "
            f"({err}): the rebuild may or may not have committed. Not run again (it could "
            "pass without this disagreement): run a full refresh (config full: true) and "
            "find what changed the rows by hand"
        ) from err
    return CountsRefresh(
        mode="full",
        reason=reason,
        changes=rebuilt.changes,
        regions_recounted=0,
        tables={
            name: TableChange(rows=n, added=n, updated=0, removed=0)
            for name, n in rebuilt.rows.items()
        },
        check=rebuilt.check,
        failed_check=failed_check,
        seconds=time.monotonic() - started,
        regions_not_valid=rebuilt.regions_not_valid,
    )


def _statement_timeout(conn: psycopg.Connection, err: errors.QueryCanceled) -> bool:
    """Whether ``err`` was the statement timeout, not an operator's cancel: their SQLSTATE
    (57014) is the same, only their message differs, in the server's lc_messages language.
    So it is compared with the message this session gives a statement timeout of its own,
    provoked in a savepoint (its 1 ms timeout ends with it)."""
    try:
        with conn.transaction():
            conn.execute(statement(SQL_COUNTS, "one_ms_statement_timeout"))
            conn.execute(statement(SQL_COUNTS, "sleep_past_it"))
    except errors.QueryCanceled as own:
        return own.diag.message_primary == err.diag.message_primary
    return False


def _why_rebuild(conn: psycopg.Connection) -> str | None:
    for schema, name in PUBLIC.values():
        if read_definition(conn, schema, name) is None:
            return f"{schema}.{name} does not exist yet"
    outdated = conn.execute(statement(SQL_COUNTS, "outdated_cuts"), cut_version()).fetchone()[0]
    if outdated:
        return f"{outdated} regions were cut into cells by an earlier version of maint_assets"
    _, reason = change_log.position(conn, CONSUMER, SOURCES)
    return reason


def compare_with_full_recount(
    db: PostgresResource, conn: psycopg.Connection
) -> dict[str, tuple[int, int]]:
    """Each count table (with the pending changes applied, then rolled back) against
    production's own query over everything, in one snapshot: (mismatched rows, rows)."""
    require_postgis(conn, db.describe())
    result = {}
    with db.transaction(conn, repeatable_read=True):
        conn.execute(statement(SQL_COUNTS, "settings"))
        with conn.transaction() as applied:
            if _why_rebuild(conn) is None:
                after, _ = change_log.position(conn, CONSUMER, SOURCES)
                change_log.stage_pending(conn, after, SOURCES)
                apply_changes(conn, CountTables.live(), Limits(2**62, 2**62))
            for name, table in PUBLIC.items():
                result[name] = conn.execute(
                    composed(SQL_FILES[name], "full_mismatches", table=table)
                ).fetchone()
            raise psycopg.Rollback(applied)
    return result
