"""The Metabase tests' resources: the application database, the artifact bucket and the
server restores go to."""

import pytest

from maint_assets.core.postgres import PostgresResource


@pytest.fixture
def metabase_resources(metabase_url, s3_store, staging_server):
    return {
        "metabase_db": PostgresResource(url=metabase_url),
        "artifacts": s3_store,
        "restore_server": staging_server,
    }
