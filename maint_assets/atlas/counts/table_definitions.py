"""A table's definition as its readers depend on it, read from the catalog, given to a
rebuilt copy, and compared: columns in order (with their statistics targets and storage),
indexes by name, constraints, triggers, owner, privileges, comments on each of them, storage
options, replica identity, the index CLUSTER uses, row-level security and its policies, and
extended statistics. A rebuilt count table is swapped in only when its definition equals the
live table's."""

from __future__ import annotations

from dataclasses import dataclass, fields

import psycopg
from psycopg import sql

from maint_assets.atlas.keys import SQL_TABLE_DEFINITIONS
from maint_assets.core.attachments import SQL as SQL_ATTACHMENTS
from maint_assets.core.grants import grant_on_table, role
from maint_assets.core.search_path import search_path
from maint_assets.core.sql_files import statement


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str
    comment: str
    statistics: int  # -1: the server's default_statistics_target
    storage: str  # p(lain), e(xternal), m(ain), x (extended)
    compression: str  # '' (the server's default), p(glz), l(z4)
    options: str  # n_distinct and the like


@dataclass(frozen=True)
class TableDefinition:
    owner: str
    persistence: str
    options: str
    tablespace: str
    comment: str
    replica_identity: str  # d(efault), n(othing), f(ull), i(ndex: replica_index)
    replica_index: str
    clustered_on: str
    row_security: bool
    force_row_security: bool
    columns: tuple[Column, ...]
    # name, definition ({table}), tablespace, comment
    indexes: tuple[tuple[str, str, str, str], ...]
    # name, type, definition, comment, comment of its index
    constraints: tuple[tuple[str, str, str, str, str], ...]
    triggers: tuple[tuple[str, str, str], ...]  # name, definition ({table}), comment
    privileges: tuple[tuple[str, str, bool], ...]  # grantee, privilege, grantable
    policies: tuple[tuple[str, bool, str, list[str], str, str], ...]  # see sql: policies
    statistics: tuple[tuple[str, str, str, int, str], ...]  # see sql: statistics

    def differences(self, other: TableDefinition) -> list[str]:
        """What differs from ``other``, one line per property."""
        return [
            f"{f.name}: {getattr(self, f.name)!r} != {getattr(other, f.name)!r}"
            for f in fields(self)
            if getattr(self, f.name) != getattr(other, f.name)
        ]


def read_definition(conn: psycopg.Connection, schema: str, name: str) -> TableDefinition | None:
    """The definition of table ``schema.name``, or None when there is no such table. Must run
    inside a transaction (it changes search_path for the transaction, then restores it)."""
    with search_path(conn, "pg_catalog"):
        row = conn.execute(
            statement(SQL_TABLE_DEFINITIONS, "relation"), {"schema": schema, "name": name}
        ).fetchone()
        if row is None:
            return None
        (oid, owner, persistence, options, tablespace, comment, replica_identity, replica_index,
         clustered_on, row_security, force) = row  # fmt: skip
        params = {"oid": oid}

        def read(name: str) -> tuple:
            return tuple(conn.execute(statement(SQL_TABLE_DEFINITIONS, name), params).fetchall())

        return TableDefinition(
            owner=owner,
            persistence=persistence,
            options=options,
            tablespace=tablespace,
            comment=comment,
            replica_identity=replica_identity,
            replica_index=replica_index,
            clustered_on=clustered_on,
            row_security=row_security,
            force_row_security=force,
            columns=tuple(Column(*c) for c in read("columns")),
            indexes=read("indexes"),
            constraints=read("constraints"),
            triggers=read("triggers"),
            privileges=read("privileges"),
            policies=read("policies"),
            statistics=read("statistics"),
        )


class DefinitionMismatch(RuntimeError):
    """A rebuilt table would not have the live table's definition."""


