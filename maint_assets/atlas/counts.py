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
recount runs on a second connection while the refresh writes (maint_assets/atlas/
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

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import errors

from maint_assets.atlas import change_log
from maint_assets.atlas.count_statements import analyze_temp, composed
from maint_assets.atlas.keys import (
    SQL_CHANGE_LOG,
    SQL_COUNTS,
    SQL_OBS_REGION_COUNTS,
    SQL_OBS_REGIONS_TAXA_DATASETS_COUNTS,
)
from maint_assets.atlas.table_definitions import (
    DefinitionMismatch,
    TableDefinition,
    give_definition,
    move_statistics,
    read_definition,
)
from maint_assets.atlas.touched_check import DetailRecount, TouchedCheck, export_snapshot
from maint_assets.core.paths import SQL_DIR
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.refresh import BUILD_SCHEMA
from maint_assets.core.sql_files import statement

SOURCES = ["observations", "regions", "regions_zoom_lookup"]
# Both tables are refreshed together: one maintenance lock (named after the first, as an
# operator's psql session takes it) and one change-log consumer.
LOCK = "atlas/atlas_api/obs_region_counts"
CONSUMER = "atlas/counts"
# Holds the change log back while a rebuild runs (see _rebuild); released by the next
# refresh that records CONSUMER's position, so a rebuild that died leaves no hold behind.
REBUILDING = "atlas/counts: rebuilding"
REGION_COUNTS = "obs_region_counts"
DATASET_COUNTS = "obs_regions_taxa_datasets_counts"
# The SQL file of each count table's own statements.
SQL_FILES = {
    REGION_COUNTS: SQL_OBS_REGION_COUNTS,
    DATASET_COUNTS: SQL_OBS_REGIONS_TAXA_DATASETS_COUNTS,
}
# The statements applying the detail's deltas to each count table, in order.
APPLY_DELTAS = {
    REGION_COUNTS: ("apply_deltas",),
    DATASET_COUNTS: ("apply_deltas", "apply_deltas_lost_years"),
}
# The temporary table each count table's refresh lists the rows it touched in.
TOUCHED = {
    REGION_COUNTS: "touched_region_counts",
    DATASET_COUNTS: "touched_dataset_counts",
}
PUBLIC = {
    REGION_COUNTS: ("atlas_api", REGION_COUNTS),
    DATASET_COUNTS: ("atlas_api", DATASET_COUNTS),
}
DETAIL = ("maint_assets", "region_taxon_dataset_year_counts")
LEVELS = ("maint_assets", "counted_levels")
COUNT_TABLES_DDL = SQL_DIR / "atlas" / "schema" / "45_count_tables.sql"
# How long the swap waits for each table lock before letting readers through and retrying.
SWAP_LOCK_TIMEOUT = "200ms"


class PostgisMissing(RuntimeError):
    """The database has no PostGIS: nothing spatial can be counted."""


class NeedsRebuild(RuntimeError):
    """An incremental refresh is not possible (or not allowed here); the message says why."""


class CountsDrifted(RuntimeError):
    """Rows the refresh touched disagree with what they are made from."""

    def __init__(self, check: TouchedCheck) -> None:
        super().__init__(check.summary())
        self.check = check


@dataclass(frozen=True)
class Limits:
    max_incremental_changes: int = 200_000
    max_region_recounts: int = 2_000
    swap_timeout_s: float = 600.0


@dataclass(frozen=True)
class TableChange:
    rows: int
    added: int
    updated: int
    removed: int


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


@dataclass(frozen=True)
class _Tables:
    """Where a refresh writes: the live tables, or their copies in the build schema. (The
    cells are a cache of the regions, kept in place: see sync_cells.)"""

    levels: tuple[str, str]
    detail: tuple[str, str]
    counts: dict[str, tuple[str, str]]

    @classmethod
    def live(cls) -> _Tables:
        return cls(levels=LEVELS, detail=DETAIL, counts=dict(PUBLIC))

    @classmethod
    def build(cls) -> _Tables:
        return cls(
            levels=(BUILD_SCHEMA, LEVELS[1]),
            detail=(BUILD_SCHEMA, DETAIL[1]),
            counts={name: (BUILD_SCHEMA, name) for name in PUBLIC},
        )

    def all(self) -> list[tuple[str, str]]:
        return [self.levels, self.detail, *self.counts.values()]


def _cut_version() -> dict[str, str]:
    cutting = "".join(statement(SQL_COUNTS, f) for f in ("cut_regions", "cell_x", "cell_y"))
    return {"cut_version": hashlib.md5(cutting.encode()).hexdigest()[:12]}


def _recut(conn: psycopg.Connection, regions: str) -> None:
    """Cut again the regions listed in temporary table ``regions``."""
    listed = ("pg_temp", regions)
    conn.execute(composed(SQL_COUNTS, "uncut", regions=listed))
    conn.execute(composed(SQL_COUNTS, "cut", regions=listed))
    conn.execute(composed(SQL_COUNTS, "record_cuts", regions=listed), _cut_version())


def sync_cells(conn: psycopg.Connection) -> int:
    """Cut again the regions whose cells were cut from another version of them, or by other
    statements (or never, or that are no longer counted); returns how many. Inside a
    transaction."""
    conn.execute(composed(SQL_COUNTS, "stale_cuts"), _cut_version())
    analyze_temp(conn, "regions_to_cut")
    stale = conn.execute("SELECT count(*) FROM pg_temp.regions_to_cut").fetchone()[0]
    if stale:
        _recut(conn, "regions_to_cut")
        conn.execute(statement(SQL_COUNTS, "cluster_cells"))
    conn.execute("DROP TABLE pg_temp.regions_to_cut")
    return stale


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
                    recounted, tables, check = _apply_and_check(
                        db, conn, snapshot, _Tables.live(), limits
                    )
                    if not check.passed:
                        raise CountsDrifted(check)
                    tables = _adjust_row_counts(conn, tables)
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
                    regions_not_valid=_regions_not_valid(conn),
                )
    if not allow_rebuild:
        raise NeedsRebuild(reason)
    log(f"rebuilding the count tables: {reason}")
    return _rebuild(db, conn, reason, failed_check, limits, started, log)


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
    outdated = conn.execute(statement(SQL_COUNTS, "outdated_cuts"), _cut_version()).fetchone()[0]
    if outdated:
        return f"{outdated} regions were cut into cells by an earlier version of maint_assets"
    _, reason = change_log.position(conn, CONSUMER, SOURCES)
    return reason


