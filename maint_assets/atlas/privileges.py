"""What the maintenance role needs for the atlas: the atlas database and the staging server."""

from maint_assets.atlas.keys import STAGING_TEMPLATE, TEMPLATE_EXTENSIONS
from maint_assets.atlas.resources import DATABASE_URL_ENV, STAGING_SERVER_URL_ENV
from maint_assets.core.roles import BOOKKEEPING, Privileges, RoleTarget, Template

TARGETS = (
    RoleTarget("atlas", DATABASE_URL_ENV, Privileges("atlas", BOOKKEEPING, read_all_data=True)),
    # The restore checks' scratch databases and the staging database are made from a template
    # with PostGIS in it: the role may not create PostGIS (not trusted) where a dump loads.
    RoleTarget(
        "atlas-staging",
        STAGING_SERVER_URL_ENV,
        Privileges(createdb=True, template=Template(STAGING_TEMPLATE, TEMPLATE_EXTENSIONS)),
    ),
)
