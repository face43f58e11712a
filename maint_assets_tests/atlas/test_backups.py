"""Atlas dumps land in the artifact store (a real S3 server) with their checksums, restore,
build the staging database, and fail safe: a wrong table name, a dump that does not restore,
a staging target that is production."""

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import boto3
import dagster as dg
import psycopg
import pytest
from psycopg import sql

from maint_assets.atlas import keys
from maint_assets.atlas.assets import dumps as dump_assets
from maint_assets.atlas.backups import dumps
from maint_assets.core import pg_tools
from maint_assets.core.artifact_steps import RESTORE_SERVER_FAILURE
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.databases import database_url, load_dump
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.retention import RetentionPolicy
from maint_assets.demo.local_cluster import PG_MAJOR
from maint_assets_tests.atlas.backup_helpers import (
    SAMPLE_CONFIG,
    SAMPLE_ONLY,
    SAMPLE_ROWS,
    STAGING_OP,
    check_results,
    confirmed_staging,
    failure_text,
    materialize_backups,
    scratch_database,
)
from maint_assets_tests.atlas.helpers import metadata, rows

SAMPLE_ROW_TEXT = "SELECT id, md5(o::text) FROM public.observations o"
SEQUENCES = (
    "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
    "WHERE schemaname NOT IN ('maint_assets', 'maint_assets_build') ORDER BY 1"
)


@pytest.fixture
def atlas_url(small_atlas_url: str) -> str:
    """Dumps, restores and staging builds do not depend on the province's size; a staging
    build of the full-size one spends most of its time cutting regions into cells."""
    return small_atlas_url


def _dump_text(store: ArtifactStore, dump_key: dg.AssetKey, url: str, tmp: Path) -> str:
    """The SQL of the newest dump of ``dump_key`` (a custom-format one as pg_restore writes it)."""
    artifact = store.latest(keys.DUMP_FOLDERS[dump_key])
    path = store.fetch(artifact, tmp / artifact.name)
    if artifact.manifest["format"] == "plain":
        return path.read_text()
    script = tmp / f"{artifact.name}.sql"
    pg_tools.run_tool("pg_restore", PG_MAJOR, ["-f", str(script), str(path)], url, artifact.key)
    return script.read_text()


def _s3_object(store: ArtifactStore, key: str) -> bytes:
    client = boto3.client("s3", endpoint_url=store.endpoint_url, region_name="us-east-1")
    return client.get_object(Bucket=store.bucket, Key=f"{store.prefix}/{key}")["Body"].read()


REGIONS_TRIGGERS = (
    "SELECT tgname, tgenabled::text FROM pg_trigger "
    "WHERE tgrelid = 'public.regions'::regclass AND NOT tgisinternal ORDER BY 1"
)


