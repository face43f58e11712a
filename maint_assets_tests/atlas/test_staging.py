"""The staging database keeps production's owners and privileges, one build at a time, and
replaces only a database maint_assets created, by two renames in one transaction."""

import secrets
import threading
import time

import dagster as dg
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from maint_assets.atlas import keys
from maint_assets.atlas.backups import dumps
from maint_assets.core.databases import (
    DatabaseInUse,
    create_database,
    database_url,
    drop_database,
    swap_in,
)
from maint_assets.core.postgres import LOCK_NAMESPACE, PostgresResource
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
from maint_assets_tests.atlas.helpers import rows
from maint_assets_tests.login_roles import create_login_role

READER, GONE = "atlas_api_reader_test", "atlas_gone_test"


@pytest.fixture
def atlas_url(small_atlas_url: str) -> str:
    """Dumps, restores and staging builds do not depend on the province's size; a staging
    build of the full-size one spends most of its time cutting regions into cells."""
    return small_atlas_url


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
    f"GRANT SELECT ON api.taxa_ref_sources TO {READER}",
    # production revoked what PostgreSQL 15 gives PUBLIC on schema public
    "REVOKE ALL ON SCHEMA public FROM PUBLIC",
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


def test_staging_keeps_productions_privileges_and_names_the_roles_it_lacks(
    backup_resources, staging_server, atlas_url, monkeypatch
):
    """Staging had no grant at all (PostgREST's read-only role got "permission denied for
    schema api"), then production's grants on schemas and relations only: EXECUTE on
    functions and their owners, grants on columns and ALTER DEFAULT PRIVILEGES were lost (and
    PUBLIC could execute what production had revoked from it). One role is dropped from the
    cluster (the staging server) once the schema is dumped: missing where staging is built."""
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
        result = materialize_backups(backup_resources)
        assert set(check_results(result).values()) == {True}, check_results(result)
        with psycopg.connect(staging) as conn:
            conn.execute(f"SET ROLE {READER}")
            n = conn.execute("SELECT count(*) FROM api.taxa_ref_sources").fetchone()[0]
            assert n == rows(atlas_url, "SELECT count(*) FROM api.taxa_ref_sources")[0][0]
            conn.rollback()
        assert rows(
            staging,
            "SELECT has_schema_privilege(%s, 'api', 'USAGE'), "
            "has_schema_privilege('public', 'public', 'USAGE'), "
            "has_schema_privilege(%s, 'public', 'USAGE')",
            [READER, READER],
        ) == [(True, False, True)]
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
            assert conn.execute("SELECT public.format_dwc_datetime(2024, 5, 1)").fetchone() == (
                "2024-05-01",
            )
            conn.rollback()
        built = result.asset_materializations_for_node(STAGING_OP)[0].metadata
        assert built["missing_roles"].value == [GONE]  # its only grant was on a function
        assert built["column_grants"].value == 2
        assert built["grants"].value > 0
    finally:
        _drop_roles([atlas_url, staging], READER, GONE, ROUTINE_OWNER)


def test_a_staging_build_that_lost_productions_privileges_fails_naming_them(
    backup_resources, staging_server, atlas_url, monkeypatch, dagster_instance
):
    """The comparison after the grants: a build that lost some (a regression of grants.py:
    here those on schema api, on routines, on columns and the default privileges) fails
    naming the object and the grant, and the previous staging database stays."""
    from maint_assets.atlas.backups import grants

    staging = database_url(staging_server, "atlas_staging")
    _grant_as_production(atlas_url)
    try:
        assert materialize_backups(backup_resources, instance=dagster_instance).success
        with psycopg.connect(staging, autocommit=True) as conn:
            conn.execute("CREATE TABLE staging_marker (built_by text)")
        real_apply = grants.apply

        def relations_only(conn, record):
            kept = [o for o in record.objects if o[0] != "ROUTINE" and o[:2] != ["SCHEMA", "api"]]
            return real_apply(conn, grants.Record(kept))

        monkeypatch.setattr(grants, "apply", relations_only)
        # the staging build alone, from the dumps the first run recorded
        result = materialize_backups(
            backup_resources,
            dg.AssetSelection.assets(keys.ATLAS_STAGING),
            {"ops": {STAGING_OP: SAMPLE_CONFIG["ops"][STAGING_OP]}},
            raise_on_error=False,
            instance=dagster_instance,
        )
        assert not result.success
        failure = failure_text(result)
        assert "differ from production's" in failure
        assert f"SCHEMA api: lacks [('{READER}', 'USAGE', False)]" in failure
        assert "ROUTINE public.format_dwc_datetime(year integer, month integer" in failure
        assert "COLUMN public.datasets.title: lacks" in failure
        assert f"DEFAULT PRIVILEGES FOR ROLE {ROUTINE_OWNER} IN every schema ON FUNCTIONS" in (
            failure
        )
        assert rows(staging, "SELECT to_regclass('staging_marker') IS NOT NULL") == [(True,)]
    finally:
        _drop_roles([atlas_url, staging], READER, GONE, ROUTINE_OWNER)


