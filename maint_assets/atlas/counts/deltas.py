"""Applying the change log's pending changes to the count tables: the changed regions counted
again whole, every other change staged as the detail's deltas, applied to the detail and to
both tables, and every row they touched checked."""

from __future__ import annotations

import psycopg

from maint_assets.atlas import change_log
from maint_assets.atlas.counts.region_cells import recut
from maint_assets.atlas.counts.statements import analyze_temp, composed
from maint_assets.atlas.counts.tables import (
    DATASET_COUNTS,
    PUBLIC,
    REGION_COUNTS,
    SQL_FILES,
    CountsDrifted,
    CountTables,
    Limits,
    NeedsRebuild,
    TableChange,
)
from maint_assets.atlas.counts.touched_check import DetailRecount, TouchedCheck
from maint_assets.atlas.keys import SQL_CHANGE_LOG, SQL_COUNTS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement

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


def apply_changes(
    conn: psycopg.Connection, tables: CountTables, limits: Limits
) -> tuple[int, dict[str, TableChange]]:
    """Apply pending_changes to ``tables``, unchecked; returns the regions recounted and what
    changed."""
    changed, counted = stage_deltas(conn, tables, limits)
    result, _ = apply_deltas(conn, tables, changed)
    return counted, result


def apply_and_check(
    db: PostgresResource,
    conn: psycopg.Connection,
    snapshot: str,
    tables: CountTables,
    limits: Limits,
) -> tuple[int, dict[str, TableChange], TouchedCheck]:
    """Apply pending_changes to ``tables`` and check every row they touched; returns the
    regions recounted, what changed and the check. ``snapshot`` is the transaction's."""
    changed, counted = stage_deltas(conn, tables, limits)
    recount = DetailRecount(db, conn, snapshot)
    try:
        result, not_deleted = apply_deltas(conn, tables, changed)
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


def stage_deltas(conn: psycopg.Connection, tables: CountTables, limits: Limits) -> tuple[int, int]:
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
        recut(conn, "changed_regions")
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


def apply_deltas(
    conn: psycopg.Connection, tables: CountTables, changed: int
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


def adjust_row_counts(
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
