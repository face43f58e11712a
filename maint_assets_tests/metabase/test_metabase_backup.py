"""Metabase application-database backups restore, and the restore job refuses without
confirmation, backs the target up first, and leaves it unchanged when it fails half-way."""

import os
import secrets
import shutil
import tempfile
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from maint_assets.core import database_content
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.retention import RetentionPolicy
from maint_assets.demo.local_cluster import LocalCluster
from maint_assets.demo.metabase_stand_in import load_stand_in
from maint_assets.metabase import assets, checks
from maint_assets.metabase.automation import restore_metabase
from maint_assets.metabase.keys import (
    BACKUP_FOLDER,
    METABASE_BACKUP,
    PRE_RESTORE_FOLDER,
    SCRATCH_PREFIX,
)
from maint_assets_tests.atlas.helpers import rows
from maint_assets_tests.login_roles import create_login_role
from maint_assets_tests.ports import free_port

DASHBOARDS = "SELECT count(*) FROM report_dashboard"


def _backup(resources, selection=None, instance=None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [assets.metabase_backup, checks.metabase_backup_restores],
        resources=resources,
        selection=selection,
        instance=instance,
        raise_on_error=False,
    )


def _restore(
    resources, confirm: str, artifact_key: str = "", instance=None
) -> dg.ExecuteInProcessResult:
    config = {"confirm_target_database": confirm, "artifact_key": artifact_key}
    return restore_metabase.execute_in_process(
        resources=resources,
        run_config={"ops": {"restore_app_db": {"config": config}}},
        raise_on_error=False,
        instance=instance,
    )


def _dbname(url: str) -> str:
    return psycopg.conninfo.conninfo_to_dict(url)["dbname"]


def test_backup_restores_and_a_confirmed_restore_brings_the_content_back(
    metabase_resources, metabase_url, s3_store, dagster_instance
):
    result = _backup(metabase_resources, instance=dagster_instance)
    check = result.get_asset_check_evaluations()[0]
    assert check.passed, str({k: v.value for k, v in check.metadata.items()})
    assert check.metadata["tables_checked"].value == 7
    artifact = s3_store.latest(BACKUP_FOLDER)
    assert artifact.manifest["tables"]["public.report_card"] == 40

    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("DELETE FROM report_dashboard")  # someone's mistake
        conn.execute("INSERT INTO core_user (email) VALUES ('late@example.org')")
    restored = _restore(
        metabase_resources, confirm=_dbname(metabase_url), instance=dagster_instance
    )
    assert restored.success
    assert rows(metabase_url, DASHBOARDS) == [(6,)]
    assert rows(metabase_url, "SELECT count(*) FROM core_user") == [(12,)]
    # the content it replaced was backed up first
    before = s3_store.latest(PRE_RESTORE_FOLDER)
    assert before.manifest["tables"]["public.report_dashboard"] == 0
    assert before.manifest["tables"]["public.core_user"] == 13


def _view_definitions(url: str) -> dict[str, str]:
    """The catalog's own text of each view (pg_get_viewdef), read independently of the code
    under test."""
    return dict(rows(url, "SELECT n.nspname || '.' || c.relname, pg_get_viewdef(c.oid, true) "
                          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                          "WHERE c.relkind = 'v' AND n.nspname = 'public'"))


def _view_rows(url: str) -> dict[str, list[tuple]]:
    return {view: rows(url, f"SELECT * FROM {view} ORDER BY 1, 2")
            for view in ("v_users", "v_query_log", "v_audit_log")}


