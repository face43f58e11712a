"""The rollback: production switched back to the latest version kept, as a job's op (it
replaces a live schema; never part of an asset's materialization). The switch is the ingest's
own (switching.py), with production's current version archived in its turn; the foreign keys
the version switched back in lost when it was archived (into a users' table, on a column the
next version dropped) are made again."""

from dataclasses import replace
from datetime import UTC, datetime

import dagster as dg
import psycopg
from psycopg import errors, sql
from pydantic import Field

from maint_assets.core import own_objects
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import statement
from maint_assets.ingest import switch_records
from maint_assets.ingest.foreign_keys import add_foreign_key
from maint_assets.ingest.keys import SQL_DIR, SQL_PRODUCTION
from maint_assets.ingest.resources import IngestSettings
from maint_assets.ingest.switching import Switched, log_switched, switch
from maint_assets.ingest.tables import IngestSpec
from maint_assets.ingest.versions import outside_dependents


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
    # the record of the rules, for a version loaded before it
    with ingest_db.step_connection() as conn:
        apply_schema(conn, SQL_DIR, bookkeeping_only=True)
        own_objects.ensure(conn)
    run_id = context.run.run_id
    # Run again if the session is lost (a restart, a failover): the rollback records itself in
    # its own transaction, so an attempt whose COMMIT went through unanswered is found, never
    # rolled back twice (which would switch in the version before, switch_records.py); one
    # that rolled back is made afresh.
    with ingest_db.locked_step(f"ingest/{spec.production}", rerun_if_cut=True) as conn:
        earlier = switch_records.recorded(conn, run_id, spec.production, switch_records.ROLLBACK)
        if earlier is None:
            previous, replaced, switched, unmade, left = _roll_back(conn, spec, ingest, run_id)
    if earlier is not None:
        # Succeeds, reporting the committed rollback from its record: production is the
        # version the run was asked to switch back in; what followed the commit (the keys'
        # validation) the lost attempt never did.
        previous, replaced = earlier.switched_in, earlier.archived_as or ""
        switched, unmade, left = earlier.switched, earlier.extra["unmade"], earlier.extra["left"]
        context.log.warning(
            f"{spec.production} was rolled back by an earlier attempt of this run, whose "
            "session was lost during its COMMIT, which the server committed at "
            f"{earlier.switched_at} (recorded in maint_assets.ingest_switches, run_id "
            f"{run_id}): not rolled back again"
        )
    switched = switched.validated(ingest_db)
    context.log.info(
        f"{spec.production} is now the version kept as {previous}; the replaced one is kept "
        f"as {replaced}; carried over: {switched.carried}; re-created on it: "
        f"{switched.repointed} ({switched.held_ms:.1f} ms)"
    )
    log_switched(context, spec, switched, replaced)
    if unmade:
        context.log.warning(
            f"foreign keys {previous} lost when it was archived, not made again (their record "
            "is gone with the rollback: make them by hand): " + "; ".join(unmade)
        )
    if left:
        context.log.warning(f"still on {replaced}, not moved by the rollback: {', '.join(left)}")


def _roll_back(
    conn: psycopg.Connection, spec: IngestSpec, ingest: IngestSettings, run_id: str
) -> tuple[str, str, Switched, list[str], list[str]]:
    """The rollback, in the caller's transaction, recorded there: the version switched back
    in, where production's went, what the switch did, the keys not made again and what
    outside the replaced version still depends on it."""
    row = conn.execute(
        statement(SQL_PRODUCTION, "latest_previous"), {"production": spec.production}
    ).fetchone()
    if row is None:
        raise dg.Failure(f"{spec.production} has no previous version to roll back to")
    version_id, previous, swept = row
    conn.execute(statement(SQL_PRODUCTION, "forget_version"), {"id": version_id})
    replaced = spec.archived(datetime.now(UTC))
    # The swept keys are made again within each attempt of the switch: ADD FOREIGN KEY
    # locks the table the key references, and a writer there makes the attempt wait its
    # short lock timeout and start again, never the key be given up (its record is gone
    # with the rollback). The tables they reference are named when an attempt is refused
    # (records made before they were kept have none).
    outcome: dict[str, tuple[list, list, list[str]]] = {}

    def restore(conn: psycopg.Connection) -> None:
        outcome["keys"] = _restore_swept_keys(conn, spec.production, swept)

    switched = switch(
        conn,
        spec,
        previous,
        replaced,
        run_id,
        "rolled_back",
        ingest.switch_lock_attempts,
        ingest.switch_lock_wait_ms,
        within=restore,
        also_named=tuple(sorted({tuple(k["referenced"]) for k in swept
                                 if "referenced" in k})),
    )
    restored, to_validate, unmade = outcome["keys"]
    switched = replace(
        switched,
        repointed=[*switched.repointed, *(".".join(k) for k in restored)],
        unvalidated=[*switched.unvalidated, *to_validate],
    )
    left = outside_dependents(conn, replaced)
    switch_records.record(
        conn, run_id, spec.production, switch_records.ROLLBACK, previous, replaced, switched,
        unmade=unmade, left=left,
    )
    return previous, replaced, switched, unmade, left


def _restore_swept_keys(
    conn: psycopg.Connection, prod: str, swept: list[dict]
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], list[str]]:
    """Make again, NOT VALID, the keys the version just switched back in lost when it was
    archived (``drop_keys_out_of_versions``), for ``Switched.validated`` to validate: rows
    may have broken them since (a referenced row deleted while no key held it), and such a
    key still checks new rows. Returns those made, those of them to validate (not one a DBA
    had made NOT VALID) and, named with why, those that cannot be made (the referenced table
    or its unique key gone); one whose name the table has again is left to that one."""
    made, to_validate, unmade = [], [], []
    for key in swept:
        table, name = key["table"], key["name"]
        present, taken = conn.execute(
            statement(SQL_PRODUCTION, "swept_key_state"),
            {"schema": prod, "table": table, "name": name},
        ).fetchone()
        if not present or taken:
            continue
        definition = key["definition"]
        validate = not definition.endswith(" NOT VALID")
        try:
            with conn.transaction():
                add_foreign_key(
                    conn, (prod, table), name, definition + (" NOT VALID" if validate else "")
                )
        except errors.LockNotAvailable:
            raise  # the switch's attempt is retried whole
        except psycopg.Error as err:
            if conn.broken:  # the session lost, not the object: the caller's retry
                raise
            statement_text = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                sql.Identifier(prod, table), sql.Identifier(name)).as_string(conn) + definition
            unmade.append(f"{name} ({err.diag.message_primary or err}): {statement_text}")
            continue
        made.append((prod, table, name))
        if validate:
            to_validate.append((prod, table, name))
    return made, to_validate, unmade
