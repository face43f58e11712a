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

# What a restore check or the staging build says when the staging server, not a dump, failed.
# A role that may not create PostGIS (only a superuser may) restores from a template an
# administrator prepared (docs/deploy.md, "roles apply").
STAGING_REMEDY = (
    "`maint-assets roles apply atlas-staging`, run as an administrator on the staging "
    f"server, gives the role CREATEDB and prepares the template database {STAGING_TEMPLATE} "
    "with the extensions only a superuser may create, which the restore checks and the "
    f"staging build start from; a server that cannot be reached: check {STAGING_SERVER_URL_ENV} "
    "and that the server is up and accepts the role"
)
