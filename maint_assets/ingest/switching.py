"""Switching a version into production in one short transaction, expiring old versions, and
the rollback op."""

import time
from datetime import UTC, datetime

import dagster as dg
import psycopg
from psycopg import sql
from pydantic import Field

from maint_assets.core.grants import grant_on_schema, grant_on_table, schema_grants, table_grants
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose, statement
from maint_assets.ingest import schemas
from maint_assets.ingest.keys import MARKER, SQL_PRODUCTION, SQL_SCHEMAS
from maint_assets.ingest.resources import IngestSettings
from maint_assets.ingest.tables import IngestSpec


def switch(
    conn: psycopg.Connection,
    spec: IngestSpec,
    incoming: str,
    outgoing: str,
    run_id: str,
    state: str,
) -> tuple[list[str], float]:
    """Move the carried-over tables into ``incoming``, rename production to ``outgoing`` and
    ``incoming`` to production; returns the tables carried and how long the first lock was
    held before the caller commits (measured to the end of the renames)."""
    prod = spec.production
    present = schemas.exists(conn, prod)
    carried = (
        [
            t
            for (t,) in conn.execute(statement(SQL_PRODUCTION, "tables_of"), {"schema": prod})
            if t not in spec.names
        ]
        if present
        else []
    )
    if present:
        # What readers and applications were granted on production, they keep on the new
        # version; copied before the first lock, which it does not need.
        grant_on_schema(conn, schema_grants(conn, prod), incoming)
        for table in spec.names:
            grant_on_table(conn, table_grants(conn, prod, table), incoming, table)
    started = time.perf_counter()
    if carried:
        conn.execute(
            sql.SQL(statement(SQL_PRODUCTION, "lock_for_carry_over")).format(
                tables=sql.SQL(", ").join(sql.Identifier(prod, t) for t in carried)
            )
        )
        for table in carried:
            conn.execute(
                compose(SQL_PRODUCTION, "carry_over", table=(prod, table), target=incoming)
            )
    if present:
        conn.execute(compose(SQL_PRODUCTION, "rename_schema", schema=prod, new_name=outgoing))
        conn.execute(
            statement(SQL_PRODUCTION, "record_version"),
            {
                "production": prod,
                "archived_as": outgoing,
                "run_id": run_id,
                "state": state,
            },
        )
    ours = schemas.comment(conn, incoming).startswith(MARKER)
    conn.execute(compose(SQL_PRODUCTION, "rename_schema", schema=incoming, new_name=prod))
    if ours:  # a schema someone else made (rolled back to) keeps its own comment
        schemas.mark(conn, prod, f"{MARKER} version of {prod}, switched in by run {run_id}")
    return carried, (time.perf_counter() - started) * 1000


def expire(db: PostgresResource, spec: IngestSpec) -> tuple[list[str], list[str]]:
    """Drop the versions beyond the newest ``keep_versions`` that maint_assets created; return
    them, and those kept because it did not (the production schema the first switch replaced)."""
    dropped, kept = [], []
    with db.connect() as conn, conn.transaction():
        expired = conn.execute(
            statement(SQL_PRODUCTION, "expired_versions"),
            {"production": spec.production, "keep": spec.keep_versions},
        ).fetchall()
        for id_, schema in expired:
            if schemas.exists(conn, schema) and not schemas.comment(conn, schema).startswith(
                MARKER
            ):
                kept.append(schema)
                continue
            conn.execute(compose(SQL_SCHEMAS, "drop_schema", schema=schema))
            conn.execute(statement(SQL_PRODUCTION, "forget_version"), {"id": id_})
            dropped.append(schema)
    return dropped, kept


class RollbackConfig(dg.Config):
    confirm_production: str = Field(
        description="must equal the production schema's name: the rollback replaces its content"
    )


@dg.op(description="Switch the production schema back to its previous version.")
def rollback_production(
    context: dg.OpExecutionContext,
    config: RollbackConfig,
    ingest_db: PostgresResource,
    ingest: IngestSettings,
) -> None:
    spec = ingest.spec()
    if config.confirm_production != spec.production:
        raise dg.Failure(
            f"this job replaces the schema {spec.production!r} by its previous version: set "
            f"confirm_production to {spec.production!r} to confirm"
        )
    with ingest_db.locked_step(f"ingest/{spec.production}") as conn:
        row = conn.execute(
            statement(SQL_PRODUCTION, "latest_previous"), {"production": spec.production}
        ).fetchone()
        if row is None:
            raise dg.Failure(f"{spec.production} has no previous version to roll back to")
        version_id, previous = row
        conn.execute(statement(SQL_PRODUCTION, "forget_version"), {"id": version_id})
        replaced = spec.archived(datetime.now(UTC))
        carried, held_ms = switch(conn, spec, previous, replaced, context.run.run_id, "rolled_back")
    context.log.info(
        f"{spec.production} is now the version kept as {previous}; the replaced one is kept "
        f"as {replaced}; carried over: {carried} ({held_ms:.1f} ms)"
    )
