"""What the maintenance role needs in the VisioNature mirror's database."""

from maint_assets.core.roles import BOOKKEEPING, Privileges, RoleTarget, with_group

# transfer_vn creates and owns its schemas as the configuration's db_group: the role joins that
# group (and so owns them through it) instead of taking them over from the live sync.
TARGETS = (
    RoleTarget(
        "vn",
        "VN_DATABASE_URL",
        Privileges(
            own_schemas=BOOKKEEPING,
            own_relations=(("dbadmin", "monitoring_vn_check_to_prod"),),
            create_schemas=True,
        ),
        settings=("vn_group",),
        complete=lambda needs, vn_group: with_group(
            needs, vn_group, "transfer_vn's database.db_group (VN_TRANSFER_VN_CONFIG)"
        ),
    ),
)