def test_metabases_usage_analytics_views_are_backed_up_checked_and_restored(
    metabase_resources, metabase_url, s3_store, dagster_instance
):
    """The views Metabase's migrations create on its tables (v_users, v_query_log,
    v_audit_log): the backup records their definitions, its restore check proves they load
    with the same ones (it only counted tables' rows: a backup without them passed), and a
    restore brings back a view dropped and one replaced since. PostgreSQL prints v_audit_log's
    varchar NOT IN list otherwise once restored (the same view): the check was refused for
    it when comparing the printed definitions."""
    original = _view_definitions(metabase_url)
    assert set(original) == {"public.v_audit_log", "public.v_query_log", "public.v_users"}
    content = _view_rows(metabase_url)
    assert len(content["v_users"]) == 13  # with the external user 0
    result = _backup(metabase_resources, instance=dagster_instance)
    check = result.get_asset_check_evaluations()[0]
    assert check.passed, str({k: v.value for k, v in check.metadata.items()})
    assert check.metadata["views_checked"].value == 3
    assert check.metadata["view_mismatches"].value == []

    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("DROP VIEW v_audit_log")
        conn.execute("DROP VIEW v_query_log")
        conn.execute("CREATE VIEW v_query_log AS SELECT id AS entity_id FROM query_execution")
    restored = _restore(
        metabase_resources, confirm=_dbname(metabase_url), instance=dagster_instance
    )
    assert restored.success
    definitions = _view_definitions(metabase_url)
    assert s3_store.latest(BACKUP_FOLDER).manifest["views"] == definitions
    for view in ("public.v_users", "public.v_query_log"):
        assert definitions[view] == original[view]
    assert definitions["public.v_audit_log"] != original["public.v_audit_log"]
    assert definitions["public.v_audit_log"] == original["public.v_audit_log"].replace(
        "::character varying, '", "::character varying::text, '").replace(
        "::character varying]::text[]", "::character varying::text]")
    assert _view_rows(metabase_url) == content


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


def test_a_restore_whose_views_differ_from_the_backups_record_commits_nothing(
    metabase_resources, metabase_url, s3_store, tmp_path
):
    """The restore compared the restored views with the backup's record after its commit: a
    mismatch failed the run with the backup's content already in place. Here the backup's
    record of v_users differs from what its dump restores (our own manifest edit, standing
    for a view that resolves otherwise in the target): the run fails naming the view, and
    the target keeps the dashboard added since the backup."""
    assert _backup(metabase_resources).success
    good = s3_store.latest(BACKUP_FOLDER)
    dump = s3_store.fetch(good, tmp_path / "metabase.dump")
    views = {**good.manifest["views"], "public.v_users": " SELECT 1 AS id;"}
    other = s3_store.put(dump, BACKUP_FOLDER, "metabase.dump", {**good.manifest, "views": views})
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("INSERT INTO report_dashboard (name, creator_id) VALUES ('new one', 1)")
    before = _view_definitions(metabase_url)

    result = _restore(metabase_resources, confirm=_dbname(metabase_url), artifact_key=other.key)
    assert not result.success
    assert rows(metabase_url, DASHBOARDS) == [(7,)]
    assert _view_definitions(metabase_url) == before
    errors = [line for line in _failure_text(result).splitlines() if "ERROR:" in line]
    assert errors and errors[0].endswith(
        "the restore is rolled back: views missing or defined otherwise: public.v_users"
    ), errors


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
        assert check.passed, str({k: v.value for k, v in check.metadata.items()})
    assert check.metadata["tables_checked"].value == 7


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
    databases.create_database(staging_server, killed, f"restore check of x in run {first.run_id}")
    unnamed = f"{SCRATCH_PREFIX}_kept_by_hand"
    databases.create_database(staging_server, unnamed, "made by hand")
    try:
        again = _backup(metabase_resources, instance=dagster_instance)
        assert again.success
        names = {n for n, _ in databases.databases_like(staging_server, SCRATCH_PREFIX)}
        assert killed not in names and unnamed in names
    finally:
        databases.drop_database(staging_server, unnamed)


# A check constraint calling a function that reads another table: the dump holds it, and
# pg_restore cannot load report_card under it (the function's unqualified table name is not
# found under the empty search_path of a restore), so every backup from now on fails its check.
UNRESTORABLE = """
CREATE FUNCTION creator_exists(int) RETURNS boolean LANGUAGE sql STABLE
    AS 'SELECT EXISTS (SELECT 1 FROM core_user WHERE id = $1)';
ALTER TABLE report_card ADD CONSTRAINT creator_ok CHECK (creator_exists(creator_id));
"""


