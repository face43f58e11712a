"""What a database holds, as the dump and restore checks compare it: row counts, the rows'
content as COPY's text hashes it, view definitions as a restore prints them."""

import hashlib

import psycopg
from psycopg import sql

from maint_assets.core.databases import names_as_text
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose, statement

GROUP = "core/database_content"


def count_rows(conn: psycopg.Connection, tables: list[str]) -> dict[str, int]:
    names_as_text(conn)
    counts = {}
    for table in tables:
        schema, _, name = table.partition(".")
        query = compose(GROUP, "count_rows", table=(schema, name))
        counts[table] = conn.execute(query).fetchone()[0]
    return counts


def stable_text_output(conn: psycopg.Connection) -> None:
    """Fix, for the transaction, the settings rows' text depends on (time zone, date and
    interval styles, float digits, bytea): in an open transaction only."""
    conn.execute(statement(GROUP, "stable_text_output"))


def content_mismatches(url: str, content: dict[str, dict]) -> dict[str, dict[str, str]]:
    """Tables of ``url`` whose rows, in COPY's text form in the order ``content`` records,
    do not hash to its SHA-256: {table: {"found": …, "expected": …}}. A row trigger that
    rewrote a column on load, or a value that came back otherwise, shows here when a row
    count does not."""
    wrong = {}
    with PostgresResource(url=url).connect() as conn, conn.transaction():
        stable_text_output(conn)
        for table, recorded in content.items():
            schema, _, name = table.partition(".")
            query = sql.SQL(statement(GROUP, "copy_ordered")).format(
                table=sql.Identifier(schema, name),
                order_by=sql.SQL(", ").join(sql.Identifier(c) for c in recorded["order_by"]),
            )
            digest = hashlib.sha256()
            with conn.cursor().copy(query) as copy:
                for block in copy:
                    digest.update(block)
            if digest.hexdigest() != recorded["sha256"]:
                wrong[table] = {"found": digest.hexdigest(), "expected": recorded["sha256"]}
    return wrong


def user_tables(conn: psycopg.Connection) -> list[str]:
    names_as_text(conn)
    return [r[0] for r in conn.execute(statement(GROUP, "user_tables"))]


def view_definitions(conn: psycopg.Connection) -> dict[str, str]:
    """{schema.view: its definition as pg_get_viewdef prints it}, materialized views too."""
    names_as_text(conn)
    return dict(conn.execute(statement(GROUP, "view_definitions")).fetchall())


def restored_view_definitions(db: PostgresResource) -> dict[str, str]:
    """{schema.view: its definition as a restore of a dump of ``db`` prints it}.

    PostgreSQL does not print every definition as it prints it once read back, and a restore
    reads pg_dump's printed text: a varchar column NOT IN a list of literals (Metabase's
    v_audit_log) prints ``ARRAY['a'::character varying, …]::text[]`` as created and
    ``ARRAY['a'::character varying::text, …]`` once restored, the same view. So each
    definition is read back here once, as a temporary view (rolled back); a second reading
    prints the same as the first."""
    with db.connect() as conn:
        printed = view_definitions(conn)
        reread = {}
        with conn.transaction(force_rollback=True):
            for name, definition in printed.items():
                conn.execute(sql.SQL(statement(GROUP, "reread_view")).format(
                    definition=sql.SQL(definition.strip().removesuffix(";"))))
                reread[name] = conn.execute(statement(GROUP, "reread_definition")).fetchone()[0]
                conn.execute(statement(GROUP, "drop_reread"))
    return reread


def view_mismatches(found: dict[str, str], expected: dict[str, str]) -> list[str]:
    """The views of ``expected`` that ``found`` lacks or defines otherwise."""
    return sorted(v for v, definition in expected.items() if found.get(v) != definition)


def count_mismatches(url: str, expected: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Tables whose row count in ``url`` differs from ``expected``: {table: (found, expected)}."""
    with PostgresResource(url=url).connect() as conn:
        found = count_rows(conn, list(expected))
    return {t: (found[t], n) for t, n in expected.items() if found[t] != n}
