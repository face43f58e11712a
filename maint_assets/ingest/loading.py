"""Loading the listed files into the staging schema: tables created from the list, files
copied in by column name, then keys, row checks and indexes."""

import csv
from pathlib import Path

import dagster as dg
import psycopg
from psycopg import sql

from maint_assets.core.sql_files import compose, statement
from maint_assets.ingest.keys import SQL_STAGING
from maint_assets.ingest.tables import OPERATORS, RowCheck, TableSpec

_BLOCK = 1 << 20


def create_table(relation: tuple[str, str], table: TableSpec) -> sql.Composed:
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in table.columns.items()
    )
    return sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(*relation), columns)


def load(
    conn: psycopg.Connection, relation: tuple[str, str], table: TableSpec, local: Path
) -> None:
    """COPY ``local`` into ``relation``, each value into the column its header (or key) names."""
    if table.file.endswith(".csv"):
        header = _csv_header(local)
        _match_columns(table, header, "its header")
        copy_csv = sql.SQL(statement(SQL_STAGING, "copy_csv")).format(
            table=sql.Identifier(*relation), columns=sql.SQL(", ").join(map(sql.Identifier, header))
        )
        with conn.cursor().copy(copy_csv) as copy, local.open("rb") as f:
            while block := f.read(_BLOCK):
                copy.write(block)
        return
    conn.execute(statement(SQL_STAGING, "create_lines"))
    with conn.cursor().copy(statement(SQL_STAGING, "copy_lines")) as copy, local.open("rb") as f:
        while block := f.read(_BLOCK):
            copy.write(block)
    keys = [k for (k,) in conn.execute(statement(SQL_STAGING, "line_keys"))]
    _match_columns(table, keys, "the keys of its lines")
    conn.execute(compose(SQL_STAGING, "insert_lines", table=relation))
    conn.execute("DROP TABLE ingest_lines")


def _csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f), [])


def _match_columns(table: TableSpec, names: list[str], what: str) -> None:
    """Refuse the file of ``table`` unless ``names`` are its columns (in any order), each once."""
    missing = [c for c in table.columns if c not in names]
    unknown = [n for n in names if n not in table.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if missing or unknown or repeated:
        differences = "; ".join(
            f"{label}: {', '.join(map(repr, found))}"
            for label, found in (
                ("missing", missing), ("not a column", unknown), ("repeated", repeated)
            )
            if found
        )
        raise dg.Failure(
            f"{table.file} does not match the columns of {table.name} "
            f"({', '.join(table.columns)}): {what} differ ({differences}); nothing was loaded, "
            "production is untouched"
        )


def constrain(conn: psycopg.Connection, relation: tuple[str, str], table: TableSpec) -> None:
    """Keys, row checks and indexes after the load (faster than maintaining them row by row);
    a violation fails the load naming the table and the rule."""
    target = sql.Identifier(*relation)
    rules = [
        sql.SQL("PRIMARY KEY ({})").format(
            sql.SQL(", ").join(map(sql.Identifier, table.primary_key))
        )
    ]
    rules += [row_check(check) for check in table.checks]
    for rule in rules:
        try:
            with conn.transaction():
                conn.execute(sql.SQL("ALTER TABLE {} ADD {}").format(target, rule))
        except psycopg.errors.IntegrityError as err:
            raise dg.Failure(
                f"{relation[0]}.{relation[1]} breaks {rule.as_string(conn)}: "
                f"{str(err).splitlines()[0]}; production is untouched"
            ) from None
    for columns in table.indexes:
        conn.execute(
            sql.SQL("CREATE INDEX ON {} ({})").format(
                target, sql.SQL(", ").join(map(sql.Identifier, columns))
            )
        )


def row_check(check: RowCheck) -> sql.Composed:
    """The CHECK clause of ``check``: its column quoted, its value a literal."""
    value = (
        sql.SQL(", ").join(map(sql.Literal, check.value))
        if isinstance(check.value, tuple)
        else sql.Literal(check.value)
    )
    return sql.SQL(statement(SQL_STAGING, OPERATORS[check.operator])).format(
        column=sql.Identifier(check.column), value=value
    )
