"""Exported snapshots: pg_dump and the row counts of a backup's manifest read the same data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from maint_assets.core.databases import names_as_text
from maint_assets.core.pg_tools import PgToolError, run_tool
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement


@dataclass
class Snapshot:
    """An open REPEATABLE READ transaction whose snapshot pg_dump can read through."""

    conn: psycopg.Connection
    url: str
    name: str
    server_version_num: int
    server_version: str
    # pg_current_snapshot(): equal for exports that see the same committed transactions
    visibility: str

    @property
    def major(self) -> int:
        return self.server_version_num // 10000


def open_snapshot(conn: psycopg.Connection, url: str) -> Snapshot:
    # Not READ ONLY: a caller may stage rows in a temporary table.
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    # The snapshot's name and the catalog names read through it as text in a SQL_ASCII
    # database too (psycopg returns its text as bytes).
    names_as_text(conn)
    name, num, version, visibility = conn.execute(
        statement("core/databases", "export_snapshot")
    ).fetchone()
    return Snapshot(conn, url, name, num, version, visibility)


@contextmanager
def exported_snapshot(db: PostgresResource) -> Iterator[Snapshot]:
    with db.connect() as conn:
        snapshot = open_snapshot(conn, db.url)
        try:
            yield snapshot
        finally:
            conn.execute("ROLLBACK")


def pg_dump(snap: Snapshot, args: list[str], out: Path, what: str) -> None:
    """pg_dump through the snapshot, without owners or privileges, into ``out``; without
    subscriptions (their connection string holds the publisher's password, and a restored
    one makes its database one DROP DATABASE refuses); refused when it would write a user
    mapping's password (DESIGN §6: no password in a dump)."""
    # Only a dump of the whole database or of its schema writes foreign servers.
    if not any(a.startswith(("--table", "-t", "--data-only", "-a")) for a in args):
        mappings = snap.conn.execute(
            statement("core/databases", "user_mappings_with_password")
        ).fetchall()
        if mappings:
            named = ", ".join(f"{user} on {server}" for server, user in mappings)
            raise PgToolError(
                f"pg_dump would write the password of the user mapping(s) {named} into "
                f"{what}: refusing to dump. Dump as a role that may not read their options "
                "(neither a superuser nor the foreign server's owner; docs/operations.md: "
                "least privilege)"
            )
    run_tool(
        "pg_dump",
        snap.major,
        [f"--snapshot={snap.name}", "--no-owner", "--no-privileges", "--no-subscriptions",
         "-f", str(out), *args],
        snap.url,
        what,
    )
