"""The restore server cancels the restore check's load (its statement_timeout, or an
administrator's pg_cancel_backend): the server's doing, not the backup's."""

import threading

import dagster as dg
import psycopg
import pytest

from maint_assets.core import databases
from maint_assets.core.artifact_steps import RESTORE_SERVER_FAILURE, check_verdicts
from maint_assets.metabase.keys import METABASE_BACKUP, RESTORE_CHECK
from maint_assets_tests.metabase.test_metabase_backup import _backup


def test_a_load_the_restore_server_cancels_is_not_the_backups_failure(
    metabase_resources, dagster_instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The restore server cancels a statement of the load: SQLSTATE 57014 (an administrator's
    pg_cancel_backend, emulated here: every active statement of the scratch database is
    cancelled while the load runs; or a statement_timeout set for the role or the server,
    reached by a large table's COPY). That says nothing about the backup, as a lost
    connection (57P01, 08xxx) or a full disk (53100) does not: expected
    RESTORE_SERVER_FAILURE, so that retention does not count the backup as failed. It was
    recorded as the backup's failure (check_verdicts: False)."""
    real = databases.load_dump
    admin = metabase_resources["restore_server"].url

    def cancelled(url, *args, **kwargs):
        scratch = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
        done = threading.Event()

        def cancel() -> None:
            with psycopg.connect(admin, autocommit=True) as conn:
                while not done.is_set():
                    conn.execute(
                        "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                        "AND state = 'active' AND pid <> pg_backend_pid()", [scratch])

        canceller = threading.Thread(target=cancel, daemon=True)
        canceller.start()
        try:
            return real(url, *args, **kwargs)
        finally:
            done.set()
            canceller.join()

    monkeypatch.setattr(databases, "load_dump", cancelled)
    result = _backup(metabase_resources, instance=dagster_instance)
    (check,) = result.get_asset_check_evaluations()
    error = str(check.metadata["error"].value)
    assert not check.passed and "57014" in error, error
    verdicts = check_verdicts(dagster_instance, dg.AssetCheckKey(METABASE_BACKUP, RESTORE_CHECK))
    assert RESTORE_SERVER_FAILURE in check.metadata, (
        f"counted as the backup's failure: verdicts {verdicts}; error: {error[:300]}")
    assert verdicts == {}
