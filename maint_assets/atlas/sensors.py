"""The sensor that turns rows written to the atlas sources into materializations of those
source assets, so the eager assets downstream refresh. A burst of writes between two ticks
becomes one event per source, hence one refresh."""

import json
import os

import dagster as dg

from maint_assets.atlas import sources
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement

SOURCE_ASSETS = {
    "observations": sources.observations.key,
    "regions": sources.regions.key,
    "taxa_obs": sources.taxa_obs.key,
}
OPERATIONS = {"I": "rows_inserted", "U": "rows_updated", "D": "rows_deleted"}
INTERVAL_S = int(os.environ.get("ATLAS_CHANGE_SENSOR_INTERVAL_S", "30"))


@dg.sensor(
    name="atlas_source_changes",
    minimum_interval_seconds=INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    # Named as its target so each source asset's page shows this sensor as its automation; it
    # never requests runs itself (the automation sensor refreshes what reads the sources).
    asset_selection=list(SOURCE_ASSETS.values()),
    description="Records a materialization of each atlas source table that rows were "
    "inserted into, updated in or deleted from, read from the database's change log.",
)
def atlas_source_changes(
    context: dg.SensorEvaluationContext, atlas_db: PostgresResource
) -> dg.SensorResult:
    # The cursor is a change-log position: a transaction-id frontier plus the log positions
    # already seen beyond it. It lives in Dagster's storage, the log in PostgreSQL: a restart
    # of either resumes where the other left off. Without a cursor, whatever the log still
    # holds (changes not yet consumed) is reported.
    seen = json.loads(context.cursor) if context.cursor else {"frontier": "0", "carried": []}
    with atlas_db.connect() as conn, atlas_db.transaction(conn, repeatable_read=True):
        if not conn.execute(statement("atlas/change_log", "installed")).fetchone()[0]:
            return dg.SensorResult(
                skip_reason=f"no change capture in {atlas_db.describe()}: "
                "run `maint-assets capture atlas`"
            )
        counts = conn.execute(statement("atlas/change_log", "changes_since"), seen).fetchall()
        frontier, carried = conn.execute(statement("atlas/change_log", "position_now")).fetchone()
    cursor = json.dumps({"frontier": frontier, "carried": carried})
    changes: dict[str, dict[str, int]] = {}
    for source, op, n in counts:
        changes.setdefault(source, dict.fromkeys(OPERATIONS.values(), 0))[OPERATIONS[op]] = n
    events = [
        dg.AssetMaterialization(
            asset_key=SOURCE_ASSETS[source], metadata={**stats, "change_log_frontier": frontier}
        )
        for source, stats in sorted(changes.items())
        if source in SOURCE_ASSETS
    ]
    if not events:
        return dg.SensorResult(cursor=cursor, skip_reason="no change since the last tick")
    # Dagster marks a tick without run requests SKIPPED: its reason says what it recorded.
    done = "recorded " + "; ".join(
        f"{e.asset_key.to_user_string()} ("
        + ", ".join(f"{v} {k.removeprefix('rows_')}" for k, v in changes[s].items() if v)
        + ")"
        for s, e in zip(sorted(c for c in changes if c in SOURCE_ASSETS), events, strict=True)
    )
    context.log.info(done)
    return dg.SensorResult(cursor=cursor, asset_events=events, skip_reason=done)