def _regions_not_valid(conn: psycopg.Connection) -> list[int]:
    return conn.execute(statement(SQL_COUNTS, "regions_not_valid")).fetchone()[0]


def _apply_changes(
    conn: psycopg.Connection, tables: _Tables, limits: Limits
) -> tuple[int, dict[str, TableChange]]:
    """Apply pending_changes to ``tables``, unchecked; returns the regions recounted and what
    changed."""
    changed, counted = _stage_deltas(conn, tables, limits)
    result, _ = _apply_deltas(conn, tables, changed)
    return counted, result


def _apply_and_check(
    db: PostgresResource,
    conn: psycopg.Connection,
    snapshot: str,
    tables: _Tables,
    limits: Limits,
) -> tuple[int, dict[str, TableChange], TouchedCheck]:
    """Apply pending_changes to ``tables`` and check every row they touched; returns the
    regions recounted, what changed and the check. ``snapshot`` is the transaction's."""
    changed, counted = _stage_deltas(conn, tables, limits)
    recount = DetailRecount(db, conn, snapshot)
    try:
        result, not_deleted = _apply_deltas(conn, tables, changed)
        mismatched, compared = {}, {}
        mismatched["detail"], compared["detail"] = recount.compare(conn)
    finally:
        recount.stop()
    if counted:
        mismatched["regions"], compared["regions"] = conn.execute(
            composed(SQL_COUNTS, "check_regions", detail=tables.detail)
        ).fetchone()
    for name, table in tables.counts.items():
        mismatched[name], compared[name] = conn.execute(
            composed(SQL_FILES[name], "check_touched", table=table, detail=tables.detail)
        ).fetchone()
        mismatched[name] += not_deleted[name]  # check_touched takes them as gone
    return counted, result, TouchedCheck(compared=compared, mismatched=mismatched)


