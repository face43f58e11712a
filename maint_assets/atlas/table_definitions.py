"""A table's definition as its readers depend on it, read from the catalog, given to a
rebuilt copy, and compared: columns in order, indexes by name, constraints, triggers, owner,
privileges, comments and storage options. A rebuilt count table is swapped in only when its
definition equals the live table's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields

import psycopg
from psycopg import sql

from maint_assets.atlas.keys import SQL_TABLE_DEFINITIONS
from maint_assets.core.sql_files import statement


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str
    comment: str


@dataclass(frozen=True)
class TableDefinition:
    owner: str
    persistence: str
    options: str
    tablespace: str
    comment: str
    columns: tuple[Column, ...]
    indexes: tuple[tuple[str, str, str], ...]  # name, definition ({table}), tablespace
    constraints: tuple[tuple[str, str, str], ...]  # name, type, definition
    triggers: tuple[tuple[str, str], ...]  # name, definition ({table})
    privileges: tuple[tuple[str, str, bool], ...]  # grantee, privilege, grantable

    def differences(self, other: TableDefinition) -> list[str]:
        """What differs from ``other``, one line per property."""
        return [
            f"{f.name}: {getattr(self, f.name)!r} != {getattr(other, f.name)!r}"
            for f in fields(self)
            if getattr(self, f.name) != getattr(other, f.name)
        ]


@contextmanager
def _qualified_names(conn: psycopg.Connection) -> Iterator[None]:
    previous = conn.execute(statement(SQL_TABLE_DEFINITIONS, "search_path")).fetchone()[0]
    try:
        yield
    finally:
        conn.execute(
            statement(SQL_TABLE_DEFINITIONS, "restore_search_path"), {"search_path": previous}
        )


def read_definition(conn: psycopg.Connection, schema: str, name: str) -> TableDefinition | None:
    """The definition of table ``schema.name``, or None when there is no such table. Must run
    inside a transaction (it changes search_path for the transaction, then restores it)."""
    with _qualified_names(conn):
        row = conn.execute(
            statement(SQL_TABLE_DEFINITIONS, "relation"), {"schema": schema, "name": name}
        ).fetchone()
        if row is None:
            return None
        oid, owner, persistence, options, tablespace, comment = row
        params = {"oid": oid}
        return TableDefinition(
            owner=owner,
            persistence=persistence,
            options=options,
            tablespace=tablespace,
            comment=comment,
            columns=tuple(
                Column(*c)
                for c in conn.execute(statement(SQL_TABLE_DEFINITIONS, "columns"), params)
            ),
            indexes=tuple(
                conn.execute(statement(SQL_TABLE_DEFINITIONS, "indexes"), params).fetchall()
            ),
            constraints=tuple(
                conn.execute(statement(SQL_TABLE_DEFINITIONS, "constraints"), params).fetchall()
            ),
            triggers=tuple(
                conn.execute(statement(SQL_TABLE_DEFINITIONS, "triggers"), params).fetchall()
            ),
            privileges=tuple(
                conn.execute(statement(SQL_TABLE_DEFINITIONS, "privileges"), params).fetchall()
            ),
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
        conn.execute(
            sql.SQL("ALTER TABLE {} SET TABLESPACE {}").format(
                table, sql.Identifier(target.tablespace or "pg_default")
            )
        )
    for column in target.columns:
        col = sql.Identifier(column.name)
        if column.not_null:
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL").format(table, col))
        if column.default:
            conn.execute(
                sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}").format(
                    table, col, sql.SQL(column.default)
                )
            )
        if column.comment:
            conn.execute(
                sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                    table, col, sql.Literal(column.comment)
                )
            )
    if target.comment:
        conn.execute(
            sql.SQL("COMMENT ON TABLE {} IS {}").format(table, sql.Literal(target.comment))
        )
    if built.options != target.options:
        if built.options:  # built with other storage options: back to the live table's
            keys = [option.split("=")[0] for option in built.options.split(",")]
            conn.execute(
                sql.SQL("ALTER TABLE {} RESET ({})").format(
                    table, sql.SQL(", ").join(map(sql.SQL, keys))
                )
            )
        if target.options:
            conn.execute(sql.SQL("ALTER TABLE {} SET ({})").format(table, sql.SQL(target.options)))
    # Definitions read from the catalog, with the table written as {table}.
    placed = sql.SQL(".").join([sql.Identifier(schema), sql.Identifier(name)]).as_string(conn)
    for constraint_name, _, definition in target.constraints:
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                table, sql.Identifier(constraint_name), sql.SQL(definition)
            )
        )
    for _, definition, tablespace in target.indexes:
        text = definition.replace("{table}", placed)
        if tablespace:
            text += " TABLESPACE " + sql.Identifier(tablespace).as_string(conn)
        conn.execute(sql.SQL(text))
    for _, definition in target.triggers:
        conn.execute(sql.SQL(definition.replace("{table}", placed)))
    conn.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(table, sql.Identifier(target.owner)))
    for grantee, privilege, grantable in target.privileges:
        conn.execute(
            sql.SQL("GRANT {} ON TABLE {} TO {}{}").format(
                sql.SQL(privilege),
                table,
                sql.SQL("PUBLIC") if grantee == "PUBLIC" else sql.Identifier(grantee),
                sql.SQL(" WITH GRANT OPTION") if grantable else sql.SQL(""),
            )
        )
    given = read_definition(conn, schema, name)
    differences = target.differences(given) if given else ["table vanished"]
    if differences:
        raise DefinitionMismatch(
            f"{schema}.{name} would not keep the live table's definition: " + "; ".join(differences)
        )
