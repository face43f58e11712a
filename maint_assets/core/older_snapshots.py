"""The sessions a table swapped in would look empty to: their snapshot predates the
transaction that wrote its rows (the atlas count rebuild's swap, the ingest's switch)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

from maint_assets.core.sql_files import statement

SQL_OLDER_SNAPSHOTS = "core/older_snapshots"


@dataclass(frozen=True)
class OlderSession:
    pid: int
    kind: str
    user: str
    application: str
    state: str
    since: str
    age: str

    def describe(self) -> str:
        return (
            f"pid {self.pid} ({self.kind}, user {self.user}, application {self.application}, "
            f"{self.state}, transaction open since {self.since}, {self.age})"
        )


def older_snapshots(
    conn: psycopg.Connection, xid: str, committed: datetime | None = None
) -> list[OlderSession]:
    """Sessions whose snapshot may not see the rows transaction ``xid`` wrote; with
    ``committed`` (a time after its commit), only those whose transaction began before."""
    return [
        OlderSession(*row)
        for row in conn.execute(
            statement(SQL_OLDER_SNAPSHOTS, "older_snapshots"),
            {"xid": str(xid), "committed": committed},
        )
    ]
