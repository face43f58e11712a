"""The foreign keys a switch (switching.py) moves: those into the loaded tables, checked on the
new version before the switch's locks and added again under them; those from the archived
versions' tables to tables outside them, dropped (and recorded, for a rollback to the version:
rollback.py)."""

import dagster as dg
import psycopg
from psycopg import errors, sql

from maint_assets.core import attachments
from maint_assets.core.search_path import search_path
from maint_assets.core.sql_files import compose, statement
from maint_assets.ingest.keys import SQL_PRODUCTION
from maint_assets.ingest.tables import IngestSpec


def check_keys_into(
    conn: psycopg.Connection, spec: IngestSpec, incoming: str, loaded: list[str]
) -> dict[tuple[int, str], int]:
    """Check the rows of the tables the ingest does not load against their foreign keys into
    the loaded tables, as ``incoming`` has them, before the switch's locks: a key its rows
    break refuses the switch, naming it, unless the tables file keeps such rows
    (keep_orphaned_rows) or a DBA made the key NOT VALID (old rows accepted as they are);
    return those, by (table oid, key), with the rows they do not check."""
    prod, kept = spec.production, {}
    for name, table_oid, schema, table, _, definition in conn.execute(
        statement(SQL_PRODUCTION, "foreign_keys_into"), {"schema": prod, "loaded": loaded}
    ).fetchall():
        validated = definition.removesuffix(" NOT VALID")
        try:
            with conn.transaction():
                rows = attachments.orphans(conn, table_oid, name, (schema, table), incoming)
        except (errors.UndefinedColumn, errors.UndefinedFunction) as err:  # reshaped since
            raise dg.Failure(
                f"{prod} not switched: the new version cannot hold the foreign key {name} of "
                f"{schema}.{table} ({validated}): {err.diag.message_primary}; production is "
                "untouched"
            ) from None
        if not rows:
            continue
        if not (spec.keep_orphaned_rows or definition.endswith(" NOT VALID")):
            raise dg.Failure(
                f"{prod} not switched: the foreign key {name} of {schema}.{table} "
                f"({validated}) does not hold on the new version: {rows} row(s) reference a "
                "row it lacks; production is untouched (with keep_orphaned_rows in the tables "
                "file such rows are kept and the key checks new rows only)"
            )
        kept[(table_oid, name)] = rows
    return kept


def drop_keys_out_of_versions(conn: psycopg.Connection, versions: list[str]) -> None:
    """Drop the foreign keys from archived ``versions``' tables to tables outside them: an old
    row would otherwise hold back (or cascade into) a users' table carried into production,
    also one whose key the new version no longer has (a column dropped), and one archived
    before they were dropped here."""
    with search_path(conn, ""):
        swept = conn.execute(
            statement(SQL_PRODUCTION, "keys_out_of_versions"), {"versions": versions}
        ).fetchall()
    for schema, table, name, definition, ref_schema, ref_table in swept:
        # Recorded on the version, for a rollback to it (rollback.py).
        conn.execute(
            statement(SQL_PRODUCTION, "record_swept_key"),
            {"schema": schema, "table": table, "name": name, "definition": definition,
             "ref_schema": ref_schema, "ref_table": ref_table},
        )
        conn.execute(compose(SQL_PRODUCTION, "drop_foreign_key", table=(schema, table),
                             constraint=name))


def add_foreign_key(
    conn: psycopg.Connection, table: tuple[str, str], name: str, definition: str
) -> None:
    conn.execute(
        sql.SQL(statement(SQL_PRODUCTION, "add_foreign_key")).format(
            table=sql.Identifier(*table),
            constraint=sql.Identifier(name),
            definition=sql.SQL(definition),
        )
    )
