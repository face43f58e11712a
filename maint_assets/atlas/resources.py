"""The atlas domain's resources: the atlas database, the server the staging and scratch
databases are created on, and the taxonomy resolver."""

import dagster as dg
from pydantic import Field

from maint_assets.atlas.taxonomy.choice import taxonomy_resolver
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.settings import optional_int_env

DATABASE_URL_ENV = "ATLAS_DATABASE_URL"
# Any database of the server where the staging and scratch databases are created.
STAGING_SERVER_URL_ENV = "ATLAS_STAGING_SERVER_URL"


class CountsSensorSettings(dg.ConfigurableResource):
    """What the change sensor applies to the count tables itself."""

    inline_max_changes: int = Field(
        default=5000,
        description="above this many pending observation changes (or with any region or "
        "zoom-lookup change) the sensor requests a run instead of refreshing in its tick",
    )


def resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "atlas_db": PostgresResource(url=dg.EnvVar(DATABASE_URL_ENV)),
        "atlas_staging_server": PostgresResource(url=dg.EnvVar(STAGING_SERVER_URL_ENV)),
        "atlas_counts_sensor": CountsSensorSettings(
            inline_max_changes=optional_int_env("ATLAS_COUNTS_INLINE_MAX_CHANGES", 5000)
        ),
        "taxonomy": taxonomy_resolver(),
    }
