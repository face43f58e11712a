"""The maintenance role of sql/core/roles.sql: the atlas refresh and dumps, the catalogue load,
the ingest switch, TrackDB and the CDX index run as it, other roles keep their access, and it
can do nothing else (no writes to sources, no DDL on them, no new databases or roles, no
superuser)."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from maint_assets import cli
from maint_assets.atlas import checks, keys
from maint_assets.atlas.assets import dumps as dump_assets
from maint_assets.atlas.assets import staging
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.cli.roles import ROLE_TARGETS
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.roles import apply, maintained_relations
from maint_assets.core.stores import FileStore
from maint_assets.definitions import defs
from maint_assets.demo.catalog_data import write_pages
from maint_assets.demo.ingest_data import write_source
from maint_assets.demo.local_cluster import LocalCluster
from maint_assets.demo.webarchive_data import write_store
from maint_assets.webarchive.assets import cdx_index, trackdb
from maint_assets_tests.atlas.helpers import ALL_ASSETS, materialize
from maint_assets_tests.catalog.test_catalog import _run as load_catalog
from maint_assets_tests.ingest.test_ingest import _ingest as ingest
from maint_assets_tests.vn_sync.helpers import VnWorld, days_ago, failure_text, track_writes, weekly
from maint_assets_tests.webarchive.test_webarchive import _resources as webarchive_resources

HOSTILE_ROLE = 'maint"; DROP ROLE postgres; --'


@contextmanager
def maintenance_role(
    cluster: LocalCluster, admin_url: str, role: str, domain: str, **settings: str
) -> Iterator[tuple[str, list[str]]]:
    """``role`` applied to the database of ``admin_url`` for ``domain``: its URL, what was done.
    Dropped afterwards, with everything it owns."""
    password = secrets.token_urlsafe(16)
    needs = ROLE_TARGETS[domain].resolve(**settings)
    with psycopg.connect(admin_url) as conn:
        done = apply(conn, role, needs, maintained_relations(defs, needs.key_prefix))
        # test-only: a real deployment sets it with psql's \password
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
        )
    try:
        yield make_conninfo(admin_url, user=role, password=password), done
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            admin = conn.execute("SELECT current_user").fetchone()[0]
            ids = sql.Identifier(role), sql.Identifier(admin)
            conn.execute(sql.SQL("REASSIGN OWNED BY {} TO {}").format(*ids))
            conn.execute(sql.SQL("DROP OWNED BY {}").format(ids[0]))
        with cluster.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(ids[0]))


@contextmanager
def application_role(url: str, prefix: str) -> Iterator[str]:
    """Another login role of the database (an application, a dashboard), dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(3)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


@pytest.fixture
def atlas_url(small_atlas_url: str) -> str:
    """What a role may do does not depend on the province's size; the dumps' staging build
    of the full-size one spends most of its time cutting regions into cells."""
    return small_atlas_url


@pytest.fixture
def role_url(pg_cluster: LocalCluster, atlas_url: str) -> Iterator[tuple[str, list[str]]]:
    """The atlas clone's URL for the maintenance role, whose name is hostile."""
    with maintenance_role(pg_cluster, atlas_url, HOSTILE_ROLE, "atlas") as applied:
        yield applied


