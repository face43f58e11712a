"""Checks of the atlas graph: api.taxa covers every resolved name once, no materialized view
is left unpopulated, the change log is consumed, the count tables equal production's own
query (weekly; every refresh checks the rows it touched itself: assets/counts.py), and every
dump restores. Each check declares every asset it reads besides its own (``additional_deps``),
so a run of them all orders it after them."""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg
from psycopg import sql
from pydantic import Field

from maint_assets.atlas.assets.counts import COUNT_KEYS
from maint_assets.atlas.assets.dumps import PREREQUISITES
from maint_assets.atlas.backups import dumps
from maint_assets.atlas.counts import refresh
from maint_assets.atlas.counts import tables as count_tables
from maint_assets.atlas.keys import (
    API_TAXA,
    DUMP_FOLDERS,
    OBSERVATIONS,
    POOL_ATLAS_DB,
    REGIONS,
    REGIONS_ZOOM_LOOKUP,
    RESTORE_CHECK,
    ROLES_DUMP,
    ROLES_RESTORE_CHECK,
    SCRATCH_PREFIX,
    SQL_CHANGE_LOG,
    SQL_CHECKS,
    STAGING_TEMPLATE,
    TAXA_OBS_GROUP_LOOKUP,
    TAXA_OBS_REF_LOOKUP,
    WEB_REGIONS,
)
from maint_assets.atlas.privileges import STAGING_REMEDY
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.restores import ArtifactMissing, Recorded, recorded_artifact, restore_check
from maint_assets.core.sql_files import statement

FULL_CHECK = "matches_full_recount"


@dg.asset_check(
    asset=API_TAXA,
    blocking=True,
    name="one_row_per_resolved_taxa_obs",
    additional_deps=[TAXA_OBS_REF_LOOKUP],
    description="Every resolved taxa_obs has exactly one api.taxa row, and no other has.",
)
def api_taxa_coverage(atlas_db: PostgresResource) -> dg.AssetCheckResult:
    with atlas_db.connect() as conn:
        resolved, missing, duplicated, unexpected = conn.execute(
            statement(SQL_CHECKS, "api_taxa_coverage")
        ).fetchone()
    return dg.AssetCheckResult(
        passed=missing == duplicated == unexpected == 0,
        metadata={
            "resolved_taxa_obs": resolved,
            "missing": missing,
            "duplicated": duplicated,
            "unexpected": unexpected,
        },
    )