def test_dumps_land_in_s3_restore_and_build_a_populated_staging_database(
    backup_resources, s3_store, staging_server, atlas_url, pg_cluster, tmp_path
):
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        # a trigger a DBA keeps off in production (a bulk fix of areas in progress)
        conn.execute("ALTER TABLE public.regions DISABLE TRIGGER update_width_km")
    triggers = rows(atlas_url, REGIONS_TRIGGERS)
    assert ("update_width_km", "D") in triggers and ("maint_capture_insert", "A") in triggers
    result = materialize_backups(backup_resources)
    assert set(check_results(result).values()) == {True}, check_results(result)
    assert len(check_results(result)) == 5
    for dump_key in (
        keys.SCHEMA_DUMP,
        keys.REFERENCE_DATA_DUMP,
        keys.REGIONS_DUMP,
        keys.OBSERVATIONS_SAMPLE_DUMP,
    ):
        artifact = s3_store.latest(keys.DUMP_FOLDERS[dump_key])
        body = _s3_object(s3_store, artifact.key)
        assert hashlib.sha256(body).hexdigest() == artifact.sha256 and len(body) == artifact.size
        assert artifact.manifest["server_version"].startswith("15.")
    reference = s3_store.latest(keys.DUMP_FOLDERS[keys.REFERENCE_DATA_DUMP]).manifest["tables"]
    # and the legacy taxa table observations.id_taxa references (production's schema)
    assert set(reference) == {*dumps.REFERENCE_TABLES, "public.taxa"}
    # the runbook's public-data dump held it (every table of atlas_api but the temporary counts)
    assert reference["atlas_api.sensitive_taxa_max_scale"] == 2
    assert reference["public.taxa_ref"] == rows(atlas_url, "SELECT count(*) FROM taxa_ref")[0][0]

    staging = database_url(staging_server, "atlas_staging")
    assert rows(staging, "SELECT count(*) FROM public.observations") == [(SAMPLE_ROWS,)]
    # The regions dump is restored with pg_restore --disable-triggers, whose closing ENABLE
    # TRIGGER ALL set every trigger of the table to fire on origin: the change capture's ENABLE
    # ALWAYS became plain ENABLE (trial s31: writes made with session_replication_role =
    # replica were lost), and a trigger production keeps disabled fired in staging (trial s34,
    # production's real schema). The runbook's plain dump kept their states.
    assert rows(staging, REGIONS_TRIGGERS) == triggers
    # the sample's observations are the source's rows, and the efforts they reference came along
    assert rows(staging, "SELECT count(*) FROM obs_efforts") == rows(
        atlas_url,
        "SELECT count(*) FROM obs_efforts WHERE id_obs IN (SELECT id FROM observations "
        f"ORDER BY hashint8extended(id, 1), id LIMIT {SAMPLE_ROWS})",
    )
    # ... value for value: production's row triggers (action_user_logger rewrote modified_at
    # and modified_by of the outside_quebec partition) did not fire again on load
    restored = rows(staging, SAMPLE_ROW_TEXT + " ORDER BY id")
    ids = [i for i, _ in restored]
    assert rows(atlas_url, SAMPLE_ROW_TEXT + " WHERE id = ANY(%s) ORDER BY id", [ids]) == restored
    assert rows(  # the trigger is there, on rows of the sample, and enabled again
        staging,
        "SELECT t.tgenabled, (SELECT count(*) FROM observations_partitions.outside_quebec) > 0 "
        "FROM pg_trigger t WHERE t.tgname = 'action_user_logger'",
    ) == [("O", True)]
    # every sequence the loaded tables use stands where production's does, as pg_dump sets
    # those it dumps: the first insert into efforts no longer collides with a loaded row
    sequences = rows(atlas_url, SEQUENCES)
    assert rows(staging, SEQUENCES) == sequences
    assert ("public.efforts_id_seq", True) in [(s, v is not None) for s, v in sequences]
    with psycopg.connect(staging) as conn:
        conn.execute(
            "INSERT INTO public.efforts (id_variables, effort_value) "
            "SELECT min(id), 1.5 FROM public.variables"
        )
        conn.rollback()
    assert rows(staging, "SELECT bool_and(ispopulated) FROM pg_matviews") == [(True,)]
    assert rows(staging, "SELECT count(*) > 0 FROM atlas_api.obs_region_counts") == [(True,)]
    for table, n in reference.items():
        assert rows(staging, f"SELECT count(*) FROM {table}") == [(n,)], table

    # no password in any dump (the cluster's scram password is in its pass file)
    password = pg_cluster.passfile.read_text().strip().rsplit(":", 1)[1]
    for dump_key in (keys.ROLES_DUMP, keys.SCHEMA_DUMP, keys.OBSERVATIONS_SAMPLE_DUMP):
        text = _dump_text(s3_store, dump_key, pg_cluster.url(), tmp_path)
        assert password not in text and "SCRAM-SHA-256$" not in text
    assert (
        "CREATE ROLE"
        in _s3_object(s3_store, s3_store.latest(keys.DUMP_FOLDERS[keys.ROLES_DUMP]).key).decode()
    )


def test_the_sample_is_reproducible(backup_resources, s3_store):
    selection = _as_launched(keys.OBSERVATIONS_SAMPLE_DUMP).without_checks()
    first = materialize_backups(backup_resources, selection, SAMPLE_ONLY)
    second = materialize_backups(backup_resources, selection, SAMPLE_ONLY)
    assert first.success and second.success
    artifacts = s3_store.list(keys.DUMP_FOLDERS[keys.OBSERVATIONS_SAMPLE_DUMP])
    assert len(artifacts) == 2 and artifacts[0].sha256 == artifacts[1].sha256


