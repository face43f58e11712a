"""A search_path for a few statements of a transaction: an empty one, so that the catalog's
deparsers (pg_get_constraintdef, pg_get_viewdef) name every relation with its schema, or one
schema, so that they name its relations bare."""

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from maint_assets.core.sql_files import statement

SQL = "core/search_path"


@contextmanager
def search_path(conn: psycopg.Connection, path: str) -> Iterator[None]:
    """``path`` (as search_path takes it: quoted names, comma-separated) as the search_path
    of ``conn``'s transaction inside the block."""
    ((previous, _),) = conn.execute(statement(SQL, "set"), {"path": path}).fetchall()
    yield
    # Not after a failure: the transaction or savepoint is aborted, and its rollback sets it
    # back (setting it in an aborted transaction would raise, hiding the failure).
    conn.execute(statement(SQL, "restore"), {"path": previous})
