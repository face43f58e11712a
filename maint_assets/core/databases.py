"""Databases as a whole: scratch databases for restore checks, loading dumps into them,
building a replacement and swapping it in by renaming, counting rows against a manifest."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import conninfo

from maint_assets.core.pg_tools import run_tool, server_major
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose, statement

GROUP = "core/databases"


def database_url(server: PostgresResource, database: str) -> str:
    """The URL of ``database`` on the server ``server`` connects to."""
    return conninfo.make_conninfo(server.url, dbname=database)


def same_database(a: str, b: str) -> bool:
    def where(url: str) -> tuple[str, str, str]:
        parts = conninfo.conninfo_to_dict(url)
        return (parts.get("host", ""), str(parts.get("port", "5432")), parts.get("dbname", ""))

    return where(a) == where(b)


def major_version(server: PostgresResource) -> int:
    with server.connect() as conn:
        return server_major(conn.info.server_version)


def create_database(server: PostgresResource, database: str) -> str:
    """(Re)create ``database`` on ``server``; return its URL."""
    with server.connect() as conn:
        conn.execute(compose(GROUP, "drop_database", database=database))
        conn.execute(compose(GROUP, "create_database", database=database))
    return database_url(server, database)


def drop_database(server: PostgresResource, database: str) -> None:
    with server.connect() as conn:
        conn.execute(compose(GROUP, "drop_database", database=database))


@contextmanager
def scratch_database(server: PostgresResource, name: str) -> Iterator[str]:
    """A new database ``name`` on ``server`` for the duration of the block; its URL."""
    url = create_database(server, name)
    try:
        yield url
    finally:
        drop_database(server, name)


def swap_in(server: PostgresResource, building: str, database: str) -> None:
    """Replace ``database`` by ``building`` (renamed to it); the old one is dropped."""
    previous = f"{database}__previous"
    with server.connect() as conn:
        conn.execute(compose(GROUP, "drop_database", database=previous))
        if conn.execute(statement(GROUP, "database_exists"), {"name": database}).fetchone()[0]:
            # A database in use cannot be renamed: its sessions are ended.
            conn.execute(statement(GROUP, "end_sessions"), {"name": database})
            conn.execute(compose(GROUP, "rename_database", database=database, new_name=previous))
        conn.execute(compose(GROUP, "rename_database", database=building, new_name=database))
        conn.execute(compose(GROUP, "drop_database", database=previous))


def load_dump(
    url: str,
    path: Path,
    fmt: str,
    major: int,
    what: str,
    clean: bool = False,
    disable_triggers: bool = False,
) -> None:
    """Load one dump into ``url`` in a single transaction, stopping at the first error, so a
    dump that fails half-way leaves the database as it was. ``clean`` (custom format only)
    drops the objects the dump recreates, in the same transaction; ``disable_triggers``
    (custom format, data only) loads with the tables' triggers off (needs a superuser)."""
    if fmt == "plain":
        args = ["--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
        run_tool("psql", major, [*args, "-f", str(path)], url, what)
        return
    args = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if clean:
        args += ["--clean", "--if-exists"]
    if disable_triggers:
        args.append("--disable-triggers")
    dbname = conninfo.conninfo_to_dict(url)["dbname"]
    run_tool("pg_restore", major, [*args, "-d", dbname, str(path)], url, what)


def count_rows(conn: psycopg.Connection, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        schema, _, name = table.partition(".")
        query = compose(GROUP, "count_rows", table=(schema, name))
        counts[table] = conn.execute(query).fetchone()[0]
    return counts


def user_tables(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute(statement(GROUP, "user_tables"))]


def count_mismatches(url: str, expected: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Tables whose row count in ``url`` differs from ``expected``: {table: (found, expected)}."""
    with PostgresResource(url=url).connect() as conn:
        found = count_rows(conn, list(expected))
    return {t: (found[t], n) for t, n in expected.items() if found[t] != n}