def test_a_sample_whose_rows_change_on_load_fails_its_check(backup_resources, monkeypatch):
    """The sample's check compares the restored rows' content with the hash its manifest
    records, not only their count: loaded with the row triggers on (as before), production's
    action_user_logger rewrites modified_at/modified_by and the check fails naming the table."""
    real_statement = dumps.statement

    def triggers_left_on(group, name):
        return "SELECT 1;" if name.startswith("sample_triggers_") else real_statement(group, name)

    monkeypatch.setattr(dumps, "statement", triggers_left_on)
    result = materialize_backups(backup_resources, run_config=SAMPLE_ONLY, raise_on_error=False)
    checks = {
        e.asset_key.path[-1]: e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "restores"
    }
    sample = checks["observations_sample_dump"]
    assert not sample.passed
    assert sample.metadata["mismatches"].value == {}  # as many rows...
    assert sample.metadata["content_mismatches"].value == ["public.observations"]  # ...changed
    assert sample.metadata["content_checked"].value == 3


def test_a_misspelled_reference_table_fails_the_dump_naming_it(backup_resources, s3_store):
    result = materialize_backups(
        backup_resources,
        _as_launched(keys.REFERENCE_DATA_DUMP),
        {
            "ops": {
                "atlas_snapshot_dumps": {
                    "config": {"tables": ["public.datasets", "public.taxa_refs"]}
                }
            }
        },
        raise_on_error=False,
    )
    assert not result.success
    assert "public.taxa_refs" in failure_text(result)
    # nothing half-written kept
    assert s3_store.list(keys.DUMP_FOLDERS[keys.REFERENCE_DATA_DUMP]) == []


def test_a_dump_that_does_not_restore_fails_its_check_and_keeps_the_staging_database(
    backup_resources, staging_server, monkeypatch, dagster_instance
):
    assert materialize_backups(backup_resources, instance=dagster_instance).success
    staging = database_url(staging_server, "atlas_staging")
    with psycopg.connect(staging, autocommit=True) as conn:
        conn.execute("CREATE TABLE staging_marker (built_by text)")

    def broken_regions(snap, out):
        dump = dumps.Dump(out / "regions.dump", "custom", {"public.regions": 1})
        dump.path.write_bytes(b"PGDMP this is not an archive")
        return dump

    monkeypatch.setattr(dumps, "regions_dump", broken_regions)
    result = materialize_backups(backup_resources, raise_on_error=False, instance=dagster_instance)
    assert check_results(result)["regions_dump:restores"] is False
    recorded = {e.asset_key for e in result.get_asset_materialization_events()}
    assert keys.ATLAS_STAGING not in recorded
    assert rows(staging, "SELECT to_regclass('staging_marker') IS NOT NULL") == [(True,)]

    # rebuilding staging alone from the broken dump fails, and still leaves the old one
    alone = materialize_backups(
        backup_resources,
        dg.AssetSelection.assets(keys.ATLAS_STAGING),
        {"ops": {STAGING_OP: SAMPLE_CONFIG["ops"][STAGING_OP]}},
        raise_on_error=False,
        instance=dagster_instance,
    )
    assert not alone.success
    assert "pg_restore failed" in failure_text(alone)
    assert rows(staging, "SELECT to_regclass('staging_marker') IS NOT NULL") == [(True,)]
    assert rows(staging, "SELECT count(*) FROM public.observations") == [(SAMPLE_ROWS,)]


# The four dumps staging loads together, with their restore checks.
SNAPSHOT_DUMPS = dg.AssetSelection.assets(
    keys.SCHEMA_DUMP, keys.REFERENCE_DATA_DUMP, keys.REGIONS_DUMP, keys.OBSERVATIONS_SAMPLE_DUMP
)


def _as_launched(key: dg.AssetKey) -> dg.AssetSelection:
    """One dump selected as Dagster's UI launches it: the step cannot be subset, so the
    launch adds the other dumps (and their checks) to it."""
    return dg.AssetSelection.assets(key).required_multi_asset_neighbors()


def _dumps_checking(key: dg.AssetKey) -> dg.AssetSelection:
    """The four dumps, with the restore check of ``key`` only."""
    return SNAPSHOT_DUMPS.without_checks() | dg.AssetSelection.checks(
        dg.AssetCheckKey(key, "restores")
    )


def _reload_every_dataset(url: str) -> None:
    """A writer re-ingesting each dataset, as an ingestion may while the weekly dumps run: a
    new dataset row, its observations moved to it, the old row deleted. The writer is this
    test's invention; the foreign key (observations -> datasets) is production's."""
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        for (old,) in conn.execute(
            "SELECT DISTINCT id_datasets FROM public.observations"
        ).fetchall():
            new = conn.execute(
                "INSERT INTO public.datasets (original_source, title, modified, open_data,"
                " exhaustive, direct_obs) VALUES ('test', 'reloaded', now(), true, false, true)"
                " RETURNING id"
            ).fetchone()[0]
            conn.execute(
                "UPDATE public.observations SET id_datasets = %s WHERE id_datasets = %s",
                [new, old],
            )
            conn.execute("DELETE FROM public.datasets WHERE id = %s", [old])