def test_the_atlas_refresh_runs_as_the_maintenance_role(role_url) -> None:
    url, done = role_url
    assert "owns atlas_api.web_regions" in done and "pg_read_all_data" in done
    resources = {
        "atlas_db": PostgresResource(url=url),
        "taxonomy": ChecklistResolver(accept_unresolved=True),
    }
    result = materialize(resources, raise_on_error=False)
    assert result.success, [e.message for e in result.get_step_failure_events()]
    assert all(e.passed for e in result.get_asset_check_evaluations())
    with psycopg.connect(url) as conn:
        who = conn.execute("SELECT current_user, rolsuper, rolcreatedb, rolcreaterole "
                           "FROM pg_roles WHERE rolname = current_user").fetchone()
        owner = conn.execute("SELECT relowner::regrole::text FROM pg_class "
                             "WHERE oid = 'public.taxa_ref'::regclass").fetchone()[0]
    assert who == (HOSTILE_ROLE, False, False, False)
    assert owner == sql.Identifier(HOSTILE_ROLE).as_string(None)


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM public.observations",
        "UPDATE public.regions SET name = 'x'",
        "DROP TABLE public.observations",
        "ALTER TABLE public.datasets ADD COLUMN x int",
        "CREATE SCHEMA intruder",
        "CREATE DATABASE intruder",
        "CREATE ROLE intruder",
        "SET session_replication_role = replica",
    ],
)
def test_the_maintenance_role_can_do_nothing_else(role_url, statement: str) -> None:
    url, _ = role_url
    with (
        psycopg.connect(url, autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement)


def test_the_atlas_dumps_run_as_the_maintenance_role(role_url, s3_store, staging_server) -> None:
    """pg_read_all_data is enough for every dump; restoring them (the checks, the staging
    database) happens on the staging server, under its own role."""
    url, _ = role_url
    resources = {
        "atlas_db": PostgresResource(url=url),
        "taxonomy": ChecklistResolver(),
        "artifacts": s3_store,
        "atlas_staging_server": staging_server,
    }
    result = dg.materialize(
        [*ALL_ASSETS, *dump_assets.ASSETS, *staging.ASSETS, *checks.DUMP_CHECKS],
        resources=resources,
        selection=dg.AssetSelection.groups(keys.GROUP_BACKUPS),
        run_config={
            "ops": {"atlas_snapshot_dumps": {"config": {"rows": 100}}}
        },
        raise_on_error=False,
    )
    assert result.success, [e.message for e in result.get_step_failure_events()]
    assert all(e.passed for e in result.get_asset_check_evaluations())


def test_the_production_switch_runs_as_the_maintenance_role(
    pg_cluster: LocalCluster, empty_db: str, tmp_path: Path
) -> None:
    """The switch must own the production schema's tables, the users' own table included; the
    application role that owned that table keeps writing to it, and reading the loaded tables
    it was granted, after a switch."""
    source = tmp_path / "source"
    write_source(source, version=1)
    assert ingest(empty_db, source).success
    with (
        application_role(empty_db, "portal_app") as app,
        psycopg.connect(empty_db, autocommit=True) as conn,
    ):
        conn.execute("CREATE TABLE portal.submissions (id serial PRIMARY KEY, body text)")
        for grant in (
            "GRANT USAGE ON SCHEMA portal TO {}",
            "GRANT SELECT ON portal.study TO {}",
            "ALTER TABLE portal.submissions OWNER TO {}",
        ):
            conn.execute(sql.SQL(grant).format(sql.Identifier(app)))
        with maintenance_role(
            pg_cluster, empty_db, "maint_ingest", "ingest", production_schema="portal"
        ) as (url, _):
            write_source(source, version=2)
            result = ingest(url, source)
            assert result.success, [e.message for e in result.get_step_failure_events()]
            conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(app)))
            conn.execute("INSERT INTO portal.submissions (body) VALUES ('after the switch')")
            carried = conn.execute("SELECT count(*) FROM portal.submissions").fetchone()[0]
            studies = conn.execute("SELECT count(*) FROM portal.study").fetchone()[0]
            conn.execute("RESET ROLE")
        assert carried == 1 and studies > 0


def test_a_view_another_role_made_in_production_refuses_the_switch_until_applied_again(
    pg_cluster: LocalCluster, empty_db: str, tmp_path: Path
) -> None:
    """The switch re-creates production's views with their owner, which needs membership of
    it: a reporting role's view made after `roles apply ingest` refuses the switch, naming the
    view and the remedy; applied again, the role owns the view and the switch carries it, the
    reporting role still reading it."""
    source = tmp_path / "source"
    write_source(source, version=1)
    assert ingest(empty_db, source).success
    with (
        application_role(empty_db, "reporting") as reporter,
        psycopg.connect(empty_db, autocommit=True) as conn,
        maintenance_role(
            pg_cluster, empty_db, "maint_ingest", "ingest", production_schema="portal"
        ) as (url, _),
    ):
        role = sql.Identifier(reporter)
        conn.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA portal TO {}").format(role))
        conn.execute(sql.SQL("GRANT SELECT ON portal.study TO {}").format(role))
        conn.execute(sql.SQL("SET ROLE {}").format(role))
        conn.execute("CREATE VIEW portal.study_names AS SELECT id, name FROM portal.study")
        conn.execute("RESET ROLE")
        write_source(source, version=2)
        refused = ingest(url, source)
        assert not refused.success
        error = refused.get_step_failure_events()[0].event_specific_data.error.message
        assert f"the view portal.study_names cannot be given back to its owner {reporter}" in error
        assert "roles apply ingest" in error and "production is untouched" in error
        query = "SELECT name FROM portal.study_names WHERE id = 'st-0'"
        assert conn.execute(query).fetchone() == ("Study 0 v1",)

        needs = ROLE_TARGETS["ingest"].resolve(production_schema="portal")
        apply(conn, "maint_ingest", needs, maintained_relations(defs, needs.key_prefix))
        result = ingest(url, source)
        assert result.success, [e.message for e in result.get_step_failure_events()]
        conn.execute(sql.SQL("SET ROLE {}").format(role))
        assert conn.execute(query).fetchone() == ("Study 0 v2",)
        conn.execute("RESET ROLE")


