"""The record a switch or a rollback makes of itself, in its own transaction
(``maint_assets.ingest_switches``): the step is run again when the server ends its session (a
restart, a failover, pg_terminate_backend), and a session lost during COMMIT leaves it unknown
whether the server committed. Run again, the step reads first whether this run's switch is
recorded: committed, it is not made again, and the run reports what the committed attempt did
(the record holds it); not recorded, the lost attempt rolled back and the switch is made.
The read cannot come too early: the attempt run again waits for the step's advisory lock, which
the lost session holds until it ends, after its COMMIT or its rollback.

A record is read only by its own run (by run_id), so it is expired once Dagster's instance says
that run has ended (``expire``)."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import dagster as dg
import psycopg
from psycopg.types.json import Jsonb

from maint_assets.core.sql_files import statement
from maint_assets.ingest.keys import SQL_PRODUCTION
from maint_assets.ingest.switching import Switched

SWITCH = "switch"
ROLLBACK = "rollback"
# A run in one of these runs no step again: Dagster retries a step (a RetryPolicy, the
# database resource's run again) within its run, before the run ends, and a re-execution or a
# run retry is a new run, with a run_id of its own, which never reads another run's record.
ENDED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
# But Dagster marks a run CANCELED (a forced termination, a cancel that timed out) or FAILURE
# (a run worker's health check that did not answer) without knowing its process is gone: one
# still waiting to run its step again (connection_retry_wait_s, the lock attempts) would find
# its record deleted and switch or roll back a second time. A record is kept this long after
# its switch, far past any such wait; the table gains about a row a week.
GRACE = "7 days"


@dataclass(frozen=True)
class Recorded:
    """A switch an earlier attempt of this run committed."""

    switched_in: str
    archived_as: str | None  # None: the first switch, which archived no version
    switched_at: datetime
    switched: Switched
    extra: dict[str, Any]  # the caller's own (outside dependents, keys not made again, ...)


def record(
    conn: psycopg.Connection,
    run_id: str,
    production: str,
    action: str,
    switched_in: str,
    archived_as: str | None,
    switched: Switched,
    **extra: Any,
) -> None:
    """Record, in the caller's (the switch's) transaction, that this run switched."""
    conn.execute(
        statement(SQL_PRODUCTION, "record_switch"),
        {
            "run_id": run_id,
            "production": production,
            "action": action,
            "switched_in": switched_in,
            "archived_as": archived_as,
            "outcome": Jsonb({"switched": asdict(switched), "extra": extra}),
        },
    )


def recorded(
    conn: psycopg.Connection, run_id: str, production: str, action: str
) -> Recorded | None:
    """This run's switch (or rollback) of ``production``, if an earlier attempt committed it."""
    row = conn.execute(
        statement(SQL_PRODUCTION, "recorded_switch"),
        {"run_id": run_id, "production": production, "action": action},
    ).fetchone()
    if row is None:
        return None
    switched_in, archived_as, switched_at, outcome = row
    fields = outcome["switched"]
    # JSON has no tuples: the keys to validate are (schema, table, name) again
    fields["unvalidated"] = [tuple(k) for k in fields["unvalidated"]]
    return Recorded(switched_in, archived_as, switched_at, Switched(**fields), outcome["extra"])


def expire(
    conn: psycopg.Connection, production: str, run_id: str, instance: dg.DagsterInstance
) -> list[str]:
    """Delete the records of ``production``'s switches and rollbacks made by runs that have
    ended (``ENDED``) more than ``GRACE`` ago, not the caller's; return those runs. The record
    of a run the instance does not know (another deployment's on the same database, or one
    deleted from its run history) is kept: nothing says it has ended."""
    recording = [r for (r,) in conn.execute(
        statement(SQL_PRODUCTION, "recording_runs"),
        {"production": production, "run_id": run_id, "grace": GRACE},
    )]
    if not recording:
        return []
    ended = sorted(
        record.dagster_run.run_id
        for record in instance.get_run_records(
            filters=dg.RunsFilter(run_ids=recording, statuses=ENDED)
        )
    )
    conn.execute(
        statement(SQL_PRODUCTION, "forget_switches"),
        {"production": production, "run_ids": ended, "grace": GRACE},
    )
    return ended