def test_a_second_staging_build_waits_for_the_one_under_way(
    backup_resources, staging_server, dagster_instance
):
    """Run A is building atlas_staging__building, holding the staging lock; run B, started by
    hand meanwhile, waits for the lock (past its lock timeout Dagster retries the step)
    instead of dropping A's build WITH (FORCE), then builds once A is done."""
    assert materialize_backups(
        backup_resources, run_config=SAMPLE_ONLY, instance=dagster_instance
    ).success
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
            b = materialize_backups(
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
    assert b.success, failure_text(b)  # then built, from the dumps it recorded
    staging = database_url(staging_server, "atlas_staging")
    assert rows(staging, "SELECT count(*) FROM public.observations") == [(SAMPLE_ROWS,)]



def test_staging_builds_from_observations_that_name_legacy_taxa(
    backup_resources, atlas_url, staging_server, dagster_instance
):
    """Production's observations made before taxa_obs (2021) hold id_taxa, a foreign key to
    the legacy public.taxa (observations_id_taxa_fkey; atlas-db's scripts/MIGRATE_taxa.sql
    mapped taxa to taxa_obs through it), which no reference table lists. The runbook loaded its
    dumps with session_replication_role=replica, no key checked; the project's restores
    enforce the keys, and the sample's rows naming a legacy taxon were refused: staging was
    never built. The table a dumped table's key references comes with the reference dump."""
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO public.taxa (id, scientific_name, rank, valid, authorship, updated_at)"
            " VALUES (1, 'Passer domesticus', 'species', true, '(Linnaeus, 1758)', '2021-06-01')"
        )
        conn.execute("UPDATE public.observations SET id_taxa = 1")
    result = materialize_backups(backup_resources, raise_on_error=False, instance=dagster_instance)
    assert result.success, failure_text(result)
    assert all(check_results(result).values()), check_results(result)
    staging = database_url(staging_server, "atlas_staging")
    assert rows(staging, "SELECT count(*), count(id_taxa) FROM public.observations") == [
        (SAMPLE_ROWS, SAMPLE_ROWS)
    ]
    assert rows(staging, "SELECT scientific_name FROM public.taxa") == [("Passer domesticus",)]

