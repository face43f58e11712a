"""Atlas dumps land in the artifact store (a real S3 server) with their checksums, restore,
build the staging database, and fail safe: a wrong table name, a dump that does not restore,
a staging target that is production."""

import hashlib
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import dagster as dg
import psycopg
import pytest
from psycopg import sql

from maint_assets.atlas import checks, keys
from maint_assets.atlas.assets import dumps as dump_assets
from maint_assets.atlas.assets import staging
from maint_assets.atlas.backups import dumps
from maint_assets.core import pg_tools
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.databases import (
    create_database,
    database_url,
    drop_database,
    load_dump,
    swap_in,
)
from maint_assets.core.postgres import LOCK_NAMESPACE, PostgresResource
from maint_assets.demo.local_cluster import PG_MAJOR
from maint_assets_tests.atlas.helpers import ALL_ASSETS, rows

SAMPLE_ROWS = 500
SAMPLE_ROW_TEXT = "SELECT id, md5(o::text) FROM public.observations o"
SEQUENCES = (
    "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
    "WHERE schemaname NOT IN ('maint_assets', 'maint_assets_build') ORDER BY 1"
)
BACKUPS = dg.AssetSelection.groups(keys.GROUP_BACKUPS)


STAGING_OP = "atlas__database__atlas_staging"
SAMPLE_ONLY = {
    "ops": {"atlas__dump__observations_sample_dump": {"config": {"rows": SAMPLE_ROWS}}}
}
SAMPLE_CONFIG = {  # the whole group: the staging rebuild confirmed
    "ops": {
        **SAMPLE_ONLY["ops"],
        STAGING_OP: {"config": {"confirm_database": "atlas_staging"}},
    }
}


def _materialize(
    resources, selection=BACKUPS, run_config=None, raise_on_error=True, instance=None
):
    if run_config is None:
        run_config = SAMPLE_CONFIG if selection is BACKUPS else {}
    return dg.materialize(
        [*ALL_ASSETS, *dump_assets.ASSETS, *staging.ASSETS, *checks.DUMP_CHECKS],
        resources=resources,
        selection=selection,
        run_config=run_config,
        raise_on_error=raise_on_error,
        instance=instance,
    )


@pytest.fixture
def backup_resources(resources, s3_store, staging_server):
    return {**resources, "artifacts": s3_store, "atlas_staging_server": staging_server}


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        f"{e.asset_key.path[-1]}:{e.check_name}": e.passed
        for e in result.get_asset_check_evaluations()
    }


def _failure(result: dg.ExecuteInProcessResult) -> str:
    return result.get_step_failure_events()[0].event_specific_data.error.to_string()


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


def test_dumps_land_in_s3_restore_and_build_a_populated_staging_database(
    backup_resources, s3_store, staging_server, atlas_url, pg_cluster, tmp_path
):
    result = _materialize(backup_resources)
    assert set(_checks(result).values()) == {True}, _checks(result)
    assert len(_checks(result)) == 5
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
    assert set(reference) == set(dumps.REFERENCE_TABLES)
    # the runbook's public-data dump held it (every table of atlas_api but the temporary counts)
    assert reference["atlas_api.sensitive_taxa_max_scale"] == 2
    assert reference["public.taxa_ref"] == rows(atlas_url, "SELECT count(*) FROM taxa_ref")[0][0]

    staging = database_url(staging_server, "atlas_staging")
    assert rows(staging, "SELECT count(*) FROM public.observations") == [(SAMPLE_ROWS,)]
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
    selection = dg.AssetSelection.assets(keys.OBSERVATIONS_SAMPLE_DUMP).without_checks()
    first = _materialize(backup_resources, selection, SAMPLE_ONLY)
    second = _materialize(backup_resources, selection, SAMPLE_ONLY)
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
    result = _materialize(backup_resources, run_config=SAMPLE_ONLY, raise_on_error=False)
    checks = {
        e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()
        if e.check_name == "restores"
    }
    sample = checks["observations_sample_dump"]
    assert not sample.passed
    assert sample.metadata["mismatches"].value == {}  # as many rows...
    assert sample.metadata["content_mismatches"].value == ["public.observations"]  # ...changed
    assert sample.metadata["content_checked"].value == 3


