"""Carrying privileges over to a replacement: a rebuilt table swapped in, or a new version of a
schema switched in, keeps what readers and applications were granted on the old one."""

import psycopg
from psycopg import sql

from maint_assets.core.sql_files import statement

SQL = "core/grants"
# What a GRANT can give (the ACL also lists MAINTAIN on PostgreSQL 17, same keyword).
_TABLE = {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"}
_SCHEMA = {"USAGE", "CREATE"}
_SEQUENCE = {"USAGE", "SELECT", "UPDATE"}
# Every privilege a GRANT on a table, sequence, schema or routine (or ALTER DEFAULT
# PRIVILEGES for them) may name: ACL entries are checked against it before a privilege is
# formatted into a statement.
PRIVILEGES = _TABLE | _SCHEMA | {"EXECUTE"}

# (grantee, privilege, whether with grant option): a grantee allowed to pass a privilege on
# keeps that right on the replacement, and one that was not never gains it.
Grants = list[tuple[str, str, bool]]


def table_grants(conn: psycopg.Connection, schema: str, name: str) -> Grants:
    return conn.execute(statement(SQL, "table_grants"), {"schema": schema, "name": name}).fetchall()


def schema_grants(conn: psycopg.Connection, schema: str) -> Grants:
    return conn.execute(statement(SQL, "schema_grants"), {"schema": schema}).fetchall()


def grant_on_table(conn: psycopg.Connection, grants: Grants, schema: str, name: str) -> None:
    _grant(conn, grants, _TABLE, "grant_on_table", relation=sql.Identifier(schema, name))


def revoke_on_table(
    conn: psycopg.Connection, held: Grants, kept: Grants, schema: str, name: str
) -> None:
    """Revoke what ``held`` has beyond ``kept``: a privilege, or only its grant option."""
    _revoke(conn, held, kept, _TABLE, "revoke_on_table", sql.Identifier(schema, name))


def grant_on_sequence(conn: psycopg.Connection, grants: Grants, schema: str, name: str) -> None:
    _grant(conn, grants, _SEQUENCE, "grant_on_sequence", relation=sql.Identifier(schema, name))


def revoke_on_sequence(
    conn: psycopg.Connection, held: Grants, kept: Grants, schema: str, name: str
) -> None:
    """As ``revoke_on_table``, on a sequence."""
    _revoke(conn, held, kept, _SEQUENCE, "revoke_on_sequence", sql.Identifier(schema, name))


def _revoke(
    conn: psycopg.Connection, held: Grants, kept: Grants, allowed: set[str], name: str,
    relation: sql.Composable,
) -> None:
    for grantee, privilege, option in revocations(held, kept):
        if privilege in allowed:
            conn.execute(
                sql.SQL(statement(SQL, name)).format(
                    option=grant_option_for(option), privilege=sql.SQL(privilege),
                    grantee=role(grantee), relation=relation,
                )
            )


def revocations(held: list[tuple], kept: list[tuple]) -> list[tuple]:
    """What revoking takes from ``held`` (entries ending with the privilege and whether with
    grant option) to leave ``kept``: each entry ``kept`` lacks, with True where only its grant
    option goes."""
    wanted: dict[tuple, bool] = {}
    for *what, option in kept:
        wanted[tuple(what)] = wanted.get(tuple(what), False) or option
    revoked = []
    for *what, option in held:
        if tuple(what) not in wanted:
            revoked.append((*what, False))
        elif option and not wanted[tuple(what)]:
            revoked.append((*what, True))
    return sorted(set(revoked))


def grant_option_for(only: bool) -> sql.Composable:
    """The clause of a REVOKE taking away the grant option alone."""
    return sql.SQL("GRANT OPTION FOR" if only else "")


def with_grant_option(option: bool) -> sql.Composable:
    return sql.SQL("WITH GRANT OPTION" if option else "")


def grant_on_schema(conn: psycopg.Connection, grants: Grants, schema: str) -> None:
    _grant(conn, grants, _SCHEMA, "grant_on_schema", schema=sql.Identifier(schema))


def _grant(
    conn: psycopg.Connection, grants: Grants, allowed: set[str], name: str, **target: sql.Composable
) -> None:
    for grantee, privilege, option in grants:
        if privilege in allowed:
            conn.execute(
                sql.SQL(statement(SQL, name)).format(
                    privilege=sql.SQL(privilege),
                    grantee=role(grantee),
                    option=with_grant_option(option),
                    **target,
                )
            )


def role(name: str) -> sql.Composable:
    """An ACL entry's grantee as GRANT takes it: PUBLIC (aclexplode's grantee 0) is a keyword."""
    return sql.SQL("PUBLIC") if name == "PUBLIC" else sql.Identifier(name)
