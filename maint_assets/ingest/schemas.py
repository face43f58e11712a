"""The schemas the ingest creates carry a marker comment (``maint_assets: ingest …``): it drops
a staging schema, or an expired version, only when the marker says it made it."""

import re

import dagster as dg
import psycopg
from psycopg import sql

from maint_assets.core.attachments import run_or_refuse
from maint_assets.core.sql_files import statement
from maint_assets.core.views import Refusal
from maint_assets.ingest.keys import MARKER, SQL_SCHEMAS

MARKER_STAGING = f"{MARKER} staging"


def exists(conn: psycopg.Connection, schema: str) -> bool:
    return conn.execute(statement(SQL_SCHEMAS, "schema_exists"), {"schema": schema}).fetchone()[0]


def comment(conn: psycopg.Connection, schema: str) -> str:
    return (
        conn.execute(statement(SQL_SCHEMAS, "schema_comment"), {"schema": schema}).fetchone()[0]
        or ""
    )


def owner(conn: psycopg.Connection, schema: str) -> str:
    return conn.execute(statement(SQL_SCHEMAS, "schema_owner"), {"schema": schema}).fetchone()[0]


def give_owner(conn: psycopg.Connection, refusal: Refusal, schema: str, new_owner: str) -> None:
    """Make ``new_owner`` the owner of ``schema`` (a version to be switched in), unless it is."""
    if owner(conn, schema) != new_owner:
        run_or_refuse(conn, refusal, f"the owner {new_owner} of the schema cannot be given to",
                      SQL_SCHEMAS, "owner_of_schema", schema=sql.Identifier(schema),
                      owner=sql.Identifier(new_owner))


def mark(conn: psycopg.Connection, schema: str, marker: str) -> None:
    # COMMENT takes no bind parameter: the marker is a quoted literal.
    conn.execute(
        sql.SQL(statement(SQL_SCHEMAS, "mark_schema")).format(
            schema=sql.Identifier(schema), marker=sql.Literal(marker)
        )
    )


# How a staging schema's marker names the run that loaded it (a Dagster run id).
_LOADED_BY = re.compile(r", loaded by run (\S+)$")


def staging_marker(production: str, run_id: str) -> str:
    return f"{MARKER_STAGING} of {production}, loaded by run {run_id}"


def loaded_by(conn: psycopg.Connection, schema: str) -> str | None:
    """The run that loaded the staging schema ``schema``, from its marker."""
    found = _LOADED_BY.search(comment(conn, schema))
    return found.group(1) if found else None


def refuse_unless_marked(conn: psycopg.Connection, schema: str, marker: str) -> None:
    found = comment(conn, schema)
    if not found.startswith(marker):
        raise dg.Failure(
            f"refusing to replace the schema {schema}: it was not created by maint_assets' "
            f"ingest (its comment is {found!r}, not {marker!r}…); rename or drop it yourself "
            "if it is really a leftover"
        )