def test_backups_that_fail_their_check_never_push_the_restorable_ones_out(
    metabase_resources, metabase_url, s3_store, dagster_instance
):
    """Retention counts only the backups whose restore check did not fail (its evaluations
    in the event log): three failing dailies under keep_last=2 leave the two good ones, and a
    restore without a key picks the newest good one. Before, the first prune ran before the
    check and counted every file: the good ones were deleted."""
    policy = RetentionPolicy(keep_last=2, keep_weekly=0, keep_monthly=0)
    store = ArtifactStore(
        bucket=s3_store.bucket,
        prefix=s3_store.prefix,
        endpoint_url=s3_store.endpoint_url,
        retention=policy,
    )
    resources = {**metabase_resources, "artifacts": store}
    for _ in range(3):
        result = _backup(resources, instance=dagster_instance)
        assert result.get_asset_check_evaluations()[0].passed
    good = [a.key for a in store.list(BACKUP_FOLDER)]

    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute(UNRESTORABLE)
    failed = []
    for _ in range(3):
        result = _backup(resources, instance=dagster_instance)
        (check,) = result.get_asset_check_evaluations()
        assert not check.passed and "pg_restore failed" in check.metadata["error"].value
        failed.append(check.metadata["artifact"].value)
    kept = [a.key for a in store.list(BACKUP_FOLDER)]
    assert set(good[-2:]) <= set(kept), "the newest backups that restored were deleted"
    # the two good ones, and the two newest failing ones (kept by the policy over all files)
    assert kept == [*good[-2:], *failed[-2:]]
    # the policy still prunes backups that restored: after the third good run it kept the two
    # it counts plus the newest, not checked yet when its own run pruned (it did not count)
    assert len(good) == 3

    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE report_card DROP CONSTRAINT creator_ok")
        conn.execute("DELETE FROM report_dashboard")
    restored = _restore(resources, confirm=_dbname(metabase_url), instance=dagster_instance)
    assert restored.success, restored.get_step_failure_events()
    assert restored.get_step_success_events()  # the op ran
    (materialized,) = [
        e.event_specific_data.metadata["restored"].value
        for e in restored.all_events
        if e.event_type_value == "STEP_OUTPUT"
    ]
    assert materialized == good[-1] != kept[-1]
    assert rows(metabase_url, DASHBOARDS) == [(6,)]


def test_backups_that_failed_their_check_go_once_a_newer_one_restored(
    metabase_resources, metabase_url, s3_store, dagster_instance
):
    """Failed backups are not kept beside the restorable ones: while none that restored is
    newer, only the newest failed one stays (and the new one, not checked yet); once a newer
    one restored, none. Before, the policy over every backup kept the last three failed ones
    beside the last three good ones: twice the policy's count."""
    store = ArtifactStore(
        bucket=s3_store.bucket,
        prefix=s3_store.prefix,
        endpoint_url=s3_store.endpoint_url,
        retention=RetentionPolicy(keep_last=3, keep_weekly=0, keep_monthly=0),
    )
    resources = {**metabase_resources, "artifacts": store}

    def backups(count: int, passing: bool) -> list[str]:
        made = []
        for _ in range(count):
            (check,) = _backup(resources, instance=dagster_instance).get_asset_check_evaluations()
            assert check.passed is passing
            made.append(check.metadata["artifact"].value)
        return made

    def stored() -> list[str]:
        return [a.key for a in store.list(BACKUP_FOLDER)]

    good = backups(3, passing=True)
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute(UNRESTORABLE)
    failed = backups(3, passing=False)
    assert stored() == [*good, *failed[1:]]  # the third was not checked yet when it pruned
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE report_card DROP CONSTRAINT creator_ok")
    fixed = backups(1, passing=True)
    assert stored() == [*good, failed[-1], *fixed]
    fixed += backups(1, passing=True)
    assert stored() == [*good[1:], *fixed]