def test_dumps_taken_while_a_dataset_is_reloaded_agree_with_each_other(
    backup_resources, atlas_url, monkeypatch
):
    """The reload commits between the reference data dump and the sample (whichever is
    written first): the sample must still name only datasets the reference data dump has.
    Each dump read its own snapshot: the sample's restore check failed on
    observations_id_datasets_fkey, and staging was not rebuilt."""
    reloaded = []

    def reloading_after(write):
        def then_reload(*args, **kwargs):
            dump = write(*args, **kwargs)
            if not reloaded:
                _reload_every_dataset(atlas_url)
                reloaded.append(True)
            return dump

        return then_reload

    monkeypatch.setattr(dumps, "reference_dump", reloading_after(dumps.reference_dump))
    monkeypatch.setattr(
        dumps, "observations_sample", reloading_after(dumps.observations_sample)
    )
    result = materialize_backups(
        backup_resources, SNAPSHOT_DUMPS, SAMPLE_ONLY, raise_on_error=False
    )
    assert reloaded
    assert check_results(result) == {
        f"{k.path[-1]}:restores": True
        for k in (keys.SCHEMA_DUMP, keys.REFERENCE_DATA_DUMP, keys.REGIONS_DUMP,
                  keys.OBSERVATIONS_SAMPLE_DUMP)
    }
    assert result.success


def test_staging_refuses_dumps_of_different_snapshots_naming_them(
    backup_resources, atlas_url, dagster_instance, monkeypatch
):
    """The four dumps share one snapshot when written together. A run whose sample failed
    still stored the dumps written before it, of another moment than the sample staging
    then loaded after them: a dataset reloaded in between broke
    observations_id_datasets_fkey, reported as a bad dump."""
    written = materialize_backups(
        backup_resources, SNAPSHOT_DUMPS.without_checks(), SAMPLE_ONLY, instance=dagster_instance
    )
    _reload_every_dataset(atlas_url)

    def sample_fails(snap, out, config):
        raise RuntimeError("the sample's writer failed")  # this test's own failure

    monkeypatch.setitem(dump_assets._WRITERS, keys.OBSERVATIONS_SAMPLE_DUMP, sample_fails)
    partial = materialize_backups(
        backup_resources, SNAPSHOT_DUMPS.without_checks(), SAMPLE_ONLY, raise_on_error=False,
        instance=dagster_instance,
    )
    assert not partial.success
    result = materialize_backups(
        backup_resources,
        dg.AssetSelection.assets(keys.ATLAS_STAGING),
        confirmed_staging("atlas_staging_mixed"),
        raise_on_error=False,
        instance=dagster_instance,
    )
    assert not result.success
    message = failure_text(result)
    assert "not read from one snapshot" in message, message
    assert "atlas_snapshot_dumps" in message
    old = metadata(written, keys.OBSERVATIONS_SAMPLE_DUMP)["snapshot"]
    new = metadata(partial, keys.SCHEMA_DUMP)["snapshot"]
    assert old != new and new in message and old in message
    assert rows(
        atlas_url, "SELECT count(*) FROM pg_database WHERE datname LIKE 'atlas_staging_mixed%'"
    ) == [(0,)]