def give_definition(
    conn: psycopg.Connection, target: TableDefinition, schema: str, name: str
) -> None:
    """Make the freshly built table ``schema.name`` (same columns, data loaded) look exactly
    like ``target``: column properties, constraints, indexes, triggers, comments, options,
    owner and privileges; then compare. Raises DefinitionMismatch naming what still differs."""
    table = sql.Identifier(schema, name)
    built = read_definition(conn, schema, name)
    if built is None:
        raise DefinitionMismatch(f"{schema}.{name} was not built")
    shape = [(c.name, c.type) for c in built.columns]
    wanted = [(c.name, c.type) for c in target.columns]
    if shape != wanted:
        raise DefinitionMismatch(
            f"{schema}.{name} was built with columns {shape}, the live table has {wanted}: "
            "the live table's definition changed; refusing to replace it"
        )
    if target.tablespace != built.tablespace:
        _own(conn, "set_tablespace", table=table,
             tablespace=sql.Identifier(target.tablespace or "pg_default"))
    for column, was in zip(target.columns, built.columns, strict=True):
        _give_column(conn, table, column, was)
    if target.comment:
        _shared(conn, "comment_on_table", table=table, comment=sql.Literal(target.comment))
    _give_options(conn, sql.SQL("ALTER TABLE {}").format(table), built.options, target.options)
    # Definitions read from the catalog, with the table written as {table}.
    placed = sql.SQL(".").join([sql.Identifier(schema), sql.Identifier(name)]).as_string(conn)
    for constraint_name, _, definition, comment, index_comment in target.constraints:
        constraint = sql.Identifier(constraint_name)
        _shared(conn, "add_constraint", table=table, constraint=constraint,
                definition=sql.SQL(definition))
        if comment:
            _shared(conn, "comment_on_constraint", constraint=constraint, table=table,
                    comment=sql.Literal(comment))
        if index_comment:
            _shared(conn, "comment_on_index", index=sql.Identifier(schema, constraint_name),
                    comment=sql.Literal(index_comment))
    for index_name, definition, tablespace, comment in target.indexes:
        text = definition.replace("{table}", placed)
        if tablespace:
            text += " TABLESPACE " + sql.Identifier(tablespace).as_string(conn)
        conn.execute(sql.SQL(text))
        if comment:
            _shared(conn, "comment_on_index", index=sql.Identifier(schema, index_name),
                    comment=sql.Literal(comment))
    for trigger_name, definition, comment in target.triggers:
        conn.execute(sql.SQL(definition.replace("{table}", placed)))
        if comment:
            _own(conn, "comment_on_trigger", trigger=sql.Identifier(trigger_name), table=table,
                 comment=sql.Literal(comment))
    _give_identity_and_security(conn, table, target)
    _give_statistics(conn, schema, table, target)
    _shared(conn, "owner_of_table", table=table, owner=sql.Identifier(target.owner))
    grant_on_table(conn, list(target.privileges), schema, name)
    given = read_definition(conn, schema, name)
    differences = target.differences(given) if given else ["table vanished"]
    if differences:
        raise DefinitionMismatch(
            f"{schema}.{name} would not keep the live table's definition: " + "; ".join(differences)
        )


STORAGE = {"p": "PLAIN", "e": "EXTERNAL", "m": "MAIN", "x": "EXTENDED"}
COMPRESSION = {"": "DEFAULT", "p": "pglz", "l": "lz4"}
REPLICA_IDENTITY = {"d": "DEFAULT", "n": "NOTHING", "f": "FULL"}
POLICY_COMMANDS = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}


def _own(conn: psycopg.Connection, name: str, **parts: sql.Composable) -> None:
    """A statement of sql/atlas/table_definitions.sql, its parts quoted or composed."""
    conn.execute(sql.SQL(statement(SQL_TABLE_DEFINITIONS, name)).format(**parts))


def _shared(conn: psycopg.Connection, name: str, **parts: sql.Composable) -> None:
    """A statement the ingest's and the catalogue's swaps use too (sql/core/attachments.sql)."""
    conn.execute(sql.SQL(statement(SQL_ATTACHMENTS, name)).format(**parts))


def _give_options(conn: psycopg.Connection, alter: sql.Composable, was: str, wanted: str) -> None:
    """Storage options (``a=1,b=2``, as the catalog prints them) of a table or column."""
    if was == wanted:
        return
    if was:
        keys = [option.split("=")[0] for option in was.split(",")]
        _own(conn, "reset_options", alter=alter, keys=sql.SQL(", ").join(map(sql.SQL, keys)))
    if wanted:
        _own(conn, "set_options", alter=alter, options=sql.SQL(wanted))


