"""What a replaced table holds besides its rows, carried onto its replacement: by the ingest's
production switch (each loaded table of a new version of the schema) and by the catalogue's
swap of ``public.datasets`` (a rebuilt table, core/refresh.py). Without it a restricted role
read every row of the new table, and an index, a trigger or a constraint a DBA or an analyst
made was gone after the next load.

Before the swap's locks, on the replacement, which no reader sees yet (``prepare``): a DBA's
indexes, CHECK, UNIQUE and EXCLUDE constraints, foreign keys from one replaced table to
another (into the replacement of the one referenced: nmdc-server's alembic schema has dozens;
one the new rows break refuses the swap, naming it) and extended statistics (analyzed there),
each only if the replacement has none like it, so what the project itself defines on the
table is never doubled. In the swap's transaction, once the replacement has the name
(``apply``, core/swap_attachments.py, with ``read`` before the swap): foreign keys from a
replaced table to another table (a users' table the ingest carries, another schema's: checked
against the new rows in ``prepare``, made NOT VALID there, for the caller to ``validate``),
the owner, privileges (a column's exactly the replaced table's, each with its grant option or
without), row-level security and its policies, triggers, and the statistics' own schema;
comments (``apply_comments``) for a caller whose replacement brings none of its own. The
comments on indexes, constraints and statistics are given in ``prepare``, to each of the
replacement's of the same name.

What uses a column the replacement lacks cannot be carried: a policy or a trigger (security,
or behaviour someone relies on) refuses the swap naming it; an index, a constraint,
statistics, a column's comment or privilege is reported (``not_carried``) and left with the
replaced table. An index or a constraint the caller made itself from its own definitions
(``ours``, core/own_objects.py: the ingest's rules from its tables file, the catalogue's
indexes from its SQL) is never carried: one the replacement lacks is no longer defined, and
goes with the replaced table. Policies and triggers are
re-created from their definitions read before the swap, so the names they give the replaced
relations are the replacement's, as for views. A replacement with its own (a version switched
back in by a rollback) has them replaced."""

from collections.abc import Set as AbstractSet
from contextlib import AbstractContextManager

import dagster as dg
import psycopg
from psycopg import errors, sql

from maint_assets.core.search_path import search_path
from maint_assets.core.sql_files import statement
from maint_assets.core.views import Refusal

SQL = "core/attachments"
# pg_statistic_ext.stxkind -> the kind CREATE STATISTICS names (e, on expressions, is implied).
_STATISTICS_KINDS = {"d": "ndistinct", "f": "dependencies", "m": "mcv"}

# What a key between replaced tables meets when the replacements' shapes cannot hold it: a
# referenced column gone, of another type, or no longer unique.
_UNFIT = (errors.UndefinedColumn, errors.DatatypeMismatch, errors.InvalidForeignKey)
# (kind, table, name) of objects on the replaced tables ("index", "constraint", ...).
Objects = AbstractSet[tuple[str, str, str]]
# Those that use a column the replacement lacks.
Lost = set[tuple[str, str, str]]


def refuse_lost_columns(
    conn: psycopg.Connection,
    refusal: Refusal,
    schema: str,
    incoming: str,
    loaded: list[str],
    ours: Objects = frozenset(),
) -> tuple[Lost, list[str]]:
    """Fail, before anything moves, if a policy or trigger of ``schema``'s ``loaded`` tables
    uses a column the replacement in ``incoming`` lacks; return what cannot be carried for
    that reason, and each such thing, named, for the report, but the caller's own (``ours``,
    see ``prepare``)."""
    lost = conn.execute(
        statement(SQL, "attachments_lose"),
        {"schema": schema, "incoming": incoming, "loaded": loaded},
    ).fetchall()
    refused = [
        f"the {kind} {name} on {schema}.{table} uses {column}, which the new version's "
        f"{table} lacks"
        for kind, name, table, column in lost
        if kind in ("policy", "trigger")
    ]
    if refused:
        raise dg.Failure(f"{refusal.subject}: " + "; ".join(refused) + f"; {refusal.untouched}")
    return {(kind, table, name) for kind, name, table, _ in lost}, [
        f"{kind}{' ' + name if name else ''} on {schema}.{table}: {column} is not in the "
        "new version"
        for kind, name, table, column in lost
        if (kind, table, name) not in ours
    ]


