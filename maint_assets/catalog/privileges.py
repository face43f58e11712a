"""What the maintenance role needs in the catalogue's database."""

from maint_assets.catalog.keys import DOMAIN
from maint_assets.catalog.resources import DATABASE_URL_ENV
from maint_assets.core.roles import BOOKKEEPING, Privileges, RoleTarget

TARGETS = (RoleTarget("catalog", DATABASE_URL_ENV, Privileges(DOMAIN, BOOKKEEPING)),)
