"""What the VisioNature assets keep beside Client-API-VN's tables: the bookkeeping schema,
the deletion capture on both copies, and the runbook's monitoring table, where every run,
refusal, failure and skipped or unconfirmed item is a row."""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
import psycopg
from psycopg import errors, sql

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import compose, statement
from maint_assets.vn_sync.capture_rights import FIX_AS, FunctionStep, TriggerStep
from maint_assets.vn_sync.keys import CAPTURED, PRODUCTION, SQL_BOOKKEEPING, TABLES

# bookkeeping.sql's names, for what a refusal says
DELETION_FUNCTION, DELETION_TRIGGER = "vn_capture_deletion", "maint_assets_vn_deletions"
SERVED_FUNCTION, SERVED_TRIGGER = "vn_capture_served", "maint_assets_vn_served"


def prepare(db: PostgresResource, schemas: list[str], in_op: bool = True) -> None:
    """Fails naming every Client-API-VN table missing from ``schemas``; installs what is
    missing of the bookkeeping and of the deletion capture (nothing, once installed: a run
    needs no ownership of anything). ``in_op``: the first connection of an op, whose step is
    run again when the database cannot be reached (PostgresResource.step_connection)."""
    with db.step_connection() if in_op else db.connect() as conn:
        missing = [
            name for (name,) in conn.execute(
                statement(SQL_BOOKKEEPING, "missing_tables"),
                {"schemas": schemas, "tables": list(TABLES)},
            )
        ]
        if missing:
            raise dg.Failure(
                f"missing tables in {db.describe()}: {', '.join(missing)} (Client-API-VN "
                "creates them: `maint-assets vn tables`)"
            )
        try:
            apply_schema(conn, "vn_sync", bookkeeping_only=True)
        except errors.InsufficientPrivilege as err:
            # an upgrade adding a column (vn_deletions.application_name) needs the table's
            # ownership, which a run's role usually lacks; the transaction is rolled back
            raise dg.Failure(
                f"cannot upgrade the bookkeeping tables in {db.describe()}: "
                f"{err.diag.message_primary}: run {FIX_AS} once as that table's owner (or a "
                "superuser); later runs then need no such right"
            ) from None
        install_capture(conn, schemas)


def install_capture(conn: psycopg.Connection, schemas: list[str]) -> list[str]:
    """The AFTER DELETE and BEFORE INSERT triggers of bookkeeping.sql on each copy's
    observations and places; returns the tables they were added to. A refusal names the
    right the role lacks for the step refused, and the role that can take that step."""
    added: list[str] = []
    steps: list[FunctionStep | TriggerStep] = []  # the last one is the step being taken
    try:
        with conn.transaction():
            # replaced when outdated (its owner's right): it did not record who deleted
            state = conn.execute(statement(SQL_BOOKKEEPING, "function_state")).fetchone()[0]
            if state != "current":
                steps.append(FunctionStep(DELETION_FUNCTION, replacing=state == "outdated", why=(
                    " (outdated: it does not record the deleting session's application_name)")))
                conn.execute(statement(SQL_BOOKKEEPING, "create_function"))
            for schema in schemas:
                for table in CAPTURED:
                    name = sql.Identifier(schema, table).as_string(conn)
                    if conn.execute(
                        statement(SQL_BOOKKEEPING, "trigger_exists"), {"table": name}
                    ).fetchone()[0]:
                        continue
                    steps.append(TriggerStep(DELETION_TRIGGER, schema, table, DELETION_FUNCTION))
                    conn.execute(compose(SQL_BOOKKEEPING, "create_trigger", table=(schema, table)))
                    conn.execute(
                        statement(SQL_BOOKKEEPING, "record_trigger"),
                        {"schema": schema, "table": table},
                    )
                    added.append(f"{schema}.{table}")
            added += _install_served(conn, schemas, steps)
    except errors.InsufficientPrivilege as err:
        # the transaction is rolled back: the catalog says what the role lacks
        explained = steps[-1].explain(conn) if steps else "(no step of the capture)"
        raise dg.Failure(
            f"cannot install the deletion capture on {', '.join(schemas)}: "
            f"{err.diag.message_primary}: {explained}"
        ) from None
    return added


def _install_served(
    conn: psycopg.Connection, schemas: list[str], steps: list[FunctionStep | TriggerStep]
) -> list[str]:
    """The BEFORE INSERT trigger of bookkeeping.sql on each copy's observations and places:
    the rows its transfer_vn (the check copy's, or production's live sync) stores again
    after a deletion of them was recorded."""
    # replaced when outdated (its owner's right): it counted a person's INSERT as served
    state = conn.execute(statement(SQL_BOOKKEEPING, "served_function_state")).fetchone()[0]
    if state != "current":
        steps.append(FunctionStep(SERVED_FUNCTION, replacing=state == "outdated", why=(
            " (outdated: it counts a person's INSERT as served)")))
        conn.execute(statement(SQL_BOOKKEEPING, "create_served_function"))
    added = []
    for schema in schemas:
        for table in CAPTURED:
            name = sql.Identifier(schema, table).as_string(conn)
            if not conn.execute(
                statement(SQL_BOOKKEEPING, "served_trigger_exists"), {"table": name}
            ).fetchone()[0]:
                steps.append(TriggerStep(SERVED_TRIGGER, schema, table, SERVED_FUNCTION))
                conn.execute(
                    compose(SQL_BOOKKEEPING, "create_served_trigger", table=(schema, table))
                )
                added.append(f"{schema}.{table} (served)")
    return added


# What the runbook's monitoring table held: per repair, these actions on this table.
RUNBOOK_ACTIONS = ("insert", "update")
RUNBOOK_TABLE = f"{PRODUCTION}.observations_json"


@dataclass(frozen=True)
class Entry:
    """One fact of a run: a row of maint_assets.vn_monitoring (and of the runbook's
    dbadmin.monitoring_vn_check_to_prod when it is one of the repair's two counts)."""

    action: str
    count: int | None = None
    table_name: str | None = None
    site: str | None = None
    item_id: int | None = None
    detail: str | None = None


def record(conn: psycopg.Connection, run_id: str, entries: list[Entry]) -> None:
    rows = [{**e.__dict__, "run_id": run_id} for e in entries]
    with conn.cursor() as cur:
        cur.executemany(statement(SQL_BOOKKEEPING, "record"), rows)
        runbook = [
            r for r in rows
            if r["action"] in RUNBOOK_ACTIONS and r["table_name"] == RUNBOOK_TABLE
        ]
        if runbook:
            cur.executemany(statement(SQL_BOOKKEEPING, "record_runbook"), runbook)


def recorded(conn: psycopg.Connection, run_id: str, action: str) -> bool:
    return conn.execute(
        statement(SQL_BOOKKEEPING, "recorded"), {"run_id": run_id, "action": action}
    ).fetchone()[0]


def record_apart(db: PostgresResource, run_id: str, entries: list[Entry]) -> None:
    """Entries of a run whose own transaction rolled back (a refusal, a failure)."""
    with db.connect() as conn:
        record(conn, run_id, entries)
