"""Production's owners and privileges on the staging database.

The schema dump is written without them (``pg_dump --no-owner --no-privileges``): a plain dump
naming a role the staging server lacks stops at its first GRANT or ALTER ... OWNER (the load
runs with ON_ERROR_STOP in one transaction), so the whole rebuild failed. Staging then had no
grant at all (PostgREST's ``read_only_public`` got ``permission denied for schema api``). The
schema dump's manifest records them instead (read in the dump's snapshot): owners and grants
of schemas, relations and routines (production grants EXECUTE on the api functions PostgREST
calls), grants on single columns, and ALTER DEFAULT PRIVILEGES (production's, per role and
schema, for tables, sequences and functions). The staging build grants those whose roles
exist on the staging server, names the others, and compares.

An object goes to its production owner only when the loading role may give it away (it is a
member of that owner, as a superuser is of every role); so are a role's default privileges set
only for such a role. The least-privileged loading role is not: membership would let it act as
production's owners on every database of the server, production's too when staging shares its
cluster. Those objects stay the loading role's, and their owners are named
(``owners_not_given``), not compared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from maint_assets.atlas.keys import SQL_DUMPS
from maint_assets.core.grants import PRIVILEGES, role
from maint_assets.core.identifiers import check_identifier
from maint_assets.core.sql_files import statement

KINDS = {"SCHEMA", "TABLE", "SEQUENCE", "ROUTINE"}
# what ALTER DEFAULT PRIVILEGES applies to
DEFAULT_KINDS = {"TABLES", "SEQUENCES", "FUNCTIONS", "TYPES", "SCHEMAS"}
PUBLIC = "PUBLIC"

Grant = tuple[str, str, bool]  # grantee, privilege, grantable


@dataclass
class Record:
    """What the schema dump's manifest records (lists, as JSON keeps them)."""

    # [[kind, schema, name or None, owner, [[grantee, privilege, grantable], ...]], ...]; a
    # routine's name is its signature, "name(argument types)"
    objects: list[list]
    # [[schema, relation, column, [[grantee, privilege, grantable], ...]], ...]
    columns: list[list] = field(default_factory=list)
    # [[role, schema or None (every schema), kind, [[grantee, privilege, grantable], ...]], ...]
    defaults: list[list] = field(default_factory=list)


def recorded(conn: psycopg.Connection, excluded: list[str]) -> Record:
    def read(name: str) -> list[list]:
        rows = conn.execute(statement(SQL_DUMPS, name), {"excluded": excluded})
        return [list(r) for r in rows.fetchall()]

    return Record(read("object_privileges"), read("column_privileges"), read("default_privileges"))


@dataclass
class Applied:
    grants: int = 0
    owners: int = 0
    column_grants: int = 0
    default_privileges: int = 0
    missing_roles: list[str] = field(default_factory=list)
    # production owners the loading role may not give objects to (not a member of them)
    owners_not_given: list[str] = field(default_factory=list)
    # statements the server refused (say, a loading role that may not give an object away)
    failed: list[str] = field(default_factory=list)


def present_roles(conn: psycopg.Connection) -> set[str]:
    return set(conn.execute(statement(SQL_DUMPS, "all_role_names")).fetchone()[0])


def givable_roles(conn: psycopg.Connection) -> set[str]:
    return set(conn.execute(statement(SQL_DUMPS, "givable_role_names")).fetchone()[0])


def _routines(conn: psycopg.Connection) -> dict[tuple[str, str], sql.Composable]:
    """Staging's routines by (schema, signature): the statement names one by the text
    PostgreSQL quotes, never by the recorded signature."""
    return {
        (schema, signature): sql.SQL(quoted)
        for schema, signature, quoted in conn.execute(statement(SQL_DUMPS, "routine_signatures"))
    }


def _grant_option(grantable: bool) -> sql.Composable:
    return sql.SQL(" WITH GRANT OPTION" if grantable else "")


def _checked(privilege: str) -> sql.Composable:
    if privilege not in PRIVILEGES:
        raise ValueError(f"unexpected privilege {privilege!r}")
    return sql.SQL(privilege)


