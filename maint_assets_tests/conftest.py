"""A real PostgreSQL + PostGIS cluster for the whole session, in a temporary directory on a
free port (never the demo's), with a template database of generated atlas data that each
test clones."""

import email
import email.policy
import fcntl
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from itertools import count
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from maint_assets.atlas.change_log import install_capture
from maint_assets.atlas.counts.region_cells import sync_cells
from maint_assets.core import roles
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.pg_tools import run_tool
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose, statement
from maint_assets.demo.atlas_data import load_demo_data
from maint_assets.demo.atlas_replica import apply_replica
from maint_assets.demo.local_cluster import PG_MAJOR, SUPERUSER, LocalCluster
from maint_assets.demo.metabase_stand_in import load_stand_in
from maint_assets_tests.atlas.helpers import atlas_resources
from maint_assets_tests.ports import free_port
from maint_assets_tests.smtp_servers import serving

# The order the files go to the workers in: longest first, as recorded.
pytest_plugins = ["maint_assets_tests.schedule"]

# Fixtures that start a server (PostgreSQL, moto S3, SMTP, Pushgateway, the GBIF replay): a test
# using one, directly or through another fixture, is marked `servers`; `make test-fast` runs the
# others. A test module that starts servers itself says so with `pytestmark`.
SERVER_FIXTURES = frozenset({"pg_cluster", "s3_endpoint", "smtp_server", "pushgateway_url", "gbif"})
TEMPLATE = "atlas_template"
SMALL_TEMPLATE = "atlas_small_template"
# A province 0.15 times the size: 36 000 cells to cut instead of 456 000 (6 s against 40 s in
# a busy staging build), 4 986 regions in the same 15 levels.
SMALL_PROVINCE = 0.15
S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
TEST_OBSERVATIONS = 6000
# Region outlines cut into segments of this many degrees before they are detailed: thousands
# of vertices per region (the demo's 0.002 gives tens of thousands), cheaper to cut into cells.
TEST_SPACING = 0.01
_clones = count()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[LocalCluster]:
    # The server runs as `postgres` when we are root, so its directory must be reachable.
    home = Path(tempfile.mkdtemp(prefix="maint-assets-tests-"))
    home.chmod(0o755)
    cluster = LocalCluster(home=home / "pg", port=free_port())
    cluster.up(["dagster"])
    # Tests compare results, not plans. PostGIS functions declare high costs, so even a test's
    # small spatial queries pass jit_above_cost and are compiled first: the production-query
    # oracle of the differential tests spent 0.4 of its 1.06 s compiling (0.64 s without).
    with cluster.connect("dagster", autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET jit = off")
        _throwaway_settings(cluster, conn)
        conn.execute("SELECT pg_reload_conf()")
    previous = os.environ.get("PGPASSFILE")
    os.environ.update(cluster.client_env())
    try:
        yield cluster
    finally:
        cluster.destroy()
        shutil.rmtree(home, ignore_errors=True)
        if previous is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = previous


def _throwaway_settings(cluster: LocalCluster, conn: psycopg.Connection) -> None:
    """What a cluster deleted after the session can do without. The suite opens tens of
    thousands of connections (Dagster's PostgreSQL storage opens one per call): a SCRAM
    handshake costs the client 6.7 ms of CPU on this machine, an md5 one 0.7 ms, so the
    superuser the tests connect as gets an md5 password (the roles the tests create keep
    SCRAM: the server picks each role's own method). Durability against an operating-system
    crash is not what the tests test; its fsyncs and full-page images are what it costs."""
    password = cluster.passfile.read_text().strip().rsplit(":", 1)[1]
    # Hashed here, so that the password itself never travels in a statement.
    digest = "md5" + hashlib.md5((password + SUPERUSER).encode()).hexdigest()
    conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
        sql.Identifier(SUPERUSER), sql.Literal(digest)))
    hba = cluster.data_dir / "pg_hba.conf"
    hba.write_text(hba.read_text().replace("scram-sha-256", "md5"))
    for setting in ("fsync", "full_page_writes", "synchronous_commit"):
        conn.execute(sql.SQL("ALTER SYSTEM SET {} = off").format(sql.Identifier(setting)))


@pytest.fixture(scope="session")
def atlas_template(pg_cluster: LocalCluster, tmp_path_factory, worker_id: str) -> str:
    """The atlas database the tests clone."""
    return _session_template(pg_cluster, tmp_path_factory, worker_id, TEMPLATE, 1.0)


@pytest.fixture(scope="session")
def small_atlas_template(pg_cluster: LocalCluster, tmp_path_factory, worker_id: str) -> str:
    """The template's data on a province drawn SMALL_PROVINCE times its size: for the tests of
    what does not depend on the geography's extent (dumps, restores, staging builds), which
    would otherwise spend most of each staging build cutting the regions into cells."""
    return _session_template(
        pg_cluster, tmp_path_factory, worker_id, SMALL_TEMPLATE, SMALL_PROVINCE
    )


