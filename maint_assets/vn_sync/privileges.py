"""What the maintenance role needs in the VisioNature mirror's database."""

from maint_assets.core.roles import BOOKKEEPING, Privileges, RoleTarget, with_group
from maint_assets.vn_sync.keys import CHECK, WINDOW_STAGING
from maint_assets.vn_sync.resources import DATABASE_URL_ENV, TRANSFER_VN_CONFIG_ENV

# transfer_vn creates its schemas owned by the configuration's db_group and its tables owned
# by the connecting db_user, and grants the group every right on those tables: the role joins
# that group instead of taking them over from the live sync. It owns the window download's
# staging schema, which only the assets write.
TARGETS = (
    RoleTarget(
        "vn",
        DATABASE_URL_ENV,
        Privileges(
            own_schemas=(*BOOKKEEPING, WINDOW_STAGING),
            own_relations=(("dbadmin", "monitoring_vn_check_to_prod"),),
            create_schemas=True,
            # transfer_vn's --update of the check copy, run as the role, numbers its
            # download_log rows: the group's default privileges cover tables, not sequences
            use_sequences=(CHECK,),
        ),
        settings=("vn_group",),
        complete=lambda needs, vn_group: with_group(
            needs, vn_group, f"transfer_vn's database.db_group ({TRANSFER_VN_CONFIG_ENV})"
        ),
    ),
)
