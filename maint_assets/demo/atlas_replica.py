"""The replica of the atlas database's production schema (``sql/demo/atlas_replica/``): what
the demo's and the tests' atlas databases are made of. A real atlas database has its own
schema and takes only maint_assets' DDL (``sql/atlas/schema/``)."""

import psycopg

from maint_assets.core.paths import SQL_DIR
from maint_assets.core.schema import apply_schema

REPLICA = "demo/atlas_replica"
MARKER = SQL_DIR / "demo" / "atlas_replica" / "replica_marker.sql"


def apply_replica(conn: psycopg.Connection) -> list[str]:
    """Production's tables, views and triggers, maint_assets' own DDL on them, then the mark
    that the database is a replica; idempotent. Returns the files applied."""
    applied = apply_schema(conn, REPLICA) + apply_schema(conn, "atlas")
    with conn.transaction():
        conn.execute(MARKER.read_text())
    return [*applied, MARKER.name]
