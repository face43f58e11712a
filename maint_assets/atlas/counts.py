"""Keeping the point-in-polygon count tables exact from the change log.

Each refresh decides by itself: it applies the pending changes (signed deltas of the old and
new version of every changed observation; whole recounts of changed regions), or rebuilds the
table when it has no change-log position yet, history was lost, the run config asks for it,
or there are so many changes that a rebuild is cheaper. Either way it runs in one REPEATABLE
READ transaction, so the changes it consumes, the tables it reads and the sample it checks
against a direct recount are one snapshot; it records its new change-log position in that
same transaction. An incremental result that disagrees with the recount is rolled back and
rebuilt, and the refresh says so.
"""

from dataclasses import dataclass

import psycopg

from maint_assets.atlas import change_log
from maint_assets.core.refresh import RefreshOutcome, rebuild_table, relation_state
from maint_assets.core.sql_files import compose, statement, statements

SOURCES = ["observations", "regions"]
GROUP = "atlas/counts"
SAMPLE_MAX_AREA_KM2 = 10_000


class CountsDrifted(RuntimeError):
    """The incrementally maintained table no longer matches its sources."""


@dataclass(frozen=True)
class SampleCheck:
    regions: list[int]
    rows_compared: int
    mismatched_rows: int

    @property
    def passed(self) -> bool:
        return self.mismatched_rows == 0


@dataclass(frozen=True)
class CountsRefresh:
    outcome: RefreshOutcome
    reason: str | None  # why a rebuild was chosen; None when incremental
    changes: change_log.PendingChanges | None
    check: SampleCheck

    def metadata(self) -> dict[str, object]:
        meta: dict[str, object] = {
            **self.outcome.metadata(),
            "refresh_mode": "full" if self.reason else "incremental",
        }
        if self.reason:
            meta["full_refresh_reason"] = self.reason
        if self.changes:
            meta |= {
                "observations_inserted": self.changes.inserted,
                "observations_updated": self.changes.updated,
                "observations_deleted": self.changes.deleted,
                "regions_changed": self.changes.regions,
            }
        return meta


def refresh_counts(
    conn: psycopg.Connection,
    schema: str,
    name: str,
    group: str,
    consumer: str,
    full: bool,
    max_incremental_changes: int,
    sample_seed: str,
    regions_per_level: int,
) -> CountsRefresh:
    """Inside a REPEATABLE READ transaction: bring the count table up to date and check it."""
    conn.execute(statement(GROUP, "settings"))
    reason = "full refresh requested" if full else None
    if reason is None and relation_state(conn, schema, name) is None:
        reason = "the table does not exist yet"
    reason = reason or change_log.why_not_incremental(conn, consumer, SOURCES)
    changes = None
    if reason is None:
        changes = change_log.stage_pending(conn, consumer)
        if changes.observations > max_incremental_changes:
            reason = (
                f"{changes.observations} observation changes pending, more than "
                f"{max_incremental_changes}: a rebuild is cheaper"
            )
    sample = [
        r[0]
        for r in conn.execute(
            statement("atlas/checks", "sample_regions"),
            {
                "seed": sample_seed,
                "per_level": regions_per_level,
                "max_area_km2": SAMPLE_MAX_AREA_KM2,
            },
        )
    ]
    if reason is None:
        try:
            with conn.transaction():  # a savepoint: drift falls back to a rebuild
                outcome = _apply_changes(conn, schema, name, group)
                check = _check_sample(conn, schema, name, group, sample)
                if not check.passed:
                    raise CountsDrifted(
                        f"{check.mismatched_rows} rows of the sampled regions "
                        "disagreed with a recount after applying changes"
                    )
        except CountsDrifted as err:
            reason = f"{err}: rebuilt instead"
    if reason is not None:
        outcome = rebuild_table(conn, schema, name, group)
        conn.execute(
            statement(GROUP, "record_row_count"),
            {"relation": f"{schema}.{name}", "row_count": outcome.row_count},
        )
        check = _check_sample(conn, schema, name, group, sample)
    change_log.advance(conn, consumer, SOURCES)
    return CountsRefresh(outcome=outcome, reason=reason, changes=changes, check=check)


def _apply_changes(conn: psycopg.Connection, schema: str, name: str, group: str) -> RefreshOutcome:
    table = (schema, name)
    for temp_table in ("observation_deltas", "changed_regions"):
        conn.execute(statement(change_log.GROUP, temp_table))
        _analyze(conn, temp_table)
    conn.execute(statement(group, "touched"))
    # A table that keeps first and last years (its SQL file has these steps) must find the
    # rows whose extreme year lost an observation before the deltas change them.
    tracks_years = "stale_extremes" in statements(group)
    if tracks_years:
        conn.execute(compose(group, "stage_deltas", table=table))
        _analyze(conn, "dataset_deltas")
        conn.execute(compose(group, "stale_extremes", table=table))
    conn.execute(compose(group, "apply_deltas", table=table))
    added, updated, negative = conn.execute(statement(GROUP, "touched_summary")).fetchone()
    if negative:
        raise CountsDrifted(f"{negative} rows went negative")
    if tracks_years:
        conn.execute(compose(group, "recompute_extremes", table=table))
    removed = conn.execute(compose(group, "drop_regions", table=table)).rowcount
    added += conn.execute(compose(group, "recount_regions", table=table)).rowcount
    removed += conn.execute(compose(group, "drop_empty", table=table)).rowcount
    return RefreshOutcome(
        mode="incremental",
        row_count=_adjust_row_count(conn, table, added - removed),
        rows_added=added,
        rows_removed=removed,
        rows_updated=updated,
    )


def _analyze(conn: psycopg.Connection, temp_table: str) -> None:
    # Fresh temporary tables have no statistics: without them the planner joins the few
    # changed rows against millions by hash instead of through the indexes.
    conn.execute(compose("core/refresh", "analyze", relation=("pg_temp", temp_table)))


def _adjust_row_count(conn: psycopg.Connection, table: tuple[str, str], delta: int) -> int:
    relation = ".".join(table)
    row = conn.execute(
        statement(GROUP, "adjust_row_count"), {"relation": relation, "delta": delta}
    ).fetchone()
    if row:
        return row[0]
    # First incremental refresh of a table built before row counts were kept: count once.
    rows = conn.execute(compose("core/refresh", "count_rows", relation=table)).fetchone()[0]
    conn.execute(statement(GROUP, "record_row_count"), {"relation": relation, "row_count": rows})
    return rows


def _check_sample(
    conn: psycopg.Connection, schema: str, name: str, group: str, fids: list[int]
) -> SampleCheck:
    mismatched, compared = conn.execute(
        compose(group, "sample_mismatches", table=(schema, name)), {"fids": fids}
    ).fetchone()
    return SampleCheck(regions=fids, rows_compared=compared, mismatched_rows=mismatched)