def test_a_misspelled_reference_table_fails_the_dump_naming_it(backup_resources, s3_store):
    result = _materialize(
        backup_resources,
        dg.AssetSelection.assets(keys.REFERENCE_DATA_DUMP),
        {
            "ops": {
                "atlas__dump__reference_data_dump": {
                    "config": {"tables": ["public.datasets", "public.taxa_refs"]}
                }
            }
        },
        raise_on_error=False,
    )
    assert not result.success
    assert "public.taxa_refs" in _failure(result)
    # nothing half-written kept
    assert s3_store.list(keys.DUMP_FOLDERS[keys.REFERENCE_DATA_DUMP]) == []


def test_a_dump_that_does_not_restore_fails_its_check_and_keeps_the_staging_database(
    backup_resources, staging_server, monkeypatch, dagster_instance
):
    assert _materialize(backup_resources, instance=dagster_instance).success
    staging = database_url(staging_server, "atlas_staging")
    with psycopg.connect(staging, autocommit=True) as conn:
        conn.execute("CREATE TABLE staging_marker (built_by text)")

    def broken_regions(snap, out):
        dump = dumps.Dump(out / "regions.dump", "custom", {"public.regions": 1})
        dump.path.write_bytes(b"PGDMP this is not an archive")
        return dump

    monkeypatch.setattr(dumps, "regions_dump", broken_regions)
    result = _materialize(backup_resources, raise_on_error=False, instance=dagster_instance)
    assert _checks(result)["regions_dump:restores"] is False
    recorded = {e.asset_key for e in result.get_asset_materialization_events()}
    assert keys.ATLAS_STAGING not in recorded
    assert rows(staging, "SELECT to_regclass('staging_marker') IS NOT NULL") == [(True,)]

    # rebuilding staging alone from the broken dump fails, and still leaves the old one
    alone = _materialize(
        backup_resources,
        dg.AssetSelection.assets(keys.ATLAS_STAGING),
        {"ops": {STAGING_OP: SAMPLE_CONFIG["ops"][STAGING_OP]}},
        raise_on_error=False,
        instance=dagster_instance,
    )
    assert not alone.success
    assert "pg_restore failed" in _failure(alone)
    assert rows(staging, "SELECT to_regclass('staging_marker') IS NOT NULL") == [(True,)]
    assert rows(staging, "SELECT count(*) FROM public.observations") == [(SAMPLE_ROWS,)]


