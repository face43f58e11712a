"""A stand-in for Metabase's application database (sql/demo/metabase_app_db.sql) for the demo
and the tests: Metabase itself is not installed here."""

import psycopg

from maint_assets.core.sql_files import statement

GROUP = "demo/metabase_app_db"


def load_stand_in(conn: psycopg.Connection) -> bool:
    """Create the stand-in tables and fill them if empty; True when rows were added."""
    with conn.transaction():
        conn.execute(statement(GROUP, "create"))
        if not conn.execute(statement(GROUP, "is_empty")).fetchone()[0]:
            return False
        conn.execute(statement(GROUP, "fill"))
    return True
