"""The check of every row a count refresh touches (its metadata), and its costliest part,
counted beside the refresh.

A refresh (maint_assets/atlas/counts/deltas.py) applies its deltas on one connection, in one
transaction, and so on one core. The detail check counts the detail rows the deltas change
again from the observations, which does not depend on that writing: it reads only what was
committed. So it runs on a second connection in the refresh's own snapshot (exported with
pg_export_snapshot: both read the same committed state) while the refresh writes, and the
refresh then compares the counts it wrote with it. The rest of the check (both tables' touched
rows against the detail, the recounted regions) reads what the refresh wrote, on its own
connection.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import psycopg

from maint_assets.atlas.counts.statements import analyze_temp, composed
from maint_assets.atlas.keys import SQL_COUNTS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement


@dataclass(frozen=True)
class TouchedCheck:
    """Every row a refresh touched, compared. ``mismatched`` per compared part."""

    compared: dict[str, int] = field(default_factory=dict)
    mismatched: dict[str, int] = field(default_factory=dict)

    def passed_for(self, table: str) -> bool:
        return not any(self.mismatched.get(part, 0) for part in ("detail", "regions", table))

    @property
    def passed(self) -> bool:
        return not any(self.mismatched.values())

    def summary(self) -> str:
        wrong = {part: n for part, n in self.mismatched.items() if n}
        return f"{sum(wrong.values())} touched rows disagreed ({wrong})"

    def metadata(self, table: str) -> dict[str, object]:
        parts = ("detail", "regions", table)
        return {
            "rows_compared": sum(self.compared.get(p, 0) for p in parts),
            "mismatched_rows": sum(self.mismatched.get(p, 0) for p in parts),
            "detail_rows_compared": self.compared.get("detail", 0),
            "recounted_region_rows_compared": self.compared.get("regions", 0),
            "table_rows_compared": self.compared.get(table, 0),
        }


def export_snapshot(conn: psycopg.Connection) -> str:
    """The snapshot of ``conn``'s transaction, for the second connection. Exported first thing:
    a savepoint (where the deltas are applied) cannot export one."""
    return conn.execute(statement(SQL_COUNTS, "export_snapshot")).fetchone()[0]


def _columns(cursor: psycopg.Cursor) -> dict[str, list]:
    """A result as one list per column (how the other connection loads it: one array each)."""
    names = [column.name for column in cursor.description or []]
    columns: dict[str, list] = {name: [] for name in names}
    for row in cursor:
        for values, value in zip(columns.values(), row, strict=True):
            values.append(value)
    return columns


class DetailRecount:
    """The detail rows the deltas in ``conn``'s pg_temp.detail_deltas change, counted again from
    the observations on a second connection in ``snapshot`` (``conn``'s transaction's), from the
    moment it is made (once the deltas are staged, before they are applied) until
    :meth:`compare`."""

    def __init__(self, db: PostgresResource, conn: psycopg.Connection, snapshot: str) -> None:
        self._db, self._snapshot = db, snapshot
        self._deltas = _columns(conn.execute(statement(SQL_COUNTS, "read_detail_deltas")))
        self._side: psycopg.Connection | None = None
        self._recount: dict[str, list] = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._count, name="detail-recount", daemon=True)
        # No deltas (only regions changed, or a rebuild with nothing to catch up): nothing to
        # count again, and no second connection to open.
        if self._deltas["fid"]:
            self._thread.start()

    def _count(self) -> None:
        try:
            with self._db.connect() as side:
                self._side = side
                with self._db.transaction(side, snapshot=self._snapshot):
                    side.execute(statement(SQL_COUNTS, "settings"))
                    side.execute(statement(SQL_COUNTS, "side_deltas"), self._deltas)
                    analyze_temp(side, "detail_deltas")
                    side.execute(composed(SQL_COUNTS, "checked_observations"))
                    analyze_temp(side, "checked_observations")
                    self._recount = _columns(side.execute(composed(SQL_COUNTS, "recount_detail")))
        except BaseException as err:  # re-raised in the refresh's thread by compare()
            self._error = err

    def compare(self, conn: psycopg.Connection) -> tuple[int, int]:
        """(mismatched, compared) detail rows: the counts the refresh wrote (``conn``'s
        pg_temp.touched_detail) against the recount."""
        if self._thread.is_alive():
            self._thread.join()
        if self._error is not None:
            raise self._error
        if not self._recount:  # nothing counted again: no detail row changed by deltas
            return 0, 0
        conn.execute(statement(SQL_COUNTS, "load_detail_recount"), self._recount)
        return conn.execute(statement(SQL_COUNTS, "compare_detail")).fetchone()

    def stop(self) -> None:
        """Give up on the recount if it still runs (the refresh failed before comparing):
        cancel its query and wait for its thread. Nothing to do after :meth:`compare`."""
        if self._thread.is_alive():
            if self._side is not None:
                self._side.cancel_safe()
            self._thread.join()
