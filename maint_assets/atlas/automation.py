"""Jobs, schedules and the change sensor of the atlas domain.

The weekly incremental refresh replaces the runbook's three Friday 21:00 cron lines; the dumps and
staging database follow it; the change log is watched hourly; the count tables are compared
whole with production's own query weekly (by the check's own automation condition).

The change sensor of the atlas: what was written to the source tables becomes Dagster
events, and the count tables are brought up to date within seconds.

Each tick it:
1. records a materialization of each source table that rows were inserted into, updated in or
   deleted from (read from the database's change log), so the eager assets downstream
   (web_regions, taxa_obs_group_lookup, the taxonomy chain) refresh; a burst of writes
   between two ticks becomes one event per source, hence one refresh;
2. applies a small batch of pending observation changes to the count tables itself, in the
   code server that evaluates it, and records the result as runless materializations of both
   tables, with their touched-rows check. A run would add 13 to 15 s of process start on the
   reference machine before the first row is counted; applying a thousand changes takes well
   under a second. Larger batches, region or zoom-lookup changes, and rebuilds go to a run of
   the count asset, requested here (one at a time);
3. trims the change log of what every consumer, this sensor included, has passed.

Its cursor is a change-log position kept in Dagster's storage; the position it records in
the database (so nothing it has not reported is trimmed) is the one Dagster already stored.
"""

from __future__ import annotations

import json

import dagster as dg
import psycopg

from maint_assets.atlas import change_log
from maint_assets.atlas.assets import counts as assets_counts
from maint_assets.atlas.assets.staging import staging_database
from maint_assets.atlas.change_log import Position
from maint_assets.atlas.checks import change_log_consumed, full_recount
from maint_assets.atlas.counts import refresh
from maint_assets.atlas.counts import tables as count_tables
from maint_assets.atlas.keys import (
    GROUP_BACKUPS,
    GROUP_SPATIAL,
    GROUP_TAXONOMY,
    OBSERVATIONS,
    REGIONS,
    REGIONS_ZOOM_LOOKUP,
    SQL_CHANGE_LOG,
    TAXA_GROUP_MEMBERS,
    TAXA_GROUPS,
    TAXA_OBS,
    TAXA_REF_SOURCES,
    TAXA_VERNACULAR_SOURCES,
)
from maint_assets.atlas.resources import CountsSensorSettings
from maint_assets.core.automation import running_schedule, sensor_interval
from maint_assets.core.postgres import LOCK_NAMESPACE, PostgresResource
from maint_assets.core.sql_files import statement

# Incremental, like every refresh of these assets: new or changed taxa_obs names are resolved,
# the count tables apply the change log; a run with `full: true` in an asset's config rebuilds.
# Its scheduled run names the job's assets (running_schedule), so automation does not refresh
# them a second time after it.
# Without the full comparison of the counts: a job's selection takes every check of its assets,
# and that one costs production's own query (automation runs it on Sundays).
atlas_weekly_incremental_refresh = dg.define_asset_job(
    "atlas_weekly_incremental_refresh",
    selection=dg.AssetSelection.groups(GROUP_TAXONOMY, GROUP_SPATIAL)
    - dg.AssetSelection.checks(full_recount),
    description="Every derived atlas table and view, in dependency order, in one run, "
    "incrementally: new or changed names are resolved, the counts apply the change log.",
)

atlas_weekly_schedule = running_schedule(
    atlas_weekly_incremental_refresh,
    "0 21 * * 5",
    name="atlas_weekly_incremental_refresh_friday_2100",
    timezone="America/Toronto",
    description="The weekly incremental refresh of every derived atlas table, Fridays at "
    "21:00 (Toronto), as the runbook's cron lines.",
)

# The job confirms the staging rebuild (a destructive asset) for the default database name.
atlas_weekly_backups = dg.define_asset_job(
    "atlas_weekly_backups",
    selection=dg.AssetSelection.groups(GROUP_BACKUPS),
    config={"ops": {staging_database.op.name: {"config": {"confirm_database": "atlas_staging"}}}},
    description="The atlas dumps, their restore checks, then the staging database (its "
    "rebuild confirmed for atlas_staging).",
)

