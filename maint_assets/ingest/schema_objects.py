"""What users make in the production schema besides tables and views: functions, procedures
and aggregates, types, sequences no table owns and extensions installed there move into the
new version with the carried tables (their oids unchanged, so a carried table's default, a
trigger or an index using them keeps working), and the schema's ALTER DEFAULT PRIVILEGES are
given to the new version, so they still hold for what is made in production after the
switch. Left in the archived version they disappeared from production at the switch and were
dropped with that version later. An extension that cannot be moved (PostGIS) refuses the
switch before anything moves: production would lose its functions and types."""

import dagster as dg
import psycopg
from psycopg import errors, sql

from maint_assets.core.attachments import run_or_refuse
from maint_assets.core.grants import PRIVILEGES, role
from maint_assets.core.sql_files import statement
from maint_assets.ingest.keys import SQL_PRODUCTION
from maint_assets.ingest.views import refusal

# pg_proc.prokind -> the ALTER that moves it (f: function, w: window function).
_ROUTINES = {"f": "FUNCTION", "w": "FUNCTION", "p": "PROCEDURE", "a": "AGGREGATE"}
# pg_default_acl.defaclobjtype -> the kind of object ALTER DEFAULT PRIVILEGES names.
_DEFAULTS = {"r": "TABLES", "S": "SEQUENCES", "f": "ROUTINES", "T": "TYPES"}


def refuse_fixed_extensions(conn: psycopg.Connection, production: str) -> None:
    """Fail, before anything moves, if an extension lives in production that cannot change
    schema, or that the session may not move (only its owner may: usually a superuser, who
    installed it)."""
    found = conn.execute(
        statement(SQL_PRODUCTION, "extensions_in"), {"schema": production}
    ).fetchall()
    fixed = [name for name, relocatable, _, _ in found if not relocatable]
    if fixed:
        raise dg.Failure(
            f"{production} not switched: the extension(s) {', '.join(fixed)} are installed in "
            f"it and cannot be moved to another schema (not relocatable): the switch renames "
            f"{production} away, which would take their functions and types with it. Install "
            "them in a schema of their own (e.g. `extensions`, on the database's search_path); "
            "production is untouched"
        )
    theirs = [(name, owner) for name, _, owner, ours in found if not ours]
    if theirs:
        raise dg.Failure(
            f"{production} not switched: the extension(s) "
            + ", ".join(f"{name} (owned by {owner})" for name, owner in theirs)
            + " are installed in it, and only their owner may move them into the new "
            "version: have it run `ALTER EXTENSION … SET SCHEMA <a schema of its own>` once "
            "(on the database's search_path), or the ingest run as that role; production is "
            "untouched"
        )


def move(conn: psycopg.Connection, production: str, incoming: str) -> list[str]:
    """Move production's routines, types, unowned sequences and extensions into
    ``incoming``; return them, named."""
    moved = []
    target = sql.Identifier(incoming)

    def run(what: str, name: str, **parts: sql.Composable) -> None:
        run_or_refuse(conn, refusal(production), f"{what} cannot be moved into", SQL_PRODUCTION,
                      name, target=target, **parts)
        moved.append(what)

    for kind, name, arguments in conn.execute(
        statement(SQL_PRODUCTION, "routines_in"), {"schema": production}
    ).fetchall():
        run(f"{_ROUTINES[kind].lower()} {production}.{name}({arguments})", "move_routine",
            kind=sql.SQL(_ROUTINES[kind]), routine=sql.Identifier(production, name),
            arguments=sql.SQL(arguments))
    for kind, name in conn.execute(
        statement(SQL_PRODUCTION, "types_in"), {"schema": production}
    ).fetchall():
        keyword = "DOMAIN" if kind == "d" else "TYPE"
        run(f"{keyword.lower()} {production}.{name}", "move_type", kind=sql.SQL(keyword),
            type=sql.Identifier(production, name))
    for (name,) in conn.execute(
        statement(SQL_PRODUCTION, "sequences_in"), {"schema": production}
    ).fetchall():
        run(f"sequence {production}.{name}", "move_sequence",
            sequence=sql.Identifier(production, name))
    for name, *_ in conn.execute(
        statement(SQL_PRODUCTION, "extensions_in"), {"schema": production}
    ).fetchall():
        run(f"extension {name}", "move_extension", extension=sql.Identifier(name))
    return moved


def grant_defaults(conn: psycopg.Connection, production: str, incoming: str) -> None:
    """Give ``incoming`` the default privileges production has."""
    for owner, kind, grantee, privilege in conn.execute(
        statement(SQL_PRODUCTION, "default_privileges_of"), {"schema": production}
    ).fetchall():
        if privilege not in PRIVILEGES or kind not in _DEFAULTS:
            continue
        try:
            conn.execute(
                sql.SQL(statement(SQL_PRODUCTION, "grant_by_default")).format(
                    role=sql.Identifier(owner),
                    schema=sql.Identifier(incoming),
                    privilege=sql.SQL(privilege),
                    kind=sql.SQL(_DEFAULTS[kind]),
                    grantee=role(grantee),
                )
            )
        except errors.InsufficientPrivilege as err:
            raise dg.Failure(
                f"{production} not switched: its default privileges for {owner}'s new "
                f"{_DEFAULTS[kind].lower()} ({privilege} to {grantee}) cannot be given to the "
                f"new version: {err.diag.message_primary}; GRANT {owner} TO the ingest's role; "
                "production is untouched"
            ) from None