def test_the_sample_dump_launched_alone_is_restored_with_the_dumps_of_its_snapshot(
    backup_resources, atlas_url, dagster_instance
):
    """The sample dump materialized by itself (from the UI), after a transaction committed
    since the other dumps, then its restore check run by itself: the check loaded the sample
    after dumps of another snapshot, refused the mix and gave no verdict on the dump. The
    step cannot be subset now: Dagster refuses the sample alone, and the UI's launch of it
    (the other dumps added, as required_multi_asset_neighbors does) writes all four from one
    snapshot, so its check restores them and passes."""
    sample_check = dg.AssetCheckKey(keys.OBSERVATIONS_SAMPLE_DUMP, "restores")
    materialize_backups(
        backup_resources, SNAPSHOT_DUMPS.without_checks(), SAMPLE_ONLY, instance=dagster_instance
    )
    _reload_every_dataset(atlas_url)
    alone = materialize_backups(
        backup_resources, _as_launched(keys.OBSERVATIONS_SAMPLE_DUMP).without_checks(),
        SAMPLE_ONLY, instance=dagster_instance,
    )
    checked = materialize_backups(
        backup_resources, dg.AssetSelection.checks(sample_check), {}, raise_on_error=False,
        instance=dagster_instance,
    )
    [check] = checked.get_asset_check_evaluations()
    assert check.passed, check.metadata
    ran = {k: metadata(alone, k) for k in dump_assets.PREREQUISITES}
    assert check.metadata["artifact"].value == ran[keys.OBSERVATIONS_SAMPLE_DUMP]["artifact"]
    assert check.metadata["restored_after"].value == [
        ran[k]["artifact"] for k in (keys.SCHEMA_DUMP, keys.REFERENCE_DATA_DUMP, keys.REGIONS_DUMP)
    ]
    assert len({m["snapshot"] for m in ran.values()}) == 1
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        materialize_backups(
            backup_resources,
            dg.AssetSelection.assets(keys.OBSERVATIONS_SAMPLE_DUMP).without_checks(),
            SAMPLE_ONLY, instance=dagster_instance,
        )


def test_a_restore_check_on_a_role_without_createdb_says_what_to_do(
    backup_resources, pg_cluster
):
    """The scratch database cannot be created, before any dump is loaded: the check failed
    with psycopg's InsufficientPrivilege instead of a result naming the remedy. The role is
    this test's invention."""
    role = "staging_without_createdb"
    with pg_cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'x'").format(sql.Identifier(role)))
    server = PostgresResource(
        url=psycopg.conninfo.make_conninfo(pg_cluster.url("postgres"), user=role, password="x")
    )
    try:
        result = materialize_backups(
            {**backup_resources, "atlas_staging_server": server},
            _dumps_checking(keys.SCHEMA_DUMP),
            {},
            raise_on_error=False,
        )
    finally:
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    [check] = result.get_asset_check_evaluations()
    assert not check.passed
    assert "SQLSTATE 42501" in check.metadata[RESTORE_SERVER_FAILURE].value
    assert "maint-assets roles apply atlas-staging" in check.metadata["error"].value


def test_a_staging_server_not_reached_fails_the_build_saying_what_to_do(backup_resources):
    unreachable = PostgresResource(url="postgresql://maint@127.0.0.1:1/postgres")
    result = materialize_backups(
        {**backup_resources, "atlas_staging_server": unreachable},
        dg.AssetSelection.assets(keys.ATLAS_STAGING),
        confirmed_staging("atlas_staging"),
        raise_on_error=False,
    )
    message = failure_text(result)
    assert "cannot connect to database 'postgres' at 127.0.0.1:1" in message
    assert "ATLAS_STAGING_SERVER_URL" in message
    assert "maint-assets roles apply atlas-staging" in message


@pytest.fixture
def staging_role_without_postgis(pg_cluster) -> Iterator[PostgresResource]:
    """A staging server role that may create databases but not PostGIS, on a server with no
    prepared template (what `roles apply atlas-staging` makes): the restore server, not the
    dumps, is what fails. The role is this test's invention."""
    role = "staging_without_postgis"
    with pg_cluster.connect(autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD 'x'").format(sql.Identifier(role))
        )
    try:
        yield PostgresResource(
            url=psycopg.conninfo.make_conninfo(pg_cluster.url("postgres"), user=role, password="x")
        )
    finally:
        with pg_cluster.connect(autocommit=True) as conn:
            for (name,) in conn.execute(
                "SELECT datname FROM pg_database WHERE datdba = %s::regrole", [role]
            ).fetchall():
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_restore_checks_on_a_staging_server_without_postgis_say_what_to_do(
    backup_resources, staging_role_without_postgis
):
    resources = {**backup_resources, "atlas_staging_server": staging_role_without_postgis}
    result = materialize_backups(
        resources, _dumps_checking(keys.SCHEMA_DUMP), {}, raise_on_error=False
    )
    [check] = result.get_asset_check_evaluations()
    assert not check.passed  # operators see it
    error = check.metadata["error"].value
    assert 'permission denied to create extension "postgis"' in error
    assert "maint-assets roles apply atlas-staging" in error
    assert keys.STAGING_TEMPLATE in error
    assert RESTORE_SERVER_FAILURE in check.metadata