def prepare(
    conn: psycopg.Connection,
    refusal: Refusal,
    schema: str,
    incoming: str,
    loaded: list[str],
    lost: Lost,
    ours: Objects = frozenset(),
) -> tuple[list[str], list[str]]:
    """Make on the replacements (in ``incoming``) the indexes, constraints and extended
    statistics of ``schema``'s tables that they have none like of, except the ``lost`` ones
    and the caller's own (``ours``: made from its definitions, which no longer include those
    the replacement lacks; they go with the replaced table), and check the new rows against
    the foreign keys ``apply`` makes; return those of ``ours`` so left, and the keys between
    the tables that the replacements' shapes cannot hold (a referenced column gone or of
    another type, no longer unique), named."""
    params = {"schema": schema, "incoming": incoming, "loaded": loaded}
    dropped: list[str] = []
    unmade: list[str] = []

    def make(kind: str, on: str, name: str, verb: str, statement_name: str,
             **parts: sql.Composable) -> bool:
        named = f"{kind} {name} on {schema}.{on}"
        if (kind, on, name) in ours:
            dropped.append(named)
            return False
        if (kind, on, name) in lost:
            return False
        run_or_refuse(conn, refusal, f"the {named} cannot be {verb}", SQL, statement_name,
                      **parts)
        return True

    for table, index, readable, unique, definition in conn.execute(
        statement(SQL, "indexes_to_carry"), params
    ).fetchall():
        if not readable and ("index", table, index) not in lost | ours:
            raise dg.Failure(
                f"{refusal.subject}: the definition of the index {index} on {schema}.{table} "
                f"cannot be read to build it on the new version; {refusal.untouched}"
            )
        make("index", table, index, "built on", "create_index",
             unique=sql.SQL("UNIQUE" if unique else ""), index=sql.Identifier(index),
             table=sql.Identifier(incoming, table), definition=sql.SQL(definition))
    for table, name, definition in conn.execute(
        statement(SQL, "constraints_to_carry"), params
    ).fetchall():
        make("constraint", table, name, "added to", "add_constraint",
             table=sql.Identifier(incoming, table), constraint=sql.Identifier(name),
             definition=sql.SQL(definition))
    # Keys between the replaced tables, after the unique constraints they may rest on. One
    # the new version's shapes cannot hold is reported, as one on a column it lacks is;
    # one its rows break refuses the swap.
    for table, name, definition in _between(conn, schema, params):
        if ("constraint", table, name) in lost:
            continue
        try:
            with conn.transaction(), _search_path(conn, incoming):
                conn.execute(sql.SQL(statement(SQL, "add_constraint")).format(
                    table=sql.Identifier(incoming, table), constraint=sql.Identifier(name),
                    definition=sql.SQL(definition)))
        except _UNFIT as err:
            unmade.append(f"constraint {name} on {schema}.{table} ({definition}): "
                          f"{err.diag.message_primary}")
        except errors.LockNotAvailable:
            raise
        except psycopg.Error as err:
            if conn.broken:  # the session lost, not the object: the caller's retry
                raise
            raise dg.Failure(
                f"{refusal.subject}: the constraint {name} on {schema}.{table} cannot be added "
                f"to the new version: {err.diag.message_primary or err}"
                + (f" ({err.diag.message_detail})" if err.diag.message_detail else "")
                + f"; {refusal.untouched}"
            ) from None
    for table, name, definition, replaced in conn.execute(
        statement(SQL, "foreign_keys_out"), params
    ).fetchall():
        try:
            with conn.transaction():
                orphaned = orphans(conn, replaced, name, (incoming, table))
        except (*_UNFIT, errors.UndefinedFunction) as err:  # a column retyped: no = operator
            raise dg.Failure(
                f"{refusal.subject}: the new version's {table} cannot hold the foreign key "
                f"{name} of {schema}.{table} ({definition}): {err.diag.message_primary}; "
                f"{refusal.untouched}"
            ) from None
        if orphaned:
            raise dg.Failure(
                f"{refusal.subject}: {orphaned} row(s) of the new version's {table} break the "
                f"foreign key {name} of {schema}.{table} ({definition}); {refusal.untouched}"
            )
    theirs = {
        (t, n, tuple(kinds), columns) for t, n, _, kinds, columns, *_ in conn.execute(
            statement(SQL, "statistics_of"), {"schema": incoming, "loaded": loaded}
        )
    }
    analyze = set()
    owners = []
    for table, name, _, kinds, columns, target, owner in conn.execute(
        statement(SQL, "statistics_of"), params
    ).fetchall():
        if (table, name, tuple(kinds), columns) in theirs:
            continue
        named = sql.Identifier(incoming, name)
        listed = [_STATISTICS_KINDS[k] for k in kinds if k in _STATISTICS_KINDS]
        if not make("statistics", table, name, "made on", "create_statistics",
                    statistics=named, columns=sql.SQL(columns),
                    table=sql.Identifier(incoming, table),
                    kinds=sql.SQL(f"({', '.join(listed)})" if listed else "")):
            continue
        what = f"the statistics {name} on {schema}.{table} cannot be given to"
        if target >= 0:
            run_or_refuse(conn, refusal, what, SQL, "statistics_target", statistics=named,
                          target=sql.Literal(target))
        owners.append((what, named, owner))
        analyze.add(table)
    _carry_comments(conn, refusal, schema, incoming, params)
    # After their comments, which only their owner may set.
    for what, named, owner in owners:
        run_or_refuse(conn, refusal, what, SQL, "owner_of_statistics", statistics=named,
                      owner=sql.Identifier(owner))
    # Statistics are computed by ANALYZE only: the replacement's was before they existed.
    for table in sorted(analyze):
        conn.execute(sql.SQL(statement(SQL, "analyze")).format(
            table=sql.Identifier(incoming, table)))
    return dropped, unmade


