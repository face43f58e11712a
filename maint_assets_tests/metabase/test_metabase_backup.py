"""Metabase application-database backups restore, and the restore job refuses without
confirmation, backs the target up first, and leaves it unchanged when it fails half-way."""

import dagster as dg
import psycopg
import pytest

from maint_assets.core.postgres import PostgresResource
from maint_assets.metabase import assets, checks
from maint_assets.metabase.automation import restore_metabase
from maint_assets.metabase.keys import (
    BACKUP_FOLDER,
    METABASE_BACKUP,
    PRE_RESTORE_FOLDER,
    SCRATCH_PREFIX,
)
from maint_assets_tests.atlas.helpers import rows

DASHBOARDS = "SELECT count(*) FROM report_dashboard"


@pytest.fixture
def metabase_resources(metabase_url, s3_store, staging_server):
    return {
        "metabase_db": PostgresResource(url=metabase_url),
        "artifacts": s3_store,
        "restore_server": staging_server,
    }


def _backup(resources, selection=None, instance=None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [assets.metabase_backup, checks.metabase_backup_restores],
        resources=resources,
        selection=selection,
        instance=instance,
        raise_on_error=False,
    )


def _restore(resources, confirm: str, artifact_key: str = "") -> dg.ExecuteInProcessResult:
    config = {"confirm_target_database": confirm, "artifact_key": artifact_key}
    return restore_metabase.execute_in_process(
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
    artifact = s3_store.latest(BACKUP_FOLDER)
    assert artifact.manifest["tables"]["public.report_card"] == 40

    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("DELETE FROM report_dashboard")  # someone's mistake
        conn.execute("INSERT INTO core_user (email) VALUES ('late@example.org')")
    restored = _restore(metabase_resources, confirm=_dbname(metabase_url))
    assert restored.success
    assert rows(metabase_url, DASHBOARDS) == [(6,)]
    assert rows(metabase_url, "SELECT count(*) FROM core_user") == [(12,)]
    # the content it replaced was backed up first
    before = s3_store.latest(PRE_RESTORE_FOLDER)
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
    assert s3_store.list(PRE_RESTORE_FOLDER) == []


def test_a_restore_failing_half_way_leaves_the_target_unchanged(
    metabase_resources, metabase_url, s3_store, tmp_path
):
    assert _backup(metabase_resources).success
    good = s3_store.latest(BACKUP_FOLDER)
    # A backup cut short: its table of contents is intact, the data of later tables is not.
    # pg_restore drops and recreates tables, then fails reading the data.
    full = s3_store.fetch(good, tmp_path / "full.dump").read_bytes()
    cut = tmp_path / "cut.dump"
    cut.write_bytes(full[: len(full) * 3 // 4])
    broken = s3_store.put(cut, BACKUP_FOLDER, "metabase.dump", good.manifest)
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


def test_the_restore_check_loads_the_backup_its_asset_recorded(
    metabase_resources, s3_store, tmp_path, dagster_instance
):
    first = _backup(metabase_resources, instance=dagster_instance)
    recorded = first.get_asset_materialization_events()[0].materialization.metadata["artifact"]
    assert first.get_asset_check_evaluations()[0].metadata["artifact"].value == recorded.value
    # a newer file in the folder that no run of the asset wrote (cut short, so it would fail)
    good = s3_store.latest(BACKUP_FOLDER)
    full = s3_store.fetch(good, tmp_path / "full.dump").read_bytes()
    (tmp_path / "stray.dump").write_bytes(full[: len(full) // 2])
    stray = s3_store.put(tmp_path / "stray.dump", BACKUP_FOLDER, "metabase.dump", good.manifest)
    assert s3_store.latest(BACKUP_FOLDER).key == stray.key

    checks_only = dg.AssetSelection.checks_for_assets(METABASE_BACKUP)
    (check,) = _backup(
        metabase_resources, checks_only, dagster_instance
    ).get_asset_check_evaluations()
    assert check.passed and check.metadata["artifact"].value == recorded.value


def test_backup_and_restore_check_run_as_the_least_privileged_roles(
    metabase_url, s3_store, pg_cluster
):
    """The backup reads as the metabase role (no CREATEDB); the check's scratch database is
    created as the restore-checks role on the restore server, not on Metabase's."""
    from maint_assets_tests.core.test_roles import maintenance_role

    with (
        maintenance_role(pg_cluster, metabase_url, "maint_mb_test", "metabase") as (reader, _),
        maintenance_role(
            pg_cluster, pg_cluster.url("postgres"), "maint_rc_test", "restore-checks"
        ) as (restorer, _),
    ):
        result = _backup(
            {
                "metabase_db": PostgresResource(url=reader),
                "artifacts": s3_store,
                "restore_server": PostgresResource(url=restorer),
            }
        )
        assert result.success, result.get_step_failure_events()
        (check,) = result.get_asset_check_evaluations()
        assert check.passed and check.metadata["tables_checked"].value == 5


def test_two_runs_of_the_restore_check_never_share_a_scratch_database(
    metabase_resources, dagster_instance, monkeypatch
):
    """Each run's check restores into a database named after its run: with one fixed name per
    check, a second run's check dropped the first's scratch database under it."""
    from maint_assets.core import restores

    used: list[str] = []
    real_load = restores.load_chain

    def recording_load(artifacts, chain, url, major, tmp):
        used.append(psycopg.conninfo.conninfo_to_dict(url)["dbname"])
        real_load(artifacts, chain, url, major, tmp)

    monkeypatch.setattr(restores, "load_chain", recording_load)
    first = _backup(metabase_resources, instance=dagster_instance)
    second = _backup(metabase_resources, instance=dagster_instance)
    assert first.success and second.success
    assert len(used) == 2 and used[0] != used[1]
    for name, result in zip(used, (first, second), strict=True):
        assert result.run_id.replace("-", "")[:16] in name and len(name.encode()) <= 63


def test_a_killed_runs_scratch_database_is_dropped_by_the_next_check(
    metabase_resources, staging_server, dagster_instance
):
    """A run killed during its check leaves its scratch database; the next check drops it once
    that run is over, and leaves alone a database that names no run."""
    from maint_assets.core import databases

    first = _backup(metabase_resources, instance=dagster_instance)
    assert first.success  # its run is over
    killed = databases.scratch_name(SCRATCH_PREFIX, first.run_id)
    databases.create_database(
        staging_server, killed, f"restore check of x in run {first.run_id}"
    )
    unnamed = f"{SCRATCH_PREFIX}_kept_by_hand"
    databases.create_database(staging_server, unnamed, "made by hand")
    try:
        again = _backup(metabase_resources, instance=dagster_instance)
        assert again.success
        names = {n for n, _ in databases.databases_like(staging_server, SCRATCH_PREFIX)}
        assert killed not in names and unnamed in names
    finally:
        databases.drop_database(staging_server, unnamed)