def test_a_staging_server_problem_does_not_get_good_schema_dumps_pruned(
    backup_resources, s3_store, staging_role_without_postgis, dagster_instance
):
    """Three weekly runs whose restore checks fail because of the server: the dumps restore
    (as a superuser), so retention must count them as unchecked, never as failed; the third
    run deleted the first's dump."""
    resources = {**backup_resources, "atlas_staging_server": staging_role_without_postgis}
    for _ in range(3):
        result = materialize_backups(
            resources,
            _dumps_checking(keys.SCHEMA_DUMP),
            {},
            raise_on_error=False,
            instance=dagster_instance,
        )
        assert check_results(result) == {"schema_dump:restores": False}
    assert len(s3_store.list(keys.DUMP_FOLDERS[keys.SCHEMA_DUMP])) == 3


def test_retention_keeps_the_last_dump_proven_to_restore_while_the_restore_server_is_down(
    backup_resources, s3_store, staging_role_without_postgis, dagster_instance
):
    """A schema dump whose restore check passed, then weeks whose checks fail because of the
    restore server (marked restore_server_failure, so left out of the verdicts): those dumps
    are not known to restore, yet they counted as passing ones toward keep_last and pushed the
    only dump proven to restore out, with no evidence that any newer one restores. (Found by a
    trial of session 34.)"""
    store = ArtifactStore(
        bucket=s3_store.bucket,
        prefix=s3_store.prefix,
        endpoint_url=s3_store.endpoint_url,
        retention=RetentionPolicy(keep_last=2, keep_weekly=0, keep_monthly=0),
    )
    resources = {**backup_resources, "artifacts": store}
    selection = _dumps_checking(keys.SCHEMA_DUMP)
    first = materialize_backups(resources, selection, {}, instance=dagster_instance)
    assert check_results(first) == {"schema_dump:restores": True}
    proven = store.list(keys.DUMP_FOLDERS[keys.SCHEMA_DUMP])[0].key
    down = {**resources, "atlas_staging_server": staging_role_without_postgis}
    for _ in range(3):
        result = materialize_backups(
            down, selection, {}, raise_on_error=False, instance=dagster_instance
        )
        assert check_results(result) == {"schema_dump:restores": False}
    kept = [a.key for a in store.list(keys.DUMP_FOLDERS[keys.SCHEMA_DUMP])]
    assert proven in kept, f"the only dump proven to restore was deleted; kept {kept}"


def test_staging_refuses_to_replace_the_production_database(backup_resources, atlas_url):
    production = psycopg.conninfo.conninfo_to_dict(atlas_url)["dbname"]
    result = materialize_backups(
        backup_resources,
        dg.AssetSelection.assets(keys.ATLAS_STAGING),
        confirmed_staging(production),
        raise_on_error=False,
    )
    assert not result.success
    assert "production" in failure_text(result)
    assert rows(atlas_url, "SELECT count(*) > 1000 FROM observations") == [(True,)]


def test_no_password_reaches_the_argv_of_the_client_tools(
    backup_resources, atlas_url, pg_cluster, monkeypatch
):
    password = pg_cluster.passfile.read_text().strip().rsplit(":", 1)[1]
    with_password = psycopg.conninfo.make_conninfo(atlas_url, password=password)
    argvs = []
    real_run = subprocess.run

    def recording_run(args, **kwargs):
        argvs.append(list(args))
        return real_run(args, **kwargs)

    monkeypatch.setattr(pg_tools.subprocess, "run", recording_run)
    monkeypatch.delenv("PGPASSFILE")  # the password can only come from the URL now
    resources = {**backup_resources, "atlas_db": PostgresResource(url=with_password)}
    selection = SNAPSHOT_DUMPS.without_checks()  # one step: all four dumps
    result = materialize_backups(resources, selection, SAMPLE_ONLY, raise_on_error=False)
    assert result.success
    dumps_run = [a for a in argvs if a[0].endswith("pg_dump")]
    assert len(dumps_run) == 3  # the sample is written with COPY
    assert not any(password in arg for argv in argvs for arg in argv)


def test_client_tools_must_be_as_new_as_the_server():
    assert pg_tools.tool_path("pg_dump", 15) == Path("/usr/lib/postgresql/15/bin/pg_dump")
    with pytest.raises(pg_tools.PgToolError, match=r"PostgreSQL 16 or newer.*postgresql-client-16"):
        pg_tools.tool_path("pg_dump", 16)