WAITING_FOR_ADVISORY_LOCK = """
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


def test_staging_replaces_only_a_database_it_created(
    backup_resources, pg_cluster, atlas_url, dagster_instance
):
    confirmed = {"database": "precious", "confirm_database": "precious"}
    staging = {"ops": {STAGING_OP: {"config": confirmed}}}
    with scratch_database(pg_cluster, "precious") as precious:
        result = materialize_backups(
            backup_resources,
            run_config={"ops": {**SAMPLE_CONFIG["ops"], **staging["ops"]}},
            raise_on_error=False,
            instance=dagster_instance,
        )
        assert set(check_results(result).values()) == {True}  # the dumps were fine
        assert "refusing to drop or replace the database 'precious'" in failure_text(result)
        assert "not created by maint_assets" in failure_text(result)
        assert rows(precious, "SELECT count(*) FROM precious") == [(1000,)]

    # production, named through another host name than atlas_db's URL (same server)
    production = psycopg.conninfo.conninfo_to_dict(atlas_url)["dbname"]
    password = pg_cluster.passfile.read_text().strip().rsplit(":", 1)[1]  # for host localhost
    elsewhere = PostgresResource(
        url=psycopg.conninfo.make_conninfo(
            backup_resources["atlas_staging_server"].url, host="localhost", password=password
        )
    )
    refused = materialize_backups(
        {**backup_resources, "atlas_staging_server": elsewhere},
        dg.AssetSelection.assets(keys.ATLAS_STAGING),
        confirmed_staging(production),
        raise_on_error=False,
        instance=dagster_instance,
    )
    assert f"refusing to rebuild {production!r}: it is the production database" in failure_text(
        refused
    )
    assert rows(atlas_url, "SELECT count(*) > 1000 FROM observations") == [(True,)]


def test_a_staging_name_too_long_is_refused_before_any_dump(backup_resources, s3_store):
    name = "s" * 54  # its '__building' copy would be 64 bytes
    result = materialize_backups(
        backup_resources,
        run_config={
            "ops": {
                **SAMPLE_CONFIG["ops"],
                "atlas__database__atlas_staging": {"config": {"database": name}},
            }
        },
        raise_on_error=False,
    )
    assert "invalid config for atlas__database__atlas_staging" in failure_text(result)
    assert f"staging database {name!r} is 54 bytes: it must be 1 to 53 bytes" in failure_text(
        result
    )
    assert result.get_asset_materialization_events() == []
    assert s3_store.list(keys.DUMP_FOLDERS[keys.SCHEMA_DUMP]) == []


def test_the_swap_renames_in_one_transaction(pg_cluster, staging_server):
    """The replacement cannot take the name (a session is still on it): the database keeps
    its name and its content; it is never missing."""
    with (
        scratch_database(pg_cluster, "swap_test", "maint_assets: test") as current,
        scratch_database(pg_cluster, "swap_test__building", "maint_assets: test") as building,
        psycopg.connect(building) as session_on_the_replacement,
    ):
        with pytest.raises(DatabaseInUse, match=r"swap_test__building: pid \d+ \(user postgres"):
            swap_in(staging_server, "swap_test__building", "swap_test")
        session_on_the_replacement.close()
        assert rows(current, "SELECT count(*) FROM precious") == [(1000,)]


def test_a_swap_names_the_sessions_it_ends(pg_cluster, staging_server):
    """A person's open session on the database being replaced is ended (the loading role may
    end it here: the server's superuser) and the swap says whose it was."""
    with (
        scratch_database(pg_cluster, "ended_test", "maint_assets: test") as current,
        scratch_database(pg_cluster, "ended_test__building", "maint_assets: test"),
    ):
        analyst = psycopg.connect(make_conninfo(current, application_name="analyst_psql"))
        analyst.execute("SELECT 1")  # idle in transaction
        pid = analyst.info.backend_pid
        try:
            ended = swap_in(staging_server, "ended_test__building", "ended_test")
        finally:
            analyst.close()
        assert ended == [f"pid {pid} (user postgres, application analyst_psql)"]


def test_a_session_the_role_may_not_end_is_named_and_nothing_is_replaced(pg_cluster):
    """The loading role of the least-privilege set-up (CREATEDB, no superuser) may not end a
    superuser's session (a DBA's psql left open): the swap fails naming it, not with the bare
    ObjectInUse of the rename, and the database keeps its name and content."""
    role, password = "staging_builder_test", secrets.token_urlsafe(16)
    with pg_cluster.connect(autocommit=True) as conn:
        create_login_role(conn, role, password, "CREATEDB")
    server = PostgresResource(url=make_conninfo(pg_cluster.url("postgres"), user=role,
                                                password=password))
    try:
        current = create_database(server, "in_use_test", "maint_assets: test")
        create_database(server, "in_use_test__building", "maint_assets: test")
        with psycopg.connect(make_conninfo(current, user=role, password=password),
                             autocommit=True) as conn:
            conn.execute("CREATE TABLE precious AS SELECT generate_series(1, 10) AS id")
        dba = psycopg.connect(pg_cluster.url("in_use_test"))
        dba.execute("SELECT 1")  # idle in transaction, as the server's superuser
        dba_pid = dba.info.backend_pid
        try:
            with pytest.raises(DatabaseInUse) as refused:
                swap_in(server, "in_use_test__building", "in_use_test")
        finally:
            dba.close()
        assert f"in_use_test: pid {dba_pid} (user postgres" in str(refused.value)
        assert rows(pg_cluster.url("in_use_test"), "SELECT count(*) FROM precious") == [(10,)]
    finally:
        for name in ("in_use_test", "in_use_test__building", "in_use_test__previous"):
            drop_database(server, name)
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