def test_a_restore_without_key_refuses_when_no_backup_passed_its_check(
    metabase_resources, metabase_url, s3_store, dagster_instance
):
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute(UNRESTORABLE)
    assert not _backup(metabase_resources, instance=dagster_instance).success
    assert len(s3_store.list(BACKUP_FOLDER)) == 1
    result = _restore(metabase_resources, confirm=_dbname(metabase_url), instance=dagster_instance)
    assert not result.success
    assert "passed its restore check" in _failure_text(result)
    assert s3_store.list(PRE_RESTORE_FOLDER) == []  # refused before touching anything


def test_a_restore_without_key_takes_only_a_backup_of_the_database_it_replaces(
    metabase_resources, metabase_url, pg_cluster, s3_store, dagster_instance
):
    """Another database's backups in the same folder (a trial restored the SQL_ASCII test
    database's backup into Metabase's without a word): without a key the restore refuses,
    naming the newest verified backup and its source; named, it is restored."""
    assert _backup(metabase_resources, instance=dagster_instance).success
    (made,) = s3_store.list(BACKUP_FOLDER)
    other = f"metabase_other_{os.getpid()}"
    with pg_cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(other)))
    try:
        resources = {
            **metabase_resources,
            "metabase_db": PostgresResource(url=pg_cluster.url(other)),
        }
        refused = _restore(resources, confirm=other, instance=dagster_instance)
        assert not refused.success
        failure = _failure_text(refused)
        assert f"no backup of database {other!r}" in failure and made.key in failure, failure
        assert f"database {_dbname(metabase_url)!r}" in failure, failure
        assert s3_store.list(PRE_RESTORE_FOLDER) == []  # refused before touching anything
        named = _restore(resources, confirm=other, artifact_key=made.key, instance=dagster_instance)
        assert named.success, _failure_text(named)
        assert rows(pg_cluster.url(other), "SELECT count(*) FROM report_card") == rows(
            metabase_url, "SELECT count(*) FROM report_card"
        )
    finally:
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(other))
            )


def test_a_restore_without_key_takes_no_backup_of_another_servers_database_of_that_name(
    metabase_resources, metabase_url, s3_store, dagster_instance
):
    """Two Metabases whose databases have one name (the Helm chart's "metabase") back up into
    one bucket: a restore without a key took the newest backup of that name, the other
    server's (an independent trial replaced production's dashboards with staging's)."""
    assert _backup(metabase_resources, instance=dagster_instance).success
    (own,) = s3_store.list(BACKUP_FOLDER)
    name = _dbname(metabase_url)
    home = Path(tempfile.mkdtemp(prefix="maint-assets-other-metabase-"))
    home.chmod(0o755)  # the server runs as postgres
    other = LocalCluster(home=home / "pg", port=free_port())
    try:
        other.up([name])
        password = other.passfile.read_text().strip().rsplit(":", 1)[1]
        other_url = make_conninfo(other.url(name), password=password)
        with psycopg.connect(other_url, autocommit=True) as conn:
            load_stand_in(conn)
            conn.execute("DELETE FROM report_dashboard")
        other_resources = {**metabase_resources, "metabase_db": PostgresResource(url=other_url)}
        assert _backup(other_resources, instance=dagster_instance).success  # the newer one
        dashboards = rows(metabase_url, DASHBOARDS)
        restored = _restore(metabase_resources, confirm=name, instance=dagster_instance)
        assert restored.success, _failure_text(restored)
        assert rows(metabase_url, DASHBOARDS) == dashboards != [(0,)]
    finally:
        other.destroy()
        shutil.rmtree(home, ignore_errors=True)
    assert own.key in _restored_keys(restored)


def _restored_keys(result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        e.event_specific_data.metadata["restored"].value
        for e in result.all_events
        if e.is_successful_output and "restored" in e.event_specific_data.metadata
    ]