def test_the_roles_dump_recreates_every_role_and_the_check_leaves_no_trace(
    backup_resources, s3_store, staging_server, atlas_url, tmp_path, monkeypatch
):
    roles_only = dg.AssetSelection.assets(keys.ROLES_DUMP)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS atlas_reader_test")
        conn.execute("CREATE ROLE atlas_reader_test LOGIN PASSWORD 'not-in-any-dump'")
    try:
        result = materialize_backups(backup_resources, roles_only)
        assert set(check_results(result).values()) == {True}
        good = s3_store.latest(keys.DUMP_FOLDERS[keys.ROLES_DUMP])
        assert "atlas_reader_test" in good.manifest["roles"]
        text = s3_store.fetch(good, tmp_path / "roles.sql").read_text()
        assert "not-in-any-dump" not in text and "atlas_reader_test" in text

        # a dump that lost a role's line no longer re-creates what its manifest lists (the
        # role is gone from the cluster, which is also the staging server, once dumped)
        def cut_roles(snap, out):
            dump = real_roles_dump(snap, out)
            lines = dump.path.read_text().splitlines()
            dump.path.write_text("\n".join(x for x in lines if "atlas_reader_test" not in x))
            with psycopg.connect(atlas_url, autocommit=True) as conn:
                conn.execute("DROP ROLE atlas_reader_test")
            return dump

        real_roles_dump = dumps.roles_dump
        monkeypatch.setattr(dumps, "roles_dump", cut_roles)
        check = materialize_backups(
            backup_resources, roles_only, raise_on_error=False
        ).get_asset_check_evaluations()[0]
        assert not check.passed
        assert check.metadata["missing_roles"].value == ["atlas_reader_test"]
        assert rows(
            staging_server.url, "SELECT count(*) FROM pg_roles WHERE rolname = 'atlas_reader_test'"
        ) == [(0,)]  # the replay was rolled back
    finally:
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute("DROP ROLE IF EXISTS atlas_reader_test")


def test_the_password_guard_flags_pg_dumpalls_hashes_not_a_comment_about_passwords(
    backup_resources, s3_store, atlas_url, tmp_path
):
    """Judged on pg_dumpall's own output: with passwords, the lines holding a SCRAM or an md5
    hash are flagged; without, a COMMENT ON ROLE saying where the password is kept is not
    (it refused the roles dump every week), and the roles dump and its check pass."""
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        for role in ("api_reader_test", "md5_user_test"):
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        conn.execute("CREATE ROLE api_reader_test LOGIN PASSWORD 'not-in-any-dump'")
        conn.execute(
            "COMMENT ON ROLE api_reader_test IS 'PostgREST reader; its password is kept in Vault'"
        )
        conn.execute("SET password_encryption = 'md5'")
        conn.execute("CREATE ROLE md5_user_test LOGIN PASSWORD 'not-in-any-dump-either'")
    try:
        with_passwords, without = tmp_path / "with.sql", tmp_path / "without.sql"
        pg_tools.run_tool(
            "pg_dumpall", 15, ["--roles-only", "-f", str(with_passwords)], atlas_url, "roles"
        )
        pg_tools.run_tool(
            "pg_dumpall",
            15,
            ["--roles-only", "--no-role-passwords", "-f", str(without)],
            atlas_url,
            "roles",
        )
        flagged = dumps.password_lines(with_passwords.read_text())
        assert any("api_reader_test" in x and "SCRAM-SHA-256$" in x for x in flagged)
        assert any("md5_user_test" in x and "PASSWORD 'md5" in x for x in flagged)
        text = without.read_text()
        assert "its password is kept in Vault" in text
        assert dumps.password_lines(text) == []

        result = materialize_backups(backup_resources, dg.AssetSelection.assets(keys.ROLES_DUMP))
        assert set(check_results(result).values()) == {True}
        assert (
            "api_reader_test"
            in s3_store.latest(keys.DUMP_FOLDERS[keys.ROLES_DUMP]).manifest["roles"]
        )
    finally:
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute("DROP ROLE IF EXISTS api_reader_test")
            conn.execute("DROP ROLE IF EXISTS md5_user_test")


