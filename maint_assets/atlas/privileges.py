"""What the maintenance role needs for the atlas: the atlas database and the staging server."""

from maint_assets.core.roles import BOOKKEEPING, Privileges, RoleTarget

TARGETS = (
    RoleTarget(
        "atlas", "ATLAS_DATABASE_URL", Privileges("atlas", BOOKKEEPING, read_all_data=True)
    ),
    RoleTarget("atlas-staging", "ATLAS_STAGING_SERVER_URL", Privileges(createdb=True)),
)
