"""The sequences of a loaded table: its serial keys numbered where the file left them empty,
and every sequence its columns own moved past the values the load left.

A file may give a serial key on some lines and not on others (rows exported from the portal
with their ids beside new documents without); the rows without one are numbered by the
sequence, past those the others keep. A file that gives the keys leaves the sequence where it
was made, at 1: after the switch the portal's next insert relying on the default
(nmdc-server's ontology_relation, envo_tree) repeated a key the file gave. The sequences are
found in the catalogue (pg_depend), not in the tables file's types, and named by their oid or
quoted identifiers."""

import psycopg

from maint_assets.core.sql_files import compose, statement
from maint_assets.ingest.keys import SQL_STAGING


def allow_missing(conn: psycopg.Connection, relation: tuple[str, str], columns: list[str]) -> None:
    """Let ``columns`` (serial keys the file gives) take NULL until ``after_load``."""
    for column in columns:
        conn.execute(compose(SQL_STAGING, "allow_missing", table=relation, column=column))


def after_load(
    conn: psycopg.Connection, relation: tuple[str, str], columns: list[str]
) -> None:
    """After the load: every owned sequence past the largest value of its column, then the
    NULLs of ``columns`` numbered by their sequence, and the columns NOT NULL again."""
    sequences = advance(conn, relation)
    for column in columns:
        conn.execute(
            compose(SQL_STAGING, "number_missing", table=relation, column=column),
            {"sequence": sequences[column]},
        )
        conn.execute(compose(SQL_STAGING, "require", table=relation, column=column))


def advance(conn: psycopg.Connection, relation: tuple[str, str]) -> dict[str, int]:
    """Every sequence a column of ``relation`` owns set past the column's largest value (never
    moved back); returns each such column's sequence (oid)."""
    owned = conn.execute(
        statement(SQL_STAGING, "owned_sequences"), {"schema": relation[0], "table": relation[1]}
    ).fetchall()
    for column, oid, schema, name in owned:
        conn.execute(
            compose(SQL_STAGING, "advance_sequence", column=column, table=relation,
                    sequence=(schema, name)),
            {"sequence": oid},
        )
    return {column: oid for column, oid, _, _ in owned}
