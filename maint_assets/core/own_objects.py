"""The project's own indexes and constraints on the tables it replaces: those it made from its
own SQL (the ingest's rules from its tables file, the catalogue's indexes from
``sql/catalog/datasets.sql``), told apart from a DBA's or an analyst's on the same tables by a
record of their oids (``maint_assets.own_objects``), kept when the table is made. A swap passes
them to core/attachments.py as ``ours``: one the project no longer declares goes with the
replaced table instead of being carried forever as someone else's.

Why a record of oids: an oid names the very object the project made, whatever a DBA later
names or comments; renames of the table or its schema (staging, production, archived, the
build schema) keep it. PostgreSQL's default names (``study_name_idx``, ``study_name_check``)
are what a DBA's unnamed ``CREATE INDEX ON`` or ``ADD CHECK`` gets too, a comment is a DBA's
to change (and is carried as theirs), and a definition may be a DBA's too. A record lost (a
database restored from a dump gives new oids) makes the object look like a DBA's: it is
carried, as before, never dropped without that evidence."""

import psycopg

from maint_assets.core.attachments import Lost
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import statement

SQL = "core/own_objects"
SCHEMA = "core"


def ensure(conn: psycopg.Connection) -> None:
    """Create the record if missing."""
    apply_schema(conn, SCHEMA)


def record(conn: psycopg.Connection, relation: tuple[str, str]) -> None:
    """Record what the project made on the table ``relation`` as its own, and forget the
    records of objects gone since. Called before anything of someone else's is carried onto
    the table."""
    schema, table = relation
    conn.execute(statement(SQL, "forget"))
    conn.execute(statement(SQL, "record"), {"schema": schema, "table": table})


def of(conn: psycopg.Connection, schema: str, tables: list[str]) -> Lost:
    """(kind, table, name) of the project's own indexes and constraints on ``schema``'s
    ``tables``."""
    return {
        (kind, table, name)
        for kind, table, name in conn.execute(
            statement(SQL, "of"), {"schema": schema, "tables": tables}
        )
    }
