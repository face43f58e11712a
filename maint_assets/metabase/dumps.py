"""The dump of Metabase's application database, for the backup and before a restore."""

from pathlib import Path
from typing import Any

from maint_assets.core import database_content, databases
from maint_assets.core.pg_tools import url_parts
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.snapshots import exported_snapshot, pg_dump
from maint_assets.core.sql_files import statement
from maint_assets.metabase.keys import SQL_RESTORE


def dump_app_db(metabase_db: PostgresResource, tmp: Path) -> tuple[Path, dict[str, Any]]:
    """pg_dump -Fc of the application database into ``tmp``, with every table's row count,
    from one snapshot; the file and its manifest."""
    path = tmp / "metabase.dump"
    with exported_snapshot(metabase_db) as snap:
        tables = database_content.count_rows(snap.conn, database_content.user_tables(snap.conn))
        pg_dump(
            snap, ["--format=custom"], path,
            f"the Metabase application database ({metabase_db.describe()})",
        )
        version = snap.server_version
        encoding = snap.conn.info.parameter_status("server_encoding")
        extensions = dict(snap.conn.execute(statement(SQL_RESTORE, "extension_versions")))
    return path, {
        "format": "custom",
        "source": metabase_db.describe(),
        # a restore without a named backup takes only backups of the database it replaces
        "database": url_parts(metabase_db.url).get("dbname", ""),
        # ... on the same server: two Metabases often both name theirs "metabase"
        "system_identifier": databases.server_and_oid(metabase_db)[0],
        "server_version": version,
        # a restore check restores into a database of that encoding
        "encoding": encoding,
        "tables": tables,
        # Metabase's usage-analytics views (v_users, v_query_log, ...), as a restore prints
        # them: a restore check and a restore compare them, which no row count does. Read
        # beside the snapshot (only a Metabase upgrade changes them).
        "views": database_content.restored_view_definitions(metabase_db),
        # a restore leaving an extension in place checks its version against these
        "extensions": extensions,
    }