def _in_schema(schema: str | None) -> sql.Composable:
    if schema is None:
        return sql.SQL("")
    return sql.SQL(" IN SCHEMA {}").format(sql.Identifier(check_identifier(schema)))


def apply(conn: psycopg.Connection, record: Record) -> Applied:
    """Grant, then give each object to its production owner (ALTER ... OWNER moves the old
    owner's grants to the new one, and a loading role that is no superuser can still grant
    what it owns), then the column grants and the default privileges, in the open
    transaction; each statement in a savepoint, so a role the staging server lacks or a
    refused statement costs only itself."""
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

    def exists(name: str) -> bool:
        if name == PUBLIC or name in present:
            return True
        missing.add(name)
        return False

    def given(owner: str) -> bool:
        if owner in givable:
            return True
        not_given.add(owner)
        return False

    _apply_objects(conn, record.objects, run, exists, given, done)
    for schema, relation, column, grants in record.columns:
        for grantee, privilege, grantable in grants:
            query = sql.SQL(statement(SQL_DUMPS, "grant_on_columns")).format(
                privilege=_checked(privilege),
                column=sql.Identifier(check_identifier(column)),
                table=_object("TABLE", schema, relation),
                grantee=role(grantee),
                grant_option=_grant_option(grantable),
            )
            if exists(grantee):
                done.column_grants += run(query)
    _apply_defaults(conn, record.defaults, run, exists, given, done)
    done.missing_roles = sorted(missing)
    done.owners_not_given = sorted(not_given)
    return done


def _object(kind: str, schema: str, name: str | None) -> sql.Identifier:
    parts = (schema,) if kind == "SCHEMA" else (schema, name)
    return sql.Identifier(*(check_identifier(p) for p in parts))


def _apply_objects(
    conn: psycopg.Connection,
    objects: list[list],
    run: Callable[[sql.Composed], bool],
    exists: Callable[[str], bool],
    given: Callable[[str], bool],
    done: Applied,
) -> None:
    routines = _routines(conn)

    def target(kind: str, schema: str, name: str | None) -> sql.Composable | None:
        if kind == "ROUTINE":  # None: not on staging, which the comparison names
            return routines.get((schema, name))
        return _object(kind, schema, name)

    # What the staging database already grants goes first, so each object ends with
    # production's grants only: schema public, created with the database (PostgreSQL 15
    # gives PUBLIC USAGE, which production revoked), and every routine (PUBLIC may execute
    # it, which production may have revoked).
    here = {(k, s, n): (o, g) for k, s, n, o, g in recorded(conn, []).objects}
    for kind, schema, name, _owner, grants in objects:
        if kind not in KINDS:
            raise ValueError(f"unexpected object kind {kind!r}")
        on = target(kind, schema, name)
        if on is None:
            continue
        staging_owner, staging_grants = here.get((kind, schema, name), (None, []))
        for grantee in sorted({g for g, _, _ in staging_grants if g != staging_owner}):
            query = sql.SQL(statement(SQL_DUMPS, "revoke_privileges")).format(
                kind=sql.SQL(kind), object=on, grantee=role(grantee)
            )
            run(query)
        for grantee, privilege, grantable in grants:
            query = sql.SQL(statement(SQL_DUMPS, "grant_privilege")).format(
                privilege=_checked(privilege),
                kind=sql.SQL(kind),
                object=on,
                grantee=role(grantee),
                grant_option=_grant_option(grantable),
            )
            if exists(grantee):
                done.grants += run(query)
    # Tables before sequences: ALTER TABLE ... OWNER also gives away the sequences the table
    # owns (serial, identity), which refuse an owner of their own; those are skipped.
    order = {"SCHEMA": 0, "TABLE": 1, "SEQUENCE": 2, "ROUTINE": 3}
    owned = None
    for kind, schema, name, owner, _ in sorted(objects, key=lambda o: order[o[0]]):
        if not exists(owner) or not given(owner):
            continue
        on = target(kind, schema, name)
        if on is None:
            continue
        if kind == "SEQUENCE":
            if owned is None:
                owned = {(k, s, n): o for k, s, n, o, _ in recorded(conn, []).objects}
            if owned.get((kind, schema, name)) == owner:
                continue
        query = sql.SQL(statement(SQL_DUMPS, "alter_owner")).format(
            kind=sql.SQL(kind), object=on, owner=sql.Identifier(owner)
        )
        done.owners += run(query)


