"""The advisory lock every refresh holds (PostgresResource.maintenance_session), against the
test session's server: a run waiting for it must not hold a snapshot the holder's swap waits
out."""

import threading
import time
from datetime import UTC, datetime

import psycopg

from maint_assets.core.older_snapshots import older_snapshots
from maint_assets.core.postgres import MaintenanceLocked, PostgresResource


def test_a_run_waiting_for_the_lock_holds_no_snapshot_the_holders_swap_waits_for(
    empty_db: str,
) -> None:
    """Two count refreshes at once (the change sensor's and the weekly job's, in the security
    pass's demo): the second waited for the advisory lock in one statement, whose snapshot
    predated the first one's build; the first would not swap in while a snapshot older than its
    build was open (it would read the new tables empty), so each waited for the other until the
    second's lock_timeout, 30 s, and that run failed (session 36's speed pass)."""
    server = PostgresResource(url=empty_db, lock_timeout_s=20)
    got: list[float] = []

    def second_run() -> None:
        with server.maintenance_session("atlas/counts"):
            got.append(time.monotonic())

    with server.maintenance_session("atlas/counts") as holder, psycopg.connect(empty_db) as build:
        build.execute("CREATE TABLE built AS SELECT 1 AS n")  # the build, its xid assigned
        xid = build.execute("SELECT pg_current_xact_id()::text").fetchone()[0]
        waiting = threading.Thread(target=second_run)
        waiting.start()
        time.sleep(1.0)  # the second run is waiting
        build.commit()
        committed = datetime.now(UTC)
        # The wait under way when the build committed may have begun before: its snapshot
        # is older, for at most the second it lasts.
        deadline = time.monotonic() + 2.5
        while (older := older_snapshots(holder, xid, committed)) and time.monotonic() < deadline:
            time.sleep(0.1)
        released = time.monotonic()
    waiting.join(timeout=30)
    assert older == [], [s.describe() for s in older]
    assert got and got[0] - released < 1.5, "the second run did not take the lock once free"


def test_a_lock_held_beyond_the_timeout_is_refused_naming_it(empty_db: str) -> None:
    server = PostgresResource(url=empty_db, lock_timeout_s=0.5)
    with server.maintenance_session("atlas/counts"):
        started = time.monotonic()
        try:
            with server.maintenance_session("atlas/counts"):
                raise AssertionError("took a lock another session holds")
        except MaintenanceLocked as err:
            assert "atlas/counts is being maintained by another session" in str(err)
        assert 0.4 < time.monotonic() - started < 2.0
