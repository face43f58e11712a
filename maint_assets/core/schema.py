"""Applying a domain's idempotent DDL (``sql/<domain>/schema/*.sql``) to a database."""

import psycopg

from maint_assets.core.sql_files import schema_files

SCHEMA_LOCK = "maint_assets:schema"


BOOKKEEPING_SUFFIX = "_maint_assets.sql"


def apply_schema(
    conn: psycopg.Connection, domain: str, bookkeeping_only: bool = False
) -> list[str]:
    """Apply the schema files of ``domain`` in one transaction; returns the files applied.

    ``bookkeeping_only`` applies just maint_assets' own schemas and tables: what an existing
    production database needs, leaving its tables, views and functions untouched.
    """
    applied = []
    files = [
        p
        for p in schema_files(domain)
        if not bookkeeping_only or p.name.endswith(BOOKKEEPING_SUFFIX)
    ]
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [SCHEMA_LOCK])
        for path in files:
            conn.execute(path.read_text())
            applied.append(path.name)
    return applied
