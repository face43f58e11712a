"""Dropping and replacing a database maint_assets created, as a role that is no superuser (the
documented staging role: CREATEDB only), while autovacuum or another session is in it."""

import secrets
import time
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from maint_assets.core.databases import (
    ScratchLeft,
    create_database,
    database_url,
    drop_database,
    scratch_database,
    swap_in,
)
from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.local_cluster import LocalCluster
from maint_assets_tests.login_roles import create_login_role

AUTOVACUUM_IN = """
SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'autovacuum worker'"""


@pytest.fixture
def staging_role(pg_cluster: LocalCluster) -> Iterator[PostgresResource]:
    """The staging server as a role with CREATEDB and nothing more, while autovacuum visits
    each database every second instead of every minute."""
    role = f"maint_drop_{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(16)
    with pg_cluster.connect(autocommit=True) as admin:
        create_login_role(admin, role, password, "CREATEDB")
        admin.execute("ALTER SYSTEM SET autovacuum_naptime = 1")
        admin.execute("SELECT pg_reload_conf()")
    try:
        yield PostgresResource(
            url=make_conninfo(pg_cluster.url("postgres"), user=role, password=password)
        )
    finally:
        with pg_cluster.connect(autocommit=True) as admin:
            admin.execute("ALTER SYSTEM RESET autovacuum_naptime")
            admin.execute("SELECT pg_reload_conf()")
            owned = "SELECT datname FROM pg_database WHERE datdba = to_regrole(%s)"
            for (name,) in admin.execute(owned, [role]).fetchall():
                drop = "DROP DATABASE {} WITH (FORCE)"
                admin.execute(sql.SQL(drop).format(sql.Identifier(name)))
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _autovacuum_working_in(pg_cluster: LocalCluster, server: PostgresResource) -> str:
    """A new database of ``server``'s role that an autovacuum worker is in, and stays in."""
    name = f"maint_assets_vacuumed_{secrets.token_hex(3)}"
    url = create_database(server, name, "a database autovacuum works in")
    with psycopg.connect(url, autocommit=True) as conn:
        # dead rows vacuumed a page at a time with a sleep after each
        conn.execute(
            "CREATE TABLE dead (n integer) WITH "
            "(autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1)"
        )
        conn.execute("INSERT INTO dead SELECT generate_series(1, 200000)")
        conn.execute("DELETE FROM dead")
    deadline = time.monotonic() + 60
    with pg_cluster.connect(autocommit=True) as admin:
        while admin.execute(AUTOVACUUM_IN, [name]).fetchone()[0] == 0:
            assert time.monotonic() < deadline, "autovacuum never came to the database"
            time.sleep(0.2)
    return name


def test_a_session_left_in_a_database_autovacuum_works_in_is_ended_and_the_database_dropped(
    pg_cluster: LocalCluster, staging_role: PostgresResource
) -> None:
    """A killed run's session of the staging role, and autovacuum, in the database at once:
    after the server's five seconds the drop ended every session left WITH (FORCE), which for
    a role that is no superuser fails on the autovacuum worker."""
    name = _autovacuum_working_in(pg_cluster, staging_role)
    with psycopg.connect(database_url(staging_role, name), autocommit=True) as lingering:
        drop_database(staging_role, name)
        with pytest.raises(psycopg.OperationalError):
            lingering.execute("SELECT 1")
    assert not _exists(pg_cluster, name)


def _exists(pg_cluster: LocalCluster, name: str) -> bool:
    with pg_cluster.connect(autocommit=True) as admin:
        found = "SELECT count(*) FROM pg_database WHERE datname = %s"
        return admin.execute(found, [name]).fetchone() == (1,)