def test_the_catalogue_load_runs_as_the_maintenance_role(
    pg_cluster: LocalCluster, empty_db: str, tmp_path: Path
) -> None:
    """Replacing public.datasets needs its ownership and CREATE on public, nothing more; the
    dashboards' role keeps reading the new table."""
    pages, artifacts = tmp_path / "pages", ArtifactStore(directory=str(tmp_path / "artifacts"))
    write_pages(pages, datasets=300, per_page=100)
    assert load_catalog(empty_db, FileStore(url=str(pages)), artifacts).success
    with (
        application_role(empty_db, "dashboards") as reader,
        psycopg.connect(empty_db, autocommit=True) as conn,
    ):
        grant = sql.SQL("GRANT SELECT ON public.datasets TO {}")
        conn.execute(grant.format(sql.Identifier(reader)))
        with maintenance_role(pg_cluster, empty_db, "maint_catalog", "catalog") as (url, done):
            assert "owns public.datasets" in done
            write_pages(pages, datasets=250, per_page=100)
            result = load_catalog(url, FileStore(url=str(pages)), artifacts)
            assert result.success, [e.message for e in result.get_step_failure_events()]
            conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(reader)))
            assert conn.execute("SELECT count(*) FROM public.datasets").fetchone()[0] == 250
            conn.execute("RESET ROLE")


def test_trackdb_and_the_index_run_as_the_maintenance_role(
    pg_cluster: LocalCluster, empty_db: str, tmp_path: Path
) -> None:
    root = tmp_path / "store"
    write_store(root, warcs=2, records=5)
    with maintenance_role(pg_cluster, empty_db, "maint_webarchive", "webarchive") as (url, done):
        assert "owns schema webarchive (0 relations)" in done
        result = dg.materialize(
            [trackdb.trackdb_files, cdx_index.cdx_index],
            resources=webarchive_resources(url, root, tmp_path),
            raise_on_error=False,
        )
        assert result.success, [e.message for e in result.get_step_failure_events()]


def test_the_command_offers_every_role_target_by_name(capsys) -> None:
    """The parser lists the domains without loading the registry (it loads Dagster)."""
    assert tuple(sorted(ROLE_TARGETS)) == cli.ROLE_DOMAINS
    with pytest.raises(SystemExit):
        cli.main(["roles", "apply", "nosuch"])
    assert "invalid choice: 'nosuch' (choose from 'atlas', 'atlas-staging'," in (
        capsys.readouterr().err
    )


