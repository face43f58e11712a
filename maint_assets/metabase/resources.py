"""The Metabase domain's resources: its application database."""

import dagster as dg

from maint_assets.core.postgres import PostgresResource

DATABASE_URL_ENV = "METABASE_DATABASE_URL"


def resources() -> dict[str, dg.ConfigurableResource]:
    return {"metabase_db": PostgresResource(url=dg.EnvVar(DATABASE_URL_ENV))}
