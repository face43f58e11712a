from collections.abc import Iterator

import pytest
from psycopg import sql

from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.local_cluster import LocalCluster
from maint_assets_tests.atlas.helpers import COUNTS, atlas_resources, materialize
from maint_assets_tests.conftest import _clone


@pytest.fixture
def backup_resources(resources, s3_store, staging_server):
    return {**resources, "artifacts": s3_store, "atlas_staging_server": staging_server}


@pytest.fixture(scope="session")
def counted_atlas_template(pg_cluster: LocalCluster, atlas_template: str) -> str:
    """The atlas template after a first refresh of its count tables (``materialize(resources,
    selection=COUNTS)``, which each count test began with: a full build from the observations,
    several seconds a test). Built once per worker, in its own cluster; everything that
    refresh leaves is in the database (each materialize has its own ephemeral instance)."""
    name = "atlas_counted_template"
    with pg_cluster.connect(autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(atlas_template)
            )
        )
    materialize(
        atlas_resources(PostgresResource(url=pg_cluster.url(name), lock_timeout_s=5)),
        selection=COUNTS,
    )
    with pg_cluster.connect(autocommit=True) as conn:  # a template nobody is connected to
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
    return name


@pytest.fixture
def counted(pg_cluster: LocalCluster, counted_atlas_template: str) -> Iterator[tuple[dict, str]]:
    """(resources, database URL) of a fresh copy of the atlas with its count tables built, as
    ``materialize(resources, selection=COUNTS)`` on ``atlas_url`` leaves it."""
    with _clone(pg_cluster, counted_atlas_template, "atlas_counted") as url:
        yield atlas_resources(PostgresResource(url=url, lock_timeout_s=5)), url