def _populated_check(asset_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    schema, name = asset_key.path[-2:]

    @dg.asset_check(
        asset=asset_key,
        blocking=True,
        name="populated",
        description="The materialized view is populated (readable).",
    )
    def _check(atlas_db: PostgresResource) -> dg.AssetCheckResult:
        with atlas_db.connect() as conn:
            row = conn.execute(
                statement(SQL_CHECKS, "matview_populated"), {"schema": schema, "name": name}
            ).fetchone()
        return dg.AssetCheckResult(
            passed=bool(row and row[0]), metadata={"exists": row is not None}
        )

    return _check


class BacklogConfig(dg.Config):
    max_age_minutes: float = Field(
        default=120, description="fail when a change has waited longer than this"
    )


@dg.asset_check(
    asset=OBSERVATIONS,
    name="change_log_consumed",
    description="The change log does not hold changes older than the allowed age: its "
    "consumers run, so it cannot grow without bound.",
)
def change_log_consumed(config: BacklogConfig, atlas_db: PostgresResource) -> dg.AssetCheckResult:
    with atlas_db.connect() as conn:
        backlog = conn.execute(statement(SQL_CHANGE_LOG, "backlog")).fetchall()
    oldest = max((age for _, _, age in backlog), default=0.0)
    return dg.AssetCheckResult(
        passed=oldest <= config.max_age_minutes * 60,
        metadata={
            "oldest_change_age_minutes": round(float(oldest) / 60, 1),
            "pending_changes": dg.MetadataValue.json({s: n for s, n, _ in backlog}),
        },
    )


def _recorded(asset_key: dg.AssetKey) -> Recorded:
    return Recorded(asset_key, DUMP_FOLDERS[asset_key])


def _restore_check(asset_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key,
        name=RESTORE_CHECK,
        blocking=True,
        # It loads the dumps this one needs first: a run of them all orders it after them.
        additional_deps=PREREQUISITES[asset_key],
        description="The stored dump (checksum verified) loads into a scratch database, after "
        "the dumps it needs, and its tables hold the row counts of its manifest.",
    )
    def _check(
        context: dg.AssetCheckExecutionContext,
        artifacts: ArtifactStore,
        atlas_staging_server: PostgresResource,
    ) -> dg.AssetCheckResult:
        sources = [_recorded(k) for k in [*PREREQUISITES[asset_key], asset_key]]
        scratch = SCRATCH_PREFIX + DUMP_FOLDERS[asset_key].rsplit("/", 1)[-1]
        return restore_check(
            context, artifacts, atlas_staging_server, sources, scratch, STAGING_TEMPLATE,
            STAGING_REMEDY,
        )

    return _check


@dg.asset_check(
    asset=ROLES_DUMP,
    name=ROLES_RESTORE_CHECK,
    blocking=True,
    description="The stored roles dump holds no password or password hash, creates every "
    "role of its manifest, and the staging server's parser accepts each of its statements "
    "(parsed, never run: replaying it would need a superuser, and roles are cluster-wide).",
)
def roles_restore(
    context: dg.AssetCheckExecutionContext,
    artifacts: ArtifactStore,
    atlas_staging_server: PostgresResource,
) -> dg.AssetCheckResult:
    try:
        artifact = recorded_artifact(
            context.instance, context.run.run_id, artifacts, _recorded(ROLES_DUMP)
        )
    except ArtifactMissing as err:
        return dg.AssetCheckResult(passed=False, metadata={"error": str(err)})
    with tempfile.TemporaryDirectory() as tmp:
        text = artifacts.fetch(artifact, Path(tmp) / artifact.name).read_text()
    with_passwords = dumps.password_lines(text)
    statements = dumps.role_statements(text)
    # Replaying the dump, even in a transaction rolled back, needs CREATEROLE for each role and
    # a superuser for a superuser's attributes (REPLICATION, BYPASSRLS too): the documented
    # maintenance role has neither. The server's own parser still proves that its version
    # reads each statement; which roles they create is read from what pg_dumpall writes.
    failed = []
    with atlas_staging_server.connect() as conn:
        conn.execute("BEGIN")
        conn.execute(statement(SQL_CHECKS, "parse_functions_bodies"))
        for line in statements:
            try:
                # a savepoint per statement, rolled back: the function goes with it
                with conn.transaction(force_rollback=True):
                    conn.execute(
                        sql.SQL(statement(SQL_CHECKS, "parse_statement")).format(
                            body=sql.Literal(line)
                        )
                    )
            except psycopg.Error as err:
                failed.append(f"{line[:80]}: {str(err).strip().splitlines()[0]}")
        conn.execute("ROLLBACK")
    created = dumps.created_roles(statements)
    missing = sorted(set(artifact.manifest.get("roles", [])) - created)
    return dg.AssetCheckResult(
        passed=not (with_passwords or failed or missing),
        metadata={
            "artifact": artifact.key,
            "lines_with_passwords": len(with_passwords),
            "roles": len(artifact.manifest.get("roles", [])),
            "failed_statements": dg.MetadataValue.json(failed),
            "missing_roles": dg.MetadataValue.json(missing),
        },
    )


# Sundays at 03:00 (Toronto), away from the Friday refresh and the Saturday dumps: it reads
# every observation against every region (production's cost, on purpose: nothing shared with
# the cells and the detail the refreshes use). A condition of its own also keeps it out of
# the automation runs of the count tables, which take every check that has none.
WEEKLY = dg.AutomationCondition.cron_tick_passed(
    "0 3 * * 0", cron_timezone="America/Toronto"
) & ~dg.AutomationCondition.in_progress()


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            FULL_CHECK,
            asset=asset_key,
            automation_condition=WEEKLY,
            # It reads every observation against every counted region.
            additional_deps=[OBSERVATIONS, REGIONS, REGIONS_ZOOM_LOOKUP],
            description="The whole table equals production's own ST_Within query over every "
            "observation and counted region, computed on the same snapshot after applying the "
            "pending changes (rolled back: the check changes nothing).",
        )
        for asset_key in COUNT_KEYS.values()
    ],
    name="atlas_region_counts_full_recount",
    pool=POOL_ATLAS_DB,
)
def full_recount(atlas_db: PostgresResource) -> Iterator[dg.AssetCheckResult]:
    with atlas_db.maintenance_step(count_tables.LOCK, rerun_if_cut=True) as conn:
        compared = refresh.compare_with_full_recount(atlas_db, conn)
    for name, asset_key in COUNT_KEYS.items():
        mismatched, rows = compared[name]
        yield dg.AssetCheckResult(
            asset_key=asset_key,
            check_name=FULL_CHECK,
            # a comparison that compared nothing proves nothing
            passed=mismatched == 0 and rows > 0,
            metadata={"rows_compared": rows, "mismatched_rows": mismatched},
        )


TABLE_CHECKS = [
    api_taxa_coverage,
    change_log_consumed,
    *(_populated_check(k) for k in (TAXA_OBS_GROUP_LOOKUP, API_TAXA, WEB_REGIONS)),
]
DUMP_CHECKS = [roles_restore, *(_restore_check(k) for k in PREREQUISITES)]
CHECKS = [*TABLE_CHECKS, full_recount, *DUMP_CHECKS]