def _give_column(
    conn: psycopg.Connection, table: sql.Identifier, column: Column, was: Column
) -> None:
    col = sql.Identifier(column.name)
    if column.not_null:
        _own(conn, "set_not_null", table=table, column=col)
    if column.default:
        _own(conn, "set_default", table=table, column=col, default=sql.SQL(column.default))
    if column.statistics != was.statistics:
        _own(conn, "set_column_statistics", table=table, column=col,
             target=sql.Literal(column.statistics))
    if column.storage != was.storage:
        _own(conn, "set_storage", table=table, column=col,
             storage=sql.SQL(STORAGE[column.storage]))
    if column.compression != was.compression:
        _own(conn, "set_compression", table=table, column=col,
             compression=sql.SQL(COMPRESSION[column.compression]))
    alter = sql.SQL("ALTER TABLE {} ALTER COLUMN {}").format(table, col)
    _give_options(conn, alter, was.options, column.options)
    if column.comment:
        _shared(conn, "comment_on_column", column=sql.SQL("{}.{}").format(table, col),
                comment=sql.Literal(column.comment))


def _give_identity_and_security(
    conn: psycopg.Connection, table: sql.Identifier, target: TableDefinition
) -> None:
    """Replica identity, the index CLUSTER uses, row-level security and its policies: a
    rebuilt table without the live one's policies would show every row to every reader."""
    if target.replica_identity == "i":
        _own(conn, "replica_identity_index", table=table,
             index=sql.Identifier(target.replica_index))
    elif target.replica_identity != "d":
        _own(conn, "replica_identity", table=table,
             kind=sql.SQL(REPLICA_IDENTITY[target.replica_identity]))
    if target.clustered_on:
        _own(conn, "cluster_on", table=table, index=sql.Identifier(target.clustered_on))
    if target.row_security or target.force_row_security:
        _shared(conn, "row_security", table=table,
                enable=sql.SQL("ENABLE" if target.row_security else "DISABLE"),
                force=sql.SQL("FORCE" if target.force_row_security else "NO FORCE"))
    for name, permissive, command, roles, using, check in target.policies:
        _shared(
            conn, "create_policy", policy=sql.Identifier(name), table=table,
            kind=sql.SQL("PERMISSIVE" if permissive else "RESTRICTIVE"),
            command=sql.SQL(POLICY_COMMANDS[command]),
            roles=sql.SQL(", ").join(role(r) for r in roles),
            using=sql.SQL("USING ({})").format(sql.SQL(using)) if using else sql.SQL(""),
            check=sql.SQL("WITH CHECK ({})").format(sql.SQL(check)) if check else sql.SQL(""),
        )


def _give_statistics(
    conn: psycopg.Connection, schema: str, table: sql.Identifier, target: TableDefinition
) -> None:
    """The live table's extended statistics objects, created beside the copy (move_statistics
    takes them along at the swap)."""
    for stat_name, kinds, columns, stat_target, comment in target.statistics:
        stat = sql.Identifier(schema, stat_name)
        _shared(conn, "create_statistics", statistics=stat,
                kinds=sql.SQL(f"({kinds})" if kinds else ""), columns=sql.SQL(columns),
                table=table)
        if stat_target != -1:
            _shared(conn, "statistics_target", statistics=stat, target=sql.Literal(stat_target))
        if comment:
            _shared(conn, "comment_on_statistics", statistics=stat, comment=sql.Literal(comment))


def move_statistics(conn: psycopg.Connection, schema: str, name: str) -> None:
    """Move the extended statistics of table ``schema.name`` into its schema (ALTER TABLE ...
    SET SCHEMA leaves them where they were created)."""
    params = {"oid": sql.Identifier(schema, name).as_string(conn)}
    for stat_schema, stat in conn.execute(
        statement(SQL_TABLE_DEFINITIONS, "statistics_elsewhere"), params
    ).fetchall():
        _shared(conn, "move_statistics", statistics=sql.Identifier(stat_schema, stat),
                target=sql.Identifier(schema))
