"""What the maintenance role needs for the web archive: TrackDB's database, W3ACT's (read
only: access lists and its backup) and Shine's (read only: its backup)."""

from maint_assets.core.roles import Privileges, RoleTarget
from maint_assets.webarchive.keys import DOMAIN
from maint_assets.webarchive.resources import (
    DATABASE_URL_ENV,
    SHINE_DATABASE_URL_ENV,
    W3ACT_DATABASE_URL_ENV,
)

TARGETS = (
    RoleTarget("webarchive", DATABASE_URL_ENV, Privileges(DOMAIN, ("maint_assets", "webarchive"))),
    RoleTarget("w3act", W3ACT_DATABASE_URL_ENV, Privileges(read_all_data=True)),
    RoleTarget("shine", SHINE_DATABASE_URL_ENV, Privileges(read_all_data=True)),
)