def _failure_text(result: dg.ExecuteInProcessResult) -> str:
    return result.get_step_failure_events()[0].event_specific_data.error.to_string()


@pytest.fixture
def sql_ascii_url(pg_cluster):
    """A legacy application database in SQL_ASCII holding Latin-1 bytes, and a table whose
    name is not ASCII (UTF-8 bytes, as a UTF-8 client wrote it)."""
    name = f"metabase_sql_ascii_{os.getpid()}"
    with pg_cluster.connect(autocommit=True) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))
        conn.execute(
            sql.SQL(
                "CREATE DATABASE {} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' "
                "TEMPLATE template0"
            ).format(sql.Identifier(name))
        )
    # the client says UTF-8: the server converts nothing, the name is stored as UTF-8 bytes
    with pg_cluster.connect(name, autocommit=True, client_encoding="UTF8") as conn:
        conn.execute("CREATE TABLE report_card (id serial PRIMARY KEY, name text)")
        conn.execute(
            "INSERT INTO report_card (name) VALUES (convert_from(%s, 'SQL_ASCII')), ('plain')",
            ["Région élevée".encode("latin-1")],
        )
        conn.execute('CREATE TABLE "région" (id int)')
        conn.execute('INSERT INTO "région" VALUES (1), (2), (3)')
    yield pg_cluster.url(name)
    with pg_cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_sql_ascii_database_is_backed_up_and_restores(
    sql_ascii_url, s3_store, staging_server, dagster_instance
):
    """psycopg returns SQL_ASCII text as bytes: the row counts crashed on the catalog names
    (TypeError in count_rows). Names read as UTF-8, and the check restores into a scratch
    database of the source's encoding (Latin-1 bytes are not valid UTF-8)."""
    resources = {
        "metabase_db": PostgresResource(url=sql_ascii_url),
        "artifacts": s3_store,
        "restore_server": staging_server,
    }
    result = _backup(resources, instance=dagster_instance)
    assert result.success, _failure_text(result)
    (check,) = result.get_asset_check_evaluations()
    assert check.passed, check.metadata
    assert s3_store.latest(BACKUP_FOLDER).manifest["tables"] == {
        "public.report_card": 2,
        "public.région": 3,
    }
    # restored into a SQL_ASCII scratch database: into UTF8 (the server's default) the
    # Latin-1 bytes loaded unchecked, an invalid UTF8 database the check called a restore
    assert check.metadata["encoding"].value == "SQL_ASCII"


def test_a_restore_brings_back_the_backups_state_not_only_its_objects(
    metabase_resources, metabase_url, dagster_instance
):
    """After the backup, a Metabase upgrade adds a table, a view and a function and users edit
    cards: the restore leaves the backup's objects only (pg_restore --clean kept the new
    table beside the rolled-back content), in the same database (its grants and owner
    kept)."""
    assert _backup(metabase_resources, instance=dagster_instance).success
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS mb_reader_test")
        conn.execute("CREATE ROLE mb_reader_test")
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO mb_reader_test").format(
                sql.Identifier(_dbname(metabase_url))
            )
        )
        conn.execute("GRANT USAGE ON SCHEMA public TO mb_reader_test")
        conn.execute("CREATE TABLE cache_config (id serial PRIMARY KEY, model text NOT NULL)")
        conn.execute("INSERT INTO cache_config (model) VALUES ('root')")
        conn.execute("CREATE VIEW recent_cards AS SELECT id FROM report_card")
        conn.execute(
            "CREATE FUNCTION card_count() RETURNS bigint LANGUAGE sql "
            "AS 'SELECT count(*) FROM report_card'"
        )
        conn.execute("CREATE TYPE cache_strategy AS ENUM ('ttl', 'duration')")
        conn.execute("UPDATE report_card SET name = name || ' (edited)' WHERE id <= 10")
        before = conn.execute(OBJECTS).fetchone()
    try:
        restored = _restore(
            metabase_resources, confirm=_dbname(metabase_url), instance=dagster_instance
        )
        assert restored.success, _failure_text(restored)
        assert rows(
            metabase_url,
            "SELECT to_regclass('cache_config'), to_regclass('recent_cards'), "
            "to_regprocedure('card_count()'), to_regtype('cache_strategy')",
        ) == [(None, None, None, None)]
        assert rows(metabase_url, "SELECT count(*) FROM report_card WHERE name LIKE '%edited'") == [
            (0,)
        ]
        assert rows(metabase_url, "SELECT count(*) FROM report_card") == [(40,)]
        after = rows(metabase_url, OBJECTS)[0]
        # the same database, its grants kept: only the objects it holds were replaced
        assert after[:3] == before[:3] and after[3] == before[3] - 4
        assert rows(
            metabase_url,
            "SELECT has_schema_privilege('mb_reader_test', 'public', 'USAGE'), "
            "has_database_privilege('mb_reader_test', current_database(), 'CONNECT')",
        ) == [(True, True)]
    finally:
        with psycopg.connect(metabase_url, autocommit=True) as conn:
            conn.execute("DROP OWNED BY mb_reader_test")
            conn.execute("DROP ROLE mb_reader_test")