# Four hours after the Friday refresh starts: the dumps read the refreshed tables (the
# runbook ran everything at 21:00 with nothing ordering the jobs).
atlas_backups_schedule = running_schedule(
    atlas_weekly_backups,
    "0 1 * * 6",
    name="atlas_weekly_backups_saturday_0100",
    timezone="America/Toronto",
    description="The atlas dumps and the staging database, Saturdays at 01:00 (Toronto), "
    "after the Friday refresh.",
)


change_log_watch = dg.define_asset_job(
    "atlas_change_log_watch",
    selection=dg.AssetSelection.checks(change_log_consumed),
    description="Checks that the change log is being consumed.",
)

change_log_watch_schedule = running_schedule(
    change_log_watch,
    "17 * * * *",
    name="atlas_change_log_watch_hourly",
    description="Every hour: checks that the atlas change log is being consumed.",
)


# For a comparison by hand: automation runs it weekly (checks.WEEKLY).
counts_full_comparison = dg.define_asset_job(
    "atlas_counts_full_comparison",
    selection=dg.AssetSelection.checks(full_recount),
    description="Both count tables against production's own ST_Within query over every "
    "observation and region: what the touched-rows check of each refresh does not see. "
    "Automation runs it Sundays at 03:00 (Toronto).",
)


# In the order their materializations are recorded, upstream-most first: Dagster stores them
# one by one, and an automation tick between observations and taxa_obs refreshed api.taxa
# before taxa_ref resolved the new taxon (then again after it).
SOURCE_ASSETS = {
    "taxa_obs": TAXA_OBS,
    "taxa_groups": TAXA_GROUPS,
    "taxa_group_members": TAXA_GROUP_MEMBERS,
    "taxa_ref_sources": TAXA_REF_SOURCES,
    "taxa_vernacular_sources": TAXA_VERNACULAR_SOURCES,
    "regions_zoom_lookup": REGIONS_ZOOM_LOOKUP,
    "regions": REGIONS,
    "observations": OBSERVATIONS,
}
OPERATIONS = {"I": "rows_inserted", "U": "rows_updated", "D": "rows_deleted"}
# The sensor daemon loops every 5 s at best; a smaller interval makes every loop a tick.
INTERVAL_S = sensor_interval("ATLAS_CHANGE_SENSOR_INTERVAL_S", 2)
RUN_TAG = "maint_assets/requested_by"
IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def _position(cursor: str | None) -> tuple[Position, int | None]:
    """Where the last tick left the change log, and the log's epoch then (None: unknown)."""
    if not cursor:
        return Position.start(), None
    seen = json.loads(cursor)
    return Position(frontier=seen["frontier"], carried=seen["carried"]), seen.get("epoch")


