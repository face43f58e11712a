"""A rebuild of the count tables that never blocks readers for long: built aside in the build
schema, given the live tables' exact definitions, brought up to date with the changes made
meanwhile, checked, and swapped in under short-timeout locks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import errors

from maint_assets.atlas import change_log
from maint_assets.atlas.counts.deltas import apply_and_check
from maint_assets.atlas.counts.region_cells import regions_not_valid, sync_cells
from maint_assets.atlas.counts.statements import composed
from maint_assets.atlas.counts.table_definitions import (
    DefinitionMismatch,
    TableDefinition,
    give_definition,
    move_statistics,
    read_definition,
)
from maint_assets.atlas.counts.tables import (
    CONSUMER,
    COUNT_TABLES_DDL,
    PUBLIC,
    REBUILDING,
    SOURCES,
    SQL_FILES,
    CountsDrifted,
    CountTables,
    Limits,
    NeedsRebuild,
)
from maint_assets.atlas.counts.touched_check import TouchedCheck, export_snapshot
from maint_assets.atlas.keys import SQL_COUNTS
from maint_assets.core import views
from maint_assets.core.older_snapshots import older_snapshots
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement

# How long the swap waits for each table lock before letting readers through and retrying.
SWAP_LOCK_TIMEOUT = "200ms"


@dataclass(frozen=True)
class Rebuilt:
    changes: change_log.PendingChanges | None  # those made during the build, caught up
    check: TouchedCheck
    rows: dict[str, int]  # each count table's
    regions_not_valid: list[int]


def rebuild(
    db: PostgresResource,
    conn: psycopg.Connection,
    limits: Limits,
    log: Callable[[str], None],
) -> Rebuilt:
    live, build = CountTables.live(), CountTables.build()
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
        not_valid = regions_not_valid(conn)
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
        built = conn.execute(statement(SQL_COUNTS, "build_xid")).fetchone()[0]
    committed = conn.execute(statement(SQL_COUNTS, "now")).fetchone()[0]
    log("built aside; catching up and swapping in")
    try:
        changes, check, rows = catch_up_and_swap(
            db, conn, live, build, targets, built_at, epoch, rows, limits, (built, committed)
        )
    except BaseException:
        with db.transaction(conn):  # the copies built aside are of no use any more
            for table in build.all():
                conn.execute(composed(SQL_COUNTS, "drop_if_exists", relation=table))
        raise
    for table in live.all():
        conn.execute(composed(SQL_COUNTS, "vacuum", relation=table))
    return Rebuilt(changes=changes, check=check, rows=rows, regions_not_valid=not_valid)


def catch_up_and_swap(
    db: PostgresResource,
    conn: psycopg.Connection,
    live: CountTables,
    build: CountTables,
    targets: list[TableDefinition],
    built_at: change_log.Position | None,
    epoch: int | None,
    rows: dict[str, int],
    limits: Limits,
    built: tuple[str, datetime] | None = None,
) -> tuple[change_log.PendingChanges | None, TouchedCheck, dict[str, int]]:
    """Apply the changes made since the build's snapshot to the copies, check them, and swap
    them in, in one transaction; retried while readers hold the live tables, or hold a
    snapshot taken before ``built`` (the build's transaction id and a time after its commit)
    committed."""
    deadline = time.monotonic() + limits.swap_timeout_s
    unlimited = Limits(max_incremental_changes=2**62, max_region_recounts=2**62)
    while True:
        try:
            with db.transaction(conn, repeatable_read=True):
                if built is not None:
                    _refuse_older_snapshots(conn, *built)
                conn.execute(statement(SQL_COUNTS, "settings"))
                snapshot = export_snapshot(conn)
                changes, check, counts = None, TouchedCheck(), dict(rows)
                if built_at is not None:
                    if change_log.epoch(conn) != epoch:
                        raise NeedsRebuild("change history was lost during the rebuild")
                    changes = change_log.stage_pending(conn, built_at, SOURCES)
                    _, caught_up, check = apply_and_check(db, conn, snapshot, build, unlimited)
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
        except OlderSnapshots as err:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "could not swap the rebuilt count tables in within "
                    f"{limits.swap_timeout_s:g} s: sessions whose snapshot predates the "
                    f"rebuild would read them empty ({err}); the live tables are unchanged"
                ) from None
            time.sleep(0.5)


class OlderSnapshots(RuntimeError):
    """Sessions hold a snapshot that cannot see the rebuilt tables' rows."""


def _refuse_older_snapshots(conn: psycopg.Connection, xid: str, committed: datetime) -> None:
    """The swapped-in tables' rows were written by the build's transaction: a snapshot taken
    before it committed does not see them, so a REPEATABLE READ reader begun before the
    rebuild (or a statement calling the API's STABLE functions, which read in the calling
    statement's snapshot) would read the new tables empty, where production's refresh
    (DELETE, INSERT) leaves it its rows. Such snapshots only grow fewer: waited out, as
    CREATE INDEX CONCURRENTLY waits out older snapshots."""
    older = older_snapshots(conn, xid, committed)
    if older:
        raise OlderSnapshots(", ".join(session.describe() for session in older))


def _targets(conn: psycopg.Connection, live: CountTables) -> list[TableDefinition]:
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
    build: CountTables,
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


def _swap(conn: psycopg.Connection, live: CountTables, build: CountTables) -> None:
    conn.execute(statement(SQL_COUNTS, "lock_timeout"), {"timeout": SWAP_LOCK_TIMEOUT})
    for table in live.all():
        conn.execute(composed(SQL_COUNTS, "swap_lock", relation=table))
    # Views someone made over a count table read the table, not its name, and the DROP fails
    # on them: re-created over the new tables from their own definitions, as core/refresh.py
    # does (production's refresh, DELETE and INSERT, keeps them). A view over both tables is
    # listed by each: kept at its last place, after everything it reads.
    listed = [view for table in live.all() for view in views.views_on(conn, *table)]
    dependents = [
        view
        for i, view in enumerate(listed)
        if view.qualified not in {later.qualified for later in listed[i + 1 :]}
    ]
    refusal = views.Refusal(
        "the count tables not swapped in", "the live tables are unchanged", "atlas"
    )
    views.drop(conn, dependents, refusal)
    for (schema, _), table in zip(live.all(), build.all(), strict=True):
        conn.execute(composed(SQL_COUNTS, "drop_live", relation=(schema, table[1])))
        conn.execute(composed(SQL_COUNTS, "move_table", relation=table, schema=schema))
        move_statistics(conn, schema, table[1])
    views.recreate(conn, dependents, refusal)