def test_a_table_an_upgrade_added_after_the_backup_is_gone_after_the_restore(
    metabase_resources, metabase_url, dagster_instance
):
    """The trial's case alone: pg_restore --clean restored the backup's tables and left the
    new one, whose migration the restored changelog no longer lists."""
    assert _backup(metabase_resources, instance=dagster_instance).success
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE cache_config (id serial PRIMARY KEY, model text NOT NULL)")
    restored = _restore(
        metabase_resources, confirm=_dbname(metabase_url), instance=dagster_instance
    )
    assert restored.success, _failure_text(restored)
    assert rows(metabase_url, "SELECT to_regclass('cache_config')") == [(None,)]


# the database's OID and owner, public's owner, and how many tables, views, routines and types
# of its own it holds
OBJECTS = """
SELECT d.oid, d.datdba, (SELECT nspowner FROM pg_namespace WHERE nspname = 'public'),
       (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace
                                        AND relkind IN ('r', 'v'))
       + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace)
       + (SELECT count(*) FROM pg_type WHERE typnamespace = 'public'::regnamespace
                                        AND typtype = 'e')
FROM pg_database d WHERE d.datname = current_database()"""


@pytest.fixture
def owned_metabase(pg_cluster):
    """Metabase's application database as on a managed install: the database and every table
    belong to Metabase's own login role (the one restore_metabase runs as), while pgcrypto
    and PostGIS were created by the superuser. Our own fixture: the stand-in tables, plus a
    column default calling pgcrypto's digest."""
    name = f"metabase_owned_{os.getpid()}"
    role = f"mb_owner_{os.getpid()}"
    password = secrets.token_urlsafe(16)
    with pg_cluster.connect(autocommit=True) as conn:
        create_login_role(conn, role, password)
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(role)
            )
        )
    admin_url = pg_cluster.url(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pgcrypto")
        conn.execute("CREATE EXTENSION postgis")
    role_url = make_conninfo(admin_url, user=role, password=password)
    with psycopg.connect(role_url, autocommit=True) as conn:
        load_stand_in(conn)
        conn.execute(
            "CREATE TABLE setting (key text PRIMARY KEY, value text NOT NULL, "
            "checksum bytea DEFAULT public.digest('setting', 'sha256'))"
        )
        conn.execute("INSERT INTO setting (key, value) VALUES ('site-name', 'Écosphères')")
    yield role_url, admin_url
    with pg_cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _owned_resources(url, s3_store, staging_server):
    return {
        "metabase_db": PostgresResource(url=url),
        "artifacts": s3_store,
        "restore_server": staging_server,
    }


def _content(url: str) -> dict[str, str]:
    """Every table's rows, hashed in a stable order."""
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(
                sql.SQL(
                    "SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {} x"
                ).format(sql.Identifier(*table.split(".")))
            ).fetchone()[0]
            for table in database_content.user_tables(conn)
        }