def _stage_deltas(conn: psycopg.Connection, tables: _Tables, limits: Limits) -> tuple[int, int]:
    """Count again the changed regions, and stage every other change as the detail's deltas
    (pg_temp.detail_deltas); returns the regions changed, and how many of them are counted."""
    conn.execute(composed(SQL_COUNTS, "changed_regions", levels=tables.levels))
    analyze_temp(conn, "changed_regions")
    changed, counted = conn.execute(statement(SQL_COUNTS, "regions_summary")).fetchone()
    if counted > limits.max_region_recounts:
        raise NeedsRebuild(
            f"{counted} changed regions to count again, more than "
            f"{limits.max_region_recounts}: a rebuild is cheaper"
        )
    conn.execute(composed(SQL_COUNTS, "touched_detail"))
    if changed:
        _recut(conn, "changed_regions")
        conn.execute(composed(SQL_COUNTS, "remove_regions_detail", detail=tables.detail))
        recount = (
            "recount_regions_detail_indexed"
            if _has_geom_index(conn)
            else "recount_regions_detail_scan"
        )
        conn.execute(composed(SQL_COUNTS, recount, detail=tables.detail))
    conn.execute(statement(SQL_CHANGE_LOG, "observation_deltas"))
    analyze_temp(conn, "observation_deltas")
    conn.execute(composed(SQL_COUNTS, "delta_memberships"))
    conn.execute(statement(SQL_COUNTS, "detail_deltas"))
    analyze_temp(conn, "detail_deltas")
    return changed, counted


def _apply_deltas(
    conn: psycopg.Connection, tables: _Tables, changed: int
) -> tuple[dict[str, TableChange], dict[str, int]]:
    """Apply the staged deltas to the detail and both tables (and the recounted regions'
    detail to both tables); returns what changed in each, and how many rows of each the
    upserts left at 0 that drop_empty did not delete (0 unless something kept them)."""
    conn.execute(composed(SQL_COUNTS, "apply_detail_deltas", detail=tables.detail))
    analyze_temp(conn, "touched_detail")
    negative = conn.execute(statement(SQL_COUNTS, "negative_detail")).fetchone()[0]
    if negative:
        raise CountsDrifted(
            TouchedCheck(compared={"detail": negative}, mismatched={"detail": negative})
        )
    conn.execute(composed(SQL_COUNTS, "drop_empty_detail", detail=tables.detail))
    result, not_deleted = {}, {}
    for name, table in tables.counts.items():
        group = SQL_FILES[name]
        conn.execute(statement(group, "touched"))
        for apply in APPLY_DELTAS[name]:
            conn.execute(composed(group, apply, table=table, detail=tables.detail))
        analyze_temp(conn, TOUCHED[name])
        dropped = conn.execute(composed(group, "drop_empty", table=table)).rowcount
        removed = dropped
        if changed:
            removed += conn.execute(composed(group, "remove_regions", table=table)).rowcount
            added_regions = conn.execute(
                composed(group, "add_regions", table=table, detail=tables.detail)
            ).rowcount
        else:
            added_regions = 0
        added, updated, emptied = conn.execute(statement(group, "touched_summary")).fetchone()
        result[name] = TableChange(
            rows=0, added=added + added_regions, updated=updated, removed=removed
        )
        not_deleted[name] = emptied - dropped
    return result, not_deleted


def _has_geom_index(conn: psycopg.Connection) -> bool:
    return all(i.valid for i in change_log.geom_indexes(conn))