def _apply_defaults(
    conn: psycopg.Connection,
    defaults: list[list],
    run: Callable[[sql.Composed], bool],
    exists: Callable[[str], bool],
    given: Callable[[str], bool],
    done: Applied,
) -> None:
    """Production's default privileges, from what staging has: in a schema nothing, else
    PostgreSQL's built-in defaults, which a row for every schema replaces (a REVOKE there is
    production's too)."""
    here = {(r, s, k): g for r, s, k, g in recorded(conn, []).defaults}
    for owner, schema, kind, grants in defaults:
        if kind not in DEFAULT_KINDS:
            raise ValueError(f"unexpected default privileges kind {kind!r}")
        if not exists(owner) or not given(owner):
            continue
        if (owner, schema, kind) in here:
            before = here[(owner, schema, kind)]
        elif schema is None:
            before = conn.execute(
                statement(SQL_DUMPS, "default_privileges_builtin"), {"kind": kind, "role": owner}
            ).fetchone()[0]
        else:
            before = []
        wanted = {tuple(g) for g in grants}
        has = {tuple(g) for g in before}
        parts = {
            "owner": sql.Identifier(check_identifier(owner)),
            "in_schema": _in_schema(schema),
            "kind": sql.SQL(kind),
        }
        for grantee, privilege, _ in sorted(has - wanted):
            if exists(grantee):
                query = sql.SQL(statement(SQL_DUMPS, "revoke_default")).format(
                    privilege=_checked(privilege), grantee=role(grantee), **parts
                )
                run(query)
        for grantee, privilege, grantable in sorted(wanted - has):
            if exists(grantee):
                query = sql.SQL(statement(SQL_DUMPS, "grant_default")).format(
                    privilege=_checked(privilege),
                    grantee=role(grantee),
                    grant_option=_grant_option(grantable),
                    **parts,
                )
                done.default_privileges += run(query)


def _kept(entries: list, present: set[str], owner: str | None = None) -> set[Grant]:
    return {(g, p, bool(o)) for g, p, o in entries if g in present and g != owner}


def mismatches(conn: psycopg.Connection, record: Record, excluded: list[str]) -> list[str]:
    """Where the staging database's owners and grants differ from production's, for the roles
    the staging server has. Grants to an object's owner are left out on both sides: they are
    the owner's implicit rights, and the loading role's when production's owner is missing or
    not one it may give objects to (then that owner's grants are left out too)."""
    present = present_roles(conn) | {PUBLIC}
    givable = givable_roles(conn)
    staging = recorded(conn, excluded)
    here = {(k, s, n): (o, g) for k, s, n, o, g in staging.objects}
    wrong = []
    for kind, schema, name, owner, grants in record.objects:
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
    # Columns and default privileges: staging's own may differ too (a column grant production
    # does not have), so both sides are gone through; default privileges of a role the
    # staging server lacks cannot be there.
    def by_key(rows: list[list]) -> dict[tuple, list]:
        return {tuple(r[:3]): r[3] for r in rows}

    wrong += _compare(
        by_key(record.columns), by_key(staging.columns), present, "COLUMN {}.{}.{}"
    )
    expected = {
        k: g for k, g in by_key(record.defaults).items() if k[0] in present and k[0] in givable
    }
    wrong += _compare(
        expected, by_key(staging.defaults), present, "DEFAULT PRIVILEGES FOR ROLE {} IN {} ON {}"
    )
    return wrong


def _compare(expected: dict, found: dict, present: set[str], label: str) -> list[str]:
    wrong = []
    for key in sorted(expected.keys() | found.keys(), key=str):
        want, has = _kept(expected.get(key, []), present), _kept(found.get(key, []), present)
        if want != has:
            wrong.append(
                f"{label.format(*(k or 'every schema' for k in key))}: lacks "
                f"{sorted(want - has)}, has more {sorted(has - want)}"
            )
    return wrong