# each extension with its OID (the same one: left in place, not recreated), version and owner
EXTENSIONS = "SELECT extname, oid, extversion, extowner::regrole::text FROM pg_extension ORDER BY 1"


def test_a_restore_as_metabases_own_role_leaves_a_superusers_extensions_in_place(
    owned_metabase, s3_store, staging_server, dagster_instance
):
    """pg_restore --clean dropped pgcrypto ("must be owner of extension pgcrypto") and the
    whole restore rolled back. The extensions the role cannot drop stay as they are (no
    COMMENT ON EXTENSION, no load into PostGIS's spatial_ref_sys), every object of its own is
    dropped and restored."""
    role_url, admin_url = owned_metabase
    resources = _owned_resources(role_url, s3_store, staging_server)
    backup = _backup(resources, instance=dagster_instance)
    assert backup.success and backup.get_asset_check_evaluations()[0].passed
    source = _content(role_url)
    extensions = rows(admin_url, EXTENSIONS)
    with psycopg.connect(role_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE cache_config (id serial PRIMARY KEY, model text NOT NULL)")
        conn.execute("UPDATE report_card SET name = name || ' (edited)' WHERE id <= 10")
        conn.execute("DELETE FROM setting")

    restored = _restore(resources, confirm=_dbname(role_url), instance=dagster_instance)
    assert restored.success, _failure_text(restored)
    assert rows(role_url, "SELECT to_regclass('cache_config')") == [(None,)]
    assert _content(role_url) == source
    assert rows(admin_url, EXTENSIONS) == extensions
    assert s3_store.latest(BACKUP_FOLDER).manifest["extensions"]["pgcrypto"] == "1.3"
    # the restored default still calls the extension's function
    with psycopg.connect(role_url, autocommit=True) as conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('site-locale', 'fr')")
    assert rows(role_url, "SELECT count(*) FROM setting WHERE checksum IS NOT NULL") == [(2,)]


def test_a_restore_needing_an_extension_the_role_cannot_create_is_refused_first(
    owned_metabase, s3_store, staging_server, dagster_instance
):
    """The backup holds pg_buffercache (superuser-only to create), which the target no longer
    has: refused naming it, before the target is backed up or anything dropped."""
    role_url, admin_url = owned_metabase
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pg_buffercache")
    resources = _owned_resources(role_url, s3_store, staging_server)
    assert _backup(resources, instance=dagster_instance).success
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP EXTENSION pg_buffercache")
    with psycopg.connect(role_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE cache_config (id serial PRIMARY KEY, model text NOT NULL)")

    result = _restore(resources, confirm=_dbname(role_url), instance=dagster_instance)
    assert not result.success
    error = _failure_text(result)
    assert "pg_buffercache" in error and "cannot create" in error
    assert s3_store.list(PRE_RESTORE_FOLDER) == []
    assert rows(role_url, "SELECT to_regclass('cache_config') IS NOT NULL") == [(True,)]


def test_an_extension_left_in_place_must_be_at_a_version_the_backups_updates_to(
    owned_metabase, s3_store, staging_server, dagster_instance
):
    """citext 1.4 at the backup, updated to 1.6 since: restored (1.6 is reachable from 1.4).
    The other way round, the target's citext lacks what the backup's may use: refused."""
    role_url, admin_url = owned_metabase
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION citext VERSION '1.4'")
    resources = _owned_resources(role_url, s3_store, staging_server)
    assert _backup(resources, instance=dagster_instance).success
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("ALTER EXTENSION citext UPDATE TO '1.6'")
    restored = _restore(resources, confirm=_dbname(role_url), instance=dagster_instance)
    assert restored.success, _failure_text(restored)

    assert _backup(resources, instance=dagster_instance).success
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP EXTENSION citext")
        conn.execute("CREATE EXTENSION citext VERSION '1.4'")
    before = len(s3_store.list(PRE_RESTORE_FOLDER))
    result = _restore(resources, confirm=_dbname(role_url), instance=dagster_instance)
    assert not result.success
    error = _failure_text(result)
    assert "citext" in error and "1.4" in error and "1.6" in error
    assert len(s3_store.list(PRE_RESTORE_FOLDER)) == before


@dg.op
def _elsewhere_op() -> None:
    pass


@dg.job
def _elsewhere() -> None:
    _elsewhere_op()


def test_an_upload_cut_off_mid_transfer_is_aborted_by_a_later_backup(
    metabase_resources, metabase_url, s3_store, s3_endpoint, dagster_instance
):
    """The S3 endpoint goes away after 20 MB of a 40 MB dump's multipart upload and refuses
    connections from then on: the run fails, and s3transfer's own abort cannot reach it, so
    the upload stays (billed). The failure says so; the next backup aborts it once no run
    still in progress began before it, and leaves alone what is not a put's upload of its
    folder. Before, the upload stayed for ever."""
    import boto3

    from maint_assets_tests.cutting_proxy import CuttingProxy

    # attachments-like bytes that pg_dump cannot compress: the dump goes up in 16 MB parts
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE blobs (id int PRIMARY KEY, b bytea)")
        with conn.cursor().copy("COPY blobs FROM STDIN") as copy:
            for i in range(40):
                copy.write_row((i, os.urandom(1 << 20)))
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    folder = f"{s3_store.prefix}/{BACKUP_FOLDER}/"
    # not a put's upload of the folder (another name, a sub-folder): never ours to abort
    for key in (f"{folder}notes.txt", f"{folder}old/metabase-20260101T000000000000Z.dump"):
        s3.create_multipart_upload(Bucket=s3_store.bucket, Key=key)

    def uploads() -> list[str]:
        listed = s3.list_multipart_uploads(Bucket=s3_store.bucket, Prefix=folder)
        return sorted(u["Key"] for u in listed.get("Uploads", []))

    def store(endpoint: str) -> ArtifactStore:
        # moto's S3 and the runs share this host's clock: no margin for clock skew needed
        return ArtifactStore(
            bucket=s3_store.bucket,
            prefix=s3_store.prefix,
            endpoint_url=endpoint,
            unfinished_upload_margin_s=0,
        )

    # a run still going since before the cut: the upload may be its own, so it is kept (moto
    # lists every upload as initiated in 2010: the time in its key is what keeps it here)
    going = dagster_instance.create_run_for_job(_elsewhere, status=dg.DagsterRunStatus.STARTED)
    host, port = s3_endpoint.removeprefix("http://").split(":")
    with CuttingProxy(host, int(port), limit=20_000_000) as proxy:
        cut = _backup(
            {**metabase_resources, "artifacts": store(proxy.url)}, instance=dagster_instance
        )
        assert proxy.cut.is_set()
    assert not cut.success
    (left,) = [k for k in uploads() if k.startswith(f"{folder}metabase-")]
    assert "could not be aborted" in _failure_text(cut) and left.split("/")[-1] in _failure_text(
        cut
    )
    assert s3_store.list(BACKUP_FOLDER) == []

    direct = {**metabase_resources, "artifacts": store(s3_endpoint)}
    kept = _backup(direct, instance=dagster_instance)
    assert kept.success
    assert _materialized(kept)["aborted_uploads"].value == []
    assert left in uploads()

    dagster_instance.report_run_failed(going)
    swept = _backup(direct, instance=dagster_instance)
    assert swept.success
    aborted = _materialized(swept)["aborted_uploads"].value
    assert [u["key"] for u in aborted] == [left.removeprefix(f"{s3_store.prefix}/")]
    assert uploads() == sorted(
        [f"{folder}notes.txt", f"{folder}old/metabase-20260101T000000000000Z.dump"]
    )


def _materialized(result: dg.ExecuteInProcessResult) -> dict:
    (event,) = result.get_asset_materialization_events()
    return event.materialization.metadata