def _adjust_row_counts(
    conn: psycopg.Connection, changes: dict[str, TableChange]
) -> dict[str, TableChange]:
    """The live tables' row counts, carried in maint_assets.maintained_row_counts (counting
    millions of rows after every small refresh would cost more than the refresh)."""
    relations = {".".join(PUBLIC[name]): name for name in changes}
    known = dict(conn.execute(statement(SQL_COUNTS, "row_counts"), {"relations": list(relations)}))
    result = {}
    for relation, name in relations.items():
        change = changes[name]
        if relation in known:
            rows = known[relation] + change.added - change.removed
        else:  # tables built before row counts were kept: count once
            counted = composed(SQL_COUNTS, "count_rows", relation=PUBLIC[name])
            rows = conn.execute(counted).fetchone()[0]
        conn.execute(
            statement(SQL_COUNTS, "record_row_count"), {"relation": relation, "row_count": rows}
        )
        result[name] = TableChange(
            rows=rows, added=change.added, updated=change.updated, removed=change.removed
        )
    return result


def _rebuild(
    db: PostgresResource,
    conn: psycopg.Connection,
    reason: str,
    failed_check: TouchedCheck | None,
    limits: Limits,
    started: float,
    log: Callable[[str], None],
) -> CountsRefresh:
    live, build = _Tables.live(), _Tables.build()
    with db.transaction(conn):
        # The catch-up reads the changes committed after the build's snapshot: none may be
        # trimmed before. CONSUMER's own position would hold them, but a first build has none.
        change_log.hold(conn, REBUILDING, SOURCES)
    with db.transaction(conn, repeatable_read=True):
        conn.execute(statement(SQL_COUNTS, "settings"))
        # Cut in the build's snapshot: a region edited after it is in the log past built_at,
        # and the catch-up cuts and counts it again. Cut in a snapshot of its own, a region
        # edited in between was built from its old cells and its change counted as consumed.
        cut = sync_cells(conn)
        log(f"{cut} regions cut into cells")
        not_valid = _regions_not_valid(conn)
        if not_valid:
            log(
                f"regions {not_valid} are not valid geometries: their observations are "
                "placed by ST_Within against the whole region, without cells"
            )
        capture = change_log.installed(conn)
        built_at = change_log.position_now(conn) if capture else None
        epoch = change_log.epoch(conn) if capture else None
        targets = _targets(conn, live)
        rows = _build(conn, build, targets, log)
    log("built aside; catching up and swapping in")
    try:
        changes, check, rows = _catch_up_and_swap(
            db, conn, live, build, targets, built_at, epoch, rows, limits
        )
    except BaseException:
        with db.transaction(conn):  # the copies built aside are of no use any more
            for table in build.all():
                conn.execute(composed(SQL_COUNTS, "drop_if_exists", relation=table))
        raise
    for table in live.all():
        conn.execute(composed(SQL_COUNTS, "vacuum", relation=table))
    return CountsRefresh(
        mode="full",
        reason=reason,
        changes=changes,
        regions_recounted=0,
        tables={
            name: TableChange(rows=n, added=n, updated=0, removed=0) for name, n in rows.items()
        },
        check=check,
        failed_check=failed_check,
        seconds=time.monotonic() - started,
        regions_not_valid=not_valid,
    )


