"""Set-based reconciliation of one copy of Client-API-VN's JSON tables into another.

Used twice: the window download replaces the window of the check copy, and the check copy
repairs production. Both run inside the caller's transaction, so a refusal (too many
deletions, malformed rows) raises before anything is committed and the target stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import dagster as dg
import psycopg

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import compose, statement
from maint_assets.vn_sync.keys import FORMS, OBSERVATIONS, PLACES, TABLES

GROUP = "vn_sync/reconcile"
ACTIONS = ("insert", "update", "delete")
# The sighting date a window is cut on, as Client-API-VN's `filter.type_date` chooses it.
DATE_PATHS = {"sighting": ["date", "@timestamp"], "entry": ["observers", "0", "insert_date"]}


class ReconcileRefused(RuntimeError):
    """The reconciliation would do something unsafe; nothing was changed."""


@dataclass(frozen=True)
class Window:
    """What a window download made complete: sightings dated from ``deletions_from`` (epoch)
    and not updated after ``download_started`` (epoch)."""

    start: date
    deletions_from: int
    download_started: int
    type_date: str = "sighting"


@dataclass
class TableResult:
    table: str
    window_rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    target_newer: int = 0
    malformed: list[tuple[int, str]] = field(default_factory=list)
    malformed_count: int = 0

    def metadata(self) -> dict[str, int]:
        return {
            "inserted": self.counts["insert"], "updated": self.counts["update"],
            "deleted": self.counts["delete"], "kept_newer": self.target_newer,
            "malformed": self.malformed_count, "rows_in_window": self.window_rows,
        }


def require_tables(db: PostgresResource, schemas: list[str]) -> None:
    """Installs the bookkeeping tables; fails naming every Client-API-VN table missing from
    ``schemas``."""
    with db.connect() as conn:
        apply_schema(conn, "vn_sync", bookkeeping_only=True)
        missing = [
            name
            for (name,) in conn.execute(
                statement(GROUP, "missing_tables"), {"schemas": schemas, "tables": list(TABLES)}
            )
        ]
    if missing:
        raise dg.Failure(
            f"missing tables in {db.describe()}: {', '.join(missing)} (Client-API-VN creates "
            "them: `maint-assets vn tables`)"
        )


def reconcile(
    conn: psycopg.Connection,
    source: str,
    target: str,
    window: Window,
    tables: tuple[str, ...],
    max_delete_fraction: float,
    skip_malformed: bool,
) -> dict[str, TableResult]:
    """Make ``target``'s tables agree with ``source``'s: insert what is missing, update what is
    stale (newer ``update_ts``, or the same one with another item), keep what the target has
    newer, delete what the source no longer has inside the window. Raises ReconcileRefused,
    before any write of the table, when deletions exceed ``max_delete_fraction`` of the
    window's rows or when the source has malformed items and ``skip_malformed`` is off."""
    params = {
        "date_path": DATE_PATHS[window.type_date],
        "deletions_from": window.deletions_from,
        "download_started": window.download_started,
    }
    results = {}
    for table in tables:
        kind = {OBSERVATIONS: "observation", FORMS: "form", PLACES: "place"}[table]
        names = {"source": source, "target": target}
        result = TableResult(table)
        conn.execute(compose(GROUP, f"{kind}_changes", **names), params)
        result.window_rows = conn.execute(
            compose(GROUP, f"{kind}_window_rows", **names), params
        ).fetchone()[0]
        for action, count in conn.execute(statement(GROUP, "change_counts")).fetchall():
            if action == "target_newer":
                result.target_newer = count
            elif action == "malformed":
                result.malformed_count = count
            else:
                result.counts[action] = count
        _refuse_unsafe(conn, source, target, result, max_delete_fraction, skip_malformed)
        _apply(conn, kind, {**names, "table": table}, params, result)
        conn.execute(statement(GROUP, "drop_changes"))
        results[table] = result
    return results


def _refuse_unsafe(
    conn: psycopg.Connection,
    source: str,
    target: str,
    result: TableResult,
    max_delete_fraction: float,
    skip_malformed: bool,
) -> None:
    if result.malformed_count:
        result.malformed = [
            (id_, site) for id_, site in conn.execute(statement(GROUP, "malformed_keys"))
        ]
        if not skip_malformed:
            shown = ", ".join(f"({i}, {s})" for i, s in result.malformed)
            more = " …" if result.malformed_count > len(result.malformed) else ""
            raise ReconcileRefused(
                f"{source}.{result.table} has {result.malformed_count} malformed item(s) "
                f"(id, site): {shown}{more}"
                f"; nothing was changed in {target} (set skip_malformed to repair the rest)"
            )
    limit = max_delete_fraction * result.window_rows
    deletes = result.counts["delete"]
    if deletes > limit:
        raise ReconcileRefused(
            f"{deletes} deletion(s) from {target}.{result.table} exceed the limit of "
            f"{max_delete_fraction:.1%} of its {result.window_rows} row(s) in the window "
            f"({limit:.0f}); an incomplete download looks like this, so nothing was changed"
        )


def _apply(
    conn: psycopg.Connection,
    kind: str,
    names: dict[str, str],
    params: dict[str, object],
    result: TableResult,
) -> None:
    """Write the changes; the counts become what PostgreSQL actually wrote."""
    suffix = "observations" if kind == "observation" else "items"
    for action in ACTIONS:
        if result.counts[action]:
            cur = conn.execute(compose(GROUP, f"{action}_{suffix}", **names), params)
            result.counts[action] = cur.rowcount
