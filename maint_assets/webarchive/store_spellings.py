"""Rows recorded under an older spelling of a store's URL (``/data/warcs/``, ``file://…``),
from before a store had one identity (``store_identity``), moved to the identity so that they
are not orphaned and the store's files are not listed and indexed a second time.

The spelling listed most recently is moved, with its indexing status and index segments. Any
other one is a second, older record of the same files (the same store configured under two
spellings, each with its own index lines): it is left as it is and reported, since which
index lines to drop is for an operator to decide.
"""

import psycopg

from maint_assets.core.file_stores import StoreError, store_identity
from maint_assets.core.sql_files import statement
from maint_assets.webarchive.keys import SQL_TRACKDB


def adopt_older_spellings(conn: psycopg.Connection, store: str) -> tuple[str | None, list[str]]:
    """Move the rows of the newest older spelling of ``store`` (an identity) to it, unless it
    has rows of its own; returns the spelling moved, if any, and the ones left."""
    recorded = [s for (s,) in conn.execute(statement(SQL_TRACKDB, "recorded_stores"))]
    others = [s for s in recorded if s != store and _identity(s) == store]
    if not others or store in recorded:
        return None, others
    conn.execute(statement(SQL_TRACKDB, "rename_store"), {"store": store, "old": others[0]})
    return others[0], others[1:]


def _identity(recorded: str) -> str | None:
    try:
        return store_identity(recorded)
    except StoreError:  # not a store URL this version reads: not one of ours to move
        return None
