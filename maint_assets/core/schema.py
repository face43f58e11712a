"""Applying a domain's idempotent DDL (``sql/<domain>/schema/*.sql``) to a database."""

import psycopg

from maint_assets.core.sql_files import schema_files

SCHEMA_LOCK = "maint_assets:schema"


def apply_schema(conn: psycopg.Connection, domain: str) -> list[str]:
    """Apply every schema file of ``domain`` in one transaction; returns the files applied."""
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [SCHEMA_LOCK])
        for path in schema_files(domain):
            conn.execute(path.read_text())
            applied.append(path.name)
    return applied