def test_staging_refuses_to_replace_the_production_database(backup_resources, atlas_url):
    production = psycopg.conninfo.conninfo_to_dict(atlas_url)["dbname"]
    result = _materialize(
        backup_resources,
        dg.AssetSelection.assets(keys.ATLAS_STAGING),
        _confirmed(production),
        raise_on_error=False,
    )
    assert not result.success
    assert "production" in _failure(result)
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
    selection = dg.AssetSelection.assets(keys.SCHEMA_DUMP, keys.REGIONS_DUMP).without_checks()
    result = _materialize(resources, selection, run_config={}, raise_on_error=False)
    assert result.success
    dumps_run = [a for a in argvs if a[0].endswith("pg_dump")]
    assert len(dumps_run) == 2
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
        result = _materialize(backup_resources, roles_only)
        assert set(_checks(result).values()) == {True}
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
        check = _materialize(
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


READER, GONE = "atlas_api_reader_test", "atlas_gone_test"


def _drop_roles(urls: list[str], *roles: str) -> None:
    """Roles are cluster-wide (the staging server is the test cluster): their grants in every
    database that may hold some go first."""
    for url in urls:
        try:
            conn = psycopg.connect(url, autocommit=True)
        except psycopg.OperationalError:  # a staging database never built
            continue
        with conn:
            for role in roles:
                if rows(url, "SELECT 1 FROM pg_roles WHERE rolname = %s", [role]):
                    conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
    with psycopg.connect(urls[0], autocommit=True) as conn:
        for role in roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_staging_keeps_productions_grants_and_names_the_roles_it_lacks(
    backup_resources, staging_server, atlas_url, monkeypatch
):
    staging = database_url(staging_server, "atlas_staging")
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        # PostgREST's read-only role as production grants it; a second role, dropped from the
        # cluster (the staging server) once the schema is dumped: missing where staging is built
        conn.execute(f"CREATE ROLE {READER} NOLOGIN")
        conn.execute(f"CREATE ROLE {GONE} NOLOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA api TO {READER}")
        conn.execute(f"GRANT SELECT ON api.taxa_ref_sources TO {READER}")
        conn.execute(f"GRANT USAGE ON SCHEMA api TO {GONE}")
        conn.execute(f"GRANT SELECT, INSERT ON api.taxa_ref_sources TO {GONE}")
        # as production did (PostgreSQL 15 creates schema public with USAGE for PUBLIC)
        conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {READER}")

    def then_drop_gone(snap, out):
        dump = real_schema_dump(snap, out)
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {GONE}")
            conn.execute(f"DROP ROLE {GONE}")
        return dump

    real_schema_dump = dumps.schema_dump
    monkeypatch.setattr(dumps, "schema_dump", then_drop_gone)
    try:
        result = _materialize(backup_resources)
        assert set(_checks(result).values()) == {True}, _checks(result)
        with psycopg.connect(staging) as conn:
            conn.execute(f"SET ROLE {READER}")
            n = conn.execute("SELECT count(*) FROM api.taxa_ref_sources").fetchone()[0]
            assert n == rows(atlas_url, "SELECT count(*) FROM api.taxa_ref_sources")[0][0]
            conn.rollback()
        assert rows(
            staging, "SELECT has_schema_privilege(%s, 'api', 'USAGE')", [READER]
        ) == [(True,)]
        assert rows(
            staging,
            "SELECT has_schema_privilege('public', 'public', 'USAGE'), "
            "has_schema_privilege(%s, 'public', 'USAGE')",
            [READER],
        ) == [(False, True)]
        built = result.asset_materializations_for_node(STAGING_OP)[0].metadata
        assert built["missing_roles"].value == [GONE]
        assert built["grants"].value > 0
    finally:
        _drop_roles([atlas_url, staging], READER, GONE)


def test_a_staging_build_that_lost_productions_grants_fails_naming_them(
    backup_resources, staging_server, atlas_url, monkeypatch
):
    """The comparison after the grants: a build that lost them (a regression of grants.py)
    fails, naming the object and the grant."""
    from maint_assets.atlas.backups import grants

    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {READER} NOLOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA api TO {READER}")
    monkeypatch.setattr(grants, "apply", lambda conn, objects: grants.Applied())
    try:
        result = _materialize(backup_resources, raise_on_error=False)
        assert not result.success
        failure = _failure(result)
        assert "differ from production's" in failure
        assert f"SCHEMA api: lacks [('{READER}', 'USAGE', False)]" in failure
    finally:
        _drop_roles([atlas_url, database_url(staging_server, "atlas_staging")], READER)


ROUTINE_OWNER = "atlas_routine_owner_test"
FORMAT_DWC = "public.format_dwc_datetime(integer, integer, integer, time)"
# Production's grants as the real schema dump writes them (ReseauBiodiversiteQuebec/atlas-db,
# dump/dump_atlas_schema.sql of PR #117): EXECUTE on its functions to read_only_public
# ("GRANT ALL ON FUNCTION public.format_dwc_datetime(...) TO read_only_public"), functions
# owned by a person's role rather than postgres, and ALTER DEFAULT PRIVILEGES FOR ROLE
# postgres IN SCHEMA api for tables and functions, FOR ROLE <a person> IN SCHEMA atlas_api
# for functions. Our own invention, which that dump does not hold: EXECUTE revoked from
# PUBLIC, a grant on two columns, and default privileges in every schema.
PRODUCTION_GRANTS = [
    f"CREATE ROLE {READER} NOLOGIN",
    f"CREATE ROLE {GONE} NOLOGIN",
    f"CREATE ROLE {ROUTINE_OWNER} NOLOGIN",
    f"GRANT USAGE ON SCHEMA api, atlas_api, public TO {READER}",
    f"GRANT EXECUTE ON FUNCTION {FORMAT_DWC} TO {READER}, {GONE}",
    f"ALTER FUNCTION {FORMAT_DWC} OWNER TO {ROUTINE_OWNER}",
    f"ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA api GRANT SELECT ON TABLES TO {READER}",
    f"ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA api GRANT EXECUTE ON FUNCTIONS "
    f"TO {READER}",
    f"ALTER DEFAULT PRIVILEGES FOR ROLE {ROUTINE_OWNER} IN SCHEMA atlas_api "
    f"GRANT EXECUTE ON FUNCTIONS TO {READER}",
    # our own invention
    "REVOKE EXECUTE ON FUNCTION public.update_area() FROM PUBLIC",
    f"GRANT SELECT (id, title) ON public.datasets TO {READER}",
    f"ALTER DEFAULT PRIVILEGES FOR ROLE {ROUTINE_OWNER} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
]
# Every default privilege, as its role, schema, kind, grantee and privilege
DEFAULT_ACLS = """
SELECT d.defaclrole::regrole::text, coalesce(d.defaclnamespace::regnamespace::text, '*'),
       d.defaclobjtype::text, coalesce(nullif(a.grantee, 0)::regrole::text, 'PUBLIC'),
       a.privilege_type
FROM pg_default_acl d, aclexplode(d.defaclacl) a ORDER BY 1, 2, 3, 4, 5"""


def _grant_as_production(atlas_url: str) -> None:
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        for statement in PRODUCTION_GRANTS:
            conn.execute(statement)


def test_staging_keeps_productions_routine_column_and_default_privileges(
    backup_resources, staging_server, atlas_url, monkeypatch
):
    """Staging had production's grants on schemas and relations only: EXECUTE on functions
    and their owners, grants on columns and ALTER DEFAULT PRIVILEGES were lost (and PUBLIC
    could execute what production had revoked from it)."""
    staging = database_url(staging_server, "atlas_staging")
    _grant_as_production(atlas_url)

    def then_drop_gone(snap, out):
        dump = real_schema_dump(snap, out)
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {GONE}")
            conn.execute(f"DROP ROLE {GONE}")
        return dump

    real_schema_dump = dumps.schema_dump
    monkeypatch.setattr(dumps, "schema_dump", then_drop_gone)
    try:
        result = _materialize(backup_resources)
        assert set(_checks(result).values()) == {True}, _checks(result)
        assert rows(
            staging,
            "SELECT p.proowner::regrole::text, "
            "  has_function_privilege(%s, p.oid, 'EXECUTE'), "
            "  EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = %s::regrole), "
            "  has_function_privilege(%s, 'public.update_area()', 'EXECUTE') "
            f"FROM pg_proc p WHERE p.oid = '{FORMAT_DWC}'::regprocedure",
            [READER, READER, READER],
        ) == [(ROUTINE_OWNER, True, True, False)]
        assert rows(
            staging,
            "SELECT has_column_privilege(%s, 'public.datasets', 'title', 'SELECT'), "
            "has_column_privilege(%s, 'public.datasets', 'abstract', 'SELECT')",
            [READER, READER],
        ) == [(True, False)]
        assert rows(staging, DEFAULT_ACLS) == rows(atlas_url, DEFAULT_ACLS)
        with psycopg.connect(staging) as conn:
            conn.execute("CREATE TABLE api.added_later (id int)")  # rolled back
            assert conn.execute(
                "SELECT has_table_privilege(%s, 'api.added_later', 'SELECT')", [READER]
            ).fetchone() == (True,)
            conn.execute(f"SET ROLE {READER}")
            assert conn.execute(
                "SELECT public.format_dwc_datetime(2024, 5, 1)"
            ).fetchone() == ("2024-05-01",)
            conn.rollback()
        built = result.asset_materializations_for_node(STAGING_OP)[0].metadata
        assert built["missing_roles"].value == [GONE]  # its only grant was on a function
        assert built["column_grants"].value == 2
    finally:
        _drop_roles([atlas_url, staging], READER, GONE, ROUTINE_OWNER)


def test_a_staging_build_that_lost_routine_column_or_default_privileges_fails(
    backup_resources, staging_server, atlas_url, monkeypatch, dagster_instance
):
    """The comparison covers them: a build that grants only on schemas and relations fails
    naming what it lost, and the previous staging database stays."""
    from maint_assets.atlas.backups import grants

    staging = database_url(staging_server, "atlas_staging")
    _grant_as_production(atlas_url)
    try:
        assert _materialize(backup_resources, instance=dagster_instance).success
        with psycopg.connect(staging, autocommit=True) as conn:
            conn.execute("CREATE TABLE staging_marker (built_by text)")
        real_apply = grants.apply

        def relations_only(conn, record):
            kept = [o for o in record.objects if o[0] != "ROUTINE"]
            return real_apply(conn, grants.Record(kept))

        monkeypatch.setattr(grants, "apply", relations_only)
        result = _materialize(backup_resources, raise_on_error=False, instance=dagster_instance)
        assert not result.success
        failure = _failure(result)
        assert "ROUTINE public.format_dwc_datetime(year integer, month integer" in failure
        assert "COLUMN public.datasets.title: lacks" in failure
        assert f"DEFAULT PRIVILEGES FOR ROLE {ROUTINE_OWNER} IN every schema ON FUNCTIONS" in (
            failure
        )
        assert rows(staging, "SELECT to_regclass('staging_marker') IS NOT NULL") == [(True,)]
    finally:
        _drop_roles([atlas_url, staging], READER, GONE, ROUTINE_OWNER)


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
        pg_tools.run_tool("pg_dumpall", 15, ["--roles-only", "-f", str(with_passwords)],
                          atlas_url, "roles")
        pg_tools.run_tool(
            "pg_dumpall", 15, ["--roles-only", "--no-role-passwords", "-f", str(without)],
            atlas_url, "roles",
        )
        flagged = dumps.password_lines(with_passwords.read_text())
        assert any("api_reader_test" in x and "SCRAM-SHA-256$" in x for x in flagged)
        assert any("md5_user_test" in x and "PASSWORD 'md5" in x for x in flagged)
        text = without.read_text()
        assert "its password is kept in Vault" in text
        assert dumps.password_lines(text) == []

        result = _materialize(backup_resources, dg.AssetSelection.assets(keys.ROLES_DUMP))
        assert set(_checks(result).values()) == {True}
        assert "api_reader_test" in s3_store.latest(keys.DUMP_FOLDERS[keys.ROLES_DUMP]).manifest[
            "roles"
        ]
    finally:
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute("DROP ROLE IF EXISTS api_reader_test")
            conn.execute("DROP ROLE IF EXISTS md5_user_test")


def test_a_second_staging_build_waits_for_the_one_under_way(
    backup_resources, staging_server, dagster_instance
):
    """Run A is building atlas_staging__building, holding the staging lock; run B, started by
    hand meanwhile, waits for the lock (past its lock timeout Dagster retries the step)
    instead of dropping A's build WITH (FORCE), then builds once A is done."""
    assert _materialize(backup_resources, run_config=SAMPLE_ONLY, instance=dagster_instance).success
    building = "atlas_staging__building"
    create_database(staging_server, building, "atlas staging database, run A")
    a_build = database_url(staging_server, building)
    with psycopg.connect(a_build, autocommit=True) as conn:
        conn.execute("CREATE TABLE run_a_was_here ()")
    lock = LOCK_NAMESPACE + f"{keys.ATLAS_STAGING.to_user_string()}/atlas_staging"
    a_intact_while_b_waited: list = []
    b_done = threading.Event()

    def run_a(holder: psycopg.Connection) -> None:
        # A finishes (its build dropped here, as its swap would rename it away) once B has
        # been seen waiting for the lock, having checked that its build is still whole
        while not b_done.is_set():
            if holder.execute(WAITING_FOR_ADVISORY_LOCK).fetchone()[0]:
                a_intact_while_b_waited.append(
                    rows(a_build, "SELECT to_regclass('run_a_was_here') IS NOT NULL")
                )
                drop_database(staging_server, building)
                break
            time.sleep(0.05)
        holder.execute("SELECT pg_advisory_unlock_all()")

    patient = PostgresResource(url=staging_server.url, lock_timeout_s=1.0)
    with psycopg.connect(staging_server.url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [lock])
        a = threading.Thread(target=run_a, args=(holder,))
        a.start()
        try:
            b = _materialize(
                {**backup_resources, "atlas_staging_server": patient},
                dg.AssetSelection.assets(keys.ATLAS_STAGING),
                {"ops": {STAGING_OP: SAMPLE_CONFIG["ops"][STAGING_OP]}},
                raise_on_error=False,
                instance=dagster_instance,
            )
        finally:
            b_done.set()
            a.join()
    assert a_intact_while_b_waited == [[(True,)]], "run B did not wait for run A's build"
    assert b.success, _failure(b)  # then built, from the dumps it recorded
    staging = database_url(staging_server, "atlas_staging")
    assert rows(staging, "SELECT count(*) FROM public.observations") == [(SAMPLE_ROWS,)]


WAITING_FOR_ADVISORY_LOCK = """
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


@contextmanager
def _database(cluster, name: str, marker: str | None = None) -> Iterator[str]:
    """A database created outside maint_assets (``marker``: the comment it carries), with a
    table of 1 000 rows; dropped afterwards."""
    with cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if marker:
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(marker)
                )
            )
    url = cluster.url(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE precious AS SELECT generate_series(1, 1000) AS id")
    try:
        yield url
    finally:
        with cluster.connect(autocommit=True) as conn:
            for db in (name, f"{name}__previous", f"{name}__building"):
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db))
                )


def test_staging_replaces_only_a_database_it_created(
    backup_resources, pg_cluster, atlas_url, dagster_instance
):
    confirmed = {"database": "precious", "confirm_database": "precious"}
    staging = {"ops": {STAGING_OP: {"config": confirmed}}}
    with _database(pg_cluster, "precious") as precious:
        result = _materialize(
            backup_resources,
            run_config={"ops": {**SAMPLE_CONFIG["ops"], **staging["ops"]}},
            raise_on_error=False,
            instance=dagster_instance,
        )
        assert set(_checks(result).values()) == {True}  # the dumps were fine
        assert "refusing to drop or replace the database 'precious'" in _failure(result)
        assert "not created by maint_assets" in _failure(result)
        assert rows(precious, "SELECT count(*) FROM precious") == [(1000,)]

    # production, named through another host name than atlas_db's URL (same server)
    production = psycopg.conninfo.conninfo_to_dict(atlas_url)["dbname"]
    password = pg_cluster.passfile.read_text().strip().rsplit(":", 1)[1]  # for host localhost
    elsewhere = PostgresResource(
        url=psycopg.conninfo.make_conninfo(
            backup_resources["atlas_staging_server"].url, host="localhost", password=password
        )
    )
    refused = _materialize(
        {**backup_resources, "atlas_staging_server": elsewhere},
        dg.AssetSelection.assets(keys.ATLAS_STAGING),
        _confirmed(production),
        raise_on_error=False,
        instance=dagster_instance,
    )
    assert f"refusing to rebuild {production!r}: it is the production database" in _failure(
        refused
    )
    assert rows(atlas_url, "SELECT count(*) > 1000 FROM observations") == [(True,)]


def test_a_staging_name_too_long_is_refused_before_any_dump(backup_resources, s3_store):
    name = "s" * 54  # its '__building' copy would be 64 bytes
    result = _materialize(
        backup_resources,
        run_config={
            "ops": {
                **SAMPLE_CONFIG["ops"],
                "atlas__database__atlas_staging": {"config": {"database": name}},
            }
        },
        raise_on_error=False,
    )
    assert "invalid config for atlas__database__atlas_staging" in _failure(result)
    assert f"staging database {name!r} is 54 bytes: it must be 1 to 53 bytes" in _failure(result)
    assert result.get_asset_materialization_events() == []
    assert s3_store.list(keys.DUMP_FOLDERS[keys.SCHEMA_DUMP]) == []


def test_the_swap_renames_in_one_transaction(pg_cluster, staging_server):
    """The replacement cannot take the name (a session is still on it): the database keeps
    its name and its content; it is never missing."""
    with (
        _database(pg_cluster, "swap_test", "maint_assets: test") as current,
        _database(pg_cluster, "swap_test__building", "maint_assets: test") as building,
        psycopg.connect(building) as session_on_the_replacement,
    ):
        with pytest.raises(psycopg.errors.ObjectInUse):
            swap_in(staging_server, "swap_test__building", "swap_test")
        session_on_the_replacement.close()
        assert rows(current, "SELECT count(*) FROM precious") == [(1000,)]


def test_the_schema_dumps_restore_check_compares_its_tables(
    backup_resources, atlas_url, monkeypatch
):
    schema_only = dg.AssetSelection.assets(keys.SCHEMA_DUMP)
    (check,) = _materialize(backup_resources, schema_only).get_asset_check_evaluations()
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
    (check,) = _materialize(
        backup_resources, schema_only, raise_on_error=False
    ).get_asset_check_evaluations()
    assert not check.passed
    assert "compare nothing" in check.metadata["error"].value


def test_client_tool_errors_name_the_constraint_not_the_row(pg_cluster, tmp_path):
    """What pg_restore and psql print when a load fails goes into check metadata and alert
    mails: the constraint, not the row's values."""
    with (
        _database(pg_cluster, "redact_source") as source,
        _database(pg_cluster, "redact_target") as target,
    ):
        for url in (source, target):
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("CREATE TABLE person (email text PRIMARY KEY, note text)")
                conn.execute("INSERT INTO person VALUES ('ann@secret.example', 'secret note')")
        dump = tmp_path / "person.dump"
        pg_tools.run_tool(
            "pg_dump", 15, ["--data-only", "--format=custom", "--table=person", "-f", str(dump)],
            source, "person",
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
        "".join(f"DO $$ BEGIN RAISE NOTICE 'table t{i} does not exist, skipping'; END $$;\n"
                for i in range(10))
        + "SELECT 1/0;\n"
    )
    with _database(pg_cluster, "notices_target") as target, pytest.raises(
        pg_tools.PgToolError
    ) as failed:
        pg_tools.run_tool("psql", 15, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(script)],
                          target, "the target")
    message = str(failed.value)
    assert message.splitlines()[0].endswith("ERROR:  division by zero"), message