def test_a_role_that_is_no_superuser_drops_its_database_while_autovacuum_works_in_it(
    pg_cluster: LocalCluster, staging_role: PostgresResource
) -> None:
    """The weekly backups, run as the staging role, failed a restore check at the end, when it
    dropped its scratch database: autovacuum was analysing the rows just loaded there, and
    DROP DATABASE ... WITH (FORCE) ends only the sessions of roles the caller is a member of,
    which an autovacuum worker is not ("must be a member of the role whose process is being
    terminated or member of pg_signal_backend"). The scratch database stayed behind."""
    name = _autovacuum_working_in(pg_cluster, staging_role)
    drop_database(staging_role, name)
    assert not _exists(pg_cluster, name)


def test_staging_replaces_a_database_autovacuum_works_in(
    pg_cluster: LocalCluster, staging_role: PostgresResource
) -> None:
    """The swap ended every session of the database it replaces with pg_terminate_backend,
    which a role that is no superuser may not call on an autovacuum worker."""
    name = _autovacuum_working_in(pg_cluster, staging_role)
    building = name + "__building"
    url = create_database(staging_role, building, "its replacement")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE replacement ()")
    swap_in(staging_role, building, name)
    assert not _exists(pg_cluster, building)
    with psycopg.connect(database_url(staging_role, name)) as conn:
        assert conn.execute("SELECT to_regclass('replacement') IS NOT NULL").fetchone() == (True,)


def test_a_database_another_session_still_uses_is_dropped_ending_that_session(
    pg_cluster: LocalCluster,
) -> None:
    """Without FORCE the server waits five seconds for other sessions, then refuses: the drop
    then ends them (here a session of the same role, as a killed run's would be)."""
    name = f"maint_assets_drop_{secrets.token_hex(3)}"
    server = PostgresResource(url=pg_cluster.url("postgres"))
    url = create_database(server, name, "a database a session still uses")
    try:
        with psycopg.connect(url, autocommit=True) as lingering:
            drop_database(server, name)
            with pytest.raises(psycopg.OperationalError):
                lingering.execute("SELECT 1")
        assert not _exists(pg_cluster, name)
    finally:
        with pg_cluster.connect(autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _undroppable(pg_cluster: LocalCluster, name: str) -> None:
    """Make ``name`` a template database, which DROP DATABASE refuses at once."""
    with pg_cluster.connect(autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} IS_TEMPLATE true").format(sql.Identifier(name)))


def _drop_template(pg_cluster: LocalCluster, name: str) -> None:
    with pg_cluster.connect(autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} IS_TEMPLATE false").format(sql.Identifier(name)))
        admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))


def test_a_scratch_database_that_cannot_be_dropped_never_hides_the_blocks_error(
    pg_cluster: LocalCluster, staging_role: PostgresResource
) -> None:
    """A restore check's load failed on a restore server out of disk space; dropping its
    scratch database then failed too (DROP DATABASE asks for a checkpoint, which cannot write
    to the full disk: "checkpoint request failed"), and that error replaced the load's, which
    said what was wrong (trial of session 36). Here the drop fails because the database was
    made a template meanwhile."""
    name = f"maint_assets_scratch_{secrets.token_hex(3)}"
    with (
        pytest.raises(ValueError, match="the load's own error") as raised,
        scratch_database(staging_role, name, "a restore check's scratch copy"),
    ):
        _undroppable(pg_cluster, name)
        raise ValueError("the load's own error")
    notes = "\n".join(getattr(raised.value, "__notes__", []))
    assert f"the scratch database {name} is left on" in notes, notes
    _drop_template(pg_cluster, name)


def test_a_scratch_database_left_after_its_work_is_named(
    pg_cluster: LocalCluster, staging_role: PostgresResource
) -> None:
    name = f"maint_assets_scratch_{secrets.token_hex(3)}"
    with (
        pytest.raises(ScratchLeft, match=f"the scratch database {name} is left on"),
        scratch_database(staging_role, name, "a restore check's scratch copy"),
    ):
        _undroppable(pg_cluster, name)
    _drop_template(pg_cluster, name)
