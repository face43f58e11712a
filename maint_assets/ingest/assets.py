"""A new version of a production schema, ingested beside it and switched in without downtime.

``ingest/schema/ingest_staging`` loads each listed file into a fresh ``<production>__staging``
schema with COPY, then adds keys, row checks and indexes (a violation fails the load naming the
table) and analyzes. Columns are matched by name: a CSV header, or the keys of the JSON lines,
that differ from the table's columns (order aside) refuse the file naming the differences. Its
blocking checks, run again by the switch itself, compare it with production.

``ingest/schema/ingest_production`` switches in one short transaction: production tables the
ingest does not load (users' submissions, accounts: every table not in the list, so a new one is
never forgotten) are moved into the new version, then the schemas are renamed, under ACCESS
EXCLUSIVE locks held for milliseconds and taken with a short lock timeout, retried (so no reader
queues behind a lock that waits for a long reader). The views made in production itself are
re-created in the new version (``views``). Readers see the old version until the commit and the
new one after it, never a missing or partial table; the old version is kept for rollback.
A switch whose session the server ends is run again: it records itself in its own transaction
(``switch_records``), so one whose COMMIT went through unanswered is never switched twice.

Schemas the ingest creates carry a marker comment (``maint_assets: ingest …``); it drops a
staging schema, or an expired version, only when the marker says it made it, so a name that
happens to match (another application's schema) is refused, never dropped.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import psycopg
from pydantic import Field

from maint_assets.core import own_objects
from maint_assets.core.automation import WEEKLY_FRESHNESS
from maint_assets.core.postgres import DatabaseUnavailable, PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import compose, statement
from maint_assets.core.stored_files import Skipped
from maint_assets.core.stores import report_skipped
from maint_assets.ingest import schemas, sequences, switch_records
from maint_assets.ingest.checks import CHECK_SPECS, staging_checks
from maint_assets.ingest.keys import (
    GROUP_INGEST,
    INGEST_PRODUCTION,
    INGEST_STAGING,
    MARKER,
    OWNERS,
    POOL_INGEST_DB,
    SQL_DIR,
    SQL_PRODUCTION,
    SQL_SCHEMAS,
    SQL_STAGING,
)
from maint_assets.ingest.loading import constrain, create_table, load
from maint_assets.ingest.resources import IngestSettings
from maint_assets.ingest.switching import Switched, log_switched, switch
from maint_assets.ingest.tables import IngestSpec
from maint_assets.ingest.versions import expire, outside_dependents

# What a folder not read means for the tables' files.
KEPT = "a table's file under them is not known to be absent: the ingest refuses to load without it"


@dg.asset(
    key=INGEST_STAGING,
    group_name=GROUP_INGEST,
    pool=POOL_INGEST_DB,
    owners=OWNERS,
    freshness_policy=WEEKLY_FRESHNESS,
    kinds={"postgres"},
    check_specs=CHECK_SPECS,
    description="The next version of the production schema, loaded beside it",
)
def ingest_staging(
    context: dg.AssetExecutionContext, ingest_db: PostgresResource, ingest: IngestSettings
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    spec, backend, skipped = ingest.spec(), ingest.source().backend(), Skipped()
    listed = {f.path for f in backend.list(skipped)}
    left_out = report_skipped(context.log, skipped, KEPT)
    # A table's file the listing could not look for is not known to be absent: loaded empty,
    # the table would lose its rows in the next version.
    hidden = {t.file: by for t in spec.tables if t.file not in listed
              and (by := skipped.hiding(t.file))}
    if hidden:
        raise dg.Failure(
            f"not read in {ingest.source_url}: "
            + "; ".join(f"{f} (under {by}, {_why(by, skipped)})" for f, by in hidden.items())
            + "; nothing loaded"
        )
    missing = [t.file for t in spec.tables if t.required and t.file not in listed]
    if missing:
        raise dg.Failure(f"missing from {ingest.source_url}: {', '.join(missing)}; nothing loaded")
    with ingest_db.step_connection() as conn:
        apply_schema(conn, SQL_DIR, bookkeeping_only=True)
        own_objects.ensure(conn)
    counts = {}
    # Run again if the connection is cut: it loads the staging schema afresh.
    with ingest_db.locked_step(f"ingest/{spec.production}", rerun_if_cut=True) as conn:
        if schemas.exists(conn, spec.staging):
            schemas.refuse_unless_marked(conn, spec.staging, schemas.MARKER_STAGING)
            conn.execute(compose(SQL_SCHEMAS, "drop_schema", schema=spec.staging))
        conn.execute(compose(SQL_SCHEMAS, "create_schema", schema=spec.staging))
        # The run is named: its switch refuses a staging schema another run loaded since.
        schemas.mark(
            conn, spec.staging, schemas.staging_marker(spec.production, context.run.run_id)
        )
        for table in spec.tables:
            relation = (spec.staging, table.name)
            create_table(conn, relation, table, ingest.tables_file)
            if table.file in listed:
                with backend.local_copy(table.file) as local:
                    load(conn, relation, table, local)
            constrain(conn, relation, table)
            own_objects.record(conn, relation)
            conn.execute(compose(SQL_STAGING, "analyze", table=relation))
            counts[table.name] = conn.execute(
                compose(SQL_STAGING, "row_count", table=relation)
            ).fetchone()[0]
        results = staging_checks(conn, spec)
    for failed in (r for r in results if not r.passed):
        context.log.error(f"{failed.check_name}: {failed.description}; production is untouched")
    yield from results
    yield dg.MaterializeResult(
        metadata={"schema": spec.staging, "rows": dg.MetadataValue.json(counts), **left_out}
    )


def _why(by: str, skipped: Skipped) -> str:
    if by in skipped.unreadable:
        return "a folder the listing user may not read"
    if by in skipped.vanished:
        return "a folder removed while the source was listed"
    return "a symlink, not followed"


class SwitchConfig(dg.Config):
    confirm_production: str = Field(
        default="",
        description="the production schema's name (the tables file's `production`) to switch "
        "the staging version in; anything else switches nothing",
    )


# Destructive: never part of automation, and "Materialize all" (or any run without the
# confirmation) records nothing rather than failing, so the rest of such a run succeeds.
@dg.asset(
    key=INGEST_PRODUCTION,
    deps=[INGEST_STAGING],
    group_name=GROUP_INGEST,
    pool=POOL_INGEST_DB,
    owners=OWNERS,
    freshness_policy=WEEKLY_FRESHNESS,
    kinds={"postgres"},
    output_required=False,
    description="The production schema: the staging version switched in, the previous one "
    "kept. Destructive, so it needs a confirmation: a run switches only with config "
    "`confirm_production` naming the production schema (the weekly schedule gives it); "
    "otherwise, as in Materialize all, it switches nothing and says so in the run's log.",
)
def ingest_production(
    context: dg.AssetExecutionContext,
    config: SwitchConfig,
    ingest_db: PostgresResource,
    ingest: IngestSettings,
) -> Iterator[dg.MaterializeResult]:
    spec = ingest.spec()
    if config.confirm_production != spec.production:
        context.log.warning(
            f"{spec.production} not switched: set confirm_production to {spec.production!r} "
            f"in the run's config to switch {spec.staging} in (got "
            f"{config.confirm_production!r})"
        )
        return
    # A run that loads the staging schema switches that one only: another run at once may
    # load it again (the lock is held per step, and the steps may run in two processes)
    # between this run's load and its switch. A run of the switch alone switches what is there.
    own_staging, run_id = context.job_def.has_node_named(ingest_staging.op.name), context.run.run_id
    # the record of the rules, for a version loaded before it
    with ingest_db.step_connection() as conn:
        apply_schema(conn, SQL_DIR, bookkeeping_only=True)
        own_objects.ensure(conn)
    # Run again if the session is lost (a restart, a failover): the switch records itself in
    # its own transaction, so an attempt whose COMMIT went through unanswered is found, never
    # switched twice (switch_records.py); one that rolled back is made afresh.
    with ingest_db.locked_step(f"ingest/{spec.production}", rerun_if_cut=True) as conn:
        earlier = switch_records.recorded(conn, run_id, spec.production, switch_records.SWITCH)
        if earlier is None:
            switched, archived, had_production, left = _switch_staging(
                conn, spec, ingest, own_staging, run_id
            )
    if earlier is not None:
        # Succeeds, reporting the committed switch from its record: production is the version
        # this run switched in, which a failed run would deny (the asset not materialized);
        # what followed the commit (the keys' validation, expiry) the lost attempt never did.
        had_production = earlier.archived_as is not None
        archived = earlier.archived_as or "none"
        switched, left = earlier.switched, earlier.extra["left"]
        context.log.warning(
            f"{spec.production} was switched by an earlier attempt of this run, whose session "
            f"was lost during its COMMIT, which the server committed at {earlier.switched_at} "
            f"({earlier.switched_in} switched in, the previous version kept as {archived}; "
            f"recorded in maint_assets.ingest_switches, run_id {run_id}): not switched again"
        )
    switched = switched.validated(ingest_db)
    if left:
        context.log.warning(
            f"still on the previous version {archived}, not moved by the switch: "
            f"{', '.join(left)}; that version is kept until they are moved or dropped"
        )
    log_switched(context, spec, switched, archived)
    try:
        dropped, kept, held = expire(ingest_db, spec)
    except (DatabaseUnavailable, psycopg.Error) as err:  # the server gone meanwhile
        # The switch has committed: a run failed here said nothing of it, and recorded
        # nothing. The versions beyond keep_versions are dropped by a later run.
        context.log.warning(
            f"{spec.production} switched; the versions beyond keep_versions were not "
            f"expired ({err}); a later run expires them"
        )
        dropped, kept, held = [], [], {}
    forgotten = _expire_switch_records(context, ingest_db, spec.production)
    if kept:
        context.log.warning(
            f"kept {', '.join(kept)} beyond keep_versions: not created by maint_assets (no "
            f"'{MARKER}' comment), so never dropped by it"
        )
    for schema, dependents in held.items():
        context.log.warning(
            f"kept {schema} beyond keep_versions: held by {', '.join(dependents)}"
        )
    yield dg.MaterializeResult(
        metadata={
            "previous_version": archived if had_production else "none (the first version)",
            "carried_over": dg.MetadataValue.json(switched.carried),
            "repointed": dg.MetadataValue.json(switched.repointed),
            "not_carried": dg.MetadataValue.json(switched.not_carried),
            "dropped_no_longer_declared": dg.MetadataValue.json(switched.undeclared),
            "orphaned_rows": dg.MetadataValue.json(switched.orphaned),
            "foreign_keys_not_valid": dg.MetadataValue.json(switched.not_valid),
            "left_on_previous_version": dg.MetadataValue.json(left),
            "locks_held_ms": round(switched.held_ms, 1),
            # the step ran again after a session lost during a COMMIT that went through
            "switched_by_an_earlier_attempt": earlier is not None,
            "dropped_versions": dg.MetadataValue.json(dropped),
            "kept_not_ours": dg.MetadataValue.json(kept),
            "kept_with_dependents": dg.MetadataValue.json(held),
            # runs that have ended, whose switch records no attempt can need any more
            "switch_records_expired": dg.MetadataValue.json(forgotten),
        }
    )


def _expire_switch_records(
    context: dg.AssetExecutionContext, ingest_db: PostgresResource, production: str
) -> list[str]:
    """The switch records of runs that have ended, deleted (switch_records.expire); a failure
    is a warning: the switch has committed, and a later run expires them."""
    try:
        with ingest_db.connect() as conn, conn.transaction():
            return switch_records.expire(conn, production, context.run.run_id, context.instance)
    except (DatabaseUnavailable, psycopg.Error) as err:
        context.log.warning(
            f"{production} switched; the switch records of ended runs were not expired "
            f"({err}); a later run expires them"
        )
        return []


def _switch_staging(
    conn: psycopg.Connection,
    spec: IngestSpec,
    ingest: IngestSettings,
    own_staging: bool,
    run_id: str,
) -> tuple[Switched, str, bool, list[str]]:
    """The switch of the staging schema in, in the caller's transaction, recorded there:
    what it did, the name of the previous version, whether there was one, and what outside
    that version still depends on it."""
    if not schemas.exists(conn, spec.staging):
        if own_staging:
            raise dg.Failure(
                f"{spec.production} not switched: the staging schema {spec.staging} this "
                f"run loaded is gone, switched in meanwhile by another run (production: "
                f"{schemas.comment(conn, spec.production)!r}); production is untouched"
            )
        raise dg.Failure(
            f"no staging schema {spec.staging}: materialize ingest/schema/ingest_staging first"
        )
    loader = schemas.loaded_by(conn, spec.staging)
    if own_staging and loader != run_id:
        raise dg.Failure(
            f"{spec.production} not switched: {spec.staging} is no longer the version this "
            f"run ({run_id}) loaded: run {loader} loaded it again since (two "
            f"ingests of {spec.production} at once); that run switches its own; production "
            "is untouched"
        )
    # The list read now may not be the one the load read (edited during an hours-long
    # load): a table it no longer lists was carried from production onto the loaded one
    # (DuplicateTable), one it gained was counted where none was loaded (UndefinedTable).
    staged = {root for _, root in conn.execute(
        statement(SQL_PRODUCTION, "tables_of"), {"schema": spec.staging})}
    if staged != spec.names:
        raise dg.Failure(
            f"{spec.production} not switched: {spec.staging} was loaded from another "
            f"table list than {ingest.tables_file} now is (listed, not loaded: "
            f"{', '.join(sorted(spec.names - staged)) or 'none'}; loaded, no longer "
            f"listed: {', '.join(sorted(staged - spec.names)) or 'none'}): materialize "
            "ingest/schema/ingest_staging again; production is untouched"
        )
    failed = [r.check_name for r in staging_checks(conn, spec) if not r.passed]
    if failed:
        raise dg.Failure(
            f"{spec.production} not switched: check(s) {', '.join(failed)} fail on "
            f"{spec.staging}; production is untouched"
        )
    schemas.refuse_unless_marked(conn, spec.staging, schemas.MARKER_STAGING)
    # Again at the switch: a version loaded before the load did it (a switch-only run
    # after an upgrade), or written to since, would repeat a key at the portal's next insert.
    for table in spec.tables:
        sequences.advance(conn, (spec.staging, table.name))
    archived = spec.archived(datetime.now(UTC))
    # the first ingest has no production to archive: nothing to name or roll back to
    had_production = schemas.exists(conn, spec.production)
    switched = switch(
        conn,
        spec,
        spec.staging,
        archived,
        run_id,
        "previous",
        ingest.switch_lock_attempts,
        ingest.switch_lock_wait_ms,
    )
    left = outside_dependents(conn, archived)
    switch_records.record(
        conn, run_id, spec.production, switch_records.SWITCH, spec.staging,
        archived if had_production else None, switched, left=left,
    )
    return switched, archived, had_production, left
