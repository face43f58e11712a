"""What the maintenance role needs in the ingest database."""

from maint_assets.core.roles import Privileges, RoleTarget, with_schema
from maint_assets.ingest.resources import DATABASE_URL_ENV

# The switch renames the production schema and moves every table in it: it must own them.
TARGETS = (
    RoleTarget(
        "ingest",
        DATABASE_URL_ENV,
        Privileges(own_schemas=("maint_assets",), create_schemas=True),
        settings=("production_schema",),
        complete=lambda needs, production_schema: with_schema(
            needs, production_schema, "the production schema (the table list's 'production')"
        ),
    ),
)
