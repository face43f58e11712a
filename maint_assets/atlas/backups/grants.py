"""Production's owners and privileges on the staging database.

The schema dump is written without them (``pg_dump --no-owner --no-privileges``): a plain dump
naming a role the staging server lacks stops at its first GRANT or ALTER ... OWNER (the load
runs with ON_ERROR_STOP in one transaction), so the whole rebuild failed. Staging then had no
grant at all (PostgREST's ``read_only_public`` got ``permission denied for schema api``). The
schema dump's manifest records them instead (read in the dump's snapshot); the staging build
grants those whose roles exist on the staging server, names the others, and compares.

An object goes to its production owner only when the loading role may give it away (it is a
member of that owner, as a superuser is of every role). The least-privileged loading role is
not: membership would let it act as production's owners on every database of the server,
production's too when staging shares its cluster. Those objects stay the loading role's, and
their owners are named (``owners_not_given``), not compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from maint_assets.atlas.keys import SQL_DUMPS
from maint_assets.core.grants import PRIVILEGES, role
from maint_assets.core.identifiers import check_identifier
from maint_assets.core.sql_files import statement

KINDS = {"SCHEMA", "TABLE", "SEQUENCE"}
PUBLIC = "PUBLIC"


def recorded(conn: psycopg.Connection, excluded: list[str]) -> list[list]:
    """[[kind, schema, name or None, owner, [[grantee, privilege, grantable], ...]], ...]"""
    rows = conn.execute(statement(SQL_DUMPS, "object_privileges"), {"excluded": excluded})
    return [list(r) for r in rows.fetchall()]


@dataclass
class Applied:
    grants: int = 0
    owners: int = 0
    missing_roles: list[str] = field(default_factory=list)
    # production owners the loading role may not give objects to (not a member of them)
    owners_not_given: list[str] = field(default_factory=list)
    # statements the server refused (say, a loading role that may not give an object away)
    failed: list[str] = field(default_factory=list)


def _object(kind: str, schema: str, name: str | None) -> sql.Identifier:
    parts = (schema,) if kind == "SCHEMA" else (schema, name)
    return sql.Identifier(*(check_identifier(p) for p in parts))


def present_roles(conn: psycopg.Connection) -> set[str]:
    return set(conn.execute(statement(SQL_DUMPS, "all_role_names")).fetchone()[0])


def givable_roles(conn: psycopg.Connection) -> set[str]:
    return set(conn.execute(statement(SQL_DUMPS, "givable_role_names")).fetchone()[0])


def apply(conn: psycopg.Connection, objects: list[list]) -> Applied:
    """Grant, then give each object to its production owner (ALTER ... OWNER moves the old
    owner's grants to the new one, and a loading role that is no superuser can still grant
    what it owns), in the open transaction; each statement in a savepoint, so a role the
    staging server lacks or a refused statement costs only itself."""
    present, givable = present_roles(conn), givable_roles(conn)
    done = Applied()
    missing: set[str] = set()
    not_given: set[str] = set()

    def run(query: sql.Composed) -> bool:
        try:
            with conn.transaction():
                conn.execute(query)
            return True
        except psycopg.Error as err:
            done.failed.append(f"{query.as_string(conn)}: {str(err).strip().splitlines()[0]}")
            return False

    # What the staging database already grants (schema public, created with the database:
    # PostgreSQL 15 gives PUBLIC USAGE, which production revoked) goes first, so each object
    # ends with production's grants only.
    here = {(k, s, n): (o, g) for k, s, n, o, g in recorded(conn, [])}
    for kind, schema, name, _owner, grants in objects:
        if kind not in KINDS:
            raise ValueError(f"unexpected object kind {kind!r}")
        target = _object(kind, schema, name)
        staging_owner, staging_grants = here.get((kind, schema, name), (None, []))
        for grantee in sorted({g for g, _, _ in staging_grants if g != staging_owner}):
            query = sql.SQL(statement(SQL_DUMPS, "revoke_privileges")).format(
                kind=sql.SQL(kind), object=target, grantee=role(grantee)
            )
            run(query)
        for grantee, privilege, grantable in grants:
            if privilege not in PRIVILEGES:
                raise ValueError(f"unexpected privilege {privilege!r}")
            if grantee != PUBLIC and grantee not in present:
                missing.add(grantee)
                continue
            query = sql.SQL(statement(SQL_DUMPS, "grant_privilege")).format(
                privilege=sql.SQL(privilege),
                kind=sql.SQL(kind),
                object=target,
                grantee=role(grantee),
                grant_option=sql.SQL(" WITH GRANT OPTION" if grantable else ""),
            )
            done.grants += run(query)
    # Tables before sequences: ALTER TABLE ... OWNER also gives away the sequences the table
    # owns (serial, identity), which refuse an owner of their own; those are skipped.
    order = {"SCHEMA": 0, "TABLE": 1, "SEQUENCE": 2}
    owned = None
    for kind, schema, name, owner, _ in sorted(objects, key=lambda o: order[o[0]]):
        if owner not in present:
            missing.add(owner)
            continue
        if owner not in givable:
            not_given.add(owner)
            continue
        if kind == "SEQUENCE":
            if owned is None:
                owned = {(k, s, n): o for k, s, n, o, _ in recorded(conn, [])}
            if owned.get((kind, schema, name)) == owner:
                continue
        query = sql.SQL(statement(SQL_DUMPS, "alter_owner")).format(
            kind=sql.SQL(kind), object=_object(kind, schema, name), owner=sql.Identifier(owner)
        )
        done.owners += run(query)
    done.missing_roles = sorted(missing)
    done.owners_not_given = sorted(not_given)
    return done


def mismatches(conn: psycopg.Connection, objects: list[list], excluded: list[str]) -> list[str]:
    """Where the staging database's owners and grants differ from production's, for the roles
    the staging server has. Grants to an object's owner are left out on both sides: they are
    the owner's implicit rights, and the loading role's when production's owner is missing or
    not one it may give objects to (then that owner's grants are left out too)."""
    present = present_roles(conn) | {PUBLIC}
    givable = givable_roles(conn)
    here = {(k, s, n): (o, g) for k, s, n, o, g in recorded(conn, excluded)}
    wrong = []
    for kind, schema, name, owner, grants in objects:
        label = f"{kind} {schema}{'.' + name if name else ''}"
        if (kind, schema, name) not in here:
            wrong.append(f"{label}: missing on staging")
            continue
        staging_owner, staging_grants = here[(kind, schema, name)]
        given = owner in givable
        if owner in present and given and staging_owner != owner:
            wrong.append(f"{label}: owner {staging_owner}, production's {owner}")

        def kept(entries: list, *of: str) -> set[tuple]:
            return {(g, p, bool(o)) for g, p, o in entries if g in present and g not in of}

        # what production grants to the staging owner, that owner holds anyway
        expected = kept(grants, owner, staging_owner)
        found = kept(staging_grants, staging_owner, *(() if given else (owner,)))
        if expected != found:
            wrong.append(
                f"{label}: lacks {sorted(expected - found)}, has more {sorted(found - expected)}"
            )
    return wrong
