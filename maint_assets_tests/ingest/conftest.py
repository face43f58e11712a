"""The ingest tests' production: the demo's portal at version 1."""

from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from maint_assets.demo.ingest_data import write_source
from maint_assets.demo.local_cluster import LocalCluster
from maint_assets_tests.ingest.test_ingest import _ingest


@pytest.fixture(scope="session")
def portal_template(pg_cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database where version 1 of the demo's source was ingested into production, with
    the users' own table beside it: what each ``portal`` starts from. Ingesting it was a
    whole staging load and switch for every one of about 40 tests; everything it leaves is
    in the database (the versions and switches it records name no source path, and each
    materialize has its own ephemeral instance). Built once per worker."""
    name = "ingest_portal_template"
    pg_cluster.up([name])
    url = pg_cluster.url(name)
    source = tmp_path_factory.mktemp("portal") / "source"
    write_source(source, version=1)
    assert _ingest(url, source).success
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE portal.submissions (id serial PRIMARY KEY, author text, body text)"
        )
        conn.execute("INSERT INTO portal.submissions (author, body) VALUES ('ann', 'first')")
    with pg_cluster.connect(autocommit=True) as conn:  # a template nobody is connected to
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
    return name


@pytest.fixture
def portal(
    pg_cluster: LocalCluster, portal_template: str, empty_db: str, tmp_path: Path
) -> tuple[str, Path]:
    """Production at version 1 with the users' own table: ``empty_db`` made again, under the
    same name, as a copy of portal_template (the ``roles`` and ``reporting_role`` fixtures
    work in empty_db), and the test's own source folder at version 1."""
    name = conninfo_to_dict(empty_db)["dbname"]
    with pg_cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(portal_template)
            )
        )
    source = tmp_path / "source"
    write_source(source, version=1)
    return empty_db, source
