"""Metabase application-database backups restore, and the restore job refuses without
confirmation, backs the target up first, and leaves it unchanged when it fails half-way."""

import dagster as dg
import psycopg
import pytest

from maint_assets.core.postgres import PostgresResource
from maint_assets.metabase import backup
from maint_assets_tests.atlas_helpers import rows

DASHBOARDS = "SELECT count(*) FROM report_dashboard"


@pytest.fixture
def metabase_resources(metabase_url, s3_store):
    return {"metabase_db": PostgresResource(url=metabase_url), "artifacts": s3_store}


def _backup(resources) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [backup.app_db_backup, backup.app_db_backup_restores], resources=resources
    )


def _restore(resources, confirm: str, artifact_key: str = "") -> dg.ExecuteInProcessResult:
    config = {"confirm_target_database": confirm, "artifact_key": artifact_key}
    return backup.restore_metabase.execute_in_process(
        resources=resources,
        run_config={"ops": {"restore_app_db": {"config": config}}},
        raise_on_error=False,
    )


def _dbname(url: str) -> str:
    return psycopg.conninfo.conninfo_to_dict(url)["dbname"]


def test_backup_restores_and_a_confirmed_restore_brings_the_content_back(
    metabase_resources, metabase_url, s3_store
):
    result = _backup(metabase_resources)
    check = result.get_asset_check_evaluations()[0]
    assert check.passed and check.metadata["tables_checked"].value == 5
    artifact = s3_store.latest(backup.FOLDER)
    assert artifact.manifest["tables"]["public.report_card"] == 40

    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("DELETE FROM report_dashboard")  # someone's mistake
        conn.execute("INSERT INTO core_user (email) VALUES ('late@example.org')")
    restored = _restore(metabase_resources, confirm=_dbname(metabase_url))
    assert restored.success
    assert rows(metabase_url, DASHBOARDS) == [(6,)]
    assert rows(metabase_url, "SELECT count(*) FROM core_user") == [(12,)]
    # the content it replaced was backed up first
    before = s3_store.latest(backup.PRE_RESTORE_FOLDER)
    assert before.manifest["tables"]["public.report_dashboard"] == 0
    assert before.manifest["tables"]["public.core_user"] == 13


def test_restore_refuses_without_naming_the_target(metabase_resources, metabase_url, s3_store):
    assert _backup(metabase_resources).success
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("DELETE FROM report_dashboard")
    for wrong in ("", "metabase", _dbname(metabase_url).upper()):
        result = _restore(metabase_resources, confirm=wrong)
        assert not result.success
        error = result.get_step_failure_events()[0].event_specific_data.error.to_string()
        assert "confirm_target_database" in error
    assert rows(metabase_url, DASHBOARDS) == [(0,)]
    assert s3_store.list(backup.PRE_RESTORE_FOLDER) == []


def test_a_restore_failing_half_way_leaves_the_target_unchanged(
    metabase_resources, metabase_url, s3_store, tmp_path
):
    assert _backup(metabase_resources).success
    good = s3_store.latest(backup.FOLDER)
    # A backup cut short: its table of contents is intact, the data of later tables is not.
    # pg_restore drops and recreates tables, then fails reading the data.
    full = s3_store.fetch(good, tmp_path / "full.dump").read_bytes()
    cut = tmp_path / "cut.dump"
    cut.write_bytes(full[: len(full) * 3 // 4])
    broken = s3_store.put(cut, backup.FOLDER, "metabase.dump", good.manifest)
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("INSERT INTO report_dashboard (name, creator_id) VALUES ('new one', 1)")

    result = _restore(metabase_resources, confirm=_dbname(metabase_url), artifact_key=broken.key)
    assert not result.success
    assert (
        "pg_restore failed"
        in result.get_step_failure_events()[0].event_specific_data.error.to_string()
    )
    assert rows(metabase_url, DASHBOARDS) == [(7,)]
    assert rows(metabase_url, "SELECT count(*) FROM report_card") == [(40,)]
