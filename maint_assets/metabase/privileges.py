"""What the maintenance role needs on Metabase's application database: read it all (the
backup); its restore check restores on the restore server (core's ``restore-checks``)."""

from maint_assets.core.roles import Privileges, RoleTarget
from maint_assets.metabase.resources import DATABASE_URL_ENV

TARGETS = (RoleTarget("metabase", DATABASE_URL_ENV, Privileges(read_all_data=True)),)
