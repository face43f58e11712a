import pytest


@pytest.fixture
def backup_resources(resources, s3_store, staging_server):
    return {**resources, "artifacts": s3_store, "atlas_staging_server": staging_server}