@dg.sensor(
    name="atlas_source_changes",
    minimum_interval_seconds=INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    # The count tables: the runs it requests. The sources: so each source asset's page shows
    # this sensor as its automation (it never requests runs of them).
    asset_selection=[*assets_counts.COUNT_KEYS.values(), *SOURCE_ASSETS.values()],
    description="Records a materialization of each atlas source table that rows were "
    "inserted into, updated in or deleted from; applies small batches of observation changes "
    "to the count tables itself and requests a run of them for the rest.",
)
def atlas_source_changes(
    context: dg.SensorEvaluationContext,
    atlas_db: PostgresResource,
    atlas_counts_sensor: CountsSensorSettings,
) -> dg.SensorResult:
    seen, seen_epoch = _position(context.cursor)
    with atlas_db.connect() as conn:
        with atlas_db.transaction(conn, repeatable_read=True):
            if not change_log.installed(conn):
                return dg.SensorResult(
                    skip_reason=f"no change capture in {atlas_db.describe()}: "
                    "run `maint-assets capture atlas`"
                )
            change_log.advance(conn, change_log.SENSOR, change_log.SOURCES, to=seen)
            changed = conn.execute(
                statement(SQL_CHANGE_LOG, "changes_since"), seen.params()
            ).fetchall()
            now = change_log.position_now(conn)
            epoch = change_log.epoch(conn)
        count_events, run_requests, note = _count_tables(
            context, atlas_db, conn, atlas_counts_sensor.inline_max_changes
        )
        with atlas_db.transaction(conn):
            change_log.trim(conn, change_log.SOURCES)
    stats: dict[str, dict[str, int]] = {}
    for source, op, n in changed:
        stats.setdefault(source, dict.fromkeys(OPERATIONS.values(), 0))[OPERATIONS[op]] = n
    # History was lost since the last tick (a source table or the change log truncated, which
    # logs no row): what changed is unknown, so every source is reported, for the eager assets
    # downstream (web_regions, the taxonomy chain) to refresh.
    lost = seen_epoch is not None and seen_epoch != epoch
    if lost:
        for source in SOURCE_ASSETS:
            stats.setdefault(source, dict.fromkeys(OPERATIONS.values(), 0))
    events: list[dg.AssetMaterialization | dg.AssetCheckEvaluation] = []
    recorded = []
    for source, key in SOURCE_ASSETS.items():
        if source in stats:
            counted = stats[source]
            events.append(
                dg.AssetMaterialization(
                    asset_key=key,
                    metadata={
                        **counted,
                        "change_log_frontier": now.frontier,
                        **({"history_lost": True} if lost else {}),
                    },
                )
            )
            what = ", ".join(f"{n} {k.removeprefix('rows_')}" for k, n in counted.items() if n)
            what = what or "history lost"
            recorded.append(f"{key.to_user_string()} ({what})")
    events += count_events
    cursor = json.dumps({"frontier": now.frontier, "carried": now.carried, "epoch": epoch})
    # Dagster marks a tick without run requests SKIPPED, also when it recorded something: its
    # reason (and the tick's log) says what it did.
    done = "; ".join(
        ([f"recorded {'; '.join(recorded)}"] if recorded else []) + ([note] if note else [])
    )
    if done:
        context.log.info(done)
    if run_requests:
        return dg.SensorResult(cursor=cursor, asset_events=events, run_requests=run_requests)
    return dg.SensorResult(
        cursor=cursor, asset_events=events, skip_reason=done or "no change since the last tick"
    )


def _count_tables(
    context: dg.SensorEvaluationContext, db: PostgresResource, conn: psycopg.Connection,
    inline_max: int,
) -> tuple[list, list[dg.RunRequest], str | None]:
    """Apply a small batch of changes to the count tables here, or request a run. Returns the
    events, the run requests and what was done (or why nothing was)."""
    with db.transaction(conn, repeatable_read=True):
        after, reason = change_log.position(conn, count_tables.CONSUMER, count_tables.SOURCES)
        if after is not None:
            observations, others = change_log.pending_count(conn, after, count_tables.SOURCES)
            if observations + others == 0:
                return [], [], None
            if others or observations > inline_max:
                reason = (
                    f"{observations} observation and {others} region or zoom-lookup changes "
                    "pending: refreshed in a run"
                )
    if reason is not None:
        return [], _request_run(context, reason), None
    key = LOCK_NAMESPACE + count_tables.LOCK
    if not conn.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [key]).fetchone()[
        0
    ]:
        return [], [], "the count tables are being refreshed by a run"
    try:
        result = refresh.refresh_counts(
            db,
            conn,
            limits=count_tables.Limits(max_incremental_changes=inline_max),
            allow_rebuild=False,
        )
    except count_tables.NeedsRebuild as err:
        return [], _request_run(context, str(err)), None
    except change_log.CaptureOutdated as err:  # a run would fail the same way: said here
        return [], [], str(err)
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])
    done = (
        f"count tables brought up to date in {result.seconds:.2f} s "
        f"({result.changes.observations if result.changes else 0} observation changes)"
    )
    return assets_counts.count_events(result), [], done


def _request_run(context: dg.SensorEvaluationContext, reason: str) -> list[dg.RunRequest]:
    if context.instance.get_runs(
        filters=dg.RunsFilter(statuses=IN_PROGRESS, tags={RUN_TAG: "atlas_source_changes"}),
        limit=1,
    ):
        return []  # the run already asked for will find these changes too
    context.log.info(f"requesting a run of the count tables: {reason}")
    keys = assets_counts.COUNT_KEYS.values()
    return [
        dg.RunRequest(
            asset_selection=list(keys),
            # Only the check of the rows the refresh touches: left unsaid, Dagster would run
            # every check of the count tables, the weekly full comparison (production's own
            # query over every observation) included.
            asset_check_keys=[dg.AssetCheckKey(k, assets_counts.TOUCHED_CHECK) for k in keys],
            tags={RUN_TAG: "atlas_source_changes"},
        )
    ]