def test_the_schema_dumps_restore_check_compares_its_tables(
    backup_resources, atlas_url, monkeypatch
):
    schema_only = _dumps_checking(keys.SCHEMA_DUMP)
    (check,) = materialize_backups(backup_resources, schema_only).get_asset_check_evaluations()
    tables = rows(  # partitions come with their parent table
        atlas_url,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN "
        "('pg_catalog', 'information_schema', 'maint_assets_build', 'pg_toast')",
    )[0][0]
    assert check.passed and check.metadata["tables_checked"].value == tables > 20

    def nothing_to_compare(snap, out):
        dump = real_schema_dump(snap, out)
        dump.relations = []
        return dump

    real_schema_dump = dumps.schema_dump
    monkeypatch.setattr(dumps, "schema_dump", nothing_to_compare)
    (check,) = materialize_backups(
        backup_resources, schema_only, raise_on_error=False
    ).get_asset_check_evaluations()
    assert not check.passed
    assert "compare nothing" in check.metadata["error"].value


def test_client_tool_errors_name_the_constraint_not_the_row(pg_cluster, tmp_path):
    """What pg_restore and psql print when a load fails goes into check metadata and alert
    mails: the constraint, not the row's values."""
    with (
        scratch_database(pg_cluster, "redact_source") as source,
        scratch_database(pg_cluster, "redact_target") as target,
    ):
        for url in (source, target):
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("CREATE TABLE person (email text PRIMARY KEY, note text)")
                conn.execute("INSERT INTO person VALUES ('ann@secret.example', 'secret note')")
        dump = tmp_path / "person.dump"
        pg_tools.run_tool(
            "pg_dump",
            15,
            ["--data-only", "--format=custom", "--table=person", "-f", str(dump)],
            source,
            "person",
        )
        plain = tmp_path / "person.sql"
        plain.write_text("COPY person FROM stdin;\nann@secret.example\tsecret note\n\\.\n")
        for path, fmt, tool in ((dump, "custom", "pg_restore"), (plain, "plain", "psql")):
            with pytest.raises(pg_tools.PgToolError) as failed:
                load_dump(target, path, fmt, 15, "person")
            message = str(failed.value)
            assert f"{tool} failed for person" in message and "person_pkey" in message
            assert "Key (email)=(…) already exists" in message
            assert "secret" not in message, message


def test_a_client_tools_failure_leads_with_its_error_not_its_notices(pg_cluster, tmp_path):
    """A restore script's NOTICEs (DROP … IF EXISTS on what is not there) filled the lines the
    failure kept, and its first line was one of them, not the ERROR that stopped it."""
    script = tmp_path / "restore.sql"
    script.write_text(
        "".join(
            f"DO $$ BEGIN RAISE NOTICE 'table t{i} does not exist, skipping'; END $$;\n"
            for i in range(10)
        )
        + "SELECT 1/0;\n"
    )
    with (
        scratch_database(pg_cluster, "notices_target") as target,
        pytest.raises(pg_tools.PgToolError) as failed,
    ):
        pg_tools.run_tool(
            "psql",
            15,
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(script)],
            target,
            "the target",
        )
    message = str(failed.value)
    assert message.splitlines()[0].endswith("ERROR:  division by zero"), message


def test_materialize_all_on_a_fresh_store_succeeds_and_leaves_staging_alone(
    backup_resources, staging_server
):
    """ "Materialize all" on a fresh demo: every restore check runs after the dumps it loads,
    and the staging rebuild, not confirmed, rebuilds nothing and the run still succeeds."""
    check = dg.AssetCheckKey(keys.OBSERVATIONS_SAMPLE_DUMP, "restores")
    reads = defs_graph().get(check).parent_entity_keys
    assert {keys.SCHEMA_DUMP, keys.REFERENCE_DATA_DUMP, keys.REGIONS_DUMP} <= reads
    before = _database_oid(staging_server, "atlas_staging")
    with dg.instance_for_test() as instance:
        result = materialize_backups(backup_resources, run_config=SAMPLE_ONLY, instance=instance)
        assert result.success
        assert set(check_results(result).values()) == {True}, check_results(result)
        recorded = {e.asset_key for e in result.get_asset_materialization_events()}
        assert keys.ATLAS_STAGING not in recorded and keys.OBSERVATIONS_SAMPLE_DUMP in recorded
        logs = [e.user_message for e in instance.all_logs(result.run_id)]
    assert any("set confirm_database to 'atlas_staging'" in m for m in logs)
    assert _database_oid(staging_server, "atlas_staging") == before  # not replaced


def _database_oid(server: PostgresResource, name: str) -> int | None:
    with server.connect() as conn:
        found = conn.execute("SELECT oid FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found and found[0]


def defs_graph():
    from maint_assets.definitions import defs

    return defs.resolve_asset_graph()