def _session_template(
    cluster: LocalCluster, tmp_path_factory, worker_id: str, name: str, province_size: float
) -> str:
    """The atlas template, built once per session (see _shared_template): 4 s to restore
    against 37 s to build, alone."""
    return _shared_template(
        cluster, tmp_path_factory, worker_id, name,
        lambda: _build_template(cluster, name, province_size),
    )


def _shared_template(
    cluster: LocalCluster, tmp_path_factory, worker_id: str, name: str,
    build: Callable[[], None],
) -> str:
    """Built once per session: the first xdist worker to need it builds it in its cluster
    (``build`` fills the database ``name``) and dumps it; the others restore that dump."""
    cluster.up([name])
    if worker_id == "master":  # no xdist: nobody to share with
        build()
        return name
    shared = tmp_path_factory.getbasetemp().parent  # this session's, common to its workers
    dump = shared / f"{name}.dump"
    what = f"the tests' template database {name}"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not dump.exists():  # first, or the worker that built it failed
            build()
            partial = dump.with_suffix(".partial")
            run_tool("pg_dump", PG_MAJOR, ["--format=custom", "--compress=0", f"--file={partial}"],
                     cluster.url(name), what)
            partial.rename(dump)
            return name
    run_tool("pg_restore", PG_MAJOR, ["--exit-on-error", "--jobs=2", f"--dbname={name}",
                                      str(dump)],
             cluster.url(name), what)
    with cluster.connect(name, autocommit=True) as conn:
        conn.execute("ANALYZE")  # a dump has no statistics; a built template has them
    return name


def _build_template(cluster: LocalCluster, name: str, province_size: float) -> None:
    with cluster.connect(name, autocommit=True) as conn:
        apply_replica(conn)
        install_capture(conn)
        load_demo_data(conn, observations=TEST_OBSERVATIONS, seed=7, spacing=TEST_SPACING,
                       province_size=province_size)
        with conn.transaction():  # the count tables' cells, a cache of the regions: cut once
            sync_cells(conn)


