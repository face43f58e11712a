"""Asset keys, groups, pools, owners and artifact folders of the Metabase domain."""

import dagster as dg

DOMAIN = "metabase"
GROUP_METABASE = "metabase"
# One backup or restore at a time against Metabase's database.
POOL_METABASE_DB = "metabase_db"
OWNERS = ["team:metabase"]

METABASE_BACKUP = dg.AssetKey([DOMAIN, "backup", "metabase_backup"])
# Its blocking check: retention and the restore job go by its verdicts.
RESTORE_CHECK = "restores"

# Artifact folders (paths in the artifact store: kept as they were, so that existing backups
# stay under the same retention).
BACKUP_FOLDER = "metabase/app_db_backup"
PRE_RESTORE_FOLDER = "metabase/before_restore"
SCRATCH_PREFIX = "maint_assets_check_metabase"
SQL_RESTORE = "metabase/restore_metabase"
