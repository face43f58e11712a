"""The private PostgreSQL cluster: idempotent lifecycle, and clear messages when the server
or PostGIS is missing."""

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from maint_assets.demo.local_cluster import ClusterError, LocalCluster
from maint_assets_tests.ports import free_port

pytestmark = pytest.mark.servers  # each test starts its own PostgreSQL cluster


@pytest.fixture
def cluster():
    home = Path(tempfile.mkdtemp(prefix="maint-assets-cluster-"))
    home.chmod(0o755)
    cluster = LocalCluster(home=home / "pg", port=free_port())
    yield cluster
    cluster.destroy()
    shutil.rmtree(home, ignore_errors=True)


def test_up_is_idempotent_and_data_survives_a_restart(cluster, monkeypatch):
    monkeypatch.setenv("PGPASSFILE", str(cluster.passfile))
    assert cluster.status().running is False
    first = cluster.up(["atlas", "dagster"])
    assert first.running and first.port == cluster.port
    assert cluster.up(["atlas", "dagster"]).pid == first.pid  # nothing restarted
    with cluster.connect("atlas", autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)")
        assert conn.execute(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'"
        ).fetchone() == (1,)
    cluster.down()
    assert cluster.status().running is False
    cluster.up(["atlas"])
    with cluster.connect("atlas") as conn:
        assert conn.execute("SELECT x FROM kept").fetchone() == (42,)
        # loopback only, password authentication, no unix socket
        settings = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('listen_addresses', 'unix_socket_directories')"
            ).fetchall()
        )
    assert settings == {"listen_addresses": "127.0.0.1", "unix_socket_directories": ""}
    assert stat.S_IMODE(cluster.passfile.stat().st_mode) == 0o600
    assert "@" in cluster.url("atlas") and ":" not in cluster.url("atlas").split("@")[0][13:]


def test_password_is_required(cluster):
    cluster.up([])
    import psycopg

    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(cluster.url(), passfile=os.devnull).close()


def test_missing_server_binaries_name_the_package(cluster, monkeypatch):
    monkeypatch.setenv("MAINT_PG_BINDIR", "/nonexistent/bin")
    with pytest.raises(ClusterError, match=r"install the Debian package postgresql-15 "):
        cluster.up([])


def test_missing_postgis_names_the_package(cluster, monkeypatch, tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("initdb", "pg_ctl", "postgres"):
        (bindir / tool).write_text("#!/bin/sh\nexit 1\n")
    sharedir = tmp_path / "share"
    (sharedir / "extension").mkdir(parents=True)
    (bindir / "pg_config").write_text(f"#!/bin/sh\necho {sharedir}\n")
    for tool in bindir.iterdir():
        tool.chmod(0o755)
    monkeypatch.setenv("MAINT_PG_BINDIR", str(bindir))
    with pytest.raises(ClusterError, match="postgresql-15-postgis-3"):
        cluster.up([])