@contextmanager
def _clone(cluster: LocalCluster, template: str, prefix: str) -> Iterator[str]:
    """A fresh copy of ``template`` for one test, dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{next(_clones)}"
    # FILE_COPY copies the files and checkpoints (cheap without fsync) instead of writing the
    # 200 MB template through the WAL: 0.5 s and 0.15 s of server CPU against 1.2-1.8 s and
    # 0.3-0.4 s per clone of the atlas template.
    with cluster.connect(autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    yield cluster.url(name)
    with cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def atlas_url(pg_cluster: LocalCluster, atlas_template: str) -> Iterator[str]:
    """A fresh copy of the template atlas database for one test."""
    with _clone(pg_cluster, atlas_template, "atlas_test") as url:
        yield url


@pytest.fixture
def small_atlas_url(pg_cluster: LocalCluster, small_atlas_template: str) -> Iterator[str]:
    """A fresh copy of the small-province template atlas database for one test."""
    with _clone(pg_cluster, small_atlas_template, "atlas_small") as url:
        yield url


@pytest.fixture(scope="module")
def shared_atlas_url(pg_cluster: LocalCluster, atlas_template: str) -> Iterator[str]:
    """One copy of the template atlas database for all the tests of a module that only read
    it (a module whose tests write uses ``atlas_url``)."""
    with _clone(pg_cluster, atlas_template, "atlas_shared") as url:
        yield url


@pytest.fixture
def atlas_db(atlas_url: str) -> PostgresResource:
    return PostgresResource(url=atlas_url, lock_timeout_s=5)


@pytest.fixture
def resources(atlas_db: PostgresResource) -> dict[str, object]:
    return atlas_resources(atlas_db)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 server (moto's, over HTTP) for the session; any credentials are accepted."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    saved = {k: os.environ.get(k) for k in S3_CREDENTIALS}
    os.environ.update(S3_CREDENTIALS)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def s3_store(s3_endpoint: str) -> ArtifactStore:
    """An artifact store on a new bucket of the S3 server."""
    import boto3

    bucket = f"maint-assets-test-{next(_clones)}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    return ArtifactStore(bucket=bucket, prefix="backups", endpoint_url=s3_endpoint)


@pytest.fixture
def staging_server(pg_cluster: LocalCluster) -> PostgresResource:
    return PostgresResource(url=pg_cluster.url("postgres"))


@pytest.fixture
def metabase_url(pg_cluster: LocalCluster) -> Iterator[str]:
    """A fresh stand-in Metabase application database."""
    name = f"metabase_test_{os.getpid()}_{next(_clones)}"
    pg_cluster.up([name])
    with pg_cluster.connect(name, autocommit=True) as conn:
        load_stand_in(conn)
    yield pg_cluster.url(name)
    with pg_cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def vn_template(pg_cluster: LocalCluster, tmp_path_factory, worker_id: str) -> str:
    """A database whose production and check schemas (and the window's staging schema) were
    created by transfer_vn itself, with its column tables and their row triggers. Built by
    the first worker that needs it and restored by the others (five transfer_vn runs, 15-25 s
    beside other workers, against about 2 s to restore): every worker runs VisioNature files."""
    from maint_assets.demo.vn_data import DEMO_TRANSFER_VN_CONFIG
    from maint_assets.vn_sync.client_api_vn import ClientApiVn, install
    from maint_assets.vn_sync.keys import CHECK, PRODUCTION, WINDOW_STAGING
    from maint_assets.vn_sync.tables import create_tables

    install()
    name = "vn_template"
    tool = ClientApiVn(config_file=str(DEMO_TRANSFER_VN_CONFIG))
    # The dump's schemas belong to transfer_vn's group role, which a restore needs to exist
    # (roles are the cluster's, not the database's); create_tables makes it the same way.
    group = tool.user_config()["database"]["db_group"]
    with pg_cluster.connect(autocommit=True) as conn:
        if not conn.execute(statement(roles.SQL, "role_exists"), {"role": group}).fetchone()[0]:
            conn.execute(compose(roles.SQL, "create_group", role=group))

    def build() -> None:
        work = Path(tempfile.mkdtemp(prefix="vn-tables-"))
        tool = ClientApiVn(config_file=str(DEMO_TRANSFER_VN_CONFIG), work_dir=str(work))
        create_tables(
            tool, PostgresResource(url=pg_cluster.url(name)),
            (PRODUCTION, CHECK, WINDOW_STAGING),
            column_schemas={PRODUCTION: "src_vn", CHECK: "src_vn_check"},
        )
        shutil.rmtree(work, ignore_errors=True)

    return _shared_template(pg_cluster, tmp_path_factory, worker_id, name, build)


@pytest.fixture
def vn_url(pg_cluster: LocalCluster, vn_template: str) -> Iterator[str]:
    with _clone(pg_cluster, vn_template, "vn_test") as url:
        yield url


@pytest.fixture(scope="session")
def smtp_server() -> Iterator["SmtpSink"]:
    """A real SMTP server (aiosmtpd) on a free port, keeping what it receives."""
    sink = SmtpSink()
    with serving(sink) as port:
        sink.port = port
        yield sink


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture(scope="session")
def pushgateway_url() -> Iterator[str]:
    from maint_assets_tests.webarchive.servers import pushgateway

    with pushgateway(free_port()) as url:
        yield url


@pytest.fixture
def dagster_instance(
    pg_cluster: LocalCluster, dagster_storage_template: str
) -> Iterator[dg.DagsterInstance]:
    """A Dagster instance on PostgreSQL storage, as deployed (one event log across runs), in
    a fresh copy of a database where Dagster created its storage's tables: creating them is
    most of what an instance on an empty database costs (1-2 s a test, beside other workers;
    0.6 s to clone), and the copy holds no run, event or schedule."""
    with _clone(pg_cluster, dagster_storage_template, "dagster") as url, _instance(url) as inst:
        yield inst


@pytest.fixture(scope="session")
def dagster_storage_template(pg_cluster: LocalCluster, tmp_path_factory, worker_id: str) -> str:
    """An otherwise empty database in which Dagster created the tables of its PostgreSQL
    storage (runs, event log, schedules) and stamped their migration: what the first instance
    on an empty database does (see _shared_template)."""
    name = "dagster_storage_template"

    def build() -> None:
        with _instance(pg_cluster.url(name)):
            pass
        # A clone needs a template nobody is connected to; the storage's pool may linger.
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )

    return _shared_template(pg_cluster, tmp_path_factory, worker_id, name, build)


@contextmanager
def _instance(url: str) -> Iterator[dg.DagsterInstance]:
    url = url.replace("postgresql://", "postgresql+psycopg2://", 1)
    with dg.instance_for_test(overrides={"storage": {"postgres": {"postgres_url": url}}}) as inst:
        # The storage opens a connection per call (a new server process each time) unless
        # told to keep one, as the webserver does: 0.9 s -> 0.3 s per small run here.
        inst.optimize_for_webserver(statement_timeout=0, pool_recycle=-1, max_overflow=10)
        yield inst


@pytest.fixture
def empty_db(pg_cluster: LocalCluster) -> Iterator[str]:
    """A new empty database for one test."""
    name = f"empty_{os.getpid()}_{next(_clones)}"
    pg_cluster.up([name])
    yield pg_cluster.url(name)
    with pg_cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