def orphans(
    conn: psycopg.Connection, key_table: int, key: str, table: tuple[str, str],
    referenced_in: str | None = None,
) -> int:
    """The rows of ``table`` that the foreign key ``key`` of table ``key_table`` (an oid)
    would refuse: none of its referenced rows has their values; with ``referenced_in``, none
    of the rows of the table of that name in that schema (the version being switched in)."""
    columns = conn.execute(
        statement(SQL, "foreign_key_columns"), {"table": key_table, "name": key}
    ).fetchall()
    if referenced_in is not None:
        columns = [(c, r, referenced_in, t, full) for c, r, _, t, full in columns]
    nulls = [sql.SQL("t.{} IS NULL").format(sql.Identifier(c)) for c, *_ in columns]
    any_null = sql.SQL("({})").format(sql.SQL(" OR ").join(nulls))
    return conn.execute(
        sql.SQL(statement(SQL, "orphaned_rows")).format(
            table=sql.Identifier(*table),
            referenced=sql.Identifier(columns[0][2], columns[0][3]),
            all_null=sql.SQL(" AND ").join(nulls),
            any_null=any_null,
            # MATCH FULL refuses a key partly NULL
            partly_null=any_null if columns[0][4] else sql.SQL("false"),
            matches=sql.SQL(" AND ").join(
                sql.SQL("r.{} = t.{}").format(sql.Identifier(r), sql.Identifier(c))
                for c, r, *_ in columns
            ),
        )
    ).fetchone()[0]


