"""The versions a switch archived: what outside one depends on it, and expiring those beyond
``keep_versions`` that maint_assets created, unless something outside them depends on them or
a session still reads them."""

import psycopg
from psycopg import errors

from maint_assets.core.lock_waits import set_short_lock_timeout
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose, statement
from maint_assets.ingest import schemas
from maint_assets.ingest.keys import MARKER, SQL_PRODUCTION, SQL_SCHEMAS
from maint_assets.ingest.tables import IngestSpec


def outside_dependents(conn: psycopg.Connection, schema: str) -> list[str]:
    """Objects outside ``schema`` that DROP SCHEMA … CASCADE would drop with it."""
    return [
        d for (d,) in conn.execute(statement(SQL_PRODUCTION, "outside_dependents"),
                                   {"schema": schema})
    ]


def expire(
    db: PostgresResource, spec: IngestSpec
) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Drop the versions beyond the newest ``keep_versions`` that maint_assets created; return
    them, those kept because it did not (the production schema the first switch replaced), and
    those kept because something outside them depends on them or a session still reads them
    (named)."""
    dropped, kept, held = [], [], {}
    with db.connect() as conn, conn.transaction():
        expired = conn.execute(
            statement(SQL_PRODUCTION, "expired_versions"),
            {"production": spec.production, "keep": spec.keep_versions},
        ).fetchall()
        for id_, schema in expired:
            if schemas.exists(conn, schema) and not schemas.comment(conn, schema).startswith(
                MARKER
            ):
                kept.append(schema)
                continue
            dependents = outside_dependents(conn, schema)
            if dependents:
                held[schema] = dependents
                continue
            try:
                # A version a session still reads is kept for a later run: waiting for it
                # queued every new reader of that version behind the DROP, and cancelling the
                # DROP failed a run whose switch had committed.
                with conn.transaction():
                    set_short_lock_timeout(conn)
                    conn.execute(compose(SQL_SCHEMAS, "drop_schema", schema=schema))
            except errors.LockNotAvailable:
                held[schema] = ["a session reading it (kept until a later run)"]
                continue
            conn.execute(statement(SQL_PRODUCTION, "forget_version"), {"id": id_})
            dropped.append(schema)
    return dropped, kept, held