def test_materialize_all_on_a_fresh_store_succeeds_and_leaves_staging_alone(
    backup_resources, staging_server
):
    """"Materialize all" on a fresh demo: every restore check runs after the dumps it loads,
    and the staging rebuild, not confirmed, rebuilds nothing and the run still succeeds."""
    check = dg.AssetCheckKey(keys.OBSERVATIONS_SAMPLE_DUMP, "restores")
    reads = defs_graph().get(check).parent_entity_keys
    assert {keys.SCHEMA_DUMP, keys.REFERENCE_DATA_DUMP, keys.REGIONS_DUMP} <= reads
    before = _database_oid(staging_server, "atlas_staging")
    with dg.instance_for_test() as instance:
        result = _materialize(backup_resources, run_config=SAMPLE_ONLY, instance=instance)
        assert result.success
        assert set(_checks(result).values()) == {True}, _checks(result)
        recorded = {e.asset_key for e in result.get_asset_materialization_events()}
        assert keys.ATLAS_STAGING not in recorded and keys.OBSERVATIONS_SAMPLE_DUMP in recorded
        logs = [e.user_message for e in instance.all_logs(result.run_id)]
    assert any("set confirm_database to 'atlas_staging'" in m for m in logs)
    assert _database_oid(staging_server, "atlas_staging") == before  # not replaced


def _confirmed(database: str) -> dict:
    """The staging rebuild of ``database``, confirmed."""
    return {"ops": {STAGING_OP: {"config": {"database": database, "confirm_database": database}}}}


def _database_oid(server: PostgresResource, name: str) -> int | None:
    with server.connect() as conn:
        found = conn.execute("SELECT oid FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found and found[0]


def defs_graph():
    from maint_assets.definitions import defs

    return defs.resolve_asset_graph()
