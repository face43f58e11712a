"""The Metabase restore job while Metabase still runs.

docs/backups.md and the job's description say "stop Metabase first", but nothing checks it. A
Metabase left running (its pod restarted by Kubernetes, the operator forgot) keeps sessions on
its application database: its Quartz scheduler polls qrtz_* tables in transactions, requests
read core_session. The restore's psql has no lock timeout: its first DROP waits, for as long as
such a transaction stays open, while every Metabase request queues behind it; once it gets
its locks Metabase hangs for the whole restore, then runs on a database it did not migrate
(an older backup's changelog) with its caches of the replaced content.
"""

import threading
import time

import dagster as dg
import psycopg

from maint_assets.metabase.automation import restore_metabase
from maint_assets_tests.atlas.helpers import rows
from maint_assets_tests.metabase.test_metabase_backup import (
    DASHBOARDS,
    _backup,
    _dbname,
    _failure_text,
    _restore,
)


def test_a_restore_while_metabase_still_runs_is_refused_naming_its_sessions(
    metabase_resources, metabase_url, s3_store
):
    # In memory: a run in a thread on an instance that captures compute logs waits up to a
    # minute for its `tail -F` when the machine is loaded, which would read as the restore's.
    dagster_instance = dg.DagsterInstance.ephemeral()
    assert _backup(metabase_resources, instance=dagster_instance).success
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("DELETE FROM report_dashboard")
    # Metabase still running: a session of its pool inside a transaction that has read a
    # table (application_name as Metabase's JDBC pool sets none: the PostgreSQL driver's).
    metabase = psycopg.connect(metabase_url, application_name="PostgreSQL JDBC Driver")
    metabase.execute("SELECT count(*) FROM report_card").fetchone()
    pid = metabase.info.backend_pid
    outcome = {}

    def restore() -> None:
        outcome["result"] = _restore(
            metabase_resources, confirm=_dbname(metabase_url), instance=dagster_instance
        )

    worker = threading.Thread(target=restore)
    started = time.monotonic()
    worker.start()
    worker.join(60)
    hung = worker.is_alive()
    if hung:  # end Metabase's session so that the restore (and the test) can finish
        with psycopg.connect(metabase_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        worker.join()
    metabase.close()
    assert not hung, (
        f"the restore waited {time.monotonic() - started:.0f} s for a Metabase session and "
        "was still waiting (every Metabase request queued behind it)"
    )
    result = outcome["result"]
    assert not result.success, "the restore replaced the database under a running Metabase"
    text = _failure_text(result)
    assert "Metabase" in text and str(pid) in text, text
    assert rows(metabase_url, DASHBOARDS) == [(0,)]  # left as it was


def test_a_backup_taken_while_metabase_migrated_does_not_restore_a_metabase_that_cannot_start(
    metabase_resources, metabase_url, dagster_instance, tmp_path
):
    """Metabase (before its session lock, metabase/metabase#53158, 2025) takes Liquibase's
    lock by committing databasechangeloglock.locked = true, runs its migrations, then clears
    it. A backup taken during an upgrade (the nightly backup while Metabase restarts on a new
    version) holds the lock: the restored Metabase fails at start with "Database has migration
    lock; cannot run migrations. You can force-release these locks by running `java -jar
    metabase.jar migrate release-locks`" (metabase/metabase#34486, #28140). The backup passes
    its restore check (its tables load and hold their counts), so the keyless restore takes
    it."""
    from maint_assets_tests.metabase.test_metabase_real_app_db import REAL_DUMP, _load_real

    if not REAL_DUMP.exists():
        return
    _load_real(metabase_url, tmp_path)
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE databasechangeloglock SET locked = true, lockgranted = now(),"
            " lockedby = 'metabase-7d9f (10.233.1.17)'"
        )
    backup = _backup(metabase_resources, instance=dagster_instance)
    assert backup.success, _failure_text(backup)[-1500:]
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("UPDATE databasechangeloglock SET locked = false")  # the upgrade ended
        conn.execute("DELETE FROM report_dashboardcard")  # then someone's mistake
    restored = _restore(metabase_resources, confirm=_dbname(metabase_url),
                        instance=dagster_instance)
    locked = rows(metabase_url, "SELECT bool_or(locked) FROM databasechangeloglock")
    assert not (restored.success and locked == [(True,)]), (
        "the restore brought back Liquibase's migration lock: the restored Metabase does not "
        "start until someone runs `migrate release-locks`, and nothing said so"
    )


def test_a_restore_allowed_beside_an_idle_monitoring_session_goes_ahead(
    metabase_resources, metabase_url, dagster_instance
):
    """A session that is not Metabase (a monitoring agent, a pooler's idle connection) need
    not block a disaster recovery: with allow_other_sessions the restore goes ahead."""
    assert _backup(metabase_resources, instance=dagster_instance).success
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("DELETE FROM report_dashboard")
    with psycopg.connect(metabase_url, autocommit=True, application_name="postgres_exporter"):
        result = restore_metabase.execute_in_process(
            resources=metabase_resources,
            run_config={"ops": {"restore_app_db": {"config": {
                "confirm_target_database": _dbname(metabase_url),
                "allow_other_sessions": True,
            }}}},
            raise_on_error=False,
            instance=dagster_instance,
        )
    assert result.success
    assert rows(metabase_url, DASHBOARDS) != [(0,)]