def _catch_up_and_swap(
    db: PostgresResource,
    conn: psycopg.Connection,
    live: _Tables,
    build: _Tables,
    targets: list[TableDefinition],
    built_at: change_log.Position | None,
    epoch: int | None,
    rows: dict[str, int],
    limits: Limits,
) -> tuple[change_log.PendingChanges | None, TouchedCheck, dict[str, int]]:
    """Apply the changes made since the build's snapshot to the copies, check them, and swap
    them in, in one transaction; retried while readers hold the live tables."""
    deadline = time.monotonic() + limits.swap_timeout_s
    unlimited = Limits(max_incremental_changes=2**62, max_region_recounts=2**62)
    while True:
        try:
            with db.transaction(conn, repeatable_read=True):
                conn.execute(statement(SQL_COUNTS, "settings"))
                snapshot = export_snapshot(conn)
                changes, check, counts = None, TouchedCheck(), dict(rows)
                if built_at is not None:
                    if change_log.epoch(conn) != epoch:
                        raise NeedsRebuild("change history was lost during the rebuild")
                    changes = change_log.stage_pending(conn, built_at, SOURCES)
                    _, caught_up, check = _apply_and_check(db, conn, snapshot, build, unlimited)
                    if not check.passed:
                        raise CountsDrifted(check)
                    counts = {n: counts[n] + c.added - c.removed for n, c in caught_up.items()}
                for (schema, name), target in zip(live.all(), targets, strict=True):
                    now = read_definition(conn, schema, name)
                    if now != target:
                        raise DefinitionMismatch(
                            f"{schema}.{name} changed during the rebuild: "
                            + "; ".join(target.differences(now) if now else ["dropped"])
                        )
                _swap(conn, live, build)
                if built_at is not None:
                    change_log.advance(conn, CONSUMER, SOURCES)
                    change_log.release(conn, REBUILDING)
                conn.execute(composed(SQL_COUNTS, "record_levels", levels=live.levels))
                for name, count in counts.items():
                    conn.execute(
                        statement(SQL_COUNTS, "record_row_count"),
                        {"relation": ".".join(PUBLIC[name]), "row_count": count},
                    )
            return changes, check, counts
        except errors.LockNotAvailable:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "could not swap the rebuilt count tables in within "
                    f"{limits.swap_timeout_s:g} s: readers kept them locked; the live tables "
                    "are unchanged"
                ) from None
            time.sleep(0.5)


def _targets(conn: psycopg.Connection, live: _Tables) -> list[TableDefinition]:
    """The definitions the rebuilt tables must have: the live tables' (the count tables are
    created first with production's definition where they do not exist yet)."""
    if any(read_definition(conn, *t) is None for t in live.counts.values()):
        conn.execute(COUNT_TABLES_DDL.read_text())
    definitions = [read_definition(conn, *t) for t in live.all()]
    missing = [".".join(t) for t, d in zip(live.all(), definitions, strict=True) if d is None]
    if missing:
        raise NeedsRebuild(
            f"{', '.join(missing)} missing: apply maint_assets' bookkeeping "
            "(maint-assets schema atlas --bookkeeping)"
        )
    return definitions


def _build(
    conn: psycopg.Connection,
    build: _Tables,
    targets: list[TableDefinition],
    log: Callable[[str], None],
) -> dict[str, int]:
    """Build every table aside, with its target definition; returns the count tables' rows."""
    for table in build.all():
        conn.execute(composed(SQL_COUNTS, "drop_if_exists", relation=table))
    steps = [
        (build.levels, composed(SQL_COUNTS, "build_levels", levels=build.levels)),
        (build.detail, composed(SQL_COUNTS, "build_detail", detail=build.detail)),
        *(
            (table, composed(SQL_FILES[name], "build", table=table, detail=build.detail))
            for name, table in build.counts.items()
        ),
    ]
    rows = {}
    for (table, query), target in zip(steps, targets, strict=True):
        step = time.monotonic()
        count = conn.execute(query).rowcount
        give_definition(conn, target, *table)
        conn.execute(composed(SQL_COUNTS, "analyze", relation=table))
        log(f"built {'.'.join(table)}: {count} rows in {time.monotonic() - step:.1f} s")
        if table[1] in PUBLIC:
            rows[table[1]] = count
    return rows


def _swap(conn: psycopg.Connection, live: _Tables, build: _Tables) -> None:
    conn.execute(statement(SQL_COUNTS, "lock_timeout"), {"timeout": SWAP_LOCK_TIMEOUT})
    for table in live.all():
        conn.execute(composed(SQL_COUNTS, "swap_lock", relation=table))
    for (schema, _), table in zip(live.all(), build.all(), strict=True):
        conn.execute(composed(SQL_COUNTS, "drop_live", relation=(schema, table[1])))
        conn.execute(composed(SQL_COUNTS, "move_table", relation=table, schema=schema))
        move_statistics(conn, schema, table[1])


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
                _apply_changes(conn, _Tables.live(), Limits(2**62, 2**62))
            for name, table in PUBLIC.items():
                result[name] = conn.execute(
                    composed(SQL_FILES[name], "full_mismatches", table=table)
                ).fetchone()
            raise psycopg.Rollback(applied)
    return result
