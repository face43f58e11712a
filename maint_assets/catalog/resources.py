"""The catalogue's resources: its database and the store of DCAT pages."""

import dagster as dg

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.settings import optional_env
from maint_assets.core.stores import FileStore

DATABASE_URL_ENV = "CATALOG_DATABASE_URL"


def resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "catalog_db": PostgresResource(url=dg.EnvVar(DATABASE_URL_ENV)),
        "catalog_pages": FileStore(
            url=dg.EnvVar("CATALOG_PAGES_URL"),
            endpoint_url=optional_env("CATALOG_PAGES_ENDPOINT_URL", ""),
            region_name=optional_env("AWS_REGION", "us-east-1"),
        ),
    }