def test_the_command_applies_a_domain_to_its_database(
    pg_cluster: LocalCluster, empty_db: str, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("W3ACT_DATABASE_URL", empty_db)
    assert cli.main(["roles", "apply", "w3act", "--role", "maint_cli"]) == 0
    assert cli.main(["roles", "apply", "w3act", "--role", "maint_cli"]) == 0  # idempotent
    out = capsys.readouterr().out
    try:
        with psycopg.connect(empty_db) as conn:
            member = conn.execute(
                "SELECT pg_has_role('maint_cli', 'pg_read_all_data', 'MEMBER'), "
                "has_database_privilege('maint_cli', current_database(), 'CREATE')"
            ).fetchone()
        assert out.count("created role maint_cli") == 1 and "pg_read_all_data" in out
        assert member == (True, False)
        monkeypatch.delenv("INGEST_TABLES_FILE", raising=False)
        assert cli.main(["roles", "apply", "ingest", "--url", empty_db]) == 2  # no schema named
        # a password on the command line is refused, naming where it belongs
        with_password = empty_db.replace("://postgres@", "://postgres:s3cret@", 1)
        assert with_password != empty_db
        assert cli.main(["roles", "apply", "w3act", "--url", with_password]) == 2
        assert "PGPASSWORD" in capsys.readouterr().err
    finally:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute("DROP OWNED BY maint_cli")
            conn.execute("DROP ROLE maint_cli")


def test_the_vn_download_and_repair_run_as_the_maintenance_role(
    pg_cluster: LocalCluster, vn_url: str, tmp_path: Path
) -> None:
    """transfer_vn's window download and diff poll, then the repair, as the role (the fake
    VisioNature site's own server reads the site's data). The GeoNature-like trigger writes
    a table the sync's role must be able to write in any case: granted here, as the test's
    own setup."""
    world = VnWorld(vn_url, tmp_path)
    try:
        site = world.sites["tst1"]
        site.add_sightings([1, 2, 3], days_ago(3))
        world.copy()
        site.add_sightings([4], days_ago(2))
        track_writes(world.conn)
        with maintenance_role(pg_cluster, vn_url, "maint_vn", "vn", vn_group="vn_group") as (
            url, done
        ):
            assert "member of vn_group" in done
            world.conn.execute("GRANT INSERT ON public.fired TO maint_vn")
            result = weekly(world.resources(url=url))
            assert result.success, failure_text(result)
            inserted = world.conn.execute(
                "SELECT count(*) FROM public.fired WHERE op = 'INSERT'"
            ).fetchone()[0]
            assert inserted == 1
    finally:
        world.close()


def test_the_weekly_backups_job_runs_as_the_documented_roles(
    pg_cluster: LocalCluster, atlas_url: str, s3_store: ArtifactStore, capsys
) -> None:
    """`maint-assets roles apply atlas` on the atlas database and `roles apply atlas-staging`
    on the staging server, one role (docs/operations.md: least privilege): every dump, every restore
    check and the staging build of `atlas_weekly_backups` pass as it. Before, the roles check
    replayed the roles dump (CREATE ROLE: CREATEROLE, a superuser's attributes: superuser)
    and the schema dump's check ran its CREATE EXTENSION postgis (not trusted: superuser)."""
    role, server = "maint_weekly", pg_cluster.url("postgres")
    password = secrets.token_urlsafe(16)
    assert cli.main(["roles", "apply", "atlas", "--role", role, "--url", atlas_url]) == 0
    for _ in range(2):  # idempotent: the template is kept
        assert cli.main(["roles", "apply", "atlas-staging", "--role", role, "--url", server]) == 0
    out = capsys.readouterr().out
    assert f"extension postgis in {keys.STAGING_TEMPLATE}" in out
    assert f"template database {keys.STAGING_TEMPLATE} kept" in out
    with pg_cluster.connect(autocommit=True) as conn:
        # test-only: a real deployment sets it with psql's \password
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)))
    resources = {
        "atlas_db": PostgresResource(url=make_conninfo(atlas_url, user=role, password=password)),
        "taxonomy": ChecklistResolver(),
        "artifacts": s3_store,
        "atlas_staging_server": PostgresResource(
            url=make_conninfo(server, user=role, password=password)
        ),
    }
    staging_db = "atlas_staging_weekly"
    try:
        result = dg.materialize(
            [*ALL_ASSETS, *dump_assets.ASSETS, *staging.ASSETS, *checks.DUMP_CHECKS],
            resources=resources,
            selection=dg.AssetSelection.groups(keys.GROUP_BACKUPS),
            run_config={
                "ops": {
                    "atlas_snapshot_dumps": {"config": {"rows": 100}},
                    "atlas__database__atlas_staging": {
                        "config": {"database": staging_db, "confirm_database": staging_db}
                    },
                }
            },
            raise_on_error=False,
        )
        failed = {
            f"{e.asset_key.path[-1]}:{e.check_name}": e.metadata
            for e in result.get_asset_check_evaluations()
            if not e.passed
        }
        errors = [e.event_specific_data.error for e in result.get_step_failure_events()]
        assert result.success, ([(e.cause or e).message for e in errors], failed)
        assert len(result.get_asset_check_evaluations()) == 5 and not failed
        with psycopg.connect(pg_cluster.url(staging_db)) as conn:
            assert conn.execute(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
                [staging_db],
            ).fetchone() == (role,)
    finally:
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(staging_db)))
            template = sql.Identifier(keys.STAGING_TEMPLATE)
            conn.execute(sql.SQL("ALTER DATABASE {} IS_TEMPLATE false").format(template))
            conn.execute(sql.SQL("DROP DATABASE {}").format(template))
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute(sql.SQL("REASSIGN OWNED BY {} TO postgres").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
