"""The atlas domain's resources: the atlas database, the server the staging and scratch
databases are created on, and the taxonomy resolver."""

import dagster as dg

from maint_assets.atlas.taxonomy.choice import taxonomy_resolver
from maint_assets.core.postgres import PostgresResource

DATABASE_URL_ENV = "ATLAS_DATABASE_URL"
# Any database of the server where the staging and scratch databases are created.
STAGING_SERVER_URL_ENV = "ATLAS_STAGING_SERVER_URL"


def resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "atlas_db": PostgresResource(url=dg.EnvVar(DATABASE_URL_ENV)),
        "atlas_staging_server": PostgresResource(url=dg.EnvVar(STAGING_SERVER_URL_ENV)),
        "taxonomy": taxonomy_resolver(),
    }