def validate(conn: psycopg.Connection, keys: list[tuple[str, str, str]]) -> dict[str, str]:
    """Validate the foreign keys ``apply`` made NOT VALID (after the swap committed, no reader
    or writer waits for it); return those left NOT VALID, still checking new rows, with why:
    rows broke one since ``prepare`` checked them (a referenced row deleted meanwhile; or
    before a rollback made it again, ingest/rollback.py), or its
    validation failed (a lock or statement timeout, the connection lost): never a failure of
    a swap that committed."""
    left = {}
    for schema, table, name in keys:
        key = f"{schema}.{table}.{name}"
        if conn.broken:
            left[key] = "not validated: the connection was lost"
            continue
        try:
            with conn.transaction():
                conn.execute(sql.SQL(statement(SQL, "validate_constraint")).format(
                    table=sql.Identifier(schema, table), constraint=sql.Identifier(name)))
        except errors.ForeignKeyViolation:
            (oid,) = conn.execute(
                statement(SQL, "table_oid"), {"schema": schema, "table": table}
            ).fetchone()
            rows = orphans(conn, oid, name, (schema, table))
            left[key] = f"{rows} row(s) reference a missing row"
        except psycopg.Error as err:
            left[key] = f"not validated: {err.diag.message_primary or err}"
    return left


def _between(
    conn: psycopg.Connection, schema: str, params: dict[str, object]
) -> list[tuple[str, str, str]]:
    """The foreign keys between ``schema``'s replaced tables, each defined with the table it
    references named bare: under the incoming schema's search_path, its replacement."""
    with _search_path(conn, schema):
        return conn.execute(statement(SQL, "foreign_keys_between"), params).fetchall()


def _search_path(conn: psycopg.Connection, schema: str) -> AbstractContextManager[None]:
    return search_path(conn, sql.Identifier(schema).as_string(conn))


def _carry_comments(
    conn: psycopg.Connection, refusal: Refusal, schema: str, incoming: str,
    params: dict[str, object],
) -> None:
    """Give the replacements' indexes, constraints and extended statistics the comments of
    those of the same name on the replaced tables (carried ones, the caller's own, and a
    version switched back in's, whose comment may have changed since)."""
    for kind, table, name, comment, at in conn.execute(
        statement(SQL, "comments_to_carry"), params
    ).fetchall():
        target = sql.Identifier(incoming, table)
        parts: dict[str, sql.Composable] = {
            "index": {"index": sql.Identifier(at, name)},
            "constraint": {"constraint": sql.Identifier(name), "table": target},
            "statistics": {"statistics": sql.Identifier(at, name)},
        }[kind]
        run_or_refuse(conn, refusal, f"the comment on the {kind} {name} on {schema}.{table} "
                      "cannot be carried onto", SQL, f"comment_on_{kind}",
                      comment=sql.Literal(comment), **parts)


def run_or_refuse(
    conn: psycopg.Connection,
    refusal: Refusal,
    failing: str,
    group: str,
    name: str,
    **parts: sql.Composable,
) -> None:
    """Run the statement ``name`` of ``sql/<group>.sql``; a failure (but a lock wait, which
    the ingest's switch retries) refuses the swap: "<failing> the new version: <why>"."""
    try:
        conn.execute(sql.SQL(statement(group, name)).format(**parts))
    except errors.LockNotAvailable:
        raise
    except psycopg.Error as err:
        if conn.broken:  # the session lost, not the object: the caller's retry
            raise
        detail = f" ({err.diag.message_detail})" if err.diag.message_detail else ""
        raise dg.Failure(
            f"{refusal.subject}: {failing} the new version: "
            f"{err.diag.message_primary or err}{detail}{remedy(err, refusal)}; "
            f"{refusal.untouched}"
        ) from None


def remedy(err: psycopg.Error, refusal: Refusal) -> str:
    """What to do when the role may not alter something a DBA made on what it replaces."""
    if not isinstance(err, errors.InsufficientPrivilege):
        return ""
    return (
        f" (`maint-assets roles apply {refusal.roles_target}` makes the role the owner of what "
        "it replaces; or GRANT the owner TO that role)"
    )
