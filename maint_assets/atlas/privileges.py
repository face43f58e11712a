"""What the maintenance role needs for the atlas: the atlas database and the staging server."""

from maint_assets.atlas.resources import DATABASE_URL_ENV, STAGING_SERVER_URL_ENV
from maint_assets.core.roles import BOOKKEEPING, Privileges, RoleTarget

TARGETS = (
    RoleTarget("atlas", DATABASE_URL_ENV, Privileges("atlas", BOOKKEEPING, read_all_data=True)),
    RoleTarget("atlas-staging", STAGING_SERVER_URL_ENV, Privileges(createdb=True)),
)
